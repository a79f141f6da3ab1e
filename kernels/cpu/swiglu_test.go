package cpu

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func TestSwiGLU(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	gate, up := ref.Randn(r, 300, 3), ref.Randn(r, 300, 1)
	want := ref.SwiGLU(gate, up)
	out := make([]float32, len(gate))
	SwiGLUForward(out, gate, up)
	ref.CloseTo(t, "swiglu", out, want, 1e-6)
	inPlace := slices.Clone(gate) // the engine's inference writes over gate
	SwiGLUForward(inPlace, inPlace, up)
	ref.CloseTo(t, "swiglu in place", inPlace, want, 1e-6)

	rr := ref.Randn(r, len(out), 1)
	dgate, dup := make([]float32, len(gate)), make([]float32, len(up))
	SwiGLUBackward(dgate, dup, rr, gate, up)
	wantGate, wantUp := ref.SwiGLUBackward(rr, gate, up)
	ref.CloseTo(t, "swiglu dgate", dgate, wantGate, 1e-6)
	ref.CloseTo(t, "swiglu dup", dup, wantUp, 1e-6)
	loss := func() float64 { SwiGLUForward(out, gate, up); return ref.DotLoss(out, rr) }
	ref.GradCheck(t, "swiglu gate", gate, dgate, loss)
	ref.GradCheck(t, "swiglu up", up, dup, loss)
}
