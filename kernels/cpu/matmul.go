package cpu

// #include "kernels.h"
import "C"

// MatmulForward sets out[n,o] = sum_c inp[n,c]*w[o,c]: inp [N,C], w [OC,C]
// (a PyTorch Linear weight), out [N,OC].
func MatmulForward(out, inp, w []float32, n, c, oc int) { matmulForward(out, inp, w, n, c, oc, true) }

// matmulForward with simd false runs the portable path, for tests and benchmarks.
func matmulForward(out, inp, w []float32, n, c, oc int, simd bool) {
	need(n*oc, out)
	need(n*c, inp)
	need(oc*c, w)
	s := C.int(0)
	if simd {
		s = 1
	}
	C.matmul_forward(fp(out), fp(inp), fp(w), C.int(n), C.int(c), C.int(oc), threads(), s)
}

// MatmulBackward adds the gradients of inp and w given dout; either may be
// nil to skip it (dw for a frozen weight).
func MatmulBackward(dinp, dw, dout, inp, w []float32, n, c, oc int) {
	optional(n*c, dinp)
	optional(oc*c, dw)
	need(n*oc, dout)
	need(n*c, inp)
	need(oc*c, w)
	C.matmul_backward(fp(dinp), fp(dw), fp(dout), fp(inp), fp(w), C.int(n), C.int(c), C.int(oc), threads())
}
