package core

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/store"
)

func TestAdapterModelID(t *testing.T) {
	for _, c := range []struct {
		name string
		id   int64
		want string
	}{
		{"banking LoRA", 3, "banking-lora-3"},
		{"Banking_v2.1", 12, "banking_v2.1-12"},
		{"  (support) bot!! ", 4, "support--bot-4"},
		{"Ünïcode name", 5, "n-code-name-5"},
		{"", 6, "adapter-6"},
		{"???", 7, "adapter-7"},
	} {
		if got := AdapterModelID(store.Adapter{ID: c.id, Name: c.name}); got != c.want {
			t.Errorf("%q #%d: %q, want %q", c.name, c.id, got, c.want)
		}
	}
}

// TestChatCandidates: the base first, then the adapters trained on that
// base (paths compared cleaned), newest first; none from another base.
func TestChatCandidates(t *testing.T) {
	ctx := context.Background()
	h := chatHone(t, nil, "alpha", "Beta Bot")
	addAdapter(t, h, "gamma", "/models/stories260K/../stories260K/stories260K.bin")
	got, err := h.ChatCandidates(ctx, chatModel)
	if err != nil {
		t.Fatal(err)
	}
	var ids, names []string
	for _, c := range got {
		ids, names = append(ids, c.ID), append(names, c.Name)
	}
	if want := []string{"base", "gamma-4", "beta-bot-3", "alpha-2"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids %q, want %q", ids, want)
	}
	if want := []string{"stories260K (base)", "gamma", "Beta Bot", "alpha"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	if got[0].AdapterID != 0 || got[3].AdapterID != 2 || got[3].Path != "/runs/alpha/adapter" {
		t.Errorf("candidates %+v", got)
	}
	if _, err := h.ChatCandidates(ctx, " "); err == nil {
		t.Error("candidates of no model")
	}
}

func TestChatSettingsCheck(t *testing.T) {
	seed := func(v uint64) *uint64 { return &v }
	for _, c := range []struct {
		s    ChatSettings
		want string // the setting named, "" when fine
	}{
		{DefaultChatSettings(), ""},
		{ChatSettings{Temperature: 0, TopP: 1, MaxTokens: 1, Seed: seed(0)}, ""},
		{ChatSettings{Temperature: -0.1, TopP: 1, MaxTokens: 1}, `"temperature"`},
		{ChatSettings{Temperature: 2.5, TopP: 1, MaxTokens: 1}, `"temperature"`},
		{ChatSettings{Temperature: 1, TopP: 0, MaxTokens: 1}, `"topP"`},
		{ChatSettings{Temperature: 1, TopP: 1.2, MaxTokens: 1}, `"topP"`},
		{ChatSettings{Temperature: 1, TopP: 1, MaxTokens: 0}, `"maxTokens"`},
		{ChatSettings{Temperature: 1, TopP: 1, MaxTokens: 8, Seed: seed(1 << 53)}, `"seed"`},
	} {
		err := c.s.Check()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %s", c.s, err, c.want)
		}
	}
}

func TestPaneHistory(t *testing.T) {
	u := func(id int64, s string) store.ChatMessage {
		return store.ChatMessage{ID: id, Role: store.RoleUser, Content: s}
	}
	a := func(id int64, pane, s string) store.ChatMessage {
		return store.ChatMessage{ID: id, Pane: pane, Role: store.RoleAssistant, Content: s}
	}
	ms := []store.ChatMessage{u(1, "q1"), a(2, "base", "b1"), a(3, "x-1", "x1"), u(4, "q2"), a(5, "base", "b2"), u(6, "q3"), a(7, "x-1", "x3"), u(8, "q4")}
	for _, c := range []struct {
		name, pane string
		upTo       int64
		want       string
	}{
		{"first turn", "base", 1, "user:q1"},
		{"the base's own answers only", "base", 8, "user:q1 assistant:b1 user:q2 assistant:b2 user:q4"},
		{"a turn the pane missed is left out", "x-1", 8, "user:q1 assistant:x1 user:q3 assistant:x3 user:q4"},
		{"up to an earlier turn", "x-1", 4, "user:q1 assistant:x1 user:q2"},
		{"a pane that joins late", "y-2", 8, "user:q4"},
	} {
		var got []string
		for _, m := range paneHistory(ms, c.pane, c.upTo) {
			got = append(got, m.Role+":"+m.Content)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %q, want %q", c.name, strings.Join(got, " "), c.want)
		}
	}
}

func TestTitleOf(t *testing.T) {
	for in, want := range map[string]string{
		"  How do I reset my card?\nIt was stolen.": "How do I reset my card?",
		strings.Repeat("abcdefghij", 8):             strings.Repeat("abcdefghij", 5) + "abcdefghi…",
		"é" + strings.Repeat("x", 59):               "é" + strings.Repeat("x", 59),
	} {
		if got := titleOf(in); got != want {
			t.Errorf("titleOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestChatUnavailable: without an engine the turns say so and write
// nothing; conversations, candidates and the arena's stats still work.
func TestChatUnavailable(t *testing.T) {
	ctx := context.Background()
	h := chatHone(t, nil, "alpha")
	c, err := h.CreateConversation(ctx, chatModel, "", DefaultChatSettings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Send(ctx, c.ID, []string{"base"}, "hi", nil, nil); !errors.Is(err, ErrChatUnavailable) {
		t.Errorf("send: %v", err)
	}
	if _, err := h.ArenaStart(ctx, chatModel, "hi", "", DefaultChatSettings(), nil); !errors.Is(err, ErrChatUnavailable) {
		t.Errorf("arena: %v", err)
	}
	if !strings.HasPrefix(ErrChatUnavailable.Error(), "chat is not available: ") {
		t.Errorf("the error says %q", ErrChatUnavailable)
	}
	if v, err := h.Conversation(ctx, c.ID); err != nil || len(v.Messages) != 0 {
		t.Errorf("conversation %+v, %v", v, err)
	}
	if st, err := h.ArenaStats(ctx, chatModel); err != nil || st.Votes != 0 || st.Standings == nil {
		t.Errorf("stats %+v, %v", st, err)
	}
}

// TestConversationLifecycle: create with settings, rename, change the
// settings, list, delete; bad settings are refused by name.
func TestConversationLifecycle(t *testing.T) {
	ctx := context.Background()
	h := chatHone(t, nil)
	seed := uint64(7)
	s := ChatSettings{Temperature: 0.2, TopP: 0.9, MaxTokens: 64, Seed: &seed}
	c, err := h.CreateConversation(ctx, chatModel, "You are terse.", s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateConversation(ctx, chatModel, "", ChatSettings{TopP: 1, MaxTokens: 0}); err == nil || !strings.Contains(err.Error(), `"maxTokens"`) {
		t.Errorf("bad settings: %v", err)
	}
	if _, err := h.CreateConversation(ctx, "", "", s); err == nil {
		t.Error("a conversation with no model")
	}
	if err := h.RenameConversation(ctx, c.ID, "  Terse  "); err != nil {
		t.Fatal(err)
	}
	s.Temperature, s.Seed = 0, nil
	if err := h.SetConversationSettings(ctx, c.ID, "You are verbose.", s); err != nil {
		t.Fatal(err)
	}
	v, err := h.Conversation(ctx, c.ID)
	if err != nil || v.Conversation.Title != "Terse" || v.Conversation.System != "You are verbose." || !reflect.DeepEqual(v.Settings, s) ||
		v.Panes == nil || v.Messages == nil {
		t.Fatalf("conversation %+v, %v", v, err)
	}
	if err := h.SetConversationSettings(ctx, c.ID, "", ChatSettings{Temperature: 3, TopP: 1, MaxTokens: 1}); err == nil {
		t.Error("bad settings stored")
	}
	cs, err := h.Conversations(ctx)
	if err != nil || len(cs) != 1 {
		t.Fatalf("conversations %+v, %v", cs, err)
	}
	if err := h.DeleteConversation(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Conversation(ctx, c.ID); err == nil {
		t.Error("a deleted conversation reads back")
	}
}

// TestSendCompares: three panes answer one turn at once with one seed,
// each from its own history; what streamed is what is stored, with the
// stats; a later turn with fewer panes, and one with a pane that joins.
func TestSendCompares(t *testing.T) {
	ctx := context.Background()
	gen := &fakeGen{}
	h := chatHone(t, gen, "alpha", "beta")
	c, err := h.CreateConversation(ctx, chatModel, "Answer in English.", ChatSettings{Temperature: 0.7, TopP: 0.9, MaxTokens: 100})
	if err != nil {
		t.Fatal(err)
	}
	panes := []string{"base", "alpha-2", "beta-3"}
	col := newCollect()
	res, err := h.Send(ctx, c.ID, panes, "hello there", nil, col.on)
	if err != nil {
		t.Fatal(err)
	}
	reqs := gen.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	adapters := map[string]bool{}
	for _, r := range reqs {
		adapters[r.Adapter] = true
		if *r.Seed != res.Seed || r.System != "Answer in English." || r.Temperature != 0.7 || r.TopP != 0.9 || r.MaxTokens != 100 {
			t.Errorf("request %+v (seed %d), want seed %d and the conversation's settings", r, *r.Seed, res.Seed)
		}
		if len(r.Messages) != 1 || r.Messages[0] != (infer.Message{Role: "user", Content: "hello there"}) {
			t.Errorf("first turn history %+v", r.Messages)
		}
	}
	if !reflect.DeepEqual(adapters, map[string]bool{"": true, "alpha-2": true, "beta-3": true}) {
		t.Errorf("adapters asked for: %v (the base is \"\")", adapters)
	}
	for i, p := range panes {
		a := res.Answers[i]
		want := fakeAnswer(p, res.Seed, "hello there")
		if a.Pane != p || a.Error != "" || a.Message.Content != want || a.Message.ID == 0 || col.text[p] != want || col.dones[p] != 1 {
			t.Errorf("pane %s: %+v, streamed %q (%d done), want %q", p, a, col.text[p], col.dones[p], want)
		}
		if st := a.Message.Stats; st.Seed != res.Seed || st.Finish != "stop" || st.TTFTMs != 5 || st.TokensPerSecond != 100 || st.CompletionTokens != 6 {
			t.Errorf("pane %s stats %+v", p, st)
		}
	}

	// Turn 2, base and alpha only; turn 3 adds beta back, which missed turn 2.
	fixed := uint64(99)
	if _, err := h.Send(ctx, c.ID, panes[:2], "second", &fixed, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Send(ctx, c.ID, []string{"beta-3", "base"}, "third", &fixed, nil); err != nil {
		t.Fatal(err)
	}
	last := map[string][]infer.Message{}
	for _, r := range gen.requests()[5:] {
		last[r.Adapter] = r.Messages
	}
	roles := func(ms []infer.Message) (s []string) {
		for _, m := range ms {
			s = append(s, m.Role[:1]+":"+strings.Fields(m.Content)[0])
		}
		return s
	}
	if got := roles(last[""]); !reflect.DeepEqual(got, []string{"u:hello", "a:base", "u:second", "a:base", "u:third"}) {
		t.Errorf("the base's history on turn 3: %q", got)
	}
	if got := roles(last["beta-3"]); !reflect.DeepEqual(got, []string{"u:hello", "a:beta-3", "u:third"}) {
		t.Errorf("beta's history on turn 3: %q", got)
	}
	v, err := h.Conversation(ctx, c.ID)
	if err != nil || len(v.Messages) != 4+3+3 || v.Conversation.Title != "hello there" {
		t.Fatalf("conversation: %d messages, title %q, %v", len(v.Messages), v.Conversation.Title, err)
	}
	if !reflect.DeepEqual(v.Panes, panes) {
		t.Errorf("panes %q, want %q", v.Panes, panes)
	}
}

// TestSendRefuses: what a turn cannot be sent with, refused before
// anything is written or generated.
func TestSendRefuses(t *testing.T) {
	ctx := context.Background()
	gen := &fakeGen{}
	h := chatHone(t, gen, "a", "b", "c", "d", "e")
	c, _ := h.CreateConversation(ctx, chatModel, "", DefaultChatSettings())
	for _, tc := range []struct {
		name  string
		conv  int64
		panes []string
		text  string
		want  string
	}{
		{"no pane", c.ID, nil, "hi", "0 panes"},
		{"six panes", c.ID, []string{"base", "a-2", "b-3", "c-4", "d-5", "e-6"}, "hi", "6 panes"},
		{"a pane twice", c.ID, []string{"base", "base"}, "hi", `"base" is open twice`},
		{"an adapter of another base", c.ID, []string{"on-another-base-1"}, "hi", `"on-another-base-1": no such model`},
		{"no text", c.ID, []string{"base"}, "  \n", "type a message"},
		{"no conversation", 99, []string{"base"}, "hi", "conversation 99"},
	} {
		if _, err := h.Send(ctx, tc.conv, tc.panes, tc.text, nil, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if v, _ := h.Conversation(ctx, c.ID); len(v.Messages) != 0 || len(gen.requests()) != 0 {
		t.Errorf("%d messages stored, %d requests made", len(v.Messages), len(gen.requests()))
	}
}

// TestSendPaneFails: a pane the engine refuses reports why; the others
// answer and are stored; its turn is left out of its later history.
func TestSendPaneFails(t *testing.T) {
	ctx := context.Background()
	gen := &fakeGen{refuse: map[string]error{"alpha-2": infer.NotFound("alpha-2")}}
	h := chatHone(t, gen, "alpha")
	c, _ := h.CreateConversation(ctx, chatModel, "", DefaultChatSettings())
	col := newCollect()
	res, err := h.Send(ctx, c.ID, []string{"base", "alpha-2"}, "hi", nil, col.on)
	if err != nil {
		t.Fatal(err)
	}
	bad := res.Answers[1]
	if bad.Message.ID != 0 || !strings.Contains(bad.Error, `alpha-2: The model "alpha-2" does not exist`) || bad.Message.Stats.Finish != "error" || col.dones["alpha-2"] != 1 {
		t.Errorf("the refused pane: %+v (%d done events)", bad, col.dones["alpha-2"])
	}
	if res.Answers[0].Message.ID == 0 || res.Answers[0].Error != "" {
		t.Errorf("the base: %+v", res.Answers[0])
	}
	if v, _ := h.Conversation(ctx, c.ID); len(v.Messages) != 2 {
		t.Errorf("%d messages stored, want the turn and the base's answer", len(v.Messages))
	}
}

// TestSendMaxTokens: an answer cut by the token cap says so.
func TestSendMaxTokens(t *testing.T) {
	ctx := context.Background()
	h := chatHone(t, &fakeGen{})
	c, _ := h.CreateConversation(ctx, chatModel, "", ChatSettings{Temperature: 0, TopP: 1, MaxTokens: 2})
	res, err := h.Send(ctx, c.ID, []string{"base"}, "hi", nil, nil)
	if err != nil || res.Answers[0].Message.Content != "base seed" || res.Answers[0].Message.Stats.Finish != "length" {
		t.Fatalf("%+v, %v", res, err)
	}
}

// TestSendStopped: cancelling a turn stops every pane; the text each had
// is stored as cancelled; the conversation takes a turn again at once. A
// second turn while one runs is refused.
func TestSendStopped(t *testing.T) {
	gen := &fakeGen{delay: 20 * time.Millisecond, started: make(chan infer.Request, 4)}
	h := chatHone(t, gen, "alpha")
	c, _ := h.CreateConversation(context.Background(), chatModel, "", DefaultChatSettings())
	ctx, cancel := context.WithCancel(context.Background())
	// Stop once both panes have streamed some text (callbacks are serialised).
	spoke, ready := map[string]bool{}, make(chan struct{})
	on := func(p string, e infer.Event) {
		if e.Text != "" && !spoke[p] {
			if spoke[p] = true; len(spoke) == 2 {
				close(ready)
			}
		}
	}
	done := make(chan SendResult)
	go func() {
		res, err := h.Send(ctx, c.ID, []string{"base", "alpha-2"}, "tell me a long story", nil, on)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	<-gen.started
	<-gen.started
	if _, err := h.Send(context.Background(), c.ID, []string{"base"}, "me too", nil, nil); err == nil || !strings.Contains(err.Error(), "is answering") {
		t.Errorf("a second turn at once: %v", err)
	}
	<-ready
	cancel()
	res := <-done
	for _, a := range res.Answers {
		full := fakeAnswer(a.Pane, res.Seed, "tell me a long story")
		if a.Message.Stats.Finish != "cancelled" || a.Message.Content == "" || a.Message.Content == full || !strings.HasPrefix(full, a.Message.Content) {
			t.Errorf("stopped pane %s: %+v", a.Pane, a.Message)
		}
		if a.Message.ID == 0 {
			t.Errorf("pane %s: the partial answer was not stored", a.Pane)
		}
	}
	gen.delay, gen.started = 0, nil
	if _, err := h.Send(context.Background(), c.ID, []string{"base"}, "again", nil, nil); err != nil {
		t.Errorf("a turn after the stop: %v", err)
	}
}

// TestRegenerate: a new answer replaces the pane's last one (a new seed,
// or the fixed one), the other panes keep theirs; a failed one keeps the
// old answer.
func TestRegenerate(t *testing.T) {
	ctx := context.Background()
	gen := &fakeGen{}
	h := chatHone(t, gen, "alpha")
	c, _ := h.CreateConversation(ctx, chatModel, "", DefaultChatSettings())
	first, err := h.Send(ctx, c.ID, []string{"base", "alpha-2"}, "hi", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Regenerate(ctx, c.ID, "alpha-2", nil); err != nil {
		t.Fatal(err)
	}
	v, _ := h.Conversation(ctx, c.ID)
	if len(v.Messages) != 3 || v.Messages[1].Content != first.Answers[0].Message.Content || v.Messages[2].Pane != "alpha-2" {
		t.Fatalf("after regenerating: %+v", v.Messages)
	}
	if s := v.Messages[2].Stats.Seed; s == first.Seed || v.Messages[2].Content != fakeAnswer("alpha-2", s, "hi") {
		t.Errorf("regenerated with seed %d (the turn's was %d): %q", s, first.Seed, v.Messages[2].Content)
	}
	if r := gen.requests()[2]; len(r.Messages) != 1 || r.Messages[0].Content != "hi" {
		t.Errorf("regenerate's history %+v", r.Messages)
	}

	fixed := uint64(5)
	s := DefaultChatSettings()
	s.Seed = &fixed
	h.SetConversationSettings(ctx, c.ID, "", s)
	for range 2 {
		a, err := h.Regenerate(ctx, c.ID, "base", nil)
		if err != nil || a.Message.Content != fakeAnswer("base", 5, "hi") {
			t.Fatalf("with a fixed seed: %+v, %v", a, err)
		}
	}
	gen.refuse = map[string]error{"": errors.New("the engine is gone")}
	if _, err := h.Regenerate(ctx, c.ID, "base", nil); err == nil || !strings.Contains(err.Error(), "the engine is gone") {
		t.Errorf("a failed regenerate: %v", err)
	}
	v, _ = h.Conversation(ctx, c.ID)
	if len(v.Messages) != 3 || v.Messages[2].Content != fakeAnswer("base", 5, "hi") {
		t.Errorf("after a failed regenerate: %+v", v.Messages)
	}
	empty, _ := h.CreateConversation(ctx, chatModel, "", DefaultChatSettings())
	if _, err := h.Regenerate(ctx, empty.ID, "base", nil); err == nil {
		t.Error("regenerated in a conversation with no turn")
	}
}

// TestEditAndResend: editing the first of two turns drops both turns'
// answers in every pane and answers the edit, in the panes that had
// answered (or the ones asked for).
func TestEditAndResend(t *testing.T) {
	ctx := context.Background()
	gen := &fakeGen{}
	h := chatHone(t, gen, "alpha")
	c, _ := h.CreateConversation(ctx, chatModel, "", DefaultChatSettings())
	first, _ := h.Send(ctx, c.ID, []string{"base", "alpha-2"}, "hi", nil, nil)
	if _, err := h.Send(ctx, c.ID, []string{"base", "alpha-2"}, "more", nil, nil); err != nil {
		t.Fatal(err)
	}
	res, err := h.EditAndResend(ctx, c.ID, first.User.ID, "hello instead", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := h.Conversation(ctx, c.ID)
	var got []string
	for _, m := range v.Messages {
		got = append(got, m.Content)
	}
	want := []string{"hello instead", fakeAnswer("base", res.Seed, "hello instead"), fakeAnswer("alpha-2", res.Seed, "hello instead")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the edit: %q, want %q", got, want)
	}
	if _, err := h.EditAndResend(ctx, c.ID, v.Messages[1].ID, "x", nil, nil, nil); err == nil {
		t.Error("edited an answer")
	}
	res, err = h.EditAndResend(ctx, c.ID, v.Messages[0].ID, "base only", []string{"base"}, nil, nil)
	if err != nil || len(res.Answers) != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
}
