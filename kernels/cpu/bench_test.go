package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMatmul reports GFLOP/s of the portable and AVX2 paths for a
// decode-shaped (one row) and a training-shaped (many rows) product.
func BenchmarkMatmul(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{1, 2048, 2048}, {64, 1024, 1024}} {
		n, c, oc := s[0], s[1], s[2]
		inp, w, out := randn(r, n*c, 1), randn(r, oc*c, 1), make([]float32, n*oc)
		for _, simd := range []bool{false, true} {
			name := fmt.Sprintf("N%d_C%d_OC%d/scalar", n, c, oc)
			if simd {
				name = fmt.Sprintf("N%d_C%d_OC%d/avx2", n, c, oc)
			}
			b.Run(name, func(b *testing.B) {
				if simd && !AVX2() {
					b.Skip("no AVX2/FMA on this CPU")
				}
				for b.Loop() {
					matmulForward(out, inp, w, n, c, oc, simd)
				}
				b.ReportMetric(2*float64(n*c*oc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
