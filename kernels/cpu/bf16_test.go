package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBF16Matmul: a bf16 weight multiplies exactly as its widened f32 copy,
// forward and backward, on every path; sizes cover the row-block tails.
func TestBF16Matmul(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, s := range [][3]int{{1, 8, 4}, {5, 37, 11}, {70, 130, 67}} {
		n, c, oc := s[0], s[1], s[2]
		wf := randn(r, oc*c, 1)
		w := make([]uint16, len(wf))
		for i, v := range wf {
			w[i] = uint16(math.Float32bits(v) >> 16)
			wf[i] = math.Float32frombits(uint32(w[i]) << 16)
		}
		inp, dout := randn(r, n*c, 1), randn(r, n*oc, 1)
		want := matmulRef(inp, wf, n, c, oc)
		wantDinp := matmulDinpRef(dout, wf, n, c, oc)
		for _, simd := range []bool{false, true} {
			out, dinp := make([]float32, n*oc), make([]float32, n*c)
			bf16MatmulForward(out, inp, w, n, c, oc, simd)
			closeTo(t, "bf16 matmul", out, want, 2e-5)
			bf16MatmulBackward(dinp, dout, w, n, c, oc, simd)
			closeTo(t, "bf16 matmul dinp", dinp, wantDinp, 2e-5)
		}
	}
}
