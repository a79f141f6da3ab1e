package engine

import (
	"math"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
)

// TestClipGradNorm: the norm is that of every gradient together, computed
// in float64 on the host; above maxNorm each gradient is scaled by
// maxNorm/(norm+1e-6), below it nothing changes.
func TestClipGradNorm(t *testing.T) {
	forDevices(t, func(t *testing.T, dev compute.Device) {
		tr, err := NewTrainer(tinyModel(t, dev, tinyConfig("qwen2", false), 31), TrainOptions{Base: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Backward(tinyBatch(9)); err != nil {
			t.Fatal(err)
		}
		before := tr.m.Host(tr.g)
		s := 0.0
		for _, p := range tr.Params() { // through the params: each is a view of the flat buffer
			for _, g := range tr.m.Host(p.G) {
				s += float64(g) * float64(g)
			}
		}
		want := math.Sqrt(s)
		if norm := tr.ClipGradNorm(10 * want); math.Abs(norm-want) > 1e-9*want {
			t.Errorf("norm %v, want %v", norm, want)
		}
		for i, g := range tr.m.Host(tr.g) {
			if g != before[i] {
				t.Fatalf("gradient %d changed below the threshold: %v -> %v", i, before[i], g)
			}
		}
		maxNorm := want / 3
		tr.ClipGradNorm(maxNorm)
		c := float32(maxNorm / (want + 1e-6))
		after := 0.0
		for i, g := range tr.m.Host(tr.g) {
			if g != before[i]*c {
				t.Fatalf("gradient %d = %v, want %v", i, g, before[i]*c)
			}
			after += float64(g) * float64(g)
		}
		if a := math.Sqrt(after); math.Abs(a-maxNorm) > 1e-5*maxNorm {
			t.Errorf("norm after clipping %v, want %v", a, maxNorm)
		}
	})
}
