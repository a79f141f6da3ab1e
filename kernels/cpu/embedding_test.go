package cpu

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestEmbedding(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	v, c := 10, 6
	table, tokens := randn(r, v*c, 1), []int32{3, 0, 3, 9}
	out := make([]float32, len(tokens)*c)
	EmbeddingForward(out, table, tokens, c)
	for i, tok := range tokens {
		if !slices.Equal(out[i*c:(i+1)*c], table[int(tok)*c:int(tok+1)*c]) {
			t.Fatalf("row %d is not token %d's", i, tok)
		}
	}
	rr := randn(r, len(out), 1)
	dtable := make([]float32, len(table))
	EmbeddingBackward(dtable, rr, tokens, c)
	gradCheck(t, "embedding", table, dtable, func() float64 { EmbeddingForward(out, table, tokens, c); return dotLoss(out, rr) })
}
