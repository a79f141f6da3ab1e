package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAdamW(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	h := AdamWConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}
	p, m, v := randn(r, 1000, 1), make([]float32, 1000), make([]float32, 1000)
	want, wm, wv := make([]float64, len(p)), make([]float64, len(p)), make([]float64, len(p))
	for i := range p {
		want[i] = float64(p[i])
	}
	for step := 1; step <= 3; step++ {
		g := randn(r, len(p), 1)
		AdamW(p, g, m, v, step, h)
		b1, b2 := float64(h.Beta1), float64(h.Beta2)
		for i := range want {
			gi := float64(g[i])
			wm[i] = b1*wm[i] + (1-b1)*gi
			wv[i] = b2*wv[i] + (1-b2)*gi*gi
			mh, vh := wm[i]/(1-math.Pow(b1, float64(step))), wv[i]/(1-math.Pow(b2, float64(step)))
			want[i] -= float64(h.LR) * (mh/(math.Sqrt(vh)+float64(h.Eps)) + float64(h.WeightDecay)*want[i])
		}
	}
	closeTo(t, "adamw", p, want, 1e-5)
}
