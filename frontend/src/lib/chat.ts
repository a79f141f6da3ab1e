// Helpers of the Chat screen: model output as sanitised Markdown, the
// sampling settings as typed, the panes one compares, each pane's thread
// (stored turns, the turn being sent, its answers streaming in), the stats
// under an answer and the arena's table. Model output is untrusted text:
// it reaches the page only through renderMarkdown.
import DOMPurify from 'dompurify'
import { Marked, type Tokens } from 'marked'
import type { core, store } from '../../wailsjs/go/models'
import { fixed, group } from './format'

// ---- Markdown ---------------------------------------------------------------

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => escapes[c])
}

// Raw HTML in model text is shown as the text it is; links keep their words
// and show the address on hover but go nowhere (a click would take the
// window away from Hone); images become their alt text (loading one would
// fetch from wherever the model said).
const md = new Marked({ gfm: true, breaks: true, async: false }).use({
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHTML(text)
    },
    link(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, { href, tokens }: Tokens.Link) {
      return `<a class="md-link" title="${escapeHTML(href)}">${this.parser.parseInline(tokens)}</a>`
    },
    image({ text }: Tokens.Image) {
      return escapeHTML(text ? `[image: ${text}]` : '[image]')
    },
  },
})

// What DOMPurify lets through beside its defaults' removals (scripts, event
// handlers, javascript: URLs): nothing that loads, submits or styles.
const purify = {
  FORBID_TAGS: ['img', 'style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'svg', 'math', 'video', 'audio', 'source', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'id', 'name'],
}

// renderMarkdown turns model output into HTML safe to put in the page.
export function renderMarkdown(text: string): string {
  const html = md.parse(text ?? '') as string
  return DOMPurify.sanitize(html, purify)
}

// ---- settings ---------------------------------------------------------------

// The sampling settings as the Go side takes them (core.ChatSettings).
export interface ChatSettingsLike {
  temperature: number
  topP: number
  maxTokens: number
  seed?: number
}

// SettingsForm is the settings as typed; the seed '' means a new one each turn.
export interface SettingsForm {
  temperature: string
  topP: string
  maxTokens: string
  seed: string
}

export const maxSeed = Number.MAX_SAFE_INTEGER // 2^53 - 1, as the Go side bounds it

export function settingsForm(s: Partial<ChatSettingsLike>): SettingsForm {
  const num = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : '')
  return { temperature: num(s.temperature), topP: num(s.topP), maxTokens: num(s.maxTokens), seed: num(s.seed ?? undefined) }
}

// settingsFrom reads the form, or names the first field that cannot be sent.
export function settingsFrom(f: SettingsForm): { settings: ChatSettingsLike } | { error: string; field: keyof SettingsForm } {
  const read = (key: keyof SettingsForm, label: string, ok: (v: number) => boolean, want: string) => {
    const t = f[key].trim()
    const v = Number(t)
    return t !== '' && Number.isFinite(v) && ok(v) ? v : { error: `${label} ${t || '(empty)'}: ${want}.`, field: key }
  }
  const temperature = read('temperature', 'Temperature', (v) => v >= 0 && v <= 2, 'enter 0 (greedy) to 2')
  if (typeof temperature !== 'number') return temperature
  const topP = read('topP', 'Top-p', (v) => v > 0 && v <= 1, 'enter a number above 0, up to 1')
  if (typeof topP !== 'number') return topP
  const maxTokens = read('maxTokens', 'Max tokens', (v) => Number.isInteger(v) && v >= 1 && v <= 1 << 20, 'enter a whole number from 1')
  if (typeof maxTokens !== 'number') return maxTokens
  const settings: ChatSettingsLike = { temperature, topP, maxTokens }
  if (f.seed.trim() !== '') {
    const seed = read('seed', 'Seed', (v) => Number.isInteger(v) && v >= 0 && v <= maxSeed, 'enter a whole number from 0, or leave it empty')
    if (typeof seed !== 'number') return seed
    settings.seed = seed
  }
  return { settings }
}

// ---- panes ------------------------------------------------------------------

export const baseID = 'base' // core.BaseModelID
export const maxPanes = 5 // core.MaxPanes: the base and up to four adapters

// togglePane opens or closes a pane; opened panes keep the candidates'
// order (the base first). It answers the panes unchanged when a sixth
// would open.
export function togglePane(panes: string[], id: string, candidates: { id: string }[]): string[] {
  if (panes.includes(id)) return panes.filter((p) => p !== id)
  if (panes.length >= maxPanes) return panes
  const order = candidates.map((c) => c.id)
  return [...panes, id].sort((a, b) => order.indexOf(a) - order.indexOf(b))
}

// keepPanes is what stays open of panes on a base with these candidates:
// the base when nothing else does.
export function keepPanes(panes: string[], candidates: { id: string }[]): string[] {
  const ids = new Set(candidates.map((c) => c.id))
  const kept = panes.filter((p) => ids.has(p)).slice(0, maxPanes)
  return kept.length ? kept : ids.has(baseID) ? [baseID] : []
}

export function candidateName(id: string, candidates: core.ChatCandidate[]): string {
  return candidates.find((c) => c.id === id)?.name ?? id
}

// ---- streams ---------------------------------------------------------------

// ChatStreamEvent is the Go side's app.ChatStreamEvent ("chat" events).
export interface ChatStreamEvent {
  stream: string
  conversation: number
  pane: string
  text: string
  done: boolean
  stats?: store.ChatStats
  error?: string
}

// Live is a pane's answer as it streams.
export interface Live {
  text: string
  done: boolean
  stats: store.ChatStats | null
  error: string
}

// applyEvent adds an event of a stream to its panes' live answers.
export function applyEvent(live: Record<string, Live>, e: ChatStreamEvent): Record<string, Live> {
  const cur = live[e.pane] ?? { text: '', done: false, stats: null, error: '' }
  return {
    ...live,
    [e.pane]: { text: cur.text + (e.text ?? ''), done: cur.done || !!e.done, stats: e.stats ?? cur.stats, error: e.error || cur.error },
  }
}

let streams = 0
// newStream names a stream: the Go side tags its events with it.
export function newStream(kind: string): string {
  return `${kind}-${Date.now().toString(36)}-${++streams}`
}

// ---- threads ---------------------------------------------------------------

// Pending is a turn in flight: the user text being sent (null: a
// regenerate), the stored messages it replaces (from that id on: an edit),
// the panes answering, and what they have streamed.
export interface Pending {
  user: string | null
  from: number
  panes: string[]
  live: Record<string, Live>
}

export interface AnswerView {
  id: number // 0 while it streams
  content: string
  stats: store.ChatStats | null
  streaming: boolean
  error: string
}

export interface Cell {
  user: { id: number; content: string } // id 0: being sent
  answer: AnswerView | null // null: this pane did not answer that turn
  last: boolean
}

// columns lays each pane's thread out: every user turn, with that pane's
// answer to it, and the turn in flight with what streamed so far.
export function columns(messages: store.ChatMessage[], panes: string[], p: Pending | null): Record<string, Cell[]> {
  type Turn = { user: { id: number; content: string }; answers: Record<string, AnswerView> }
  const turns: Turn[] = []
  for (const m of messages) {
    if (p && p.from > 0 && m.id >= p.from) break
    if (m.role === 'user') turns.push({ user: { id: m.id, content: m.content }, answers: {} })
    else if (turns.length) {
      turns[turns.length - 1].answers[m.pane] = { id: m.id, content: m.content, stats: m.stats ?? null, streaming: false, error: m.stats?.error ?? '' }
    }
  }
  if (p && p.user !== null) turns.push({ user: { id: 0, content: p.user }, answers: {} })
  if (p && turns.length) {
    const last = turns[turns.length - 1]
    for (const pane of p.panes) {
      const l = p.live[pane]
      last.answers[pane] = { id: 0, content: l?.text ?? '', stats: l?.stats ?? null, streaming: !l?.done, error: l?.error ?? '' }
    }
  }
  const out: Record<string, Cell[]> = {}
  for (const pane of panes) {
    out[pane] = turns.map((t, i) => ({ user: t.user, answer: t.answers[pane] ?? null, last: i === turns.length - 1 }))
  }
  return out
}

// ---- stats -------------------------------------------------------------------

const finishes: Record<string, string> = {
  stop: 'finished', length: 'cut at the token limit', cancelled: 'stopped', error: 'failed',
}

// statsLine is what shows under an answer: time to first token, decode
// speed, tokens, the seed, and how it ended.
export function statsLine(s: store.ChatStats | null): string {
  if (!s) return ''
  const parts: string[] = []
  if (s.ttftMs > 0) parts.push(`first token ${s.ttftMs >= 1000 ? `${fixed(s.ttftMs / 1000, 2)} s` : `${group(s.ttftMs)} ms`}`)
  if (s.tokensPerSecond > 0) parts.push(`${fixed(s.tokensPerSecond, 1)} tok/s`)
  if (s.completionTokens > 0) parts.push(`${group(s.completionTokens)} tokens`)
  parts.push(`seed ${s.seed}`)
  if (s.finish) parts.push(finishes[s.finish] ?? s.finish)
  return parts.join(' · ')
}

// ---- arena -------------------------------------------------------------------

export const votes: { key: string; label: string }[] = [
  { key: 'a', label: 'A is better' },
  { key: 'b', label: 'B is better' },
  { key: 'tie', label: 'Tie' },
  { key: 'both_bad', label: 'Both are bad' },
]

export function voteText(winner: string): string {
  return { a: 'A was better', b: 'B was better', tie: 'a tie', both_bad: 'both were bad' }[winner] ?? winner
}

// winRate prints a record's win rate, or a dash before any vote that counts.
export function winRate(r: { wins: number; losses: number; ties: number; winRate: number }): string {
  return r.wins + r.losses + r.ties > 0 && Number.isFinite(r.winRate) ? `${Math.round(r.winRate * 100)}%` : '—'
}

// decisive counts the votes that named a winner: what an export writes.
export function decisive(st: core.ArenaStats | null): number {
  return (st?.pairs ?? []).reduce((n, p) => n + p.wins + p.losses, 0)
}
