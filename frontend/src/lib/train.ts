// Helpers of the Train screen: the form as typed and the spec it becomes,
// the per-step metrics as chart series, a run's live numbers (ETA, step,
// epoch) and its state in words. As in plan.ts, nothing here lets NaN,
// Infinity or undefined reach the page.
import type { store } from '../../wailsjs/go/models'

// ---- the form ---------------------------------------------------------------

// SpecForm is the form as typed: numbers stay text until Start, so that a
// half-typed "2e-" is not lost and the field that cannot be sent is named.
export interface SpecForm {
  name: string
  model: string
  dataset: string // id, '' for none
  evalDataset: string // id, '' for none
  method: string
  epochs: string
  maxSteps: string
  seqLen: string
  microBatch: string
  gradAccum: string
  lr: string
  rank: string
  alpha: string
  dropout: string
  evalEvery: string
  checkpointEvery: string
}

export type NumberKey = Exclude<keyof SpecForm, 'name' | 'model' | 'dataset' | 'evalDataset' | 'method'>

// The number fields in the order shown: label, what it is, whole or not,
// and whether 0 is allowed (max steps 0: from the epochs).
export const numberFields: { key: NumberKey; label: string; unit: string; whole: boolean; zero?: boolean; lora?: boolean }[] = [
  { key: 'epochs', label: 'Epochs', unit: 'passes over the data', whole: false },
  { key: 'maxSteps', label: 'Max steps', unit: '0: from the epochs', whole: true, zero: true },
  { key: 'seqLen', label: 'Sequence length', unit: 'tokens', whole: true },
  { key: 'microBatch', label: 'Micro-batch', unit: 'rows per pass', whole: true },
  { key: 'gradAccum', label: 'Accumulation', unit: 'passes per step', whole: true },
  { key: 'lr', label: 'Learning rate', unit: 'peak', whole: false },
  { key: 'rank', label: 'LoRA rank', unit: 'r', whole: true, lora: true },
  { key: 'alpha', label: 'LoRA alpha', unit: 'scale α/r', whole: false, lora: true },
  { key: 'dropout', label: 'LoRA dropout', unit: '0 to 1', whole: false, lora: true },
  { key: 'evalEvery', label: 'Evaluate every', unit: 'steps', whole: true },
  { key: 'checkpointEvery', label: 'Checkpoint every', unit: 'steps', whole: true },
]

export const methods: { key: string; label: string; hint: string }[] = [
  { key: 'qlora', label: 'QLoRA', hint: 'LoRA on a 4-bit (NF4) base: the least memory' },
  { key: 'lora', label: 'LoRA', hint: 'LoRA on the base as stored' },
  { key: 'full', label: 'Full', hint: 'every weight: small models only' },
]

// SpecLike is the part of train.Spec the form edits (the Go type's fields).
export interface SpecLike {
  name: string
  model: string
  dataset: number
  evalDataset: number
  method: string
  epochs: number
  maxSteps: number
  seqLen: number
  microBatch: number
  gradAccum: number
  lr: number
  rank: number
  alpha: number
  dropout: number
  evalEvery: number
  checkpointEvery: number
}

// formFrom writes a spec (the defaults, or a run's own settings) into the form.
export function formFrom(s: Partial<SpecLike>): SpecForm {
  const num = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : '')
  const id = (v: number | undefined) => (typeof v === 'number' && v > 0 ? String(v) : '')
  return {
    name: s.name ?? '', model: s.model ?? '', dataset: id(s.dataset), evalDataset: id(s.evalDataset),
    method: s.method || 'lora', epochs: num(s.epochs), maxSteps: num(s.maxSteps), seqLen: num(s.seqLen),
    microBatch: num(s.microBatch), gradAccum: num(s.gradAccum), lr: num(s.lr), rank: num(s.rank),
    alpha: num(s.alpha), dropout: num(s.dropout), evalEvery: num(s.evalEvery), checkpointEvery: num(s.checkpointEvery),
  }
}

// specFrom reads the form: the spec to send, or the first field that cannot
// be sent and why. Empty number fields send 0, which the Go side fills with
// its default; the Go side checks ranges (Preflight names the field).
export function specFrom(f: SpecForm): { spec: SpecLike } | { error: string; field: keyof SpecForm } {
  if (!f.model.trim()) return { error: 'Base model: choose a model on this computer or type the path of one.', field: 'model' }
  if (!f.dataset) return { error: 'Dataset: choose the dataset to train on.', field: 'dataset' }
  const spec: Record<string, unknown> = {
    name: f.name.trim(), model: f.model.trim(), dataset: Number(f.dataset), evalDataset: f.evalDataset ? Number(f.evalDataset) : 0,
    method: f.method,
  }
  for (const n of numberFields) {
    const t = f[n.key].trim()
    if (t === '') {
      spec[n.key] = 0
      continue
    }
    const v = Number(t)
    const bad = !Number.isFinite(v) || v < 0 || (n.whole && !Number.isInteger(v)) || (v === 0 && !n.zero)
    if (bad) return { error: `${n.label} ${t}: enter ${n.whole ? 'a whole number' : 'a number'} above 0${n.zero ? ' (or 0)' : ''}.`, field: n.key }
    spec[n.key] = v
  }
  if (f.evalDataset && f.evalDataset === f.dataset) {
    return { error: 'Eval dataset: choose held-out examples, not the training set itself.', field: 'evalDataset' }
  }
  return { spec: spec as unknown as SpecLike }
}

// fieldOf reads the field a Go check names: `run setting "seqLen": ...`.
export function fieldOf(problem: string): string {
  return /run setting "([A-Za-z]+)"/.exec(problem)?.[1] ?? ''
}

// ---- handing a plan or a dataset over to the form -------------------------

// Draft is what the Plan and Datasets screens hand to the Train screen: the
// keys they set replace the form's, the others stay.
export type Draft = Partial<Pick<SpecForm, 'model' | 'dataset' | 'evalDataset' | 'method' | 'seqLen' | 'microBatch' | 'rank'>>

export function applyDraft(f: SpecForm, d: Draft): SpecForm {
  const out = { ...f }
  for (const [k, v] of Object.entries(d) as [keyof Draft, string | undefined][]) {
    if (v !== undefined && v !== '') out[k] = v
  }
  return out
}

// ---- metrics as chart series ----------------------------------------------

export type Metrics = Record<string, number>

// Point is one optimizer step's metrics.
export interface Point {
  step: number
  m: Metrics
}

// pointsFrom reads a run's stored metrics in step order.
export function pointsFrom(ms: store.RunMetric[] | null | undefined): Point[] {
  return (ms ?? [])
    .filter((x) => Number.isFinite(x?.step) && x.metrics)
    .map((x) => ({ step: x.step, m: x.metrics as Metrics }))
    .sort((a, b) => a.step - b.step)
}

// merge adds a live step to the points: a step seen again replaces the old
// one and drops every later one (a resumed run repeats the steps after its
// checkpoint), so the curve never doubles back.
export function merge(points: Point[], p: Point): Point[] {
  if (!Number.isFinite(p.step) || p.step <= 0) return points
  const last = points[points.length - 1]
  if (!last || p.step > last.step) return [...points, p]
  return [...points.filter((x) => x.step < p.step), p]
}

// mergeAll lays stored metrics under the live points: the stored ones are
// complete (every step, every evaluation), the live ones may be newer.
export function mergeAll(stored: Point[], live: Point[]): Point[] {
  const top = stored.length ? stored[stored.length - 1].step : 0
  return [...stored, ...live.filter((p) => p.step > top)]
}

// Series are uPlot's columns: x, then one array per line, null for a gap.
export type Series = [number[], ...(number | null)[][]]

const val = (m: Metrics, k: string): number | null => (typeof m[k] === 'number' && Number.isFinite(m[k]) ? m[k] : null)

// lossSeries is steps, training loss and evaluation loss (null between
// evaluations; the chart joins its points).
export function lossSeries(points: Point[]): Series {
  return [points.map((p) => p.step), points.map((p) => val(p.m, 'loss')), points.map((p) => val(p.m, 'evalLoss'))]
}

// lrSeries is steps and the learning rate.
export function lrSeries(points: Point[]): Series {
  return [points.map((p) => p.step), points.map((p) => val(p.m, 'lr'))]
}

// ---- live numbers -------------------------------------------------------------

// etaSeconds is the time left at the mean pace of the last steps; NaN when
// it cannot be told.
export function etaSeconds(points: Point[], step: number, total: number, window = 20): number {
  if (!(total > 0) || !(step >= 0) || step > total) return NaN
  if (step === total) return 0
  const recent = points.slice(-window).map((p) => p.m.stepSeconds).filter((s) => Number.isFinite(s) && s > 0)
  if (!recent.length) return NaN
  const mean = recent.reduce((a, b) => a + b, 0) / recent.length
  return mean * (total - step)
}

// duration prints seconds as a person says them: "45 s", "3 min 05 s", "2 h 04 min".
export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—'
  const t = Math.round(s)
  if (t < 60) return `${t} s`
  const pad = (n: number) => String(n).padStart(2, '0')
  if (t < 3600) return `${Math.floor(t / 60)} min ${pad(t % 60)} s`
  return `${Math.floor(t / 3600)} h ${pad(Math.floor((t % 3600) / 60))} min`
}

// lrText prints a learning rate as people write it: 2e-4, 1.5e-5.
export function lrText(v: number | null | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—'
  if (v === 0) return '0'
  return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e')
}

// totalOf is a run's total steps: the row's, else what the job's progress
// fraction implies (a job event carries the step and step/total).
export function totalOf(rowTotal: number, step: number, fraction: number): number {
  if (rowTotal > 0) return rowTotal
  if (step > 0 && fraction > 0) return Math.round(step / fraction)
  return 0
}

// ---- states -------------------------------------------------------------------

export type RunState = 'running' | 'pausing' | 'paused' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted'

export const stateText: Record<string, string> = {
  running: 'running', pausing: 'pausing after a checkpoint…', paused: 'paused', succeeded: 'succeeded',
  failed: 'failed', cancelled: 'cancelled', interrupted: 'interrupted',
}

// A run the user may pause or cancel, and one that may resume.
export const isLive = (state: string) => state === 'running' || state === 'pausing'
export const canResume = (state: string) => ['paused', 'failed', 'cancelled', 'interrupted'].includes(state)

// ---- datasets -----------------------------------------------------------------

interface DatasetLike {
  id: number
  parentId?: number
  recipe?: string
}

function splitRecipe(d: DatasetLike): { part: string; seed: unknown; evalFraction: unknown } | null {
  try {
    const r = JSON.parse(d.recipe || 'null')
    return r && r.op === 'split' ? r : null
  } catch {
    return null
  }
}

// evalPartner is the eval part of the split whose train part is d (same
// parent, seed and fraction); 0 when d is not a train part or the eval part
// is gone.
export function evalPartner(d: DatasetLike | undefined, all: DatasetLike[]): number {
  const r = d && splitRecipe(d)
  if (!d || !r || r.part !== 'train') return 0
  const e = all.find((x) => {
    const xr = x.parentId === d.parentId ? splitRecipe(x) : null
    return xr !== null && xr.part === 'eval' && xr.seed === r.seed && xr.evalFraction === r.evalFraction
  })
  return e?.id ?? 0
}

// refetchTicks is how many one-second ticks pass between two reads of a
// live run's stored metrics: every 2 s, and less often as they grow, since
// one read costs about 17 µs per stored step (10 ms for 600 steps, measured
// through the binding), so that the window keeps to about 0.5% of one core
// however long the run. The job's events keep the curve live meanwhile.
export function refetchTicks(stored: number): number {
  return Math.max(2, Math.ceil(stored / 300))
}
