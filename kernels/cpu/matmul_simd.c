// The SIMD matmul kernels, written once and included by matmul.c per ISA with
// MM_SUF, MM_TGT, the vector ops (MM_VT, MM_VL, MM_LD, MM_ST, MM_SET1, MM_FMA,
// MM_ZERO, MM_HSUM) and the register tiles (MM_FNR x MM_FOR forward, MM_BR x
// MM_BW vectors backward) defined. Compiled on its own it is empty.
//
// Every output is summed in one fixed order whatever its tile or thread, so
// results do not depend on the thread count.
#ifdef MM_SUF
#define MM_CAT2(a, b) a##_##b
#define MM_CAT(a, b) MM_CAT2(a, b)
#define FN(name) MM_CAT(name, MM_SUF)
#define TGT __attribute__((target(MM_TGT)))
#define INL __attribute__((always_inline)) inline

// nr x no dot products out[i,j] = x_i . w_j, x_i rows of inp, w_j rows of w.
// With add set the products are added to y instead of stored.
TGT static INL void FN(fwd_tile)(const float *x, const float *w, float *y, int C, int OC, int add, const int nr, const int no) {
    MM_VT acc[MM_FNR][MM_FOR];
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < no; j++) acc[i][j] = MM_ZERO();
    int c = 0, CV = C - C % MM_VL;
    for (; c < CV; c += MM_VL) {
        MM_VT xv[MM_FNR];
        for (int i = 0; i < nr; i++) xv[i] = MM_LD(x + (long)i * C + c);
        for (int j = 0; j < no; j++) {
            MM_VT wv = MM_LD(w + (long)j * C + c);
            for (int i = 0; i < nr; i++) acc[i][j] = MM_FMA(xv[i], wv, acc[i][j]);
        }
    }
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < no; j++) {
            float s = MM_HSUM(acc[i][j]);
            for (int k = c; k < C; k++) s += x[(long)i * C + k] * w[(long)j * C + k];
            y[(long)i * OC + j] = add ? y[(long)i * OC + j] + s : s;
        }
}

// Forward over output-row groups t0..t1 (MM_FOR rows each): a block of w rows
// sized for L2 is reused by every group of MM_FNR input rows, which sit in L1.
TGT static void FN(mm_fwd)(void *p, int t0, int t1) {
    mm_args *a = p;
    int C = a->C, N = a->N, OC = a->OC;
    int ob = (192 * 1024 / 4) / (MM_FOR * C), add = a->add;
    if (ob < 1) ob = 1;
    float *buf = a->src ? malloc(sizeof(float) * (size_t)ob * MM_FOR * C) : NULL;
    for (int b0 = t0; b0 < t1; b0 += ob) {
        int b1 = b0 + ob < t1 ? b0 + ob : t1, o1 = b1 * MM_FOR < OC ? b1 * MM_FOR : OC;
        const float *wb = wblock(a->w, a->src, buf, b0 * MM_FOR, o1, C);
        for (int n = 0; n < N; n += MM_FNR) {
            int nr = N - n < MM_FNR ? N - n : MM_FNR;
            const float *x = a->inp + (long)n * C;
            for (int t = b0; t < b1; t++) {
                int o = t * MM_FOR, no = OC - o < MM_FOR ? OC - o : MM_FOR;
                const float *w = wb + (long)(t - b0) * MM_FOR * C;
                float *y = a->out + (long)n * OC + o;
                if (nr == MM_FNR && no == MM_FOR) {
                    FN(fwd_tile)(x, w, y, C, OC, add, MM_FNR, MM_FOR);
                } else if (no == MM_FOR) {
                    for (int i = 0; i < nr; i++) FN(fwd_tile)(x + (long)i * C, w, y + (long)i * OC, C, OC, add, 1, MM_FOR);
                } else {
                    for (int i = 0; i < nr; i++)
                        for (int j = 0; j < no; j++)
                            FN(fwd_tile)(x + (long)i * C, w + (long)j * C, y + (long)i * OC + j, C, OC, add, 1, 1);
                }
            }
        }
    }
    free(buf);
}

// cm[i, 0..W*VL) += sum_{k<kn} A(i,k) * b[k, 0..W*VL) for i < R, where
// A(i,k) = a[i*ars + k*aks]: R rows x W vectors of accumulators.
TGT static INL void FN(nn_tile)(const float *A, long ars, long aks, const float *b, long ldb, float *cm, long ldc, int kn,
                                const int R, const int W) {
    MM_VT acc[MM_BR][MM_BW];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < W; j++) acc[i][j] = MM_LD(cm + i * ldc + j * MM_VL);
    for (int k = 0; k < kn; k++) {
        MM_VT bv[MM_BW];
        for (int j = 0; j < W; j++) bv[j] = MM_LD(b + k * ldb + j * MM_VL);
        for (int i = 0; i < R; i++) {
            MM_VT av = MM_SET1(A[i * ars + k * aks]);
            for (int j = 0; j < W; j++) acc[i][j] = MM_FMA(av, bv[j], acc[i][j]);
        }
    }
    for (int i = 0; i < R; i++)
        for (int j = 0; j < W; j++) MM_ST(cm + i * ldc + j * MM_VL, acc[i][j]);
}

// The NN product over row groups g0..g1 (MM_BR rows each), blocked over k so a
// k-block x MM_BW-vector panel of b stays in L1 across the groups.
TGT static void FN(nn_range)(void *p, int g0, int g1) {
    nn_args *q = p;
    const int PW = MM_BW * MM_VL, KB = 64;
    float *buf = q->src ? malloc(sizeof(float) * KB * (size_t)q->Ncol) : NULL;
    for (int k0 = 0; k0 < q->K; k0 += KB) {
        // The tiles see rows k0..k1 of b as rows 0..k1-k0 of bk.
        int k1 = k0 + KB < q->K ? k0 + KB : q->K, kn = k1 - k0;
        const float *bk = q->src ? wblock(NULL, q->src, buf, k0, k1, q->Ncol) : q->b + k0 * q->ldb;
        for (int j = 0; j < q->Ncol; j += PW) {
            for (int g = g0; g < g1; g++) {
                int i = g * MM_BR, r = q->M - i < MM_BR ? q->M - i : MM_BR;
                const float *A = q->a + i * q->ars + k0 * q->aks;
                float *cm = q->c + i * q->ldc;
                if (j + PW <= q->Ncol) {
                    if (r == MM_BR) {
                        FN(nn_tile)(A, q->ars, q->aks, bk + j, q->ldb, cm + j, q->ldc, kn, MM_BR, MM_BW);
                    } else {
                        for (int ii = 0; ii < r; ii++)
                            FN(nn_tile)(A + ii * q->ars, q->ars, q->aks, bk + j, q->ldb, cm + ii * q->ldc + j, q->ldc, kn, 1, MM_BW);
                    }
                    continue;
                }
                int jj = j;
                for (; jj + MM_VL <= q->Ncol; jj += MM_VL) {
                    if (r == MM_BR) {
                        FN(nn_tile)(A, q->ars, q->aks, bk + jj, q->ldb, cm + jj, q->ldc, kn, MM_BR, 1);
                    } else {
                        for (int ii = 0; ii < r; ii++)
                            FN(nn_tile)(A + ii * q->ars, q->ars, q->aks, bk + jj, q->ldb, cm + ii * q->ldc + jj, q->ldc, kn, 1, 1);
                    }
                }
                for (int ii = 0; ii < r; ii++)
                    for (int c = jj; c < q->Ncol; c++) {
                        float s = cm[ii * q->ldc + c];
                        for (int k = 0; k < kn; k++) s += A[ii * q->ars + k * q->aks] * bk[k * q->ldb + c];
                        cm[ii * q->ldc + c] = s;
                    }
            }
        }
    }
    free(buf);
}

#undef FN
#undef TGT
#undef INL
#undef MM_CAT
#undef MM_CAT2
#endif

// The parameters are undefined here so that the next inclusion can set them.
#undef MM_SUF
#undef MM_TGT
#undef MM_VT
#undef MM_VL
#undef MM_LD
#undef MM_ST
#undef MM_SET1
#undef MM_FMA
#undef MM_ZERO
#undef MM_HSUM
#undef MM_FNR
#undef MM_FOR
#undef MM_BR
#undef MM_BW
