// AdamW (decoupled weight decay, as torch.optim.AdamW): step counts from 1.
// It runs once a step over every trainable parameter, memory-bound, so the
// loop must be vectorised: cgo refuses -fno-math-errno, and with errno
// sqrtf keeps a branch that stops the compiler vectorising it, so the
// AVX2 and AVX-512 loops take the square root by intrinsic.
#include <math.h>
#include "kernels.h"

typedef struct {
    float *params, *m, *v;
    const float *grads;
    float lr, beta1, beta2, eps, wd, bc1, bc2;
    int path;
} aw_args;

static void aw_scalar(aw_args *a, int i0, int i1) {
    for (int i = i0; i < i1; i++) {
        float g = a->grads[i];
        float m = a->m[i] = a->beta1 * a->m[i] + (1 - a->beta1) * g;
        float v = a->v[i] = a->beta2 * a->v[i] + (1 - a->beta2) * g * g;
        a->params[i] -= a->lr * ((m / a->bc1) / (sqrtf(v / a->bc2) + a->eps) + a->wd * a->params[i]);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

// The scalar loop a vector at a time, on GCC's vector operators.
#define AW(SUF, TGT, V, VL, load, store, vsqrt)                                                  \
    TGT static void aw_##SUF(aw_args *a, int i0, int i1) {                                       \
        int i = i0;                                                                              \
        for (; i + VL <= i1; i += VL) {                                                          \
            V g = load(a->grads + i), p = load(a->params + i);                                   \
            V m = a->beta1 * load(a->m + i) + (1 - a->beta1) * g;                                \
            V v = a->beta2 * load(a->v + i) + (1 - a->beta2) * g * g;                            \
            store(a->m + i, m);                                                                  \
            store(a->v + i, v);                                                                  \
            store(a->params + i, p - a->lr * ((m / a->bc1) / (vsqrt(v / a->bc2) + a->eps) + a->wd * p)); \
        }                                                                                        \
        aw_scalar(a, i, i1);                                                                     \
    }
AW(avx2, __attribute__((target("avx2,fma"))), __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_sqrt_ps)
AW(avx512, __attribute__((target("avx512f,avx2,fma"))), __m512, 16, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_sqrt_ps)
#endif

static void aw_range(void *p, int i0, int i1) {
#if defined(__x86_64__)
    switch (((aw_args *)p)->path) {
    case MM_AVX512: aw_avx512(p, i0, i1); return;
    case MM_AVX2: aw_avx2(p, i0, i1); return;
    }
#endif
    aw_scalar(p, i0, i1);
}

void adamw(float *params, const float *grads, float *m, float *v, int n, float lr, float beta1, float beta2, float eps,
           float wd, int step, int nthreads, int path) {
    aw_args a = {params, m, v, grads, lr, beta1, beta2, eps, wd, 1 - powf(beta1, step), 1 - powf(beta2, step),
                 matmul_path(path)};
    parallel_for(n, nthreads, 12, aw_range, &a);
}
