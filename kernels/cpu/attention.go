package cpu

// #include "kernels.h"
import "C"

// AttentionDims are the shapes of causal attention: q and out [B,T,H,D],
// k and v [B,S,KVH,D] with S >= T, where the first S-T keys are cached
// context, so query t sits at position S-T+t; H is a multiple of KVH.
type AttentionDims struct{ B, T, S, H, KVH, D int }

func (a AttentionDims) check() {
	if a.S < a.T || a.KVH <= 0 || a.H%a.KVH != 0 {
		panic("cpu: attention needs S >= T and H a multiple of KVH")
	}
}

func (a AttentionDims) args() (b, t, s, h, kvh, d C.int) {
	return C.int(a.B), C.int(a.T), C.int(a.S), C.int(a.H), C.int(a.KVH), C.int(a.D)
}

// AttentionForward sets out = softmax(q k^T / sqrt(D), causal) v, tiled so
// that no T x S matrix is formed. Unless lse is nil it receives each query
// row's log-sum-exp [B,H,T] for the backward pass.
func AttentionForward(out, lse, q, k, v []float32, a AttentionDims) {
	attentionForward(out, lse, q, k, v, a, mmBest)
}

// attentionForward runs the given code path (mmScalar, mmAVX2...), for tests.
func attentionForward(out, lse, q, k, v []float32, a AttentionDims, path int) {
	a.check()
	need(a.B*a.T*a.H*a.D, out, q)
	need(a.B*a.S*a.KVH*a.D, k, v)
	optional(a.B*a.H*a.T, lse)
	b, t, s, h, kvh, d := a.args()
	C.attention_forward(fp(out), fp(lse), fp(q), fp(k), fp(v), b, t, s, h, kvh, d, threads(), C.int(path))
}

// AttentionBackward adds the gradients of q, k and v, recomputing the
// probabilities from q, k and the forward pass's lse.
func AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse []float32, a AttentionDims) {
	attentionBackward(dq, dk, dv, dout, q, k, v, out, lse, a, mmBest)
}

func attentionBackward(dq, dk, dv, dout, q, k, v, out, lse []float32, a AttentionDims, path int) {
	a.check()
	need(a.B*a.T*a.H*a.D, dq, dout, q, out)
	need(a.B*a.S*a.KVH*a.D, dk, dv, k, v)
	need(a.B*a.H*a.T, lse)
	b, t, s, h, kvh, d := a.args()
	C.attention_backward(fp(dq), fp(dk), fp(dv), fp(dout), fp(q), fp(k), fp(v), fp(out), fp(lse), b, t, s, h, kvh, d, threads(), C.int(path))
}
