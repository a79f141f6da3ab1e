package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/store"
)

// generatorSource serves a base model and the adapters trained on it (each
// under AdapterModelID, the base as BaseModelID): the chat's plug into the
// engine, set by the serving side (serve.go). For may start a server, or
// hand back one already serving modelPath.
type generatorSource interface {
	For(ctx context.Context, modelPath string) (infer.Generator, error)
}

// ErrChatUnavailable is the chat's answer when this Hone has no engine to
// generate with.
var ErrChatUnavailable = errors.New("chat is not available: this Hone was opened without a model server to generate with")

// BaseModelID is the model id the base model is served under.
const BaseModelID = "base"

// MaxPanes is how many models one conversation compares at once: the base
// and up to four adapters.
const MaxPanes = 5

// AdapterModelID is the model id an adapter is served under: its name
// lowercased, each character outside [a-z0-9._-] replaced by '-', trimmed
// of '-', then "-" and its id ("Banking LoRA" #3: "banking-lora-3").
func AdapterModelID(a store.Adapter) string {
	var b strings.Builder
	for _, r := range strings.ToLower(a.Name) {
		if r == '.' || r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		return fmt.Sprintf("adapter-%d", a.ID)
	}
	return fmt.Sprintf("%s-%d", name, a.ID)
}

// ChatCandidate is a model one can chat with on a base model: the base
// itself or an adapter trained on it.
type ChatCandidate struct {
	ID        string `json:"id"` // the model id it is served under
	Name      string `json:"name"`
	AdapterID int64  `json:"adapterId"` // 0: the base
	Path      string `json:"path"`      // the adapter's folder, or the base model
}

// ChatCandidates lists the base and the adapters whose contract names
// modelPath as their base (paths compared cleaned and absolute), newest
// adapter first.
func (h *Hone) ChatCandidates(ctx context.Context, modelPath string) ([]ChatCandidate, error) {
	if strings.TrimSpace(modelPath) == "" {
		return nil, errors.New("choose a base model to chat with")
	}
	as, err := h.Store.Adapters(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the adapters: %w", err)
	}
	name := strings.TrimSuffix(filepath.Base(modelPath), filepath.Ext(modelPath))
	out := []ChatCandidate{{ID: BaseModelID, Name: name + " (base)", Path: modelPath}}
	for _, a := range as {
		var c struct {
			BaseModel string `json:"baseModel"`
		}
		if json.Unmarshal(a.Contract, &c) != nil || !samePath(c.BaseModel, modelPath) {
			continue
		}
		out = append(out, ChatCandidate{ID: AdapterModelID(a), Name: a.Name, AdapterID: a.ID, Path: a.Path})
	}
	return out, nil
}

func samePath(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	abs := func(p string) string {
		if q, err := filepath.Abs(p); err == nil {
			return q
		}
		return filepath.Clean(p)
	}
	return abs(a) == abs(b)
}

// ChatSettings are a conversation's sampling settings, as the UI edits them.
type ChatSettings struct {
	Temperature float64 `json:"temperature"` // 0: greedy
	TopP        float64 `json:"topP"`
	MaxTokens   int     `json:"maxTokens"`
	// Seed fixed for every answer; nil: a new random one for each turn. The
	// panes of one turn always share it: that is what makes a comparison fair.
	Seed *uint64 `json:"seed,omitempty"`
}

// DefaultChatSettings are LM Studio's and Ollama's usual ones, with answers
// capped at 512 tokens.
func DefaultChatSettings() ChatSettings {
	return ChatSettings{Temperature: 0.8, TopP: 0.95, MaxTokens: 512}
}

// Check names the first setting out of range.
func (s ChatSettings) Check() error {
	switch {
	case s.Temperature < 0 || s.Temperature > 2:
		return fmt.Errorf("chat setting \"temperature\": %g: want 0 (greedy) to 2", s.Temperature)
	case s.TopP <= 0 || s.TopP > 1:
		return fmt.Errorf("chat setting \"topP\": %g: want above 0, up to 1", s.TopP)
	case s.MaxTokens < 1 || s.MaxTokens > 1<<20:
		return fmt.Errorf("chat setting \"maxTokens\": %d: want 1 to 1048576", s.MaxTokens)
	case s.Seed != nil && *s.Seed > maxSeed:
		return fmt.Errorf("chat setting \"seed\": %d: want 0 to %d", *s.Seed, uint64(maxSeed))
	}
	return nil
}

// maxSeed bounds seeds to what a JavaScript number holds exactly, so that
// the seed an answer shows can be typed back in.
const maxSeed = 1<<53 - 1

// newSeed draws a seed for a turn: 32 bits, as llama.cpp's default ones.
func newSeed() uint64 { return uint64(rand.Uint32()) }

func (s ChatSettings) sampling(seed uint64) infer.Sampling {
	return infer.Sampling{Temperature: s.Temperature, TopP: s.TopP, MaxTokens: s.MaxTokens, Seed: &seed}
}

// ConversationView is a conversation with its settings and messages; Panes
// are the models that answered in it, in the order they first did.
type ConversationView struct {
	Conversation store.Conversation  `json:"conversation"`
	Settings     ChatSettings        `json:"settings"`
	Panes        []string            `json:"panes"`
	Messages     []store.ChatMessage `json:"messages"`
}

// Conversations lists the stored conversations, the latest changed first.
func (h *Hone) Conversations(ctx context.Context) ([]store.Conversation, error) {
	return h.Store.Conversations(ctx)
}

// CreateConversation starts a conversation with a base model.
func (h *Hone) CreateConversation(ctx context.Context, modelPath, system string, s ChatSettings) (store.Conversation, error) {
	if strings.TrimSpace(modelPath) == "" {
		return store.Conversation{}, errors.New("choose a base model to chat with")
	}
	if err := s.Check(); err != nil {
		return store.Conversation{}, err
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return store.Conversation{}, err
	}
	c := store.Conversation{ModelPath: modelPath, System: system, Sampling: raw}
	return c, h.Store.CreateConversation(ctx, &c)
}

// RenameConversation sets a conversation's title.
func (h *Hone) RenameConversation(ctx context.Context, id int64, title string) error {
	return h.Store.UpdateConversation(ctx, id, map[string]any{"title": strings.TrimSpace(title)})
}

// SetConversationSettings stores a conversation's system prompt and
// sampling settings; the next turn uses them.
func (h *Hone) SetConversationSettings(ctx context.Context, id int64, system string, s ChatSettings) error {
	if err := s.Check(); err != nil {
		return err
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return h.Store.UpdateConversation(ctx, id, map[string]any{"system": system, "sampling": store.JSON(raw)})
}

// DeleteConversation deletes a conversation and its messages.
func (h *Hone) DeleteConversation(ctx context.Context, id int64) error {
	return h.Store.DeleteConversation(ctx, id)
}

// Conversation reads a conversation with its settings and messages.
func (h *Hone) Conversation(ctx context.Context, id int64) (ConversationView, error) {
	c, err := h.Store.Conversation(ctx, id)
	if err != nil {
		return ConversationView{}, err
	}
	ms, err := h.Store.ChatMessages(ctx, id)
	if err != nil {
		return ConversationView{}, fmt.Errorf("conversation %d: %w", id, err)
	}
	v := ConversationView{Conversation: c, Settings: settingsOf(c), Panes: panesOf(ms, 0), Messages: ms}
	if v.Messages == nil {
		v.Messages = []store.ChatMessage{}
	}
	return v, nil
}

// settingsOf reads a conversation's settings; what is missing or out of
// range (a hand-edited row) takes the default.
func settingsOf(c store.Conversation) ChatSettings {
	s := DefaultChatSettings()
	if len(c.Sampling) > 0 && json.Unmarshal(c.Sampling, &s) == nil && s.Check() == nil {
		return s
	}
	return DefaultChatSettings()
}

// panesOf lists the panes that answered after message from, in the order
// they first did.
func panesOf(ms []store.ChatMessage, from int64) []string {
	out := []string{}
	for _, m := range ms {
		if m.ID > from && m.Role == store.RoleAssistant && !slices.Contains(out, m.Pane) {
			out = append(out, m.Pane)
		}
	}
	return out
}

// paneHistory is what pane saw up to user turn upTo: each earlier user turn
// it answered, with its answer, then turn upTo. Other panes' answers and
// turns the pane missed (it joined later, or failed) are left out, so the
// messages alternate as chat templates want.
func paneHistory(ms []store.ChatMessage, pane string, upTo int64) []infer.Message {
	var out []infer.Message
	var pending *store.ChatMessage
	for i := range ms {
		m := &ms[i]
		switch {
		case m.ID > upTo:
			return out
		case m.ID == upTo:
			return append(out, infer.Message{Role: store.RoleUser, Content: m.Content})
		case m.Role == store.RoleUser:
			pending = m
		case m.Role == store.RoleAssistant && m.Pane == pane && pending != nil:
			out = append(out, infer.Message{Role: store.RoleUser, Content: pending.Content},
				infer.Message{Role: store.RoleAssistant, Content: m.Content})
			pending = nil
		}
	}
	return out
}

// titleOf is a conversation's title from its first turn: the first line,
// cut at 60 characters.
func titleOf(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if r := []rune(strings.TrimSpace(line)); len(r) > 60 {
		return strings.TrimSpace(string(r[:59])) + "…"
	}
	return strings.TrimSpace(line)
}

// chatLocks lets one turn at a time run in a conversation: two at once
// would interleave their answers in each pane's history.
type chatLocks struct {
	mu   sync.Mutex
	busy map[int64]bool
}

func (l *chatLocks) take(id int64) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy[id] {
		return nil, fmt.Errorf("conversation %d is answering: wait for it or stop it", id)
	}
	if l.busy == nil {
		l.busy = map[int64]bool{}
	}
	l.busy[id] = true
	return func() {
		l.mu.Lock()
		delete(l.busy, id)
		l.mu.Unlock()
	}, nil
}

// generator is the engine serving modelPath, or why there is none.
func (h *Hone) generator(ctx context.Context, modelPath string) (infer.Generator, error) {
	if h.chat == nil {
		return nil, ErrChatUnavailable
	}
	g, err := h.chat.For(ctx, modelPath)
	if err != nil {
		return nil, fmt.Errorf("serve %s: %w", modelPath, err)
	}
	return g, nil
}
