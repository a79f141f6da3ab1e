package cpu

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/kernels/ref"
)

var qtypes = []struct {
	name string
	t    QType
}{{"Q4_0", Q4_0}, {"Q4_1", Q4_1}, {"Q8_0", Q8_0}}

// randHalf is the bits of a half-precision value of magnitude 2^-9 to 2^-5.
func randHalf(r *rand.Rand, signed bool) uint16 {
	h := uint16(6+r.IntN(4))<<10 | uint16(r.IntN(1024))
	if signed && r.IntN(2) == 1 {
		h |= 0x8000
	}
	return h
}

// randBlocks makes rows*c/32 blocks of t: random codes over their whole
// range (Q8_0's -128 included) and random scales.
func randBlocks(r *rand.Rand, t QType, rows, c int) []byte {
	b := make([]byte, rows*t.RowBytes(c))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	bs := t.RowBytes(32)
	for off := 0; off < len(b); off += bs {
		binary.LittleEndian.PutUint16(b[off:], randHalf(r, false))
		if t == Q4_1 {
			binary.LittleEndian.PutUint16(b[off+2:], randHalf(r, true))
		}
	}
	return b
}

func dequantRef(t *testing.T, name string, w []byte, n int) []float32 {
	t.Helper()
	x := make([]float32, n)
	if err := model.Dequantize(name, x, w); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestQuantDequantize checks the C dequantiser against backend/model's.
func TestQuantDequantize(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, qt := range qtypes {
		w := randBlocks(r, qt.t, 5, 96)
		got := make([]float32, 5*96)
		QuantDequantize(got, w, qt.t, 96)
		if want := dequantRef(t, qt.name, w, len(got)); !slices.Equal(got, want) {
			t.Errorf("%s: values differ from backend/model's", qt.name)
		}
	}
}

// TestQuantMatmul compares each path with the dequantised weight in f64.
// For one input row (decoding), rounding it to 8 bits moves element j by at
// most half its block's step, amax/254, so |got-want| is bounded by
// sum_j |w_j| amax_j/254 plus float rounding; more rows (prefill) multiply
// in f32, bounded by float rounding alone.
func TestQuantMatmul(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	paths := []int{qpScalar, qpAVX2, qpVNNI}
	for _, qt := range qtypes {
		for _, s := range [][3]int{{1, 32, 1}, {1, 576, 100}, {1, 544, 5}, {1, 1536, 33}, {3, 160, 9}, {17, 96, 64}, {2, 1536, 17}} {
			n, c, oc := s[0], s[1], s[2]
			w := randBlocks(r, qt.t, oc, c)
			wf := dequantRef(t, qt.name, w, oc*c)
			x := ref.Randn(r, n*c, 1)
			x[r.IntN(len(x))] = 9 // an outlier, as activations have
			want, bound, fbound := make([]float64, n*oc), make([]float64, n*oc), make([]float64, n*oc)
			for i := range n {
				for o := range oc {
					var s, e, f float64
					for j := range c {
						amax := 0.0
						for _, v := range x[i*c+j/32*32 : i*c+j/32*32+32] {
							amax = max(amax, math.Abs(float64(v)))
						}
						wv := float64(wf[o*c+j])
						s += wv * float64(x[i*c+j])
						f += math.Abs(wv) * 1e-5 * math.Abs(float64(x[i*c+j]))
						if n == 1 {
							e += math.Abs(wv) * amax / 254
						}
					}
					want[i*oc+o], bound[i*oc+o], fbound[i*oc+o] = s, e+f+1e-6, f+1e-6
				}
			}
			var ref []float32
			for _, p := range paths {
				if quantPath(p) != p {
					continue
				}
				got, fine := make([]float32, n*oc), make([]float32, n*oc)
				quantMatmulForward(got, x, w, qt.t, n, c, oc, false, p)
				quantMatmulForward(fine, x, w, qt.t, n, c, oc, true, p)
				for i := range fine {
					// 16-bit rounding moves the sum 1/258 as far as 8-bit does.
					if e := math.Abs(float64(fine[i]) - want[i]); !(e <= fbound[i]+(bound[i]-fbound[i])/258) {
						t.Fatalf("%s %v path %d fine: out[%d] = %g, want %g", qt.name, s, p, i, fine[i], want[i])
					}
				}
				worst := 0.0
				for i := range got {
					e := math.Abs(float64(got[i]) - want[i])
					if !(e <= bound[i]) {
						t.Fatalf("%s %v path %d: out[%d] = %g, want %g within %g", qt.name, s, p, i, got[i], want[i], bound[i])
					}
					worst = max(worst, e/bound[i])
				}
				// For one row the paths share the integer sums: they
				// differ only in the order of float adds.
				if ref == nil || n > 1 {
					ref = got
				} else {
					for i := range got {
						if d := math.Abs(float64(got[i] - ref[i])); d > 1e-4*bound[i]*254 {
							t.Fatalf("%s %v path %d: out[%d] = %g, scalar path %g", qt.name, s, p, i, got[i], ref[i])
						}
					}
				}
				t.Logf("%s %v path %d: worst error %.2f of the bound", qt.name, s, p, worst)
			}
		}
	}
}

func TestQuantChecks(t *testing.T) {
	for _, f := range []func(){
		func() { QuantMatmulForward(make([]float32, 2), make([]float32, 32), make([]byte, 20), Q4_1, 1, 32, 2) },
		func() { QuantMatmulForward(make([]float32, 1), make([]float32, 16), make([]byte, 10), Q4_1, 1, 16, 1) },
		func() { QuantDequantize(make([]float32, 32), make([]byte, 20), QType(12), 32) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic for a bad size or type")
				}
			}()
			f()
		}()
	}
}

// BenchmarkQuantMatmul times SmolLM2-135M's shapes: decode (N=1, reading
// the weight once: GB/s of weight) and a 37-token prefill.
func BenchmarkQuantMatmul(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range []struct {
		t        QType
		n, c, oc int
		fine     bool
	}{{Q4_1, 1, 576, 1536, false}, {Q4_1, 1, 1536, 576, false}, {Q8_0, 1, 576, 49152, false}, {Q8_0, 1, 576, 49152, true},
		{Q4_1, 37, 576, 1536, false}} {
		w := randBlocks(r, s.t, s.oc, s.c)
		x, out := ref.Randn(r, s.n*s.c, 1), make([]float32, s.n*s.oc)
		for _, p := range []int{qpScalar, qpAVX2, qpVNNI} {
			b.Run(fmt.Sprintf("t%d_N%d_C%d_OC%d_fine%v/path%d", s.t, s.n, s.c, s.oc, s.fine, p), func(b *testing.B) {
				if quantPath(p) != p {
					b.Skip("not on this CPU")
				}
				for b.Loop() {
					quantMatmulForward(out, x, w, s.t, s.n, s.c, s.oc, s.fine, p)
				}
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(float64(len(w))/sec/1e9, "GB/s")
				b.ReportMetric(2*float64(s.n*s.c*s.oc)/sec/1e9, "GFLOP/s")
			})
		}
	}
}

// TestQuantMatmulRows: on every path, each row of a QuantMatmulRows call is
// bit for bit a one-row call of that row, fine or not.
func TestQuantMatmulRows(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, qt := range qtypes {
		for _, s := range [][3]int{{2, 32, 1}, {3, 576, 100}, {8, 1536, 33}, {5, 160, 9}} {
			n, c, oc := s[0], s[1], s[2]
			w := randBlocks(r, qt.t, oc, c)
			x := ref.Randn(r, n*c, 1)
			for _, p := range []int{qpScalar, qpAVX2, qpVNNI} {
				if quantPath(p) != p {
					continue
				}
				for _, fine := range []bool{false, true} {
					got := make([]float32, n*oc)
					quantMatmulRows(got, x, w, qt.t, n, c, oc, fine, p)
					for i := range n {
						one := make([]float32, oc)
						quantMatmulForward(one, x[i*c:(i+1)*c], w, qt.t, 1, c, oc, fine, p)
						if !slices.Equal(one, got[i*oc:(i+1)*oc]) {
							t.Fatalf("%s %v path %d fine %v: row %d differs from its one-row call", qt.name, s, p, fine, i)
						}
					}
				}
			}
		}
	}
}
