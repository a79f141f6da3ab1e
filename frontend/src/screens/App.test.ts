import { describe, expect, it, vi } from 'vitest'
import { flushSync, mount, unmount } from 'svelte'
import type { HoneAPI } from '../lib/api'
import { screens } from '../lib/screens'
import App from '../App.svelte'

describe('App shell', () => {
  it('navigates every screen; only System has content, the others say they are not built', async () => {
    const api = {
      info: vi.fn(async () => ({ version: 'test', dataDir: '/d', database: { path: '/d/hone.db', schemaVersion: 1, health: 'ok' } })),
      report: vi.fn(() => new Promise(() => {})),
      watch: vi.fn(async () => {}),
      onReport: vi.fn(() => () => {}),
      painted: vi.fn(async () => {}),
    } as unknown as HoneAPI
    const target = document.createElement('div')
    document.body.appendChild(target)
    const app = mount(App, { target, props: { api } })
    await new Promise((r) => setTimeout(r, 0))
    flushSync()
    const buttons = [...target.querySelectorAll('nav button')] as HTMLButtonElement[]
    expect(buttons.map((b) => b.textContent!.trim())).toEqual(screens.map((s) => s.title))
    expect(target.textContent).toContain('Data: /d')
    for (const [i, s] of screens.entries()) {
      buttons[i].click()
      flushSync()
      expect(target.querySelector('h1')!.textContent).toBe(s.title)
      expect(target.querySelector('[data-testid="not-built"]') !== null).toBe(!s.built)
    }
    unmount(app)
    target.remove()
  })
})
