// SwiGLU's gating: out = silu(gate) * up, elementwise over [N, F]; the
// gate/up/down projections are plain matmuls.
#include <math.h>
#include "kernels.h"

typedef struct {
    float *out, *dgate, *dup;
    const float *gate, *up, *dout;
} sw_args;

// The exps go a chunk at a time through vexp into a buffer on the stack.
#define CHUNK 256

SIMD_CLONES static void sw_fwd(void *p, int i0, int i1) {
    sw_args *a = p;
    float e[CHUNK];
    for (int c0 = i0; c0 < i1; c0 += CHUNK) {
        int n = i1 - c0 < CHUNK ? i1 - c0 : CHUNK;
        const float *g = a->gate + c0, *u = a->up + c0;
        vexp(e, g, -1, 0, 1, n);
        for (int i = 0; i < n; i++) a->out[c0 + i] = g[i] / (1 + e[i]) * u[i];
    }
}

void swiglu_forward(float *out, const float *gate, const float *up, int n, int nthreads) {
    sw_args a = {.out = out, .gate = gate, .up = up};
    parallel_for(n, nthreads, 20, sw_fwd, &a);
}

// d silu(g)/dg = sig(g) * (1 + g * (1 - sig(g))).
SIMD_CLONES static void sw_bwd(void *p, int i0, int i1) {
    sw_args *a = p;
    float e[CHUNK];
    for (int c0 = i0; c0 < i1; c0 += CHUNK) {
        int n = i1 - c0 < CHUNK ? i1 - c0 : CHUNK;
        vexp(e, a->gate + c0, -1, 0, 1, n);
        for (int j = 0; j < n; j++) {
            int i = c0 + j;
            float g = a->gate[i], sig = 1 / (1 + e[j]), d = a->dout[i];
            a->dgate[i] += d * a->up[i] * sig * (1 + g * (1 - sig));
            a->dup[i] += d * g * sig;
        }
    }
}

void swiglu_backward(float *dgate, float *dup, const float *dout, const float *gate, const float *up, int n, int nthreads) {
    sw_args a = {.dgate = dgate, .dup = dup, .gate = gate, .up = up, .dout = dout};
    parallel_for(n, nthreads, 30, sw_bwd, &a);
}
