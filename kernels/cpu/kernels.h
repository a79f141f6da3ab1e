// Hone's CPU kernels. Conventions, as in llm.c: row-major float32; forward
// kernels overwrite their outputs; backward kernels ADD into their gradient
// buffers (the caller zeroes them), except RoPE's and soft-capping's, which
// transform in place, and cross-entropy's, which writes dlogits (fused with
// its forward pass).
// nthreads is an upper bound: small problems run on the calling thread.
#ifndef HONE_KERNELS_H
#define HONE_KERNELS_H
#include <stdint.h>

typedef void (*range_fn)(void *ctx, int start, int end);
// parallel_for splits [0, n) statically across up to nthreads OS threads,
// using fewer when each would get under min_work units of work.
void parallel_for(int n, int nthreads, double work_per_item, range_fn fn, void *ctx);

int cpu_has_avx2(void);

// SIMD_CLONES compiles an elementwise kernel for AVX-512, AVX2 and plain
// x86-64 and picks one when the program loads (an ifunc): the loops are
// simple enough for the compiler to vectorise on its own.
#if defined(__x86_64__)
#define SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SIMD_CLONES
#endif

enum { MM_SCALAR = 0, MM_AVX2 = 1, MM_AVX512 = 2, MM_BEST = 3 }; // matmul paths
int matmul_path(int want);

// vexp sets y[i] = mul * exp(sx*x[i] + add) (y may be NULL, or x) and returns
// the sum of the exps: the inner loop of softmax and SiLU, vectorised.
float vexp(float *y, const float *x, float sx, float add, float mul, int n);
float vexp_path(float *y, const float *x, float sx, float add, float mul, int n, int path);
// vtanh sets y[i] = mul * tanh(sx*x[i]) (y may be x): soft-capping, with
// sx = 1/cap and mul = cap. Within a few ulp of tanhf; saturates to +-mul.
void vtanh(float *y, const float *x, float sx, float mul, int n);
void vtanh_path(float *y, const float *x, float sx, float mul, int n, int path);
void matmul_forward(float *out, const float *inp, const float *w, int N, int C, int OC, int nthreads, int path);
// matmul_nn_add sets out [N, Ncol] += inp [N, K] w [K, Ncol] (w not transposed).
void matmul_nn_add(float *out, const float *inp, const float *w, int N, int K, int Ncol, int nthreads, int path);
void matmul_backward(float *dinp, float *dw, const float *dout, const float *inp, const float *w, int N, int C, int OC, int nthreads, int path);

// A weight [OC, C] kept in another format (NF4, bf16): rows writes rows
// [row0, row0+n) of it as f32 into dst. The matmuls below dequantise a
// cache-sized block of rows at a time into the f32 kernels' tiles, so the f32
// weight never exists whole and the quantised one runs at f32 speed.
typedef struct {
    void (*rows)(const void *w, float *dst, int row0, int n, int C);
    const void *w;
} wsrc;
// matmul_forward_src sets out = inp wᵀ, or adds it to out when add is set.
void matmul_forward_src(float *out, const float *inp, const float *w, const wsrc *src, int N, int C, int OC, int add,
                        int nthreads, int path);
// matmul_backward_src adds dinp += dout w: a frozen weight has no gradient.
void matmul_backward_src(float *dinp, const float *dout, const wsrc *src, int N, int C, int OC, int nthreads, int path);
void bf16_rows(const void *w, float *dst, int row0, int n, int C);

// An NF4 weight [OC, C] as bitsandbytes stores it (see backend/model/nf4.go):
// 64-value blocks over the flat weight, two codes a byte (first high), each
// block's absmax double-quantised: code2[qabsmax[b]] * absmax2[b/256] + offset.
typedef struct {
    const uint8_t *packed, *qabsmax;
    const float *absmax2, *code4, *code2; // code4: the 16 NF4 values; code2: the 256-entry absmax map
    float offset;
} nf4_weight;

void nf4_dequantize(float *dst, const nf4_weight *w, long start, long count);
void nf4_rows(const void *w, float *dst, int row0, int n, int C);

void rmsnorm_forward(float *out, float *rstd, const float *inp, const float *w, int N, int C, float eps, int nthreads);
void rmsnorm_backward(float *dinp, float *dw, const float *dout, const float *inp, const float *w, const float *rstd, int N, int C, int nthreads);

void rope_forward(float *x, const int32_t *pos, int N, int H, int D, const double *inv_freq, float mscale,
                  int interleaved, int nthreads);
void rope_backward(float *dx, const int32_t *pos, int N, int H, int D, const double *inv_freq, float mscale,
                   int interleaved, int nthreads);

// Attention's shapes and options: q/out [B,T,H,D], k/v [B,S,KVH,D], S >= T,
// query t at position p = S-T+t. It sees keys j with lo <= j <= p, where lo
// is the highest of key_start[b*T+t] (unless key_start is NULL: packed
// examples) and p-window+1 (unless window is 0). Scores are q.k*scale (0:
// 1/sqrt(D)), then softcap*tanh(score/softcap) unless softcap is 0.
typedef struct {
    int B, T, S, H, KVH, D, window;
    float scale, softcap;
    const int32_t *key_start;
} attn_dims;
void attention_forward(float *out, float *lse, const float *q, const float *k, const float *v, const attn_dims *d,
                       int nthreads, int path);
void attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *q, const float *k, const float *v,
                        const float *out, const float *lse, const attn_dims *d, int nthreads, int path);

void swiglu_forward(float *out, const float *gate, const float *up, int n, int nthreads);
void swiglu_backward(float *dgate, float *dup, const float *dout, const float *gate, const float *up, int n, int nthreads);

// geglu_forward sets out = gelu_tanh(gate) * up (out may be gate or up);
// geglu_backward adds the gradients.
void geglu_forward(float *out, const float *gate, const float *up, int n, int nthreads);
void geglu_backward(float *dgate, float *dup, const float *dout, const float *gate, const float *up, int n, int nthreads);

// softcap_forward sets x = cap tanh(x/cap) in place; softcap_backward turns
// dy into the input's gradient in place, from the capped output y.
void softcap_forward(float *x, float cap, int n, int nthreads);
void softcap_backward(float *dy, const float *y, float cap, int n, int nthreads);
void dropout(float *out, const float *x, float p, uint64_t seed, int64_t base, int n, int nthreads);

// Flat-buffer ops (reduce.c). sum_squares accumulates in float64 over
// fixed blocks, so its result does not depend on nthreads.
double sum_squares(const float *x, int n, int nthreads);
void scale(float *x, float s, int n, int nthreads);
void add(float *out, const float *x, int n, int nthreads);
// add_bias adds b [C] to each row of out [N, C]; bias_backward adds the
// column sums of dout [N, C] into db [C].
void add_bias(float *out, const float *b, int N, int C, int nthreads);
void bias_backward(float *db, const float *dout, int N, int C, int nthreads);

void embedding_forward(float *out, const float *table, const int32_t *tokens, int N, int C);
void embedding_backward(float *dtable, const float *dout, const int32_t *tokens, int N, int C);

void crossentropy(float *losses, float *dlogits, const float *logits, const int32_t *targets, int N, int V, float dloss, int nthreads);

void adamw(float *params, const float *grads, float *m, float *v, int n, float lr, float beta1, float beta2,
           float eps, float wd, int step, int nthreads, int path);
#endif
