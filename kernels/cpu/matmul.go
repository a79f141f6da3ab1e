package cpu

// #include "kernels.h"
import "C"

// Matmul code paths; a path the CPU lacks falls back to the next one down.
const (
	mmScalar = C.MM_SCALAR
	mmAVX2   = C.MM_AVX2
	mmAVX512 = C.MM_AVX512
	mmBest   = C.MM_BEST
)

// matmulPath is the path that asking for want runs on this CPU.
func matmulPath(want int) int { return int(C.matmul_path(C.int(want))) }

// MatmulForward sets out[n,o] = sum_c inp[n,c]*w[o,c]: inp [N,C], w [OC,C]
// (a PyTorch Linear weight), out [N,OC].
func MatmulForward(out, inp, w []float32, n, c, oc int) {
	matmulForwardPath(out, inp, w, n, c, oc, mmBest)
}

// matmulForward with simd false runs the portable path, for tests and benchmarks.
func matmulForward(out, inp, w []float32, n, c, oc int, simd bool) {
	p := mmScalar
	if simd {
		p = mmBest
	}
	matmulForwardPath(out, inp, w, n, c, oc, p)
}

func matmulForwardPath(out, inp, w []float32, n, c, oc, path int) {
	need(n*oc, out)
	need(n*c, inp)
	need(oc*c, w)
	C.matmul_forward(fp(out), fp(inp), fp(w), C.int(n), C.int(c), C.int(oc), threads(), C.int(path))
}

// MatmulBackward adds the gradients of inp and w given dout; either may be
// nil to skip it (dw for a frozen weight).
func MatmulBackward(dinp, dw, dout, inp, w []float32, n, c, oc int) {
	matmulBackwardPath(dinp, dw, dout, inp, w, n, c, oc, mmBest)
}

func matmulBackwardPath(dinp, dw, dout, inp, w []float32, n, c, oc, path int) {
	optional(n*c, dinp)
	optional(oc*c, dw)
	need(n*oc, dout)
	need(n*c, inp)
	need(oc*c, w)
	C.matmul_backward(fp(dinp), fp(dw), fp(dout), fp(inp), fp(w), C.int(n), C.int(c), C.int(oc), threads(), C.int(path))
}

// MatmulNNAdd adds inp [n, k] times w [k, ncol] (not transposed) to out:
// a LoRA's B kept as Bᵀ lands on the base output with no per-call transpose.
func MatmulNNAdd(out, inp, w []float32, n, k, ncol int) {
	matmulNNAddPath(out, inp, w, n, k, ncol, mmBest)
}

func matmulNNAddPath(out, inp, w []float32, n, k, ncol, path int) {
	need(n*ncol, out)
	need(n*k, inp)
	need(k*ncol, w)
	C.matmul_nn_add(fp(out), fp(inp), fp(w), C.int(n), C.int(k), C.int(ncol), threads(), C.int(path))
}

// MatmulForwardAdd adds inp wᵀ to out: a LoRA's low-rank product lands on
// the base's output without a temporary.
func MatmulForwardAdd(out, inp, w []float32, n, c, oc int) {
	need(n*oc, out)
	need(n*c, inp)
	need(oc*c, w)
	C.matmul_forward_src(fp(out), fp(inp), fp(w), nil, C.int(n), C.int(c), C.int(oc), 1, threads(), mmBest)
}
