package core

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/store"
)

// fakeGen is an engine whose answer is fixed by the model, the seed and
// the last user message: "<model> seed <seed> heard <message>", a word an
// event, the time between them set by delay. It honours ctx (finish
// "cancelled"), MaxTokens (finish "length") and refuses the adapters in
// refuse; it records every request.
type fakeGen struct {
	mu     sync.Mutex
	reqs   []infer.Request
	delay  time.Duration
	refuse map[string]error
	// started, when set, receives each request as its stream starts.
	started chan infer.Request
}

func fakeAnswer(adapter string, seed uint64, heard string) string {
	if adapter == "" {
		adapter = BaseModelID
	}
	return fmt.Sprintf("%s seed %d heard %s", adapter, seed, heard)
}

func (g *fakeGen) Models() []infer.ModelInfo        { return nil }
func (g *fakeGen) LoadAdapter(string, string) error { return nil }
func (g *fakeGen) UnloadAdapter(string) error       { return nil }
func (g *fakeGen) ContextLength() int               { return 512 }
func (g *fakeGen) requests() []infer.Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]infer.Request(nil), g.reqs...)
}
func (g *fakeGen) lastUser(r infer.Request) (s string) { return r.Messages[len(r.Messages)-1].Content }

func (g *fakeGen) Generate(ctx context.Context, r infer.Request) (<-chan infer.Event, error) {
	g.mu.Lock()
	g.reqs = append(g.reqs, r)
	err := g.refuse[r.Adapter]
	g.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if r.Seed == nil {
		return nil, infer.Errorf("invalid_value", "seed", "the chat sends a seed")
	}
	words := strings.Fields(fakeAnswer(r.Adapter, *r.Seed, g.lastUser(r)))
	ch := make(chan infer.Event)
	if g.started != nil {
		g.started <- r
	}
	go func() {
		defer close(ch)
		last := infer.Event{Done: true, Finish: infer.FinishStop, Seed: *r.Seed, TimeToFirstMS: 5, TokensPerSecond: 100}
		for i, w := range words {
			if r.MaxTokens > 0 && i == r.MaxTokens {
				last.Finish = infer.FinishLength
				break
			}
			select {
			case <-ctx.Done():
				last.Finish = infer.FinishCancelled
				ch <- last
				return
			case <-time.After(g.delay):
			}
			if i > 0 {
				w = " " + w
			}
			ch <- infer.Event{Text: w, Tokens: 1}
			last.Usage.CompletionTokens++
		}
		ch <- last
	}()
	return ch, nil
}

// fakeSource serves every model path with one fakeGen.
type fakeSource struct{ gen *fakeGen }

func (s fakeSource) For(context.Context, string) (infer.Generator, error) { return s.gen, nil }

const chatModel = "/models/stories260K/stories260K.bin"

// chatHone is a Hone on a fresh data folder whose chat runs on gen (none:
// ErrChatUnavailable), with adapters trained on chatModel (one more on
// another base, never offered).
func chatHone(t *testing.T, gen *fakeGen, adapters ...string) *Hone {
	t.Helper()
	h, err := Open(context.Background(), Options{DataDir: t.TempDir(), FakeGPUs: "rtx4090", Events: drop{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	// No gen: no engine. Open's own source would start this test binary
	// as its `hone serve` child, which cannot serve.
	h.chat = nil
	if gen != nil {
		h.chat = fakeSource{gen}
	}
	addAdapter(t, h, "on another base", "/models/smol/model.gguf")
	for _, name := range adapters {
		addAdapter(t, h, name, chatModel)
	}
	return h
}

func addAdapter(t *testing.T, h *Hone, name, base string) store.Adapter {
	t.Helper()
	contract, _ := json.Marshal(map[string]any{"baseModel": base, "method": "lora"})
	a := store.Adapter{Name: name, Path: filepath.Join("/runs", name, "adapter"), Contract: contract}
	if err := h.Store.CreateAdapter(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// collect gathers a turn's streamed text per pane, and its Done events.
type collect struct {
	mu    sync.Mutex
	text  map[string]string
	dones map[string]int
}

func newCollect() *collect { return &collect{text: map[string]string{}, dones: map[string]int{}} }

func (c *collect) on(pane string, e infer.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.text[pane] += e.Text
	if e.Done {
		c.dones[pane]++
	}
}
