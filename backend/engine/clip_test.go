package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func clipParams(seed uint64, scale float64) []*Param {
	r := rand.New(rand.NewPCG(seed, 3))
	var ps []*Param
	for _, n := range []int{7, 64, 13} {
		g := New(n)
		for i := range g.Data {
			g.Data[i] = float32(r.NormFloat64() * scale)
		}
		ps = append(ps, &Param{Name: "p", W: New(n), G: g})
	}
	ps = append(ps, &Param{Name: "frozen", W: New(3)}) // no gradient
	return ps
}

func TestClipGradNorm(t *testing.T) {
	ps := clipParams(1, 1)
	before := [][]float32{}
	s := 0.0
	for _, p := range ps {
		if p.G == nil {
			continue
		}
		before = append(before, append([]float32(nil), p.G.Data...))
		for _, g := range p.G.Data {
			s += float64(g) * float64(g)
		}
	}
	want := math.Sqrt(s)
	const maxNorm = 2.0
	if want <= maxNorm {
		t.Fatalf("test norm %v too small", want)
	}
	norm := ClipGradNorm(ps, maxNorm)
	if math.Abs(norm-want) > 1e-12*want {
		t.Errorf("norm %v, want %v", norm, want)
	}
	c := float32(maxNorm / (want + 1e-6))
	after := 0.0
	for k, p := range ps[:len(before)] {
		for i, g := range p.G.Data {
			if g != before[k][i]*c {
				t.Fatalf("param %d [%d] = %v, want %v", k, i, g, before[k][i]*c)
			}
			after += float64(g) * float64(g)
		}
	}
	if a := math.Sqrt(after); math.Abs(a-maxNorm) > 1e-5 {
		t.Errorf("norm after clipping %v, want %v", a, maxNorm)
	}
}

func TestClipGradNormBelow(t *testing.T) {
	ps := clipParams(2, 0.01)
	before := [][]float32{}
	for _, p := range ps[:3] {
		before = append(before, append([]float32(nil), p.G.Data...))
	}
	norm := ClipGradNorm(ps, 10)
	if norm <= 0 || norm >= 10 {
		t.Fatalf("norm %v", norm)
	}
	for k, p := range ps[:3] {
		for i, g := range p.G.Data {
			if g != before[k][i] {
				t.Fatalf("param %d [%d] changed below the threshold: %v -> %v", k, i, before[k][i], g)
			}
		}
	}
}
