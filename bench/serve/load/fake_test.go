package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// fakeServer streams a fixed OpenAI-style SSE answer, written a few bytes
// at a time (each piece flushed) so that events and JSON arrive split
// across reads.
type fakeServer struct {
	tokens     []string
	usage      int // completion_tokens in the usage chunk; 0 sends none
	firstDelay time.Duration
	tokenDelay time.Duration
	piece      int // bytes per write
	// answer, when set, replaces tokens per model and per call (1-based).
	answer func(model string, call int) []string
	// status, when set, is the HTTP status for a model (200 otherwise).
	status func(model string) int
	noDone bool // end the stream without [DONE]

	mu     sync.Mutex
	calls  map[string]int
	bodies []map[string]any
	paths  []string
	auth   []string
	keys   map[string]bool // Idempotency-Key headers seen
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/models") {
		_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"base"},{"id":"adapter-1"}]}`))
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	model, _ := body["model"].(string)
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[model]++
	call := f.calls[model]
	f.bodies = append(f.bodies, body)
	f.paths = append(f.paths, r.URL.Path)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	if f.keys == nil {
		f.keys = map[string]bool{}
	}
	f.keys[r.Header.Get("Idempotency-Key")] = true
	f.mu.Unlock()
	if f.status != nil {
		if code := f.status(model); code != http.StatusOK {
			http.Error(w, `{"error":"no such model"}`, code)
			return
		}
	}
	tokens := f.tokens
	if f.answer != nil {
		tokens = f.answer(model, call)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	chat := strings.HasSuffix(r.URL.Path, "/chat/completions")
	f.write(w, `: keep-alive comment`+"\n\n")
	f.write(w, event(`{"choices":[{"index":0,"delta":{"role":"assistant"}}]}`))
	time.Sleep(f.firstDelay)
	for i, t := range tokens {
		if i > 0 {
			time.Sleep(f.tokenDelay)
		}
		s, _ := json.Marshal(t)
		if chat {
			f.write(w, event(fmt.Sprintf(`{"choices":[{"index":0,"delta":{"content":%s}}]}`, s)))
		} else {
			f.write(w, event(fmt.Sprintf(`{"choices":[{"index":0,"text":%s}]}`, s)))
		}
	}
	if f.usage > 0 {
		f.write(w, event(fmt.Sprintf(`{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":%d}}`, f.usage)))
	}
	if !f.noDone {
		f.write(w, "data: [DONE]\n\n")
	}
}

func event(data string) string { return "data: " + data + "\r\n\r\n" }

// write sends s in f.piece-byte writes, flushing each.
func (f *fakeServer) write(w http.ResponseWriter, s string) {
	n := max(f.piece, 1)
	for len(s) > 0 {
		k := min(n, len(s))
		_, _ = w.Write([]byte(s[:k]))
		w.(http.Flusher).Flush()
		s = s[k:]
	}
}

func (f *fakeServer) modelCalls() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}
