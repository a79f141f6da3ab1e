package openai

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hone-ai/hone/backend/infer"
)

// fakeGen is a deterministic infer.Generator: it answers "[MODEL] you
// said: LAST-TURN" (or the prompt followed by " and so on"), streamed word
// by word with one token a word, honouring stop strings, max_tokens and
// ctx cancellation. It records every Request it gets.
type fakeGen struct {
	base   string
	ctxLen int

	mu        sync.Mutex
	adapters  map[string]string // name -> folder
	requests  []infer.Request
	genErr    error         // Generate's error, when set
	midErr    error         // sent after the first word, when set
	hold      bool          // after the first word, wait for ctx to end
	cancelled chan struct{} // closed once a generation saw ctx end
	once      sync.Once
}

func newFake() *fakeGen {
	return &fakeGen{base: "fake-base", ctxLen: 2048, adapters: map[string]string{}, cancelled: make(chan struct{})}
}

// newTestGenerator is the Generator the end-to-end tests (the real SDKs)
// run against: the fake with one adapter. Swap in the real engine on a
// real model here to run the same tests on it.
func newTestGenerator(t *testing.T) infer.Generator {
	t.Helper()
	f := newFake()
	if err := f.LoadAdapter("support-bot", "/adapters/support-bot"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fakeGen) Models() []infer.ModelInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []infer.ModelInfo{{ID: f.base, Path: "/models/" + f.base, Created: 1700000000}}
	for _, name := range slices.Sorted(maps.Keys(f.adapters)) {
		out = append(out, infer.ModelInfo{ID: name, Adapter: true, Path: f.adapters[name], Created: 1700000001})
	}
	return out
}

func (f *fakeGen) ContextLength() int { return f.ctxLen }

func (f *fakeGen) LoadAdapter(name, dir string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case dir == "/broken":
		return errors.New("reading /broken/adapter_config.json: no such file")
	case f.adapters[name] != "":
		return infer.Errorf("invalid_value", "name", "adapter %q is already loaded", name)
	}
	f.adapters[name] = dir
	return nil
}

func (f *fakeGen) UnloadAdapter(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.adapters[name] == "" {
		return infer.NotFound(name)
	}
	delete(f.adapters, name)
	return nil
}

// lastRequest is the Request of the latest Generate call.
func (f *fakeGen) lastRequest(t *testing.T) infer.Request {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("the engine got no request")
	}
	return f.requests[len(f.requests)-1]
}

// reply is the fake's whole answer to r, before stop strings and limits.
func (f *fakeGen) reply(r infer.Request) string {
	model := r.Adapter
	if model == "" {
		model = f.base
	}
	if len(r.Messages) == 0 {
		return r.Prompt + " and so on"
	}
	return fmt.Sprintf("[%s] you said: %s", model, r.Messages[len(r.Messages)-1].Content)
}

func (f *fakeGen) Generate(ctx context.Context, r infer.Request) (<-chan infer.Event, error) {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	genErr, midErr, hold := f.genErr, f.midErr, f.hold
	_, known := f.adapters[r.Adapter]
	f.mu.Unlock()
	switch {
	case r.Prompt == "panic":
		panic("the fake engine was told to panic")
	case genErr != nil:
		return nil, genErr
	case r.Adapter != "" && !known:
		return nil, infer.NotFound(r.Adapter)
	}
	words, finish := f.words(r)
	ch := make(chan infer.Event)
	go f.run(ctx, ch, words, finish, promptTokens(r), r.Seed, midErr, hold)
	return ch, nil
}

// words splits the reply into its streamed pieces, cut at the first stop
// string (finish "stop") or at max_tokens words (finish "length").
func (f *fakeGen) words(r infer.Request) ([]string, string) {
	text := f.reply(r)
	for _, stop := range r.Stop {
		if i := strings.Index(text, stop); i >= 0 {
			text = text[:i]
		}
	}
	words := splitWords(text)
	if r.MaxTokens > 0 && len(words) > r.MaxTokens {
		return words[:r.MaxTokens], infer.FinishLength
	}
	return words, infer.FinishStop
}

// splitWords cuts text after each space: the fake's tokens.
func splitWords(text string) []string {
	return slices.DeleteFunc(strings.SplitAfter(text, " "), func(w string) bool { return w == "" })
}

func promptTokens(r infer.Request) int {
	n := len(strings.Fields(r.Prompt))
	for _, m := range r.Messages {
		n += len(strings.Fields(m.Content))
	}
	return n
}

func (f *fakeGen) run(ctx context.Context, ch chan<- infer.Event, words []string, finish string, prompt int, seed *uint64, midErr error, hold bool) {
	defer close(ch)
	send := func(ev infer.Event) bool {
		select {
		case ch <- ev:
			return true
		case <-ctx.Done():
			f.once.Do(func() { close(f.cancelled) })
			return false
		}
	}
	for i, w := range words {
		if !send(infer.Event{Text: w, Tokens: 1}) {
			return
		}
		if i == 0 && midErr != nil {
			send(infer.Event{Done: true, Err: midErr})
			return
		}
		if i == 0 && hold {
			<-ctx.Done()
			f.once.Do(func() { close(f.cancelled) })
			return
		}
	}
	drawn := uint64(424242)
	if seed != nil {
		drawn = *seed
	}
	send(infer.Event{Done: true, Finish: finish, Seed: drawn, TimeToFirstMS: 1.5, TokensPerSecond: 100,
		Usage: infer.Usage{PromptTokens: prompt, CompletionTokens: len(words), TotalTokens: prompt + len(words)}})
}
