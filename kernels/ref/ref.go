// Package ref is the ground truth every Hone compute backend is tested
// against: each kernel of kernels/cpu (and of any later backend, CUDA's
// included) has a plain Go reference here, written for clarity rather than
// speed, accumulating in float64, with no cgo and no tiling, so that a bug
// in a fast kernel cannot hide in a shared clever trick. Beside the
// references are the helpers the kernels' tests share: random inputs, the
// comparison with a tolerance relative to 1+|want|, and the central-
// difference gradient check.
//
// References return float64 results (the exact answer up to float64
// rounding, against which a float32 kernel's error is measured); backward
// references return the gradients themselves, where the kernels add them
// into buffers.
package ref

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Randn is n normal values of standard deviation scale.
func Randn(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

// Float64s widens x, for comparing one float32 result with another.
func Float64s(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// Compare returns the worst error |got-want|/(1+|want|) and an error naming
// the first element past tol (a NaN is past any tolerance).
func Compare(got []float32, want []float64, tol float64) (worst float64, err error) {
	if len(got) != len(want) {
		return 0, fmt.Errorf("%d values, want %d", len(got), len(want))
	}
	for i := range got {
		e := math.Abs(float64(got[i])-want[i]) / (1 + math.Abs(want[i]))
		if !(e <= tol) {
			return e, fmt.Errorf("[%d] = %g, want %g (error %.2g, tolerance %g)", i, got[i], want[i], e, tol)
		}
		worst = max(worst, e)
	}
	return worst, nil
}

// CloseTo fails t unless got is want within tol (as Compare measures it),
// and logs the worst error.
func CloseTo(t testing.TB, name string, got []float32, want []float64, tol float64) {
	t.Helper()
	worst, err := Compare(got, want, tol)
	if err != nil {
		t.Fatalf("%s%v", name, err)
	}
	t.Logf("%s: worst relative error %.2g (tolerance %g)", name, worst, tol)
}

// DotLoss is the scalar sum(out*r), whose gradient with respect to out is
// r: a backward pass given dout = r must produce the gradient of DotLoss.
func DotLoss(out, r []float32) float64 {
	s := 0.0
	for i := range out {
		s += float64(out[i]) * float64(r[i])
	}
	return s
}

// GradCheck compares grad, the analytic gradient of loss with respect to
// x, with central differences at up to 24 coordinates spread over x. Step
// 1e-2 balances truncation (~h^2) against float32 rounding in loss
// (~1e-7/h); the tolerance is 1e-3 relative to 1+|numeric|.
func GradCheck(t testing.TB, name string, x, grad []float32, loss func() float64) {
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
