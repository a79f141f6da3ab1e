package openai

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/infer"
)

func TestModels(t *testing.T) {
	f := newFake()
	if err := f.LoadAdapter("support-bot", "/adapters/support-bot"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, baseName string
		wantBase       string
	}{
		{"engine's base id", "", "fake-base"},
		{"Options.BaseName", "SmolLM2-135M", "SmolLM2-135M"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, f, Options{BaseName: tc.baseName})
			r := call(t, srv, "GET", "/v1/models", "")
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			list := decodeAs[modelList](t, r.body)
			want := modelList{Object: "list", Data: []modelObject{
				{ID: tc.wantBase, Object: "model", Created: 1700000000, OwnedBy: "hone", Root: "/models/fake-base", MaxModelLen: 2048},
				{ID: "support-bot", Object: "model", Created: 1700000001, OwnedBy: "hone", Root: "/adapters/support-bot",
					Parent: tc.wantBase, MaxModelLen: 2048},
			}}
			if !reflect.DeepEqual(list, want) {
				t.Fatalf("got %+v\nwant %+v", list, want)
			}
			for _, m := range want.Data {
				one := call(t, srv, "GET", "/v1/models/"+m.ID, "")
				if got := decodeAs[modelObject](t, one.body); one.status != 200 || got != m {
					t.Errorf("GET /v1/models/%s: %d %+v, want %+v", m.ID, one.status, got, m)
				}
			}
			missing := call(t, srv, "GET", "/v1/models/nope", "")
			if e := errorOf(t, missing); missing.status != 404 || deref(e.Code) != "model_not_found" {
				t.Errorf("unknown model: %d %+v", missing.status, e)
			}
		})
	}
}

// wireChat is a chat completion or a text completion as a client decodes it.
type wireChat struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index   int `json:"index"`
		Message struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"message"`
		Text         string  `json:"text"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *infer.Usage `json:"usage"`
	Hone  *honeStats   `json:"hone"`
}

func TestCompletionsWhole(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		wantObject       string
		wantPrefix       string
		wantModel        string
		wantText         string
		wantFinish       string
		wantReq          infer.Request
	}{{
		name: "chat with an adapter", path: "/v1/chat/completions",
		body:       `{"model":"support-bot","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello there"}]}`,
		wantObject: "chat.completion", wantPrefix: "chatcmpl-", wantModel: "support-bot",
		wantText: "[support-bot] you said: hello there", wantFinish: "stop",
		wantReq: infer.Request{Adapter: "support-bot", Messages: []infer.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "hello there"}},
			Sampling: infer.Sampling{Temperature: 1, TopP: 1}},
	}, {
		name: "chat with the base by id, text parts and developer role", path: "/v1/chat/completions",
		body: `{"model":"fake-base","messages":[{"role":"developer","content":[{"type":"text","text":"Rules."}]},
			{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]}]}`,
		wantObject: "chat.completion", wantPrefix: "chatcmpl-", wantModel: "fake-base",
		wantText: "[fake-base] you said: one\ntwo", wantFinish: "stop",
		wantReq: infer.Request{Messages: []infer.Message{{Role: "system", Content: "Rules."}, {Role: "user", Content: "one\ntwo"}},
			Sampling: infer.Sampling{Temperature: 1, TopP: 1}},
	}, {
		name: "chat without a model is the base, cut by max_tokens", path: "/v1/chat/completions",
		body:       `{"messages":[{"role":"user","content":"a b c d"}],"max_tokens":3}`,
		wantObject: "chat.completion", wantPrefix: "chatcmpl-", wantModel: "fake-base",
		wantText: "[fake-base] you said: ", wantFinish: "length",
		wantReq: infer.Request{Messages: []infer.Message{{Role: "user", Content: "a b c d"}},
			Sampling: infer.Sampling{Temperature: 1, TopP: 1, MaxTokens: 3}},
	}, {
		name: "completion with a one-string prompt array and a stop string", path: "/v1/completions",
		body:       `{"model":"fake-base","prompt":["Once upon a time"],"stop":"and"}`,
		wantObject: "text_completion", wantPrefix: "cmpl-", wantModel: "fake-base",
		wantText: "Once upon a time ", wantFinish: "stop",
		wantReq: infer.Request{Prompt: "Once upon a time", Sampling: infer.Sampling{Temperature: 1, TopP: 1, Stop: []string{"and"}}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newTestGenerator(t).(*fakeGen)
			r := call(t, serve(t, f, Options{}), "POST", tc.path, tc.body)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			got := decodeAs[wireChat](t, r.body)
			if got.Object != tc.wantObject || !strings.HasPrefix(got.ID, tc.wantPrefix) || len(got.ID) < len(tc.wantPrefix)+16 ||
				got.Model != tc.wantModel || got.Created == 0 || len(got.Choices) != 1 {
				t.Fatalf("envelope: %s", r.body)
			}
			c := got.Choices[0]
			text := c.Text
			if tc.wantObject == "chat.completion" {
				text = c.Message.Content
				if c.Message.Role != "assistant" {
					t.Errorf("role %q", c.Message.Role)
				}
			}
			if text != tc.wantText || deref(c.FinishReason) != tc.wantFinish {
				t.Errorf("text %q finish %q, want %q %q", text, deref(c.FinishReason), tc.wantText, tc.wantFinish)
			}
			words := len(splitWords(tc.wantText))
			if u := got.Usage; u == nil || u.CompletionTokens != words || u.TotalTokens != u.PromptTokens+words || u.PromptTokens == 0 {
				t.Errorf("usage %+v, want %d completion tokens", u, words)
			}
			if got.Hone == nil || got.Hone.Seed != 424242 {
				t.Errorf("hone stats %+v, want the engine's drawn seed", got.Hone)
			}
			if req := f.lastRequest(t); !reflect.DeepEqual(req, tc.wantReq) {
				t.Errorf("engine got %+v\nwant %+v", req, tc.wantReq)
			}
		})
	}
}

func TestSamplingFields(t *testing.T) {
	seed := func(v uint64) *uint64 { return &v }
	for _, tc := range []struct {
		name, fields string
		want         infer.Sampling
	}{
		{"defaults", ``, infer.Sampling{Temperature: 1, TopP: 1}},
		{"nulls are defaults", `,"temperature":null,"top_p":null,"stop":null,"seed":null,"n":null`, infer.Sampling{Temperature: 1, TopP: 1}},
		{"OpenAI's fields", `,"temperature":0,"top_p":0.9,"max_tokens":7,"n":1,"stop":["\n","END"],"seed":42,
			"frequency_penalty":0.5,"presence_penalty":-0.25`,
			infer.Sampling{Temperature: 0, TopP: 0.9, MaxTokens: 7, Stop: []string{"\n", "END"}, Seed: seed(42),
				FrequencyPenalty: 0.5, PresencePenalty: -0.25}},
		{"vLLM's fields", `,"top_k":40,"min_p":0.05,"repetition_penalty":1.1`,
			infer.Sampling{Temperature: 1, TopP: 1, TopK: 40, MinP: 0.05, RepetitionPenalty: 1.1}},
		{"top_k -1 is off", `,"top_k":-1`, infer.Sampling{Temperature: 1, TopP: 1}},
		{"max_completion_tokens wins", `,"max_tokens":9,"max_completion_tokens":5`, infer.Sampling{Temperature: 1, TopP: 1, MaxTokens: 5}},
		{"max_tokens at the context length", `,"max_tokens":2048`, infer.Sampling{Temperature: 1, TopP: 1, MaxTokens: 2048}},
		{"bounds are inclusive", `,"temperature":2,"top_p":1`, infer.Sampling{Temperature: 2, TopP: 1}},
		{"a seed above int64", `,"seed":18446744073709551615`, infer.Sampling{Temperature: 1, TopP: 1, Seed: seed(1<<64 - 1)}},
		{"a negative seed keeps its bits", `,"seed":-1`, infer.Sampling{Temperature: 1, TopP: 1, Seed: seed(1<<64 - 1)}},
		{"unknown fields are ignored", `,"logit_bias":{"1":2},"user":"u","some_future_field":[1]`, infer.Sampling{Temperature: 1, TopP: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			r := call(t, serve(t, f, Options{}), "POST", "/v1/chat/completions",
				`{"messages":[{"role":"user","content":"hi"}]`+tc.fields+`}`)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got := f.lastRequest(t).Sampling; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("sampling %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestAdapters(t *testing.T) {
	f := newFake()
	srv := serve(t, f, Options{})
	r := call(t, srv, "POST", "/v1/adapters", `{"name":"legal.v2","path":"/runs/7/adapter"}`)
	want := modelObject{ID: "legal.v2", Object: "model", Created: 1700000001, OwnedBy: "hone", Root: "/runs/7/adapter",
		Parent: "fake-base", MaxModelLen: 2048}
	if got := decodeAs[modelObject](t, r.body); r.status != 200 || got != want {
		t.Fatalf("load: %d %s", r.status, r.body)
	}
	chat := call(t, srv, "POST", "/v1/chat/completions", `{"model":"legal.v2","messages":[{"role":"user","content":"x"}]}`)
	if chat.status != 200 || f.lastRequest(t).Adapter != "legal.v2" {
		t.Fatalf("chat with the loaded adapter: %d %s", chat.status, chat.body)
	}
	again := call(t, srv, "POST", "/v1/adapters", `{"name":"legal.v2","path":"/elsewhere"}`)
	if e := errorOf(t, again); again.status != 400 || deref(e.Param) != "name" {
		t.Errorf("loading twice: the engine's 400 should pass through, got %d %s", again.status, again.body)
	}
	del := call(t, srv, "DELETE", "/v1/adapters/legal.v2", "")
	if got := decodeAs[deletedModel](t, del.body); del.status != 200 || got != (deletedModel{ID: "legal.v2", Object: "model", Deleted: true}) {
		t.Fatalf("unload: %d %s", del.status, del.body)
	}
	gone := call(t, srv, "POST", "/v1/chat/completions", `{"model":"legal.v2","messages":[{"role":"user","content":"x"}]}`)
	if e := errorOf(t, gone); gone.status != 404 || deref(e.Code) != "model_not_found" {
		t.Errorf("chat with an unloaded adapter: %d %s", gone.status, gone.body)
	}
}

func TestPanicIsA500AndTheServerLives(t *testing.T) {
	var logged []string
	srv := serve(t, newFake(), Options{Logf: func(format string, a ...any) { logged = append(logged, format) }})
	r := call(t, srv, "POST", "/v1/completions", `{"prompt":"panic"}`)
	if e := errorOf(t, r); r.status != http.StatusInternalServerError || e.Type != "server_error" ||
		!strings.Contains(e.Message, "told to panic") {
		t.Fatalf("panic: %d %s", r.status, r.body)
	}
	if len(logged) == 0 {
		t.Error("the panic was not logged")
	}
	if ok := call(t, srv, "POST", "/v1/completions", `{"prompt":"still there?"}`); ok.status != 200 {
		t.Fatalf("after a panic: %d %s", ok.status, ok.body)
	}
}

// TestPanicMidStreamAborts: a panic after the answer began cuts the
// connection, so the client sees a broken stream, not a short complete one.
func TestPanicMidStreamAborts(t *testing.T) {
	s := &server{o: Options{Logf: t.Logf}}
	srv := httptest.NewServer(s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: {}\n\n"))
		http.NewResponseController(w).Flush()
		panic("mid-stream")
	})))
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err == nil {
		t.Fatalf("the stream ended cleanly after a panic: %q", body)
	}
	if string(body) != "data: {}\n\n" {
		t.Errorf("body before the cut %q", body)
	}
}
