package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

// BenchmarkMatmul reports GFLOP/s of the portable and AVX2 paths for a
// decode-shaped (one row) and a training-shaped (many rows) product.
func BenchmarkMatmul(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{1, 2048, 2048}, {64, 1024, 1024}} {
		n, c, oc := s[0], s[1], s[2]
		inp, w, out := ref.Randn(r, n*c, 1), ref.Randn(r, oc*c, 1), make([]float32, n*oc)
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

// BenchmarkMatmulTraining reports GFLOP/s of the best path on the shapes of
// a SmolLM2-135M training step (1024 rows): forward and the input gradient.
func BenchmarkMatmulTraining(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{1024, 576, 576}, {1024, 576, 192}, {1024, 576, 1536}, {1024, 1536, 576}, {256, 576, 49152}, {1024, 16, 576}, {1024, 576, 16}, {1024, 16, 1536}} {
		n, c, oc := s[0], s[1], s[2]
		inp, w, out := ref.Randn(r, n*c, 1), ref.Randn(r, oc*c, 1), make([]float32, n*oc)
		flops := 2 * float64(n*c*oc)
		b.Run(fmt.Sprintf("N%d_C%d_OC%d/forward", n, c, oc), func(b *testing.B) {
			for b.Loop() {
				MatmulForward(out, inp, w, n, c, oc)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("N%d_C%d_OC%d/dinp", n, c, oc), func(b *testing.B) {
			for b.Loop() {
				MatmulBackward(inp, nil, out, inp, w, n, c, oc)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkAttention reports GFLOP/s of the forward and backward kernels on
// a SmolLM2-135M training step's shapes (batch 4 x 256, 9 heads over 3).
func BenchmarkAttention(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	a := AttentionDims{B: 4, T: 256, S: 256, H: 9, KVH: 3, D: 64}
	q, k, v := attnInputs(r, a)
	out, lse, dout := make([]float32, len(q)), make([]float32, a.B*a.H*a.T), ref.Randn(r, len(q), 1)
	dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
	flops := 4 * float64(a.B*a.H*a.D) * float64(a.T*(a.T+1)/2) // QKᵀ and PV over the causal half
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			AttentionForward(out, lse, q, k, v, nil, a)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("backward", func(b *testing.B) {
		for b.Loop() {
			AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse, nil, a)
		}
		b.ReportMetric(2.5*flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkLoRABackward reports GFLOP/s of an adapter's backward products on
// SmolLM2-135M training shapes (1024 rows, rank 16): dB and du from dy, then
// dA and dx from du.
func BenchmarkLoRABackward(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const n, rank = 1024, 16
	for _, io := range [][2]int{{576, 576}, {576, 1536}, {1536, 576}} {
		in, out := io[0], io[1]
		x, u, dy := ref.Randn(r, n*in, 1), ref.Randn(r, n*rank, 1), ref.Randn(r, n*out, 1)
		a, bw := ref.Randn(r, rank*in, 1), ref.Randn(r, out*rank, 1)
		dx, du, da, db := make([]float32, n*in), make([]float32, n*rank), make([]float32, rank*in), make([]float32, out*rank)
		b.Run(fmt.Sprintf("in%d_out%d", in, out), func(b *testing.B) {
			for b.Loop() {
				MatmulBackward(du, db, dy, u, bw, n, rank, out)
				MatmulBackward(dx, da, du, x, a, n, in, rank)
			}
			flops := 4 * float64(n*rank*(in+out))
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
