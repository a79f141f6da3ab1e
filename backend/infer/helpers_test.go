package infer

import (
	"context"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/testfiles"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// stories is the path of stories260K, the real 260K-parameter Llama model.
func stories(t testing.TB) string {
	return testfiles.Shared(t, "models", "stories260K", "stories260K.bin")
}

// trainAdapter trains a LoRA on stories260K for a few steps on text, so it
// answers differently from the base, and saves it as a PEFT folder.
func trainAdapter(t testing.TB, text string, seed uint64) string {
	t.Helper()
	mm, err := model.OpenModel(stories(t))
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	m, err := engine.Load(mm, cpu.New())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.FromLlama2C(mm.Tokenizer)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddLoRA(engine.LoRAConfig{Rank: 4, Alpha: 8}, seed); err != nil {
		t.Fatal(err)
	}
	ids := tok.Encode(text, true)
	b := engine.Batch{B: 1, T: len(ids) - 1}
	for i := range b.T {
		b.Tokens, b.Targets = append(b.Tokens, int32(ids[i])), append(b.Targets, int32(ids[i+1]))
	}
	tr, err := engine.NewTrainer(m, engine.TrainOptions{AdamW: engine.AdamW{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := tr.Backward(b); err != nil {
			t.Fatal(err)
		}
		if err := tr.Update(); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if err := m.SaveLoRA(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// openStories serves stories260K with adapters loaded under their names.
func openStories(t testing.TB, o Options, adapters map[string]string) *Engine {
	t.Helper()
	o.Device = cpu.New()
	e, err := Open(stories(t), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	for name, dir := range adapters {
		if err := e.LoadAdapter(name, dir); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// collect runs r and gathers its stream: the text and the last event.
func collect(t testing.TB, g Generator, ctx context.Context, r Request) (string, Event) {
	t.Helper()
	ch, err := g.Generate(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	var last Event
	for ev := range ch {
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
		sb.WriteString(ev.Text)
		last = ev
	}
	if !last.Done {
		t.Fatal("the stream closed without a last event")
	}
	return sb.String(), last
}

func seed(s uint64) *uint64 { return &s }
