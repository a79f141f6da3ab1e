// exp and tanh over arrays, vectorised: softmax (attention, cross-entropy),
// SiLU and GELU spend most of their time in exp, soft-capping in tanh, and
// libm's are scalar. Cephes' expf: x =
// n ln2 + r with |r| <= ln2/2, a degree-6 polynomial in r, 2^n built in the
// exponent bits; within 2 ulp of expf. Inputs are clamped to [-87.3, 88.3],
// so exp(-inf) gives 1e-38, not 0: callers weigh such terms by 0 anyway.
#include <math.h>
#include "kernels.h"

#define LO -87.3f
#define HI 88.3f
#define LOG2E 1.44269504088896341f
#define C1 0.693359375f
#define C2 -2.12194440e-4f
#define P0 1.9875691500E-4f
#define P1 1.3981999507E-3f
#define P2 8.3334519073E-3f
#define P3 4.1665795894E-2f
#define P4 1.6666665459E-1f
#define P5 5.0000001201E-1f

static float exp1(float x) {
    x = x < LO ? LO : x > HI ? HI : x;
    float n = nearbyintf(x * LOG2E), r = x - n * C1 - n * C2, p = P0;
    p = p * r + P1, p = p * r + P2, p = p * r + P3, p = p * r + P4, p = p * r + P5;
    p = p * r * r + r + 1;
    return ldexpf(p, (int)n);
}

static float vexp_scalar(float *y, const float *x, float sx, float add, float mul, int n) {
    float sum = 0;
    for (int i = 0; i < n; i++) {
        float e = exp1(sx * x[i] + add);
        sum += e;
        if (y) y[i] = mul * e;
    }
    return sum;
}

// tanh as Cephes' tanhf: an odd polynomial below |x| = 0.625, where
// 1 - 2/(exp(2|x|)+1) would lose bits to cancellation, and that formula
// above, where exp's clamp makes it saturate to exactly 1 with no overflow.
#define TH_SMALL 0.625f
#define TH_POLY(z, a) \
    ((((-5.70498872745E-3f * (z) + 2.06390887954E-2f) * (z) - 5.37397155531E-2f) * (z) + 1.33314422036E-1f) * (z) - \
     3.33332819422E-1f) * (z) * (a) + (a)

static float tanh1(float x) {
    float a = fabsf(x), t = a < TH_SMALL ? TH_POLY(a * a, a) : 1 - 2 / (exp1(a + a) + 1);
    return copysignf(t, x);
}

static void vtanh_scalar(float *y, const float *x, float sx, float mul, int n) {
    for (int i = 0; i < n; i++) y[i] = mul * tanh1(sx * x[i]);
}

#if defined(__x86_64__)
#include <immintrin.h>

#define VEXP(SUF, TGT, V, VI, VL, set1, set1i, mul_, add_, fma_, fnma_, min_, max_, round_, cvt, addi, slli, cast, load, store, hsum) \
    TGT static inline V exp_##SUF(V x) {                                                                                      \
        x = min_(max_(x, set1(LO)), set1(HI));                                                                                \
        V n = round_(mul_(x, set1(LOG2E)));                                                                                   \
        V r = fnma_(n, set1(C2), fnma_(n, set1(C1), x));                                                                      \
        V p = fma_(set1(P0), r, set1(P1));                                                                                    \
        p = fma_(p, r, set1(P2)), p = fma_(p, r, set1(P3)), p = fma_(p, r, set1(P4)), p = fma_(p, r, set1(P5));               \
        p = fma_(p, mul_(r, r), add_(r, set1(1)));                                                                            \
        VI e = slli(addi(cvt(n), set1i(127)), 23);                                                                            \
        return mul_(p, cast(e));                                                                                              \
    }                                                                                                                         \
    TGT static float vexp_##SUF(float *y, const float *x, float sx, float add, float mul, int n) {                            \
        V s = set1(0), vsx = set1(sx), vadd = set1(add), vmul = set1(mul);                                                    \
        int i = 0;                                                                                                            \
        for (; i + VL <= n; i += VL) {                                                                                        \
            V e = exp_##SUF(fma_(vsx, load(x + i), vadd));                                                                    \
            s = add_(s, e);                                                                                                   \
            if (y) store(y + i, mul_(vmul, e));                                                                               \
        }                                                                                                                     \
        float sum = hsum(s);                                                                                                  \
        if (i < n) { /* the tail through the same vector code: an element's value never depends on where it sits */        \
            float xb[VL] = {0}, yb[VL];                                                                                       \
            for (int j = i; j < n; j++) xb[j - i] = x[j];                                                                     \
            V e = exp_##SUF(fma_(vsx, load(xb), vadd));                                                                       \
            store(yb, e);                                                                                                     \
            for (int j = i; j < n; j++) {                                                                                     \
                sum += yb[j - i];                                                                                             \
                if (y) y[j] = mul * yb[j - i];                                                                                \
            }                                                                                                                 \
        }                                                                                                                     \
        return sum;                                                                                                           \
    }

// vtanh_SUF is tanh1 a vector at a time, on GCC's vector operators: the
// sign bit is taken off, both branches computed and the lanes picked by mask.
#define VTANH(SUF, TGT, V, VL, load, store)                                                                      \
    TGT static void vtanh_##SUF(float *y, const float *x, float sx, float mul, int n) {                          \
        typedef int VI __attribute__((vector_size(sizeof(V))));                                                  \
        int i = 0;                                                                                               \
        for (; i + VL <= n; i += VL) {                                                                           \
            V u = load(x + i) * sx;                                                                              \
            VI sign = (VI)u & (int)0x80000000u;                                                                  \
            V a = (V)((VI)u ^ sign), z = a * a;                                                                  \
            V big = 1 - 2 / (exp_##SUF(a + a) + 1), small = TH_POLY(z, a);                                       \
            VI m = a < TH_SMALL;                                                                                 \
            VI t = ((VI)small & m) | ((VI)big & ~m);                                                             \
            store(y + i, (V)(t ^ sign) * mul);                                                                   \
        }                                                                                                        \
        if (i < n) { /* the tail padded to a vector, as vexp's */                                                \
            float xb[VL] = {0}, yb[VL];                                                                          \
            for (int j = i; j < n; j++) xb[j - i] = x[j];                                                        \
            vtanh_##SUF(yb, xb, sx, mul, VL);                                                                    \
            for (int j = i; j < n; j++) y[j] = yb[j - i];                                                        \
        }                                                                                                        \
    }

#define R256(v) _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
__attribute__((target("avx2,fma"))) static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
VEXP(avx2, __attribute__((target("avx2,fma"))), __m256, __m256i, 8, _mm256_set1_ps, _mm256_set1_epi32, _mm256_mul_ps,
     _mm256_add_ps, _mm256_fmadd_ps, _mm256_fnmadd_ps, _mm256_min_ps, _mm256_max_ps, R256, _mm256_cvtps_epi32,
     _mm256_add_epi32, _mm256_slli_epi32, _mm256_castsi256_ps, _mm256_loadu_ps, _mm256_storeu_ps, hsum256)
VTANH(avx2, __attribute__((target("avx2,fma"))), __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps)

#define R512(v) _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
VEXP(avx512, __attribute__((target("avx512f,avx2,fma"))), __m512, __m512i, 16, _mm512_set1_ps, _mm512_set1_epi32,
     _mm512_mul_ps, _mm512_add_ps, _mm512_fmadd_ps, _mm512_fnmadd_ps, _mm512_min_ps, _mm512_max_ps, R512,
     _mm512_cvtps_epi32, _mm512_add_epi32, _mm512_slli_epi32, _mm512_castsi512_ps, _mm512_loadu_ps, _mm512_storeu_ps,
     _mm512_reduce_add_ps)
VTANH(avx512, __attribute__((target("avx512f,avx2,fma"))), __m512, 16, _mm512_loadu_ps, _mm512_storeu_ps)
#endif

float vexp_path(float *y, const float *x, float sx, float add, float mul, int n, int path) {
#if defined(__x86_64__)
    switch (matmul_path(path)) {
    case MM_AVX512: return vexp_avx512(y, x, sx, add, mul, n);
    case MM_AVX2: return vexp_avx2(y, x, sx, add, mul, n);
    }
#endif
    return vexp_scalar(y, x, sx, add, mul, n);
}

float vexp(float *y, const float *x, float sx, float add, float mul, int n) {
    return vexp_path(y, x, sx, add, mul, n, MM_BEST);
}

void vtanh_path(float *y, const float *x, float sx, float mul, int n, int path) {
#if defined(__x86_64__)
    switch (matmul_path(path)) {
    case MM_AVX512: vtanh_avx512(y, x, sx, mul, n); return;
    case MM_AVX2: vtanh_avx2(y, x, sx, mul, n); return;
    }
#endif
    vtanh_scalar(y, x, sx, mul, n);
}

void vtanh(float *y, const float *x, float sx, float mul, int n) { vtanh_path(y, x, sx, mul, n, MM_BEST); }
