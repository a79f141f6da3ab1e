package cpu

// #include "quant.h"
import "C"

import (
	"fmt"
	"unsafe"
)

// QType is a ggml block format of 32 values that the quantised matmul
// multiplies by without unpacking, numbered as in ggml.h.
type QType int

const (
	Q4_0 QType = C.QT_Q4_0
	Q4_1 QType = C.QT_Q4_1
	Q8_0 QType = C.QT_Q8_0
)

// QTypeOf is the QType of a ggml type name ("Q4_1"); ok is false for the
// types the matmul does not take.
func QTypeOf(name string) (t QType, ok bool) {
	switch name {
	case "Q4_0":
		return Q4_0, true
	case "Q4_1":
		return Q4_1, true
	case "Q8_0":
		return Q8_0, true
	}
	return 0, false
}

// RowBytes is the size of a row of c values (c a multiple of 32).
func (t QType) RowBytes(c int) int { return c / 32 * int(C.quant_block_bytes(C.int(t))) }

// Quant matmul code paths; a path the CPU lacks falls back to the next one down.
const (
	qpScalar = C.QP_SCALAR
	qpAVX2   = C.QP_AVX2
	qpVNNI   = C.QP_VNNI
	qpBest   = C.QP_BEST
)

func quantPath(want int) int { return int(C.quant_path(C.int(want))) }

func (t QType) check(blocks []byte, c int) {
	if C.quant_block_bytes(C.int(t)) == 0 {
		panic(fmt.Sprintf("cpu: ggml type %d is not a quant matmul type", int(t)))
	}
	if c <= 0 || c%32 != 0 || len(blocks)%t.RowBytes(c) != 0 {
		panic(fmt.Sprintf("cpu: %d bytes are not rows of %d values of ggml type %d", len(blocks), c, int(t)))
	}
}

func bp(b []byte) *C.uint8_t { return (*C.uint8_t)(unsafe.SliceData(b)) }

// QuantDequantize writes the values of whole rows of length c held in src.
func QuantDequantize(dst []float32, src []byte, t QType, c int) {
	t.check(src, c)
	need(len(src)/t.RowBytes(c)*c, dst)
	C.quant_dequantize(fp(dst), bp(src), C.int(t), C.long(len(dst)))
}

// QuantMatmulForward sets out[n,o] = sum_c inp[n,c]*w[o,c] for w [OC,C] in
// blocks of t, inp [N,C], out [N,OC]. One input row (decoding) is rounded
// to 8 bits a 32-value block, an error of up to 0.5/127 of each block's
// largest value, for integer dot products; several (prefill) multiply in
// f32 a dequantised tile at a time.
func QuantMatmulForward(out, inp []float32, w []byte, t QType, n, c, oc int) {
	quantMatmulForward(out, inp, w, t, n, c, oc, false, qpBest)
}

// QuantMatmulForwardFine is QuantMatmulForward rounding one input row to
// 16 bits (an error of 1/65534 of a block's largest value) or, without
// AVX2, not at all: slower where the matmul is compute-bound, but an LM
// head reading a large table is memory-bound, and its outputs pick tokens.
func QuantMatmulForwardFine(out, inp []float32, w []byte, t QType, n, c, oc int) {
	quantMatmulForward(out, inp, w, t, n, c, oc, true, qpBest)
}

// QuantMatmulRows is QuantMatmulForward (fine as QuantMatmulForwardFine)
// with each row's outputs bit for bit those of a one-row call, whatever
// rows share the call: batched decoding gives every sequence the numbers it
// gets alone, with the weights read once for all of them.
func QuantMatmulRows(out, inp []float32, w []byte, t QType, n, c, oc int, fine bool) {
	quantMatmulRows(out, inp, w, t, n, c, oc, fine, qpBest)
}

func quantMatmulRows(out, inp []float32, w []byte, t QType, n, c, oc int, fine bool, path int) {
	checkQuant(out, inp, w, t, n, c, oc)
	C.quant_matmul_rows(fp(out), fp(inp), bp(w), C.int(t), C.int(n), C.int(c), C.int(oc), cbool(fine), threads(), C.int(path))
}

func checkQuant(out, inp []float32, w []byte, t QType, n, c, oc int) {
	t.check(w, c)
	if len(w) != oc*t.RowBytes(c) {
		panic(fmt.Sprintf("cpu: quantised weight of %d bytes is not %d x %d", len(w), oc, c))
	}
	need(n*oc, out)
	need(n*c, inp)
}

func quantMatmulForward(out, inp []float32, w []byte, t QType, n, c, oc int, fine bool, path int) {
	checkQuant(out, inp, w, t, n, c, oc)
	C.quant_matmul_forward(fp(out), fp(inp), bp(w), C.int(t), C.int(n), C.int(c), C.int(oc), cbool(fine), threads(), C.int(path))
}
