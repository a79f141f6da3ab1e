package cpu

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRoPE(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	n, h, d := 5, 3, 8
	pos := []int32{0, 1, 7, 100, 4000}
	x := randn(r, n*h*d, 1)
	want := make([]float64, len(x))
	for i := range n {
		for hd := range h {
			base := (i*h + hd) * d
			for k := range d / 2 {
				ang := float64(pos[i]) * math.Pow(10000, -float64(2*k)/float64(d))
				a, b := float64(x[base+k]), float64(x[base+k+d/2])
				want[base+k] = a*math.Cos(ang) - b*math.Sin(ang)
				want[base+k+d/2] = b*math.Cos(ang) + a*math.Sin(ang)
			}
		}
	}
	y := slices.Clone(x)
	RoPEForward(y, pos, n, h, d, 10000)
	closeTo(t, "rope", y, want, 1e-6)

	// RoPE is linear, so the backward pass maps dout to x's gradient exactly
	// as the gradient check's loss sees it.
	rr := randn(r, len(x), 1)
	dx := slices.Clone(rr)
	RoPEBackward(dx, pos, n, h, d, 10000)
	gradCheck(t, "rope", x, dx, func() float64 {
		y := slices.Clone(x)
		RoPEForward(y, pos, n, h, d, 10000)
		return dotLoss(y, rr)
	})
}
