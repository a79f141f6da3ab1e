// What the screens' component tests share: mounting a component into the
// page, waiting for the fake Go side's answers, and finding elements by their
// data-testid. One copy, so that every test waits the same way.
import { flushSync, mount, unmount, type Component } from 'svelte'

// settle lets the fake Go side's promises resolve (an answer may lead to
// another call: a few rounds) and applies what they changed to the page.
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
  flushSync()
}

// wait lets ms pass (a debounce, a timer), then settles.
export async function wait(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms))
  await settle()
}

export interface Mounted {
  target: HTMLElement
  destroy: () => void
}

// mountIn mounts a component into a fresh element of the page; destroy
// unmounts it and removes the element.
export function mountIn<P extends Record<string, unknown>>(component: Component<P>, props: P): Mounted {
  const target = document.createElement('div')
  document.body.appendChild(target)
  const c = mount(component, { target, props })
  return {
    target,
    destroy: () => {
      unmount(c)
      target.remove()
    },
  }
}

// byTestId is the first element with that data-testid, or null.
export function byTestId<T extends HTMLElement = HTMLElement>(within: ParentNode, id: string): T | null {
  return within.querySelector<T>(`[data-testid="${id}"]`)
}

// allByTestId is every element with that data-testid.
export function allByTestId<T extends HTMLElement = HTMLElement>(within: ParentNode, id: string): T[] {
  return [...within.querySelectorAll<T>(`[data-testid="${id}"]`)]
}

// clean folds an element's white space as a reader sees it.
export function clean(s: string | null | undefined): string {
  return (s ?? '').replace(/\s+/g, ' ').trim()
}

// textOf is the folded text of the element with that data-testid, '' if none.
export function textOf(within: ParentNode, id: string): string {
  return clean(byTestId(within, id)?.textContent)
}

// typeInto sets an input's value as typing does and applies the change.
export function typeInto(input: HTMLInputElement, value: string): void {
  input.value = value
  input.dispatchEvent(new Event('input', { bubbles: true }))
  flushSync()
}

// chooseIn picks a select's option as a user does, then settles.
export async function chooseIn(select: HTMLSelectElement, value: string): Promise<void> {
  select.value = value
  select.dispatchEvent(new Event('change', { bubbles: true }))
  await settle()
}
