// Helpers of the Plan screen: they mirror what `hone plan` prints (plancmd.go,
// backend/plan) so the window and the command line agree, and never let a
// missing or non-finite number reach the page as NaN, Infinity or undefined.
import { plan, type model } from '../../wailsjs/go/models'
import { group } from './format'

export type Fit = 'yes' | 'tight' | 'no'

// fitOf is the CLI's "Fits" row: yes (comfortable), tight (fits), no.
export function fitOf(o: { fits: boolean; comfortable: boolean }): Fit {
  return o.comfortable ? 'yes' : o.fits ? 'tight' : 'no'
}

export const fitLabel: Record<Fit, string> = { yes: 'Fits', tight: 'Tight fit', no: 'Does not fit' }

export const fitHint: Record<Fit, string> = {
  yes: 'The peak stays under 70% of the free memory.',
  tight: 'The peak fits in 90% of the free memory, with little headroom.',
  no: 'The peak is more than 90% of the free memory (Hone keeps 10% spare).',
}

export function methodName(m: string | undefined): string {
  switch (m) {
    case 'full':
      return 'Full'
    case 'lora':
      return 'LoRA'
    case 'qlora':
      return 'QLoRA'
  }
  return m ? m : '—'
}

export function optimizerName(o: string | undefined): string {
  switch (o) {
    case 'adamw32':
      return 'AdamW 32-bit'
    case 'adamw8':
      return 'AdamW 8-bit'
  }
  return o ? o : '—'
}

// params counts a model's parameters as plan.Params does: the linear layers,
// the embeddings (twice when the output head is untied) and the norms.
export function params(c: model.Config | undefined): number {
  if (!c) return NaN
  const h = c.hiddenSize, q = c.heads * c.headDim, kv = c.kvHeads * c.headDim, i = c.intermediateSize
  const linear = (h * q + 2 * h * kv + q * h + 3 * h * i) * c.layers
  const emb = c.vocabSize * h * (c.tiedEmbeddings ? 1 : 2)
  return linear + emb + (2 * c.layers + 1) * h
}

// billions prints a parameter count as the CLI does: "8.03B".
export function billions(n: number): string {
  return Number.isFinite(n) && n >= 0 ? `${(n / 1e9).toFixed(2)}B` : '—'
}

// dollars prints an amount as plan.Dollars does, with the sign: cents below
// $10, whole dollars with thousands separators above.
export function dollars(v: number): string {
  if (!Number.isFinite(v)) return '—'
  const sign = v < 0 ? '−' : ''
  const a = Math.abs(v)
  if (a < 10) return `${sign}$${a.toFixed(2)}`
  return `${sign}$${group(Math.round(a))}`
}

// dollarsShort labels a chart axis: $0, $500, $12k, $1.5M.
export function dollarsShort(v: number): string {
  if (!Number.isFinite(v)) return '—'
  const a = Math.abs(v)
  const trim = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1).replace(/\.0$/, ''))
  if (a >= 1e6) return `$${trim(v / 1e6)}M`
  if (a >= 1e3) return `$${trim(v / 1e3)}k`
  return `$${trim(v)}`
}

export interface Segment {
  key: string
  label: string
  bytes: number
}

// peakLines splits an estimate's lines into those held at the peak of a step
// and the one that is not: the peak counts the larger of the two transient
// phases (logits and loss at the end of the forward pass, the recompute
// workspace in the backward pass), so the bar of a method adds up to its peak.
export function peakLines(e: plan.Estimate): { atPeak: Segment[]; notAtPeak: string | null } {
  const lines = e.lines ?? []
  const logits = lines.find((l) => l.key === 'logits')
  const work = lines.find((l) => l.key === 'workspace')
  let skip: string | null = null
  if (logits && work) skip = logits.bytes >= work.bytes ? 'workspace' : 'logits'
  const atPeak = lines.filter((l) => l.key !== skip && l.bytes > 0)
  const sum = atPeak.reduce((s, l) => s + l.bytes, 0)
  // Should the estimator ever change its peak, draw every line rather than
  // a bar that disagrees with the number printed above it.
  if (skip && Math.abs(sum - e.peak) > 1) return { atPeak: lines.filter((l) => l.bytes > 0), notAtPeak: null }
  return { atPeak, notAtPeak: skip }
}

// One colour per breakdown line, in the order the estimator lists them.
export const lineColours: Record<string, string> = {
  weights: '#5b8def',
  lora: '#b07cf0',
  gradients: '#e0797a',
  optimizer: '#f0b450',
  activations: '#4fc1a6',
  logits: '#7fd1f0',
  workspace: '#8fbf5a',
  overhead: '#7d8496',
}

export function lineColour(key: string): string {
  return lineColours[key] ?? '#a0a6b4'
}

// barScale is the bytes the full width of every method's bar stands for: the
// largest peak, but at least a little more than the free memory (so the free
// line is visible) and at most twice it (so a small method is not a sliver
// next to one that needs five times the card; longer bars are cut).
export function barScale(free: number, peaks: number[]): number {
  const top = Math.max(0, ...peaks.filter(Number.isFinite))
  if (!(free > 0)) return top > 0 ? top : 1
  return Math.max(free * 1.1, Math.min(top, free * 2))
}

// parseWhole reads a what-if field: a whole number, or an error that says
// what to type. Zero is refused: to the Go side it means "the recommendation".
export function parseWhole(text: string, label: string): { value: number } | { error: string } {
  const t = text.trim()
  if (t === '') return { error: `${label}: enter a whole number of 1 or more.` }
  const n = Number(t)
  if (!Number.isFinite(n) || !Number.isInteger(n) || n === 0) return { error: `${label} ${t}: enter a whole number of 1 or more.` }
  return { value: n }
}

// parseCost reads a cost field: empty means the default (0 to the Go side);
// anything else goes through for the Go side to check, except what cannot be
// sent as a number of the right kind.
export function parseCost(text: string, label: string, whole: boolean): { value: number } | { error: string } {
  const t = text.trim()
  if (t === '') return { value: 0 }
  const n = Number(t)
  if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) {
    return { error: `${label} ${t}: enter ${whole ? 'a whole number' : 'a number'}.` }
  }
  return { value: n }
}

// ---- the form -------------------------------------------------------------

export type WholeKey = 'seqLen' | 'rank' | 'microBatch'
export type CostKey = 'examples' | 'tokensPerExample' | 'epochs' | 'examplesToAnnotate' | 'useCases'

// The what-if fields that take a whole number, in the order shown.
export const wholeFields: { key: WholeKey; label: string; unit: string; testid: string }[] = [
  { key: 'seqLen', label: 'Sequence length', unit: 'tokens', testid: 'plan-seq' },
  { key: 'rank', label: 'LoRA rank', unit: 'LoRA and QLoRA', testid: 'plan-rank' },
  { key: 'microBatch', label: 'Micro-batch', unit: 'sequences per pass', testid: 'plan-batch' },
]

// The cost fields. Defaults as plan.DefaultCostInput; an empty field sends 0,
// which the Go side reads as the same default.
export const costFields: { key: CostKey; label: string; whole: boolean; initial: string }[] = [
  { key: 'examples', label: 'Examples', whole: true, initial: '2000' },
  { key: 'tokensPerExample', label: 'Tokens per example', whole: true, initial: '400' },
  { key: 'epochs', label: 'Epochs', whole: false, initial: '1' },
  { key: 'examplesToAnnotate', label: 'Examples to annotate', whole: true, initial: '0' },
  { key: 'useCases', label: 'Use cases', whole: true, initial: '1' },
]

export type CostText = Record<CostKey, string>

export function initialCostText(): CostText {
  return Object.fromEntries(costFields.map((f) => [f.key, f.initial])) as CostText
}

// What the user changed of the recommended settings, as typed; a key that
// is absent keeps the recommendation.
export interface WhatIf {
  seqLen?: string
  rank?: string
  microBatch?: string
  checkpointing?: boolean
  optimizer?: string
}

// changed says whether any setting differs from the recommendation.
export function changed(w: WhatIf): boolean {
  return Object.values(w).some((v) => v !== undefined)
}

// planRequest is the request for the Go side, or the first field that cannot
// be sent and why. Zero and empty mean "the recommendation" to the Go side.
export function planRequest(
  model: string, gpu: string, whatIf: WhatIf, costText: CostText,
): { req: plan.Request } | { error: string; field: string } {
  const r: Record<string, unknown> = { model, gpu, seqLen: 0, microBatch: 0, rank: 0, optimizer: '' }
  for (const f of wholeFields) {
    const text = whatIf[f.key]
    if (text === undefined) continue
    const p = parseWhole(text, f.label)
    if ('error' in p) return { error: p.error, field: f.key }
    r[f.key] = p.value
  }
  if (whatIf.checkpointing !== undefined) r.checkpointing = whatIf.checkpointing
  if (whatIf.optimizer) r.optimizer = whatIf.optimizer
  const c: Record<string, number> = {}
  for (const f of costFields) {
    const p = parseCost(costText[f.key], f.label, f.whole)
    if ('error' in p) return { error: p.error, field: f.key }
    c[f.key] = p.value
  }
  r.cost = c
  return { req: plan.Request.createFrom(r) }
}

