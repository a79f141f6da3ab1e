package cpu

// #include "kernels.h"
import "C"

// RoPEForward rotates x [N,H,D] in place in Hugging Face's rotate-half
// layout, row n at position pos[n], with base theta.
func RoPEForward(x []float32, pos []int32, n, h, d int, theta float32) {
	ropeCheck(x, pos, n, h, d)
	C.rope_forward(fp(x), ip(pos), C.int(n), C.int(h), C.int(d), C.float(theta), threads())
}

// RoPEBackward turns dx, the gradient of RoPEForward's output, into the
// gradient of its input, in place.
func RoPEBackward(dx []float32, pos []int32, n, h, d int, theta float32) {
	ropeCheck(dx, pos, n, h, d)
	C.rope_backward(fp(dx), ip(pos), C.int(n), C.int(h), C.int(d), C.float(theta), threads())
}

func ropeCheck(x []float32, pos []int32, n, h, d int) {
	need(n*h*d, x)
	if len(pos) != n || d%2 != 0 {
		panic("cpu: RoPE needs one position per row and an even head size")
	}
}
