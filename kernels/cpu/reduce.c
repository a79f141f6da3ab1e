// Reductions and elementwise ops over flat buffers that the engine would
// otherwise run in Go loops: the gradient norm's sum of squares, scaling
// (clipping), accumulation and biases. Memory-bound, so they only need to
// be vectorised and split over threads; the compiler vectorises the loops
// for each ISA (SIMD_CLONES).
#include <stdlib.h>
#include "kernels.h"

typedef struct {
    float *out;
    const float *x;
    double *part;
    float s;
    int n, C; // C: row length for the bias ops
} rd_args;

#define SS_BLOCK 65536 // values a partial sum covers: fixed, so the sum is the same on any thread count

// Eight float64 lanes per block, so the compiler vectorises the sum
// without reassociating it (no -ffast-math), then the lanes in order.
SIMD_CLONES static void ss_blocks(void *p, int b0, int b1) {
    rd_args *a = p;
    for (int b = b0; b < b1; b++) {
        const float *x = a->x + (long)b * SS_BLOCK;
        int n = a->n - b * SS_BLOCK < SS_BLOCK ? a->n - b * SS_BLOCK : SS_BLOCK, i = 0;
        double acc[8] = {0}, s = 0;
        for (; i + 8 <= n; i += 8)
            for (int l = 0; l < 8; l++) acc[l] += (double)x[i + l] * x[i + l];
        for (; i < n; i++) s += (double)x[i] * x[i];
        for (int l = 0; l < 8; l++) s += acc[l];
        a->part[b] = s;
    }
}

double sum_squares(const float *x, int n, int nthreads) {
    int nb = (n + SS_BLOCK - 1) / SS_BLOCK;
    double *part = malloc(sizeof(double) * (nb > 0 ? nb : 1)), s = 0;
    rd_args a = {.x = x, .part = part, .n = n};
    parallel_for(nb, nthreads, 2.0 * SS_BLOCK, ss_blocks, &a);
    for (int b = 0; b < nb; b++) s += part[b];
    free(part);
    return s;
}

SIMD_CLONES static void sc_range(void *p, int i0, int i1) {
    rd_args *a = p;
    for (int i = i0; i < i1; i++) a->out[i] *= a->s;
}

void scale(float *x, float s, int n, int nthreads) {
    rd_args a = {.out = x, .s = s};
    parallel_for(n, nthreads, 2, sc_range, &a);
}

SIMD_CLONES static void add_range(void *p, int i0, int i1) {
    rd_args *a = p;
    for (int i = i0; i < i1; i++) a->out[i] += a->x[i];
}

void add(float *out, const float *x, int n, int nthreads) {
    rd_args a = {.out = out, .x = x};
    parallel_for(n, nthreads, 3, add_range, &a);
}

SIMD_CLONES static void bias_rows(void *p, int r0, int r1) {
    rd_args *a = p;
    for (int r = r0; r < r1; r++) {
        float *o = a->out + (long)r * a->C;
        for (int c = 0; c < a->C; c++) o[c] += a->x[c];
    }
}

void add_bias(float *out, const float *b, int N, int C, int nthreads) {
    rd_args a = {.out = out, .x = b, .C = C};
    parallel_for(N, nthreads, 3.0 * C, bias_rows, &a);
}

#define BB_COLS 64 // columns per item: a 256-byte run of each row, summed in float64

SIMD_CLONES static void bias_cols(void *p, int k0, int k1) {
    rd_args *a = p;
    for (int k = k0; k < k1; k++) {
        int c0 = k * BB_COLS, w = a->C - c0 < BB_COLS ? a->C - c0 : BB_COLS;
        double acc[BB_COLS] = {0};
        for (int r = 0; r < a->n; r++) {
            const float *g = a->x + (long)r * a->C + c0;
            for (int j = 0; j < w; j++) acc[j] += g[j];
        }
        for (int j = 0; j < w; j++) a->out[c0 + j] = (float)(a->out[c0 + j] + acc[j]);
    }
}

void bias_backward(float *db, const float *dout, int N, int C, int nthreads) {
    rd_args a = {.out = db, .x = dout, .n = N, .C = C};
    parallel_for((C + BB_COLS - 1) / BB_COLS, nthreads, 2.0 * N * BB_COLS, bias_cols, &a);
}
