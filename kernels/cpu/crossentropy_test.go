package cpu

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestCrossEntropy(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	n, v := 5, 37
	logits, targets := randn(r, n*v, 3), []int32{0, 36, -1, 5, 5}
	want := make([]float64, n)
	for i, y := range targets {
		if y < 0 {
			continue
		}
		sum := 0.0
		for _, x := range logits[i*v : (i+1)*v] {
			sum += math.Exp(float64(x))
		}
		want[i] = math.Log(sum) - float64(logits[i*v+int(y)])
	}
	losses, dlogits := make([]float32, n), make([]float32, n*v)
	CrossEntropy(losses, dlogits, logits, targets, v, 0.5)
	closeTo(t, "cross-entropy", losses, want, 1e-6)
	gradCheck(t, "cross-entropy", logits, dlogits, func() float64 {
		CrossEntropy(losses, nil, logits, targets, v, 0)
		s := 0.0
		for _, l := range losses {
			s += 0.5 * float64(l)
		}
		return s
	})
	// In place: dlogits may be the logits buffer itself.
	CrossEntropy(losses, logits, logits, targets, v, 0.5)
	if !slices.Equal(logits, dlogits) {
		t.Error("in-place gradient differs")
	}
	closeTo(t, "cross-entropy in place", losses, want, 1e-6)
}
