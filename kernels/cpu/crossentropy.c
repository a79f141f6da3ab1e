// Softmax cross-entropy over rows of logits [N, V], fused with its gradient.
// The engine feeds it a chunk of rows at a time, so B*T*V logits never exist
// at once; dlogits may alias logits to reuse the chunk's buffer. Rows whose
// target is negative (masked) give loss 0 and gradient 0. dloss scales the
// gradient (1/tokens for a mean loss).
#include <math.h>
#include "kernels.h"

typedef struct {
    float *losses, *dlogits;
    const float *logits;
    const int32_t *targets;
    int V;
    float dloss;
} ce_args;

SIMD_CLONES static void ce_rows(void *p, int n0, int n1) {
    ce_args *a = p;
    for (int n = n0; n < n1; n++) {
        const float *x = a->logits + (long)n * a->V;
        float *dx = a->dlogits ? a->dlogits + (long)n * a->V : 0;
        int y = a->targets[n];
        if (y < 0) {
            a->losses[n] = 0;
            if (dx)
                for (int i = 0; i < a->V; i++) dx[i] = 0;
            continue;
        }
        float m = x[0], xy = x[y]; // read before dx, which may be x, is written
        for (int i = 1; i < a->V; i++) m = x[i] > m ? x[i] : m;
        // With a gradient, exp(x-m) goes straight into dx and is rescaled to
        // softmax * dloss once the sum is known: one pass of exps, not two.
        float sum = vexp(dx, x, 1, -m, 1, a->V), lse = m + logf(sum);
        a->losses[n] = lse - xy;
        if (dx) {
            float s = a->dloss / sum;
            for (int i = 0; i < a->V; i++) dx[i] *= s;
            dx[y] -= a->dloss;
        }
    }
}

void crossentropy(float *losses, float *dlogits, const float *logits, const int32_t *targets, int N, int V, float dloss,
                  int nthreads) {
    ce_args a = {losses, dlogits, logits, targets, V, dloss};
    parallel_for(N, nthreads, 25.0 * V, ce_rows, &a);
}
