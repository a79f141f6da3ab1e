// Matmul against PyTorch Linear weights: out[n,o] = sum_c inp[n,c] * w[o,c],
// inp [N,C], w [OC,C]. Both operands run contiguously along C, so each output
// is a dot product; the AVX2 path keeps a 4-row tile of w hot and streams inp.
#include <string.h>
#include "kernels.h"

typedef struct {
    float *out, *dinp, *dw;
    const float *inp, *w, *dout;
    int N, C, OC;
} mm_args;

static void mm_fwd_scalar(void *p, int o0, int o1) {
    mm_args *a = p;
    for (int o = o0; o < o1; o++) {
        const float *wr = a->w + (long)o * a->C;
        for (int n = 0; n < a->N; n++) {
            const float *x = a->inp + (long)n * a->C;
            float s = 0;
            for (int c = 0; c < a->C; c++) s += x[c] * wr[c];
            a->out[(long)n * a->OC + o] = s;
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// o0..o1 are in units of 4 output rows (the tile), the last tile may be short.
__attribute__((target("avx2,fma"))) static void mm_fwd_avx2(void *p, int t0, int t1) {
    mm_args *a = p;
    int C = a->C, C8 = C & ~7;
    for (int t = t0; t < t1; t++) {
        int o = 4 * t;
        if (o + 4 > a->OC) { // tail rows: one at a time
            for (; o < a->OC; o++) {
                const float *wr = a->w + (long)o * C;
                for (int n = 0; n < a->N; n++) {
                    const float *x = a->inp + (long)n * C;
                    __m256 acc = _mm256_setzero_ps();
                    int c = 0;
                    for (; c < C8; c += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + c), _mm256_loadu_ps(wr + c), acc);
                    float s = hsum(acc);
                    for (; c < C; c++) s += x[c] * wr[c];
                    a->out[(long)n * a->OC + o] = s;
                }
            }
            continue;
        }
        const float *w0 = a->w + (long)o * C, *w1 = w0 + C, *w2 = w1 + C, *w3 = w2 + C;
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
            float r0 = hsum(s0), r1 = hsum(s1), r2 = hsum(s2), r3 = hsum(s3);
            for (; c < C; c++) {
                r0 += x[c] * w0[c], r1 += x[c] * w1[c], r2 += x[c] * w2[c], r3 += x[c] * w3[c];
            }
            float *y = a->out + (long)n * a->OC + o;
            y[0] = r0, y[1] = r1, y[2] = r2, y[3] = r3;
        }
    }
}
#endif

void matmul_forward(float *out, const float *inp, const float *w, int N, int C, int OC, int nthreads, int simd) {
    mm_args a = {.out = out, .inp = inp, .w = w, .N = N, .C = C, .OC = OC};
#if defined(__x86_64__)
    if (simd && cpu_has_avx2()) {
        parallel_for((OC + 3) / 4, nthreads, 8.0 * N * C, mm_fwd_avx2, &a);
        return;
    }
#endif
    (void)simd;
    parallel_for(OC, nthreads, 2.0 * N * C, mm_fwd_scalar, &a);
}

// dinp[n,:] += sum_o dout[n,o] * w[o,:]; rows of dinp are independent.
static void mm_bwd_inp(void *p, int n0, int n1) {
    mm_args *a = p;
    for (int n = n0; n < n1; n++) {
        float *dx = a->dinp + (long)n * a->C;
        for (int o = 0; o < a->OC; o++) {
            float g = a->dout[(long)n * a->OC + o];
            const float *wr = a->w + (long)o * a->C;
            for (int c = 0; c < a->C; c++) dx[c] += g * wr[c];
        }
    }
}

// dw[o,:] += sum_n dout[n,o] * inp[n,:]; rows of dw are independent.
static void mm_bwd_w(void *p, int o0, int o1) {
    mm_args *a = p;
    for (int o = o0; o < o1; o++) {
        float *dwr = a->dw + (long)o * a->C;
        for (int n = 0; n < a->N; n++) {
            float g = a->dout[(long)n * a->OC + o];
            const float *x = a->inp + (long)n * a->C;
            for (int c = 0; c < a->C; c++) dwr[c] += g * x[c];
        }
    }
}

void matmul_backward(float *dinp, float *dw, const float *dout, const float *inp, const float *w, int N, int C, int OC,
                     int nthreads) {
    mm_args a = {.dinp = dinp, .dw = dw, .dout = dout, .inp = inp, .w = w, .N = N, .C = C, .OC = OC};
    if (dinp) parallel_for(N, nthreads, 2.0 * OC * C, mm_bwd_inp, &a);
    if (dw) parallel_for(OC, nthreads, 2.0 * N * C, mm_bwd_w, &a);
}
