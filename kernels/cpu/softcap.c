// Soft-capping as an op (Gemma 2's final logits): y = cap tanh(x/cap) in
// place, and its backward pass from the capped output, dy *= 1 - (y/cap)²,
// so that the uncapped logits need not be kept.
#include "kernels.h"

typedef struct {
    float *x;
    const float *y;
    float cap;
} scap_args;

static void scap_fwd(void *p, int i0, int i1) {
    scap_args *a = p;
    vtanh(a->x + i0, a->x + i0, 1 / a->cap, a->cap, i1 - i0);
}

void softcap_forward(float *x, float cap, int n, int nthreads) {
    scap_args a = {.x = x, .cap = cap};
    parallel_for(n, nthreads, 30, scap_fwd, &a);
}

SIMD_CLONES static void scap_bwd(void *p, int i0, int i1) {
    scap_args *a = p;
    float inv = 1 / a->cap;
    for (int i = i0; i < i1; i++) {
        float t = a->y[i] * inv;
        a->x[i] *= 1 - t * t;
    }
}

void softcap_backward(float *dy, const float *y, float cap, int n, int nthreads) {
    scap_args a = {.x = dy, .y = y, .cap = cap};
    parallel_for(n, nthreads, 4, scap_bwd, &a);
}
