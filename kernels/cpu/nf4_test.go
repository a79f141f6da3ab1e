package cpu

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/kernels/ref"
)

// randNF4 quantises a random [oc, c] weight; it returns the kernel's view
// and the dequantised f32 weight.
func randNF4(t *testing.T, r *rand.Rand, oc, c int) (*NF4, []float32) {
	t.Helper()
	q, err := model.QuantizeNF4(ref.Randn(r, oc*c, 1), oc, c)
	if err != nil {
		t.Fatal(err)
	}
	return &NF4{Packed: q.Packed, QAbsmax: q.QAbsmax, Absmax2: q.Absmax2, Offset: q.Offset,
		Code: &model.NF4Code, Map: &model.DynamicMap}, q.Dequantize()
}

// TestNF4Dequantize: the kernel's dequantisation is bit-identical to
// model.NF4's (and so to bitsandbytes'), from any start.
func TestNF4Dequantize(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 3))
	w, want := randNF4(t, r, 37, 70)
	got := make([]float32, len(want)-13)
	NF4Dequantize(got, w, 37, 70, 13)
	if !slices.Equal(got, want[13:]) {
		t.Error("kernel dequantisation differs from model.NF4.Dequantize")
	}
	if !slices.Equal(ref.NF4Dequantize(w.Packed, w.QAbsmax, w.Absmax2, w.Offset, w.Code, w.Map, len(want)), want) {
		t.Error("kernels/ref's dequantisation differs from model.NF4.Dequantize")
	}
}

// TestNF4Matmul compares the fused kernel with dequantise-then-matmul, for
// both paths, sizes with row tails, short last chunks and blocks across rows.
func TestNF4Matmul(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	for _, s := range [][3]int{{1, 64, 4}, {5, 37, 11}, {3, 96, 3}, {40, 256, 130}} {
		n, c, oc := s[0], s[1], s[2]
		w, wf := randNF4(t, r, oc, c)
		inp, dout := ref.Randn(r, n*c, 1), ref.Randn(r, n*oc, 1)
		want := ref.Matmul(inp, wf, n, c, oc)
		wantDinp, _ := ref.MatmulBackward(dout, inp, wf, n, c, oc)
		for _, simd := range []bool{false, true} {
			out, dinp := make([]float32, n*oc), make([]float32, n*c)
			nf4MatmulForward(out, inp, w, n, c, oc, simd)
			ref.CloseTo(t, "nf4 matmul", out, want, 2e-5)
			nf4MatmulBackward(dinp, dout, w, n, c, oc, simd)
			ref.CloseTo(t, "nf4 matmul dinp", dinp, wantDinp, 2e-5)
		}
	}
}

func TestNF4MatmulGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 3))
	n, c, oc := 4, 70, 6
	w, _ := randNF4(t, r, oc, c)
	inp, rr := ref.Randn(r, n*c, 1), ref.Randn(r, n*oc, 1)
	out := make([]float32, n*oc)
	loss := func() float64 { NF4MatmulForward(out, inp, w, n, c, oc); return ref.DotLoss(out, rr) }
	dinp := make([]float32, n*c)
	NF4MatmulBackward(dinp, rr, w, n, c, oc)
	ref.GradCheck(t, "nf4 matmul inp", inp, dinp, loss)
}

// TestNF4ThreadsAgree: the split over threads changes no bit.
func TestNF4ThreadsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 3))
	n, c, oc := 16, 512, 203
	w, _ := randNF4(t, r, oc, c)
	inp, dout := ref.Randn(r, n*c, 1), ref.Randn(r, n*oc, 1)
	run := func(procs int) ([]float32, []float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		out, dinp := make([]float32, n*oc), make([]float32, n*c)
		NF4MatmulForward(out, inp, w, n, c, oc)
		NF4MatmulBackward(dinp, dout, w, n, c, oc)
		return out, dinp
	}
	o1, d1 := run(1)
	o7, d7 := run(7)
	if !slices.Equal(o1, o7) || !slices.Equal(d1, d7) {
		t.Error("NF4 matmul depends on the thread count")
	}
}

// BenchmarkNF4Matmul reports GFLOP/s of the NF4 forward and backward beside
// the f32 matmul on the same shapes (go test -bench NF4 ./kernels/cpu).
func BenchmarkNF4Matmul(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{1, 2048, 2048}, {64, 1024, 1024}} {
		n, c, oc := s[0], s[1], s[2]
		q, err := model.QuantizeNF4(ref.Randn(r, oc*c, 1), oc, c)
		if err != nil {
			b.Fatal(err)
		}
		w := &NF4{Packed: q.Packed, QAbsmax: q.QAbsmax, Absmax2: q.Absmax2, Offset: q.Offset, Code: &model.NF4Code, Map: &model.DynamicMap}
		wf, inp, out, dinp := q.Dequantize(), ref.Randn(r, n*c, 1), make([]float32, n*oc), make([]float32, n*c)
		for name, f := range map[string]func(){
			"f32":      func() { MatmulForward(out, inp, wf, n, c, oc) },
			"nf4":      func() { NF4MatmulForward(out, inp, w, n, c, oc) },
			"nf4_dinp": func() { NF4MatmulBackward(dinp, out, w, n, c, oc) },
		} {
			b.Run(fmt.Sprintf("N%d_C%d_OC%d/%s", n, c, oc, name), func(b *testing.B) {
				for b.Loop() {
					f()
				}
				b.ReportMetric(2*float64(n*c*oc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
