// Matmul against GGUF block-quantised weights without unpacking them to f32:
// decoding is memory-bound, and a Q4 weight is an eighth of an f32 one. As
// in llama.cpp, a single input row is quantised to int8 a 32-value block at
// a time (scale d = amax/127), so that a block's dot product is an integer one:
//   sum_j (dw*qw_j + m) * (dx*qx_j) = dw*dx * sum_j qw_j*qx_j + m * dx*sum_j qx_j
// with m the block's offset (Q4_1's minimum; -8*dw for Q4_0). The integer
// sums use AVX2's maddubs (unsigned x signed bytes) or AVX-512 VNNI's dpbusd,
// picked at run time; the second term needs only each input block's sum.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "quant.h"

int quant_block_bytes(int type) {
    switch (type) {
    case QT_Q4_0:
        return 18; // half d; 16 bytes: element j in the low nibble of byte j, j+16 in the high
    case QT_Q4_1:
        return 20; // half d, m; nibbles as Q4_0
    case QT_Q8_0:
        return 34; // half d; int8 qs[32]
    }
    return 0;
}

// h2f converts the little-endian IEEE half at p.
static inline float h2f(const uint8_t *p) {
    uint32_t h = p[0] | (uint32_t)p[1] << 8;
    uint32_t sign = (h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000 | mant << 13;
    } else if (exp) {
        bits = sign | (exp + 127 - 15) << 23 | mant << 13;
    } else { // zero or subnormal: mant * 2^-24, exact
        float v = mant * (1.0f / (1 << 24));
        return sign ? -v : v;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// Products round to float before the add, as ggml's dequantisers (and
// backend/model's) do: this file is built without FMA.
void quant_dequantize(float *dst, const uint8_t *src, int type, long n) {
    int bs = quant_block_bytes(type);
    for (long b = 0; b < n / 32; b++, src += bs, dst += 32) {
        float d = h2f(src);
        switch (type) {
        case QT_Q8_0:
            for (int j = 0; j < 32; j++) dst[j] = (float)(int8_t)src[2 + j] * d;
            break;
        case QT_Q4_0:
            for (int j = 0; j < 16; j++) {
                dst[j] = (float)((src[2 + j] & 15) - 8) * d;
                dst[j + 16] = (float)((src[2 + j] >> 4) - 8) * d;
            }
            break;
        case QT_Q4_1: {
            float m = h2f(src + 2);
            for (int j = 0; j < 16; j++) {
                dst[j] = (float)(src[4 + j] & 15) * d + m;
                dst[j + 16] = (float)(src[4 + j] >> 4) * d + m;
            }
            break;
        }
        }
    }
}

// An input row quantised: codes q [C] (or q16, 16-bit), and per block its
// scale d and d*sum(q).
typedef struct {
    const int8_t *q;
    const int16_t *q16;
    const float *d, *s;
} qrow;

// A several-rows dot: one weight row against R <= DOTN quantised input rows.
enum { DOTN = 4 };
typedef void (*dotn_fn)(const uint8_t *w, const qrow *x, int R, int nb, float *out);

// quantize_block rounds x*127/amax to nearest even, as cvtps2dq does.
static void quantize_block(const float *x, int8_t *q, float *d, float *s) {
    float amax = 0;
    for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[j]));
    float id = amax > 0 ? 127.0f / amax : 0;
    int sum = 0;
    for (int j = 0; j < 32; j++) {
        int v = (int)lrintf(x[j] * id);
        q[j] = (int8_t)v;
        sum += v;
    }
    *d = amax / 127.0f;
    *s = *d * (float)sum;
}

// quantize_block16 is quantize_block to 16 bits, for inputs whose rounding
// must not show (an LM head's): the error is 1/65534 of the block's largest.
static void quantize_block16(const float *x, int16_t *q, float *d, float *s) {
    float amax = 0;
    for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[j]));
    float id = amax > 0 ? 32767.0f / amax : 0;
    int sum = 0;
    for (int j = 0; j < 32; j++) {
        int v = (int)lrintf(x[j] * id);
        q[j] = (int16_t)v;
        sum += v;
    }
    *d = amax / 32767.0f;
    *s = *d * (float)sum;
}

static float dot_scalar(const uint8_t *w, qrow x, int nb, int type) {
    int bs = quant_block_bytes(type);
    float acc = 0;
    for (int b = 0; b < nb; b++, w += bs) {
        const int8_t *xq = x.q + 32 * b;
        float dw = h2f(w);
        int isum = 0;
        switch (type) {
        case QT_Q8_0:
            for (int j = 0; j < 32; j++) isum += (int8_t)w[2 + j] * xq[j];
            acc += dw * x.d[b] * (float)isum;
            break;
        case QT_Q4_0:
            for (int j = 0; j < 16; j++) isum += (w[2 + j] & 15) * xq[j] + (w[2 + j] >> 4) * xq[j + 16];
            acc += dw * x.d[b] * (float)isum - 8 * dw * x.s[b];
            break;
        case QT_Q4_1:
            for (int j = 0; j < 16; j++) isum += (w[4 + j] & 15) * xq[j] + (w[4 + j] >> 4) * xq[j + 16];
            acc += dw * x.d[b] * (float)isum + h2f(w + 2) * x.s[b];
            break;
        }
    }
    return acc;
}

typedef float (*dot_fn)(const uint8_t *w, qrow x, int nb);
static float dot_scalar_q4_0(const uint8_t *w, qrow x, int nb) { return dot_scalar(w, x, nb, QT_Q4_0); }
static float dot_scalar_q4_1(const uint8_t *w, qrow x, int nb) { return dot_scalar(w, x, nb, QT_Q4_1); }
static float dot_scalar_q8_0(const uint8_t *w, qrow x, int nb) { return dot_scalar(w, x, nb, QT_Q8_0); }

#if defined(__x86_64__)
#include <immintrin.h>

#define T2 __attribute__((target("avx2,fma,f16c")))
#define T5 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")))
#define INL inline __attribute__((always_inline))

T2 static INL float hf2(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// nib32 unpacks a Q4 block's 16 bytes to its 32 codes in element order.
T2 static INL __m256i nib32(const uint8_t *qs) {
    __m128i r = _mm_loadu_si128((const __m128i *)qs);
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(r, 4), r), _mm256_set1_epi8(15));
}

T2 static INL float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// AVX2: a block's 32 products through maddubs. Q8_0's signed weights are
// made unsigned by moving their sign onto the input (|w| * sign(x, w)),
// which keeps each pair's sum within int16.
T2 static INL float dot_avx2(const uint8_t *w, qrow x, int nb, const int type) {
    const int bs = type == QT_Q8_0 ? 34 : type == QT_Q4_1 ? 20 : 18;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    float corr = 0;
    for (int b = 0; b < nb; b++, w += bs) {
        __m256i xv = _mm256_loadu_si256((const __m256i *)(x.q + 32 * b)), p;
        float dw = hf2(w);
        if (type == QT_Q8_0) {
            __m256i wv = _mm256_loadu_si256((const __m256i *)(w + 2));
            p = _mm256_maddubs_epi16(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv));
        } else if (type == QT_Q4_0) {
            p = _mm256_maddubs_epi16(nib32(w + 2), xv);
            corr -= 8 * dw * x.s[b];
        } else {
            p = _mm256_maddubs_epi16(nib32(w + 4), xv);
            corr += hf2(w + 2) * x.s[b];
        }
        __m256 f = _mm256_cvtepi32_ps(_mm256_madd_epi16(p, ones));
        if (b & 1) {
            acc1 = _mm256_fmadd_ps(f, _mm256_set1_ps(dw * x.d[b]), acc1);
        } else {
            acc0 = _mm256_fmadd_ps(f, _mm256_set1_ps(dw * x.d[b]), acc0);
        }
    }
    return hsum8(_mm256_add_ps(acc0, acc1)) + corr;
}
// dotn_avx2 is dot_avx2 of one weight row against R <= DOTN input rows at
// once: the block's codes and scale are loaded and unpacked once for all of
// them, and each row's sum takes exactly dot_avx2's steps in dot_avx2's
// order, so every output is bit for bit its one-row dot (batch invariance).
T2 static INL void dotn_avx2(const uint8_t *w, const qrow *x, int R, int nb, const int type, float *out) {
    const int bs = type == QT_Q8_0 ? 34 : type == QT_Q4_1 ? 20 : 18;
    __m256 acc0[DOTN], acc1[DOTN];
    float corr[DOTN];
    const __m256i ones = _mm256_set1_epi16(1);
    for (int r = 0; r < R; r++) acc0[r] = _mm256_setzero_ps(), acc1[r] = _mm256_setzero_ps(), corr[r] = 0;
    for (int b = 0; b < nb; b++, w += bs) {
        float dw = hf2(w), m = type == QT_Q4_1 ? hf2(w + 2) : 0;
        __m256i wv = type == QT_Q8_0 ? _mm256_loadu_si256((const __m256i *)(w + 2)) : nib32(w + (type == QT_Q4_1 ? 4 : 2));
        __m256i wabs = type == QT_Q8_0 ? _mm256_sign_epi8(wv, wv) : wv;
        for (int r = 0; r < R; r++) {
            __m256i xv = _mm256_loadu_si256((const __m256i *)(x[r].q + 32 * b)), p;
            if (type == QT_Q8_0) {
                p = _mm256_maddubs_epi16(wabs, _mm256_sign_epi8(xv, wv));
            } else if (type == QT_Q4_0) {
                p = _mm256_maddubs_epi16(wabs, xv);
                corr[r] -= 8 * dw * x[r].s[b];
            } else {
                p = _mm256_maddubs_epi16(wabs, xv);
                corr[r] += m * x[r].s[b];
            }
            __m256 f = _mm256_cvtepi32_ps(_mm256_madd_epi16(p, ones));
            if (b & 1) {
                acc1[r] = _mm256_fmadd_ps(f, _mm256_set1_ps(dw * x[r].d[b]), acc1[r]);
            } else {
                acc0[r] = _mm256_fmadd_ps(f, _mm256_set1_ps(dw * x[r].d[b]), acc0[r]);
            }
        }
    }
    for (int r = 0; r < R; r++) out[r] = hsum8(_mm256_add_ps(acc0[r], acc1[r])) + corr[r];
}
T2 static void dotn_avx2_q4_0(const uint8_t *w, const qrow *x, int R, int nb, float *out) { dotn_avx2(w, x, R, nb, QT_Q4_0, out); }
T2 static void dotn_avx2_q4_1(const uint8_t *w, const qrow *x, int R, int nb, float *out) { dotn_avx2(w, x, R, nb, QT_Q4_1, out); }
T2 static void dotn_avx2_q8_0(const uint8_t *w, const qrow *x, int R, int nb, float *out) { dotn_avx2(w, x, R, nb, QT_Q8_0, out); }
T2 static float dot_avx2_q4_0(const uint8_t *w, qrow x, int nb) { return dot_avx2(w, x, nb, QT_Q4_0); }
T2 static float dot_avx2_q4_1(const uint8_t *w, qrow x, int nb) { return dot_avx2(w, x, nb, QT_Q4_1); }
T2 static float dot_avx2_q8_0(const uint8_t *w, qrow x, int nb) { return dot_avx2(w, x, nb, QT_Q8_0); }

// Sixteen-bit inputs (see dot16_avx512): madd_epi16 over a block's two
// halves. Q8_0's codes widen signed, so only Q4's offsets need input sums.
T2 static INL float dot16_avx2(const uint8_t *w, qrow x, int nb, const int type) {
    const int bs = type == QT_Q8_0 ? 34 : type == QT_Q4_1 ? 20 : 18;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    float corr = 0;
    for (int b = 0; b < nb; b++, w += bs) {
        __m256i lo, hi;
        float dw = hf2(w);
        if (type == QT_Q8_0) {
            lo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + 2)));
            hi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + 18)));
        } else {
            __m128i r = _mm_loadu_si128((const __m128i *)(w + (type == QT_Q4_1 ? 4 : 2))), m4 = _mm_set1_epi8(15);
            lo = _mm256_cvtepu8_epi16(_mm_and_si128(r, m4));
            hi = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(r, 4), m4));
            corr += (type == QT_Q4_1 ? hf2(w + 2) : -8 * dw) * x.s[b];
        }
        const __m256i *xq = (const __m256i *)(x.q16 + 32 * b);
        __m256i s = _mm256_add_epi32(_mm256_madd_epi16(lo, _mm256_loadu_si256(xq)),
                                     _mm256_madd_epi16(hi, _mm256_loadu_si256(xq + 1)));
        __m256 sc = _mm256_set1_ps(dw * x.d[b]);
        if (b & 1) {
            acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), sc, acc1);
        } else {
            acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), sc, acc0);
        }
    }
    return hsum8(_mm256_add_ps(acc0, acc1)) + corr;
}
T2 static float dot16_avx2_q4_0(const uint8_t *w, qrow x, int nb) { return dot16_avx2(w, x, nb, QT_Q4_0); }
T2 static float dot16_avx2_q4_1(const uint8_t *w, qrow x, int nb) { return dot16_avx2(w, x, nb, QT_Q4_1); }
T2 static float dot16_avx2_q8_0(const uint8_t *w, qrow x, int nb) { return dot16_avx2(w, x, nb, QT_Q8_0); }

// VNNI: dpbusd sums four unsigned x signed byte products into each int32
// lane without saturating, two blocks to a zmm. Q8_0's weights are made
// unsigned by adding 128 (flipping the top bit), taken back through the
// block's input sum like Q4's offset.
T5 static INL __m256i codes_u8(const uint8_t *blk, const int type) {
    if (type == QT_Q8_0) {
        return _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(blk + 2)), _mm256_set1_epi8((char)0x80));
    }
    return nib32(blk + (type == QT_Q4_1 ? 4 : 2));
}

// offset is the block's m: value = dw*code + m.
T5 static INL float offset(const uint8_t *blk, float dw, const int type) {
    return type == QT_Q4_1 ? hf2(blk + 2) : type == QT_Q4_0 ? -8 * dw : -128 * dw;
}

T5 static INL __m512 two_blocks(const uint8_t *w, qrow x, int b, int bs, float *corr, const int type) {
    __m512i wv = _mm512_inserti64x4(_mm512_castsi256_si512(codes_u8(w, type)), codes_u8(w + bs, type), 1);
    __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wv, _mm512_loadu_si512(x.q + 32 * b));
    float d0 = hf2(w), d1 = hf2(w + bs);
    *corr += offset(w, d0, type) * x.s[b] + offset(w + bs, d1, type) * x.s[b + 1];
    __m512 sc = _mm512_insertf32x8(_mm512_set1_ps(d0 * x.d[b]), _mm256_set1_ps(d1 * x.d[b + 1]), 1);
    return _mm512_mul_ps(_mm512_cvtepi32_ps(s), sc);
}

// sixteen_blocks adds blocks [b, b+16) to acc and their offset terms to
// corr, with the scale work in vectors: one gather fetches the 16 blocks'
// first 4 bytes (d, and Q4_1's m), and a permute spreads each pair's
// scales over its lanes.
T5 static INL void sixteen_blocks(const uint8_t *w, qrow x, int b, int bs, __m512 *acc, __m512 *corr, const int type) {
    const __m512i at = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                          _mm512_set1_epi32(bs));
    __m512i g = _mm512_i32gather_epi32(at, w, 1);
    __m512 d = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(g));
    __m512 sc = _mm512_mul_ps(d, _mm512_loadu_ps(x.d + b)), xs = _mm512_loadu_ps(x.s + b);
    if (type == QT_Q4_1) {
        *corr = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(g, 16))), xs, *corr);
    } else { // m = -8*d or -128*d: the factor is applied once at the end
        *corr = _mm512_fmadd_ps(d, xs, *corr);
    }
    __m512i pick = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    for (int k = 0; k < 8; k++, w += 2 * bs) {
        __m512i wv = _mm512_inserti64x4(_mm512_castsi256_si512(codes_u8(w, type)), codes_u8(w + bs, type), 1);
        __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wv, _mm512_loadu_si512(x.q + 32 * (b + 2 * k)));
        acc[k & 1] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_permutexvar_ps(pick, sc), acc[k & 1]);
        pick = _mm512_add_epi32(pick, _mm512_set1_epi32(2));
    }
}

T5 static INL float dot_vnni(const uint8_t *w, qrow x, int nb, const int type) {
    const int bs = type == QT_Q8_0 ? 34 : type == QT_Q4_1 ? 20 : 18;
    __m512 acc2[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()}, corrv = _mm512_setzero_ps();
    int b = 0;
    for (; b + 16 <= nb; b += 16, w += 16 * bs) sixteen_blocks(w, x, b, bs, acc2, &corrv, type);
    float corr = _mm512_reduce_add_ps(corrv) * (type == QT_Q4_1 ? 1 : type == QT_Q4_0 ? -8 : -128);
    __m512 acc0 = acc2[0], acc1 = acc2[1];
    for (; b + 4 <= nb; b += 4, w += 4 * bs) {
        acc0 = _mm512_add_ps(acc0, two_blocks(w, x, b, bs, &corr, type));
        acc1 = _mm512_add_ps(acc1, two_blocks(w + 2 * bs, x, b + 2, bs, &corr, type));
    }
    if (b + 2 <= nb) {
        acc0 = _mm512_add_ps(acc0, two_blocks(w, x, b, bs, &corr, type));
        b += 2, w += 2 * bs;
    }
    float acc = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    if (b < nb) {
        __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), codes_u8(w, type),
                                        _mm256_loadu_si256((const __m256i *)(x.q + 32 * b)));
        float dw = hf2(w);
        acc += hsum8(_mm256_cvtepi32_ps(s)) * dw * x.d[b];
        corr += offset(w, dw, type) * x.s[b];
    }
    return acc + corr;
}
T5 static float dot_vnni_q4_0(const uint8_t *w, qrow x, int nb) { return dot_vnni(w, x, nb, QT_Q4_0); }
T5 static float dot_vnni_q4_1(const uint8_t *w, qrow x, int nb) { return dot_vnni(w, x, nb, QT_Q4_1); }
T5 static float dot_vnni_q8_0(const uint8_t *w, qrow x, int nb) { return dot_vnni(w, x, nb, QT_Q8_0); }

// Sixteen-bit inputs: madd_epi16 sums pairs of 16-bit products into int32
// lanes, a block to a zmm, scales taken sixteen blocks at a time as above.
// Q8_0's codes widen signed, so only Q4's offsets need the input sums.
T5 static INL __m512i codes_i16(const uint8_t *blk, const int type) {
    if (type == QT_Q8_0) return _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(blk + 2)));
    return _mm512_cvtepu8_epi16(nib32(blk + (type == QT_Q4_1 ? 4 : 2)));
}

T5 static INL float dot16_avx512(const uint8_t *w, qrow x, int nb, const int type) {
    const int bs = type == QT_Q8_0 ? 34 : type == QT_Q4_1 ? 20 : 18;
    const __m512i at = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                          _mm512_set1_epi32(bs));
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps(), corrv = _mm512_setzero_ps();
    int b = 0;
    for (; b + 16 <= nb; b += 16) {
        const uint8_t *wb = w + (long)b * bs;
        __m512i g = _mm512_i32gather_epi32(at, wb, 1);
        __m512 d = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(g)), xs = _mm512_loadu_ps(x.s + b);
        __m512 sc = _mm512_mul_ps(d, _mm512_loadu_ps(x.d + b));
        if (type == QT_Q4_1) {
            corrv = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(g, 16))), xs, corrv);
        } else if (type == QT_Q4_0) {
            corrv = _mm512_fmadd_ps(d, xs, corrv); // times -8 at the end
        }
        for (int k = 0; k < 16; k += 2) {
            __m512i s0 = _mm512_madd_epi16(codes_i16(wb + k * bs, type), _mm512_loadu_si512(x.q16 + 32 * (b + k)));
            __m512i s1 =
                _mm512_madd_epi16(codes_i16(wb + (k + 1) * bs, type), _mm512_loadu_si512(x.q16 + 32 * (b + k + 1)));
            acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s0), _mm512_permutexvar_ps(_mm512_set1_epi32(k), sc), acc0);
            acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s1), _mm512_permutexvar_ps(_mm512_set1_epi32(k + 1), sc), acc1);
        }
    }
    float r = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) + _mm512_reduce_add_ps(corrv) * (type == QT_Q4_0 ? -8 : 1);
    for (; b < nb; b++) {
        const uint8_t *blk = w + (long)b * bs;
        float d = hf2(blk);
        __m512i s = _mm512_madd_epi16(codes_i16(blk, type), _mm512_loadu_si512(x.q16 + 32 * b));
        r += (float)_mm512_reduce_add_epi32(s) * d * x.d[b];
        if (type != QT_Q8_0) r += offset(blk, d, type) * x.s[b];
    }
    return r;
}
T5 static float dot16_avx512_q4_0(const uint8_t *w, qrow x, int nb) { return dot16_avx512(w, x, nb, QT_Q4_0); }
T5 static float dot16_avx512_q4_1(const uint8_t *w, qrow x, int nb) { return dot16_avx512(w, x, nb, QT_Q4_1); }
T5 static float dot16_avx512_q8_0(const uint8_t *w, qrow x, int nb) { return dot16_avx512(w, x, nb, QT_Q8_0); }

// The same rounding as quantize_block: cvtps2dq rounds to nearest even.
T5 static void quantize_block_avx512(const float *x, int8_t *q, float *d, float *s) {
    __m512 a = _mm512_loadu_ps(x), b = _mm512_loadu_ps(x + 16);
    float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(a), _mm512_abs_ps(b)));
    __m512 id = _mm512_set1_ps(amax > 0 ? 127.0f / amax : 0);
    __m512i qa = _mm512_cvtps_epi32(_mm512_mul_ps(a, id)), qb = _mm512_cvtps_epi32(_mm512_mul_ps(b, id));
    _mm_storeu_si128((__m128i *)q, _mm512_cvtepi32_epi8(qa));
    _mm_storeu_si128((__m128i *)(q + 16), _mm512_cvtepi32_epi8(qb));
    *d = amax / 127.0f;
    *s = *d * (float)_mm512_reduce_add_epi32(_mm512_add_epi32(qa, qb));
}

static int has_avx2(void) {
    __builtin_cpu_init();
    return cpu_has_avx2() && __builtin_cpu_supports("f16c");
}

static int has_vnni(void) {
    return has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vnni");
}
#endif

int quant_path(int want) {
#if defined(__x86_64__)
    if (want >= QP_VNNI && has_vnni()) return QP_VNNI;
    if (want >= QP_AVX2 && has_avx2()) return QP_AVX2;
#endif
    (void)want;
    return QP_SCALAR;
}

static dot_fn pick_dot(int path, int type, int fine) {
    static const dot_fn scalar[3] = {dot_scalar_q4_0, dot_scalar_q4_1, dot_scalar_q8_0};
#if defined(__x86_64__)
    static const dot_fn avx2[3] = {dot_avx2_q4_0, dot_avx2_q4_1, dot_avx2_q8_0};
    static const dot_fn vnni[3] = {dot_vnni_q4_0, dot_vnni_q4_1, dot_vnni_q8_0};
    static const dot_fn fine512[3] = {dot16_avx512_q4_0, dot16_avx512_q4_1, dot16_avx512_q8_0};
    static const dot_fn fine2[3] = {dot16_avx2_q4_0, dot16_avx2_q4_1, dot16_avx2_q8_0};
#endif
    int t = type == QT_Q4_0 ? 0 : type == QT_Q4_1 ? 1 : 2;
    switch (path) {
#if defined(__x86_64__)
    case QP_VNNI:
        return fine ? fine512[t] : vnni[t];
    case QP_AVX2:
        return fine ? fine2[t] : avx2[t];
#endif
    default:
        return scalar[t];
    }
}

enum { QTILE = 16 }; // weight rows per unit of work

typedef struct {
    float *out;
    const float *inp;
    const uint8_t *w;
    const int8_t *xq;
    const int16_t *xq16;
    const float *xd, *xs;
    long row_bytes;
    int N, C, OC, type;
    dot_fn dot;
} qm_args;

// Decoding (N = 1): integer dot products against the quantised input row.
static void qm_row(void *p, int t0, int t1) {
    const qm_args *a = p;
    qrow x = {a->xq, a->xq16, a->xd, a->xs};
    int o1 = t1 * QTILE < a->OC ? t1 * QTILE : a->OC;
    for (int o = t0 * QTILE; o < o1; o++) a->out[o] = a->dot(a->w + o * a->row_bytes, x, a->C / 32);
}

// Prefill (N > 1) is compute-bound and reads each weight row once for all
// input rows, so a tile of weight rows is dequantised to f32 (it stays in
// L2) and multiplied in f32, up to 4 input rows by 4 weight rows in
// registers. The input keeps full precision: the prompt's last position,
// which picks the first token, gets the f32 model's logits.
typedef float v16 __attribute__((vector_size(64)));
typedef float v16u __attribute__((vector_size(64), aligned(4), may_alias));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) float hsum16(const v16 *p) {
    v16 v = *p;
    v8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
           __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    v4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b[0] + b[2]) + (b[1] + b[3]);
}

static inline __attribute__((always_inline)) float hsum8v(const v8 *p) {
    v8 v = *p;
    v4 b = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
    return (b[0] + b[2]) + (b[1] + b[3]);
}

// tile_dot<VL> sets out[i*ldo + j] = x_i . w_j for nr input rows and wr
// weight rows, in vectors of VL floats: 16 suits AVX-512 and SSE, 8 AVX2
// (where GCC spills 16-float vectors split in two).
#define TILE_DOT(NAME, VT, VL, HSUM)                                                                                   \
    static inline __attribute__((always_inline)) void NAME(float *out, long ldo, const float *x, const float *w, int C, \
                                                           const int nr, const int wr) {                              \
        typedef float vu __attribute__((vector_size(VL * 4), aligned(4), may_alias));                                  \
        VT acc[4][4];                                                                                                  \
        for (int i = 0; i < nr; i++)                                                                                   \
            for (int j = 0; j < wr; j++) acc[i][j] = (VT){0};                                                          \
        for (int c = 0; c < C; c += VL) {                                                                              \
            VT wv[4];                                                                                                  \
            for (int j = 0; j < wr; j++) wv[j] = *(const vu *)(w + (long)j * C + c);                                   \
            for (int i = 0; i < nr; i++) {                                                                             \
                VT xv = *(const vu *)(x + (long)i * C + c);                                                            \
                for (int j = 0; j < wr; j++) acc[i][j] += xv * wv[j];                                                  \
            }                                                                                                          \
        }                                                                                                              \
        for (int i = 0; i < nr; i++)                                                                                   \
            for (int j = 0; j < wr; j++) out[i * ldo + j] = HSUM(&acc[i][j]);                                          \
    }
TILE_DOT(tile_dot16, v16, 16, hsum16)
TILE_DOT(tile_dot8, v8, 8, hsum8v)

// deq_rows is quant_dequantize written for the compiler to vectorise (and,
// under an FMA target, fuse): the matmul needs speed, not ggml's rounding.
static inline __attribute__((always_inline)) void deq_rows(float *dst, const uint8_t *w, long nb, const int type,
                                                           float (*half)(const uint8_t *)) {
    int bs = type == QT_Q8_0 ? 34 : type == QT_Q4_1 ? 20 : 18;
    for (long b = 0; b < nb; b++, w += bs, dst += 32) {
        float d = half(w);
        if (type == QT_Q8_0) {
            for (int j = 0; j < 32; j++) dst[j] = (float)(int8_t)w[2 + j] * d;
        } else {
            float m = type == QT_Q4_1 ? half(w + 2) : -8 * d;
            const uint8_t *qs = w + (type == QT_Q4_1 ? 4 : 2);
            for (int j = 0; j < 16; j++) {
                dst[j] = (float)(qs[j] & 15) * d + m;
                dst[j + 16] = (float)(qs[j] >> 4) * d + m;
            }
        }
    }
}

// qm_tiles runs tiles [t0, t1) in vectors of VL floats, NR input rows at a time.
static inline __attribute__((always_inline)) void qm_tiles(const qm_args *a, int t0, int t1, const int VL, const int NR,
                                                           float (*half)(const uint8_t *)) {
    int C = a->C;
    float *wt = malloc((size_t)QTILE * C * sizeof(float));
    for (int t = t0; t < t1; t++) {
        int o0 = t * QTILE, rows = a->OC - o0 < QTILE ? a->OC - o0 : QTILE;
        const uint8_t *w = a->w + o0 * a->row_bytes;
        long nb = (long)rows * (C / 32);
        switch (a->type) {
        case QT_Q4_0:
            deq_rows(wt, w, nb, QT_Q4_0, half);
            break;
        case QT_Q4_1:
            deq_rows(wt, w, nb, QT_Q4_1, half);
            break;
        default:
            deq_rows(wt, w, nb, QT_Q8_0, half);
        }
        for (int n0 = 0; n0 < a->N; n0 += NR) {
            int nr = a->N - n0 < NR ? a->N - n0 : NR;
            const float *x = a->inp + (long)n0 * C;
            float *out = a->out + (long)n0 * a->OC + o0;
            for (int j = 0; j < rows; j += 4) {
                int wr = rows - j < 4 ? rows - j : 4;
                if (wr == 4) { // nr input rows by 4 weight rows; the cases past NR are never taken
                    const float *wj = wt + (long)j * C;
#define TD(NRC)                                                                                                        \
    if (VL == 8) {                                                                                                     \
        tile_dot8(out + j, a->OC, x, wj, C, NRC, 4);                                                                   \
    } else {                                                                                                           \
        tile_dot16(out + j, a->OC, x, wj, C, NRC, 4);                                                                  \
    }
                    if (nr == NR) {
                        TD(NR)
                    } else if (nr == 1) {
                        TD(1)
                    } else if (nr == 2) {
                        TD(2)
                    } else {
                        TD(3)
                    }
#undef TD
                    continue;
                }
                for (int i = 0; i < nr; i++) {
                    for (int k = 0; k < wr; k++) {
                        float *o = out + (long)i * a->OC + j + k;
                        const float *xi = x + (long)i * C, *wk = wt + (long)(j + k) * C;
                        if (VL == 8) {
                            tile_dot8(o, 0, xi, wk, C, 1, 1);
                        } else {
                            tile_dot16(o, 0, xi, wk, C, 1, 1);
                        }
                    }
                }
            }
        }
    }
    free(wt);
}

static void qm_tiles_portable(void *p, int t0, int t1) { qm_tiles(p, t0, t1, 16, 1, h2f); }

#if defined(__x86_64__)
T2 static float hf2_fn(const uint8_t *p) { return hf2(p); }
T2 static void qm_tiles_avx2(void *p, int t0, int t1) { qm_tiles(p, t0, t1, 8, 3, hf2_fn); }
T5 static void qm_tiles_avx512(void *p, int t0, int t1) { qm_tiles(p, t0, t1, 16, 4, hf2_fn); }
#endif

// quantize_row fills row n's codes and per-block scales and sums the way the
// one-row path quantises its input.
static void quantize_row(const float *inp, int C, int fine, int path, int8_t *xq, int16_t *xq16, float *xd, float *xs) {
    for (int b = 0; b < C / 32; b++) {
        if (fine) {
            quantize_block16(inp + 32 * b, xq16 + 32 * b, xd + b, xs + b);
            continue;
        }
#if defined(__x86_64__)
        if (path == QP_VNNI) {
            quantize_block_avx512(inp + 32 * b, xq + 32 * b, xd + b, xs + b);
            continue;
        }
#endif
        quantize_block(inp + 32 * b, xq + 32 * b, xd + b, xs + b);
    }
}

// Rows at once, each as the one-row path computes it: every input row is
// quantised on its own and each weight row, read once and kept in L1, is
// dotted with all of them by the same integer dot. A row's outputs are so
// bit for bit those it gets alone, whatever rows share its call: batched
// decoding gives each sequence what it gets by itself (batch invariance),
// and the weights are read once for the batch.
typedef struct {
    qm_args a;
    long xstride; // bytes of one row's codes
    dotn_fn dotn; // AVX2's several-rows dot (8-bit inputs), or NULL
} qm_rows_args;

static void qm_rows(void *p, int t0, int t1) {
    const qm_rows_args *r = p;
    const qm_args *a = &r->a;
    int nb = a->C / 32;
    int o1 = t1 * QTILE < a->OC ? t1 * QTILE : a->OC;
    float y[DOTN];
    for (int o = t0 * QTILE; o < o1; o++) {
        const uint8_t *wr = a->w + o * a->row_bytes;
        for (int n0 = 0; n0 < a->N; n0 += DOTN) {
            int R = a->N - n0 < DOTN ? a->N - n0 : DOTN;
            qrow x[DOTN];
            for (int i = 0; i < R; i++) {
                long n = n0 + i;
                const int8_t *xq = (const int8_t *)((const char *)a->xq + n * r->xstride);
                x[i] = (qrow){xq, (const int16_t *)xq, a->xd + n * nb, a->xs + n * nb};
            }
            if (r->dotn) {
                r->dotn(wr, x, R, nb, y);
            } else {
                for (int i = 0; i < R; i++) y[i] = a->dot(wr, x[i], nb);
            }
            for (int i = 0; i < R; i++) a->out[(long)(n0 + i) * a->OC + o] = y[i];
        }
    }
}

// pick_dotn is the several-rows dot for path and type, where there is one.
static dotn_fn pick_dotn(int path, int type, int fine) {
#if defined(__x86_64__)
    if (path == QP_AVX2 && !fine) {
        static const dotn_fn avx2[] = {[QT_Q4_0] = dotn_avx2_q4_0, [QT_Q4_1] = dotn_avx2_q4_1, [QT_Q8_0] = dotn_avx2_q8_0};
        return avx2[type];
    }
#endif
    (void)path, (void)type, (void)fine;
    return NULL;
}

void quant_matmul_rows(float *out, const float *inp, const uint8_t *w, int type, int N, int C, int OC, int fine,
                       int nthreads, int path) {
    path = quant_path(path);
    if (N == 1 || (fine && path == QP_SCALAR)) {
        // One row, or the f32 tiles (a scalar CPU's fine path) for every row
        // one at a time: each row again as it runs alone.
        for (int n = 0; n < N; n++)
            quant_matmul_forward(out + (long)n * OC, inp + (long)n * C, w, type, 1, C, OC, fine, nthreads, path);
        return;
    }
    int nb = C / 32;
    long xstride = (long)C * (fine ? 2 : 1);
    float *xd = malloc((size_t)N * (2 * nb * sizeof(float) + xstride)), *xs = xd + (long)N * nb;
    int8_t *xq = (int8_t *)(xs + (long)N * nb);
    for (int n = 0; n < N; n++)
        quantize_row(inp + (long)n * C, C, fine, path, xq + n * xstride, (int16_t *)(xq + n * xstride), xd + (long)n * nb,
                     xs + (long)n * nb);
    qm_rows_args r = {.a = {.out = out, .w = w, .row_bytes = (long)nb * quant_block_bytes(type), .N = N, .C = C, .OC = OC,
                            .type = type, .xq = xq, .xd = xd, .xs = xs, .dot = pick_dot(path, type, fine)},
                      .xstride = xstride, .dotn = pick_dotn(path, type, fine)};
    parallel_for((OC + QTILE - 1) / QTILE, nthreads, 2.0 * QTILE * N * C, qm_rows, &r);
    free(xd);
}

void quant_matmul_forward(float *out, const float *inp, const uint8_t *w, int type, int N, int C, int OC, int fine,
                          int nthreads, int path) {
    path = quant_path(path);
    qm_args a = {.out = out, .inp = inp, .w = w, .row_bytes = (long)(C / 32) * quant_block_bytes(type), .N = N, .C = C,
                 .OC = OC, .type = type};
    int tiles = (OC + QTILE - 1) / QTILE;
    // One row rounded finely takes 16-bit integer products where the CPU has
    // AVX2, else the f32 tiles.
    if (N > 1 || (fine && path == QP_SCALAR)) {
        range_fn fn = qm_tiles_portable;
#if defined(__x86_64__)
        if (path == QP_VNNI) fn = qm_tiles_avx512;
        if (path == QP_AVX2) fn = qm_tiles_avx2;
#endif
        parallel_for(tiles, nthreads, 2.0 * QTILE * N * C, fn, &a);
        return;
    }
    int nb = C / 32;
    float *xd = malloc(2 * nb * sizeof(float) + (size_t)C * (fine ? 2 : 1)), *xs = xd + nb;
    int8_t *xq = (int8_t *)(xs + nb);
    int16_t *xq16 = (int16_t *)xq;
    quantize_row(inp, C, fine, path, xq, xq16, xd, xs);
    a.xq = xq, a.xq16 = xq16, a.xd = xd, a.xs = xs, a.dot = pick_dot(path, type, fine);
    parallel_for(tiles, nthreads, 2.0 * QTILE * C, qm_row, &a);
    free(xd);
}
