package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/store"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// ChatEvent is the Wails event a chat turn or an arena match streams under.
const ChatEvent = "chat"

// Chat is the Chat screen: conversations with a base model and its
// adapters side by side, and the blind arena. A turn's call returns when
// every pane has answered; meanwhile its text arrives as "chat" events of
// the stream the page named, and Stop ends it. Model output is untrusted
// text: it goes to the page as JSON strings, which renders it sanitised.
type Chat struct {
	shell  *Shell
	h      *core.Hone
	events emitter
	// every is how long streamed text gathers before it is emitted.
	every   time.Duration
	mu      sync.Mutex
	streams map[string]context.CancelFunc
}

type emitter interface{ Emit(event string, data any) }

// streamEvery: a Wails event per token, five panes at once, would be
// hundreds of events a second through the webview; 40 ms is below what a
// reader sees as stutter.
const streamEvery = 40 * time.Millisecond

func newChat(shell *Shell, h *core.Hone, events emitter) *Chat {
	return &Chat{shell: shell, h: h, events: events, every: streamEvery, streams: map[string]context.CancelFunc{}}
}

// ChatStreamEvent is a piece of a stream: pane's text since the previous
// event, and on the last one Done with the answer's stats (none in the
// arena, where speed could tell the models apart) or its error.
type ChatStreamEvent struct {
	Stream       string           `json:"stream"`
	Conversation int64            `json:"conversation"` // 0 in the arena
	Pane         string           `json:"pane"`         // a model id; "a" or "b" in the arena
	Text         string           `json:"text"`
	Done         bool             `json:"done"`
	Stats        *store.ChatStats `json:"stats,omitempty"`
	Error        string           `json:"error,omitempty"`
}

// Defaults are a new conversation's sampling settings.
func (c *Chat) Defaults() core.ChatSettings { return core.DefaultChatSettings() }

// Candidates lists what one can chat with on a base model: the base and
// the adapters trained on it.
func (c *Chat) Candidates(modelPath string) ([]core.ChatCandidate, error) {
	return c.h.ChatCandidates(c.shell.ctx, modelPath)
}

// Conversations lists the stored conversations, the latest first.
func (c *Chat) Conversations() ([]store.Conversation, error) {
	cs, err := c.h.Conversations(c.shell.ctx)
	if cs == nil {
		cs = []store.Conversation{}
	}
	return cs, err
}

// Conversation reads one with its settings and messages.
func (c *Chat) Conversation(id int64) (core.ConversationView, error) {
	return c.h.Conversation(c.shell.ctx, id)
}

// NewConversation starts a conversation with a base model.
func (c *Chat) NewConversation(modelPath, system string, s core.ChatSettings) (store.Conversation, error) {
	return c.h.CreateConversation(c.shell.ctx, modelPath, system, s)
}

// Rename sets a conversation's title.
func (c *Chat) Rename(id int64, title string) error {
	return c.h.RenameConversation(c.shell.ctx, id, title)
}

// SaveSettings stores a conversation's system prompt and sampling settings.
func (c *Chat) SaveSettings(id int64, system string, s core.ChatSettings) error {
	return c.h.SetConversationSettings(c.shell.ctx, id, system, s)
}

// Delete deletes a conversation.
func (c *Chat) Delete(id int64) error { return c.h.DeleteConversation(c.shell.ctx, id) }

// Send sends text to every pane of conversation id at once, all with one
// seed (the conversation's fixed one, else a new one), streaming under
// stream.
func (c *Chat) Send(stream string, id int64, panes []string, text string) (core.SendResult, error) {
	ctx, on, end, err := c.open(stream, id, false)
	if err != nil {
		return core.SendResult{}, err
	}
	defer end()
	return c.h.Send(ctx, id, panes, text, nil, on)
}

// Regenerate answers the last turn again in one pane.
func (c *Chat) Regenerate(stream string, id int64, pane string) (core.PaneAnswer, error) {
	ctx, on, end, err := c.open(stream, id, false)
	if err != nil {
		return core.PaneAnswer{}, err
	}
	defer end()
	return c.h.Regenerate(ctx, id, pane, on)
}

// Edit replaces user turn messageID (and all after it) by text and sends
// it to panes.
func (c *Chat) Edit(stream string, id, messageID int64, text string, panes []string) (core.SendResult, error) {
	ctx, on, end, err := c.open(stream, id, false)
	if err != nil {
		return core.SendResult{}, err
	}
	defer end()
	return c.h.EditAndResend(ctx, id, messageID, text, panes, nil, on)
}

// Stop ends a stream; what it had written is kept.
func (c *Chat) Stop(stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cancel := c.streams[stream]; cancel != nil {
		cancel()
	}
}

// ArenaStart runs a blind match of two of modelPath's candidates on
// prompt; the answers stream as panes "a" and "b".
func (c *Chat) ArenaStart(stream, modelPath, prompt, system string, s core.ChatSettings) (core.ArenaMatch, error) {
	ctx, on, end, err := c.open(stream, 0, true)
	if err != nil {
		return core.ArenaMatch{}, err
	}
	defer end()
	return c.h.ArenaStart(ctx, modelPath, prompt, system, s, on)
}

// ArenaVote records a match's winner ("a", "b", "tie", "both_bad") and
// reveals its two models.
func (c *Chat) ArenaVote(id int64, winner string) (core.ArenaReveal, error) {
	return c.h.ArenaVote(c.shell.ctx, id, winner)
}

// ArenaStats counts a base model's votes.
func (c *Chat) ArenaStats(modelPath string) (core.ArenaStats, error) {
	return c.h.ArenaStats(c.shell.ctx, modelPath)
}

// ExportPreferences asks where to save and writes the base model's decisive
// votes as TRL preference pairs (JSONL); an empty Path: cancelled.
func (c *Chat) ExportPreferences(modelPath string) (core.PreferenceExport, error) {
	st, err := c.h.ArenaStats(c.shell.ctx, modelPath)
	if err != nil {
		return core.PreferenceExport{}, err
	}
	if decisive(st) == 0 {
		return core.PreferenceExport{}, errors.New("no decisive vote to export yet: vote A or B better first")
	}
	name := strings.TrimSuffix(filepath.Base(modelPath), filepath.Ext(modelPath)) + "-preferences.jsonl"
	path, err := runtime.SaveFileDialog(c.shell.ctx, runtime.SaveDialogOptions{Title: "Export preference pairs", DefaultFilename: name})
	if err != nil || path == "" {
		return core.PreferenceExport{}, err
	}
	return c.h.ExportPreferences(c.shell.ctx, modelPath, path)
}

// ServerState is the chat's server as the page shows it: whether it runs,
// the base model it serves, and where and with what token clients reach it.
type ServerState struct {
	Running bool   `json:"running"`
	Model   string `json:"model"`
	URL     string `json:"url"`
	Token   string `json:"token"`
}

func serverState(info core.ServerInfo, running bool) ServerState {
	return ServerState{Running: running, Model: info.Model, URL: info.URL, Token: info.Token}
}

// Server says whether the chat's OpenAI-compatible server runs, and where.
func (c *Chat) Server() ServerState { return serverState(c.h.ChatServer()) }

// StartServer serves modelPath and its adapters over the API (loopback,
// with a token) for other clients; the chat shares the server.
func (c *Chat) StartServer(modelPath string) (ServerState, error) {
	info, err := c.h.StartChatServer(c.shell.ctx, modelPath)
	if err != nil {
		return ServerState{}, err
	}
	return serverState(info, true), nil
}

// StopServer stops the server; the chat starts it again on its next turn.
func (c *Chat) StopServer() { c.h.StopChatServer() }

// decisive counts the votes that named a winner.
func decisive(st core.ArenaStats) int {
	n := 0
	for _, p := range st.Pairs {
		n += p.Wins + p.Losses
	}
	return n
}

// open registers a stream: its context (Stop cancels it), the callback that
// batches its events, and end, which flushes them and forgets the stream.
func (c *Chat) open(stream string, conv int64, arena bool) (context.Context, core.ChatEventFunc, func(), error) {
	if stream == "" {
		return nil, nil, nil, errors.New("a stream needs a name")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.streams[stream] != nil {
		return nil, nil, nil, fmt.Errorf("stream %q is running", stream)
	}
	ctx, cancel := context.WithCancel(c.shell.ctx)
	c.streams[stream] = cancel
	b := &batcher{emit: func(e ChatStreamEvent) { c.events.Emit(ChatEvent, e) }, every: c.every, hide: arena,
		base: ChatStreamEvent{Stream: stream, Conversation: conv}, pending: map[string]string{}}
	end := func() {
		b.close()
		c.mu.Lock()
		delete(c.streams, stream)
		c.mu.Unlock()
		cancel()
	}
	return ctx, b.on, end, nil
}

// batcher gathers a stream's text per pane for up to every before it
// emits it; a pane's last event goes at once, with what it had gathered.
type batcher struct {
	emit    func(ChatStreamEvent)
	base    ChatStreamEvent
	every   time.Duration
	hide    bool // no stats: the arena
	mu      sync.Mutex
	pending map[string]string
	order   []string // panes in the order their text came, for a steady flush
	timer   *time.Timer
	closed  bool
}

func (b *batcher) on(pane string, e infer.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if e.Text != "" {
		if _, ok := b.pending[pane]; !ok {
			b.order = append(b.order, pane)
		}
		b.pending[pane] += e.Text
	}
	switch {
	case e.Done:
		ev := b.take(pane)
		ev.Done = true
		if st := core.ChatStatsOf(e); !b.hide {
			ev.Stats = &st
		}
		if e.Err != nil {
			ev.Error = e.Err.Error()
		}
		b.emit(ev)
	case b.every <= 0:
		b.flushLocked()
	case b.timer == nil && len(b.pending) > 0:
		b.timer = time.AfterFunc(b.every, b.flush)
	}
}

// take removes pane's gathered text into an event.
func (b *batcher) take(pane string) ChatStreamEvent {
	ev := b.base
	ev.Pane, ev.Text = pane, b.pending[pane]
	delete(b.pending, pane)
	for i, p := range b.order {
		if p == pane {
			b.order = append(b.order[:i], b.order[i+1:]...)
			break
		}
	}
	return ev
}

func (b *batcher) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *batcher) flushLocked() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	for len(b.order) > 0 {
		if ev := b.take(b.order[0]); ev.Text != "" {
			b.emit(ev)
		}
	}
}

// close emits what is left; later events are dropped.
func (b *batcher) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	b.closed = true
}
