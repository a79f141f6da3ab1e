package cpu

import (
	"math/rand/v2"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

// TestBF16Matmul: a bf16 weight multiplies exactly as its widened f32 copy,
// forward and backward, on every path; sizes cover the row-block tails.
func TestBF16Matmul(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, s := range [][3]int{{1, 8, 4}, {5, 37, 11}, {70, 130, 67}} {
		n, c, oc := s[0], s[1], s[2]
		w := ref.ToBF16(ref.Randn(r, oc*c, 1))
		wf := ref.BF16(w)
		inp, dout := ref.Randn(r, n*c, 1), ref.Randn(r, n*oc, 1)
		want := ref.Matmul(inp, wf, n, c, oc)
		wantDinp, _ := ref.MatmulBackward(dout, inp, wf, n, c, oc)
		for _, simd := range []bool{false, true} {
			out, dinp := make([]float32, n*oc), make([]float32, n*c)
			bf16MatmulForward(out, inp, w, n, c, oc, simd)
			ref.CloseTo(t, "bf16 matmul", out, want, 2e-5)
			bf16MatmulBackward(dinp, dout, w, n, c, oc, simd)
			ref.CloseTo(t, "bf16 matmul dinp", dinp, wantDinp, 2e-5)
		}
	}
}
