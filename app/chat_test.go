package app

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/infer"
)

// record keeps the events a facade emits.
type record struct {
	mu  sync.Mutex
	evs []ChatStreamEvent
}

func (r *record) Emit(name string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == ChatEvent {
		r.evs = append(r.evs, data.(ChatStreamEvent))
	}
}

func (r *record) events() []ChatStreamEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ChatStreamEvent(nil), r.evs...)
}

func tok(s string) infer.Event { return infer.Event{Text: s, Tokens: 1} }

// TestBatcher: text gathers per pane until a flush; a pane's last event
// goes at once with what it had gathered and its stats (none in the
// arena), or its error; close emits the rest and drops what comes later.
func TestBatcher(t *testing.T) {
	last := infer.Event{Done: true, Finish: "stop", Seed: 9, TimeToFirstMS: 3, TokensPerSecond: 50, Usage: infer.Usage{CompletionTokens: 2}}
	type step struct {
		pane string
		e    infer.Event
	}
	for _, c := range []struct {
		name  string
		every time.Duration
		hide  bool
		steps []step
		want  []string // pane:text[:done[:stats seed]]
	}{
		{"every token at once", 0, false, []step{{"base", tok("Hi")}, {"x-1", tok("Yo")}, {"base", tok(" there")}, {"base", last}},
			[]string{"base:Hi", "x-1:Yo", "base: there", "base::done:9"}},
		{"gathered until the last event", time.Hour, false, []step{{"base", tok("Hi")}, {"x-1", tok("Yo")}, {"base", tok(" there")}, {"base", last}, {"x-1", tok("!")}},
			[]string{"base:Hi there:done:9", "x-1:Yo!"}},
		{"the arena hides the stats", time.Hour, true, []step{{"a", tok("A")}, {"b", tok("B")}, {"b", last}, {"a", last}},
			[]string{"b:B:done", "a:A:done"}},
		{"an error ends a pane", time.Hour, false, []step{{"base", tok("Hal")}, {"base", infer.Event{Done: true, Err: errors.New("engine died")}}},
			[]string{"base:Hal:done:0:engine died"}},
	} {
		var r record
		b := &batcher{emit: func(e ChatStreamEvent) { r.Emit(ChatEvent, e) }, every: c.every, hide: c.hide,
			base: ChatStreamEvent{Stream: "s1", Conversation: 4}, pending: map[string]string{}}
		for _, s := range c.steps {
			b.on(s.pane, s.e)
		}
		b.close()
		b.on("base", tok("late"))
		var got []string
		for _, e := range r.events() {
			s := e.Pane + ":" + e.Text
			if e.Done {
				s += ":done"
			}
			if e.Stats != nil {
				s += fmt.Sprintf(":%d", e.Stats.Seed)
			}
			if e.Error != "" {
				s += ":" + e.Error
			}
			if e.Stream != "s1" || e.Conversation != 4 {
				t.Errorf("%s: event %+v lost its stream", c.name, e)
			}
			got = append(got, s)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestBatcherTimer: gathered text goes out within the interval, without
// waiting for the next token.
func TestBatcherTimer(t *testing.T) {
	var r record
	b := &batcher{emit: func(e ChatStreamEvent) { r.Emit(ChatEvent, e) }, every: 10 * time.Millisecond, pending: map[string]string{}}
	b.on("base", tok("Once"))
	b.on("base", tok(" upon"))
	deadline := time.Now().Add(2 * time.Second)
	for len(r.events()) == 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if evs := r.events(); len(evs) != 1 || evs[0].Text != "Once upon" || evs[0].Done {
		t.Fatalf("events %+v", evs)
	}
	b.close()
}

// TestChatFacade: without an engine a turn says why and leaves no stream
// behind; the stream names are checked; the conversation use cases work.
func TestChatFacade(t *testing.T) {
	var r record
	a := testApp(t)
	a.Chat.events = &r
	c, err := a.Chat.NewConversation("/m/stories260K.bin", "", a.Chat.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	// The chat's server is a child `hone serve`; here os.Executable is this
	// test binary, which refuses hone's flags: the server cannot start.
	noServer := "serve /m/stories260K.bin: the chat server for stories260K.bin stopped"
	if _, err := a.Chat.Send("s1", c.ID, []string{"base"}, "hi"); err == nil || !strings.HasPrefix(err.Error(), noServer) {
		t.Errorf("send without a server: %v", err)
	}
	if _, err := a.Chat.Send("", c.ID, []string{"base"}, "hi"); err == nil {
		t.Error("a stream without a name")
	}
	if len(a.Chat.streams) != 0 {
		t.Errorf("streams left: %v", a.Chat.streams)
	}
	_, _, end, err := a.Chat.open("s2", c.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := a.Chat.open("s2", c.ID, false); err == nil {
		t.Error("one stream name twice at once")
	}
	a.Chat.Stop("s2")
	a.Chat.Stop("no such stream")
	end()
	if cs, err := a.Chat.Conversations(); err != nil || len(cs) != 1 {
		t.Errorf("conversations %+v, %v", cs, err)
	}
	if _, err := a.Chat.ExportPreferences("/m/stories260K.bin"); err == nil || !strings.Contains(err.Error(), "no decisive vote") {
		t.Errorf("export with no votes: %v", err)
	}
	if len(r.events()) != 0 {
		t.Errorf("events %+v", r.events())
	}
}

// TestChatServerFacade: no server runs until one is asked for; one that
// cannot start says why and leaves none running; stopping none is harmless.
func TestChatServerFacade(t *testing.T) {
	a := testApp(t)
	if s := a.Chat.Server(); s != (ServerState{}) {
		t.Errorf("a fresh Hone serves %+v", s)
	}
	for _, c := range []struct{ model, want string }{
		{"", "choose a base model to serve"},
		{"/m/stories260K.bin", "serve /m/stories260K.bin: the chat server for stories260K.bin stopped"},
	} {
		if s, err := a.Chat.StartServer(c.model); err == nil || !strings.HasPrefix(err.Error(), c.want) || s.Running {
			t.Errorf("start %q: %+v, %v; want %q", c.model, s, err, c.want)
		}
	}
	a.Chat.StopServer()
	if s := a.Chat.Server(); s.Running {
		t.Errorf("after stop %+v", s)
	}
}
