package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRMSNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n, c := 6, 33
	inp, w := randn(r, n*c, 2), randn(r, c, 1)
	want := make([]float64, n*c)
	for i := range n {
		ss := 0.0
		for k := range c {
			ss += float64(inp[i*c+k]) * float64(inp[i*c+k])
		}
		s := 1 / math.Sqrt(ss/float64(c)+1e-5)
		for k := range c {
			want[i*c+k] = float64(inp[i*c+k]) * s * float64(w[k])
		}
	}
	out, rstd := make([]float32, n*c), make([]float32, n)
	RMSNormForward(out, rstd, inp, w, n, c, 1e-5)
	closeTo(t, "rmsnorm", out, want, 1e-6)

	rr := randn(r, n*c, 1)
	dinp, dw := make([]float32, n*c), make([]float32, c)
	RMSNormBackward(dinp, dw, rr, inp, w, rstd, n, c)
	loss := func() float64 { RMSNormForward(out, nil, inp, w, n, c, 1e-5); return dotLoss(out, rr) }
	gradCheck(t, "rmsnorm inp", inp, dinp, loss)
	gradCheck(t, "rmsnorm w", w, dw, loss)
}
