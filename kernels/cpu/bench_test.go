package cpu

import (
	"fmt"
	"math/rand/v2"
	"slices"
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

// BenchmarkAttentionMasks times one 8K-token row (2 heads of 64) causal,
// under sliding windows and packed with examples of 2048 and 512 tokens:
// the kernels skip the key tiles outside each query's [lo, p], so the time
// should follow the keys seen (a 4096 window sees 3/4 of the causal
// triangle's keys, 16 examples of 512 a 16th, as much as the same examples
// in 16 rows of their own: "rows16x512").
func BenchmarkAttentionMasks(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const T = 8192
	for _, c := range []struct {
		name   string
		window int
		lens   []int
		rows   int
	}{
		{"causal", 0, nil, 0}, {"window4096", 4096, nil, 0}, {"window1024", 1024, nil, 0},
		{"packed4x2048", 0, []int{2048, 2048, 2048, 2048}, 0}, {"packed16x512", 0, slices.Repeat([]int{512}, 16), 0}, {"rows16x512", 0, nil, 16},
	} {
		a := AttentionDims{B: 1, T: T, S: T, H: 2, KVH: 2, D: 64, Window: c.window}
		if c.rows > 0 {
			a.B, a.T, a.S = c.rows, T/c.rows, T/c.rows
		}
		var ks []int32
		if c.lens != nil {
			ks = packed(T, c.lens)
		}
		q, k, v := attnInputs(r, a)
		out, lse, dout := make([]float32, len(q)), make([]float32, a.B*a.H*a.T), ref.Randn(r, len(q), 1)
		dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
		b.Run(c.name+"/forward", func(b *testing.B) {
			for b.Loop() {
				AttentionForward(out, lse, q, k, v, ks, a)
			}
		})
		b.Run(c.name+"/backward", func(b *testing.B) {
			for b.Loop() {
				AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse, ks, a)
			}
		})
	}
}

// BenchmarkElementwise reports GB/s (bytes read and written) of the
// elementwise and reduction kernels over 4M values, beside the Go loop
// each replaces, and of AdamW over 16M parameters on the portable (sqrtf,
// not vectorised) and the dispatched path.
func BenchmarkElementwise(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const n, c = 1 << 22, 2048
	x, y, z, w := ref.Randn(r, n, 1), ref.Randn(r, n, 1), ref.Randn(r, n, 1), ref.Randn(r, n, 1)
	bias := ref.Randn(r, c, 1)
	var sink float64
	for _, k := range []struct {
		name  string
		bytes int // per value
		f     func()
	}{
		{"swiglu", 12, func() { SwiGLUForward(z, x, y) }},
		{"geglu", 12, func() { GeGLUForward(z, x, y) }},
		{"geglu_backward", 28, func() { GeGLUBackward(z, w, y, x, y) }},
		{"softcap", 8, func() { copy(z, x); SoftCapForward(z, 30) }},
		{"softcap_backward", 12, func() { SoftCapBackward(z, y, 30) }},
		{"sumsquares", 4, func() { sink += SumSquares(x) }},
		{"sumsquares_go", 4, func() {
			s := 0.0
			for _, v := range x {
				s += float64(v) * float64(v)
			}
			sink += s
		}},
		{"scale", 8, func() { Scale(z, 0.999) }},
		{"scale_go", 8, func() {
			for i := range z {
				z[i] *= 0.999
			}
		}},
		{"add", 12, func() { Add(z, x) }},
		{"addbias", 8, func() { AddBias(z, bias) }},
		{"biasbackward", 4, func() { BiasBackward(bias, x) }},
	} {
		b.Run(k.name, func(b *testing.B) {
			for b.Loop() {
				k.f()
			}
			b.ReportMetric(float64(k.bytes)*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
	const np = 1 << 24
	p, g, m, v := ref.Randn(r, np, 1), ref.Randn(r, np, 1e-3), make([]float32, np), make([]float32, np)
	h := AdamWConfig{LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
	for _, path := range []int{mmScalar, mmBest} {
		b.Run(fmt.Sprintf("adamw/path%d", matmulPath(path)), func(b *testing.B) {
			for b.Loop() {
				adamWPath(p, g, m, v, 1, h, path)
			}
			b.ReportMetric(28*np*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
	_ = sink
}
