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

// TestVtanh: every path is within a few ulp of math.Tanh from the smallest
// values (where 1 - 2/(exp(2x)+1) would cancel) through the switch between
// its two formulas to saturation, and odd; scaled as soft-capping uses it.
func TestVtanh(t *testing.T) {
	var x []float32
	for v := float32(1e-30); v < 1e4; v *= 1.01 {
		x = append(x, v, -v)
	}
	for i := range 4000 {
		x = append(x, -20+40*float32(i)/3999) // evenly through [-20, 20]
	}
	x = append(x, 0, 0.625, -0.625, 0.62499994, 1e38, -1e38, float32(math.Inf(1)), float32(math.Inf(-1)))
	for _, path := range paths() {
		y := make([]float32, len(x))
		vtanhPath(y, x, 1, 1, path)
		worst := 0.0
		for i, v := range x {
			want := math.Tanh(float64(v))
			e := math.Abs(float64(y[i])-want) / math.Max(math.Abs(want), 1e-38)
			if !(e <= 3e-7) || (v < 0) != math.Signbit(float64(y[i])) {
				t.Fatalf("path %d: tanh(%g) = %g, want %g (relative error %.2g)", path, v, y[i], want, e)
			}
			worst = max(worst, e)
		}
		t.Logf("path %d: worst relative error %.2g over %d values", path, worst, len(x))

		// Soft-capping at 30: 30 tanh(x/30), the tail past any vector width.
		y = y[:13]
		vtanhPath(y, x[:13], 1.0/30, 30, path)
		for i, v := range y {
			if want := 30 * math.Tanh(float64(x[i])/30); math.Abs(float64(v)-want) > 1e-6*math.Abs(want) {
				t.Errorf("path %d: 30 tanh(%g/30) = %g, want %g", path, x[i], v, want)
			}
		}
	}
}
