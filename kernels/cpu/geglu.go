package cpu

// #include "kernels.h"
import "C"

// GeGLUForward sets out = gelu_tanh(gate) * up elementwise, where gelu_tanh
// is PyTorch's gelu(approximate="tanh"): 0.5 g (1 + tanh(sqrt(2/pi) (g +
// 0.044715 g³))), Gemma's MLP activation. out may be gate or up.
func GeGLUForward(out, gate, up []float32) {
	need(len(out), gate, up)
	chunks(len(out), func(i, j int) {
		C.geglu_forward(fp(out[i:j]), fp(gate[i:j]), fp(up[i:j]), C.int(j-i), threads())
	})
}

// GeGLUBackward adds the gradients of gate and up.
func GeGLUBackward(dgate, dup, dout, gate, up []float32) {
	need(len(dout), dgate, dup, gate, up)
	chunks(len(dout), func(i, j int) {
		C.geglu_backward(fp(dgate[i:j]), fp(dup[i:j]), fp(dout[i:j]), fp(gate[i:j]), fp(up[i:j]), C.int(j-i), threads())
	})
}
