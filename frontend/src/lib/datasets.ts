// Helpers of the Datasets screen: what the Go side's dataset and parse types
// mean to a reader, and the arithmetic of the charts and the virtualised
// example list. Like plan.ts, nothing here lets NaN, Infinity or undefined
// reach the page.
import type { dataset, parse, store } from '../../wailsjs/go/models'
import { baseName, group } from './format'

// ---- detection and import options ----------------------------------------

export interface Columns {
  prompt: string
  response: string
  system: string
  label: string
}

export const columnKeys: (keyof Columns)[] = ['prompt', 'response', 'system', 'label']

export const noColumns: Columns = { prompt: '', response: '', system: '', label: '' }

// Detection is parse.Detection as the screen uses it.
export interface Detection {
  container: string
  format: string
  delimiter: number
  header: boolean
  columns: Columns
  preview: parse.Example[]
  why: string
}

// ParseOptions is parse.Options as sent to Detect and Import. Go decodes
// JSON keys without regard to case, so these lower-case keys reach the
// fields whether or not the Go structs carry json tags.
export interface ParseOptions {
  container: string
  format: string
  delimiter: number
  header: boolean | null
  columns: Columns
  strict: boolean
}

export interface ImportOptions {
  name: string
  parse: ParseOptions
}

type Loose = Record<string, unknown>

// field reads key from a Go struct serialised with or without json tags:
// "format" or "Format".
function field(o: Loose | undefined, key: string): unknown {
  if (!o || typeof o !== 'object') return undefined
  if (key in o) return o[key]
  const upper = key[0].toUpperCase() + key.slice(1)
  return o[upper]
}

const str = (v: unknown) => (typeof v === 'string' ? v : '')
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

// readDetection turns what Detect answers into a Detection, whether the Go
// side names its fields "Format" (no json tags) or "format".
export function readDetection(raw: unknown): Detection {
  const o = (raw ?? {}) as Loose
  const c = (field(o, 'columns') ?? {}) as Loose
  const preview = field(o, 'preview')
  return {
    container: str(field(o, 'container')),
    format: str(field(o, 'format')),
    delimiter: num(field(o, 'delimiter')),
    header: field(o, 'header') === true,
    columns: {
      prompt: str(field(c, 'prompt')),
      response: str(field(c, 'response')),
      system: str(field(c, 'system')),
      label: str(field(c, 'label')),
    },
    preview: Array.isArray(preview) ? (preview as parse.Example[]) : [],
    why: str(field(o, 'why')),
  }
}

// Overrides are what the person changed in an import preview; every empty
// value means "as detected".
export interface Overrides {
  format: string
  delimiter: number
  header: 'detect' | 'yes' | 'no'
  // null: the columns as detected; otherwise all four, as Go takes them
  // (naming any column turns detection of the others off).
  columns: Columns | null
  strict: boolean
}

export const noOverrides: Overrides = { format: '', delimiter: 0, header: 'detect', columns: null, strict: false }

export function parseOptions(o: Overrides): ParseOptions {
  return {
    container: '',
    format: o.format,
    delimiter: o.delimiter,
    header: o.header === 'detect' ? null : o.header === 'yes',
    columns: o.columns ? { ...o.columns } : { ...noColumns },
    strict: o.strict,
  }
}

export const formats: { key: string; label: string; short: string }[] = [
  { key: 'alpaca', label: 'Alpaca (instruction, input, output)', short: 'Alpaca' },
  { key: 'sharegpt', label: 'ShareGPT (conversations)', short: 'ShareGPT' },
  { key: 'openai', label: 'OpenAI chat (messages)', short: 'OpenAI chat' },
  { key: 'prompt-completion', label: 'Prompt and completion', short: 'Prompt and completion' },
  { key: 'text', label: 'Plain text', short: 'Plain text' },
  { key: 'table', label: 'Table (named columns)', short: 'Table' },
]

export function formatName(f: string): string {
  return formats.find((x) => x.key === f)?.short ?? (f || '—')
}

export const delimiters: { rune: number; label: string }[] = [
  { rune: 0, label: 'Detect' },
  { rune: 44, label: 'Comma ,' },
  { rune: 9, label: 'Tab' },
  { rune: 59, label: 'Semicolon ;' },
  { rune: 124, label: 'Pipe |' },
]

export function delimiterName(rune: number): string {
  switch (rune) {
    case 44:
      return 'comma'
    case 9:
      return 'tab'
    case 59:
      return 'semicolon'
    case 124:
      return 'pipe'
    case 0:
      return ''
  }
  return Number.isInteger(rune) && rune > 0 ? `“${String.fromCodePoint(rune)}”` : ''
}

// containerName is the file's outer syntax as a reader knows it.
export function containerName(d: Pick<Detection, 'container' | 'delimiter'>): string {
  switch (d.container) {
    case 'jsonl':
      return 'JSON Lines'
    case 'json':
      return 'JSON'
    case 'csv':
      return d.delimiter === 9 ? 'TSV' : 'CSV'
    case 'parquet':
      return 'Parquet'
  }
  return d.container ? d.container : '—'
}

// isTable says whether a preview should offer the column fields.
export function isTable(d: Pick<Detection, 'container' | 'format'> | null, path: string): boolean {
  if (d) return d.container === 'csv' || d.container === 'parquet' || d.format === 'table' || d.format === 'text'
  return isDelimited(null, path) || /\.parquet$/i.test(path)
}

// isDelimited says whether a preview should offer the CSV fields.
export function isDelimited(d: Pick<Detection, 'container'> | null, path: string): boolean {
  if (d) return d.container === 'csv'
  return /\.(csv|tsv|txt)$/i.test(path)
}

// ---- names, sizes and dates ------------------------------------------------

// stem is a file's name without its extension: what Go names a dataset by default.
export function stem(p: string): string {
  const b = baseName(p)
  const i = b.lastIndexOf('.')
  return i > 0 ? b.slice(0, i) : b
}

const pad = (n: number) => String(n).padStart(2, '0')

// when prints a time as 2026-11-29 22:21 in the local zone, or a dash.
export function when(t: unknown): string {
  if (typeof t !== 'string' && !(t instanceof Date)) return '—'
  const d = new Date(t)
  if (Number.isNaN(d.getTime())) return '—'
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${group(n)} ${n === 1 ? one : many}`
}

// recipeText says how a version was made, from its recipe (JSON).
export function recipeText(recipe: string): string {
  if (!recipe) return ''
  let r: Loose
  try {
    r = JSON.parse(recipe)
  } catch {
    return ''
  }
  if (!r || typeof r !== 'object') return ''
  const from = typeof r.from === 'number' ? `#${r.from}` : 'its parent'
  const op = str(r.op)
  if (op in fixes) {
    const removed = num(r.removed)
    return `${from} ${fixes[op]}: ${plural(removed, 'example')} removed`
  }
  if (op === 'split') {
    const f = num(r.evalFraction)
    return `the ${str(r.part) || 'one'} part of a ${pctText(f)} eval split of ${from}, seed ${num(r.seed)}`
  }
  if (op === 'mix') {
    const parts = Array.isArray(r.parts) ? (r.parts as Loose[]) : []
    const list = parts.map((p) => `#${num(p.dataset)} × ${trimNum(num(p.weight))}`).join(', ')
    return `a mix of ${list || 'datasets'}, ${plural(num(r.total), 'example')}, seed ${num(r.seed)}`
  }
  return op ? `${op} of ${from}` : ''
}

function pctText(f: number): string {
  return `${trimNum(Math.round(f * 1000) / 10)}%`
}

export function trimNum(n: number): string {
  if (!Number.isFinite(n)) return '—'
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000)
}

// ---- report ----------------------------------------------------------------

// fixes mirror dataset.Fixes: what a version made by each fix is without.
export const fixes: Record<string, string> = {
  'dedupe-exact': 'without exact duplicates',
  'dedupe-normalized': 'without duplicates up to case and punctuation',
  'dedupe-near': 'without near-duplicates',
  'drop-short': 'without very short examples',
  'drop-long': 'without very long examples',
}

export function fixLabel(fix: string): string {
  return `Make a version ${fixes[fix] ?? 'without them'}`
}

export interface LabelBar {
  label: string
  count: number
  pct: number // of the largest, for the bar's width
  share: number // of all examples, 0..100
}

// labelBars are the top labels of a report, most common first, with the
// rest counted.
export function labelBars(labels: dataset.LabelCount[] | null | undefined, total: number, top = 30): {
  bars: LabelBar[]
  more: number
  moreExamples: number
} {
  const all = (labels ?? []).filter((l) => l && Number.isFinite(l.count))
  const max = Math.max(0, ...all.map((l) => l.count))
  const bars = all.slice(0, top).map((l) => ({
    label: l.label,
    count: l.count,
    pct: max > 0 ? (l.count / max) * 100 : 0,
    share: total > 0 ? (l.count / total) * 100 : 0,
  }))
  const rest = all.slice(top)
  return { bars, more: rest.length, moreExamples: rest.reduce((s, l) => s + l.count, 0) }
}

// bucketLabel prints a length bucket: "64–128".
export function bucketLabel(b: { lo: number; hi: number }): string {
  return `${short(b.lo)}–${short(b.hi)}`
}

// short prints a count compactly for an axis: 512, 2k, 16k, 1.5M.
export function short(n: number): string {
  if (!Number.isFinite(n)) return '—'
  const t = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1).replace(/\.0$/, ''))
  if (n >= 1e6) return `${t(n / 1e6)}M`
  if (n >= 1e3) return `${t(n / 1e3)}k`
  return t(n)
}

// bucketPosition places a length on the histogram's x axis, in buckets from
// the left: within a bucket linearly in the logarithm (the buckets double),
// or linearly in the first one, which starts at 0.
export function bucketPosition(v: number, buckets: { lo: number; hi: number }[]): number | null {
  if (!Number.isFinite(v) || !buckets.length) return null
  for (let i = 0; i < buckets.length; i++) {
    const { lo, hi } = buckets[i]
    if (v >= lo && v < hi) {
      const f = lo > 0 ? Math.log(v / lo) / Math.log(hi / lo) : v / hi
      return i + (Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0)
    }
  }
  return v < buckets[0].lo ? 0 : buckets.length
}

// rolePattern prints a shape's roles, "user assistant", as turns.
export function rolePattern(label: string): string {
  const roles = label.split(/\s+/).filter(Boolean)
  return roles.length ? roles.join(' → ') : '(no messages)'
}

// findingGroups lays out the examples behind a finding: its groups of
// duplicates when it has them, else one group of all its examples; ids
// whose example did not come back are left out.
export function findingGroups(f: Pick<dataset.Finding, 'examples' | 'groups'>, found: dataset.Example[]): dataset.Example[][] {
  const byID = new Map(found.map((e) => [e.id, e]))
  const groups = f.groups?.length ? f.groups : [f.examples ?? []]
  return groups
    .map((g) => (g ?? []).map((id) => byID.get(id)).filter((e): e is dataset.Example => !!e))
    .filter((g) => g.length > 0)
}

// findingIDs are the example ids to fetch for a finding (its groups, or its
// examples), without repeats, at most 1000 (what ExamplesByID takes).
export function findingIDs(f: Pick<dataset.Finding, 'examples' | 'groups'>): number[] {
  const ids = f.groups?.length ? f.groups.flat() : (f.examples ?? [])
  return [...new Set(ids)].slice(0, 1000)
}

// ---- virtualised list --------------------------------------------------------

// The example browser's rows are this tall (px), and it reads this many
// examples at a time.
export const exampleRowHeight = 104
export const examplePageSize = 100

// visibleRange is which rows of a list of total fixed-height rows a
// viewport shows, with overscan rows either side: [first, end).
export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, total: number, overscan = 4): {
  first: number
  end: number
} {
  if (!(total > 0) || !(rowHeight > 0)) return { first: 0, end: 0 }
  const top = Math.max(0, Number.isFinite(scrollTop) ? scrollTop : 0)
  const h = Math.max(rowHeight, Number.isFinite(viewport) ? viewport : 0)
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan)
  const end = Math.min(total, Math.ceil((top + h) / rowHeight) + overscan)
  return { first: Math.min(first, end), end }
}

// pagesFor are the page numbers holding rows [first, end).
export function pagesFor(first: number, end: number, pageSize: number): number[] {
  if (!(end > first) || !(pageSize > 0)) return []
  const out: number[] = []
  for (let p = Math.floor(first / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p)
  return out
}

// ---- forms -----------------------------------------------------------------

export function parseFraction(text: string): { value: number } | { error: string } {
  const raw = text.trim()
  const percent = raw.endsWith('%')
  const t = percent ? raw.slice(0, -1).trim() : raw
  let n = Number(t)
  if (t === '' || !Number.isFinite(n)) return { error: `Eval fraction ${raw || '(empty)'}: enter a number such as 0.1 or 10%.` }
  if (percent) n = n / 100
  if (!(n > 0 && n < 1)) return { error: `Eval fraction ${raw}: want more than 0 and less than 1 (0% to 100%).` }
  return { value: n }
}

export function parseSeed(text: string): { value: number } | { error: string } {
  const t = text.trim()
  const n = Number(t)
  if (t === '' || !Number.isSafeInteger(n) || n < 0) return { error: `Seed ${t || '(empty)'}: enter a whole number, 0 or more.` }
  return { value: n }
}

export function parseWeight(text: string, name: string): { value: number } | { error: string } {
  const t = text.trim()
  const n = Number(t)
  if (t === '' || !Number.isFinite(n) || n <= 0) return { error: `Weight of ${name} ${t || '(empty)'}: enter a number more than 0.` }
  return { value: n }
}

// parseTotal reads the mix size: empty means 0, as many as fit without repeats.
export function parseTotal(text: string): { value: number } | { error: string } {
  const t = text.trim()
  if (t === '') return { value: 0 }
  const n = Number(t)
  if (!Number.isSafeInteger(n) || n < 1) return { error: `Total ${t}: enter a whole number of 1 or more, or leave it empty.` }
  return { value: n }
}

// ---- jobs ------------------------------------------------------------------

export const importKind = 'import'

export function jobFile(j: Pick<store.Job, 'title'>): string {
  return baseName(j.title.replace(/^Import\s+/, ''))
}

// jobDataset is the id of the dataset a finished import made, from the
// job's result (core.ImportResult: {datasetId, name, examples, ...}), or 0.
export function jobDataset(j: Pick<store.Job, 'result'>): number {
  const id = j.result?.datasetId
  return Number.isInteger(id) && id > 0 ? id : 0
}

export function percent(fraction: number): number {
  return Number.isFinite(fraction) ? Math.round(Math.min(1, Math.max(0, fraction)) * 100) : 0
}
