package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/plan"
	"github.com/hone-ai/hone/backend/testfiles"
)

// A dataset's token lengths, counted with the model's real tokenizer and
// template, set the recommended sequence length.
func TestPlanForDataset(t *testing.T) {
	ref := testfiles.ReferenceTokenizers(t, "@lenml", "tokenizer-llama3", "models")
	model := t.TempDir()
	for _, f := range []string{"tokenizer.json", "tokenizer_config.json"} {
		b, _ := os.ReadFile(filepath.Join(ref, f))
		os.WriteFile(filepath.Join(model, f), b, 0o644)
	}
	os.WriteFile(filepath.Join(model, "config.json"), []byte(`{"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
		"num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256,
		"max_position_embeddings": 8192}`), 0o644)

	ctx := context.Background()
	h, err := Open(ctx, Options{DataDir: t.TempDir(), FakeGPUs: "rtx4090", Events: drop{}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, `{"prompt": %q, "completion": "ok"}`+"\n", strings.Repeat("word ", 100+i%50))
	}
	data := filepath.Join(t.TempDir(), "d.jsonl")
	os.WriteFile(data, []byte(b.String()), 0o644)
	d, err := dataset.Import(ctx, h.Store, data, dataset.ImportOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.PlanForDataset(ctx, plan.Request{Model: model}, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 100-149 words plus the template: the 99th percentile fits in 256.
	if s := res.Recommendation.Settings.SeqLen; s != 256 {
		t.Errorf("sequence length %d, want 256", s)
	}
	if _, err := h.PlanForDataset(ctx, plan.Request{Model: "llama-3.1-8b"}, d.ID); err == nil || !strings.Contains(err.Error(), "tokenizer") {
		t.Errorf("a catalogue model counted tokens: %v", err)
	}
}
