package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/store"
)

// ChatEventFunc sees each pane's events as the engine streams them. Calls
// for one turn are serialised (never two at once) but the panes' events
// interleave.
type ChatEventFunc func(pane string, e infer.Event)

// PaneAnswer is a pane's answer to a turn: the stored message (ID 0 when
// nothing was written: the generation failed before any text) and why it
// failed, if it did.
type PaneAnswer struct {
	Pane    string            `json:"pane"`
	Message store.ChatMessage `json:"message"`
	Error   string            `json:"error,omitempty"`
}

// SendResult is a turn: the stored user message and each pane's answer, in
// the order of the panes asked for.
type SendResult struct {
	User    store.ChatMessage `json:"user"`
	Seed    uint64            `json:"seed"`
	Answers []PaneAnswer      `json:"answers"`
}

// ChatStatsOf reads an answer's stats off its last event.
func ChatStatsOf(e infer.Event) store.ChatStats {
	s := store.ChatStats{TTFTMs: e.TimeToFirstMS, TokensPerSecond: e.TokensPerSecond, CompletionTokens: e.Usage.CompletionTokens,
		Seed: e.Seed, Finish: e.Finish}
	if e.Err != nil {
		s.Finish, s.Error = "error", e.Err.Error()
	}
	return s
}

// Send adds a user turn to conversation id and has every pane answer it at
// once, all with the same seed (seed, else the conversation's fixed one,
// else a new random one): 1 to MaxPanes distinct candidates of the
// conversation's base model. Each pane sees its own history (system prompt,
// the turns it answered); its events go to onEvent as they come, and its
// answer is stored with its stats. A pane that fails is reported in its
// answer; the others go on. Cancelling ctx stops every pane, and the text
// they had is stored (finish "cancelled").
func (h *Hone) Send(ctx context.Context, id int64, panes []string, text string, seed *uint64, onEvent ChatEventFunc) (SendResult, error) {
	if strings.TrimSpace(text) == "" {
		return SendResult{}, errTyped
	}
	t, err := h.openTurn(ctx, id, panes)
	if err != nil {
		return SendResult{}, err
	}
	defer t.release()
	return h.sendTurn(ctx, t, text, seed, onEvent)
}

var errTyped = errors.New("type a message first")

// EditAndResend replaces user turn messageID of conversation id by text:
// the turn and everything after it, in every pane, is deleted, and the new
// turn is sent to panes (none: the panes that had answered after it).
func (h *Hone) EditAndResend(ctx context.Context, id, messageID int64, text string, panes []string, seed *uint64, onEvent ChatEventFunc) (SendResult, error) {
	if strings.TrimSpace(text) == "" {
		return SendResult{}, errTyped
	}
	ms, err := h.Store.ChatMessages(ctx, id)
	if err != nil {
		return SendResult{}, fmt.Errorf("conversation %d: %w", id, err)
	}
	i := slices.IndexFunc(ms, func(m store.ChatMessage) bool { return m.ID == messageID })
	if i < 0 || ms[i].Role != store.RoleUser {
		return SendResult{}, fmt.Errorf("conversation %d has no user turn %d to edit", id, messageID)
	}
	if len(panes) == 0 {
		if panes = panesOf(ms, messageID); len(panes) == 0 {
			panes = panesOf(ms, 0)
		}
	}
	t, err := h.openTurn(ctx, id, panes)
	if err != nil {
		return SendResult{}, err
	}
	defer t.release()
	if err := h.Store.TruncateConversation(ctx, id, messageID); err != nil {
		return SendResult{}, fmt.Errorf("conversation %d: %w", id, err)
	}
	return h.sendTurn(ctx, t, text, seed, onEvent)
}

// Regenerate answers the last user turn of conversation id again in pane,
// with the conversation's fixed seed or a new random one; the new answer
// replaces the pane's old one. A generation that fails before any text
// leaves the old answer in place and returns the error.
func (h *Hone) Regenerate(ctx context.Context, id int64, pane string, onEvent ChatEventFunc) (PaneAnswer, error) {
	t, err := h.openTurn(ctx, id, []string{pane})
	if err != nil {
		return PaneAnswer{}, err
	}
	defer t.release()
	ms, err := h.Store.ChatMessages(ctx, id)
	if err != nil {
		return PaneAnswer{}, fmt.Errorf("conversation %d: %w", id, err)
	}
	last := len(ms) - 1
	for last >= 0 && ms[last].Role != store.RoleUser {
		last--
	}
	if last < 0 {
		return PaneAnswer{}, fmt.Errorf("conversation %d has no turn to answer again", id)
	}
	user := ms[last]
	var old []int64
	for _, m := range ms[last+1:] {
		if m.Pane == pane {
			old = append(old, m.ID)
		}
	}
	seed := newSeed()
	if t.settings.Seed != nil {
		seed = *t.settings.Seed
	}
	a := t.run(ctx, pane, paneHistory(ms, pane, user.ID), seed, serialised(onEvent))
	if a.Message.Content == "" && a.Error != "" {
		return a, errors.New(a.Error)
	}
	if err := h.Store.ReplaceChatMessages(context.WithoutCancel(ctx), id, old, &a.Message); err != nil {
		return a, fmt.Errorf("store the answer: %w", err)
	}
	return a, nil
}

// turn is a conversation opened for one turn: its row and settings, the
// engine serving its base model, and the lock that keeps other turns out.
type turn struct {
	conv     store.Conversation
	settings ChatSettings
	panes    []string
	gen      infer.Generator
	release  func()
}

// openTurn checks a turn before anything is written: the panes (1 to
// MaxPanes distinct candidates of the base model) and the engine; and takes
// the conversation's lock.
func (h *Hone) openTurn(ctx context.Context, id int64, panes []string) (*turn, error) {
	c, err := h.Store.Conversation(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := h.checkPanes(ctx, c.ModelPath, panes); err != nil {
		return nil, err
	}
	gen, err := h.generator(ctx, c.ModelPath)
	if err != nil {
		return nil, err
	}
	release, err := h.chatBusy.take(id)
	if err != nil {
		return nil, err
	}
	return &turn{conv: c, settings: settingsOf(c), panes: panes, gen: gen, release: release}, nil
}

func (h *Hone) checkPanes(ctx context.Context, modelPath string, panes []string) error {
	if len(panes) == 0 || len(panes) > MaxPanes {
		return fmt.Errorf("%d panes: compare 1 to %d models (the base and up to %d adapters)", len(panes), MaxPanes, MaxPanes-1)
	}
	cands, err := h.ChatCandidates(ctx, modelPath)
	if err != nil {
		return err
	}
	for i, p := range panes {
		if slices.Contains(panes[:i], p) {
			return fmt.Errorf("pane %q is open twice", p)
		}
		if !slices.ContainsFunc(cands, func(c ChatCandidate) bool { return c.ID == p }) {
			return fmt.Errorf("pane %q: no such model on %s (the base is %q; adapters are those trained on it)", p, modelPath, BaseModelID)
		}
	}
	return nil
}

// sendTurn stores the user turn and runs the panes on it.
func (h *Hone) sendTurn(ctx context.Context, t *turn, text string, seed *uint64, onEvent ChatEventFunc) (SendResult, error) {
	s := newSeed()
	switch {
	case seed != nil:
		s = *seed
	case t.settings.Seed != nil:
		s = *t.settings.Seed
	}
	user := store.ChatMessage{Role: store.RoleUser, Content: text}
	if err := h.Store.AddChatMessages(ctx, t.conv.ID, &user); err != nil {
		return SendResult{}, fmt.Errorf("store the message: %w", err)
	}
	if t.conv.Title == "" {
		// A title is a nicety: failing to write one must not lose the turn.
		h.Store.UpdateConversation(ctx, t.conv.ID, map[string]any{"title": titleOf(text)})
	}
	ms, err := h.Store.ChatMessages(ctx, t.conv.ID)
	if err != nil {
		return SendResult{}, fmt.Errorf("conversation %d: %w", t.conv.ID, err)
	}
	res := SendResult{User: user, Seed: s, Answers: make([]PaneAnswer, len(t.panes))}
	on := serialised(onEvent)
	var wg sync.WaitGroup
	for i, p := range t.panes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.Answers[i] = t.run(ctx, p, paneHistory(ms, p, user.ID), s, on)
		}()
	}
	wg.Wait()
	// Answers are stored even when the caller left: what streamed was seen.
	var stored []*store.ChatMessage
	for i := range res.Answers {
		if res.Answers[i].Message.Content != "" {
			stored = append(stored, &res.Answers[i].Message)
		}
	}
	if err := h.Store.AddChatMessages(context.WithoutCancel(ctx), t.conv.ID, stored...); err != nil {
		return res, fmt.Errorf("store the answers: %w", err)
	}
	return res, nil
}

// run generates pane's answer to history and collects it.
func (t *turn) run(ctx context.Context, pane string, history []infer.Message, seed uint64, on ChatEventFunc) PaneAnswer {
	a := PaneAnswer{Pane: pane, Message: store.ChatMessage{Pane: pane, Role: store.RoleAssistant}}
	req := infer.Request{Messages: history, System: t.conv.System, Sampling: t.settings.sampling(seed)}
	if pane != BaseModelID {
		req.Adapter = pane
	}
	fail := func(err error) PaneAnswer {
		a.Error = fmt.Sprintf("%s: %v", pane, err)
		a.Message.Stats = store.ChatStats{Seed: seed, Finish: "error", Error: err.Error()}
		on(pane, infer.Event{Done: true, Finish: "error", Seed: seed, Err: err})
		return a
	}
	ch, err := t.gen.Generate(ctx, req)
	if err != nil {
		return fail(err)
	}
	var text strings.Builder
	done := false
	for e := range ch {
		text.WriteString(e.Text)
		on(pane, e)
		if e.Done {
			done = true
			a.Message.Stats = ChatStatsOf(e)
			if e.Err != nil {
				a.Error = fmt.Sprintf("%s: %v", pane, e.Err)
			}
		}
	}
	a.Message.Content = text.String()
	if !done {
		content := a.Message.Content
		a = fail(errors.New("the engine's stream ended before its last event"))
		a.Message.Content = content
	}
	return a
}

// serialised makes one turn's callbacks one at a time (nil: none).
func serialised(f ChatEventFunc) ChatEventFunc {
	if f == nil {
		return func(string, infer.Event) {}
	}
	var mu sync.Mutex
	return func(p string, e infer.Event) {
		mu.Lock()
		defer mu.Unlock()
		f(p, e)
	}
}
