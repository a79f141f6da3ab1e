package engine

import (
	"math"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/testfiles"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// stories260K opens the real llama2.c test model from the shared test data.
func stories260K(t testing.TB, dev compute.Device) (*Model, *tokenizer.Tokenizer) {
	t.Helper()
	mm, err := model.OpenModel(testfiles.Shared(t, "models", "stories260K", "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	m, err := Load(mm, dev)
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
	forDevices(t, testGreedyStories260K)
}

func testGreedyStories260K(t *testing.T, dev compute.Device) {
	m, tok := stories260K(t, dev)
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
	forDevices(t, func(t *testing.T, dev compute.Device) {
		m, _ := stories260K(t, dev)
		cacheMatchesPrefill(t, m, []int{1, 403, 407, 261, 378, 432, 383, 286}, 3)
	})
}

// TestCacheMatchesPrefillFamilies is the same check on a tiny model of each
// family, with sequences longer than their sliding windows: the cached
// decode path and the training forward pass agree.
func TestCacheMatchesPrefillFamilies(t *testing.T) {
	forDevices(t, func(t *testing.T, dev compute.Device) {
		for _, arch := range families {
			t.Run(arch, func(t *testing.T) {
				m := tinyModel(t, dev, tinyConfig(arch, false), 21)
				seq := []int{3, 14, 15, 9, 26, 5, 35, 8, 9, 7}
				cacheMatchesPrefill(t, m, seq, 2)
				// The training forward pass gives the same loss as the logits.
				b := Batch{B: 1, T: len(seq) - 1}
				for i := range b.T {
					b.Tokens, b.Targets = append(b.Tokens, int32(seq[i])), append(b.Targets, int32(seq[i+1]))
				}
				logits, err := m.Forward(m.NewCache(b.T), seq[:b.T])
				if err != nil {
					t.Fatal(err)
				}
				want := 0.0
				V := m.Config.VocabSize
				for i := range b.T {
					row := logits[i*V : (i+1)*V]
					mx := slices.Max(row)
					s := 0.0
					for _, v := range row {
						s += math.Exp(float64(v - mx))
					}
					want += math.Log(s) + float64(mx) - float64(row[b.Targets[i]])
				}
				want /= float64(b.T)
				tr, err := NewTrainer(m, TrainOptions{})
				if err != nil {
					t.Fatal(err)
				}
				got, err := tr.Loss(b)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got-want) > 1e-5*math.Abs(want) {
					t.Errorf("training loss %.7f, from the inference logits %.7f", got, want)
				}
			})
		}
	})
}

// cacheMatchesPrefill runs seq in one call and again token by token after
// its first n tokens, and requires the same logits.
func cacheMatchesPrefill(t *testing.T, m *Model, seq []int, n int) {
	t.Helper()
	all, err := m.Forward(m.NewCache(len(seq)), seq)
	if err != nil {
		t.Fatal(err)
	}
	cache := m.NewCache(len(seq))
	if _, err := m.Forward(cache, seq[:n]); err != nil {
		t.Fatal(err)
	}
	for i := n; i < len(seq); i++ {
		step, err := m.Forward(cache, seq[i:i+1])
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range step {
			if w := all[i*m.Config.VocabSize+j]; math.Abs(float64(v-w)) > 1e-4*(1+math.Abs(float64(w))) {
				t.Fatalf("position %d logit %d: %g step by step, %g in one pass", i, j, v, w)
			}
		}
	}
	if _, err := m.Forward(cache, []int{1}); err == nil {
		t.Error("a full cache took another token")
	}
	if _, err := m.Forward(m.NewCache(4), []int{m.Config.VocabSize}); err == nil {
		t.Error("an out-of-vocabulary token was accepted")
	}
}
