package cpu

import (
	"math/rand/v2"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func TestAdamW(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	h := AdamWConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}
	p, m, v := ref.Randn(r, 1000, 1), make([]float32, 1000), make([]float32, 1000)
	want, wm, wv := ref.Float64s(p), make([]float64, len(p)), make([]float64, len(p))
	for step := 1; step <= 3; step++ {
		g := ref.Randn(r, len(p), 1)
		AdamW(p, g, m, v, step, h)
		ref.AdamW(want, wm, wv, g, step, float64(h.LR), float64(h.Beta1), float64(h.Beta2), float64(h.Eps), float64(h.WeightDecay))
	}
	ref.CloseTo(t, "adamw", p, want, 1e-5)
	ref.CloseTo(t, "adamw m", m, wm, 1e-6)
	ref.CloseTo(t, "adamw v", v, wv, 1e-6)
}
