import { describe, expect, it } from 'vitest'
import type { store } from '../../wailsjs/go/models'
import {
  applyEvent, columns, decisive, keepPanes, renderMarkdown, settingsForm, settingsFrom, statsLine, togglePane, winRate,
  type Live, type Pending,
} from './chat'

// html parses what renderMarkdown made, as the page would.
function html(text: string): HTMLElement {
  const div = document.createElement('div')
  div.innerHTML = renderMarkdown(text)
  return div
}

describe('renderMarkdown', () => {
  it('renders Markdown: emphasis, lists, tables and code with its language', () => {
    const d = html('**bold** and *it*\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```go\nfmt.Println("<hi>")\n```')
    expect(d.querySelector('strong')?.textContent).toBe('bold')
    expect(d.querySelectorAll('li')).toHaveLength(2)
    expect(d.querySelectorAll('td')).toHaveLength(2)
    const code = d.querySelector('pre code')!
    expect(code.className).toBe('language-go')
    expect(code.textContent).toBe('fmt.Println("<hi>")\n')
  })

  it('keeps no script, handler, image or style from model text: raw HTML shows as text', () => {
    const evil = [
      '<script>window.pwned = 1</script>',
      '<img src=x onerror="window.pwned = 2">',
      'inline <img src=x onerror=alert(1)> image',
      '<a href="javascript:alert(3)">click</a>',
      '[click](javascript:alert(4))',
      '![alt text](http://tracker.example/p.png)',
      '<div style="position:fixed" onclick="x()">overlay</div>',
      '<svg onload=alert(5)></svg>',
      '<iframe src="http://example.com"></iframe>',
    ].join('\n\n')
    const d = html(evil)
    expect(d.querySelectorAll('script, img, iframe, svg, style, [style]')).toHaveLength(0)
    for (const el of d.querySelectorAll('*')) {
      for (const a of el.attributes) expect(a.name).not.toMatch(/^on|^href$|^src$/)
    }
    // The tags the model wrote are there as text, to read, not to run.
    expect(d.textContent).toContain('<script>window.pwned = 1</script>')
    expect(d.textContent).toContain('<img src=x onerror="window.pwned = 2">')
    expect(d.textContent).toContain('[image: alt text]')
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined()
  })

  it('keeps a link\'s words and shows where it points without going there', () => {
    const a = html('see [the docs](https://example.com/x?a=1&b="2")').querySelector('a')!
    expect(a.textContent).toBe('the docs')
    expect(a.getAttribute('href')).toBeNull()
    expect(a.getAttribute('title')).toBe('https://example.com/x?a=1&b="2"')
  })

  it('renders nothing for no text', () => {
    expect(renderMarkdown('')).toBe('')
  })
})

describe('settings', () => {
  it('round-trips the defaults; an empty seed is a new one each turn', () => {
    const f = settingsForm({ temperature: 0.8, topP: 0.95, maxTokens: 512 })
    expect(f).toEqual({ temperature: '0.8', topP: '0.95', maxTokens: '512', seed: '' })
    expect(settingsFrom(f)).toEqual({ settings: { temperature: 0.8, topP: 0.95, maxTokens: 512 } })
    expect(settingsFrom({ ...f, seed: '42' })).toEqual({ settings: { temperature: 0.8, topP: 0.95, maxTokens: 512, seed: 42 } })
  })

  it.each([
    ['temperature', '3', /Temperature 3: enter 0 \(greedy\) to 2/],
    ['temperature', '', /Temperature \(empty\)/],
    ['topP', '0', /Top-p 0/],
    ['maxTokens', '1.5', /Max tokens 1.5: enter a whole number/],
    ['seed', '-1', /Seed -1/],
    ['seed', '9007199254740993', /Seed 9007199254740993/],
  ] as const)('names %s when it is %j', (field, value, want) => {
    const r = settingsFrom({ ...settingsForm({ temperature: 1, topP: 1, maxTokens: 8 }), [field]: value })
    expect('field' in r && r.field).toBe(field)
    expect('error' in r && r.error).toMatch(want)
  })
})

describe('panes', () => {
  const cands = [{ id: 'base' }, { id: 'c-4' }, { id: 'b-3' }, { id: 'a-2' }, { id: 'd-5' }, { id: 'e-6' }]
  it('opens in the candidates\' order and stops at five', () => {
    let p = ['base']
    p = togglePane(p, 'a-2', cands)
    p = togglePane(p, 'c-4', cands)
    expect(p).toEqual(['base', 'c-4', 'a-2'])
    p = togglePane(togglePane(p, 'd-5', cands), 'b-3', cands)
    expect(p).toEqual(['base', 'c-4', 'b-3', 'a-2', 'd-5'])
    expect(togglePane(p, 'e-6', cands)).toEqual(p)
    expect(togglePane(p, 'base', cands)).toEqual(['c-4', 'b-3', 'a-2', 'd-5'])
  })

  it('keeps what the new base offers, else the base', () => {
    expect(keepPanes(['base', 'a-2', 'gone-9'], cands)).toEqual(['base', 'a-2'])
    expect(keepPanes(['gone-9'], cands)).toEqual(['base'])
    expect(keepPanes(['a-2'], [])).toEqual([])
  })
})

const msg = (id: number, role: string, content: string, pane = '', stats?: Partial<store.ChatStats>) =>
  ({ id, conversationId: 1, pane, role, content, stats: stats ?? {}, createdAt: '' }) as unknown as store.ChatMessage

describe('columns', () => {
  const stored = [msg(1, 'user', 'q1'), msg(2, 'assistant', 'b1', 'base', { seed: 7 }), msg(3, 'assistant', 'x1', 'x-1'),
    msg(4, 'user', 'q2'), msg(5, 'assistant', 'b2', 'base')]

  it('gives each pane every user turn with its own answer', () => {
    const c = columns(stored, ['base', 'x-1'], null)
    expect(c.base.map((t) => [t.user.content, t.answer?.content, t.last])).toEqual([['q1', 'b1', false], ['q2', 'b2', true]])
    expect(c['x-1'].map((t) => [t.user.content, t.answer?.content ?? null])).toEqual([['q1', 'x1'], ['q2', null]])
    expect(c.base[0].answer?.stats?.seed).toBe(7)
  })

  it('adds the turn being sent with what each pane streamed', () => {
    const live: Record<string, Live> = { base: { text: 'Once upon', done: false, stats: null, error: '' } }
    const p: Pending = { user: 'q3', from: 0, panes: ['base', 'x-1'], live }
    const c = columns(stored, ['base', 'x-1'], p)
    expect(c.base[2]).toEqual({ user: { id: 0, content: 'q3' }, answer: { id: 0, content: 'Once upon', stats: null, streaming: true, error: '' }, last: true })
    expect(c['x-1'][2].answer).toMatchObject({ content: '', streaming: true })
  })

  it('hides an edited turn and what followed it; a regenerate replaces one pane\'s last answer', () => {
    const edit = columns(stored, ['base'], { user: 'q2 edited', from: 4, panes: ['base'], live: {} })
    expect(edit.base.map((t) => t.user.content)).toEqual(['q1', 'q2 edited'])
    const regen = columns(stored, ['base', 'x-1'], { user: null, from: 0, panes: ['x-1'], live: { 'x-1': { text: 'new', done: true, stats: null, error: '' } } })
    expect(regen['x-1'][1].answer).toMatchObject({ content: 'new', streaming: false })
    expect(regen.base[1].answer?.content).toBe('b2')
  })

  it('streams events into the panes they name', () => {
    let live: Record<string, Live> = {}
    live = applyEvent(live, { stream: 's', conversation: 1, pane: 'a', text: 'He', done: false })
    live = applyEvent(live, { stream: 's', conversation: 1, pane: 'b', text: 'Yo', done: false })
    live = applyEvent(live, { stream: 's', conversation: 1, pane: 'a', text: 'llo', done: true, stats: { seed: 3 } as store.ChatStats })
    expect(live.a).toEqual({ text: 'Hello', done: true, stats: { seed: 3 }, error: '' })
    expect(live.b.done).toBe(false)
  })
})

describe('stats and the arena', () => {
  it('says how an answer was made', () => {
    const s = { ttftMs: 123.4, tokensPerSecond: 45.67, completionTokens: 1234, seed: 42, finish: 'length' } as store.ChatStats
    expect(statsLine(s)).toBe('first token 123 ms · 45.7 tok/s · 1,234 tokens · seed 42 · cut at the token limit')
    expect(statsLine({ ...s, ttftMs: 2500, finish: 'cancelled' })).toMatch(/^first token 2.50 s .* stopped$/)
    expect(statsLine(null)).toBe('')
  })

  it('prints win rates and counts the decisive votes', () => {
    expect(winRate({ wins: 1, losses: 2, ties: 1, winRate: 0.375 })).toBe('38%')
    expect(winRate({ wins: 0, losses: 0, ties: 0, winRate: 0 })).toBe('—')
    const st = { votes: 5, standings: [], pairs: [{ wins: 2, losses: 1, ties: 1, bothBad: 1 }, { wins: 0, losses: 1, ties: 0, bothBad: 0 }] }
    expect(decisive(st as never)).toBe(4)
    expect(decisive(null)).toBe(0)
  })
})
