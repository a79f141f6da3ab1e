package cpu

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func TestCrossEntropy(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	n, v := 5, 37
	logits, targets := ref.Randn(r, n*v, 3), []int32{0, 36, -1, 5, 5}
	want, wantGrad := ref.CrossEntropy(logits, targets, v, 0.5)
	losses, dlogits := make([]float32, n), make([]float32, n*v)
	CrossEntropy(losses, dlogits, logits, targets, v, 0.5)
	ref.CloseTo(t, "cross-entropy", losses, want, 1e-6)
	ref.CloseTo(t, "cross-entropy gradient", dlogits, wantGrad, 1e-6)
	ref.GradCheck(t, "cross-entropy", logits, dlogits, func() float64 {
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
	ref.CloseTo(t, "cross-entropy in place", losses, want, 1e-6)
}
