// AdamW (decoupled weight decay, as torch.optim.AdamW): step counts from 1.
#include <math.h>
#include "kernels.h"

typedef struct {
    float *params, *m, *v;
    const float *grads;
    float lr, beta1, beta2, eps, wd, bc1, bc2;
} aw_args;

static void aw_range(void *p, int i0, int i1) {
    aw_args *a = p;
    for (int i = i0; i < i1; i++) {
        float g = a->grads[i];
        float m = a->m[i] = a->beta1 * a->m[i] + (1 - a->beta1) * g;
        float v = a->v[i] = a->beta2 * a->v[i] + (1 - a->beta2) * g * g;
        a->params[i] -= a->lr * ((m / a->bc1) / (sqrtf(v / a->bc2) + a->eps) + a->wd * a->params[i]);
    }
}

void adamw(float *params, const float *grads, float *m, float *v, int n, float lr, float beta1, float beta2, float eps,
           float wd, int step, int nthreads) {
    aw_args a = {params, m, v, grads, lr, beta1, beta2, eps, wd, 1 - powf(beta1, step), 1 - powf(beta2, step)};
    parallel_for(n, nthreads, 12, aw_range, &a);
}
