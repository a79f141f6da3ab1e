// Causal attention with grouped-query heads, flash-style: a block of query
// rows walks its keys in tiles with an online softmax, so no T x S score
// matrix exists. q/out are [B,T,H,D], k/v [B,S,KVH,D] with S >= T (the first
// S-T keys come from a KV cache): query t sits at position S-T+t. lse [B,H,T]
// keeps each row's log-sum-exp so the backward pass can recompute the
// probabilities instead of storing them. The kernels (attention_simd.c) are
// compiled portable, for AVX2/FMA and for AVX-512, picked at run time.
//
// A query sees keys [lo, p] (see attn_dims): a sliding window or packed
// examples (key_start) raise lo. The kernels walk only the tiles that hold
// such keys, and mask within a tile, so a window or packing costs what it
// computes rather than the whole causal triangle.
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

#define KB 64 // keys per tile
#define QB 64 // query rows per forward item

typedef struct {
    float *out, *lse, *dq, *dk, *dv;
    const float *q, *k, *v, *dout, *o, *lse_in;
    int B, T, S, H, KVH, D, window;
    float scale, cap; // cap: the soft cap, 0 for none
    const int32_t *kstart;
} at_args;

// at_lo is the lowest key query t of batch row b sees; the highest is its
// position S-T+t.
static inline int at_lo(const at_args *a, int b, int t) {
    int p = a->S - a->T + t, lo = a->kstart ? a->kstart[(long)b * a->T + t] : 0;
    return a->window > 0 && p - a->window + 1 > lo ? p - a->window + 1 : lo;
}

static at_args at_make(const attn_dims *d) {
    return (at_args){.B = d->B, .T = d->T, .S = d->S, .H = d->H, .KVH = d->KVH, .D = d->D, .window = d->window,
                     .scale = d->scale != 0 ? d->scale : 1.0f / sqrtf((float)d->D), .cap = d->softcap,
                     .kstart = d->key_start};
}

// at_keys is the number of keys a query sees on average, for the split
// over threads.
static double at_keys(const at_args *a) {
    double keys = a->S - a->T / 2.0 + 1;
    return a->window > 0 && a->window < keys ? a->window : keys;
}

#define AT_SUF scalar
#define AT_TGT
#define PATH MM_SCALAR
#define AT_VB 16
#include "attention_simd.c"
#if defined(__x86_64__)
#define AT_SUF avx2
#define PATH MM_AVX2
#define AT_VB 32
#define AT_TGT __attribute__((target("avx2,fma")))
#include "attention_simd.c"
#define AT_SUF avx512
#define PATH MM_AVX512
#define AT_VB 64
#define AT_TGT __attribute__((target("avx512f,avx2,fma,prefer-vector-width=512")))
#include "attention_simd.c"
#endif

void attention_forward(float *out, float *lse, const float *q, const float *k, const float *v, const attn_dims *d,
                       int nthreads, int path) {
    at_args a = at_make(d);
    a.out = out, a.lse = lse, a.q = q, a.k = k, a.v = v;
    range_fn fn = at_fwd_scalar;
#if defined(__x86_64__)
    switch (matmul_path(path)) {
    case MM_AVX512: fn = at_fwd_avx512; break;
    case MM_AVX2: fn = at_fwd_avx2; break;
    }
#endif
    int nqb = (a.T + QB - 1) / QB;
    parallel_for(a.B * a.H * nqb, nthreads, 4.0 * a.D * QB * at_keys(&a), fn, &a);
}

void attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *q, const float *k, const float *v,
                        const float *out, const float *lse, const attn_dims *d, int nthreads, int path) {
    at_args a = at_make(d);
    a.dq = dq, a.dk = dk, a.dv = dv, a.dout = dout, a.q = q, a.k = k, a.v = v, a.o = out, a.lse_in = lse;
    range_fn fn = at_bwd_scalar;
#if defined(__x86_64__)
    switch (matmul_path(path)) {
    case MM_AVX512: fn = at_bwd_avx512; break;
    case MM_AVX2: fn = at_bwd_avx2; break;
    }
#endif
    parallel_for(a.B * a.KVH, nthreads, 10.0 * a.D * a.T * at_keys(&a) * (a.H / a.KVH), fn, &a);
}
