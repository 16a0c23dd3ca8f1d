// Run-time choice of the kernel level. A level is a compilation of body.h, not a different
// algorithm, so the choice changes speed only.
#include <stdlib.h>
#include <string.h>
#include "CRandomKernels.h"

#define DECLARE(level) \
    void sgd_rng_box_muller_f64_##level(const sgd_rng_window *, double *); \
    void sgd_rng_box_muller_f32_##level(const sgd_rng_window *, float *); \
    void sgd_rng_box_muller_f64_lanes_##level(uint32_t, uint32_t, uint32_t, const uint64_t *, const uint64_t *, int64_t, int64_t, double *); \
    void sgd_rng_words_##level(const sgd_rng_window *, uint64_t *); \
    void sgd_rng_ziggurat_f64_##level(const sgd_rng_window *, const sgd_zig_tables *, double *); \
    void sgd_rng_ziggurat_f32_##level(const sgd_rng_window *, const sgd_zig_tables *, float *); \
    void sgd_rng_ziggurat_f64_lanes_##level(uint32_t, uint32_t, uint32_t, const uint64_t *, const uint64_t *, int64_t, int64_t, \
                                            const sgd_zig_tables *, double *);
DECLARE(baseline)
#if defined(__x86_64__)
DECLARE(avx2)
DECLARE(avx512)
#endif

int sgd_rng_level_supported(int level) {
    switch (level) {
    case 0: return 1;
#if defined(__x86_64__)
    // compiler-rt's cpu model checks XGETBV too, so these are false when the OS does not save the registers.
    case 1: return __builtin_cpu_supports("avx2");
    case 2: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
                && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#endif
    default: return 0;
    }
}

const char *sgd_rng_level_name(int level) {
    static const char *names[] = {"baseline", "avx2", "avx512"};
    return level >= 0 && level < sgd_rng_levels ? names[level] : "unknown";
}

static int chosen = -1;

int sgd_rng_default_level(void) {
    // Racing first calls compute the same value, so the unsynchronised store is harmless.
    if (chosen >= 0) return chosen;
    int best = 0;
    for (int level = sgd_rng_levels - 1; level > 0; level--)
        if (sgd_rng_level_supported(level)) { best = level; break; }
    const char *cap = getenv("SGDIFF_RNG_KERNEL");
    if (cap) {
        for (int level = 0; level < best; level++)
            if (strcmp(cap, sgd_rng_level_name(level)) == 0) { best = level; break; }
    }
    __atomic_store_n(&chosen, best, __ATOMIC_RELAXED);
    return best;
}

#if defined(__x86_64__)
#define DISPATCH(level, call_prefix, ...) \
    switch (level) { \
    case 2: call_prefix##_avx512(__VA_ARGS__); return; \
    case 1: call_prefix##_avx2(__VA_ARGS__); return; \
    default: call_prefix##_baseline(__VA_ARGS__); return; \
    }
#else
#define DISPATCH(level, call_prefix, ...) call_prefix##_baseline(__VA_ARGS__);
#endif

// An unsupported level is lowered to the best supported one rather than faulting on SIGILL.
static int usable(int level) { return sgd_rng_level_supported(level) ? level : sgd_rng_default_level(); }

void sgd_rng_box_muller_f64(int level, const sgd_rng_window *w, double *out) { DISPATCH(usable(level), sgd_rng_box_muller_f64, w, out) }
void sgd_rng_box_muller_f32(int level, const sgd_rng_window *w, float *out) { DISPATCH(usable(level), sgd_rng_box_muller_f32, w, out) }
void sgd_rng_box_muller_f64_lanes(int level, uint32_t key0, uint32_t key1, uint32_t stream, const uint64_t *paths,
                                  const uint64_t *first_draws, int64_t draws, int64_t stride, double *out) {
    DISPATCH(usable(level), sgd_rng_box_muller_f64_lanes, key0, key1, stream, paths, first_draws, draws, stride, out)
}
void sgd_rng_words(int level, const sgd_rng_window *w, uint64_t *out) { DISPATCH(usable(level), sgd_rng_words, w, out) }
void sgd_rng_ziggurat_f64(int level, const sgd_rng_window *w, const sgd_zig_tables *t, double *out) {
    DISPATCH(usable(level), sgd_rng_ziggurat_f64, w, t, out)
}
void sgd_rng_ziggurat_f32(int level, const sgd_rng_window *w, const sgd_zig_tables *t, float *out) {
    DISPATCH(usable(level), sgd_rng_ziggurat_f32, w, t, out)
}
void sgd_rng_ziggurat_f64_lanes(int level, uint32_t key0, uint32_t key1, uint32_t stream, const uint64_t *paths,
                                const uint64_t *first_draws, int64_t draws, int64_t stride, const sgd_zig_tables *t, double *out) {
    DISPATCH(usable(level), sgd_rng_ziggurat_f64_lanes, key0, key1, stream, paths, first_draws, draws, stride, t, out)
}
