import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import type { dataset, store } from '../../wailsjs/go/models'
import type { HoneAPI } from '../lib/api'
import { examplePageSize, exampleRowHeight, readDetection, type ImportOptions, type ParseOptions } from '../lib/datasets'
import Datasets from './Datasets.svelte'
import { allByTestId, byTestId, chooseIn, clean, mountIn, settle, textOf, typeInto, wait, type Mounted } from './testing'

// Real answers of the Go side: parse.Detect on banking77's train.csv (as
// detected, and with the format set to text) and on a JSONL file with three
// bad rows; `hone datasets --json` and `hone dataset show N --json` after
// importing both, making a version without the normalised duplicates and a
// 10% split; dataset.Examples and dataset.ExamplesByID on banking77.
import detectBanking from './fixtures/datasets/detect-banking77.json'
import detectBankingText from './fixtures/datasets/detect-banking77-text.json'
import detectBad from './fixtures/datasets/detect-bad.json'
import listFixture from './fixtures/datasets/list.json'
import reportBanking from './fixtures/datasets/report-banking77.json'
import reportBad from './fixtures/datasets/report-bad.json'
import errorsBad from './fixtures/datasets/errors-bad.json'
import pageBanking from './fixtures/datasets/page-banking77-0-100.json'
import pageRefund from './fixtures/datasets/page-banking77-refund-0-20.json'
import byIDNormalized from './fixtures/datasets/byid-banking77-normalized.json'

const copy = <T>(v: unknown) => structuredClone(v) as T
const banking77 = '/data/banking77/train.csv'
const bad = '/tmp/x/bad.jsonl'

// The list before the version and the split were made: #2 bad and #1 train.
const allDatasets = copy<dataset.Dataset[]>(listFixture)
const imported = allDatasets.filter((d) => d.id <= 2)
const version = allDatasets.find((d) => d.id === 3)!

// examplesOf answers dataset.Examples for banking77 from the first real page,
// repeated: example n (0-based) is page[n % 100] with id and seq n + 1.
function examplesOf(search: string, offset: number, limit: number): dataset.Page {
  if (search === 'refund') {
    const p = copy<dataset.Page>(pageRefund)
    return { total: 353, examples: offset === 0 ? p.examples : [] } as dataset.Page
  }
  const base = copy<dataset.Page>(pageBanking).examples
  const total = 10003
  const examples = []
  for (let n = offset; n < Math.min(total, offset + limit); n++) {
    examples.push({ ...base[n % base.length], id: n + 1, seq: n + 1 })
  }
  return { total, examples } as dataset.Page
}

function fakeAPI() {
  let jobListener: ((j: store.Job) => void) | null = null
  let list = copy<dataset.Dataset[]>(imported)
  const api = {
    onFilesDropped: vi.fn(() => () => {}),
    pickFiles: vi.fn(async () => [bad]),
    detect: vi.fn(async (path: string, opts: ParseOptions) => {
      if (path === bad) return readDetection(copy(detectBad))
      return readDetection(copy(opts.format === 'text' ? detectBankingText : detectBanking))
    }),
    importFiles: vi.fn(async (_paths: string[], _opts: ImportOptions) => [7]),
    onJob: vi.fn((cb: (j: store.Job) => void) => {
      jobListener = cb
      return () => (jobListener = null)
    }),
    jobs: vi.fn(async () => [] as store.Job[]),
    cancelJob: vi.fn(async () => {}),
    datasets: vi.fn(async () => copy<dataset.Dataset[]>(list)),
    datasetReport: vi.fn(async (id: number) => {
      const r = copy<dataset.Report>(id === 2 ? reportBad : reportBanking)
      r.dataset = copy(list.find((d) => d.id === id) ?? r.dataset)
      return r
    }),
    examples: vi.fn(async (_id: number, search: string, offset: number, limit: number) => examplesOf(search, offset, limit)),
    examplesByID: vi.fn(async (_id: number, ids: number[]) =>
      copy<dataset.Example[]>(byIDNormalized).filter((e) => ids.includes(e.id))),
    importErrors: vi.fn(async (id: number) => (id === 2 ? copy<dataset.ImportError[]>(errorsBad) : [])),
    fix: vi.fn(async () => {
      list = [copy<dataset.Dataset>(version), ...list]
      return copy<dataset.Dataset>(version)
    }),
    split: vi.fn(async () => {
      const parts = allDatasets.filter((d) => d.id === 4 || d.id === 5).reverse()
      list = [...copy<dataset.Dataset[]>(parts), ...list]
      return copy<dataset.Dataset[]>(parts)
    }),
    mix: vi.fn(async () => copy<dataset.Dataset>(version)),
    exportDataset: vi.fn(async () => '/home/me/train.jsonl'),
    deleteDataset: vi.fn(async (id: number) => {
      list = list.filter((d) => d.id !== id)
    }),
  }
  return {
    api: api as unknown as HoneAPI & typeof api,
    push: (j: Partial<store.Job>) => {
      jobListener?.({ id: 7, kind: 'import', title: `Import ${banking77}`, state: 'running', progress: 0, message: '', error: '', ...j } as store.Job)
      flushSync()
    },
    setList: (l: dataset.Dataset[]) => (list = l),
  }
}

let target: HTMLElement
let mounted: Mounted | null = null

async function render(api: HoneAPI, props: { dropped?: string[]; ontake?: () => void } = {}) {
  mounted = mountIn(Datasets, { api, ...props })
  target = mounted.target
  await settle()
}

afterEach(() => {
  mounted?.destroy()
  mounted = null
})

const all = <T extends HTMLElement = HTMLElement>(id: string, within: ParentNode = target) => allByTestId<T>(within, id)
const el = <T extends HTMLElement = HTMLElement>(id: string, within: ParentNode = target) => byTestId<T>(within, id)
const text = (id: string, within: ParentNode = target) => textOf(within, id)

function button(label: string | RegExp, within: ParentNode = target): HTMLButtonElement {
  const b = [...within.querySelectorAll('button')].find((x) =>
    typeof label === 'string' ? clean(x.textContent) === label : label.test(clean(x.textContent)))
  if (!b) throw new Error(`no button ${label}`)
  return b
}

async function click(b: HTMLElement) {
  b.click()
  await settle()
}

function row(id: number): HTMLElement {
  const r = all('ds-row').find((x) => x.dataset.id === String(id))
  if (!r) throw new Error(`no row for dataset ${id}`)
  return r
}

function expectNoJunk() {
  expect(target.textContent).not.toMatch(/NaN|Infinity|undefined|null/)
}

describe('readDetection', () => {
  it('reads parse.Detection with or without json tags', () => {
    const upper = readDetection(copy(detectBanking))
    expect(upper).toMatchObject({ container: 'csv', format: 'table', delimiter: 44, header: true })
    expect(upper.columns).toEqual({ prompt: 'text', response: '', system: '', label: 'category' })
    expect(upper.preview).toHaveLength(5)
    const lower = readDetection({
      container: 'jsonl', format: 'openai', delimiter: 0, header: false,
      columns: { prompt: '', response: '', system: '', label: '' }, preview: [], why: 'JSON Lines',
    })
    expect(lower).toMatchObject({ container: 'jsonl', format: 'openai', why: 'JSON Lines' })
    expect(readDetection(null)).toMatchObject({ container: '', format: '', delimiter: 0, preview: [] })
  })
})

describe('Datasets screen', () => {
  it('lists the datasets with their size, skipped rows, date and parent', async () => {
    const { api, setList } = fakeAPI()
    setList(copy(allDatasets))
    await render(api)
    expect(el('ds-dropzone')!.textContent).toContain('Drop JSONL, JSON, CSV, TSV or Parquet files here')
    const rows = all('ds-row')
    expect(rows.map((r) => r.dataset.id)).toEqual(['5', '4', '3', '2', '1'])
    const cells = (id: number) => [...row(id).querySelectorAll('td')].map((c) => clean(c.textContent))
    expect(cells(1)).toEqual(['#1 train', '10,003', '0', '819.4 KiB', "csv, table, delimiter ','", expect.stringMatching(/^2026-11-\d\d \d\d:\d\d$/)])
    expect(cells(2).slice(0, 4)).toEqual(['#2 bad', '3', '3', '350 B'])
    expect(text('ds-version-of', row(3))).toBe('version of #1')
    expect(el('ds-version-of', row(1))).toBeNull()
    // The newest is selected, and its recipe says how it was made.
    expect(row(5).classList.contains('selected')).toBe(true)
    expect(text('ds-detail')).toContain('the eval part of a 10% eval split of #1, seed 1')
    expectNoJunk()
  })

  it('previews a dropped file, re-detects on an override, and imports with the overrides', async () => {
    const { api } = fakeAPI()
    const ontake = vi.fn()
    await render(api, { dropped: [banking77], ontake })
    expect(ontake).toHaveBeenCalled()
    const preview = el('ds-preview')!
    expect(api.detect).toHaveBeenCalledWith(banking77, {
      container: '', format: '', delimiter: 0, header: null,
      columns: { prompt: '', response: '', system: '', label: '' }, strict: false,
    })
    expect(text('ds-preview-format', preview)).toBe('CSV · Table')
    expect(text('ds-preview-why', preview)).toContain('label "category"')
    expect(el<HTMLInputElement>('ds-preview-column-label', preview)!.value).toBe('category')
    expect(el<HTMLInputElement>('ds-preview-column-prompt', preview)!.value).toBe('text')
    const bubbles = all('ds-example', preview)
    expect(bubbles).toHaveLength(5)
    expect(bubbles[0].querySelector('.user')!.textContent).toContain('I am still waiting on my card?')
    expect(bubbles[0].querySelector('.label-chip')!.textContent).toBe('card_arrival')
    expect(bubbles[0].textContent).toContain('line 2')

    // Override the format: the file is read again, and the preview follows.
    await chooseIn(el<HTMLSelectElement>('ds-preview-format-select', preview)!, 'text')
    expect(api.detect).toHaveBeenLastCalledWith(banking77, expect.objectContaining({ format: 'text' }))
    expect(text('ds-preview-format', preview)).toBe('CSV · Plain text')
    expect(all('ds-example', preview)[0].textContent).toContain('plain text')
    // CSV settings and a column of one's own: all four columns go to Go.
    await chooseIn(el<HTMLSelectElement>('ds-preview-header', preview)!, 'yes')
    await chooseIn(el<HTMLSelectElement>('ds-preview-delimiter', preview)!, '44')
    typeInto(el<HTMLInputElement>('ds-preview-column-label', preview)!, 'category')
    await wait(400)
    expect(api.detect).toHaveBeenLastCalledWith(banking77, {
      container: '', format: 'text', delimiter: 44, header: true,
      columns: { prompt: 'text', response: '', system: '', label: 'category' }, strict: false,
    })
    const strict = el<HTMLInputElement>('ds-preview-strict', preview)!
    strict.checked = true
    strict.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    typeInto(el<HTMLInputElement>('ds-preview-name', preview)!, ' banking ')

    await click(el('ds-import', preview)!)
    expect(api.importFiles).toHaveBeenCalledWith([banking77], {
      name: 'banking',
      parse: {
        container: '', format: 'text', delimiter: 44, header: true,
        columns: { prompt: 'text', response: '', system: '', label: 'category' }, strict: true,
      },
    })
    expect(el('ds-preview')).toBeNull()
    expect(all('ds-progress')).toHaveLength(1)
    expectNoJunk()
  })

  it('Choose files… previews each picked file; Cancel drops a preview', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(el('ds-choose')!)
    expect(api.pickFiles).toHaveBeenCalled()
    expect(text('ds-preview-format')).toBe('JSON Lines · OpenAI chat')
    expect(el('ds-preview-columns')).toBeNull() // not a table
    expect(el('ds-preview-delimiter')).toBeNull()
    await click(button('Cancel', el('ds-preview')!))
    expect(el('ds-preview')).toBeNull()
    expect(api.importFiles).not.toHaveBeenCalled()
  })

  it('shows the progress of an import, cancels it, and refreshes and selects the dataset when it ends', async () => {
    const { api, push, setList } = fakeAPI()
    setList([])
    await render(api)
    expect(text('ds-empty')).toContain('No datasets yet')
    push({ progress: 0.42, message: '4,200 rows, 60,000 rows/s, 1s left' })
    const p = el('ds-progress')!
    expect(p.dataset.state).toBe('running')
    expect(text('ds-progress-message', p)).toBe('4,200 rows, 60,000 rows/s, 1s left')
    expect(p.textContent).toContain('42%')
    expect(p.querySelector<HTMLElement>('.fill')!.style.width).toBe('42%')
    await click(button('Cancel', p))
    expect(api.cancelJob).toHaveBeenCalledWith(7)

    // Other kinds of jobs are not this screen's.
    push({ id: 8, kind: 'train', title: 'Train' })
    expect(all('ds-progress')).toHaveLength(1)

    const calls = api.datasets.mock.calls.length
    setList(copy(imported))
    push({ state: 'succeeded', progress: 1, message: 'dataset 1: 10003 examples, 0 rows skipped', result: { datasetId: 1 } })
    await settle()
    expect(api.datasets.mock.calls.length).toBe(calls + 1)
    expect(all('ds-progress')).toHaveLength(0)
    expect(all('ds-row')).toHaveLength(2)
    expect(row(1).classList.contains('selected')).toBe(true)
    expect(text('ds-notice')).toContain('Imported train.csv as #1 train: 10,003 examples, 0 rows skipped.')
    expect(api.datasetReport).toHaveBeenLastCalledWith(1)
    // A late update of the ended job changes nothing.
    push({ state: 'running', progress: 0.9 })
    expect(all('ds-progress')).toHaveLength(0)
  })

  it('shows why an import failed, in an alert, without NaN or undefined', async () => {
    const { api, push } = fakeAPI()
    await render(api)
    push({ title: `Import ${bad}`, progress: Number.NaN as unknown as number })
    expect(el('ds-progress')!.querySelector<HTMLElement>('.fill')!.style.width).toBe('0%')
    push({ title: `Import ${bad}`, state: 'failed', error: `${bad} line 3: invalid JSON at column 2` })
    const p = el('ds-progress')!
    expect(p.dataset.state).toBe('failed')
    expect(p.querySelector('[role="alert"]')!.textContent).toBe(`${bad} line 3: invalid JSON at column 2`)
    expectNoJunk()
    await click(button('Dismiss', p))
    expect(el('ds-progress')).toBeNull()
  })

  it('picks up imports that were running before the screen opened', async () => {
    const { api } = fakeAPI()
    api.jobs.mockResolvedValueOnce([
      { id: 3, kind: 'import', title: `Import ${banking77}`, state: 'running', progress: 0.5, message: '5,000 rows', error: '' } as store.Job,
      { id: 2, kind: 'import', title: 'Import /old.csv', state: 'succeeded', progress: 1, message: '', error: '' } as store.Job,
    ])
    await render(api)
    expect(all('ds-progress')).toHaveLength(1)
    expect(text('ds-progress-message')).toBe('5,000 rows')
  })

  it('renders the report: counts, findings, labels and the length histogram', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(row(1))
    const r = el('ds-report')!
    expect(text('ds-report-examples', r)).toBe('10,003')
    expect(text('ds-report-labels', r)).toBe('77')
    const findings = all('ds-finding', r)
    expect(findings.map((f) => f.dataset.key)).toEqual(['normalized-duplicates', 'near-duplicates'])
    expect(text('ds-finding-count', findings[0])).toBe('30 examples')
    expect(text('ds-finding-count', findings[1])).toBe('324 examples')
    expect(findings[0].textContent).toContain('Warning')
    expect(findings[0].textContent).toContain('Examples that differ only in case, spaces or punctuation count as repeats.')
    expect(clean(el('ds-fix', findings[0])!.textContent)).toBe('Make a version without duplicates up to case and punctuation')
    expect(clean(el('ds-fix', findings[1])!.textContent)).toBe('Make a version without near-duplicates')

    // Labels: the 30 most common drawn, the other 47 counted.
    const bars = [...el('ds-labels', r)!.querySelectorAll<HTMLElement>('[data-label]')]
    expect(bars).toHaveLength(30)
    expect(bars[0].dataset.label).toBe('card_payment_fee_charged')
    expect(bars[0].dataset.count).toBe('187')
    expect(bars[0].querySelector<HTMLElement>('.track i')!.style.width).toBe('100%')
    expect(text('ds-labels-more', r)).toMatch(/^and 47 more labels with [\d,]+ examples between them$/)
    expect(text('ds-imbalance', r)).toBe('5.3×')

    // Lengths: one bar a bucket, heights in proportion to the counts.
    const rects = [...el('ds-histogram', r)!.querySelectorAll<SVGRectElement>('rect.bucket')]
    expect(rects.map((x) => Number(x.dataset.count))).toEqual([0, 23, 4144, 4730, 1020, 86])
    const h = rects.map((x) => Number(x.getAttribute('height')))
    expect(h.every(Number.isFinite)).toBe(true)
    expect(h[3]).toBeGreaterThan(h[2])
    expect(h[2] / h[3]).toBeCloseTo(4144 / 4730, 2)
    expect(el('ds-histogram', r)!.getAttribute('aria-label')).toContain('median 68')
    const shape = [...el('ds-shape', r)!.querySelectorAll('tr')].map((t) => [...t.querySelectorAll('td')].map((c) => clean(c.textContent)))
    expect(shape).toEqual([['user → assistant', '10,003'], ['With a system prompt', '0'], ['Multi-turn', '0'], ['Plain text', '0']])
    expectNoJunk()
  })

  it('shows the duplicate groups behind a finding as chat bubbles', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(row(1))
    const f = all('ds-finding')[0]
    await click(button('Show examples', f))
    const ids = api.examplesByID.mock.calls[0][1]
    expect(api.examplesByID.mock.calls[0][0]).toBe(1)
    expect(ids).toHaveLength(40)
    expect(ids.slice(0, 2)).toEqual([575, 611])
    const groups = all('ds-finding-group', f)
    expect(groups).toHaveLength(20)
    expect(all('ds-example', groups[0])).toHaveLength(2)
    expect(groups[0].textContent).toContain('Group 1 · 2 examples')
    expect(groups[0].textContent).toContain('Why do I see an extra £1 charge on my statement?')
    await click(button('Hide examples', f))
    expect(all('ds-finding-group', f)).toHaveLength(0)
  })

  it('Fix makes a new version and selects it; the original stays', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(row(1))
    await click(el('ds-fix', all('ds-finding')[0])!)
    expect(api.fix).toHaveBeenCalledWith(1, 'dedupe-normalized')
    expect(all('ds-row').map((r) => r.dataset.id)).toEqual(['3', '2', '1'])
    expect(row(3).classList.contains('selected')).toBe(true)
    expect(text('ds-version-of', row(3))).toBe('version of #1')
    expect(text('ds-detail')).toContain('#3 train (without duplicates up to case and punctuation)')
    expect(text('ds-detail')).toContain('#1 without duplicates up to case and punctuation: 30 examples removed')
    expect(text('ds-notice')).toBe('Made #3 train (without duplicates up to case and punctuation) (9,973 examples). #1 stays as it was. OK')
    expect(api.datasetReport).toHaveBeenLastCalledWith(3)
  })

  it('the example browser draws only the rows in view and reads pages as one scrolls', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(row(1))
    await click(el('ds-tab-examples')!)
    expect(api.examples).toHaveBeenCalledTimes(1)
    expect(api.examples).toHaveBeenCalledWith(1, '', 0, examplePageSize)
    const vp = el('ds-examples-viewport')!
    const spacer = vp.querySelector<HTMLElement>('.spacer')!
    expect(spacer.style.height).toBe(`${10003 * exampleRowHeight}px`)
    const shown = all('ds-example', vp)
    // A 560 px viewport (what jsdom gets) shows about six rows, plus a few either side.
    expect(shown.length).toBeGreaterThan(4)
    expect(shown.length).toBeLessThan(16)
    expect(text('ds-examples-count')).toBe('10,003 examples')
    expect(shown[0].textContent).toContain('#1')
    expect(shown[0].querySelector('.user')!.textContent).toContain('I am still waiting on my card?')

    // Scroll to example 1,500: its page (offset 1,500) is read; the first rows go.
    Object.defineProperty(vp, 'scrollTop', { value: 1500 * exampleRowHeight, configurable: true })
    vp.dispatchEvent(new Event('scroll'))
    await settle()
    expect(api.examples).toHaveBeenCalledWith(1, '', 1500, examplePageSize)
    expect(api.examples.mock.calls.every((c) => c[3] <= 1000)).toBe(true)
    const rows = [...vp.querySelectorAll<HTMLElement>('[data-index]')].map((r) => Number(r.dataset.index))
    expect(Math.min(...rows)).toBeGreaterThan(1490)
    expect(Math.max(...rows)).toBeLessThan(1515)
    expect(all('ds-example', vp).length).toBeLessThan(16)
    expect(text('ds-examples')).toContain('#1,501')

    // A click shows the whole example beside the list.
    await click(vp.querySelector<HTMLElement>('[role="button"]')!)
    expect(target.querySelector('aside')!.querySelector('[data-testid="ds-example"]')).not.toBeNull()
  })

  it('search is debounced and asks the Go side for the matching examples', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(row(1))
    await click(el('ds-tab-examples')!)
    const search = el<HTMLInputElement>('ds-search')!
    typeInto(search, 'ref')
    typeInto(search, 'refund')
    await wait(100)
    expect(api.examples).toHaveBeenCalledTimes(1)
    await wait(300)
    expect(api.examples).toHaveBeenCalledTimes(2)
    expect(api.examples).toHaveBeenLastCalledWith(1, 'refund', 0, examplePageSize)
    expect(text('ds-examples-count')).toBe('353 of 10,003 examples match “refund”')
    const shown = all('ds-example', el('ds-examples-viewport')!)
    expect(shown.length).toBeGreaterThan(0)
    expect(shown[0].textContent).toContain('refund')
    expect(el('ds-examples-viewport')!.querySelector<HTMLElement>('.spacer')!.style.height).toBe(`${353 * exampleRowHeight}px`)
  })

  it('lists the skipped rows with their line numbers', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(row(2))
    expect(text('ds-tab-errors')).toBe('Skipped rows 3')
    await click(el('ds-tab-errors')!)
    expect(api.importErrors).toHaveBeenCalledWith(2, 500)
    const rows = all('ds-error-row')
    expect(rows.map((r) => text('ds-error-line', r))).toEqual(['3', '4', '6'])
    expect([...rows[1].querySelectorAll('td')].map((c) => clean(c.textContent))).toEqual([
      'bad.jsonl', '4', 'messages[0]', 'the last turn is user: a conversation must end with an assistant turn'])
    expect(rows[0].querySelector('td')!.getAttribute('title')).toBe('/tmp/bad/bad.jsonl')
    // banking77 skipped none.
    await click(row(1))
    expect(text('ds-errors-none')).toContain('No rows were skipped')
  })

  it('surfaces errors of the Go side in alerts', async () => {
    const { api } = fakeAPI()
    api.datasetReport.mockRejectedValue('dataset 1: database is locked')
    api.detect.mockRejectedValue('/tmp/x/bad.jsonl: the first rows match no known shape')
    await render(api, { dropped: [bad] })
    await click(row(1))
    const alerts = [...target.querySelectorAll('[role="alert"]')].map((a) => clean(a.textContent))
    expect(alerts).toContain('/tmp/x/bad.jsonl: the first rows match no known shape')
    expect(alerts).toContain('Could not make the report: dataset 1: database is locked')
    expect(el<HTMLButtonElement>('ds-import')!.disabled).toBe(true)
    expect(all('ds-error').length).toBe(2)
    expectNoJunk()
  })

  it('splits with the eval fraction and seed given, refusing a bad fraction', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(row(1))
    await click(button('Split…'))
    typeInto(el<HTMLInputElement>('ds-split-eval')!, '2')
    await click(el('ds-split-go')!)
    expect(text('ds-error')).toBe('Eval fraction 2: want more than 0 and less than 1 (0% to 100%).')
    expect(api.split).not.toHaveBeenCalled()
    typeInto(el<HTMLInputElement>('ds-split-eval')!, '10%')
    typeInto(el<HTMLInputElement>('ds-split-seed')!, '7')
    await click(el('ds-split-go')!)
    expect(api.split).toHaveBeenCalledWith(1, 0.1, 7)
    expect(text('ds-notice')).toContain('Split into #4 train (train) (8,998 examples) and #5 train (eval) (1,005 examples).')
    expect(row(4).classList.contains('selected')).toBe(true)
  })

  it('mixes the chosen datasets by weight', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(row(1))
    await click(button('Mix…'))
    const panel = el('ds-mix')!
    const boxes = [...panel.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')]
    expect(boxes.map((b) => b.checked)).toEqual([false, true]) // #2, #1
    boxes[0].checked = true
    boxes[0].dispatchEvent(new Event('change', { bubbles: true }))
    flushSync()
    typeInto(panel.querySelector<HTMLInputElement>('input[aria-label="Weight of #2"]')!, '3')
    await click(button('Make the mix', panel))
    expect(api.mix).toHaveBeenCalledWith('train mix', [{ dataset: 2, weight: 3 }, { dataset: 1, weight: 1 }], 0, 1)
  })

  it('exports, and deletes after asking', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(row(2))
    await click(el('ds-export')!)
    expect(api.exportDataset).toHaveBeenCalledWith(2)
    expect(text('ds-notice')).toContain('Saved #2 bad to /home/me/train.jsonl.')
    await click(button('Delete…'))
    expect(text('ds-delete')).toContain('Delete #2 bad and its 3 examples? Versions made from it stay.')
    expect(api.deleteDataset).not.toHaveBeenCalled()
    await click(el('ds-delete-go')!)
    expect(api.deleteDataset).toHaveBeenCalledWith(2)
    expect(all('ds-row').map((r) => r.dataset.id)).toEqual(['1'])
  })
})
