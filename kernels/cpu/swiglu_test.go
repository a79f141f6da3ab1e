package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSwiGLU(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	gate, up := randn(r, 300, 3), randn(r, 300, 1)
	want := make([]float64, len(gate))
	for i, g := range gate {
		want[i] = float64(g) / (1 + math.Exp(-float64(g))) * float64(up[i])
	}
	out := make([]float32, len(gate))
	SwiGLUForward(out, gate, up)
	closeTo(t, "swiglu", out, want, 1e-6)

	rr := randn(r, len(out), 1)
	dgate, dup := make([]float32, len(gate)), make([]float32, len(up))
	SwiGLUBackward(dgate, dup, rr, gate, up)
	loss := func() float64 { SwiGLUForward(out, gate, up); return dotLoss(out, rr) }
	gradCheck(t, "swiglu gate", gate, dgate, loss)
	gradCheck(t, "swiglu up", up, dup, loss)
}
