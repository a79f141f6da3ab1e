package openai

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/infer"
)

// clientFor serves f and returns a Client to it.
func clientFor(t *testing.T, f *fakeGen, o Options) *Client {
	t.Helper()
	return NewClient(serve(t, f, o).URL+"/v1", o.Token)
}

// drain reads a generation to its end: the text and the last event.
func drain(t *testing.T, events <-chan infer.Event) (string, infer.Event) {
	t.Helper()
	var text strings.Builder
	var last infer.Event
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				if !last.Done {
					t.Fatal("the channel closed without a last event")
				}
				return text.String(), last
			}
			if last.Done {
				t.Fatalf("an event after the last: %+v", ev)
			}
			text.WriteString(ev.Text)
			last = ev
		case <-timeout:
			t.Fatal("the generation did not end")
		}
	}
}

func TestClientGenerate(t *testing.T) {
	bigSeed := uint64(1<<63 + 5) // above int64: must travel exactly
	for _, tc := range []struct {
		name     string
		req      infer.Request
		wantText string
		finish   string
		wantReq  infer.Request // what the engine behind the server got
	}{{
		name: "chat with an adapter, a system prompt and every sampling field",
		req: infer.Request{Adapter: "support-bot", System: "Be brief.", Messages: []infer.Message{{Role: "user", Content: "where is my order"}},
			Sampling: infer.Sampling{Temperature: 0, TopP: 0.9, TopK: 40, MinP: 0.05, RepetitionPenalty: 1.1, FrequencyPenalty: 0.5,
				PresencePenalty: -0.5, Seed: &bigSeed, Stop: []string{"\n\n"}, MaxTokens: 100}},
		wantText: "[support-bot] you said: where is my order", finish: "stop",
		wantReq: infer.Request{Adapter: "support-bot", Messages: []infer.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "where is my order"}},
			Sampling: infer.Sampling{Temperature: 0, TopP: 0.9, TopK: 40, MinP: 0.05, RepetitionPenalty: 1.1, FrequencyPenalty: 0.5,
				PresencePenalty: -0.5, Seed: &bigSeed, Stop: []string{"\n\n"}, MaxTokens: 100}},
	}, {
		name: "chat with the base keeps its own system turn and defaults",
		req: infer.Request{System: "unused", Messages: []infer.Message{{Role: "system", Content: "Mine."}, {Role: "user", Content: "hi"},
			{Role: "assistant", Content: "hello"}, {Role: "user", Content: "bye now"}}},
		wantText: "[fake-base] you said: bye now", finish: "stop",
		wantReq: infer.Request{Messages: []infer.Message{{Role: "system", Content: "Mine."}, {Role: "user", Content: "hi"},
			{Role: "assistant", Content: "hello"}, {Role: "user", Content: "bye now"}}, Sampling: infer.Sampling{TopP: 1}},
	}, {
		name:     "completion cut by max tokens",
		req:      infer.Request{Prompt: "Once upon a time", Sampling: infer.Sampling{Temperature: 0.7, MaxTokens: 3}},
		wantText: "Once upon a ", finish: "length",
		wantReq: infer.Request{Prompt: "Once upon a time", Sampling: infer.Sampling{Temperature: 0.7, TopP: 1, MaxTokens: 3}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newTestGenerator(t).(*fakeGen)
			events, err := clientFor(t, f, Options{}).Generate(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			text, last := drain(t, events)
			if text != tc.wantText || last.Finish != tc.finish || last.Err != nil {
				t.Fatalf("text %q finish %q err %v, want %q %q", text, last.Finish, last.Err, tc.wantText, tc.finish)
			}
			words := len(splitWords(tc.wantText))
			if last.Usage.CompletionTokens != words || last.Usage.PromptTokens == 0 || last.Usage.TotalTokens != last.Usage.PromptTokens+words {
				t.Errorf("usage %+v, want %d completion tokens", last.Usage, words)
			}
			wantSeed := uint64(424242)
			if tc.req.Seed != nil {
				wantSeed = *tc.req.Seed
			}
			if last.Seed != wantSeed || last.TimeToFirstMS != 1.5 || last.TokensPerSecond != 100 {
				t.Errorf("engine stats seed %d ttft %g tps %g, want the fake's", last.Seed, last.TimeToFirstMS, last.TokensPerSecond)
			}
			if got := f.lastRequest(t); !reflect.DeepEqual(got, tc.wantReq) {
				t.Errorf("engine got %+v\nwant %+v", got, tc.wantReq)
			}
		})
	}
}

// TestClientTokensPerEvent: continuous usage gives each event its count.
func TestClientTokensPerEvent(t *testing.T) {
	events, err := clientFor(t, newFake(), Options{}).Generate(context.Background(),
		infer.Request{Messages: []infer.Message{{Role: "user", Content: "a b c"}}})
	if err != nil {
		t.Fatal(err)
	}
	sum, n := 0, 0
	for ev := range events {
		if !ev.Done {
			n++
			if ev.Tokens != 1 {
				t.Errorf("event %q has %d tokens, the fake makes one a word", ev.Text, ev.Tokens)
			}
		}
		sum += ev.Tokens
	}
	if n != 6 || sum != 6 {
		t.Errorf("%d events with %d tokens, want 6 words", n, sum)
	}
}

func TestClientErrors(t *testing.T) {
	chat := infer.Request{Messages: []infer.Message{{Role: "user", Content: "x"}}}
	for _, tc := range []struct {
		name   string
		token  string // the client's; the server's is "tok"
		req    infer.Request
		setup  func(*fakeGen)
		status int
		code   string
	}{
		{"an unknown adapter", "tok", infer.Request{Adapter: "nope", Messages: chat.Messages}, nil, 404, "model_not_found"},
		{"a bad field", "tok", infer.Request{Messages: chat.Messages, Sampling: infer.Sampling{Temperature: 5}}, nil, 400, "invalid_value"},
		{"a wrong token", "bad", chat, nil, 401, "invalid_api_key"},
		{"no token", "", chat, nil, 401, "invalid_api_key"},
		{"an engine refusal", "tok", chat, func(f *fakeGen) {
			f.genErr = &infer.Error{Status: 400, Type: "invalid_request_error", Code: "context_length_exceeded", Param: "messages", Message: "too long"}
		}, 400, "context_length_exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			if tc.setup != nil {
				tc.setup(f)
			}
			c := NewClient(serve(t, f, Options{Token: "tok"}).URL+"/v1", tc.token)
			_, err := c.Generate(context.Background(), tc.req)
			var ie *infer.Error
			if !errors.As(err, &ie) || ie.Status != tc.status || ie.Code != tc.code || ie.Message == "" {
				t.Fatalf("got %v (%#v), want a %d %s", err, ie, tc.status, tc.code)
			}
		})
	}
}

func TestClientStreamBreaks(t *testing.T) {
	f := newFake()
	f.midErr = &infer.Error{Status: 500, Type: "server_error", Code: "device_lost", Message: "the GPU went away"}
	events, err := clientFor(t, f, Options{}).Generate(context.Background(), infer.Request{Prompt: "a b c"})
	if err != nil {
		t.Fatal(err)
	}
	text, last := drain(t, events)
	var ie *infer.Error
	if text != "a " || !errors.As(last.Err, &ie) || ie.Code != "device_lost" || ie.Message != "the GPU went away" {
		t.Fatalf("text %q last %+v, want the first word then the engine's error", text, last)
	}
}

func TestClientCancel(t *testing.T) {
	f := newFake()
	f.hold = true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := clientFor(t, f, Options{}).Generate(ctx, infer.Request{Prompt: "a b c"})
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-events; ev.Text != "a " {
		t.Fatalf("first event %+v", ev)
	}
	cancel()
	select {
	case <-f.cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the client's context did not cancel the engine's")
	}
	_, last := drain(t, events)
	if last.Finish != infer.FinishCancelled {
		t.Errorf("last event %+v, want finish cancelled", last)
	}
}

func TestClientModelsAndAdapters(t *testing.T) {
	f := newTestGenerator(t).(*fakeGen)
	c := clientFor(t, f, Options{Token: "tok", BaseName: "SmolLM2"})
	want := []infer.ModelInfo{
		{ID: "SmolLM2", Path: "/models/fake-base", Created: 1700000000},
		{ID: "support-bot", Adapter: true, Path: "/adapters/support-bot", Created: 1700000001},
	}
	if got := c.Models(); !reflect.DeepEqual(got, want) {
		t.Fatalf("models %+v\nwant %+v", got, want)
	}
	if n := c.ContextLength(); n != 2048 {
		t.Errorf("context length %d, want the fake's 2048", n)
	}
	if err := c.LoadAdapter("legal", "/runs/3/adapter"); err != nil {
		t.Fatal(err)
	}
	if got := c.Models(); len(got) != 3 || got[1].ID != "legal" || !got[1].Adapter || got[1].Path != "/runs/3/adapter" {
		t.Errorf("after loading: %+v", got)
	}
	var ie *infer.Error
	if err := c.LoadAdapter("bad/name", "/x"); !errors.As(err, &ie) || ie.Status != 400 || ie.Param != "name" {
		t.Errorf("a bad name: %v", err)
	}
	if err := c.UnloadAdapter("legal"); err != nil {
		t.Fatal(err)
	}
	if err := c.UnloadAdapter("legal"); !errors.As(err, &ie) || ie.Status != 404 {
		t.Errorf("unloading twice: %v", err)
	}
	if err := c.UnloadAdapter("../x"); !errors.As(err, &ie) || ie.Param != "name" {
		t.Errorf("a name that would climb the path: %v", err)
	}
}

func TestClientServerGone(t *testing.T) {
	srv := serve(t, newFake(), Options{})
	c := NewClient(srv.URL+"/v1", "")
	srv.Close()
	if m := c.Models(); m != nil {
		t.Errorf("models from a closed server: %+v", m)
	}
	if n := c.ContextLength(); n != 0 {
		t.Errorf("context length from a closed server: %d", n)
	}
	if _, err := c.Generate(context.Background(), infer.Request{Prompt: "x"}); err == nil {
		t.Error("generating on a closed server did not fail")
	}
}
