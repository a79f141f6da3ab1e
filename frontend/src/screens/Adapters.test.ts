import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import type { model, store } from '../../wailsjs/go/models'
import type { HoneAPI } from '../lib/api'
import Adapters from './Adapters.svelte'
import { allByTestId, byTestId, clean, mountIn, settle, textOf, typeInto, type Mounted } from './testing'

// What model.Scan finds: the test model (the real answer for
// stories260K.bin in an added folder), models in the Hugging Face cache, LM
// Studio and Ollama, and one whose config cannot be read.
const stories: model.Found = {
  name: 'stories260K/stories260K', path: '/home/u/models/stories260K/stories260K.bin', source: 'folder', format: 'llama2c',
  architecture: 'llama', params: 260032, quantisation: 'f32', sizeBytes: 1056540,
}
const found: model.Found[] = [
  stories,
  {
    name: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    path: '/home/u/.cache/huggingface/hub/models--HuggingFaceTB--SmolLM2-135M-Instruct/snapshots/12fd25f77366fa6b3b4b768ec3050bf629380bac',
    source: 'huggingface', format: 'hf', architecture: 'llama', params: 134515008, quantisation: 'bf16', sizeBytes: 269060552,
  },
  {
    name: 'lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf',
    path: '/home/u/.lmstudio/models/lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf',
    source: 'lmstudio', format: 'gguf', architecture: 'llama', params: 8030261248, quantisation: 'Q4_K_M', sizeBytes: 4920734016,
  },
  {
    name: 'gemma2:2b', path: '/home/u/.ollama/models/blobs/sha256-7462734796d67c40ecec2ca98eddf970e171dbb6b370e43fd633ee75b69abe1b',
    source: 'ollama', format: 'gguf', architecture: 'gemma2', params: 2614341888, quantisation: 'Q4_0', sizeBytes: 1629509152,
  },
  {
    name: 'broken-model', path: '/home/u/models/broken-model', source: 'folder', format: 'hf', architecture: '', params: 0,
    quantisation: '', sizeBytes: 0, error: 'read config.json: unexpected end of JSON input',
  },
] as model.Found[]

const copy = <T>(v: T) => structuredClone(v) as T

function fakeAPI(opts: { list?: () => Promise<model.Found[]> } = {}) {
  let jobListener: ((j: store.Job) => void) | null = null
  let folders = ['/home/u/models']
  let downloaded = false
  const api = {
    onJob: vi.fn((cb: (j: store.Job) => void) => {
      jobListener = cb
      return () => (jobListener = null)
    }),
    jobs: vi.fn(async () => [] as store.Job[]),
    cancelJob: vi.fn(async () => {}),
    models: vi.fn(opts.list ?? (async () => copy(found).concat(downloaded ? [{
      name: 'HuggingFaceTB--SmolLM2-360M', path: '/d/models/HuggingFaceTB--SmolLM2-360M', source: 'folder', format: 'hf',
      architecture: 'llama', params: 361821120, quantisation: 'bf16', sizeBytes: 723674912,
    } as model.Found] : []))),
    modelFolders: vi.fn(async () => [...folders]),
    addModelFolder: vi.fn(async () => {
      folders = [...folders, '/mnt/big/models']
      return '/mnt/big/models'
    }),
    removeModelFolder: vi.fn(async (p: string) => {
      folders = folders.filter((f) => f !== p)
    }),
    downloadModel: vi.fn(async () => 9),
    adapters: vi.fn(async () => [] as store.Adapter[]),
  }
  return {
    api,
    emit: (j: Partial<store.Job>) => jobListener?.({ id: 9, kind: 'download', title: 'Download HuggingFaceTB/SmolLM2-360M', state: 'running', progress: 0, message: '', error: '', ...j } as store.Job),
    finish: () => (downloaded = true),
  }
}

let mounted: Mounted | null = null
afterEach(() => {
  mounted?.destroy()
  mounted = null
})

// render mounts the screen without waiting for its first answers.
async function render(api: ReturnType<typeof fakeAPI>['api']) {
  mounted = mountIn(Adapters, { api: api as unknown as HoneAPI })
  flushSync()
  return mounted.target
}

const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].map((c) => clean(c.textContent))

describe('Adapters screen, trained adapters', () => {
  it('lists the adapters the runs made', async () => {
    const { api } = fakeAPI()
    api.adapters.mockImplementation(async () => [{ id: 2, name: 'support-bot', runId: 5, path: '/d/runs/support-bot/adapter',
      contract: {}, metrics: { loss: 1.5, evalLoss: 1.75, steps: 200 }, createdAt: '2026-12-07T10:00:00Z' } as unknown as store.Adapter])
    const t = await render(api)
    await settle()
    const rows = allByTestId(t, 'adapter-row')
    expect(rows.map((r) => cells(r).slice(0, 6))).toEqual([['#2 support-bot', '#5', '1.5000', '1.7500', '200', '/d/runs/support-bot/adapter']])
    expect(byTestId(t, 'adapters-none')).toBeNull()
  })
})

describe('Adapters screen, base models', () => {
  it('shows a loading state, then a row per model with formatted values', async () => {
    const { api } = fakeAPI()
    const t = await render(api)
    expect(byTestId(t, 'models-loading')).not.toBeNull()
    await settle()
    expect(byTestId(t, 'models-loading')).toBeNull()
    const rows = allByTestId(t, 'model-row')
    expect(rows).toHaveLength(5)
    expect(cells(rows[0])).toEqual(['stories260K/stories260K Trainable by Hone /home/u/models/stories260K/stories260K.bin', 'Folder', 'llama', '260K', 'f32', '1.0 MiB'])
    expect(cells(rows[1]).slice(1)).toEqual(['Hugging Face', 'llama', '135M', 'bf16', '256.6 MiB'])
    expect(cells(rows[2]).slice(1)).toEqual(['LM Studio', 'llama', '8.03B', 'Q4_K_M', '4.6 GiB'])
    expect(cells(rows[3]).slice(1)).toEqual(['Ollama', 'gemma2', '2.61B', 'Q4_0', '1.5 GiB'])
    // The path is there, in full, as the title of its shortened line.
    expect(rows[1].querySelector('.path')!.getAttribute('title')).toBe(found[1].path)
    // Trainable: the llama ones, not gemma2, not the broken one.
    expect(rows.map((r) => r.querySelector('[data-testid="model-trainable"]') !== null)).toEqual([true, true, true, false, false])
    expect(t.textContent).toContain('5 found · 3 trainable by Hone')
    expect(textOf(t, 'adapters-none')).toBe('No adapter yet: a run on the Train screen leaves its adapter here.')
    expect(t.textContent).not.toMatch(/NaN|undefined|Infinity/)
  })

  it('shows an unreadable model with its error', async () => {
    const { api } = fakeAPI()
    const t = await render(api)
    await settle()
    const row = allByTestId(t, 'model-row')[4]
    expect(row.classList.contains('broken')).toBe(true)
    expect(row.querySelector('[data-testid="model-error"]')!.textContent).toBe('Cannot read: read config.json: unexpected end of JSON input')
    expect(row.querySelector('[data-testid="model-params"]')).toBeNull()
  })

  it('says where Hone looks when it finds nothing', async () => {
    const { api } = fakeAPI({ list: async () => [] })
    const t = await render(api)
    await settle()
    expect(byTestId(t, 'models-table')).toBeNull()
    const empty = byTestId(t, 'models-empty')!.textContent!
    for (const w of ['Hugging Face cache', 'LM Studio', 'Ollama', "Hone's own downloads", 'folders you add']) expect(empty).toContain(w)
  })

  it('a failed scan shows the alert, with no NaN or undefined', async () => {
    const { api } = fakeAPI({ list: async () => Promise.reject(new Error('open /home/u/.cache/huggingface/hub: permission denied')) })
    const t = await render(api)
    await settle()
    expect(byTestId(t, 'models-error')!.getAttribute('role')).toBe('alert')
    expect(byTestId(t, 'models-error')!.textContent).toBe('Could not look for models: open /home/u/.cache/huggingface/hub: permission denied')
    expect(byTestId(t, 'models-empty')).not.toBeNull()
    expect(t.textContent).not.toMatch(/NaN|undefined|Infinity/)
    // Refresh scans again.
    api.models.mockImplementation(async () => copy(found))
    ;(byTestId(t, 'models-refresh') as HTMLButtonElement).click()
    await settle()
    expect(byTestId(t, 'models-error')).toBeNull()
    expect(allByTestId(t, 'model-row')).toHaveLength(5)
  })

  it('adds and removes folders, and scans again after each', async () => {
    const { api } = fakeAPI()
    const t = await render(api)
    await settle()
    expect(allByTestId(t, 'models-folder').map((li) => li.textContent!.replace(/\s+/g, ' ').trim())).toEqual(['/home/u/models Remove'])
    ;(byTestId(t, 'models-add-folder') as HTMLButtonElement).click()
    await settle()
    expect(api.addModelFolder).toHaveBeenCalledTimes(1)
    expect(allByTestId(t, 'models-folder')).toHaveLength(2)
    expect(api.models).toHaveBeenCalledTimes(2)
    expect(byTestId(t, 'models-notice')!.textContent).toContain('Added /mnt/big/models')
    ;(allByTestId(t, 'models-folder')[0].querySelector('button') as HTMLButtonElement).click()
    await settle()
    expect(api.removeModelFolder).toHaveBeenCalledWith('/home/u/models')
    expect(allByTestId(t, 'models-folder').map((li) => li.querySelector('.path')!.textContent)).toEqual(['/mnt/big/models'])
    expect(api.models).toHaveBeenCalledTimes(3)
    // A cancelled picker changes nothing.
    api.addModelFolder.mockImplementation(async () => '')
    ;(byTestId(t, 'models-add-folder') as HTMLButtonElement).click()
    await settle()
    expect(api.models).toHaveBeenCalledTimes(3)
    // A refused removal says why.
    api.removeModelFolder.mockImplementation(async () => Promise.reject('remove model folder /mnt/big/models: not in the list'))
    ;(allByTestId(t, 'models-folder')[0].querySelector('button') as HTMLButtonElement).click()
    await settle()
    expect(byTestId(t, 'models-error')!.textContent).toBe('Could not remove the folder: remove model folder /mnt/big/models: not in the list')
  })

  it('downloads: the form calls Download, job events move the bar, success lists again', async () => {
    const { api, emit, finish } = fakeAPI()
    const t = await render(api)
    await settle()
    const form = byTestId(t, 'models-download') as HTMLFormElement
    expect(byTestId<HTMLInputElement>(t, 'models-revision')!.value).toBe('main')
    expect(byTestId<HTMLInputElement>(t, 'models-token')!.type).toBe('password')
    // A bad id is refused before asking the Go side.
    typeInto(byTestId<HTMLInputElement>(t, 'models-repo')!, 'SmolLM2')
    form.requestSubmit()
    await settle()
    expect(api.downloadModel).not.toHaveBeenCalled()
    expect(byTestId(t, 'models-error')!.textContent).toMatch(/not a repository id/)
    typeInto(byTestId<HTMLInputElement>(t, 'models-repo')!, ' HuggingFaceTB/SmolLM2-360M ')
    typeInto(byTestId<HTMLInputElement>(t, 'models-token')!, 'hf_abc')
    form.requestSubmit()
    await settle()
    expect(api.downloadModel).toHaveBeenCalledWith('HuggingFaceTB/SmolLM2-360M', 'main', 'hf_abc')
    expect(byTestId(t, 'models-error')).toBeNull()
    const bar = () => byTestId(t, 'models-progress')!.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')
    expect(bar()).toBe('0')
    emit({ progress: 0.42, message: 'model.safetensors: 304 of 724 MB' })
    flushSync()
    expect(bar()).toBe('42')
    expect(byTestId(t, 'models-progress')!.textContent).toContain('model.safetensors: 304 of 724 MB')
    // Cancel asks the Go side.
    ;(byTestId(t, 'models-progress')!.querySelector('button') as HTMLButtonElement).click()
    expect(api.cancelJob).toHaveBeenCalledWith(9)
    finish()
    emit({ state: 'succeeded', progress: 1, message: 'saved in /d/models/HuggingFaceTB--SmolLM2-360M' })
    await settle()
    expect(byTestId(t, 'models-progress')).toBeNull()
    expect(api.models).toHaveBeenCalledTimes(2)
    expect(allByTestId(t, 'model-row')).toHaveLength(6)
    expect(byTestId(t, 'models-notice')!.textContent).toContain('Downloaded HuggingFaceTB/SmolLM2-360M: saved in /d/models/HuggingFaceTB--SmolLM2-360M.')
    // A late update of the finished job changes nothing.
    emit({ progress: 0.5 })
    flushSync()
    expect(byTestId(t, 'models-progress')).toBeNull()
  })

  it('a failed download shows its error and can be dismissed', async () => {
    const { api, emit } = fakeAPI()
    const t = await render(api)
    await settle()
    typeInto(byTestId<HTMLInputElement>(t, 'models-repo')!, 'no-such-org/no-such-model')
    ;(byTestId(t, 'models-download') as HTMLFormElement).requestSubmit()
    await settle()
    emit({ title: 'Download no-such-org/no-such-model', state: 'failed', error: 'hub: no-such-org/no-such-model: 401 Unauthorized: repository not found or gated' })
    flushSync()
    expect(byTestId(t, 'models-progress')!.dataset.state).toBe('failed')
    expect(byTestId(t, 'models-error')!.textContent).toContain('repository not found')
    expect(api.models).toHaveBeenCalledTimes(1)
    ;(byTestId(t, 'models-progress')!.querySelector('button') as HTMLButtonElement).click()
    flushSync()
    expect(byTestId(t, 'models-progress')).toBeNull()
    // Download itself refusing shows why too.
    api.downloadModel.mockImplementation(async () => Promise.reject(new Error('database is locked')))
    ;(byTestId(t, 'models-download') as HTMLFormElement).requestSubmit()
    await settle()
    expect(byTestId(t, 'models-error')!.textContent).toBe('Could not start the download: database is locked')
  })

  it('picks up a download that was running before the screen opened', async () => {
    const { api } = fakeAPI()
    api.jobs.mockImplementation(async () => [
      { id: 4, kind: 'download', title: 'Download Qwen/Qwen2.5-0.5B', state: 'running', progress: 0.1, message: '', error: '' },
      { id: 3, kind: 'import', title: 'Import /d/x.csv', state: 'running', progress: 0.5, message: '', error: '' },
    ] as store.Job[])
    const t = await render(api)
    await settle()
    expect(allByTestId(t, 'models-progress')).toHaveLength(1)
    expect(byTestId(t, 'models-progress')!.textContent).toContain('Qwen/Qwen2.5-0.5B')
  })
})
