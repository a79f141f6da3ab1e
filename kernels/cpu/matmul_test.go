package cpu

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

func matmulRef(inp, w []float32, n, c, oc int) []float64 {
	out := make([]float64, n*oc)
	for i := range n {
		for o := range oc {
			for k := range c {
				out[i*oc+o] += float64(inp[i*c+k]) * float64(w[o*c+k])
			}
		}
	}
	return out
}

func TestMatmul(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// Odd sizes exercise the C%8 and OC%4 tails; the last is big enough to thread.
	for _, s := range [][3]int{{1, 8, 4}, {5, 37, 11}, {3, 64, 3}, {64, 256, 130}} {
		n, c, oc := s[0], s[1], s[2]
		inp, w := randn(r, n*c, 1), randn(r, oc*c, 1)
		want := matmulRef(inp, w, n, c, oc)
		out := make([]float32, n*oc)
		for _, simd := range []bool{false, true} {
			matmulForward(out, inp, w, n, c, oc, simd)
			closeTo(t, "matmul", out, want, 2e-5)
		}
	}
}

func TestMatmulGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n, c, oc := 4, 19, 6
	inp, w, rr := randn(r, n*c, 1), randn(r, oc*c, 1), randn(r, n*oc, 1)
	out := make([]float32, n*oc)
	loss := func() float64 { MatmulForward(out, inp, w, n, c, oc); return dotLoss(out, rr) }
	dinp, dw := make([]float32, n*c), make([]float32, oc*c)
	MatmulBackward(dinp, dw, rr, inp, w, n, c, oc)
	gradCheck(t, "matmul inp", inp, dinp, loss)
	gradCheck(t, "matmul w", w, dw, loss)
	// Backward adds: a second call doubles; a nil dw is skipped.
	MatmulBackward(dinp, nil, rr, inp, w, n, c, oc)
	dinp2 := make([]float32, n*c)
	MatmulBackward(dinp2, nil, rr, inp, w, n, c, oc)
	twice := make([]float64, len(dinp2))
	for i, g := range dinp2 {
		twice[i] = 2 * float64(g)
	}
	closeTo(t, "matmul accumulated", dinp, twice, 1e-6)
}

// TestThreadsAgree checks that the split over threads changes nothing: each
// output is computed by exactly one thread in the same order.
func TestThreadsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n, c, oc := 32, 512, 203
	inp, w := randn(r, n*c, 1), randn(r, oc*c, 1)
	d := AttentionDims{B: 2, T: 96, S: 128, H: 4, KVH: 2, D: 16}
	q, k, v := randn(r, 2*96*4*16, 1), randn(r, 2*128*2*16, 1), randn(r, 2*128*2*16, 1)
	run := func(procs int) ([]float32, []float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		out, att := make([]float32, n*oc), make([]float32, len(q))
		MatmulForward(out, inp, w, n, c, oc)
		AttentionForward(att, nil, q, k, v, d)
		return out, att
	}
	m1, a1 := run(1)
	m7, a7 := run(7)
	if !slices.Equal(m1, m7) || !slices.Equal(a1, a7) {
		t.Error("results depend on the thread count")
	}
}

func TestSizeChecks(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a short slice did not panic")
		}
	}()
	MatmulForward(make([]float32, 3), make([]float32, 4), make([]float32, 4), 1, 4, 2)
}
