// GeGLU's gating (Gemma's MLP): out = gelu_tanh(gate) * up elementwise over
// [N, F], with PyTorch's gelu(approximate="tanh"):
// 0.5 g (1 + tanh(u)), u = sqrt(2/pi) (g + 0.044715 g³).
// Since 0.5 (1 + tanh u) = sigmoid(2u), gelu_tanh(g) = g / (1 + exp(-2u)):
// SwiGLU's form, one vectorised exp and no cancellation near tanh u = -1.
#include "kernels.h"

typedef struct {
    float *out, *dgate, *dup;
    const float *gate, *up, *dout;
} gg_args;

#define CHUNK 256
#define K0 0.7978845608028654f   // sqrt(2/pi)
#define K1 0.035677408136300125f // sqrt(2/pi) * 0.044715

// exps sets e[i] = exp(-2u) for n gates from g.
SIMD_CLONES static inline void gg_exps(float *restrict e, const float *g, int n) {
    float u[CHUNK];
    for (int i = 0; i < n; i++) u[i] = g[i] * (K0 + K1 * g[i] * g[i]);
    vexp(e, u, -2, 0, 1, n);
}

// out may be gate or up: each element is read before it is written.
SIMD_CLONES static void gg_fwd(void *p, int i0, int i1) {
    gg_args *a = p;
    float e[CHUNK];
    for (int c0 = i0; c0 < i1; c0 += CHUNK) {
        int n = i1 - c0 < CHUNK ? i1 - c0 : CHUNK;
        const float *g = a->gate + c0, *u = a->up + c0;
        gg_exps(e, g, n);
        for (int i = 0; i < n; i++) a->out[c0 + i] = g[i] / (1 + e[i]) * u[i];
    }
}

void geglu_forward(float *out, const float *gate, const float *up, int n, int nthreads) {
    gg_args a = {.out = out, .gate = gate, .up = up};
    parallel_for(n, nthreads, 25, gg_fwd, &a);
}

// With s = sigmoid(2u) = 1/(1+e): d gelu/dg = s + 2 g s (1 - s) du/dg, with
// du/dg = K0 + 3 K1 g² and 1 - s = e s, which does not cancel as s nears 1.
// The second term is below 1e-35 past |g| = 10, where s (1 - s) underflows
// while g du/dg may overflow (0 * inf): it takes g clamped to [-10, 10].
SIMD_CLONES static void gg_bwd(void *p, int i0, int i1) {
    gg_args *a = p;
    float e[CHUNK];
    for (int c0 = i0; c0 < i1; c0 += CHUNK) {
        int n = i1 - c0 < CHUNK ? i1 - c0 : CHUNK;
        gg_exps(e, a->gate + c0, n);
        for (int j = 0; j < n; j++) {
            int i = c0 + j;
            float g = a->gate[i], s = 1 / (1 + e[j]), d = a->dout[i], gc = g < -10 ? -10 : g > 10 ? 10 : g;
            a->dgate[i] += d * a->up[i] * (s + 2 * gc * (e[j] * s) * s * (K0 + 3 * K1 * gc * gc));
            a->dup[i] += d * g * s;
        }
    }
}

void geglu_backward(float *dgate, float *dup, const float *dout, const float *gate, const float *up, int n, int nthreads) {
    gg_args a = {.dgate = dgate, .dup = dup, .gate = gate, .up = up, .dout = dout};
    parallel_for(n, nthreads, 35, gg_bwd, &a);
}
