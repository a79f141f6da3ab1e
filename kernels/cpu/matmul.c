// Matmul against PyTorch Linear weights: out[n,o] = sum_c inp[n,c] * w[o,c],
// inp [N,C], w [OC,C]. Both operands run contiguously along C, so each output
// is a dot product. The SIMD paths (matmul_simd.c, AVX2/FMA and AVX-512F picked
// at run time) register-block several input rows against several weight rows
// and cache-block over weight rows; the backward products are broadcast-FMA
// panels blocked over the reduction. A weight in another format (wsrc) is
// dequantised block by block into the same tiles.
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

typedef struct {
    float *out, *dinp, *dw;
    const float *inp, *w, *dout;
    const wsrc *src; // the weight when w is NULL
    int N, C, OC, add;
} mm_args;

// wblock is rows [o0, o1) of the weight: in place for f32, else dequantised
// into buf, which holds them.
static inline const float *wblock(const float *w, const wsrc *src, float *buf, int o0, int o1, int C) {
    if (!src) return w + (long)o0 * C;
    src->rows(src->w, buf, o0, o1 - o0, C);
    return buf;
}

static void mm_fwd_scalar(void *p, int o0, int o1) {
    mm_args *a = p;
    float *buf = a->src ? malloc(sizeof(float) * (size_t)a->C) : NULL;
    for (int o = o0; o < o1; o++) {
        const float *wr = wblock(a->w, a->src, buf, o, o + 1, a->C);
        for (int n = 0; n < a->N; n++) {
            const float *x = a->inp + (long)n * a->C;
            float s = 0;
            for (int c = 0; c < a->C; c++) s += x[c] * wr[c];
            float *y = a->out + (long)n * a->OC + o;
            *y = a->add ? *y + s : s;
        }
    }
    free(buf);
}

// A product C[i,j] += sum_k A(i,k) * B[k,j] with B and C row-major and
// A(i,k) = a[i*ars + k*aks]: both backward products take this form. With src
// set, B is that weight (b NULL, ldb its row length Ncol).
typedef struct {
    const float *a, *b;
    const wsrc *src;
    float *c;
    long ars, aks, ldb, ldc;
    int M, K, Ncol;
} nn_args;

#if defined(__x86_64__)
#include <immintrin.h>

// AVX2/FMA: 16 ymm registers hold 3x4 forward or 4x3 backward accumulators.
#define MM_SUF avx2
#define MM_TGT "avx2,fma"
#define MM_VT __m256
#define MM_VL 8
#define MM_LD _mm256_loadu_ps
#define MM_ST _mm256_storeu_ps
#define MM_SET1 _mm256_set1_ps
#define MM_FMA _mm256_fmadd_ps
#define MM_ZERO _mm256_setzero_ps
#define MM_HSUM hsum_avx2
#define MM_FNR 3
#define MM_FOR 4
#define MM_BR 4
#define MM_BW 3
__attribute__((target("avx2,fma"))) static inline float hsum_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
enum { FOR_avx2 = MM_FOR, BR_avx2 = MM_BR };
#include "matmul_simd.c"

// AVX-512F: 32 zmm registers hold 4x4 accumulators either way.
#define MM_SUF avx512
#define MM_TGT "avx512f,avx2,fma"
#define MM_VT __m512
#define MM_VL 16
#define MM_LD _mm512_loadu_ps
#define MM_ST _mm512_storeu_ps
#define MM_SET1 _mm512_set1_ps
#define MM_FMA _mm512_fmadd_ps
#define MM_ZERO _mm512_setzero_ps
#define MM_HSUM hsum_avx512
#define MM_FNR 4
#define MM_FOR 4
#define MM_BR 4
#define MM_BW 4
__attribute__((target("avx512f,avx2,fma"))) static inline float hsum_avx512(__m512 v) {
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
enum { FOR_avx512 = MM_FOR, BR_avx512 = MM_BR };
#include "matmul_simd.c"

static int has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && cpu_has_avx2();
}
#endif

// The best path the CPU runs no better than want: MM_BEST asks for the fastest.
int matmul_path(int want) {
#if defined(__x86_64__)
    if (want >= MM_AVX512 && has_avx512()) return MM_AVX512;
    if (want >= MM_AVX2 && cpu_has_avx2()) return MM_AVX2;
#endif
    (void)want;
    return MM_SCALAR;
}

static void nn_run(nn_args *q, int path, int nthreads);

// A short reduction (a LoRA's rank) leaves the dot-product tiles mostly
// horizontal sums: below this C the forward runs as out += inp (wᵀ), with wᵀ
// [C, OC] made once, through the broadcast-FMA panels.
#define SHORT_C 32

static void mm_forward(mm_args *a, int nthreads, int path) {
    int C = a->C, N = a->N, OC = a->OC;
    path = matmul_path(path);
    if (path != MM_SCALAR && C < SHORT_C && a->w) {
        float *wt = malloc(sizeof(float) * (size_t)C * OC);
        for (int o = 0; o < OC; o++)
            for (int c = 0; c < C; c++) wt[(long)c * OC + o] = a->w[(long)o * C + c];
        if (!a->add) memset(a->out, 0, sizeof(float) * (size_t)N * OC);
        nn_args q = {.a = a->inp, .ars = C, .aks = 1, .b = wt, .ldb = OC, .c = a->out, .ldc = OC, .M = N, .K = C, .Ncol = OC};
        nn_run(&q, path, nthreads);
        free(wt);
        return;
    }
    switch (path) {
#if defined(__x86_64__)
    case MM_AVX512:
        parallel_for((OC + FOR_avx512 - 1) / FOR_avx512, nthreads, 2.0 * FOR_avx512 * N * C, mm_fwd_avx512, a);
        return;
    case MM_AVX2:
        parallel_for((OC + FOR_avx2 - 1) / FOR_avx2, nthreads, 2.0 * FOR_avx2 * N * C, mm_fwd_avx2, a);
        return;
#endif
    default:
        parallel_for(OC, nthreads, 2.0 * N * C, mm_fwd_scalar, a);
    }
}

void matmul_forward(float *out, const float *inp, const float *w, int N, int C, int OC, int nthreads, int path) {
    mm_args a = {.out = out, .inp = inp, .w = w, .N = N, .C = C, .OC = OC};
    mm_forward(&a, nthreads, path);
}

void matmul_forward_src(float *out, const float *inp, const float *w, const wsrc *src, int N, int C, int OC, int add,
                        int nthreads, int path) {
    mm_args a = {.out = out, .inp = inp, .w = w, .src = src, .N = N, .C = C, .OC = OC, .add = add};
    mm_forward(&a, nthreads, path);
}

// dinp[n,:] += sum_o dout[n,o] * w[o,:]; rows of dinp are independent. The
// weight goes a block of rows at a time, summed in o order either way.
static void mm_bwd_inp(void *p, int n0, int n1) {
    mm_args *a = p;
    enum { RB = 64 };
    float *buf = a->src ? malloc(sizeof(float) * RB * (size_t)a->C) : NULL;
    for (int o0 = 0; o0 < a->OC; o0 += RB) {
        int o1 = o0 + RB < a->OC ? o0 + RB : a->OC;
        const float *wb = wblock(a->w, a->src, buf, o0, o1, a->C);
        for (int n = n0; n < n1; n++) {
            float *dx = a->dinp + (long)n * a->C;
            for (int o = o0; o < o1; o++) {
                float g = a->dout[(long)n * a->OC + o];
                const float *wr = wb + (long)(o - o0) * a->C;
                for (int c = 0; c < a->C; c++) dx[c] += g * wr[c];
            }
        }
    }
    free(buf);
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

static void nn_run(nn_args *q, int path, int nthreads) {
    switch (path) {
#if defined(__x86_64__)
    case MM_AVX512:
        parallel_for((q->M + BR_avx512 - 1) / BR_avx512, nthreads, 2.0 * BR_avx512 * q->K * q->Ncol, nn_range_avx512, q);
        return;
    case MM_AVX2:
        parallel_for((q->M + BR_avx2 - 1) / BR_avx2, nthreads, 2.0 * BR_avx2 * q->K * q->Ncol, nn_range_avx2, q);
        return;
#endif
    default:
        (void)q, (void)nthreads;
    }
}

// matmul_nn_add sets out[n,:] += inp[n,:K] w for w [K, Ncol] row-major:
// the short-C forward's product with its weight already transposed, so a
// LoRA's B kept as Bᵀ for serving skips the per-call transpose that costs
// a decode step more than the product (rows stay independent).
void matmul_nn_add(float *out, const float *inp, const float *w, int N, int K, int Ncol, int nthreads, int path) {
    path = matmul_path(path);
    if (path == MM_SCALAR) {
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++) {
                float a = inp[(long)n * K + k];
                for (int j = 0; j < Ncol; j++) out[(long)n * Ncol + j] += a * w[(long)k * Ncol + j];
            }
        return;
    }
    nn_args q = {.a = inp, .ars = K, .aks = 1, .b = w, .ldb = Ncol, .c = out, .ldc = Ncol, .M = N, .K = K, .Ncol = Ncol};
    nn_run(&q, path, nthreads);
}

// matmul_backward_src's w may be f32 (src NULL) or src's.
static void bwd_inp(float *dinp, const float *dout, const float *w, const wsrc *src, int N, int C, int OC, int nthreads,
                    int path) {
    if (matmul_path(path) == MM_SCALAR) {
        mm_args a = {.dinp = dinp, .dout = dout, .w = w, .src = src, .N = N, .C = C, .OC = OC};
        parallel_for(N, nthreads, 2.0 * OC * C, mm_bwd_inp, &a);
        return;
    }
    // dinp[n,c] += sum_o dout[n,o] w[o,c]
    nn_args q = {.a = dout, .ars = OC, .aks = 1, .b = w, .src = src, .ldb = C, .c = dinp, .ldc = C, .M = N, .K = OC, .Ncol = C};
    nn_run(&q, matmul_path(path), nthreads);
}

void matmul_backward_src(float *dinp, const float *dout, const wsrc *src, int N, int C, int OC, int nthreads, int path) {
    bwd_inp(dinp, dout, NULL, src, N, C, OC, nthreads, path);
}

// narrow_backward is matmul_backward for a short C (an adapter's B, whose
// rows are the rank long): the broadcast panels would be one vector wide, so
// dinp goes through the forward's dot tiles against wᵀ, and dw is made as
// dwᵀ = inpᵀ dout, whose rows run the length of OC.
static void narrow_backward(float *dinp, float *dw, const float *dout, const float *inp, const float *w, int N, int C, int OC,
                            int nthreads, int path) {
    float *wt = malloc(sizeof(float) * (size_t)C * OC);
    if (dinp) { // dinp[n,c] += sum_o dout[n,o] wt[c,o]
        for (int o = 0; o < OC; o++)
            for (int c = 0; c < C; c++) wt[(long)c * OC + o] = w[(long)o * C + c];
        mm_args a = {.out = dinp, .inp = dout, .w = wt, .N = N, .C = OC, .OC = C, .add = 1};
        mm_forward(&a, nthreads, path);
    }
    if (dw) { // wt becomes dwᵀ[c,o] = sum_n inp[n,c] dout[n,o]
        memset(wt, 0, sizeof(float) * (size_t)C * OC);
        nn_args q = {.a = inp, .ars = 1, .aks = C, .b = dout, .ldb = OC, .c = wt, .ldc = OC, .M = C, .K = N, .Ncol = OC};
        nn_run(&q, path, nthreads);
        for (int o = 0; o < OC; o++)
            for (int c = 0; c < C; c++) dw[(long)o * C + c] += wt[(long)c * OC + o];
    }
    free(wt);
}

void matmul_backward(float *dinp, float *dw, const float *dout, const float *inp, const float *w, int N, int C, int OC,
                     int nthreads, int path) {
    path = matmul_path(path);
    if (path != MM_SCALAR && C < SHORT_C) {
        narrow_backward(dinp, dw, dout, inp, w, N, C, OC, nthreads, path);
        return;
    }
    if (dinp) bwd_inp(dinp, dout, w, NULL, N, C, OC, nthreads, path);
    if (dw && path == MM_SCALAR) {
        mm_args a = {.dw = dw, .dout = dout, .inp = inp, .N = N, .C = C, .OC = OC};
        parallel_for(OC, nthreads, 2.0 * N * C, mm_bwd_w, &a);
    } else if (dw) { // dw[o,c] += sum_n dout[n,o] inp[n,c]; threads split the rows o
        nn_args q = {.a = dout, .ars = 1, .aks = OC, .b = inp, .ldb = C, .c = dw, .ldc = C, .M = OC, .K = N, .Ncol = C};
        nn_run(&q, path, nthreads);
    }
}
