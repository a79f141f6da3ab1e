// bf16 weights: the top half of an f32, as Hugging Face checkpoints store
// most models. The matmuls (matmul.c's *_src) widen a block of rows at a time
// into their f32 tiles, so a bf16 base takes half the memory at f32 speed.
#include "kernels.h"

// bf16_rows is the wsrc view of a bf16 weight [OC, C].
void bf16_rows(const void *w, float *dst, int row0, int n, int C) {
    const uint16_t *src = (const uint16_t *)w + (long)row0 * C;
    uint32_t *out = (uint32_t *)dst;
    for (long i = 0; i < (long)n * C; i++) out[i] = (uint32_t)src[i] << 16;
}
