package cpu

// #include "kernels.h"
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// AttentionDims are the shapes and options of causal attention: q and out
// [B,T,H,D], k and v [B,S,KVH,D] with S >= T, where the first S-T keys are
// cached context, so query t sits at position S-T+t; H is a multiple of KVH.
//
// Scale multiplies q·k (0: 1/sqrt(D)). SoftCap, unless 0, maps each scaled
// score s to SoftCap·tanh(s/SoftCap) before the mask and the softmax
// (Gemma 2). Window, unless 0, is a sliding window: the query at position p
// sees key j only when p-j < Window.
type AttentionDims struct {
	B, T, S, H, KVH, D int
	Scale, SoftCap     float32
	Window             int
}

func (a AttentionDims) check(keyStart []int32) {
	if a.S < a.T || a.KVH <= 0 || a.H%a.KVH != 0 || a.Window < 0 {
		panic("cpu: attention needs S >= T, H a multiple of KVH and a window >= 0")
	}
	if keyStart == nil {
		return
	}
	if len(keyStart) != a.B*a.T {
		panic(fmt.Sprintf("cpu: attention keyStart has %d elements, want B*T = %d", len(keyStart), a.B*a.T))
	}
	for i, lo := range keyStart {
		if p := a.S - a.T + i%a.T; lo < 0 || int(lo) > p {
			panic(fmt.Sprintf("cpu: attention keyStart[%d] = %d is outside [0, %d], the query's keys", i, lo, p))
		}
	}
}

// c is a as the kernels take it, with keyStart (nil: none) pinned with
// pin: cgo lets C see Go memory that holds a Go pointer only when that
// pointer is pinned.
func (a AttentionDims) c(keyStart []int32, pin *runtime.Pinner) *C.attn_dims {
	if keyStart != nil {
		pin.Pin(unsafe.SliceData(keyStart))
	}
	return &C.attn_dims{B: C.int(a.B), T: C.int(a.T), S: C.int(a.S), H: C.int(a.H), KVH: C.int(a.KVH), D: C.int(a.D),
		window: C.int(a.Window), scale: C.float(a.Scale), softcap: C.float(a.SoftCap), key_start: ip(keyStart)}
}

// AttentionForward sets out = softmax(scores, masked) v, tiled so that no
// T x S matrix is formed. Query t of batch row b sees keys j with lo <= j
// <= S-T+t, where lo is the highest of keyStart[b*T+t] (unless keyStart is
// nil: packed examples, several in one row, each attending only to itself)
// and S-T+t-Window+1 (with a window). Only the key tiles holding such keys
// are computed, so a window or packing saves the time it masks. Unless lse
// is nil it receives each query row's log-sum-exp [B,H,T] for the backward
// pass.
func AttentionForward(out, lse, q, k, v []float32, keyStart []int32, a AttentionDims) {
	attentionForward(out, lse, q, k, v, keyStart, a, mmBest)
}

// attentionForward runs the given code path (mmScalar, mmAVX2...), for tests.
func attentionForward(out, lse, q, k, v []float32, keyStart []int32, a AttentionDims, path int) {
	a.check(keyStart)
	need(a.B*a.T*a.H*a.D, out, q)
	need(a.B*a.S*a.KVH*a.D, k, v)
	optional(a.B*a.H*a.T, lse)
	var pin runtime.Pinner
	defer pin.Unpin()
	C.attention_forward(fp(out), fp(lse), fp(q), fp(k), fp(v), a.c(keyStart, &pin), threads(), C.int(path))
}

// AttentionBackward adds the gradients of q, k and v, recomputing the
// probabilities from q, k and the forward pass's lse; keyStart and a must
// be the forward pass's.
func AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse []float32, keyStart []int32, a AttentionDims) {
	attentionBackward(dq, dk, dv, dout, q, k, v, out, lse, keyStart, a, mmBest)
}

func attentionBackward(dq, dk, dv, dout, q, k, v, out, lse []float32, keyStart []int32, a AttentionDims, path int) {
	a.check(keyStart)
	need(a.B*a.T*a.H*a.D, dq, dout, q, out)
	need(a.B*a.S*a.KVH*a.D, dk, dv, k, v)
	need(a.B*a.H*a.T, lse)
	var pin runtime.Pinner
	defer pin.Unpin()
	C.attention_backward(fp(dq), fp(dk), fp(dv), fp(dout), fp(q), fp(k), fp(v), fp(out), fp(lse), a.c(keyStart, &pin),
		threads(), C.int(path))
}
