// The fused kernel, compiled once per level (level_*.c define LEVEL(name) and SGD_FS_ROWS). The
// element order is fixed by the algorithm, not by the level: see the header.
#include <stdint.h>
#include <string.h>

typedef double f64x8 __attribute__((ext_vector_type(8)));
typedef uint64_t u64x8 __attribute__((ext_vector_type(8)));
#define INL static inline __attribute__((always_inline))
#define FMA(a, b, c) __builtin_elementwise_fma((a), (b), (c))

// Samples per row block: its slopes (ROW_BLOCK × 32 doubles) and its rows of the design stay in
// the first two cache levels between the two products.
#define ROW_BLOCK 96

INL f64x8 load8(const double *p) { f64x8 v; memcpy(&v, p, sizeof v); return v; }
INL void store8(double *p, f64x8 v) { memcpy(p, &v, sizeof v); }
INL f64x8 splat(double x) { return (f64x8)(x); }

INL f64x8 fs_exp(f64x8 t) {
    static const double inverse_factorials[13] = {
        1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
        1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600,
    };
    t = __builtin_elementwise_min(__builtin_elementwise_max(t, splat(-708.0)), splat(708.0));
    f64x8 shifted = t * 1.44269504088896338700 + 0x1.8p52;
    f64x8 n = shifted - 0x1.8p52;
    f64x8 r = (t - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
    f64x8 p = splat(inverse_factorials[12]);
    for (int d = 11; d >= 0; d--) p = p * r + inverse_factorials[d];
    u64x8 exponent = ((u64x8)shifted + 1023) << 52;
    return p * (f64x8)exponent;
}

// u ← w (ℓ'(u) ) with ℓ' = u − y (least squares) or σ(u) − y (logistic).
INL f64x8 fs_slope(int loss, f64x8 u, double y, f64x8 w) {
    if (loss == 1) u = 1.0 / (1.0 + fs_exp(-u));
    return w * (u - y);
}

// Slopes of rows r0..r0+rows of the block for columns c..c+8nv: forward products by ROWS rows at a time.
INL void fs_forward(int nv, const double *a, int64_t rows, int64_t p, const double *x, int64_t ld, int64_t c, double *slopes) {
    int64_t r = 0;
    for (; r + SGD_FS_ROWS <= rows; r += SGD_FS_ROWS) {
        f64x8 acc[SGD_FS_ROWS][4];
        for (int q = 0; q < SGD_FS_ROWS; q++) for (int k = 0; k < nv; k++) acc[q][k] = (f64x8){0};
        const double *a0 = a + r * p;
        for (int64_t j = 0; j < p; j++) {
            const double *xr = x + j * ld + c;
            f64x8 xv[4];
            for (int k = 0; k < nv; k++) xv[k] = load8(xr + 8 * k);
            for (int q = 0; q < SGD_FS_ROWS; q++) {
                f64x8 s = splat(a0[q * p + j]);
                for (int k = 0; k < nv; k++) acc[q][k] = FMA(s, xv[k], acc[q][k]);
            }
        }
        for (int q = 0; q < SGD_FS_ROWS; q++) for (int k = 0; k < nv; k++) store8(slopes + (r + q) * 32 + 8 * k, acc[q][k]);
    }
    for (; r < rows; r++) {
        f64x8 acc[4];
        for (int k = 0; k < nv; k++) acc[k] = (f64x8){0};
        const double *a0 = a + r * p;
        for (int64_t j = 0; j < p; j++) {
            f64x8 s = splat(a0[j]);
            for (int k = 0; k < nv; k++) acc[k] = FMA(s, load8(x + j * ld + c + 8 * k), acc[k]);
        }
        for (int k = 0; k < nv; k++) store8(slopes + r * 32 + 8 * k, acc[k]);
    }
}

// G[j, c..] += Σ_r a[r, j] slopes[r, ..] for the block's rows, ROWS features at a time.
INL void fs_backward(int nv, const double *a, int64_t rows, int64_t p, const double *slopes, int64_t ld, int64_t c, double *g) {
    int64_t j = 0;
    for (; j + SGD_FS_ROWS <= p; j += SGD_FS_ROWS) {
        f64x8 acc[SGD_FS_ROWS][4];
        for (int q = 0; q < SGD_FS_ROWS; q++) for (int k = 0; k < nv; k++) acc[q][k] = load8(g + (j + q) * ld + c + 8 * k);
        for (int64_t r = 0; r < rows; r++) {
            f64x8 sv[4];
            for (int k = 0; k < nv; k++) sv[k] = load8(slopes + r * 32 + 8 * k);
            const double *ar = a + r * p + j;
            for (int q = 0; q < SGD_FS_ROWS; q++) {
                f64x8 s = splat(ar[q]);
                for (int k = 0; k < nv; k++) acc[q][k] = FMA(s, sv[k], acc[q][k]);
            }
        }
        for (int q = 0; q < SGD_FS_ROWS; q++) for (int k = 0; k < nv; k++) store8(g + (j + q) * ld + c + 8 * k, acc[q][k]);
    }
    for (; j < p; j++) {
        f64x8 acc[4];
        for (int k = 0; k < nv; k++) acc[k] = load8(g + j * ld + c + 8 * k);
        for (int64_t r = 0; r < rows; r++) {
            f64x8 s = splat(a[r * p + j]);
            for (int k = 0; k < nv; k++) acc[k] = FMA(s, load8(slopes + r * 32 + 8 * k), acc[k]);
        }
        for (int k = 0; k < nv; k++) store8(g + j * ld + c + 8 * k, acc[k]);
    }
}

INL void fs_columns(int nv, int loss, const double *a, const double *y, int64_t rows, int64_t p, const double *x, int64_t ld,
                    const double *w, int64_t c, double *g, double *slopes) {
    fs_forward(nv, a, rows, p, x, ld, c, slopes);
    for (int64_t r = 0; r < rows; r++)
        for (int k = 0; k < nv; k++)
            store8(slopes + r * 32 + 8 * k, fs_slope(loss, load8(slopes + r * 32 + 8 * k), y[r], load8(w + r * ld + c + 8 * k)));
    fs_backward(nv, a, rows, p, slopes, ld, c, g);
}

void LEVEL(sgd_fs_weighted_gradient)(int loss, const double *design, const double *targets, int64_t n, int64_t p,
                                     const double *x, int64_t ld, const double *w, double *g) {
    double slopes[ROW_BLOCK * 32];
    memset(g, 0, sizeof(double) * (size_t)(p * ld));
    for (int64_t i0 = 0; i0 < n; i0 += ROW_BLOCK) {
        int64_t rows = n - i0 < ROW_BLOCK ? n - i0 : ROW_BLOCK;
        const double *a = design + i0 * p;
        int64_t c = 0;
        for (; c + 32 <= ld; c += 32) fs_columns(4, loss, a, targets + i0, rows, p, x, ld, w + i0 * ld, c, g, slopes);
        for (; c < ld; c += 8) fs_columns(1, loss, a, targets + i0, rows, p, x, ld, w + i0 * ld, c, g, slopes);
    }
}

void LEVEL(sgd_fs_exp)(const double *x, int64_t count, double *out) {
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) store8(out + i, fs_exp(load8(x + i)));
    if (i < count) {
        double in[8] = {0}, res[8];
        memcpy(in, x + i, sizeof(double) * (size_t)(count - i));
        store8(res, fs_exp(load8(in)));
        memcpy(out + i, res, sizeof(double) * (size_t)(count - i));
    }
}
