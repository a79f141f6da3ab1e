package computetest

import (
	"fmt"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/kernels/ref"
)

// attnCase is one attention shape and variant.
type attnCase struct {
	B, T, S, H, KVH, D int
	o                  compute.AttnOpts
	keyStart           []int32
}

func (c attnCase) String() string {
	return fmt.Sprintf("B%d T%d S%d H%d/%d D%d scale %g cap %g window %d starts %v",
		c.B, c.T, c.S, c.H, c.KVH, c.D, c.o.Scale, c.o.SoftCap, c.o.Window, c.keyStart != nil)
}

func (c attnCase) dims() ref.AttentionDims {
	return ref.AttentionDims{B: c.B, T: c.T, S: c.S, H: c.H, KVH: c.KVH, D: c.D, Scale: c.o.Scale, SoftCap: c.o.SoftCap, Window: c.o.Window}
}

// attnCases cover training (S = T), a KV cache (S > T), grouped-query
// heads, the head sizes with their own code paths (64, 128), Gemma 2's
// scale and soft cap, sliding windows, and packed examples' key starts.
var attnCases = []attnCase{
	{B: 2, T: 5, S: 5, H: 4, KVH: 2, D: 8},
	{B: 1, T: 3, S: 9, H: 4, KVH: 1, D: 16},
	{B: 1, T: 1, S: 7, H: 2, KVH: 2, D: 64},
	{B: 2, T: 17, S: 17, H: 2, KVH: 1, D: 64},
	{B: 1, T: 9, S: 9, H: 2, KVH: 2, D: 128},
	{B: 2, T: 12, S: 12, H: 4, KVH: 2, D: 16, o: compute.AttnOpts{Scale: 0.2, SoftCap: 1.5}},
	{B: 2, T: 12, S: 12, H: 4, KVH: 2, D: 16, o: compute.AttnOpts{Window: 4}},
	{B: 1, T: 4, S: 11, H: 2, KVH: 1, D: 64, o: compute.AttnOpts{Window: 5, SoftCap: 2}},
	{B: 1, T: 10, S: 10, H: 2, KVH: 1, D: 8, keyStart: []int32{0, 0, 0, 3, 3, 3, 3, 7, 7, 7}},
	{B: 1, T: 40, S: 40, H: 2, KVH: 1, D: 64, o: compute.AttnOpts{Window: 9}, keyStart: append(make([]int32, 20), 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20)},
}

// testAttention: forward and backward against the reference for every
// case, and central differences through the device for a few.
func testAttention(t *testing.T, e *env) {
	dev := e.dev
	for i, c := range attnCases {
		name := c.String()
		nq, nk := c.B*c.T*c.H*c.D, c.B*c.S*c.KVH*c.D
		q, k, v := e.randn(nq, 1), e.randn(nk, 1), e.randn(nk, 1)
		o := c.o
		if c.keyStart != nil {
			o.KeyStart = e.ids(c.keyStart)
		}
		fwd := func() (out, lse *compute.Tensor) {
			out, lse = dev.Alloc(compute.F32, c.B, c.T, c.H, c.D), dev.Alloc(compute.F32, c.B, c.H, c.T)
			dev.Attention(out, lse, e.up(q, c.B, c.T, c.H, c.D), e.up(k, c.B, c.S, c.KVH, c.D), e.up(v, c.B, c.S, c.KVH, c.D), o)
			return out, lse
		}
		out, lse := fwd()
		e.near(name, out, ref.Attention(q, k, v, c.keyStart, c.dims()), 1e-5)
		noLSE := dev.Alloc(compute.F32, c.B, c.T, c.H, c.D)
		dev.Attention(noLSE, nil, e.up(q, c.B, c.T, c.H, c.D), e.up(k, c.B, c.S, c.KVH, c.D), e.up(v, c.B, c.S, c.KVH, c.D), o)
		e.near(name+" without lse", noLSE, ref.Float64s(e.down(out)), 1e-6)

		dout := e.randn(nq, 1)
		dq, dk, dv := dev.Alloc(compute.F32, c.B, c.T, c.H, c.D), dev.Alloc(compute.F32, c.B, c.S, c.KVH, c.D), dev.Alloc(compute.F32, c.B, c.S, c.KVH, c.D)
		dev.AttentionBackward(dq, dk, dv, e.up(dout, c.B, c.T, c.H, c.D), e.up(q, c.B, c.T, c.H, c.D),
			e.up(k, c.B, c.S, c.KVH, c.D), e.up(v, c.B, c.S, c.KVH, c.D), out, lse, o)
		wq, wk, wv := ref.AttentionBackward(dout, q, k, v, c.keyStart, c.dims())
		e.near(name+" dq", dq, wq, 1e-4)
		e.near(name+" dk", dk, wk, 1e-4)
		e.near(name+" dv", dv, wv, 1e-4)
		if i%3 != 0 || c.D > 64 {
			continue // central differences on a few cases: each costs a forward per coordinate
		}
		loss := func() float64 { out, _ := fwd(); return ref.DotLoss(e.down(out), dout) }
		e.gradCheck(name+" q", q, e.down(dq), loss)
		e.gradCheck(name+" k", k, e.down(dk), loss)
		e.gradCheck(name+" v", v, e.down(dv), loss)
	}
}
