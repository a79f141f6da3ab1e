package cpu

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func TestSoftCap(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	const cap = 30 // Gemma 2's final logit cap
	x := ref.Randn(r, 5000, 40)
	copy(x, []float32{0, 1e-20, -1e-20, 1e4, -1e4, 1e38, -1e38})
	y := slices.Clone(x)
	SoftCapForward(y, cap)
	ref.CloseTo(t, "softcap", y, ref.SoftCap(x, cap), 1e-6)

	dy := ref.Randn(r, len(x), 1)
	dx := slices.Clone(dy)
	SoftCapBackward(dx, y, cap)
	ref.CloseTo(t, "softcap backward", dx, ref.SoftCapBackward(dy, x, cap), 1e-5)

	xs, ds := x[7:307], dy[7:307]
	dxs := slices.Clone(ds)
	ys := slices.Clone(xs)
	SoftCapForward(ys, cap)
	SoftCapBackward(dxs, ys, cap)
	ref.GradCheck(t, "softcap", xs, dxs, func() float64 {
		z := slices.Clone(xs)
		SoftCapForward(z, cap)
		return ref.DotLoss(z, ds)
	})
}
