// Dropout with a counter-based mask: element i of a tensor is kept when a
// hash of (seed, i) clears the drop probability, so the mask is a pure
// function of the seed and needs no memory. LoRA's backward pass recomputes
// it from the same seed instead of keeping a mask (or the dropped input)
// per adapted linear — for SmolLM2 at 4×256 tokens that would be ~0.5 GB —
// and a resumed run draws the same masks as an uninterrupted one. The hash
// is 32-bit (murmur3's finaliser over the index mixed with both halves of
// the seed) so that AVX2 vectorises it with vpmulld; kernels/ref has the
// same function in Go, and the test wants their masks bit-identical.
#include "kernels.h"

typedef struct {
    float *out;
    const float *x;
    uint32_t lo, hi, threshold; // keep when hash>>8 >= threshold (a 24-bit fraction)
    float scale;                // 1/(1-p)
    int64_t base;               // the global index of element 0 of this call
} drop_args;

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

SIMD_CLONES static void drop_range(void *p, int i0, int i1) {
    drop_args *a = p;
    for (int i = i0; i < i1; i++) {
        uint32_t idx = (uint32_t)(a->base + i);
        uint32_t h = fmix32(fmix32(idx ^ a->lo) + a->hi);
        a->out[i] = (h >> 8) >= a->threshold ? a->x[i] * a->scale : 0.0f;
    }
}

void dropout(float *out, const float *x, float p, uint64_t seed, int64_t base, int n, int nthreads) {
    drop_args a = {.out = out, .x = x, .lo = (uint32_t)seed, .hi = (uint32_t)(seed >> 32),
                   .threshold = (uint32_t)(p * 16777216.0f), .scale = 1 / (1 - p), .base = base};
    parallel_for(n, nthreads, 4, drop_range, &a);
}
