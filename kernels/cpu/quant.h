// Matmul against weights kept in ggml's (GGUF's) block formats, as a GGUF
// file stores them: a weight [OC, C] is OC rows of C/32 blocks, each a
// half-precision scale (and, for Q4_1, a minimum) and 32 codes.
#ifndef HONE_QUANT_H
#define HONE_QUANT_H
#include <stdint.h>

enum { QT_Q4_0 = 2, QT_Q4_1 = 3, QT_Q8_0 = 8 }; // ggml type numbers (ggml.h)
enum { QP_SCALAR = 0, QP_AVX2 = 1, QP_VNNI = 2, QP_BEST = 3 }; // code paths

// quant_block_bytes is the size of a 32-value block of type, 0 if unknown.
int quant_block_bytes(int type);
// quant_dequantize writes the n values (a multiple of 32) of the blocks at src.
void quant_dequantize(float *dst, const uint8_t *src, int type, long n);
// quant_path is the best path the CPU runs no better than want.
int quant_path(int want);
// quant_matmul_forward sets out[n,o] = sum_c inp[n,c] * w[o,c] for w [OC,C]
// in blocks of type (C a multiple of 32), inp [N,C], out [N,OC]. A single
// input row is quantised to 8 bits a 32-value block first, as llama.cpp
// does, or with fine set to 16 bits; more rows multiply in f32.
void quant_matmul_forward(float *out, const float *inp, const uint8_t *w, int type, int N, int C, int OC, int fine,
                          int nthreads, int path);
// quant_matmul_rows is quant_matmul_forward with every row computed exactly
// as a one-row call computes it (batch invariance), the weights read once.
void quant_matmul_rows(float *out, const float *inp, const uint8_t *w, int type, int N, int C, int OC, int fine,
                       int nthreads, int path);
#endif
