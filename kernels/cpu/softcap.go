package cpu

// #include "kernels.h"
import "C"

// SoftCapForward sets x = cap·tanh(x/cap) in place (Gemma 2's final logit
// soft-capping); cap > 0.
func SoftCapForward(x []float32, cap float32) {
	capCheck(cap)
	chunks(len(x), func(i, j int) { C.softcap_forward(fp(x[i:j]), C.float(cap), C.int(j-i), threads()) })
}

// SoftCapBackward turns dy, the gradient of SoftCapForward's output y, into
// its input's in place: dy *= 1 - (y/cap)². It needs only the capped
// output, so the uncapped logits need not be kept. Unlike most backward
// kernels it overwrites rather than adds.
func SoftCapBackward(dy, y []float32, cap float32) {
	capCheck(cap)
	need(len(dy), y)
	chunks(len(dy), func(i, j int) { C.softcap_backward(fp(dy[i:j]), fp(y[i:j]), C.float(cap), C.int(j-i), threads()) })
}

func capCheck(cap float32) {
	if !(cap > 0) {
		panic("cpu: soft cap must be > 0")
	}
}
