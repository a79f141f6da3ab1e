package cpu

// #include "kernels.h"
import "C"

import (
	"math"
	"unsafe"
)

// RoPEForward rotates x [N,H,D] in place, row n at position pos[n]: pair i
// (i < D/2) turns by pos[n]*invFreq[i] and is scaled by mscale (YaRN's
// attention factor; 1 for plain RoPE). The pairs are (i, i+D/2), Hugging
// Face's rotate-half layout, or (2i, 2i+1) when interleaved.
func RoPEForward(x []float32, pos []int32, n, h, d int, invFreq []float64, mscale float32, interleaved bool) {
	ropeCheck(x, pos, n, h, d, invFreq)
	C.rope_forward(fp(x), ip(pos), C.int(n), C.int(h), C.int(d), dp(invFreq), C.float(mscale), ropeLayout(interleaved), threads())
}

// RoPEBackward turns dx, the gradient of RoPEForward's output, into the
// gradient of its input, in place.
func RoPEBackward(dx []float32, pos []int32, n, h, d int, invFreq []float64, mscale float32, interleaved bool) {
	ropeCheck(dx, pos, n, h, d, invFreq)
	C.rope_backward(fp(dx), ip(pos), C.int(n), C.int(h), C.int(d), dp(invFreq), C.float(mscale), ropeLayout(interleaved), threads())
}

// InvFreq is plain RoPE's inverse frequencies for a head of d: theta^(-2i/d).
func InvFreq(theta float64, d int) []float64 {
	f := make([]float64, d/2)
	for i := range f {
		f[i] = 1 / math.Pow(theta, float64(2*i)/float64(d))
	}
	return f
}

func dp(s []float64) *C.double { return (*C.double)(unsafe.SliceData(s)) }

// ropeLayout is the kernels' interleaved flag.
func ropeLayout(interleaved bool) C.int {
	if interleaved {
		return 1
	}
	return 0
}

func ropeCheck(x []float32, pos []int32, n, h, d int, invFreq []float64) {
	need(n*h*d, x)
	if len(pos) != n || d%2 != 0 || len(invFreq) != d/2 {
		panic("cpu: RoPE needs one position per row, an even head size and an inverse frequency per pair")
	}
}
