// SwiGLU's gating: out = silu(gate) * up, elementwise over [N, F]; the
// gate/up/down projections are plain matmuls.
#include <math.h>
#include "kernels.h"

typedef struct {
    float *out, *dgate, *dup;
    const float *gate, *up, *dout;
} sw_args;

static void sw_fwd(void *p, int i0, int i1) {
    sw_args *a = p;
    for (int i = i0; i < i1; i++) {
        float g = a->gate[i];
        a->out[i] = g / (1 + expf(-g)) * a->up[i];
    }
}

void swiglu_forward(float *out, const float *gate, const float *up, int n, int nthreads) {
    sw_args a = {.out = out, .gate = gate, .up = up};
    parallel_for(n, nthreads, 20, sw_fwd, &a);
}

// d silu(g)/dg = sig(g) * (1 + g * (1 - sig(g))).
static void sw_bwd(void *p, int i0, int i1) {
    sw_args *a = p;
    for (int i = i0; i < i1; i++) {
        float g = a->gate[i], sig = 1 / (1 + expf(-g)), d = a->dout[i];
        a->dgate[i] += d * a->up[i] * sig * (1 + g * (1 - sig));
        a->dup[i] += d * g * sig;
    }
}

void swiglu_backward(float *dgate, float *dup, const float *dout, const float *gate, const float *up, int n, int nthreads) {
    sw_args a = {.dgate = dgate, .dup = dup, .gate = gate, .up = up, .dout = dout};
    parallel_for(n, nthreads, 30, sw_bwd, &a);
}
