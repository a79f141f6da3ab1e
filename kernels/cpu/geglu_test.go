package cpu

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func TestGeGLU(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	gate, up := ref.Randn(r, 3000, 3), ref.Randn(r, 3000, 1)
	// The tails: saturated gates either way, and the largest floats.
	copy(gate, []float32{-30, -12, -5, 0, 5, 12, 30, 1e30, -1e30})
	want := ref.GeGLU(gate, up)
	out := make([]float32, len(gate))
	GeGLUForward(out, gate, up)
	ref.CloseTo(t, "geglu", out, want, 1e-6)
	for _, alias := range []string{"gate", "up"} {
		g, u := slices.Clone(gate), slices.Clone(up)
		o := g
		if alias == "up" {
			o = u
		}
		GeGLUForward(o, g, u)
		ref.CloseTo(t, "geglu in place of "+alias, o, want, 1e-6)
	}

	rr := ref.Randn(r, len(out), 1)
	dgate, dup := make([]float32, len(gate)), make([]float32, len(up))
	for i := range dgate {
		dgate[i], dup[i] = 1, -1 // the gradients add onto what the buffers hold
	}
	GeGLUBackward(dgate, dup, rr, gate, up)
	wantGate, wantUp := ref.GeGLUBackward(rr, gate, up)
	for i := range wantGate {
		wantGate[i]++
		wantUp[i]--
	}
	ref.CloseTo(t, "geglu dgate", dgate, wantGate, 1e-6)
	ref.CloseTo(t, "geglu dup", dup, wantUp, 1e-6)

	// Central differences away from the huge values at the front.
	g, u, d := gate[16:316], up[16:316], rr[16:316]
	dg, du := make([]float32, len(g)), make([]float32, len(g))
	GeGLUBackward(dg, du, d, g, u)
	o := make([]float32, len(g))
	loss := func() float64 { GeGLUForward(o, g, u); return ref.DotLoss(o, d) }
	ref.GradCheck(t, "geglu gate", g, dg, loss)
	ref.GradCheck(t, "geglu up", u, du, loss)
}
