package cpu

import (
	"math"
	"testing"
)

// TestVexp: every path is within a few ulp of float64 exp over the range
// softmax and SiLU use, scales, shifts and sums as documented, and clamps
// instead of overflowing.
func TestVexp(t *testing.T) {
	x := make([]float32, 1000)
	for i := range x {
		x[i] = -86 + 172*float32(i)/float32(len(x)-1)
	}
	for _, path := range paths() {
		for _, n := range []int{len(x), 13, 1} { // tails past every vector width
			y := make([]float32, n)
			sum := float64(vexpPath(y, x[:n], 1, 0, 1, path))
			want := 0.0
			for i := range n {
				e := math.Exp(float64(x[i]))
				want += e
				if r := math.Abs(float64(y[i])-e) / e; r > 3e-7 {
					t.Fatalf("path %d: exp(%g) = %g, want %g (relative error %.2g)", path, x[i], y[i], e, r)
				}
			}
			if r := math.Abs(sum-want) / want; r > 1e-6 {
				t.Errorf("path %d n %d: sum %g, want %g", path, n, sum, want)
			}
		}
		y := make([]float32, 3)
		sum := vexpPath(y, x[:3], -0.5, 1, 3, path)
		for i, v := range y {
			e := math.Exp(-0.5*float64(x[i]) + 1)
			if r := math.Abs(float64(v)-3*e) / (3 * e); r > 1e-5 {
				t.Errorf("path %d: 3 exp(-x/2+1) at %g = %g, want %g", path, x[i], v, 3*e)
			}
		}
		if sum != (y[0]+y[1]+y[2])/3 && math.Abs(float64(sum-(y[0]+y[1]+y[2])/3)) > 1e-5*float64(sum) {
			t.Errorf("path %d: sum %g is not the sum of the unscaled exps", path, sum)
		}
		big := []float32{float32(math.Inf(-1)), 1000}
		vexpPath(big, big, 1, 0, 1, path)
		if big[0] < 0 || big[0] > 1e-37 || math.IsInf(float64(big[1]), 0) || math.IsNaN(float64(big[1])) {
			t.Errorf("path %d: exp(-inf), exp(1000) = %g, %g: want tiny and finite", path, big[0], big[1])
		}
	}
}
