package engine

import (
	"math"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/internal/testfiles"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// stories260K opens the real llama2.c test model from the shared test data.
func stories260K(t testing.TB) (*Model, *tokenizer.Tokenizer) {
	t.Helper()
	mm, err := model.OpenModel(testfiles.Shared(t, "models", "stories260K", "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	m, err := Load(mm, CPU{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.FromLlama2C(mm.Tokenizer)
	if err != nil {
		t.Fatal(err)
	}
	return m, tok
}

func TestGreedyStories260K(t *testing.T) {
	m, tok := stories260K(t)
	const want = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."
	n := len(tok.Encode(want, false))
	ids, err := m.Greedy([]int{tok.BOS()}, n, tok.EOS())
	if err != nil {
		t.Fatal(err)
	}
	// The first ids are those of backend/model's independent Go forward pass.
	if first := []int{403, 407, 261, 378, 432, 383, 286, 261, 376, 298}; !slices.Equal(ids[:len(first)], first) {
		t.Errorf("first ids %v, want %v", ids[:len(first)], first)
	}
	if got := tok.Decode(ids); got != want {
		t.Errorf("greedy text %q\nwant        %q", got, want)
	}
}

// TestCacheMatchesPrefill checks the KV cache: a sequence run in one call
// and token by token after a prefix gives the same logits.
func TestCacheMatchesPrefill(t *testing.T) {
	m, _ := stories260K(t)
	seq := []int{1, 403, 407, 261, 378, 432, 383, 286}
	all, err := m.Forward(m.NewCache(len(seq)), seq)
	if err != nil {
		t.Fatal(err)
	}
	cache := m.NewCache(len(seq))
	if _, err := m.Forward(cache, seq[:3]); err != nil {
		t.Fatal(err)
	}
	for i := 3; i < len(seq); i++ {
		step, err := m.Forward(cache, seq[i:i+1])
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range step.Data {
			if w := all.Data[i*m.Config.VocabSize+j]; math.Abs(float64(v-w)) > 1e-4*(1+math.Abs(float64(w))) {
				t.Fatalf("position %d logit %d: %g step by step, %g in one pass", i, j, v, w)
			}
		}
	}
	if _, err := m.Forward(cache, []int{1}); err == nil {
		t.Error("a full cache took another token")
	}
	if _, err := m.Forward(m.NewCache(4), []int{512}); err == nil {
		t.Error("an out-of-vocabulary token was accepted")
	}
}
