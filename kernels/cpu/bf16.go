package cpu

// #include "kernels.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// bf16Src is w [oc, c] of bf16 values as the matmuls' widening source,
// pinned with pin.
func bf16Src(w []uint16, oc, c int, pin *runtime.Pinner) *C.wsrc {
	if len(w) != oc*c {
		panic("cpu: bf16 weight is not oc x c")
	}
	pin.Pin(unsafe.SliceData(w))
	s := &C.wsrc{rows: (*[0]byte)(C.bf16_rows), w: unsafe.Pointer(unsafe.SliceData(w))}
	pin.Pin(s)
	return s
}

// BF16MatmulForward sets out[n,o] = sum_c inp[n,c]*w[o,c] for a bf16 weight
// w [OC, C] (the upper halves of float32s), widened a block at a time.
func BF16MatmulForward(out, inp []float32, w []uint16, n, c, oc int) {
	bf16MatmulForward(out, inp, w, n, c, oc, true)
}

func bf16MatmulForward(out, inp []float32, w []uint16, n, c, oc int, simd bool) {
	matmulForwardSrc(out, inp, func(p *runtime.Pinner) *C.wsrc { return bf16Src(w, oc, c, p) }, n, c, oc, simd)
}

// BF16MatmulBackward adds the input's gradient, dinp += dout w, for a
// frozen bf16 weight.
func BF16MatmulBackward(dinp, dout []float32, w []uint16, n, c, oc int) {
	bf16MatmulBackward(dinp, dout, w, n, c, oc, true)
}

func bf16MatmulBackward(dinp, dout []float32, w []uint16, n, c, oc int, simd bool) {
	matmulBackwardSrc(dinp, dout, func(p *runtime.Pinner) *C.wsrc { return bf16Src(w, oc, c, p) }, n, c, oc, simd)
}
