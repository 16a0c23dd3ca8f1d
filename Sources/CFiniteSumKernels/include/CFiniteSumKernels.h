// The weighted full-data gradient of a one-output linear model, fused:
//
//     G (p × ld) = Σ_i a_i ⊗ (w_i ⊙ ℓ'(a_iᵀ X, y_i)),    X p × ld, W n × ld, row-major,
//
// the whole of an SME-1 step of least squares or logistic regression (BlockEngine). A row block
// of the design is multiplied by X, turned into its weighted slopes and multiplied back while it
// is in cache, so the design is read from memory once per step instead of twice and nothing of
// size n × ld is written; OpenBLAS 0.3.21 runs these skinny products (ld = 32…64) at half its
// square-matrix rate.
//
// Every element is the same chain of fused multiply-adds in the same order at every level and
// for every ld and column (sums over the features ascending, then over the samples ascending),
// so the result of a path does not depend on which block, thread or level computed it.
#ifndef SGD_FINITE_SUM_KERNELS_H
#define SGD_FINITE_SUM_KERNELS_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { sgd_fs_least_squares = 0, sgd_fs_logistic = 1 };

// 1 if this CPU runs the fused kernel in hardware FMA (x86: AVX2 + FMA or AVX-512; arm64: always).
int sgd_fs_available(void);
// "avx512", "avx2", "neon" or "none".
const char *sgd_fs_level_name(void);

// Requires ld % 8 == 0 and sgd_fs_available(). Returns 0, or -1 if a requirement fails.
int sgd_fs_weighted_gradient(int loss, const double *design, const double *targets, int64_t rows, int64_t features,
                             const double *parameters, int64_t ld, const double *weights, double *gradient);

// The same at a given level (x86: 1 AVX2, 2 AVX-512; arm64: 1), -1 if the CPU lacks it: for the
// test that every level writes the same bits.
int sgd_fs_weighted_gradient_at(int level, int loss, const double *design, const double *targets, int64_t rows, int64_t features,
                                const double *parameters, int64_t ld, const double *weights, double *gradient);

// exp as the fused logistic kernel computes it (Cody–Waite and Taylor to r^12, about 1 ulp;
// arguments clamped to [-708, 708]), for its accuracy test.
void sgd_fs_exp(const double *x, int64_t count, double *out);

#ifdef __cplusplus
}
#endif
#endif
