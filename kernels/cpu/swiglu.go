package cpu

// #include "kernels.h"
import "C"

// SwiGLUForward sets out = silu(gate) * up elementwise; out may be gate.
func SwiGLUForward(out, gate, up []float32) {
	need(len(out), gate, up)
	C.swiglu_forward(fp(out), fp(gate), fp(up), C.int(len(out)), threads())
}

// SwiGLUBackward adds the gradients of gate and up.
func SwiGLUBackward(dgate, dup, dout, gate, up []float32) {
	need(len(dout), dgate, dup, gate, up)
	C.swiglu_backward(fp(dgate), fp(dup), fp(dout), fp(gate), fp(up), C.int(len(dout)), threads())
}
