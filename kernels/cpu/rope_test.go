package cpu

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// ropeRef is RoPE written out in float64: pair i of each head is (i, i+d/2)
// or, interleaved, (2i, 2i+1), turned by pos*invFreq[i] and scaled by mscale.
func ropeRef(x []float32, pos []int32, h, d int, invFreq []float64, mscale float64, interleaved bool) []float64 {
	want := make([]float64, len(x))
	for i, p := range pos {
		for hd := range h {
			base := (i*h + hd) * d
			for k := range d / 2 {
				j0, j1 := base+k, base+k+d/2
				if interleaved {
					j0, j1 = base+2*k, base+2*k+1
				}
				ang := float64(p) * invFreq[k]
				a, b := float64(x[j0]), float64(x[j1])
				want[j0] = mscale * (a*math.Cos(ang) - b*math.Sin(ang))
				want[j1] = mscale * (b*math.Cos(ang) + a*math.Sin(ang))
			}
		}
	}
	return want
}

func TestRoPE(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	n, h, d := 5, 3, 8
	pos := []int32{0, 1, 7, 100, 4000}
	x := randn(r, n*h*d, 1)
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
			closeTo(t, "rope", y, ropeRef(x, pos, h, d, tc.invFreq, float64(tc.mscale), tc.interleaved), 1e-6)

			// RoPE is linear, so the backward pass maps dout to x's gradient
			// exactly as the gradient check's loss sees it.
			rr := randn(r, len(x), 1)
			dx := slices.Clone(rr)
			RoPEBackward(dx, pos, n, h, d, tc.invFreq, tc.mscale, tc.interleaved)
			xc := slices.Clone(x)
			gradCheck(t, "rope", xc, dx, func() float64 {
				y := slices.Clone(xc)
				RoPEForward(y, pos, n, h, d, tc.invFreq, tc.mscale, tc.interleaved)
				return dotLoss(y, rr)
			})
		})
	}
}
