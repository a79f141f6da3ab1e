// RMSNorm: out = inp / rms(inp) * w, rms over the last dimension C.
// rstd [N] is saved for the backward pass (NULL at inference).
#include <math.h>
#include "kernels.h"

typedef struct {
    float *out, *rstd, *dinp, *dw;
    const float *inp, *w, *dout, *rstd_in;
    int N, C;
    float eps;
} rn_args;

SIMD_CLONES static void rn_fwd(void *p, int n0, int n1) {
    rn_args *a = p;
    for (int n = n0; n < n1; n++) {
        const float *x = a->inp + (long)n * a->C;
        float *y = a->out + (long)n * a->C;
        double ss = 0;
        for (int c = 0; c < a->C; c++) ss += (double)x[c] * x[c];
        float s = (float)(1.0 / sqrt(ss / a->C + a->eps));
        for (int c = 0; c < a->C; c++) y[c] = x[c] * s * a->w[c];
        if (a->rstd) a->rstd[n] = s;
    }
}

void rmsnorm_forward(float *out, float *rstd, const float *inp, const float *w, int N, int C, float eps, int nthreads) {
    rn_args a = {.out = out, .rstd = rstd, .inp = inp, .w = w, .N = N, .C = C, .eps = eps};
    parallel_for(N, nthreads, 4.0 * C, rn_fwd, &a);
}

// With xhat = x*s: dx = s * (g*w - xhat * mean(g*w*xhat)).
SIMD_CLONES static void rn_bwd_inp(void *p, int n0, int n1) {
    rn_args *a = p;
    for (int n = n0; n < n1; n++) {
        const float *x = a->inp + (long)n * a->C, *g = a->dout + (long)n * a->C;
        float *dx = a->dinp + (long)n * a->C, s = a->rstd_in[n];
        double dot = 0;
        for (int c = 0; c < a->C; c++) dot += (double)g[c] * a->w[c] * x[c] * s;
        float m = (float)(dot / a->C);
        for (int c = 0; c < a->C; c++) dx[c] += s * (g[c] * a->w[c] - x[c] * s * m);
    }
}

// dw sums over rows, so split the columns instead.
SIMD_CLONES static void rn_bwd_w(void *p, int c0, int c1) {
    rn_args *a = p;
    for (int n = 0; n < a->N; n++) {
        const float *x = a->inp + (long)n * a->C, *g = a->dout + (long)n * a->C;
        float s = a->rstd_in[n];
        for (int c = c0; c < c1; c++) a->dw[c] += g[c] * x[c] * s;
    }
}

void rmsnorm_backward(float *dinp, float *dw, const float *dout, const float *inp, const float *w, const float *rstd, int N,
                      int C, int nthreads) {
    rn_args a = {.dinp = dinp, .dw = dw, .dout = dout, .inp = inp, .w = w, .rstd_in = rstd, .N = N, .C = C};
    parallel_for(N, nthreads, 6.0 * C, rn_bwd_inp, &a);
    parallel_for(C, nthreads, 3.0 * N, rn_bwd_w, &a);
}
