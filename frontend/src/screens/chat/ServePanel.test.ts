import { afterEach, describe, expect, it, vi } from 'vitest'
import type { app, core } from '../../../wailsjs/go/models'
import type { HoneAPI } from '../../lib/api'
import { curlExample, pythonExample } from '../../lib/serve'
import fixture from '../fixtures/chat-stories260K.json'
import { allByTestId, byTestId, chooseIn, mountIn, settle, textOf, type Mounted } from '../testing'
import ServePanel from './ServePanel.svelte'

const storiesPath = fixture.conversation.conversation.modelPath
const candidates = fixture.candidates as core.ChatCandidate[]
const url = 'http://127.0.0.1:41234/v1'
const token = '5f0c0ffee5f0c0ffee5f0c0ffee5f0c0'
const off = { running: false, model: '', url: '', token: '' } as app.ServerState

// fakeAPI answers as app.Chat does: one server at a time, for the model it
// was last started for, until stopped.
function fakeAPI(start?: (path: string) => Promise<app.ServerState>) {
  let server = off
  const api = {
    chatServer: vi.fn(async () => server),
    startServer: vi.fn(start ?? (async (path: string) => (server = { running: true, model: path, url, token } as app.ServerState))),
    stopServer: vi.fn(async () => {
      server = off
    }),
    copyText: vi.fn(async () => true),
  }
  const set = (s: app.ServerState) => (server = s)
  return { api: api as unknown as HoneAPI & typeof api, set }
}

let mounted: Mounted | null = null
let target: HTMLElement

async function render(api: HoneAPI, props: Partial<{ modelPath: string; candidates: core.ChatCandidate[]; busy: boolean }> = {}) {
  mounted = mountIn(ServePanel, { api, modelPath: storiesPath, candidates, busy: false, ...props })
  target = mounted.target
  await settle()
}

afterEach(() => {
  mounted?.destroy()
  mounted = null
})

const toggle = () => byTestId<HTMLInputElement>(target, 'serve-switch')!
async function click(id: string) {
  byTestId(target, id)!.click()
  await settle()
}

describe('Serve over the API', () => {
  it('switched on: serves the model, shows the URL, the masked key, the model ids and copies ready examples; off stops it', async () => {
    const { api } = fakeAPI()
    await render(api)
    expect(api.chatServer).toHaveBeenCalled()
    expect(toggle().checked).toBe(false)
    expect(byTestId(target, 'serve-url')).toBeNull()

    await click('serve-switch')
    expect(api.startServer).toHaveBeenCalledWith(storiesPath)
    expect(toggle().checked).toBe(true)
    expect(textOf(target, 'serve-url')).toBe(url)
    expect(textOf(target, 'serve-token')).toBe('•'.repeat(token.length))
    expect(target.textContent).not.toContain(token)
    await click('serve-token-show')
    expect(textOf(target, 'serve-token')).toBe(token)
    await click('serve-token-show')
    expect(target.textContent).not.toContain(token)
    expect(allByTestId(target, 'serve-model').map((m) => m.textContent)).toEqual(['base', 'beta-3', 'alpha-2'])
    expect(target.textContent).toMatch(/Listens on 127\.0\.0\.1 only/)

    await click('serve-copy-curl') // an adapter by default
    expect(api.copyText).toHaveBeenLastCalledWith(curlExample(url, token, 'beta-3'))
    expect(textOf(target, 'serve-copied')).toBe('curl example copied, with the key')
    await chooseIn(byTestId<HTMLSelectElement>(target, 'serve-example-model')!, 'base')
    await click('serve-copy-python')
    expect(api.copyText).toHaveBeenLastCalledWith(pythonExample(url, token, 'base'))

    await click('serve-switch')
    expect(api.stopServer).toHaveBeenCalledTimes(1)
    expect(toggle().checked).toBe(false)
    expect(byTestId(target, 'serve-url')).toBeNull()
  })

  it('a server that does not start: the reason, and the switch stays off', async () => {
    const { api } = fakeAPI(async () => Promise.reject(new Error('serve /m/x.bin: open model: no such file')))
    await render(api)
    await click('serve-switch')
    expect(textOf(target, 'serve-error')).toBe('Could not start the server: serve /m/x.bin: open model: no such file')
    expect(toggle().checked).toBe(false)
    expect(byTestId(target, 'serve-url')).toBeNull()
  })

  it('shows what already runs: on for this model, a note for another one; no switching while a turn streams', async () => {
    const { api, set } = fakeAPI()
    set({ running: true, model: storiesPath, url, token } as app.ServerState)
    await render(api, { busy: true })
    expect(toggle().checked).toBe(true)
    expect(toggle().disabled).toBe(true)
    mounted!.destroy()

    set({ running: true, model: '/models/smol/smol.gguf', url, token } as app.ServerState)
    await render(api)
    expect(toggle().checked).toBe(false)
    expect(textOf(target, 'serve-other')).toMatch(/^The server serves smol\.gguf now/)
    expect(byTestId(target, 'serve-url')).toBeNull()
  })

  it('renders ids and names as text', async () => {
    const { api } = fakeAPI()
    const evil = [...candidates, { id: '<img src=x onerror=alert(1)>', name: '<b>bold</b>', adapterId: 9, path: '/runs/x' } as core.ChatCandidate]
    await render(api, { candidates: evil })
    await click('serve-switch')
    expect(allByTestId(target, 'serve-model').at(-1)!.textContent).toBe('<img src=x onerror=alert(1)>')
    expect(target.querySelector('img, b')).toBeNull()
  })
})
