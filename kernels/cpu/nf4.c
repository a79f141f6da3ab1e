// Matmul against an NF4-quantised PyTorch Linear weight w [OC, C]:
// out[n,o] = sum_c inp[n,c] * w[o,c]. The weight is dequantised a tile at a
// time into a per-thread buffer that stays in cache (4 rows forward, a
// 64-column slab backward), never as a whole f32 matrix. The base of QLoRA
// is frozen, so the backward pass gives the input's gradient only.
#include <stdlib.h>
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

typedef struct {
    float *out, *dinp;
    const float *inp, *dout;
    const nf4_weight *w;
    int N, C, OC, simd;
} nf4_args;

static void dot_rows_scalar(const nf4_args *a, const float *wt, int o, int rows) {
    for (int r = 0; r < rows; r++) {
        const float *wr = wt + (long)r * a->C;
        for (int n = 0; n < a->N; n++) {
            const float *x = a->inp + (long)n * a->C;
            float s = 0;
            for (int c = 0; c < a->C; c++) s += x[c] * wr[c];
            a->out[(long)n * a->OC + o + r] = s;
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// The 4 dequantised rows in wt against every input row, as matmul.c's tile.
__attribute__((target("avx2,fma"))) static void dot_rows_avx2(const nf4_args *a, const float *wt, int o, int rows) {
    int C = a->C, C8 = C & ~7;
    if (rows < 4) {
        for (int r = 0; r < rows; r++) {
            const float *wr = wt + (long)r * C;
            for (int n = 0; n < a->N; n++) {
                const float *x = a->inp + (long)n * C;
                __m256 acc = _mm256_setzero_ps();
                int c = 0;
                for (; c < C8; c += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + c), _mm256_loadu_ps(wr + c), acc);
                float s = hsum8(acc);
                for (; c < C; c++) s += x[c] * wr[c];
                a->out[(long)n * a->OC + o + r] = s;
            }
        }
        return;
    }
    const float *w0 = wt, *w1 = w0 + C, *w2 = w1 + C, *w3 = w2 + C;
    for (int n = 0; n < a->N; n++) {
        const float *x = a->inp + (long)n * C;
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        int c = 0;
        for (; c < C8; c += 8) {
            __m256 xv = _mm256_loadu_ps(x + c);
            s0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w0 + c), s0);
            s1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w1 + c), s1);
            s2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w2 + c), s2);
            s3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w3 + c), s3);
        }
        float r0 = hsum8(s0), r1 = hsum8(s1), r2 = hsum8(s2), r3 = hsum8(s3);
        for (; c < C; c++) r0 += x[c] * w0[c], r1 += x[c] * w1[c], r2 += x[c] * w2[c], r3 += x[c] * w3[c];
        float *y = a->out + (long)n * a->OC + o;
        y[0] = r0, y[1] = r1, y[2] = r2, y[3] = r3;
    }
}

// dx[0:64] += sum_o dout[o] * slab[o, 0:64], the 64 sums held in registers.
__attribute__((target("avx2,fma"))) static void slab_axpy_avx2(float *dx, const float *dout, const float *slab, int OC) {
    __m256 acc[8];
    for (int k = 0; k < 8; k++) acc[k] = _mm256_loadu_ps(dx + 8 * k);
    for (int o = 0; o < OC; o++) {
        __m256 g = _mm256_set1_ps(dout[o]);
        const float *s = slab + (long)o * 64;
        for (int k = 0; k < 8; k++) acc[k] = _mm256_fmadd_ps(g, _mm256_loadu_ps(s + 8 * k), acc[k]);
    }
    for (int k = 0; k < 8; k++) _mm256_storeu_ps(dx + 8 * k, acc[k]);
}
#endif

// Tiles t0..t1 of 4 output rows; the last tile may be short.
static void nf4_fwd(void *p, int t0, int t1) {
    nf4_args *a = p;
    float *wt = malloc(sizeof(float) * 4 * (size_t)a->C);
    for (int t = t0; t < t1; t++) {
        int o = 4 * t, rows = a->OC - o < 4 ? a->OC - o : 4;
        nf4_dequantize(wt, a->w, (long)o * a->C, (long)rows * a->C);
#if defined(__x86_64__)
        if (a->simd) {
            dot_rows_avx2(a, wt, o, rows);
            continue;
        }
#endif
        dot_rows_scalar(a, wt, o, rows);
    }
    free(wt);
}

void nf4_matmul_forward(float *out, const float *inp, const nf4_weight *w, int N, int C, int OC, int nthreads, int simd) {
    nf4_args a = {.out = out, .inp = inp, .w = w, .N = N, .C = C, .OC = OC, .simd = simd && cpu_has_avx2()};
    parallel_for((OC + 3) / 4, nthreads, 8.0 * N * C + 16.0 * C, nf4_fwd, &a);
}

// Column chunks j0..j1 of 64: dequantise w[:, chunk] once into a slab
// [OC, 64], then every input row's gradient for those columns reads it from
// cache. Chunks are disjoint columns of dinp, so threads never share output.
static void nf4_bwd(void *p, int j0, int j1) {
    nf4_args *a = p;
    float *slab = malloc(sizeof(float) * 64 * (size_t)a->OC);
    for (int j = j0; j < j1; j++) {
        int c0 = 64 * j, cw = a->C - c0 < 64 ? a->C - c0 : 64;
        for (int o = 0; o < a->OC; o++) nf4_dequantize(slab + (long)o * 64, a->w, (long)o * a->C + c0, cw);
        for (int n = 0; n < a->N; n++) {
            float *dx = a->dinp + (long)n * a->C + c0;
            const float *g = a->dout + (long)n * a->OC;
#if defined(__x86_64__)
            if (a->simd && cw == 64) {
                slab_axpy_avx2(dx, g, slab, a->OC);
                continue;
            }
#endif
            for (int o = 0; o < a->OC; o++) {
                const float *s = slab + (long)o * 64;
                for (int c = 0; c < cw; c++) dx[c] += g[o] * s[c];
            }
        }
    }
    free(slab);
}

void nf4_matmul_backward(float *dinp, const float *dout, const nf4_weight *w, int N, int C, int OC, int nthreads, int simd) {
    nf4_args a = {.dinp = dinp, .dout = dout, .w = w, .N = N, .C = C, .OC = OC, .simd = simd && cpu_has_avx2()};
    parallel_for((C + 63) / 64, nthreads, 2.0 * N * OC * 64 + 16.0 * OC * 64, nf4_bwd, &a);
}
