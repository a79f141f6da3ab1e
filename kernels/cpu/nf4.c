// NF4-quantised PyTorch Linear weights [OC, C] (QLoRA's frozen base), as
// bitsandbytes stores them. The matmuls (matmul.c's *_src) dequantise a
// block of rows at a time into their f32 tiles, so NF4 runs at nearly f32
// speed and the f32 weight never exists whole.
#include "kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

// One whole block of 64 with AVX-512: the 16 codes sit in a register and a
// permute looks up 16 values at once. Each value is code * am, one IEEE
// multiply, exactly as the scalar loop rounds it.
__attribute__((target("avx512f,avx512bw"))) static void nf4_block_avx512(float *dst, const uint8_t *p, const float *code4,
                                                                          float am) {
    __m512 codes = _mm512_loadu_ps(code4), vam = _mm512_set1_ps(am);
    __m512i b = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)p));
    // Each 16-bit lane holds byte i: make it the bytes (high nibble, low
    // nibble), the order of the block's elements 2i, 2i+1.
    __m512i nib = _mm512_or_si512(_mm512_srli_epi16(b, 4), _mm512_slli_epi16(_mm512_and_si512(b, _mm512_set1_epi16(15)), 8));
    __m128i q[4] = {_mm512_extracti32x4_epi32(nib, 0), _mm512_extracti32x4_epi32(nib, 1), _mm512_extracti32x4_epi32(nib, 2),
                    _mm512_extracti32x4_epi32(nib, 3)};
    for (int k = 0; k < 4; k++)
        _mm512_storeu_ps(dst + 16 * k, _mm512_mul_ps(_mm512_permutexvar_ps(_mm512_cvtepu8_epi32(q[k]), codes), vam));
}

static int has_avx512bw(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}
#endif

// nf4_dequantize writes flat elements [start, start+count) of w. It is not
// inlined into the FMA-enabled callers so that the compiler cannot fuse the
// absmax's multiply and add: the result must round as bitsandbytes' does.
__attribute__((noinline)) void nf4_dequantize(float *dst, const nf4_weight *w, long start, long count) {
    long i = start, end = start + count;
#if defined(__x86_64__)
    int simd = has_avx512bw();
#endif
    while (i < end) {
        long b = i / 64, bend = (b + 1) * 64 < end ? (b + 1) * 64 : end;
        volatile float prod = w->code2[w->qabsmax[b]] * w->absmax2[b / 256];
        float am = prod + w->offset;
#if defined(__x86_64__)
        if (simd && i == b * 64 && bend == i + 64) {
            nf4_block_avx512(dst, w->packed + (i >> 1), w->code4, am);
            dst += 64, i += 64;
            continue;
        }
#endif
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
