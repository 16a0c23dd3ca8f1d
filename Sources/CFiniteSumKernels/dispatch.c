// Run-time choice of the level; every level computes the same bits (see the header), so the
// choice changes speed only. Without hardware FMA the caller keeps the BLAS path.
#include <stdlib.h>
#include <string.h>
#include "CFiniteSumKernels.h"

#define DECLARE(level) \
    void sgd_fs_weighted_gradient_##level(int, const double *, const double *, int64_t, int64_t, const double *, int64_t, \
                                          const double *, double *); \
    void sgd_fs_exp_##level(const double *, int64_t, double *);

#if defined(__x86_64__)
DECLARE(avx512)
DECLARE(avx2)
static int supported(int level) {
    switch (level) {
    case 1: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case 2: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    default: return 0;
    }
}
static const char *names[] = {"none", "avx2", "avx512"};
#define TOP 2
#elif defined(__aarch64__)
DECLARE(neon)
static int supported(int level) { return level == 1; }
static const char *names[] = {"none", "neon"};
#define TOP 1
#else
static int supported(int level) { (void)level; return 0; }
static const char *names[] = {"none"};
#define TOP 0
#endif

// SGDIFF_FS_KERNEL=none|avx2 lowers the level (for measurements); it never raises it.
static int level(void) {
    static int chosen = -1;
    if (chosen >= 0) return chosen;
    int best = 0;
    for (int l = TOP; l > 0; l--) if (supported(l)) { best = l; break; }
    const char *cap = getenv("SGDIFF_FS_KERNEL");
    if (cap) for (int l = 0; l < best; l++) if (strcmp(cap, names[l]) == 0) { best = l; break; }
    __atomic_store_n(&chosen, best, __ATOMIC_RELAXED);
    return best;
}

int sgd_fs_available(void) { return level() > 0; }
const char *sgd_fs_level_name(void) { return names[level()]; }

int sgd_fs_weighted_gradient_at(int l, int loss, const double *a, const double *y, int64_t n, int64_t p, const double *x,
                                int64_t ld, const double *w, double *g) {
    if (ld <= 0 || ld % 8 != 0 || (loss != sgd_fs_least_squares && loss != sgd_fs_logistic) || l < 1 || l > TOP || !supported(l))
        return -1;
#if defined(__x86_64__)
    if (l == 2) sgd_fs_weighted_gradient_avx512(loss, a, y, n, p, x, ld, w, g);
    else sgd_fs_weighted_gradient_avx2(loss, a, y, n, p, x, ld, w, g);
    return 0;
#elif defined(__aarch64__)
    sgd_fs_weighted_gradient_neon(loss, a, y, n, p, x, ld, w, g);
    return 0;
#else
    (void)a; (void)y; (void)n; (void)p; (void)x; (void)w; (void)g;
    return -1;
#endif
}

int sgd_fs_weighted_gradient(int loss, const double *a, const double *y, int64_t n, int64_t p, const double *x, int64_t ld,
                             const double *w, double *g) {
    return sgd_fs_weighted_gradient_at(level(), loss, a, y, n, p, x, ld, w, g);
}

void sgd_fs_exp(const double *x, int64_t count, double *out) {
#if defined(__x86_64__)
    if (level() == 2) { sgd_fs_exp_avx512(x, count, out); return; }
    if (level() == 1) { sgd_fs_exp_avx2(x, count, out); return; }
#elif defined(__aarch64__)
    if (level() == 1) { sgd_fs_exp_neon(x, count, out); return; }
#endif
    for (int64_t i = 0; i < count; i++) out[i] = x[i] != x[i] ? x[i] : 0.0 / 0.0;
}
