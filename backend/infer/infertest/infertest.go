// Package infertest makes what tests of serving need: stories260K, the
// real 260K-parameter Llama model, and LoRA adapters trained on it for a
// few steps (so each answers differently), as PEFT folders.
package infertest

import (
	"testing"

	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/testfiles"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// Stories is the path of stories260K, the real 260K-parameter Llama model.
func Stories(t testing.TB) string {
	return testfiles.Shared(t, "models", "stories260K", "stories260K.bin")
}

// TrainAdapter trains a LoRA on stories260K for a few steps on text, so it
// answers differently from the base, and saves it as a PEFT folder.
func TrainAdapter(t testing.TB, text string, seed uint64) string {
	t.Helper()
	mm, err := model.OpenModel(Stories(t))
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
