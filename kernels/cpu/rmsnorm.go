package cpu

// #include "kernels.h"
import "C"

// RMSNormForward sets out = inp/rms(inp)*w row by row (inp, out [N,C], w [C])
// and, unless rstd is nil, rstd[n] = 1/rms of row n for the backward pass.
func RMSNormForward(out, rstd, inp, w []float32, n, c int, eps float32) {
	need(n*c, out, inp)
	need(c, w)
	optional(n, rstd)
	C.rmsnorm_forward(fp(out), fp(rstd), fp(inp), fp(w), C.int(n), C.int(c), C.float(eps), threads())
}

// RMSNormBackward adds the gradients of inp and w.
func RMSNormBackward(dinp, dw, dout, inp, w, rstd []float32, n, c int) {
	need(n*c, dinp, dout, inp)
	need(c, dw, w)
	need(n, rstd)
	C.rmsnorm_backward(fp(dinp), fp(dw), fp(dout), fp(inp), fp(w), fp(rstd), C.int(n), C.int(c), threads())
}
