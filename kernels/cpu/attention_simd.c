// The attention kernels, written once and included by attention.c per ISA
// with AT_SUF, AT_TGT, AT_VB (its vector bytes) and PATH (its vexp path)
// defined (AT_TGT empty for the portable build). The
// inner loops are all "y[0..n) += a * x[0..n)" over contiguous memory, which
// the compiler vectorises for the target: scores run along a transposed tile
// of keys, outputs and gradients along D. Compiled on its own it is empty.
#ifdef AT_SUF
#define AT_CAT2(a, b) a##_##b
#define AT_CAT(a, b) AT_CAT2(a, b)
#define FN(name) AT_CAT(name, AT_SUF)
#define TGT AT_TGT

// axpy sets y[0..n) += a * x[0..n).
TGT static inline void FN(axpy)(float *restrict y, float a, const float *restrict x, int n) {
    for (int i = 0; i < n; i++) y[i] += a * x[i];
}

// tile_t copies n rows of D (row stride `stride`) transposed into t[D][KB].
TGT static void FN(tile_t)(float *restrict t, const float *restrict x, long stride, int n, int D) {
    for (int j = 0; j < n; j++)
        for (int d = 0; d < D; d++) t[d * KB + j] = x[j * stride + d];
}

// A vector of AT_VB bytes of floats, loadable from any float address.
typedef float FN(vf) __attribute__((vector_size(AT_VB), aligned(4)));

// scores sets s_r[0..KB) = a_r . column j of the transposed tile t, times
// scale, for R rows (s_r = s + r*ss, a_r = a + r*as) at once, so that each
// load of the tile serves them all. Always the whole tile, held in vector
// registers across the loop over D; columns past the tile's keys hold junk
// the callers never read.
TGT static inline __attribute__((always_inline)) void FN(scores)(float *restrict s, long ss, const float *restrict a, long as,
                                                                 const float *restrict t, int D, float scale, const int R) {
    enum { NV = KB * (int)sizeof(float) / AT_VB };
    FN(vf) acc[2][NV];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = (FN(vf)){0};
    for (int d = 0; d < D; d++) {
        const FN(vf) *row = (const FN(vf) *)(t + d * KB);
        float ad[2];
        for (int r = 0; r < R; r++) ad[r] = a[r * as + d] * scale;
        for (int v = 0; v < NV; v++) {
            FN(vf) tv = row[v];
            for (int r = 0; r < R; r++) acc[r][v] += ad[r] * tv;
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) ((FN(vf) *)(s + r * ss))[v] = acc[r][v];
}

// rowacc sets y_r[0..D) += sum_{j<n} c[r*cr + j*cs] * x[j*xs + 0..D) for R
// rows y_r = y + r*ys: rows of a small product held in vector registers, R
// of them sharing each load of x (for the head sizes that are a whole
// number of vectors; D is a constant where it is inlined).
TGT static inline __attribute__((always_inline)) void FN(rowacc)(float *restrict y, long ys, const float *restrict c, long cr,
                                                                 int cs, const float *restrict x, long xs, int n, const int D,
                                                                 const int R) {
    enum { VF = AT_VB / (int)sizeof(float), MAXV = 256 / VF };
    if (D % VF == 0 && D <= 256) {
        const int nv = D / VF;
        FN(vf) acc[2][MAXV];
        for (int r = 0; r < R; r++)
            for (int v = 0; v < nv; v++) acc[r][v] = ((const FN(vf) *)(y + r * ys))[v];
        for (int j = 0; j < n; j++) {
            const FN(vf) *xr = (const FN(vf) *)(x + j * xs);
            float cj[2];
            for (int r = 0; r < R; r++) cj[r] = c[r * cr + j * cs];
            for (int v = 0; v < nv; v++) {
                FN(vf) xv = xr[v];
                for (int r = 0; r < R; r++) acc[r][v] += cj[r] * xv;
            }
        }
        for (int r = 0; r < R; r++)
            for (int v = 0; v < nv; v++) ((FN(vf) *)(y + r * ys))[v] = acc[r][v];
        return;
    }
    for (int r = 0; r < R; r++)
        for (int j = 0; j < n; j++) FN(axpy)(y + r * ys, c[r * cr + j * cs], x + j * xs, D);
}

// softmax_row turns row se's scores [j0, j1) (scaled, not yet capped) into
// exp(score - m) with m its running max, zeroes the rest of its KB columns,
// rescales the row's accumulator ac [D] and its sum *l to the new max, and
// returns the sum of this tile's exps.
TGT static inline __attribute__((always_inline)) void FN(softmax_row)(float *restrict se, int j0, int j1, float cap, float *m, float *l, float *restrict ac,
                                       int D) {
    if (cap != 0) vtanh_path(se + j0, se + j0, 1 / cap, cap, j1 - j0, PATH);
    float mt = *m;
    for (int j = j0; j < j1; j++) mt = se[j] > mt ? se[j] : mt;
    float corr = expf(*m - mt); // rescale what came before to the new max
    for (int d = 0; d < D; d++) ac[d] *= corr;
    float sum = vexp_path(se + j0, se + j0, 1, -mt, 1, j1 - j0, PATH);
    for (int j = 0; j < j0; j++) se[j] = 0; // outside [lo, p]: weigh nothing below
    for (int j = j1; j < KB; j++) se[j] = 0;
    *l = *l * corr + sum;
    *m = mt;
}

// One item per (b, h, block of QB queries): the block walks the tiles of KB
// keys that hold any of its rows' keys, from the lowest lo to the last
// row's position, with an online softmax per query row, two rows at a
// time. Inlined with D a constant for the usual head sizes, so the loops
// over D unroll.
TGT static inline __attribute__((always_inline)) void FN(at_fwd_d)(at_args *a, int r0, int r1, const int D) {
    const int group = a->H / a->KVH, nqb = (a->T + QB - 1) / QB, past = a->S - a->T;
    const long stride = (long)a->KVH * D, qstride = (long)a->H * D;
    float *kt = calloc((long)D * KB + (long)QB * D, sizeof(float)), *acc = kt + (long)D * KB;
    float sc[2 * KB], m[QB], l[QB];
    int lo[QB];
    for (int r = r0; r < r1; r++) {
        int qb = r % nqb, h = r / nqb % a->H, b = r / nqb / a->H;
        int t0 = qb * QB, nq = a->T - t0 < QB ? a->T - t0 : QB, first = INT_MAX;
        const float *k = a->k + (long)b * a->S * stride + (h / group) * D;
        const float *v = a->v + (long)b * a->S * stride + (h / group) * D;
        const float *q = a->q + (((long)b * a->T + t0) * a->H + h) * D;
        for (int i = 0; i < nq; i++) {
            m[i] = -INFINITY, l[i] = 0, lo[i] = at_lo(a, b, t0 + i);
            first = lo[i] < first ? lo[i] : first;
        }
        memset(acc, 0, sizeof(float) * nq * D);
        int keys = past + t0 + nq; // seen by the block's last row
        for (int s0 = first; s0 < keys; s0 += KB) {
            int n = keys - s0 < KB ? keys - s0 : KB;
            FN(tile_t)(kt, k + s0 * stride, stride, n, D);
            for (int i = 0; i < nq; i += 2) {
                int R = nq - i < 2 ? 1 : 2, j0[2], j1[2], jmin = KB, jmax = 0;
                for (int e = 0; e < R; e++) { // the keys of this tile row i+e sees: [j0, j1)
                    j0[e] = lo[i + e] - s0 > 0 ? lo[i + e] - s0 : 0;
                    j1[e] = past + t0 + i + e + 1 - s0 < n ? past + t0 + i + e + 1 - s0 : n;
                    if (j1[e] > j0[e]) jmin = j0[e] < jmin ? j0[e] : jmin, jmax = j1[e] > jmax ? j1[e] : jmax;
                }
                if (jmax == 0) continue; // no key of this tile for either row
                if (R == 2)
                    FN(scores)(sc, KB, q + i * qstride, qstride, kt, D, a->scale, 2);
                else
                    FN(scores)(sc, KB, q + i * qstride, qstride, kt, D, a->scale, 1);
                for (int e = 0; e < R; e++) {
                    if (j1[e] > j0[e])
                        FN(softmax_row)(sc + e * KB, j0[e], j1[e], a->cap, m + i + e, l + i + e, acc + (long)(i + e) * D, D);
                    else
                        for (int j = 0; j < KB; j++) sc[e * KB + j] = 0;
                }
                if (R == 2)
                    FN(rowacc)(acc + (long)i * D, D, sc + jmin, KB, 1, v + (s0 + jmin) * stride, stride, jmax - jmin, D, 2);
                else
                    FN(rowacc)(acc + (long)i * D, D, sc + jmin, KB, 1, v + (s0 + jmin) * stride, stride, jmax - jmin, D, 1);
            }
        }
        for (int i = 0; i < nq; i++) {
            float *o = a->out + (((long)b * a->T + t0 + i) * a->H + h) * D, inv = 1 / l[i];
            for (int d = 0; d < D; d++) o[d] = acc[(long)i * D + d] * inv;
            if (a->lse) a->lse[((long)b * a->H + h) * a->T + t0 + i] = m[i] + logf(l[i]);
        }
    }
    free(kt);
}

// grad_row turns row i's scores pi [j0, j1) (scaled, not yet capped) into
// probabilities p_j = exp(s_j - lse) and its dp_j = dout.v_j into dS:
// ds_j = p_j (dp_j - P) scale, times 1 - tanh² under a soft cap; the rest
// of both rows' KB columns is zeroed.
TGT static inline __attribute__((always_inline)) void FN(grad_row)(float *restrict pi, float *restrict di,
                                                                   const float *restrict dpi, int j0, int j1, float lse,
                                                                   float Pt, float scale, float cap) {
    if (cap != 0) {
        vtanh_path(pi + j0, pi + j0, 1 / cap, cap, j1 - j0, PATH);
        for (int j = j0; j < j1; j++) di[j] = scale * (1 - pi[j] / cap * (pi[j] / cap));
    } else
        for (int j = j0; j < j1; j++) di[j] = scale;
    vexp_path(pi + j0, pi + j0, 1, -lse, 1, j1 - j0, PATH);
    for (int j = j0; j < j1; j++) di[j] *= pi[j] * (dpi[j] - Pt);
    for (int j = 0; j < j0; j++) pi[j] = di[j] = 0; // outside [lo, p]: weigh nothing below
    for (int j = j1; j < KB; j++) pi[j] = di[j] = 0;
}

// One item per (b, kv head): it owns dk/dv for that head and dq for its
// query heads, so threads never write the same memory. For each tile of KB
// keys and block of BQ queries that see any of them it forms P and dS
// (ds_j = p_j (dout.v_j - P) with P = dout.out) and then the three small
// products dQ += dS K, dK += dSᵀ Q, dV += Pᵀ dO, two rows at a time in
// registers, over the tile's columns some row of the block sees.
#define BQ 32
TGT static inline __attribute__((always_inline)) void FN(at_bwd_d)(at_args *a, int r0, int r1, const int D) {
    const int group = a->H / a->KVH, past = a->S - a->T;
    const long stride = (long)a->KVH * D, qstride = (long)a->H * D;
    float *kt = calloc(2L * D * KB + (long)group * a->T + 3L * BQ * KB, sizeof(float));
    float *vt = kt + (long)D * KB, *P = vt + (long)D * KB, *pm = P + (long)group * a->T, *dsm = pm + BQ * KB, *dp = dsm + BQ * KB;
    int *lo = malloc(sizeof(int) * (2L * a->T + 1)), *lomin = lo + a->T; // lomin[t]: the least lo of queries t..T-1
    for (int r = r0; r < r1; r++) {
        int kh = r % a->KVH, b = r / a->KVH;
        long kv = (long)b * a->S * stride + kh * D;
        lomin[a->T] = INT_MAX;
        for (int t = a->T - 1; t >= 0; t--) {
            lo[t] = at_lo(a, b, t);
            lomin[t] = lo[t] < lomin[t + 1] ? lo[t] : lomin[t + 1];
        }
        for (int g = 0; g < group; g++)
            for (int t = 0; t < a->T; t++) {
                long o = (((long)b * a->T + t) * a->H + kh * group + g) * D;
                float s = 0;
                for (int d = 0; d < D; d++) s += a->dout[o + d] * a->o[o + d];
                P[g * a->T + t] = s;
            }
        for (int s0 = lomin[0]; s0 < a->S; s0 += KB) {
            int n = a->S - s0 < KB ? a->S - s0 : KB;
            // Queries that may see keys [s0, s0+n): from the first at or past
            // s0 to the last whose window reaches s0+n-1.
            int tbeg = s0 - past > 0 ? s0 - past : 0, tend = a->T;
            if (a->window > 0 && s0 + n - 1 + a->window - past < tend) tend = s0 + n - 1 + a->window - past;
            const float *k = a->k + kv + s0 * stride, *v = a->v + kv + s0 * stride;
            float *dk = a->dk + kv + s0 * stride, *dv = a->dv + kv + s0 * stride;
            FN(tile_t)(kt, k, stride, n, D);
            FN(tile_t)(vt, v, stride, n, D);
            for (int g = 0; g < group; g++) {
                int h = kh * group + g;
                for (int t0 = tbeg; t0 < tend && lomin[t0] < s0 + n; t0 += BQ) {
                    int nq = tend - t0 < BQ ? tend - t0 : BQ, bmin = KB, bmax = 0;
                    long o0 = (((long)b * a->T + t0) * a->H + h) * D;
                    const float *q = a->q + o0, *gr = a->dout + o0;
                    for (int i = 0; i < nq; i += 2) {
                        int R = nq - i < 2 ? 1 : 2, j0[2], j1[2], jmin = KB, jmax = 0;
                        for (int e = 0; e < R; e++) { // the keys of this tile row t0+i+e sees: [j0, j1)
                            int t = t0 + i + e;
                            j0[e] = lo[t] - s0 > 0 ? lo[t] - s0 : 0;
                            j1[e] = past + t + 1 - s0 < n ? past + t + 1 - s0 : n;
                            if (j1[e] > j0[e]) jmin = j0[e] < jmin ? j0[e] : jmin, jmax = j1[e] > jmax ? j1[e] : jmax;
                        }
                        if (jmax == 0) { // neither row sees this tile
                            memset(pm + i * KB, 0, sizeof(float) * R * KB);
                            memset(dsm + i * KB, 0, sizeof(float) * R * KB);
                            continue;
                        }
                        if (R == 2) {
                            FN(scores)(pm + i * KB, KB, q + i * qstride, qstride, kt, D, a->scale, 2);
                            FN(scores)(dp + i * KB, KB, gr + i * qstride, qstride, vt, D, 1, 2);
                        } else {
                            FN(scores)(pm + i * KB, KB, q + i * qstride, qstride, kt, D, a->scale, 1);
                            FN(scores)(dp + i * KB, KB, gr + i * qstride, qstride, vt, D, 1, 1);
                        }
                        for (int e = 0; e < R; e++) {
                            int t = t0 + i + e;
                            float *pi = pm + (i + e) * KB, *di = dsm + (i + e) * KB;
                            if (j1[e] > j0[e])
                                FN(grad_row)(pi, di, dp + (i + e) * KB, j0[e], j1[e], a->lse_in[((long)b * a->H + h) * a->T + t],
                                             P[g * a->T + t], a->scale, a->cap);
                            else
                                for (int j = 0; j < KB; j++) pi[j] = di[j] = 0;
                        }
                        const float *ds = dsm + i * KB + jmin;
                        if (R == 2)
                            FN(rowacc)(a->dq + o0 + i * qstride, qstride, ds, KB, 1, k + jmin * stride, stride, jmax - jmin, D, 2);
                        else
                            FN(rowacc)(a->dq + o0 + i * qstride, qstride, ds, KB, 1, k + jmin * stride, stride, jmax - jmin, D, 1);
                        bmin = jmin < bmin ? jmin : bmin, bmax = jmax > bmax ? jmax : bmax;
                    }
                    int j = bmin;
                    for (; j + 2 <= bmax; j += 2) {
                        FN(rowacc)(dk + j * stride, stride, dsm + j, 1, KB, q, qstride, nq, D, 2);
                        FN(rowacc)(dv + j * stride, stride, pm + j, 1, KB, gr, qstride, nq, D, 2);
                    }
                    for (; j < bmax; j++) {
                        FN(rowacc)(dk + j * stride, stride, dsm + j, 1, KB, q, qstride, nq, D, 1);
                        FN(rowacc)(dv + j * stride, stride, pm + j, 1, KB, gr, qstride, nq, D, 1);
                    }
                }
            }
        }
    }
    free(lo);
    free(kt);
}
#undef BQ

TGT static void FN(at_fwd)(void *p, int r0, int r1) {
    at_args *a = p;
    switch (a->D) {
    case 64: FN(at_fwd_d)(a, r0, r1, 64); break;
    case 128: FN(at_fwd_d)(a, r0, r1, 128); break;
    default: FN(at_fwd_d)(a, r0, r1, a->D);
    }
}

TGT static void FN(at_bwd)(void *p, int r0, int r1) {
    at_args *a = p;
    switch (a->D) {
    case 64: FN(at_bwd_d)(a, r0, r1, 64); break;
    case 128: FN(at_bwd_d)(a, r0, r1, 128); break;
    default: FN(at_bwd_d)(a, r0, r1, a->D);
    }
}

#undef FN
#undef TGT
#undef AT_CAT
#undef AT_CAT2
#endif
#undef AT_SUF
#undef AT_TGT
#undef AT_VB
#undef PATH
