package cpu

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func TestEmbedding(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	v, c := 10, 6
	table, tokens := ref.Randn(r, v*c, 1), []int32{3, 0, 3, 9}
	out := make([]float32, len(tokens)*c)
	EmbeddingForward(out, table, tokens, c)
	if !slices.Equal(ref.Float64s(out), ref.Embedding(table, tokens, c)) {
		t.Fatal("rows are not the tokens' rows of the table")
	}
	rr := ref.Randn(r, len(out), 1)
	dtable := make([]float32, len(table))
	EmbeddingBackward(dtable, rr, tokens, c)
	ref.CloseTo(t, "embedding backward", dtable, ref.EmbeddingBackward(rr, tokens, v, c), 1e-6)
	ref.GradCheck(t, "embedding", table, dtable, func() float64 { EmbeddingForward(out, table, tokens, c); return ref.DotLoss(out, rr) })
}
