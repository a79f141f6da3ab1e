package cpu

import (
	"math/rand/v2"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func TestRMSNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n, c := 6, 33
	inp, w := ref.Randn(r, n*c, 2), ref.Randn(r, c, 1)
	out, rstd := make([]float32, n*c), make([]float32, n)
	RMSNormForward(out, rstd, inp, w, n, c, 1e-5)
	ref.CloseTo(t, "rmsnorm", out, ref.RMSNorm(inp, w, n, c, 1e-5), 1e-6)

	rr := ref.Randn(r, n*c, 1)
	dinp, dw := make([]float32, n*c), make([]float32, c)
	RMSNormBackward(dinp, dw, rr, inp, w, rstd, n, c)
	wantInp, wantW := ref.RMSNormBackward(rr, inp, w, n, c, 1e-5)
	ref.CloseTo(t, "rmsnorm dinp", dinp, wantInp, 1e-5)
	ref.CloseTo(t, "rmsnorm dw", dw, wantW, 1e-5)
	loss := func() float64 { RMSNormForward(out, nil, inp, w, n, c, 1e-5); return ref.DotLoss(out, rr) }
	ref.GradCheck(t, "rmsnorm inp", inp, dinp, loss)
	ref.GradCheck(t, "rmsnorm w", w, dw, loss)
}
