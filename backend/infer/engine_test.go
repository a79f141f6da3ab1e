package infer

import (
	"context"
	"errors"
	"fmt"
	"github.com/hone-ai/hone/backend/infer/infertest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const lily = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."

// TestGreedyStreamsTheKnownStory: a greedy completion from BOS streams
// stories260K's known sentence, token by token, with its usage counted.
func TestGreedyStreamsTheKnownStory(t *testing.T) {
	e := openStories(t, Options{}, nil)
	ch, err := e.Generate(context.Background(), Request{Sampling: Sampling{MaxTokens: 24}})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	events := 0
	var last Event
	for ev := range ch {
		text.WriteString(ev.Text)
		events++
		last = ev
	}
	if !strings.HasPrefix(strings.TrimSpace(text.String()), lily[:60]) {
		t.Fatalf("greedy text %q, want it to start %q", text.String(), lily[:60])
	}
	if events < 10 {
		t.Errorf("%d events for 24 tokens: not streamed token by token", events)
	}
	if last.Finish != FinishLength || last.Usage.CompletionTokens != 24 || last.Usage.PromptTokens != 1 || last.TimeToFirstMS <= 0 {
		t.Errorf("last event %+v", last)
	}
}

// TestMixedAdaptersMatchAlone is continuous batching's correctness: many
// concurrent requests over the base and two adapters (sampled, each with
// its seed; some greedy; arriving while others run) give each exactly the
// text it gives alone.
func TestMixedAdaptersMatchAlone(t *testing.T) {
	a := infertest.TrainAdapter(t, "The dog ran to the big red ball and the cat sat on the mat.", 1)
	b := infertest.TrainAdapter(t, "Tom had a blue boat. He sailed it on the lake every day.", 2)
	e := openStories(t, Options{MaxBatch: 6, StepTokens: 16, PrefillChunk: 3}, map[string]string{"dog": a, "boat": b})
	type req struct{ r Request }
	var reqs []Request
	for i := range 18 {
		r := Request{Adapter: []string{"", "dog", "boat"}[i%3], Prompt: []string{"Once upon a time", "The dog", "Tom had a", "One day, a little"}[i%4],
			Sampling: Sampling{Temperature: []float64{0, 0.8, 1.2}[i%3], TopP: 0.95, MaxTokens: 12 + i, Seed: seed(uint64(i))}}
		reqs = append(reqs, r)
	}
	alone := make([]string, len(reqs))
	for i, r := range reqs {
		alone[i], _ = collect(t, e, context.Background(), r)
	}
	if alone[1] == alone[2] || alone[0] == alone[3] {
		t.Fatalf("adapters do not change the answer: %q %q %q %q", alone[0], alone[1], alone[2], alone[3])
	}
	together := make([]string, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i%5) * time.Millisecond) // arrivals spread over running steps
			together[i], _ = collect(t, e, context.Background(), r)
		}()
	}
	wg.Wait()
	for i := range reqs {
		if together[i] != alone[i] {
			t.Errorf("request %d (%q on %q): batched %q, alone %q", i, reqs[i].Prompt, reqs[i].Adapter, together[i], alone[i])
		}
	}
}

// TestSeedReproducesAndStopStrings: the same seed and settings give the
// same text; a stop string ends the answer before it, with finish "stop".
func TestSeedReproducesAndStopStrings(t *testing.T) {
	e := openStories(t, Options{}, nil)
	r := Request{Prompt: "Once upon a time", Sampling: Sampling{Temperature: 1, TopK: 40, MaxTokens: 30, Seed: seed(42)}}
	x, _ := collect(t, e, context.Background(), r)
	y, _ := collect(t, e, context.Background(), r)
	r.Seed = seed(43)
	z, _ := collect(t, e, context.Background(), r)
	if x != y || x == z {
		t.Fatalf("seed 42 twice: %q, %q; seed 43: %q", x, y, z)
	}
	greedy := Request{Sampling: Sampling{MaxTokens: 40, Stop: []string{"little girl"}}}
	text, last := collect(t, e, context.Background(), greedy)
	if last.Finish != FinishStop || strings.Contains(text, "little") || !strings.HasSuffix(text, "was a ") {
		t.Fatalf("stop string: %q, finish %q", text, last.Finish)
	}
}

// TestCancelFreesTheRow: a client that goes away ends its stream as
// cancelled, and the others keep going.
func TestCancelFreesTheRow(t *testing.T) {
	e := openStories(t, Options{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := e.Generate(ctx, Request{Sampling: Sampling{MaxTokens: 200, Temperature: 1, Seed: seed(1)}})
	if err != nil {
		t.Fatal(err)
	}
	<-ch
	cancel()
	var last Event
	for ev := range ch {
		last = ev
	}
	if last.Finish != FinishCancelled || last.Usage.CompletionTokens >= 200 {
		t.Fatalf("after cancel: %+v", last)
	}
	if text, _ := collect(t, e, context.Background(), Request{Sampling: Sampling{MaxTokens: 24}}); !strings.Contains(text, "Lily") {
		t.Fatalf("after a cancel the engine answers %q", text)
	}
}

// TestRefusals: bad requests and adapters are refused with OpenAI-style
// errors, before anything runs.
func TestRefusals(t *testing.T) {
	a := infertest.TrainAdapter(t, "The dog ran to the big red ball.", 1)
	e := openStories(t, Options{}, map[string]string{"dog": a})
	long := strings.Repeat("the cat sat on the mat ", 200)
	for _, c := range []struct {
		name string
		r    Request
		code string
	}{
		{"unknown adapter", Request{Adapter: "cat"}, "model_not_found"},
		{"prompt over the context", Request{Prompt: long}, "context_length_exceeded"},
		{"negative max tokens", Request{Sampling: Sampling{MaxTokens: -1}}, "invalid_value"},
		{"bad role", Request{Messages: []Message{{Role: "robot", Content: "hi"}}}, "invalid_value"},
		{"top_p", Request{Sampling: Sampling{TopP: 1.5}}, "invalid_value"},
	} {
		_, err := e.Generate(context.Background(), c.r)
		var ie *Error
		if !errors.As(err, &ie) || ie.Code != c.code {
			t.Errorf("%s: %v, want code %s", c.name, err, c.code)
		}
	}
	for _, name := range []string{"../x", "a/b", "..", "", strings.Repeat("a", 65)} {
		if err := e.LoadAdapter(name, a); err == nil {
			t.Errorf("adapter name %q accepted", name)
		}
	}
	// A contract naming other base weights is refused before the weights load.
	other := filepath.Join(t.TempDir(), "other")
	if err := os.CopyFS(other, os.DirFS(a)); err != nil {
		t.Fatal(err)
	}
	contract := fmt.Sprintf(`{"baseModel":"/somewhere/else.gguf","baseSha256":"%064d","architecture":"llama","method":"lora"}`, 7)
	if err := os.WriteFile(filepath.Join(other, "hone_contract.json"), []byte(contract), 0o644); err != nil {
		t.Fatal(err)
	}
	err := e.LoadAdapter("other", other)
	if err == nil || !strings.Contains(err.Error(), "not on this base") {
		t.Fatalf("an adapter for other weights: %v", err)
	}
	if err := e.UnloadAdapter("dog"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Generate(context.Background(), Request{Adapter: "dog"}); err == nil {
		t.Fatal("an unloaded adapter still answers")
	}
}

// TestIgnoreEOS: a sampled story that ends with EOS decodes to max_tokens
// past it with ignore_eos, as vLLM's and llama.cpp's do.
func TestIgnoreEOS(t *testing.T) {
	e := openStories(t, Options{}, nil)
	for s := range uint64(40) {
		r := Request{Sampling: Sampling{Temperature: 1, MaxTokens: 200, Seed: seed(s)}}
		_, ended := collect(t, e, context.Background(), r)
		if ended.Finish != FinishStop {
			continue
		}
		r.IgnoreEOS = true
		_, past := collect(t, e, context.Background(), r)
		if past.Finish != FinishLength || past.Usage.CompletionTokens != 200 {
			t.Fatalf("seed %d ends after %d tokens; with ignore_eos: %+v", s, ended.Usage.CompletionTokens, past)
		}
		return
	}
	t.Fatal("no seed of 40 ended its story with EOS within 200 tokens")
}
