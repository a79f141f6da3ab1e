import { afterEach, describe, expect, it, vi } from 'vitest'
import type { core, plan } from '../../wailsjs/go/models'
import type { HoneAPI } from '../lib/api'
import { formatBytes, pct } from '../lib/format'
import { barScale } from '../lib/plan'
import { TrainDraft } from '../lib/draft.svelte'
import Plan from './Plan.svelte'
import { byTestId, chooseIn, mountIn, settle, textOf, typeInto, wait, type Mounted } from './testing'

// Real answers of the Go side, captured with `hone plan --json` and
// `hone plan --list --json` (HONE_FAKE_GPUS=2xrtx4090 for the GPU ones).
import choices2x4090 from './fixtures/choices-2x4090.json'
import choicesNoGPU from './fixtures/choices-no-gpu.json'
import plan8b from './fixtures/plan-llama-8b-2x4090.json'
import plan8bSeq8192 from './fixtures/plan-llama-8b-2x4090-seq8192.json'
import plan8bUseCases from './fixtures/plan-llama-8b-2x4090-3-use-cases.json'
import plan8bCostError from './fixtures/plan-llama-8b-2x4090-cost-error.json'
import plan8bCard from './fixtures/plan-llama-8b-rtx4090-card.json'
import plan70bCard from './fixtures/plan-llama-70b-rtx4090-card.json'

// Wails hands the page plain JSON objects; each test gets its own copy.
const copy = <T>(v: unknown) => structuredClone(v) as T
const result = (v: unknown) => copy<plan.Result>(v)

type PlanFn = (req: plan.Request) => Promise<plan.Result>

function fakeAPI(choices: unknown, answer: PlanFn = async () => result(plan8b)) {
  const api = {
    planChoices: vi.fn(async () => copy<core.PlanChoices>(choices)),
    plan: vi.fn(answer),
    pickModelFolder: vi.fn(async () => ''),
    pickGGUF: vi.fn(async () => ''),
  }
  return api as unknown as HoneAPI & typeof api
}

let target: HTMLElement
let mounted: Mounted | null = null

async function render(api: HoneAPI) {
  mounted = mountIn(Plan, { api })
  target = mounted.target
  await settle()
}

afterEach(() => {
  mounted?.destroy()
  mounted = null
})

const el = <T extends HTMLElement = HTMLElement>(id: string, within: ParentNode = target) => byTestId<T>(within, id)
const text = (id: string, within: ParentNode = target) => textOf(within, id)
const option = (m: string) => el(`plan-option-${m}`)!
const choose = (id: string, value: string) => chooseIn(el<HTMLSelectElement>(id)!, value)
const type = (id: string, value: string) => typeInto(el<HTMLInputElement>(id)!, value)

function expectNoJunk() {
  expect(target.textContent).not.toMatch(/NaN|Infinity|undefined|null/)
}

describe('Plan screen', () => {
  it('asks for a model first, and plans for the best detected GPU once one is picked', async () => {
    const api = fakeAPI(choices2x4090)
    await render(api)
    expect(el('plan-empty')).not.toBeNull()
    expect(api.plan).not.toHaveBeenCalled()
    const gpu = el<HTMLSelectElement>('plan-gpu')!
    expect(gpu.value).toBe('')
    const labels = [...gpu.options].map((o) => o.textContent!.trim())
    expect(labels.slice(1, 3)).toEqual([
      'GPU 0 · NVIDIA GeForce RTX 4090 · this machine',
      'GPU 1 · NVIDIA GeForce RTX 4090 · this machine',
    ])
    // Then the cards, without those Hone cannot train on.
    expect(labels).toContain('NVIDIA H100 80GB HBM3 · 79.6 GiB')
    expect(labels.some((l) => l.includes('1080'))).toBe(false)
    expect(el('plan-no-gpu')).toBeNull()
    const models = [...el<HTMLSelectElement>('plan-model')!.options].map((o) => o.textContent!.trim())
    expect(models).toContain('Llama 3.1 8B Instruct · 8.03B')

    await choose('plan-model', 'llama-3.1-8b')
    expect(api.plan).toHaveBeenCalledTimes(1)
    expect(api.plan.mock.calls[0][0]).toMatchObject({
      model: 'llama-3.1-8b', gpu: '', seqLen: 0, microBatch: 0, rank: 0, optimizer: '',
      cost: { examples: 2000, tokensPerExample: 400, epochs: 1, examplesToAnnotate: 0, useCases: 1 },
    })
    expect(api.plan.mock.calls[0][0].checkpointing).toBeUndefined()
    expect(el('plan-empty')).toBeNull()
  })

  it('shows the recommendation, the three methods side by side, and the 12-month cost', async () => {
    await render(fakeAPI(choices2x4090))
    await choose('plan-model', 'llama-3.1-8b')

    expect(text('plan-model-info')).toContain('Llama 3.1 8B Instruct · from the catalogue · 8.03B parameters')
    expect(text('plan-target')).toBe('NVIDIA GeForce RTX 4090 · GPU 0 in this machine · 23.5 GiB free of 24.0 GiB')
    expect(text('plan-method')).toBe('QLoRA')
    expect(text('plan-settings')).toContain('rank 16 on q k v o gate up down')
    expect(text('plan-settings')).toContain('micro-batch 4 × accumulation 4')
    expect(text('plan-settings')).toContain('checkpointing on')
    const reasons = [...el('plan-reasons')!.querySelectorAll('li')].map((l) => l.textContent)
    expect(reasons).toEqual(plan8b.recommendation.reasons)
    expect(el('plan-cloud')).toBeNull()

    // CLI: Fits no / no / yes (LoRA misses the 90% line by 0.1 GiB here).
    expect(['full', 'lora', 'qlora'].map((m) => text('plan-fit', option(m)))).toEqual(['Does not fit', 'Does not fit', 'Fits'])
    expect(['full', 'lora', 'qlora'].map((m) => text('plan-peak', option(m)))).toEqual(['125.3 GiB', '21.2 GiB', '11.7 GiB'])
    expect(text('plan-breakdown')).toContain('Base weights')
    expect(text('plan-breakdown')).toContain('Optimizer states')
    expect(option('full').textContent).toContain('59.8 GiB') // AdamW states of 8B parameters

    expect(text('plan-tco')).toBe('$43,436')
    expect(text('plan-training')).toContain('800,000')
    expect(text('plan-training')).toContain('995 tokens/s')
    expect(text('plan-training')).toMatch(/Electricity here\s*\$0\.04\s*first run/)
    expect(text('plan-training')).toMatch(/Cloud spot\s*\$0\.03\s*0\.23 h with pre-emptions/)
    const cost = el('plan-breakdown')!.parentElement!.nextElementSibling!.textContent!
    expect(cost).toContain('$41,436')
    expect(cost).toContain('$3,453 a month around the clock for 8.0B parameters')
    expect(text('plan-prices')).toBe('Prices as of 2026-11, from /tmp/hone-data/prices.json — edit that file to change them.')
    expect(el('plan-use-cases')).toBeNull()

    const bars = [...el('plan-chart')!.querySelectorAll<SVGRectElement>('rect.month')]
    expect(bars).toHaveLength(12)
    const heights = bars.map((b) => Number(b.getAttribute('height')))
    for (let i = 1; i < 12; i++) expect(heights[i]).toBeGreaterThan(heights[i - 1])
    expect(heights.every(Number.isFinite)).toBe(true)
    expect(el('plan-chart')!.textContent).toContain('$50k')
    expectNoJunk()
  })

  it('draws each method as a stack of its peak lines, to one scale, with the free memory marked', async () => {
    await render(fakeAPI(choices2x4090))
    await choose('plan-model', 'llama-3.1-8b')
    const free = plan8b.target.free
    const scale = barScale(free, plan8b.comparison.map((o) => o.estimate.peak))
    for (const o of plan8b.comparison) {
      const col = option(o.method)
      const segs = [...col.querySelectorAll<HTMLElement>('[data-testid="plan-seg"]')]
      expect(segs.length).toBeGreaterThan(4)
      let sum = 0
      for (const s of segs) {
        const bytes = Number(s.dataset.bytes)
        expect(o.estimate.lines.find((l) => l.key === s.dataset.key)!.bytes).toBe(bytes)
        expect(parseFloat(s.style.width)).toBeCloseTo((bytes / scale) * 100, 6)
        sum += bytes
      }
      // The loss and the recompute workspace are not held at once: the bar adds up to the peak.
      expect(sum).toBe(o.estimate.peak)
      expect(segs.map((s) => s.dataset.key)).not.toContain('logits')
      expect(parseFloat(col.querySelector<HTMLElement>('.free-line')!.style.left)).toBeCloseTo(pct(free, scale), 6)
    }
    // One colour per line: the same key has the same colour in every column.
    const colour = (m: string, k: string) => option(m).querySelector<HTMLElement>(`[data-key="${k}"]`)!.style.background
    expect(colour('full', 'weights')).toBe(colour('qlora', 'weights'))
    expect(colour('qlora', 'weights')).not.toBe(colour('qlora', 'activations'))
    // Full needs five times the card: its bar is cut, and what is past the free line shows.
    expect(option('full').querySelector('.cut')).not.toBeNull()
    expect(option('full').querySelector('.over')).not.toBeNull()
    expect(option('qlora').querySelector('.cut')).toBeNull()
    expect(option('qlora').querySelector('.over')).toBeNull()
    // The legend is drawn once.
    expect(el('plan-breakdown')!.querySelectorAll('.swatch')).toHaveLength(8)
  })

  it('with no GPU here, plans for a card it says was picked, not detected', async () => {
    const api = fakeAPI(choicesNoGPU, async () => result(plan8bCard))
    await render(api)
    const gpu = el<HTMLSelectElement>('plan-gpu')!
    expect(gpu.value).toBe('rtx4090')
    expect([...gpu.options].some((o) => o.textContent!.includes('this machine'))).toBe(false)
    expect(gpu.querySelector('optgroup')!.label).toBe('A card you pick (not in this machine)')
    expect(text('plan-no-gpu')).toContain('No GPU was found in this machine')
    await choose('plan-model', 'llama-3.1-8b')
    expect(api.plan.mock.calls[0][0]).toMatchObject({ model: 'llama-3.1-8b', gpu: 'rtx4090' })
    expect(text('plan-target')).toBe('NVIDIA GeForce RTX 4090 · a card you pick, not in this machine · 24.0 GiB')
    expect(['full', 'lora', 'qlora'].map((m) => el('plan-fit', option(m))!.dataset.fit)).toEqual(['no', 'tight', 'yes'])
    expect(text('plan-fit', option('lora'))).toBe('Tight fit')
    await choose('plan-gpu', 'h100')
    expect(api.plan.mock.calls[1][0]).toMatchObject({ gpu: 'h100' })
    expectNoJunk()
  })

  it('says where to rent when nothing fits here', async () => {
    await render(fakeAPI(choicesNoGPU, async () => result(plan70bCard)))
    await choose('plan-model', 'llama-3.1-70b')
    expect(text('plan-method')).toBe('QLoRA')
    expect(text('plan-cloud')).toBe('on a rented NVIDIA H100 80GB HBM3 at $2.50/h')
    expect(['full', 'lora', 'qlora'].map((m) => text('plan-fit', option(m)))).toEqual(['Does not fit', 'Does not fit', 'Does not fit'])
    expect(text('plan-peak', option('full'))).toBe('1.0 TiB')
    expect(text('plan-training')).toContain('first run') // spot, on the rented card
    expect(text('plan-tco')).toBe('$366,058')
    expectNoJunk()
  })

  it('re-plans a what-if after a pause, drops stale answers, and goes back to the recommendation', async () => {
    const pending: { req: plan.Request; resolve: (r: plan.Result) => void }[] = []
    const api = fakeAPI(choices2x4090, (req) => new Promise((resolve) => pending.push({ req, resolve })))
    await render(api)
    await choose('plan-model', 'llama-3.1-8b')
    pending.shift()!.resolve(result(plan8b))
    await settle()
    expect(el<HTMLInputElement>('plan-seq')!.value).toBe('2048')
    expect(el<HTMLButtonElement>('plan-back')!.disabled).toBe(true)

    type('plan-seq', '4096')
    type('plan-seq', '8192')
    expect(api.plan).toHaveBeenCalledTimes(1) // not before the pause
    await wait(200)
    expect(api.plan).toHaveBeenCalledTimes(2)
    expect(api.plan.mock.calls[1][0]).toMatchObject({ seqLen: 8192, microBatch: 0, rank: 0 })
    type('plan-rank', '32')
    await wait(200)
    expect(api.plan.mock.calls[2][0]).toMatchObject({ seqLen: 8192, rank: 32 })

    // The later answer arrives first; the earlier one, when it comes, is dropped.
    const [first, second] = [pending.shift()!, pending.shift()!]
    second.resolve(result(plan8bSeq8192))
    await settle()
    first.resolve(result(plan8b))
    await settle()
    const peak = plan8bSeq8192.comparison.find((o) => o.method === 'qlora')!.estimate.peak
    expect(text('plan-peak', option('qlora'))).toBe(formatBytes(peak))
    expect(formatBytes(peak)).not.toBe('11.7 GiB')
    expect(target.querySelector('.compare')!.textContent).toMatch(/at 8,192 tokens, micro-batch 4, rank 16,/)
    expect(target.querySelector('.compare')!.textContent).toContain('what-if')
    // The recommendation itself stays as it was.
    expect(text('plan-method')).toBe('QLoRA')
    expect(text('plan-settings')).toContain('2,048 tokens')
    expect(el<HTMLButtonElement>('plan-back')!.disabled).toBe(false)

    el<HTMLButtonElement>('plan-back')!.click()
    await settle()
    expect(api.plan).toHaveBeenCalledTimes(4)
    expect(api.plan.mock.calls[3][0]).toMatchObject({ seqLen: 0, rank: 0, microBatch: 0, optimizer: '' })
    pending.shift()!.resolve(result(plan8b))
    await settle()
    expect(el<HTMLInputElement>('plan-seq')!.value).toBe('2048')
    expect(text('plan-peak', option('qlora'))).toBe('11.7 GiB')
  })

  it('sends checkpointing and the optimizer only when changed', async () => {
    const api = fakeAPI(choices2x4090)
    await render(api)
    await choose('plan-model', 'llama-3.1-8b')
    const box = el<HTMLInputElement>('plan-checkpointing')!
    expect(box.checked).toBe(true)
    box.click()
    await choose('plan-optimizer', 'adamw8')
    await wait(200)
    expect(api.plan.mock.calls.at(-1)![0]).toMatchObject({ checkpointing: false, optimizer: 'adamw8' })
  })

  it('shows what is wrong with a what-if, from the Go side when it can judge, and never NaN', async () => {
    const api = fakeAPI(choices2x4090, async (req) => {
      if (req.microBatch < 0) throw new Error(`micro-batch ${req.microBatch}: want 1 to 4096`)
      return result(plan8b)
    })
    await render(api)
    await choose('plan-model', 'llama-3.1-8b')

    // Empty and 0 cannot be sent (0 means "the recommendation"): said here.
    type('plan-batch', '')
    await wait(200)
    expect(api.plan).toHaveBeenCalledTimes(1)
    expect(target.querySelector('[role="alert"]')!.textContent).toContain('Micro-batch: enter a whole number of 1 or more.')
    expect(el('plan-batch')!.getAttribute('aria-invalid')).toBe('true')
    type('plan-batch', '0')
    await wait(200)
    expect(text('plan-error')).toContain('Micro-batch 0: enter a whole number of 1 or more.')
    expectNoJunk()

    // A negative number goes to the Go side, which says what it wants.
    type('plan-batch', '-2')
    await wait(200)
    expect(api.plan.mock.calls.at(-1)![0]).toMatchObject({ microBatch: -2 })
    expect(text('plan-error')).toContain('micro-batch -2: want 1 to 4096')
    expect(text('plan-error')).toContain('The plan below is the last one that could be made.')
    expect(text('plan-method')).toBe('QLoRA') // the last good plan stays, greyed
    expectNoJunk()

    type('plan-batch', '2')
    await wait(200)
    expect(el('plan-error')).toBeNull()
  })

  it('shows an error of the Go side in the alert: a model path that is not a model', async () => {
    const msg = 'model "/home/me/notes": no such file or folder, and not in the catalogue (hone plan --list)'
    const api = fakeAPI(choices2x4090, async () => {
      throw msg // Wails rejects with the error's text
    })
    api.pickModelFolder.mockResolvedValue('/home/me/notes')
    await render(api)
    el<HTMLButtonElement>('plan-model')!.parentElement!.querySelector('button')!.click()
    await settle()
    expect(api.plan.mock.calls[0][0]).toMatchObject({ model: '/home/me/notes' })
    const alert = target.querySelector('[role="alert"]')!
    expect(alert.getAttribute('data-testid')).toBe('plan-error')
    expect(alert.textContent).toContain(msg)
    expect(el<HTMLSelectElement>('plan-model')!.selectedOptions[0].textContent).toBe('Folder: notes')
    expect(el('plan-method')).toBeNull()
    expectNoJunk()
  })

  it('does nothing when a picker is cancelled, and plans a picked GGUF file', async () => {
    const api = fakeAPI(choices2x4090)
    await render(api)
    const [folder, gguf] = [...target.querySelectorAll<HTMLButtonElement>('.pickers button')]
    folder.click()
    await settle()
    expect(api.pickModelFolder).toHaveBeenCalled()
    expect(api.plan).not.toHaveBeenCalled()
    api.pickGGUF.mockResolvedValue('/models/tiny.Q4_K_M.gguf')
    gguf.click()
    await settle()
    expect(api.plan.mock.calls[0][0]).toMatchObject({ model: '/models/tiny.Q4_K_M.gguf' })
    expect(el<HTMLSelectElement>('plan-model')!.value).toBe('/models/tiny.Q4_K_M.gguf')
  })

  it('prices several use cases, and says why there is no cost when there is none', async () => {
    const answers = [plan8bUseCases, plan8bCostError]
    const api = fakeAPI(choices2x4090, async () => result(answers.shift()))
    await render(api)
    await choose('plan-model', 'llama-3.1-8b')
    expect(text('plan-use-cases')).toBe(
      '3 use cases: 3 dedicated deployments cost $124,308 a year; 1 deployment of the base model serving the 3 adapters cost $41,436. That saves $82,872.',
    )
    expect(text('plan-tco')).toBe('$43,936')

    type('plan-cost-examples', '-5')
    await wait(200)
    expect(api.plan.mock.calls.at(-1)![0].cost).toMatchObject({ examples: -5 })
    expect(text('plan-cost-error')).toBe('No cost: examples -5: want 1 to 10^9')
    expect(el('plan-tco')).toBeNull()
    expect(el('plan-chart')).toBeNull()
    expect(text('plan-prices')).toBe('Prices, from /tmp/hone-data/prices.json — edit that file to change them.')
    expectNoJunk()

    // Fractions of an example cannot be sent at all.
    type('plan-cost-examples', '2.5')
    await wait(200)
    expect(text('plan-error')).toContain('Examples 2.5: enter a whole number.')
    expect(api.plan).toHaveBeenCalledTimes(2)
  })

  it('says so when the models and GPUs cannot be listed', async () => {
    const api = fakeAPI(choices2x4090)
    api.planChoices.mockRejectedValue(new Error('probe GPUs: NVML failed'))
    await render(api)
    expect(target.querySelector('[role="alert"]')!.textContent).toContain('Could not list models and GPUs: probe GPUs: NVML failed')
    expect(el<HTMLSelectElement>('plan-model')!.disabled).toBe(true)
  })

  it('"Train with this plan" hands a model on disk and its settings to the Train screen', async () => {
    // The same plan, as made for a model folder rather than a catalogue entry.
    const onDisk = result(plan8b)
    onDisk.model.source = '/models/Llama-3.1-8B-Instruct'
    const api = fakeAPI(choices2x4090, async (req) => (req.model.startsWith('/') ? copy<plan.Result>(onDisk) : result(plan8b)))
    api.pickModelFolder.mockImplementation(async () => '/models/Llama-3.1-8B-Instruct')
    const draft = new TrainDraft()
    const navigate = vi.fn()
    mounted = mountIn(Plan, { api, draft, navigate })
    target = mounted.target
    await settle()
    await choose('plan-model', 'llama-3.1-8b')
    el<HTMLButtonElement>('plan-train')!.click()
    expect(navigate).not.toHaveBeenCalled() // a catalogue entry has no files to train
    expect(el<HTMLButtonElement>('plan-train')!.disabled).toBe(true)
    ;[...target.querySelectorAll('button')].find((b) => b.textContent === 'Model folder…')!.click()
    await settle()
    el<HTMLButtonElement>('plan-train')!.click()
    expect(navigate).toHaveBeenCalledWith('train')
    const s = onDisk.settings
    expect(draft.take()).toEqual({ model: '/models/Llama-3.1-8B-Instruct', method: onDisk.recommendation.settings.method,
      seqLen: String(s.seqLen), microBatch: String(s.microBatch), rank: String(s.rank) })
  })
})
