// RoPE with precomputed inverse frequencies: within each head of D, pair i
// (i < D/2) turns by pos * inv_freq[i] and is scaled by mscale (YaRN's
// attention factor, 1 otherwise), as Hugging Face multiplies cos and sin by
// attention_scaling. The pair is (i, i+D/2) in Hugging Face's rotate-half
// layout, (2i, 2i+1) in the interleaved one (Meta's and GPT-J's). The
// backward pass is the transpose: the inverse rotation, times mscale, so
// both share one in-place kernel.
#include <math.h>
#include "kernels.h"

typedef struct {
    float *x;
    const int32_t *pos;
    const double *inv_freq;
    int H, D, interleaved;
    float mscale;
    double sign;
} rope_args;

static void rope_rows(void *p, int n0, int n1) {
    rope_args *a = p;
    int half = a->D / 2;
    // Pair i is (i*step, i*step + off).
    int step = a->interleaved ? 2 : 1, off = a->interleaved ? 1 : half;
    for (int n = n0; n < n1; n++) {
        for (int i = 0; i < half; i++) {
            double ang = a->pos[n] * a->inv_freq[i];
            float c = (float)(a->mscale * cos(ang)), s = (float)(a->sign * a->mscale * sin(ang));
            for (int h = 0; h < a->H; h++) {
                float *v = a->x + ((long)n * a->H + h) * a->D + (long)i * step;
                float x0 = v[0], x1 = v[off];
                v[0] = x0 * c - x1 * s;
                v[off] = x1 * c + x0 * s;
            }
        }
    }
}

static void rope(float *x, const int32_t *pos, int N, int H, int D, const double *inv_freq, float mscale,
                 int interleaved, double sign, int nthreads) {
    rope_args a = {x, pos, inv_freq, H, D, interleaved, mscale, sign};
    parallel_for(N, nthreads, 3.0 * H * D + 20.0 * D, rope_rows, &a);
}

// x is [N, H, D]; pos [N] gives each row's position; inv_freq [D/2].
void rope_forward(float *x, const int32_t *pos, int N, int H, int D, const double *inv_freq, float mscale,
                  int interleaved, int nthreads) {
    rope(x, pos, N, H, D, inv_freq, mscale, interleaved, 1, nthreads);
}

void rope_backward(float *dx, const int32_t *pos, int N, int H, int D, const double *inv_freq, float mscale,
                   int interleaved, int nthreads) {
    rope(dx, pos, N, H, D, inv_freq, mscale, interleaved, -1, nthreads);
}
