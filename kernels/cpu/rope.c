// RoPE in Hugging Face's rotate-half layout: within each head of D, dimension
// i pairs with i+D/2 and turns by pos * theta^(-2i/D). The backward pass is
// the inverse rotation (the transpose), so both share one in-place kernel.
#include <math.h>
#include <stdlib.h>
#include "kernels.h"

typedef struct {
    float *x;
    const int32_t *pos;
    const double *freq;
    int H, D;
    double sign;
} rope_args;

static void rope_rows(void *p, int n0, int n1) {
    rope_args *a = p;
    int half = a->D / 2;
    for (int n = n0; n < n1; n++) {
        for (int i = 0; i < half; i++) {
            double ang = a->pos[n] * a->freq[i];
            float c = (float)cos(ang), s = (float)(a->sign * sin(ang));
            for (int h = 0; h < a->H; h++) {
                float *v = a->x + ((long)n * a->H + h) * a->D;
                float x0 = v[i], x1 = v[i + half];
                v[i] = x0 * c - x1 * s;
                v[i + half] = x1 * c + x0 * s;
            }
        }
    }
}

static void rope(float *x, const int32_t *pos, int N, int H, int D, float theta, double sign, int nthreads) {
    double *freq = malloc(sizeof(double) * (D / 2 + 1));
    for (int i = 0; i < D / 2; i++) freq[i] = pow(theta, -2.0 * i / D);
    rope_args a = {x, pos, freq, H, D, sign};
    parallel_for(N, nthreads, 3.0 * H * D + 20.0 * D, rope_rows, &a);
    free(freq);
}

// x is [N, H, D]; pos [N] gives each row's position.
void rope_forward(float *x, const int32_t *pos, int N, int H, int D, float theta, int nthreads) {
    rope(x, pos, N, H, D, theta, 1, nthreads);
}

void rope_backward(float *dx, const int32_t *pos, int N, int H, int D, float theta, int nthreads) {
    rope(dx, pos, N, H, D, theta, -1, nthreads);
}
