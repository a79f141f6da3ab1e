package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randn(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

// closeTo fails unless |got-want| <= tol*(1+|want|) everywhere.
func closeTo(t *testing.T, name string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	worst := 0.0
	for i := range got {
		e := math.Abs(float64(got[i])-want[i]) / (1 + math.Abs(want[i]))
		if !(e <= tol) { // also catches NaN
			t.Fatalf("%s[%d] = %g, want %g", name, i, got[i], want[i])
		}
		worst = max(worst, e)
	}
	t.Logf("%s: worst relative error %.2g (tolerance %g)", name, worst, tol)
}

// dotLoss is the scalar sum(out*r) whose gradient with respect to out is r.
func dotLoss(out, r []float32) float64 {
	s := 0.0
	for i := range out {
		s += float64(out[i]) * float64(r[i])
	}
	return s
}

// gradCheck compares grad, the analytic gradient of loss with respect to x,
// with central differences at up to 24 coordinates spread over x. Step 1e-2
// balances truncation (~h^2) against float32 rounding in loss (~1e-7/h).
func gradCheck(t *testing.T, name string, x, grad []float32, loss func() float64) {
	t.Helper()
	const h, tol = 1e-2, 1e-3
	step := max(1, len(x)/24)
	worst := 0.0
	for i := 0; i < len(x); i += step {
		old := x[i]
		x[i] = old + h
		up := loss()
		x[i] = old - h
		down := loss()
		x[i] = old
		num := (up - down) / (2 * h)
		e := math.Abs(num-float64(grad[i])) / (1 + math.Abs(num))
		if !(e <= tol) {
			t.Fatalf("%s: d/d[%d] analytic %g, numeric %g", name, i, grad[i], num)
		}
		worst = max(worst, e)
	}
	t.Logf("%s gradient: worst relative error %.2g (tolerance %g)", name, worst, tol)
}
