package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

// TestAdamW runs three steps on every path against the float64 reference,
// over a size with a tail past every vector width.
func TestAdamW(t *testing.T) {
	h := AdamWConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}
	for _, path := range paths() {
		r := rand.New(rand.NewPCG(21, 22))
		p, m, v := ref.Randn(r, 1003, 1), make([]float32, 1003), make([]float32, 1003)
		want, wm, wv := ref.Float64s(p), make([]float64, len(p)), make([]float64, len(p))
		for step := 1; step <= 3; step++ {
			g := ref.Randn(r, len(p), 1)
			adamWPath(p, g, m, v, step, h, path)
			ref.AdamW(want, wm, wv, g, step, float64(h.LR), float64(h.Beta1), float64(h.Beta2), float64(h.Eps), float64(h.WeightDecay))
		}
		ref.CloseTo(t, fmt.Sprintf("path %d adamw", path), p, want, 1e-5)
		ref.CloseTo(t, fmt.Sprintf("path %d adamw m", path), m, wm, 1e-6)
		ref.CloseTo(t, fmt.Sprintf("path %d adamw v", path), v, wv, 1e-6)
	}
}
