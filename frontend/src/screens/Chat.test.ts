import { afterEach, describe, expect, it, vi } from 'vitest'
import type { app, core, model, store } from '../../wailsjs/go/models'
import type { HoneAPI } from '../lib/api'
import type { ChatStreamEvent } from '../lib/chat'
import Chat from './Chat.svelte'
import fixture from './fixtures/chat-stories260K.json'
import { allByTestId, byTestId, chooseIn, clean, mountIn, settle, textOf, typeInto, type Mounted } from './testing'

// The fixture is what the Go side answered (core.Conversation,
// core.ChatCandidates and core.ArenaStats over the fake engine of the core
// tests): stories260K with adapters alpha and beta, a conversation of two
// turns (beta not open on the second), and three arena votes.
const storiesPath = fixture.conversation.conversation.modelPath
const stories = { name: 'stories260K', path: storiesPath, architecture: 'llama', format: 'llama2c' } as model.Found
const smol = { name: 'SmolLM2-135M', path: '/models/smol.gguf', architecture: 'llama', format: 'gguf' } as model.Found
const broken = { name: 'broken', path: '/models/broken', error: 'no config.json' } as model.Found
const stats = { ttftMs: 80, tokensPerSecond: 42.5, completionTokens: 12, seed: 7, finish: 'stop' } as store.ChatStats

// deferred is a call the test answers when it wants to.
function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

function fakeAPI() {
  let listener: ((e: ChatStreamEvent) => void) | null = null
  const view = structuredClone(fixture.conversation) as unknown as core.ConversationView
  const state = {
    views: new Map<number, core.ConversationView>([[1, view]]),
    list: [view.conversation] as store.Conversation[],
    send: deferred<core.SendResult>(),
    arena: deferred<core.ArenaMatch>(),
    arenaStats: structuredClone(fixture.arenaStats) as unknown as core.ArenaStats,
  }
  const api = {
    onChat: vi.fn((cb: (e: ChatStreamEvent) => void) => {
      listener = cb
      return () => (listener = null)
    }),
    models: vi.fn(async () => [stories, broken, smol]),
    conversations: vi.fn(async () => structuredClone(state.list)),
    chatDefaults: vi.fn(async () => ({ temperature: 0.8, topP: 0.95, maxTokens: 512 }) as core.ChatSettings),
    chatCandidates: vi.fn(async (path: string) =>
      path === storiesPath ? structuredClone(fixture.candidates) : [{ id: 'base', name: 'smol (base)', adapterId: 0, path }]),
    conversation: vi.fn(async (id: number) => structuredClone(state.views.get(id)!)),
    newConversation: vi.fn(async (m: string, system: string, s: core.ChatSettings) => {
      const c = { id: 2, title: '', modelPath: m, system, sampling: s, createdAt: '2026-12-08T10:00:00Z', updatedAt: '2026-12-08T10:00:00Z' } as store.Conversation
      state.views.set(2, { conversation: c, settings: s, panes: [], messages: [] } as unknown as core.ConversationView)
      state.list = [c, ...state.list]
      return c
    }),
    saveChatSettings: vi.fn(async () => {}),
    renameConversation: vi.fn(async (id: number, title: string) => {
      state.list = state.list.map((c) => (c.id === id ? { ...c, title } as store.Conversation : c))
    }),
    deleteConversation: vi.fn(async (id: number) => {
      state.list = state.list.filter((c) => c.id !== id)
    }),
    send: vi.fn(() => state.send.promise),
    regenerate: vi.fn(async () => ({ pane: 'base', message: {}, error: '' }) as unknown as core.PaneAnswer),
    editAndResend: vi.fn(() => state.send.promise),
    stopChat: vi.fn(async () => {}),
    arenaStart: vi.fn(() => state.arena.promise),
    arenaVote: vi.fn(async (id: number, winner: string) => {
      state.arenaStats = { ...state.arenaStats, votes: state.arenaStats.votes + 1 } as core.ArenaStats
      return { id, winner, a: fixture.candidates[2], b: fixture.candidates[0] } as unknown as core.ArenaReveal
    }),
    arenaStats: vi.fn(async () => structuredClone(state.arenaStats)),
    exportPreferences: vi.fn(async () => ({ path: '/home/me/prefs.jsonl', pairs: 2, skipped: 1 }) as core.PreferenceExport),
    chatServer: vi.fn(async () => ({ running: false, model: '', url: '', token: '' }) as app.ServerState),
    startServer: vi.fn(async () => ({ running: false, model: '', url: '', token: '' }) as app.ServerState),
    stopServer: vi.fn(async () => {}),
    copyText: vi.fn(async () => true),
  }
  const emit = (e: Partial<ChatStreamEvent>) => listener?.({ stream: '', conversation: 0, pane: '', text: '', done: false, ...e })
  return { api: api as unknown as HoneAPI & typeof api, state, emit }
}

let mounted: Mounted | null = null
let target: HTMLElement

async function render(api: HoneAPI) {
  mounted = mountIn(Chat, { api })
  target = mounted.target
  await settle()
}

afterEach(() => {
  mounted?.destroy()
  mounted = null
})

const pane = (id: string) => target.querySelector<HTMLElement>(`[data-testid="pane"][data-pane="${id}"]`)!
const option = (id: string) => target.querySelector<HTMLInputElement>(`[data-testid="pane-option"][data-id="${id}"]`)!
const button = (id: string) => byTestId<HTMLButtonElement>(target, id)!
const answers = (p: string) => allByTestId(pane(p), 'answer')
const conversation = (id: number) => target.querySelector<HTMLElement>(`[data-testid="conversation"][data-id="${id}"]`)!

async function click(el: HTMLElement) {
  el.click()
  await settle()
}

describe('Chat screen', () => {
  it('picks the model of the latest conversation, offers the base and its adapters, and opens a stored conversation side by side', async () => {
    const { api } = fakeAPI()
    await render(api)
    const models = [...byTestId<HTMLSelectElement>(target, 'chat-model')!.options].map((o) => o.value)
    expect(models).toEqual([storiesPath, smol.path]) // the broken one is not offered
    expect(byTestId<HTMLSelectElement>(target, 'chat-model')!.value).toBe(storiesPath)
    expect(allByTestId<HTMLInputElement>(target, 'pane-option').map((o) => [o.dataset.id, o.checked]))
      .toEqual([['base', true], ['beta-3', false], ['alpha-2', false]])
    expect(textOf(target, 'pane-empty')).toMatch(/same seed/)

    await click(conversation(1).querySelector('button')!)
    expect(allByTestId(target, 'pane').map((p) => p.dataset.pane)).toEqual(['base', 'alpha-2', 'beta-3'])
    expect(textOf(pane('alpha-2'), 'pane-name')).toBe('alpha')
    expect(allByTestId(pane('base'), 'user-text').map((u) => clean(u.textContent))).toEqual(['What is a **LoRA**?', 'And QLoRA?'])
    const first = answers('base')[0]
    expect(first.querySelector('strong')?.textContent).toBe('LoRA') // Markdown
    expect(textOf(first, 'answer-stats')).toBe('first token 5 ms · 100.0 tok/s · 8 tokens · seed 42 · finished')
    expect(answers('beta-3')).toHaveLength(1)
    expect(clean(pane('beta-3').textContent)).toMatch(/No answer from this model to that message/)
    // Only a pane's last answer regenerates.
    expect(allByTestId(pane('base'), 'answer-regenerate')).toHaveLength(1)
    expect(allByTestId(pane('beta-3'), 'answer-regenerate')).toHaveLength(0)
    // A pane that was not open for the last message can answer it now.
    expect(allByTestId(pane('base'), 'pane-answer-last')).toHaveLength(0)
    await click(byTestId<HTMLButtonElement>(pane('beta-3'), 'pane-answer-last')!)
    expect(api.regenerate).toHaveBeenCalledWith(expect.any(String), 1, 'beta-3')

    button('chat-settings-toggle').click()
    await settle()
    expect(byTestId<HTMLTextAreaElement>(target, 'chat-system')!.value).toBe('Answer briefly.')
    expect(byTestId<HTMLInputElement>(target, 'chat-seed')!.value).toBe('42')
    expect(byTestId<HTMLInputElement>(target, 'chat-temperature')!.value).toBe('0.7')
  })

  it('sends one prompt to every open pane and streams each answer into its own column', async () => {
    const { api, state, emit } = fakeAPI()
    await render(api)
    option('alpha-2').click()
    option('beta-3').click()
    await settle()
    expect(allByTestId(target, 'pane').map((p) => p.dataset.pane)).toEqual(['base', 'beta-3', 'alpha-2'])
    typeInto(byTestId(target, 'chat-prompt') as unknown as HTMLInputElement, 'Tell me a story')
    await click(button('chat-send'))

    expect(api.newConversation).toHaveBeenCalledWith(storiesPath, '', { temperature: 0.8, topP: 0.95, maxTokens: 512 })
    expect(api.send).toHaveBeenCalledTimes(1)
    const [stream, id, panes, text] = api.send.mock.calls[0] as unknown as [string, number, string[], string]
    expect([id, panes, text]).toEqual([2, ['base', 'beta-3', 'alpha-2'], 'Tell me a story'])
    expect(byTestId<HTMLTextAreaElement>(target, 'chat-prompt')!.value).toBe('')
    expect(button('chat-stop')).not.toBeNull()

    emit({ stream, pane: 'base', text: 'Once upon' })
    emit({ stream, pane: 'alpha-2', text: 'Lily' })
    emit({ stream: 'another-stream', pane: 'base', text: ' NOT THIS' })
    emit({ stream, pane: 'base', text: ' a time' })
    await settle()
    for (const p of ['base', 'beta-3', 'alpha-2']) {
      expect(allByTestId(pane(p), 'user-text').map((u) => u.textContent)).toEqual(['Tell me a story'])
      expect(answers(p)[0].dataset.streaming).toBe('true')
    }
    expect(clean(answers('base')[0].textContent)).toMatch(/^Once upon a time answering…$/)
    expect(textOf(answers('alpha-2')[0], 'md')).toBe('Lily')
    expect(byTestId(answers('beta-3')[0], 'answer-waiting')).not.toBeNull()

    emit({ stream, pane: 'base', text: '.', done: true, stats })
    await settle()
    expect(answers('base')[0].dataset.streaming).toBe('false')
    expect(textOf(answers('base')[0], 'answer-stats')).toBe('first token 80 ms · 42.5 tok/s · 12 tokens · seed 7 · finished')

    button('chat-stop').click()
    expect(api.stopChat).toHaveBeenCalledWith(stream)
    expect(byTestId<HTMLInputElement>(target, 'serve-switch')!.disabled).toBe(true) // stopping the server would cut the turn
    // The turn started the chat's server: the serve panel, asked again once the turn ends, shows it on.
    api.chatServer.mockResolvedValue({ running: true, model: storiesPath, url: 'http://127.0.0.1:41234/v1', token: 't0k' } as app.ServerState)

    // The call answers; the stored conversation takes the stream's place.
    const msg = (mid: number, pane: string, role: string, content: string) => ({ id: mid, conversationId: 2, pane, role, content, stats: role === 'user' ? {} : stats })
    state.views.set(2, { ...state.views.get(2)!, panes: ['base', 'beta-3', 'alpha-2'], messages: [msg(10, '', 'user', 'Tell me a story'),
      msg(11, 'base', 'assistant', 'Once upon a time.'), msg(12, 'alpha-2', 'assistant', 'Lily'), msg(13, 'beta-3', 'assistant', 'Hi')] } as unknown as core.ConversationView)
    state.send.resolve({ user: {}, seed: 7, answers: [{ pane: 'base', error: '' }, { pane: 'beta-3', error: '' }, { pane: 'alpha-2', error: '' }] } as unknown as core.SendResult)
    await settle()
    expect(button('chat-send')).not.toBeNull()
    for (const p of ['base', 'beta-3', 'alpha-2']) expect(textOf(answers(p)[0], 'answer-stats')).toMatch(/42.5 tok\/s/)
    expect(allByTestId(target, 'conversation').map((c) => c.dataset.id)).toEqual(['2', '1'])
    expect(conversation(2).classList.contains('on')).toBe(true)
    expect(byTestId<HTMLInputElement>(target, 'serve-switch')!.checked).toBe(true)
    expect(textOf(target, 'serve-url')).toBe('http://127.0.0.1:41234/v1')
  })

  it('shows model output as text: no script, image or handler from it reaches the page', async () => {
    const { api, emit } = fakeAPI()
    await render(api)
    typeInto(byTestId(target, 'chat-prompt') as unknown as HTMLInputElement, 'hi')
    await click(button('chat-send'))
    const stream = api.send.mock.calls[0][0 as never] as string
    emit({ stream, pane: 'base', text: 'ok <script>window.hacked = 1</script> <img src=x onerror="window.hacked = 2"> [x](javascript:alert(1))' })
    await settle()
    const a = answers('base')[0]
    expect(a.querySelectorAll('script, img, [onerror], [href]')).toHaveLength(0)
    expect(clean(a.textContent)).toMatch(/<script>window.hacked = 1<\/script> <img src=x onerror="window.hacked = 2"> x/)
    expect((window as unknown as { hacked?: number }).hacked).toBeUndefined()
  })

  it('regenerates a pane\'s last answer, edits a turn for every open pane, and copies an answer', async () => {
    const { api, state } = fakeAPI()
    await render(api)
    await click(conversation(1).querySelector('button')!)
    await click(answers('base')[0].querySelector<HTMLButtonElement>('[data-testid="answer-copy"]')!)
    expect(api.copyText).toHaveBeenCalledWith('base seed 42 heard What is a **LoRA**?')
    expect(textOf(answers('base')[0], 'answer-copy')).toBe('Copied')

    await click(byTestId<HTMLButtonElement>(pane('alpha-2'), 'answer-regenerate')!)
    expect(api.saveChatSettings).toHaveBeenCalledWith(1, 'Answer briefly.', { temperature: 0.7, topP: 0.9, maxTokens: 256, seed: 42 })
    expect(api.regenerate).toHaveBeenCalledWith(expect.any(String), 1, 'alpha-2')

    const second = allByTestId(pane('base'), 'user-turn')[1]
    await click(byTestId<HTMLButtonElement>(second, 'user-edit')!)
    const box = byTestId<HTMLTextAreaElement>(second, 'user-edit-text')!
    expect(box.value).toBe('And QLoRA?')
    typeInto(box as unknown as HTMLInputElement, 'And DoRA?')
    await click(byTestId<HTMLButtonElement>(second, 'user-edit-send')!)
    expect(api.editAndResend).toHaveBeenCalledWith(expect.any(String), 1, 5, 'And DoRA?', ['base', 'alpha-2', 'beta-3'])
    // While it runs, the edited turn replaces the old one and what followed.
    expect(allByTestId(pane('base'), 'user-text').map((u) => u.textContent)).toEqual(['What is a **LoRA**?', 'And DoRA?'])
    expect(answers('base')[1].dataset.streaming).toBe('true')
    state.send.resolve({ user: {}, seed: 1, answers: [{ pane: 'beta-3', error: 'beta-3: the engine ran out of memory' }] } as unknown as core.SendResult)
    await settle()
    expect(textOf(pane('beta-3'), 'pane-error')).toBe('beta-3: the engine ran out of memory')
  })

  it('names a setting out of range and sends nothing', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(button('chat-settings-toggle'))
    typeInto(byTestId<HTMLInputElement>(target, 'chat-temperature')!, '3')
    typeInto(byTestId(target, 'chat-prompt') as unknown as HTMLInputElement, 'hi')
    expect(textOf(target, 'chat-settings-error')).toBe('Temperature 3: enter 0 (greedy) to 2.')
    expect(byTestId<HTMLInputElement>(target, 'chat-temperature')!.getAttribute('aria-invalid')).toBe('true')
    expect(button('chat-send').disabled).toBe(true)
    expect(api.send).not.toHaveBeenCalled()
  })

  it('switching the base model offers its own candidates and starts a new chat', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(conversation(1).querySelector('button')!)
    await chooseIn(byTestId<HTMLSelectElement>(target, 'chat-model')!, smol.path)
    expect(api.chatCandidates).toHaveBeenLastCalledWith(smol.path)
    expect(allByTestId(target, 'pane').map((p) => p.dataset.pane)).toEqual(['base'])
    expect(textOf(target, 'pane-picker')).toMatch(/No adapter trained on this model yet/)
    expect(conversation(1).classList.contains('on')).toBe(false)
  })

  it('renames and deletes conversations', async () => {
    const { api } = fakeAPI()
    await render(api)
    await click(byTestId<HTMLButtonElement>(conversation(1), 'conversation-rename')!)
    const input = byTestId<HTMLInputElement>(conversation(1), 'conversation-title-input')!
    typeInto(input, 'LoRA questions')
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await settle()
    expect(api.renameConversation).toHaveBeenCalledWith(1, 'LoRA questions')
    expect(textOf(conversation(1), 'conversation-title')).toBe('LoRA questions')
    await click(byTestId<HTMLButtonElement>(conversation(1), 'conversation-delete')!)
    expect(api.deleteConversation).not.toHaveBeenCalled() // a second click confirms
    await click(byTestId<HTMLButtonElement>(conversation(1), 'conversation-delete-yes')!)
    expect(api.deleteConversation).toHaveBeenCalledWith(1)
    expect(textOf(target, 'conversations-empty')).toMatch(/kept here/)
  })

  it('arena: two anonymous answers, a vote that reveals them, the win rates and the export', async () => {
    const { api, state, emit } = fakeAPI()
    await render(api)
    await click(button('tab-arena'))
    expect(api.arenaStats).toHaveBeenCalledWith(storiesPath)
    const rows = allByTestId(target, 'arena-standing').map((r) => [...r.querySelectorAll('td')].map((c) => clean(c.textContent)))
    expect(rows).toEqual([['stories260K (base)', '1', '0', '1', '0', '75%'], ['beta', '1', '1', '1', '0', '50%'], ['alpha', '0', '1', '0', '0', '0%']])
    expect(allByTestId(target, 'arena-pair')).toHaveLength(2)

    typeInto(byTestId(target, 'arena-prompt') as unknown as HTMLInputElement, 'Write a haiku')
    await click(button('arena-start'))
    const [stream, m, prompt, system, s] = api.arenaStart.mock.calls[0] as unknown as [string, string, string, string, core.ChatSettings]
    expect([m, prompt, system, s]).toEqual([storiesPath, 'Write a haiku', '', { temperature: 0.8, topP: 0.95, maxTokens: 512 }])
    emit({ stream, pane: 'a', text: 'Leaves fall' })
    emit({ stream, pane: 'b', text: 'Snow <img src=x onerror=alert(1)>' })
    await settle()
    const sides = allByTestId(target, 'arena-side')
    expect(sides.map((x) => clean(byTestId(x, 'arena-answer')!.textContent))).toEqual(['Leaves fall', 'Snow <img src=x onerror=alert(1)>'])
    expect(target.querySelector('[data-testid="arena"] img')).toBeNull()
    expect(byTestId(target, 'arena-who')).toBeNull()
    expect(byTestId(target, 'arena-votes')).toBeNull() // not before the answers are in

    state.arena.resolve({ id: 9, answerA: 'Leaves fall slowly', answerB: 'Snow on the roof' })
    await settle()
    expect(allByTestId(target, 'arena-answer').map((x) => clean(x.textContent))).toEqual(['Leaves fall slowly', 'Snow on the roof'])
    expect(allByTestId(target, 'arena-vote-a').length + allByTestId(target, 'arena-vote-both_bad').length).toBe(2)
    await click(button('arena-vote-a'))
    expect(api.arenaVote).toHaveBeenCalledWith(9, 'a')
    expect(textOf(target, 'arena-reveal')).toBe('A was alpha, B was stories260K (base): A was better. The vote is stored.')
    expect(allByTestId(target, 'arena-who').map((w) => clean(w.textContent))).toEqual(['· alpha', '· stories260K (base)'])
    expect(byTestId(target, 'arena-votes')).toBeNull()
    expect(api.arenaStats).toHaveBeenCalledTimes(2)

    await click(button('arena-export'))
    expect(api.exportPreferences).toHaveBeenCalledWith(storiesPath)
    expect(textOf(target, 'arena-notice')).toBe('Wrote 2 preference pairs to /home/me/prefs.jsonl; 1 vote skipped (a tie or both bad: no preference to learn).')
  })

  it('arena: a base with no adapter says what it needs', async () => {
    const { api } = fakeAPI()
    api.conversations.mockResolvedValue([])
    api.models.mockResolvedValue([smol])
    await render(api)
    await click(button('tab-arena'))
    expect(textOf(target, 'arena-needs-two')).toMatch(/train an adapter/)
    expect(button('arena-start').disabled).toBe(true)
  })
})
