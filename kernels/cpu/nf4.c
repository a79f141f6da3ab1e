// NF4-quantised PyTorch Linear weights [OC, C] (QLoRA's frozen base), as
// bitsandbytes stores them. The matmuls (matmul.c's *_src) dequantise a
// block of rows at a time into their f32 tiles, so NF4 runs at nearly f32
// speed and the f32 weight never exists whole.
#include "kernels.h"

// nf4_dequantize writes flat elements [start, start+count) of w. It is not
// inlined into the FMA-enabled callers so that the compiler cannot fuse the
// absmax's multiply and add: the result must round as bitsandbytes' does.
__attribute__((noinline)) void nf4_dequantize(float *dst, const nf4_weight *w, long start, long count) {
    long i = start, end = start + count;
    while (i < end) {
        long b = i / 64, bend = (b + 1) * 64 < end ? (b + 1) * 64 : end;
        volatile float prod = w->code2[w->qabsmax[b]] * w->absmax2[b / 256];
        float am = prod + w->offset;
        for (; i < bend; i++) {
            uint8_t byte = w->packed[i >> 1];
            *dst++ = w->code4[(i & 1) ? (byte & 15) : (byte >> 4)] * am;
        }
    }
}

// nf4_rows is the wsrc view of an nf4_weight.
void nf4_rows(const void *w, float *dst, int row0, int n, int C) {
    nf4_dequantize(dst, w, (long)row0 * C, (long)n * C);
}
