package cpu

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

func attnInputs(r *rand.Rand, a AttentionDims) (q, k, v []float32) {
	return ref.Randn(r, a.B*a.T*a.H*a.D, 1), ref.Randn(r, a.B*a.S*a.KVH*a.D, 1), ref.Randn(r, a.B*a.S*a.KVH*a.D, 1)
}

// packed is the keyStart of rows of concatenated examples: lens[b] lists
// the lengths of row b's examples, which fill its T queries (S == T).
func packed(t int, lens ...[]int) []int32 {
	ks := make([]int32, 0, len(lens)*t)
	for _, row := range lens {
		start := 0
		for _, n := range row {
			for range n {
				ks = append(ks, int32(start))
			}
			start += n
		}
		if start != t {
			panic(fmt.Sprintf("examples of %d tokens in a row of %d", start, t))
		}
	}
	return ks
}

// randStarts is a keyStart with every query's lo drawn anywhere in its
// causal range: no order the kernels could rely on.
func randStarts(r *rand.Rand, a AttentionDims) []int32 {
	ks := make([]int32, a.B*a.T)
	for i := range ks {
		ks[i] = int32(r.IntN(a.S - a.T + i%a.T + 1))
	}
	return ks
}

type attnCase struct {
	name     string
	a        AttentionDims
	keyStart func(*rand.Rand, AttentionDims) []int32
}

func noStarts(*rand.Rand, AttentionDims) []int32 { return nil }

// attnCases cover the plain kernel's shapes and each option alone and
// together, with windows and examples that start and end inside key tiles.
var attnCases = []attnCase{
	{"cached prefix, GQA", AttentionDims{B: 2, T: 5, S: 9, H: 4, KVH: 2, D: 8}, noStarts},
	{"first decode step", AttentionDims{B: 1, T: 1, S: 1, H: 2, KVH: 2, D: 4}, noStarts},
	{"several key tiles", AttentionDims{B: 1, T: 150, S: 150, H: 2, KVH: 1, D: 16}, noStarts},
	{"scale", AttentionDims{B: 1, T: 30, S: 33, H: 2, KVH: 1, D: 8, Scale: 0.7}, noStarts},
	{"softcap", AttentionDims{B: 2, T: 70, S: 75, H: 4, KVH: 2, D: 16, Scale: 1, SoftCap: 2}, noStarts},
	{"window", AttentionDims{B: 1, T: 150, S: 160, H: 2, KVH: 1, D: 16, Window: 37}, noStarts},
	{"window of 1", AttentionDims{B: 1, T: 20, S: 20, H: 2, KVH: 2, D: 8, Window: 1}, noStarts},
	{"window past S", AttentionDims{B: 1, T: 40, S: 50, H: 2, KVH: 1, D: 8, Window: 1000}, noStarts},
	{"packed", AttentionDims{B: 2, T: 150, S: 150, H: 4, KVH: 2, D: 16}, func(*rand.Rand, AttentionDims) []int32 {
		return packed(150, []int{40, 70, 1, 39}, []int{150})
	}},
	{"packed, window, softcap", AttentionDims{B: 2, T: 150, S: 150, H: 2, KVH: 1, D: 8, Window: 50, SoftCap: 1.5}, func(*rand.Rand, AttentionDims) []int32 {
		return packed(150, []int{100, 50}, []int{3, 66, 81})
	}},
	{"head of 24, 3 query heads a kv head", AttentionDims{B: 2, T: 130, S: 133, H: 6, KVH: 2, D: 24}, noStarts},
	{"head of 64 (unrolled), all options", AttentionDims{B: 1, T: 130, S: 140, H: 2, KVH: 1, D: 64, Window: 90, SoftCap: 5},
		func(*rand.Rand, AttentionDims) []int32 { return packed(140, []int{10, 75, 55})[10:] }},
	{"head of 128 (unrolled), packed", AttentionDims{B: 1, T: 100, S: 100, H: 2, KVH: 2, D: 128},
		func(*rand.Rand, AttentionDims) []int32 { return packed(100, []int{64, 36}) }},
	{"scattered starts", AttentionDims{B: 2, T: 100, S: 110, H: 4, KVH: 2, D: 8, Window: 80}, randStarts},
}

// TestAttention compares every path's forward pass with the reference on
// every case.
func TestAttention(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range attnCases {
		t.Run(c.name, func(t *testing.T) {
			a := c.a
			q, k, v := attnInputs(r, a)
			ks := c.keyStart(r, a)
			want := ref.Attention(q, k, v, ks, ref.AttentionDims(a))
			for _, path := range paths() {
				out, lse := make([]float32, len(q)), make([]float32, a.B*a.H*a.T)
				attentionForward(out, lse, q, k, v, ks, a, path)
				ref.CloseTo(t, fmt.Sprintf("path %d", path), out, want, 1e-5)
			}
		})
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

// TestAttentionBackward compares every path's gradients with the
// reference's on every case, adding onto nonzero buffers.
func TestAttentionBackward(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, c := range attnCases {
		t.Run(c.name, func(t *testing.T) {
			a := c.a
			q, k, v := attnInputs(r, a)
			ks := c.keyStart(r, a)
			dout := ref.Randn(r, len(q), 1)
			dq, dk, dv := ref.AttentionBackward(dout, q, k, v, ks, ref.AttentionDims(a))
			want := append(append(dq, dk...), dv...)
			for i := range want {
				want[i]++
			}
			for _, path := range paths() {
				out, lse := make([]float32, len(q)), make([]float32, a.B*a.H*a.T)
				attentionForward(out, lse, q, k, v, ks, a, path)
				g := make([]float32, len(q)+len(k)+len(v))
				for i := range g {
					g[i] = 1
				}
				gq, gk, gv := g[:len(q)], g[len(q):len(q)+len(k)], g[len(q)+len(k):]
				attentionBackward(gq, gk, gv, dout, q, k, v, out, lse, ks, a, path)
				ref.CloseTo(t, fmt.Sprintf("path %d", path), g, want, 1e-5)
			}
		})
	}
}

// TestAttentionGrad checks the backward pass against central differences
// of the forward pass, plain and with every option.
func TestAttentionGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range []attnCase{
		{"plain", AttentionDims{B: 2, T: 70, S: 73, H: 4, KVH: 2, D: 8}, noStarts},
		{"softcap", AttentionDims{B: 1, T: 70, S: 73, H: 2, KVH: 1, D: 8, Scale: 1, SoftCap: 1.5}, noStarts},
		{"packed, window, softcap, scale", AttentionDims{B: 2, T: 70, S: 70, H: 2, KVH: 1, D: 8, Window: 20, SoftCap: 3, Scale: 0.5},
			func(*rand.Rand, AttentionDims) []int32 { return packed(70, []int{30, 40}, []int{5, 65}) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := c.a
			q, k, v := attnInputs(r, a)
			ks := c.keyStart(r, a)
			out, lse := make([]float32, len(q)), make([]float32, a.B*a.H*a.T)
			AttentionForward(out, lse, q, k, v, ks, a)
			rr := ref.Randn(r, len(q), 1)
			dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
			AttentionBackward(dq, dk, dv, rr, q, k, v, out, lse, ks, a)
			scratch := make([]float32, len(q))
			loss := func() float64 { AttentionForward(scratch, nil, q, k, v, ks, a); return ref.DotLoss(scratch, rr) }
			ref.GradCheck(t, "attention q", q, dq, loss)
			ref.GradCheck(t, "attention k", k, dk, loss)
			ref.GradCheck(t, "attention v", v, dv, loss)
		})
	}
}

// TestAttentionPackedIsSeparate: attention over examples packed in one row
// gives each example exactly what it gets alone, forward and backward.
func TestAttentionPackedIsSeparate(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	lens := []int{37, 64, 90, 9}
	a := AttentionDims{B: 1, T: 200, S: 200, H: 4, KVH: 2, D: 16, Window: 70}
	q, k, v := attnInputs(r, a)
	dout := ref.Randn(r, len(q), 1)
	grads := func(q, k, v, dout []float32, ks []int32, a AttentionDims) (out, dq, dk, dv []float32) {
		out, lse := make([]float32, len(q)), make([]float32, a.B*a.H*a.T)
		AttentionForward(out, lse, q, k, v, ks, a)
		dq, dk, dv = make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
		AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse, ks, a)
		return out, dq, dk, dv
	}
	all := make([][]float32, 4)
	all[0], all[1], all[2], all[3] = grads(q, k, v, dout, packed(a.T, lens), a)
	start := 0
	for _, n := range lens {
		one := a
		one.T, one.S = n, n
		qs, kvs := a.H*a.D, a.KVH*a.D
		sep := make([][]float32, 4)
		sep[0], sep[1], sep[2], sep[3] = grads(q[start*qs:(start+n)*qs], k[start*kvs:(start+n)*kvs], v[start*kvs:(start+n)*kvs],
			dout[start*qs:(start+n)*qs], nil, one)
		for i, name := range []string{"out", "dq", "dk", "dv"} {
			w := qs
			if i >= 2 {
				w = kvs
			}
			ref.CloseTo(t, fmt.Sprintf("example at %d: %s", start, name), all[i][start*w:(start+n)*w], ref.Float64s(sep[i]), 1e-6)
		}
		start += n
	}
}

// TestAttentionChecks: a keyStart of the wrong length or past its query's
// position panics before any C runs.
func TestAttentionChecks(t *testing.T) {
	a := AttentionDims{B: 1, T: 4, S: 6, H: 1, KVH: 1, D: 4}
	q, kv := make([]float32, 16), make([]float32, 24)
	for _, ks := range [][]int32{{0, 0, 0}, {0, 0, 0, 6}, {-1, 0, 0, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("keyStart %v did not panic", ks)
				}
			}()
			AttentionForward(make([]float32, 16), nil, q, kv, kv, slices.Clone(ks), a)
		}()
	}
	AttentionForward(make([]float32, 16), nil, q, kv, kv, []int32{0, 3, 4, 5}, a) // each at its own position: fine
}
