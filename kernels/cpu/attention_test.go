package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// attentionRef is the plain softmax(q k^T/sqrt(D)) v with the whole score row.
func attentionRef(q, k, v []float32, a AttentionDims) []float64 {
	out := make([]float64, len(q))
	for b := range a.B {
		for h := range a.H {
			kh := h / (a.H / a.KVH)
			for t := range a.T {
				qi := ((b*a.T+t)*a.H + h) * a.D
				n := a.S - a.T + t + 1
				p := make([]float64, n)
				m := math.Inf(-1)
				for s := range n {
					ki := ((b*a.S+s)*a.KVH + kh) * a.D
					for i := range a.D {
						p[s] += float64(q[qi+i]) * float64(k[ki+i])
					}
					p[s] /= math.Sqrt(float64(a.D))
					m = max(m, p[s])
				}
				sum := 0.0
				for s := range p {
					p[s] = math.Exp(p[s] - m)
					sum += p[s]
				}
				for s := range p {
					ki := ((b*a.S+s)*a.KVH + kh) * a.D
					for i := range a.D {
						out[qi+i] += p[s] / sum * float64(v[ki+i])
					}
				}
			}
		}
	}
	return out
}

func attnInputs(r *rand.Rand, a AttentionDims) (q, k, v []float32) {
	return randn(r, a.B*a.T*a.H*a.D, 1), randn(r, a.B*a.S*a.KVH*a.D, 1), randn(r, a.B*a.S*a.KVH*a.D, 1)
}

func TestAttention(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, a := range []AttentionDims{
		{B: 2, T: 5, S: 9, H: 4, KVH: 2, D: 8},      // cached prefix, GQA
		{B: 1, T: 1, S: 1, H: 2, KVH: 2, D: 4},      // first decode step
		{B: 1, T: 150, S: 150, H: 2, KVH: 1, D: 16}, // spans several key tiles
	} {
		q, k, v := attnInputs(r, a)
		want := attentionRef(q, k, v, a)
		for _, path := range paths() {
			out, lse := make([]float32, len(q)), make([]float32, a.B*a.H*a.T)
			attentionForward(out, lse, q, k, v, a, path)
			closeTo(t, "attention", out, want, 1e-5)
		}
	}
}

// paths are the kernel code paths this CPU runs: portable, AVX2, AVX-512.
func paths() []int {
	ps := []int{mmScalar}
	for _, p := range []int{mmAVX2, mmAVX512} {
		if matmulPath(p) == p {
			ps = append(ps, p)
		}
	}
	return ps
}

// TestAttentionBackwardPaths checks that every SIMD path's gradients are
// the portable path's (whose own gradient check is TestAttentionGrad).
func TestAttentionBackwardPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	a := AttentionDims{B: 2, T: 130, S: 133, H: 6, KVH: 2, D: 24}
	q, k, v := attnInputs(r, a)
	dout := randn(r, len(q), 1)
	grads := func(path int) []float32 {
		out, lse := make([]float32, len(q)), make([]float32, a.B*a.H*a.T)
		attentionForward(out, lse, q, k, v, a, path)
		dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
		attentionBackward(dq, dk, dv, dout, q, k, v, out, lse, a, path)
		return append(append(dq, dk...), dv...)
	}
	want := grads(mmScalar)
	ref := make([]float64, len(want))
	for i, g := range want {
		ref[i] = float64(g)
	}
	for _, path := range paths()[1:] {
		closeTo(t, "attention grads", grads(path), ref, 1e-4)
	}
}

func TestAttentionGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	a := AttentionDims{B: 2, T: 70, S: 73, H: 4, KVH: 2, D: 8}
	q, k, v := attnInputs(r, a)
	out, lse := make([]float32, len(q)), make([]float32, a.B*a.H*a.T)
	AttentionForward(out, lse, q, k, v, a)
	rr := randn(r, len(q), 1)
	dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
	AttentionBackward(dq, dk, dv, rr, q, k, v, out, lse, a)
	scratch := make([]float32, len(q))
	loss := func() float64 { AttentionForward(scratch, nil, q, k, v, a); return dotLoss(scratch, rr) }
	gradCheck(t, "attention q", q, dq, loss)
	gradCheck(t, "attention k", k, dk, loss)
	gradCheck(t, "attention v", v, dv, loss)
}
