import { describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import type { HoneAPI } from '../lib/api'
import { screens } from '../lib/screens'
import App from '../App.svelte'
import { mountIn, settle } from './testing'

vi.mock('uplot', () => import('./train/fakeUplot'))

function fakeAPI(startupError: string) {
  return {
    startupError: vi.fn(async () => startupError),
    info: vi.fn(async () => ({ version: 'test', dataDir: '/d', database: { path: '/d/hone.db', schemaVersion: 1, health: 'ok' } })),
    report: vi.fn(() => new Promise(() => {})),
    watch: vi.fn(async () => {}),
    onReport: vi.fn(() => () => {}),
    painted: vi.fn(async () => {}),
    planChoices: vi.fn(async () => ({ models: [], cards: [], gpus: [], pricesFile: '/d/prices.json' })),
    plan: vi.fn(() => new Promise(() => {})),
    pickModelFolder: vi.fn(async () => ''),
    pickGGUF: vi.fn(async () => ''),
    onFilesDropped: vi.fn((cb: (paths: string[]) => void) => {
      dropListener = cb
      return () => (dropListener = null)
    }),
    pickFiles: vi.fn(async () => []),
    detect: vi.fn(() => new Promise(() => {})),
    onJob: vi.fn(() => () => {}),
    jobs: vi.fn(async () => []),
    datasets: vi.fn(async () => []),
    models: vi.fn(async () => []),
    modelFolders: vi.fn(async () => []),
    trainChoices: vi.fn(async () => ({ models: [], datasets: [], defaults: { method: 'lora', seqLen: 512 } })),
    runs: vi.fn(async () => []),
    adapters: vi.fn(async () => []),
    preflight: vi.fn(() => new Promise(() => {})),
    measure: vi.fn(() => new Promise(() => {})),
    onChat: vi.fn(() => () => {}),
    conversations: vi.fn(async () => []),
    chatDefaults: vi.fn(async () => ({ temperature: 0.8, topP: 0.95, maxTokens: 512 })),
  }
}

let dropListener: ((paths: string[]) => void) | null = null

async function render(api: ReturnType<typeof fakeAPI>) {
  const app = mountIn(App, { api: api as unknown as HoneAPI })
  await settle()
  return app
}

describe('App shell', () => {
  it('navigates every screen; System, Plan, Datasets, Train, Chat and Adapters have content, the others say they are not built', async () => {
    const api = fakeAPI('')
    const { target, destroy } = await render(api)
    const buttons = [...target.querySelectorAll('nav button')] as HTMLButtonElement[]
    expect(buttons.map((b) => b.textContent!.trim())).toEqual(screens.map((s) => s.title))
    expect(target.textContent).toContain('Data: /d')
    expect(screens.filter((s) => s.built).map((s) => s.id)).toEqual(['system', 'plan', 'datasets', 'train', 'chat', 'adapters'])
    for (const [i, s] of screens.entries()) {
      buttons[i].click()
      flushSync()
      expect(target.querySelector('h1')!.textContent).toBe(s.title)
      const notBuilt = target.querySelector('[data-testid="not-built"]')
      expect(notBuilt !== null).toBe(!s.built)
      if (notBuilt) expect(notBuilt.textContent).toContain(`When it lands: ${s.purpose}`)
    }
    buttons[screens.findIndex((s) => s.id === 'plan')].click()
    await settle()
    expect(target.querySelector('[data-testid="plan-model"]')).not.toBeNull()
    expect(api.planChoices).toHaveBeenCalled()
    destroy()
  })

  it('"Train on this…" on the Datasets screen opens the Train screen with the dataset and its eval part', async () => {
    const api = fakeAPI('')
    const part = (id: number, p: string) => ({ id, name: `b (${p})`, parentId: 1, examples: 10, errors: 0, bytes: 1, format: 'csv',
      source: '/b.csv', createdAt: '2026-12-01T10:00:00Z', recipe: JSON.stringify({ op: 'split', from: 1, part: p, seed: 1, evalFraction: 0.25 }) })
    api.datasets.mockImplementation((async () => [part(3, 'eval'), part(2, 'train')]) as never)
    Object.assign(api, { datasetReport: vi.fn(() => new Promise(() => {})) })
    api.trainChoices.mockImplementation((async () => ({ models: [], datasets: [part(3, 'eval'), part(2, 'train')],
      defaults: { method: 'lora', seqLen: 512 } })) as never)
    const { target, destroy } = await render(api)
    ;([...target.querySelectorAll('nav button')] as HTMLButtonElement[]).find((b) => b.textContent!.trim() === 'Datasets')!.click()
    await settle()
    ;(target.querySelector('[data-testid="ds-row"][data-id="2"]') as HTMLElement).click()
    await settle()
    ;(target.querySelector('[data-testid="ds-train"]') as HTMLButtonElement).click()
    await settle()
    expect(target.querySelector('h1')!.textContent).toBe('Train')
    expect((target.querySelector('[data-testid="train-dataset"]') as HTMLSelectElement).value).toBe('2')
    expect((target.querySelector('[data-testid="train-eval-dataset"]') as HTMLSelectElement).value).toBe('3')
    destroy()
  })

  it('a file dropped on any screen opens the Datasets screen with its import preview', async () => {
    const api = fakeAPI('')
    const { target, destroy } = await render(api)
    expect(target.querySelector('h1')!.textContent).toBe('System')
    expect(dropListener).not.toBeNull()
    dropListener!(['/data/train.csv'])
    await settle()
    expect(target.querySelector('h1')!.textContent).toBe('Datasets')
    expect(target.querySelectorAll('[data-testid="ds-preview"]')).toHaveLength(1)
    expect(api.detect).toHaveBeenCalledWith('/data/train.csv', expect.objectContaining({ format: '', header: null }))
    // The page keeps the web view from opening a file dragged over it.
    const over = new Event('dragover', { cancelable: true }) as DragEvent
    Object.defineProperty(over, 'dataTransfer', { value: { types: ['Files'], dropEffect: 'none' } })
    window.dispatchEvent(over)
    expect(over.defaultPrevented).toBe(true)
    const drop = new Event('drop', { cancelable: true }) as DragEvent
    Object.defineProperty(drop, 'dataTransfer', { value: { types: ['Files'] } })
    window.dispatchEvent(drop)
    expect(drop.defaultPrevented).toBe(true)
    destroy()
    expect(dropListener).toBeNull()
  })

  it('shows why Hone could not open its data, and nothing else', async () => {
    const api = fakeAPI('database file is damaged or not a SQLite database: /d/hone.db')
    const { target, destroy } = await render(api)
    expect(target.querySelector('[data-testid="startup-error"]')!.textContent).toContain('/d/hone.db')
    expect(target.querySelector('h1')!.textContent).toBe('Hone could not open its data')
    expect([...target.querySelectorAll('nav button')].every((b) => (b as HTMLButtonElement).disabled)).toBe(true)
    expect(api.report).not.toHaveBeenCalled()
    expect(api.info).not.toHaveBeenCalled()
    destroy()
  })
})
