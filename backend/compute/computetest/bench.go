package computetest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/kernels/ref"
)

// SmolLM2-135M's shapes at a 4×256 training batch (and one decoded token):
// hidden 576, MLP 1536, 9 heads over 3 KV heads of 64, vocabulary 49152.
const (
	benchN, benchC, benchF   = 1024, 576, 1536
	benchH, benchKVH, benchD = 9, 3, 64
	benchV, benchChunk       = 49152, 341
)

// Bench times each op on dev at those shapes and reports GFLOP/s where
// the op is compute-bound. Each sub-benchmark syncs once per iteration.
func Bench(b *testing.B, dev compute.Device) {
	r := rand.New(rand.NewPCG(1, 2))
	f32 := func(scale float64, shape ...int) *compute.Tensor {
		return dev.FromHost(ref.Randn(r, compute.Numel(shape), scale), shape...)
	}
	run := func(name string, flops float64, op func()) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				op()
				if err := dev.Sync(); err != nil {
					b.Fatal(err)
				}
			}
			if flops > 0 {
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			}
		})
	}
	x, gate, up := f32(1, benchN, benchC), f32(1, benchN, benchF), f32(1, benchN, benchF)
	w := f32(0.05, benchF, benchC)
	out := dev.Alloc(compute.F32, benchN, benchF)
	mm := 2 * float64(benchN*benchC*benchF)
	run(fmt.Sprintf("matmul_f32_%dx%dx%d", benchN, benchC, benchF), mm, func() { dev.MatMul(out, x, w) })
	dx, dw := dev.Alloc(compute.F32, benchN, benchC), dev.Alloc(compute.F32, benchF, benchC)
	run("matmul_backward_f32", 2*mm, func() { dev.MatMulBackward(dx, dw, out, x, w) })
	host := ref.Randn(r, benchF*benchC, 0.05)
	if q, err := model.QuantizeNF4(host, benchF, benchC); err == nil {
		if nf4, err := dev.UploadWeight(compute.HostWeight{DType: compute.NF4, Rows: benchF, Cols: benchC, NF4: q}); err == nil {
			run("matmul_nf4", mm, func() { dev.MatMul(out, x, nf4) })
			run("matmul_nf4_backward_dx", mm, func() { dev.MatMulBackward(dx, nil, out, x, nf4) })
		}
	}
	if q8, err := dev.UploadWeight(compute.HostWeight{DType: compute.Q8_0, Rows: benchF, Cols: benchC, Blocks: quantizeQ8(host)}); err == nil {
		one, o1 := x.Rows(0, 1), out.Rows(0, 1)
		run("matmul_q8_0_decode_row", 2*float64(benchC*benchF), func() { dev.MatMul(o1, one, q8) })
	}
	norm, rstd := f32(1, benchC), dev.Alloc(compute.F32, benchN)
	run("rmsnorm", 0, func() { dev.RMSNorm(dx, rstd, x, norm, 1e-5) })
	run("swiglu", 0, func() { dev.SwiGLU(out, gate, up) })
	run("geglu", 0, func() { dev.GeGLU(out, gate, up) })
	const B, T = 4, benchN / 4
	q, k, v := f32(1, B, T, benchH, benchD), f32(1, B, T, benchKVH, benchD), f32(1, B, T, benchKVH, benchD)
	att, lse := dev.Alloc(compute.F32, B, T, benchH, benchD), dev.Alloc(compute.F32, B, benchH, T)
	af := 2 * 2 * float64(B*benchH*benchD) * float64(T*(T+1)/2)
	run("attention_4x256", af, func() { dev.Attention(att, lse, q, k, v, compute.AttnOpts{}) })
	dq, dk, dv := dev.Alloc(compute.F32, B, T, benchH, benchD), dev.Alloc(compute.F32, B, T, benchKVH, benchD), dev.Alloc(compute.F32, B, T, benchKVH, benchD)
	run("attention_backward_4x256", 2*af, func() { dev.AttentionBackward(dq, dk, dv, att, q, k, v, att, lse, compute.AttnOpts{}) })
	logits := f32(3, benchChunk, benchV)
	targets := dev.Alloc(compute.I32, benchChunk)
	losses := dev.Alloc(compute.F32, benchChunk)
	run("cross_entropy_chunk", 0, func() { dev.CrossEntropy(losses, nil, logits, targets, 0) })
	flat := benchF * benchC * 10
	p, g, m, vv := f32(1, flat), f32(0.01, flat), dev.Alloc(compute.F32, flat), dev.Alloc(compute.F32, flat)
	step := 0
	run("adamw_8.8M", 0, func() {
		step++
		dev.AdamW(p, g, m, vv, step, compute.AdamW{LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	})
	run("sum_squares_8.8M", 0, func() { dev.SumSquares(g) })
}
