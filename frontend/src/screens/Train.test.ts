import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { app, dataset, model, store } from '../../wailsjs/go/models'
import type { HoneAPI } from '../lib/api'
import { TrainDraft } from '../lib/draft.svelte'
import type { SpecLike } from '../lib/train'
import Train from './Train.svelte'
import FakePlot from './train/fakeUplot'
import { allByTestId, byTestId, chooseIn, clean, mountIn, settle, textOf, typeInto, wait, type Mounted } from './testing'

vi.mock('uplot', () => import('./train/fakeUplot'))

const GiB = 2 ** 30
const stories = { name: 'stories260K', path: '/m/stories260K.bin', source: 'folder', format: 'llama2c', architecture: 'llama',
  params: 260032, quantisation: 'f32', sizeBytes: 1056540 } as model.Found
const split = (id: number, part: string, examples: number) => ({ id, name: `banking (${part})`, parentId: 1, examples,
  recipe: JSON.stringify({ op: 'split', from: 1, part, seed: 1, evalFraction: 0.25 }), createdAt: '2026-12-01T10:00:00Z' })
const datasets = [split(3, 'eval', 10), split(2, 'train', 30), { id: 1, name: 'banking', parentId: 0, examples: 40, recipe: '' }] as dataset.Dataset[]
// train.Spec{}.Defaults() as the Go side sends it.
const defaults = { name: '', model: '', dataset: 0, evalDataset: 0, method: 'lora', outDir: '', epochs: 1, maxSteps: 0, seqLen: 512,
  microBatch: 4, gradAccum: 4, lr: 2e-4, schedule: 'cosine', warmupRatio: 0.03, rank: 16, alpha: 32, dropout: 0.05,
  evalEvery: 50, checkpointEvery: 100, now: '0001-01-01T00:00:00Z' }

function run(over: Partial<store.Run> = {}): store.Run {
  return { id: 7, name: 'stories260K-1', state: 'running', spec: {}, jobId: 70, outDir: '/d/runs/stories260K-1', step: 0,
    totalSteps: 30, summary: null, error: '', suggestion: '', createdAt: '2026-12-07T17:00:00Z', updatedAt: '', ...over } as store.Run
}

const metric = (step: number, extra: Record<string, number> = {}) =>
  ({ step, loss: 5 - step / 10, lr: 2e-4, tokensPerSec: 4000, stepSeconds: 0.5, peakBytes: 40e6, epoch: step / 15, ...extra })

function fakeAPI() {
  let listener: ((j: store.Job) => void) | null = null
  const state = { runs: [] as store.Run[], metrics: [] as store.RunMetric[], warnings: [] as string[], adapters: [] as store.Adapter[] }
  const api = {
    onJob: vi.fn((cb: (j: store.Job) => void) => {
      listener = cb
      return () => (listener = null)
    }),
    trainChoices: vi.fn(async () => ({ models: [stories], datasets, defaults }) as unknown as app.TrainChoices),
    measure: vi.fn(async () => ({ fits: true, message: 'fits: about 2 min for 30 steps (0.10 s a step), peak 50 MiB of 20 GiB free', stepSeconds: 0.1, totalSteps: 30, minutes: 2, peakBytes: 50 << 20, freeBytes: 20 << 30, data: {} })),
    preflight: vi.fn(async (s: SpecLike) => ({
      spec: s, device: 'CPU', free: 8 * GiB, fits: true,
      problem: s.seqLen === 4 ? 'run setting "seqLen": 4: want 8 to 1048576 tokens' : '',
      estimate: { peak: 2 * GiB, params: 260032, trainableParams: 8192, lines: [{ key: 'weights', label: 'Weights', bytes: GiB }, { key: 'activations', label: 'Activations', bytes: GiB }] },
    }) as unknown as app.Preflight),
    countTokens: vi.fn(async (_id: number, _m: string, seq: number) =>
      ({ examples: 30, templated: false, seqLen: seq, p50: 40, p95: 70, p99: 80, max: 90, truncated: seq < 90 ? 3 : 0, failed: 0 }) as dataset.TokenLengths),
    startTrain: vi.fn(async () => {
      state.runs = [run()]
      return { runId: 7, jobId: 70 } as app.Started
    }),
    pauseRun: vi.fn(async () => {
      state.runs = state.runs.map((r) => ({ ...r, state: 'pausing' }) as store.Run)
    }),
    resumeRun: vi.fn(async () => {
      state.runs = state.runs.map((r) => ({ ...r, state: 'running', jobId: 71 }) as store.Run)
      return 71
    }),
    cancelRun: vi.fn(async () => {}),
    runs: vi.fn(async () => structuredClone(state.runs)),
    run: vi.fn(async (id: number) => ({ run: structuredClone(state.runs.find((r) => r.id === id)!), metrics: structuredClone(state.metrics),
      warnings: [...state.warnings] }) as app.RunDetail),
    adapters: vi.fn(async () => structuredClone(state.adapters)),
    telemetry: vi.fn(async () => ({ cpuPct: 97, report: { backend: { name: 'cpu', gpu: -1 }, gpus: [], cpu: { logicalCores: 2 },
      memory: { total: 16 * GiB, available: 12 * GiB } } }) as unknown as app.Telemetry),
  }
  const emit = (jobId: number, st: string, step: number, extra: Record<string, number> = {}) =>
    listener?.({ id: jobId, kind: 'train', state: st, progress: step / 30, step: 0, metrics: metric(step, extra) } as unknown as store.Job)
  return { api: api as unknown as HoneAPI & typeof api, state, emit }
}

let mounted: Mounted | null = null
let target: HTMLElement

function render(api: HoneAPI, draft?: TrainDraft) {
  mounted = mountIn(Train, { api, draft })
  target = mounted.target
}

beforeEach(() => {
  FakePlot.charts = []
})

afterEach(() => {
  mounted?.destroy()
  mounted = null
  vi.useRealTimers()
})

const input = (id: string) => byTestId<HTMLInputElement>(target, id)!
const select = (id: string) => byTestId<HTMLSelectElement>(target, id)!
const lossChart = () => FakePlot.charts[Number(byTestId(target, 'loss-chart')!.dataset.fakePlot)]

describe('Train screen', () => {
  it('starts from the defaults, fills the eval part of a split, checks the settings and starts the run', async () => {
    const { api } = fakeAPI()
    render(api)
    await wait(300)
    expect(input('train-lr').value).toBe('0.0002')
    expect(input('train-seqLen').value).toBe('512')
    expect(select('train-method').value).toBe('lora')
    expect(textOf(target, 'train-hint')).toMatch(/Choose a base model and a dataset/)
    expect(byTestId<HTMLButtonElement>(target, 'train-start')!.disabled).toBe(true)
    expect(textOf(target, 'runs-empty')).toMatch(/No run yet/)

    await chooseIn(select('train-model'), stories.path)
    expect(input('train-model-path').value).toBe(stories.path)
    await chooseIn(select('train-dataset'), '2')
    expect(select('train-eval-dataset').value).toBe('3') // the eval part of the same split
    typeInto(input('train-seqLen'), '64')
    typeInto(input('train-maxSteps'), '30')
    await wait(700)
    expect(textOf(target, 'train-ready')).toMatch(/Start trains on CPU/)
    expect(textOf(target, 'train-peak')).toBe('2.0 GiB')
    expect(textOf(target, 'train-fits')).toBe('fits')
    expect(textOf(target, 'train-tokens')).toMatch(/30 examples.*3 longer than 64 tokens will be cut/)
    expect(api.countTokens).toHaveBeenLastCalledWith(2, stories.path, 64)

    byTestId<HTMLButtonElement>(target, 'train-start')!.click()
    await settle()
    expect(api.startTrain).toHaveBeenCalledTimes(1)
    const spec = api.startTrain.mock.calls[0][0 as never] as SpecLike
    expect(spec).toMatchObject({ model: stories.path, dataset: 2, evalDataset: 3, method: 'lora', seqLen: 64, maxSteps: 30, lr: 2e-4, rank: 16 })
    expect(byTestId(target, 'run-view')!.dataset.state).toBe('running')
    expect(allByTestId(target, 'run-row')).toHaveLength(1)
    expect(byTestId(target, 'train-form-toggle')!.textContent).toMatch(/Show the settings/)
  })

  it('measures a few real steps on demand and hides the result when a setting changes', async () => {
    const { api } = fakeAPI()
    render(api)
    await settle()
    await chooseIn(select('train-model'), stories.path)
    await chooseIn(select('train-dataset'), '2')
    typeInto(input('train-seqLen'), '64')
    await wait(700)
    byTestId<HTMLButtonElement>(target, 'train-measure')!.click()
    await settle()
    expect(api.measure).toHaveBeenCalledWith(expect.objectContaining({ model: stories.path, dataset: 2, seqLen: 64 }))
    expect(textOf(target, 'train-measured')).toMatch(/^fits: about 2 min/)
    typeInto(input('train-seqLen'), '128')
    await wait(50)
    expect(byTestId(target, 'train-measured')).toBeNull()
  })

  it('names the setting the Go side refuses and keeps Start off', async () => {
    const { api } = fakeAPI()
    render(api)
    await settle()
    await chooseIn(select('train-model'), stories.path)
    await chooseIn(select('train-dataset'), '1')
    expect(select('train-eval-dataset').value).toBe('') // not a split
    typeInto(input('train-seqLen'), '4')
    await wait(350)
    expect(textOf(target, 'train-problem')).toBe('run setting "seqLen": 4: want 8 to 1048576 tokens')
    expect(input('train-seqLen').getAttribute('aria-invalid')).toBe('true')
    expect(byTestId<HTMLButtonElement>(target, 'train-start')!.disabled).toBe(true)
    typeInto(input('train-seqLen'), '6x')
    await wait(350)
    expect(textOf(target, 'train-form-error')).toBe('Sequence length 6x: enter a whole number above 0.')
    expect(api.preflight).not.toHaveBeenLastCalledWith(expect.objectContaining({ seqLen: NaN }))
  })

  it('takes what the Plan screen handed over, once', async () => {
    const { api } = fakeAPI()
    const draft = new TrainDraft()
    draft.set({ model: '/m/smol', method: 'qlora', seqLen: '1024', microBatch: '2', rank: '8' })
    draft.set({ dataset: '2' })
    render(api, draft)
    await settle()
    expect([input('train-model-path').value, select('train-method').value, input('train-seqLen').value, input('train-microBatch').value,
      input('train-rank').value, select('train-dataset').value, select('train-eval-dataset').value])
      .toEqual(['/m/smol', 'qlora', '1024', '2', '8', '2', '3'])
    expect(select('train-model').value).toBe('') // not a model the scan found: the path field has it
    expect(draft.value).toBeNull()
  })

  it('takes the total from the job until the row has one', async () => {
    const { api, state, emit } = fakeAPI()
    state.runs = [run({ step: 0, totalSteps: 0 })]
    render(api)
    await settle()
    expect(textOf(target, 'run-step')).toBe('step 0 of …')
    emit(70, 'running', 3) // progress 3/30
    await settle()
    expect(textOf(target, 'run-step')).toBe('step 3 of 30')
  })

  it('re-reads a live run\'s stored metrics: steps and evaluations the events skipped', async () => {
    const { api, state } = fakeAPI()
    state.runs = [run({ step: 2 })]
    state.metrics = [1, 2].map((s) => ({ runId: 7, step: s, metrics: metric(s) })) as store.RunMetric[]
    render(api)
    await wait(50)
    expect(lossChart().data[0]).toEqual([1, 2])
    state.metrics = [1, 2, 3, 4].map((s) => ({ runId: 7, step: s, metrics: metric(s, s === 4 ? { evalLoss: 4.2 } : {}) })) as store.RunMetric[]
    await wait(2100) // two ticks
    expect(lossChart().data).toEqual([[1, 2, 3, 4], [4.9, 4.8, 4.7, 4.6], [null, null, null, 4.2]])
  })

  it('draws live steps, pauses, resumes and lists the adapter', async () => {
    const { api, state, emit } = fakeAPI()
    state.runs = [run({ step: 2 })]
    state.metrics = [1, 2].map((s) => ({ runId: 7, step: s, metrics: metric(s) })) as store.RunMetric[]
    render(api)
    await settle()
    await wait(50)
    expect(byTestId(target, 'run-view')!.dataset.id).toBe('7') // the live run opens by itself
    expect(lossChart().labels).toEqual(['loss', 'eval loss'])
    expect(lossChart().data[0]).toEqual([1, 2])

    emit(70, 'running', 3)
    emit(70, 'running', 4, { evalLoss: 4.2 })
    await wait(50)
    expect(lossChart().data).toEqual([[1, 2, 3, 4], [4.9, 4.8, 4.7, 4.6], [null, null, null, 4.2]])
    expect(textOf(target, 'run-loss')).toBe('4.6000')
    expect(textOf(target, 'run-eval-loss')).toBe('4.2000')
    expect(textOf(target, 'run-lr')).toBe('2e-4')
    expect(textOf(target, 'run-tps')).toBe('4,000')
    expect(textOf(target, 'run-eta')).toBe('13 s') // 26 steps left at 0.5 s
    expect(textOf(target, 'run-step')).toBe('step 4 of 30')
    expect(textOf(target, 'run-peak')).toBe('38.1 MiB')
    await wait(1100) // a telemetry tick
    expect(textOf(target, 'train-cpu')).toBe('97%')
    expect(textOf(target, 'train-ram')).toBe('4.0 GiB / 16.0 GiB')

    byTestId<HTMLButtonElement>(target, 'run-pause')!.click()
    await settle()
    expect(api.pauseRun).toHaveBeenCalledWith(7)
    expect(textOf(target, 'run-state')).toMatch(/pausing/)
    state.runs = [run({ state: 'paused', step: 4 })]
    emit(70, 'cancelled', 4)
    await settle()
    expect(textOf(target, 'run-state')).toBe('paused')

    byTestId<HTMLButtonElement>(target, 'run-resume')!.click()
    await settle()
    expect(api.resumeRun).toHaveBeenCalledWith(7)
    emit(71, 'running', 5)
    await wait(50)
    expect(lossChart().data[0]).toEqual([1, 2, 3, 4, 5])

    state.runs = [run({ state: 'succeeded', step: 30, jobId: 71 })]
    state.adapters = [{ id: 1, name: 'stories260K-1', runId: 7, path: '/d/runs/stories260K-1/adapter', contract: {},
      metrics: { loss: 2.1234, evalLoss: 2.5, steps: 30 }, createdAt: '2026-12-07T17:01:00Z' } as unknown as store.Adapter]
    emit(71, 'succeeded', 30)
    await settle()
    expect(textOf(target, 'run-state')).toBe('succeeded')
    expect(byTestId(target, 'run-resume')).toBeNull()
    const cells = [...byTestId(target, 'adapter-row')!.querySelectorAll('td')].map((c) => clean(c.textContent))
    expect(cells.slice(0, 6)).toEqual(['#1 stories260K-1', '#7', '2.1234', '2.5000', '30', '/d/runs/stories260K-1/adapter'])
  })

  it('shows why a run failed, the suggestion and the warnings as text, never as HTML', async () => {
    const { api, state } = fakeAPI()
    state.runs = [run({ state: 'failed', error: 'out of memory at <b>step 3</b>', suggestion: 'halve the micro-batch <img src=x>' })]
    state.warnings = ['no evaluation set: <i>split</i> the dataset']
    render(api)
    await settle()
    expect(textOf(target, 'run-error')).toBe('Stopped: out of memory at <b>step 3</b> Try: halve the micro-batch <img src=x>')
    expect(textOf(target, 'run-warning')).toBe('no evaluation set: <i>split</i> the dataset')
    expect(target.querySelector('.run-view b, .run-view img, .run-view i')).toBeNull()
    expect(byTestId(target, 'run-resume')).not.toBeNull()
    expect(byTestId(target, 'run-pause')).toBeNull()
    expect(textOf(target, 'run-view')).not.toMatch(/NaN|undefined|Infinity/)
  })
})
