package cpu

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func TestMatmul(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// Odd sizes exercise the C%8 and OC%4 tails; the last is big enough to thread.
	for _, s := range [][3]int{{1, 8, 4}, {5, 37, 11}, {3, 64, 3}, {33, 16, 70}, {64, 256, 130}} {
		n, c, oc := s[0], s[1], s[2]
		inp, w := ref.Randn(r, n*c, 1), ref.Randn(r, oc*c, 1)
		want := ref.Matmul(inp, w, n, c, oc)
		out := make([]float32, n*oc)
		for _, simd := range []bool{false, true} {
			matmulForward(out, inp, w, n, c, oc, simd)
			ref.CloseTo(t, "matmul", out, want, 2e-5)
		}
	}
}

// TestMatmulForwardAdd: the product lands on what out held.
func TestMatmulForwardAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n, c, oc := 9, 40, 13
	inp, w, base := ref.Randn(r, n*c, 1), ref.Randn(r, oc*c, 1), ref.Randn(r, n*oc, 1)
	want := ref.Matmul(inp, w, n, c, oc)
	for i, b := range base {
		want[i] += float64(b)
	}
	out := slices.Clone(base)
	MatmulForwardAdd(out, inp, w, n, c, oc)
	ref.CloseTo(t, "matmul add", out, want, 2e-5)
}

func TestMatmulGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n, c, oc := 4, 19, 6
	inp, w, rr := ref.Randn(r, n*c, 1), ref.Randn(r, oc*c, 1), ref.Randn(r, n*oc, 1)
	out := make([]float32, n*oc)
	loss := func() float64 { MatmulForward(out, inp, w, n, c, oc); return ref.DotLoss(out, rr) }
	dinp, dw := make([]float32, n*c), make([]float32, oc*c)
	MatmulBackward(dinp, dw, rr, inp, w, n, c, oc)
	ref.GradCheck(t, "matmul inp", inp, dinp, loss)
	ref.GradCheck(t, "matmul w", w, dw, loss)
	// Backward adds: a second call doubles; a nil dw is skipped.
	MatmulBackward(dinp, nil, rr, inp, w, n, c, oc)
	dinp2 := make([]float32, n*c)
	MatmulBackward(dinp2, nil, rr, inp, w, n, c, oc)
	twice := make([]float64, len(dinp2))
	for i, g := range dinp2 {
		twice[i] = 2 * float64(g)
	}
	ref.CloseTo(t, "matmul accumulated", dinp, twice, 1e-6)
}

// TestThreadsAgree checks that the split over threads changes nothing: each
// output is computed by exactly one thread in the same order.
func TestThreadsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n, c, oc := 32, 512, 203
	inp, w := ref.Randn(r, n*c, 1), ref.Randn(r, oc*c, 1)
	d := AttentionDims{B: 2, T: 96, S: 128, H: 4, KVH: 2, D: 16}
	q, k, v := ref.Randn(r, 2*96*4*16, 1), ref.Randn(r, 2*128*2*16, 1), ref.Randn(r, 2*128*2*16, 1)
	// And with every attention option: the masks change which tiles run,
	// not who computes what.
	dm := d
	dm.Window, dm.SoftCap = 50, 4
	ks := randStarts(r, dm)
	run := func(procs int) ([]float32, []float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		out, att := make([]float32, n*oc), make([]float32, 2*len(q))
		MatmulForward(out, inp, w, n, c, oc)
		AttentionForward(att[:len(q)], nil, q, k, v, nil, d)
		AttentionForward(att[len(q):], nil, q, k, v, ks, dm)
		return out, att
	}
	m1, a1 := run(1)
	m7, a7 := run(7)
	if !slices.Equal(m1, m7) || !slices.Equal(a1, a7) {
		t.Error("results depend on the thread count")
	}
}

// TestConcurrentCallers: kernels called from several goroutines at once
// (training beside a chat, say) share the thread pool or run on their own
// thread, and give the results of a lone call.
func TestConcurrentCallers(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n, c, oc := 64, 256, 130
	inp, w := ref.Randn(r, n*c, 1), ref.Randn(r, oc*c, 1)
	want := make([]float32, n*oc)
	MatmulForward(want, inp, w, n, c, oc)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			out := make([]float32, n*oc)
			for range 50 {
				MatmulForward(out, inp, w, n, c, oc)
				if !slices.Equal(out, want) {
					errs <- fmt.Errorf("a concurrent matmul differs from a lone one")
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
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

// BenchmarkMatmulShapes reports GFLOP/s of the dispatched forward and of each
// backward product on SmolLM2-135M's projection shapes.
func BenchmarkMatmulShapes(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{1, 576, 1536}, {1, 1536, 576}, {64, 576, 1536}, {64, 1536, 576}, {256, 576, 1536}, {256, 1536, 576}} {
		n, c, oc := s[0], s[1], s[2]
		inp, w, out := ref.Randn(r, n*c, 1), ref.Randn(r, oc*c, 1), make([]float32, n*oc)
		dinp, dw := make([]float32, n*c), make([]float32, oc*c)
		flops := 2 * float64(n*c*oc)
		for _, k := range []string{"fwd", "dinp", "dw"} {
			b.Run(fmt.Sprintf("N%d_C%d_OC%d/%s", n, c, oc, k), func(b *testing.B) {
				for b.Loop() {
					switch k {
					case "fwd":
						MatmulForward(out, inp, w, n, c, oc)
					case "dinp":
						MatmulBackward(dinp, nil, out, inp, w, n, c, oc)
					case "dw":
						MatmulBackward(nil, dw, out, inp, w, n, c, oc)
					}
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestMatmulPaths runs every path this CPU has, forward and both backward
// products, on sizes that hit each register-tile and vector tail.
func TestMatmulPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, p := range []int{mmScalar, mmAVX2, mmAVX512} {
		if matmulPath(p) != p {
			t.Logf("path %d not supported here", p)
			continue
		}
		for _, s := range [][3]int{{1, 8, 4}, {5, 37, 11}, {3, 64, 3}, {7, 100, 9}, {9, 131, 17}, {70, 256, 130}} {
			n, c, oc := s[0], s[1], s[2]
			inp, w, dout := ref.Randn(r, n*c, 1), ref.Randn(r, oc*c, 1), ref.Randn(r, n*oc, 1)
			out := make([]float32, n*oc)
			matmulForwardPath(out, inp, w, n, c, oc, p)
			ref.CloseTo(t, fmt.Sprintf("path %d %v fwd", p, s), out, ref.Matmul(inp, w, n, c, oc), 2e-5)
			// Start from ones to check the products add into the gradients.
			dinp, dw := make([]float32, n*c), make([]float32, oc*c)
			for i := range dinp {
				dinp[i] = 1
			}
			for i := range dw {
				dw[i] = 1
			}
			matmulBackwardPath(dinp, dw, dout, inp, w, n, c, oc, p)
			wantInp, wantW := ref.MatmulBackward(dout, inp, w, n, c, oc)
			for i := range wantInp {
				wantInp[i]++
			}
			for i := range wantW {
				wantW[i]++
			}
			ref.CloseTo(t, fmt.Sprintf("path %d %v dinp", p, s), dinp, wantInp, 2e-5)
			ref.CloseTo(t, fmt.Sprintf("path %d %v dw", p, s), dw, wantW, 2e-5)
			matmulBackwardPath(nil, nil, dout, inp, w, n, c, oc, p) // nothing to do
		}
	}
}

// TestMatmulNNAdd: out += inp w (w not transposed) on every path against
// the reference, and bit for bit the forward-add of wᵀ where C is short
// (the LoRA B product it replaces in serving), rows independent.
func TestMatmulNNAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, p := range []int{mmScalar, mmAVX2, mmAVX512} {
		if matmulPath(p) != p {
			continue
		}
		for _, s := range [][3]int{{1, 16, 576}, {5, 16, 1536}, {8, 8, 40}, {3, 33, 17}} {
			n, k, ncol := s[0], s[1], s[2]
			inp, w, base := ref.Randn(r, n*k, 1), ref.Randn(r, k*ncol, 1), ref.Randn(r, n*ncol, 1)
			wt := make([]float32, k*ncol) // wᵀ [ncol, k]
			for i := range k {
				for j := range ncol {
					wt[j*k+i] = w[i*ncol+j]
				}
			}
			want := ref.Matmul(inp, wt, n, k, ncol)
			for i, b := range base {
				want[i] += float64(b)
			}
			out := slices.Clone(base)
			matmulNNAddPath(out, inp, w, n, k, ncol, p)
			ref.CloseTo(t, fmt.Sprintf("path %d %v", p, s), out, want, 2e-5)
			if k < 32 && p == matmulPath(mmBest) {
				fwd := slices.Clone(base)
				MatmulForwardAdd(fwd, inp, wt, n, k, ncol)
				if !slices.Equal(out, fwd) {
					t.Errorf("path %d %v: not the short-C forward's numbers", p, s)
				}
			}
			for i := range n { // each row as it is alone
				one := slices.Clone(base[i*ncol : (i+1)*ncol])
				matmulNNAddPath(one, inp[i*k:(i+1)*k], w, 1, k, ncol, p)
				if !slices.Equal(one, out[i*ncol:(i+1)*ncol]) {
					t.Fatalf("path %d %v: row %d differs from its one-row call", p, s, i)
				}
			}
		}
	}
}
