package cpu

// #include "kernels.h"
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// NF4 is a weight [OC, C] quantised as bitsandbytes' NF4 with a
// double-quantised absmax (backend/model.NF4 makes one): element i has
// code i of Packed (two a byte, the first in the high nibble), block i/64,
// and the value Code[code] * (Map[QAbsmax[b]]*Absmax2[b/256] + Offset).
type NF4 struct {
	Packed, QAbsmax []byte
	Absmax2         []float32
	Offset          float32
	Code            *[16]float32  // the NF4 code book
	Map             *[256]float32 // the absmax's 8-bit code book
}

// c checks w against an [oc, c] weight and returns it for C, its slices
// pinned: cgo lets C see Go memory holding Go pointers only when those are
// pinned. The caller unpins after the call.
func (w *NF4) c(oc, c int, pin *runtime.Pinner) C.nf4_weight {
	n := oc * c
	nb := (n + 63) / 64
	if len(w.Packed) != (n+1)/2 || len(w.QAbsmax) != nb || len(w.Absmax2) != (nb+255)/256 || w.Code == nil || w.Map == nil {
		panic(fmt.Sprintf("cpu: NF4 weight (%d bytes, %d blocks) is not %d x %d", len(w.Packed), len(w.QAbsmax), oc, c))
	}
	for _, p := range []unsafe.Pointer{unsafe.Pointer(unsafe.SliceData(w.Packed)), unsafe.Pointer(unsafe.SliceData(w.QAbsmax)),
		unsafe.Pointer(unsafe.SliceData(w.Absmax2)), unsafe.Pointer(w.Code), unsafe.Pointer(w.Map)} {
		pin.Pin(p)
	}
	return C.nf4_weight{
		packed:  (*C.uint8_t)(unsafe.SliceData(w.Packed)),
		qabsmax: (*C.uint8_t)(unsafe.SliceData(w.QAbsmax)),
		absmax2: fp(w.Absmax2),
		code4:   (*C.float)(unsafe.Pointer(w.Code)),
		code2:   (*C.float)(unsafe.Pointer(w.Map)),
		offset:  C.float(w.Offset),
	}
}

// NF4Dequantize writes flat elements [start, start+len(dst)) of w [oc, c]
// as the matmul sees them.
func NF4Dequantize(dst []float32, w *NF4, oc, c, start int) {
	if start < 0 || start+len(dst) > oc*c {
		panic(fmt.Sprintf("cpu: NF4 elements [%d,%d) out of %d", start, start+len(dst), oc*c))
	}
	var pin runtime.Pinner
	defer pin.Unpin()
	cw := w.c(oc, c, &pin)
	C.nf4_dequantize(fp(dst), &cw, C.long(start), C.long(len(dst)))
}

// NF4MatmulForward sets out[n,o] = sum_c inp[n,c]*w[o,c] for an NF4 weight
// w [OC, C], dequantising it a tile at a time: inp [N,C], out [N,OC].
func NF4MatmulForward(out, inp []float32, w *NF4, n, c, oc int) {
	nf4MatmulForward(out, inp, w, n, c, oc, true)
}

func nf4MatmulForward(out, inp []float32, w *NF4, n, c, oc int, simd bool) {
	matmulForwardSrc(out, inp, func(p *runtime.Pinner) *C.wsrc { return w.src(oc, c, p) }, n, c, oc, simd)
}

// NF4MatmulBackward adds the input's gradient, dinp += dout w; the
// quantised weight is frozen and gets none.
func NF4MatmulBackward(dinp, dout []float32, w *NF4, n, c, oc int) {
	nf4MatmulBackward(dinp, dout, w, n, c, oc, true)
}

func nf4MatmulBackward(dinp, dout []float32, w *NF4, n, c, oc int, simd bool) {
	matmulBackwardSrc(dinp, dout, func(p *runtime.Pinner) *C.wsrc { return w.src(oc, c, p) }, n, c, oc, simd)
}

// src is w as the matmuls' dequantising source, pinned with pin.
func (w *NF4) src(oc, c int, pin *runtime.Pinner) *C.wsrc {
	cw := w.c(oc, c, pin)
	pin.Pin(&cw)
	s := &C.wsrc{rows: (*[0]byte)(C.nf4_rows), w: unsafe.Pointer(&cw)}
	pin.Pin(s)
	return s
}

// simdPath is the matmul path for a kernel's simd switch.
func simdPath(simd bool) C.int {
	if simd {
		return mmBest
	}
	return mmScalar
}

// matmulForwardSrc sets out = inp wᵀ for a weight [oc, c] that src, given
// the call's pinner, presents as f32 rows (NF4, bf16).
func matmulForwardSrc(out, inp []float32, src func(*runtime.Pinner) *C.wsrc, n, c, oc int, simd bool) {
	need(n*oc, out)
	need(n*c, inp)
	var pin runtime.Pinner
	defer pin.Unpin()
	C.matmul_forward_src(fp(out), fp(inp), nil, src(&pin), C.int(n), C.int(c), C.int(oc), 0, threads(), simdPath(simd))
}

// matmulBackwardSrc adds dinp += dout w for a frozen weight given by src.
func matmulBackwardSrc(dinp, dout []float32, src func(*runtime.Pinner) *C.wsrc, n, c, oc int, simd bool) {
	need(n*c, dinp)
	need(n*oc, dout)
	var pin runtime.Pinner
	defer pin.Unpin()
	C.matmul_backward_src(fp(dinp), fp(dout), src(&pin), C.int(n), C.int(c), C.int(oc), threads(), simdPath(simd))
}
