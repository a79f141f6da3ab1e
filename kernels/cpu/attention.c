// Causal attention with grouped-query heads, flash-style: each query row
// walks its keys in tiles with an online softmax, so no T x S score matrix
// exists. q/out are [B,T,H,D], k/v [B,S,KVH,D] with S >= T (the first S-T
// keys come from a KV cache): query t sits at position S-T+t. lse [B,H,T]
// keeps each row's log-sum-exp so the backward pass can recompute the
// probabilities instead of storing them.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

#define TILE 64

typedef struct {
    float *out, *lse, *dq, *dk, *dv;
    const float *q, *k, *v, *dout, *o, *lse_in;
    int B, T, S, H, KVH, D;
} at_args;

static float dot(const float *a, const float *b, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

// One item per (b, h, t) query row.
static void at_fwd(void *p, int r0, int r1) {
    at_args *a = p;
    int D = a->D, group = a->H / a->KVH;
    float scale = 1.0f / sqrtf((float)D), sc[TILE];
    float *acc = malloc(sizeof(float) * D);
    for (int r = r0; r < r1; r++) {
        int t = r % a->T, h = r / a->T % a->H, b = r / a->T / a->H;
        const float *q = a->q + (((long)b * a->T + t) * a->H + h) * D;
        const float *k = a->k + (long)b * a->S * a->KVH * D + (h / group) * D;
        const float *v = a->v + (long)b * a->S * a->KVH * D + (h / group) * D;
        long stride = (long)a->KVH * D;
        int len = a->S - a->T + t + 1;
        float m = -INFINITY, l = 0;
        memset(acc, 0, sizeof(float) * D);
        for (int s0 = 0; s0 < len; s0 += TILE) {
            int n = len - s0 < TILE ? len - s0 : TILE;
            float mt = m;
            for (int j = 0; j < n; j++) {
                sc[j] = dot(q, k + (s0 + j) * stride, D) * scale;
                if (sc[j] > mt) mt = sc[j];
            }
            float corr = expf(m - mt); // rescale what came before to the new max
            l *= corr;
            for (int i = 0; i < D; i++) acc[i] *= corr;
            for (int j = 0; j < n; j++) {
                float pj = expf(sc[j] - mt);
                const float *vr = v + (s0 + j) * stride;
                l += pj;
                for (int i = 0; i < D; i++) acc[i] += pj * vr[i];
            }
            m = mt;
        }
        float *o = a->out + (((long)b * a->T + t) * a->H + h) * D;
        for (int i = 0; i < D; i++) o[i] = acc[i] / l;
        if (a->lse) a->lse[((long)b * a->H + h) * a->T + t] = m + logf(l);
    }
    free(acc);
}

void attention_forward(float *out, float *lse, const float *q, const float *k, const float *v, int B, int T, int S, int H,
                       int KVH, int D, int nthreads) {
    at_args a = {.out = out, .lse = lse, .q = q, .k = k, .v = v, .B = B, .T = T, .S = S, .H = H, .KVH = KVH, .D = D};
    parallel_for(B * H * T, nthreads, 4.0 * D * (S - T / 2 + 1), at_fwd, &a);
}

// One item per (b, kv head): it owns dk/dv for that head and dq for its
// query heads, so threads never write the same memory.
// With p = softmax row and P = sum(dout*out): ds_j = p_j (dout.v_j - P).
static void at_bwd(void *p, int r0, int r1) {
    at_args *a = p;
    int D = a->D, group = a->H / a->KVH;
    float scale = 1.0f / sqrtf((float)D);
    long stride = (long)a->KVH * D;
    for (int r = r0; r < r1; r++) {
        int kh = r % a->KVH, b = r / a->KVH;
        long kvoff = (long)b * a->S * stride + kh * D;
        for (int h = kh * group; h < (kh + 1) * group; h++) {
            for (int t = 0; t < a->T; t++) {
                long qoff = (((long)b * a->T + t) * a->H + h) * D;
                const float *q = a->q + qoff, *g = a->dout + qoff;
                float *dq = a->dq + qoff;
                float P = dot(g, a->o + qoff, D), lse = a->lse_in[((long)b * a->H + h) * a->T + t];
                int len = a->S - a->T + t + 1;
                for (int s = 0; s < len; s++) {
                    const float *k = a->k + kvoff + s * stride, *v = a->v + kvoff + s * stride;
                    float *dk = a->dk + kvoff + s * stride, *dv = a->dv + kvoff + s * stride;
                    float pj = expf(dot(q, k, D) * scale - lse);
                    float ds = pj * (dot(g, v, D) - P) * scale;
                    for (int i = 0; i < D; i++) {
                        dv[i] += pj * g[i];
                        dq[i] += ds * k[i];
                        dk[i] += ds * q[i];
                    }
                }
            }
        }
    }
}

void attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *q, const float *k, const float *v,
                        const float *out, const float *lse, int B, int T, int S, int H, int KVH, int D, int nthreads) {
    at_args a = {.dq = dq, .dk = dk, .dv = dv, .dout = dout, .q = q, .k = k, .v = v, .o = out, .lse_in = lse,
                 .B = B, .T = T, .S = S, .H = H, .KVH = KVH, .D = D};
    parallel_for(B * KVH, nthreads, 10.0 * D * T * S / 2 * (H / KVH), at_bwd, &a);
}
