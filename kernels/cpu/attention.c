// Causal attention with grouped-query heads, flash-style: a block of query
// rows walks its keys in tiles with an online softmax, so no T x S score
// matrix exists. q/out are [B,T,H,D], k/v [B,S,KVH,D] with S >= T (the first
// S-T keys come from a KV cache): query t sits at position S-T+t. lse [B,H,T]
// keeps each row's log-sum-exp so the backward pass can recompute the
// probabilities instead of storing them. The kernels (attention_simd.c) are
// compiled portable, for AVX2/FMA and for AVX-512, picked at run time.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

#define KB 64 // keys per tile
#define QB 64 // query rows per forward item

typedef struct {
    float *out, *lse, *dq, *dk, *dv;
    const float *q, *k, *v, *dout, *o, *lse_in;
    int B, T, S, H, KVH, D;
} at_args;

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

void attention_forward(float *out, float *lse, const float *q, const float *k, const float *v, int B, int T, int S, int H,
                       int KVH, int D, int nthreads, int path) {
    at_args a = {.out = out, .lse = lse, .q = q, .k = k, .v = v, .B = B, .T = T, .S = S, .H = H, .KVH = KVH, .D = D};
    range_fn fn = at_fwd_scalar;
#if defined(__x86_64__)
    switch (matmul_path(path)) {
    case MM_AVX512: fn = at_fwd_avx512; break;
    case MM_AVX2: fn = at_fwd_avx2; break;
    }
#endif
    int nqb = (T + QB - 1) / QB;
    parallel_for(B * H * nqb, nthreads, 4.0 * D * QB * (S - T / 2 + 1), fn, &a);
}

void attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *q, const float *k, const float *v,
                        const float *out, const float *lse, int B, int T, int S, int H, int KVH, int D, int nthreads, int path) {
    at_args a = {.dq = dq, .dk = dk, .dv = dv, .dout = dout, .q = q, .k = k, .v = v, .o = out, .lse_in = lse,
                 .B = B, .T = T, .S = S, .H = H, .KVH = KVH, .D = D};
    range_fn fn = at_bwd_scalar;
#if defined(__x86_64__)
    switch (matmul_path(path)) {
    case MM_AVX512: fn = at_bwd_avx512; break;
    case MM_AVX2: fn = at_bwd_avx2; break;
    }
#endif
    parallel_for(B * KVH, nthreads, 10.0 * D * T * S / 2 * (H / KVH), fn, &a);
}
