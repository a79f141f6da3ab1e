package cpu

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func TestRoPE(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	n, h, d := 5, 3, 8
	pos := []int32{0, 1, 7, 100, 4000}
	x := ref.Randn(r, n*h*d, 1)
	plain := InvFreq(10000, d)
	for k, f := range plain {
		if want := math.Pow(10000, -float64(2*k)/float64(d)); math.Abs(f-want) > 1e-15*want {
			t.Fatalf("InvFreq[%d] = %g, want %g", k, f, want)
		}
	}
	// Scaled frequencies as llama3/YaRN give them: any per-pair values.
	scaled := slices.Clone(plain)
	for k := range scaled {
		scaled[k] /= 1 + float64(k)
	}
	for _, tc := range []struct {
		name        string
		invFreq     []float64
		mscale      float32
		interleaved bool
	}{
		{"rotate-half", plain, 1, false},
		{"interleaved", plain, 1, true},
		{"rotate-half scaled", scaled, 1.1386, false},
		{"interleaved scaled", scaled, 1.1386, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := slices.Clone(x)
			RoPEForward(y, pos, n, h, d, tc.invFreq, tc.mscale, tc.interleaved)
			ref.CloseTo(t, "rope", y, ref.RoPE(x, pos, h, d, tc.invFreq, float64(tc.mscale), tc.interleaved), 1e-6)

			// RoPE is linear, so the backward pass maps dout to x's gradient
			// exactly as the gradient check's loss sees it.
			rr := ref.Randn(r, len(x), 1)
			dx := slices.Clone(rr)
			RoPEBackward(dx, pos, n, h, d, tc.invFreq, tc.mscale, tc.interleaved)
			ref.CloseTo(t, "rope backward", dx, ref.RoPEBackward(rr, pos, h, d, tc.invFreq, float64(tc.mscale), tc.interleaved), 1e-6)
			xc := slices.Clone(x)
			ref.GradCheck(t, "rope", xc, dx, func() float64 {
				y := slices.Clone(xc)
				RoPEForward(y, pos, n, h, d, tc.invFreq, tc.mscale, tc.interleaved)
				return ref.DotLoss(y, rr)
			})
		})
	}
}
