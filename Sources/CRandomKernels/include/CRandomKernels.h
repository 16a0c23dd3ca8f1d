// Philox4x32-10 + Box–Muller and ziggurat fills in C, compiled once per x86-64 instruction-set level and chosen
// at run time (see dispatch.c). Every level runs the same source with the same operation order and
// no FMA contraction (-ffp-contract=off), so every level writes the same bits; RandomnessTests
// compare each level with the Swift reference word for word.
#ifndef SGD_RANDOM_KERNELS_H
#define SGD_RANDOM_KERNELS_H
#include <stdint.h>

/// 0: the compiler's baseline (SSE2 on x86-64; the only level elsewhere), 1: AVX2, 2: AVX-512 (F, DQ, BW, VL).
enum { sgd_rng_levels = 3 };

/// Whether this CPU (and OS) runs `level`.
int sgd_rng_level_supported(int level);
/// The highest supported level, lowered by SGDIFF_RNG_KERNEL=baseline|avx2 if set (read once).
int sgd_rng_default_level(void);
/// The level's name: "baseline", "avx2", "avx512".
const char *sgd_rng_level_name(int level);

/// The key, stream and lane-0 path of a window fill; draws are rows, paths are columns.
typedef struct {
    uint32_t key0, key1, stream;
    uint64_t first_path;
    int64_t padded_lanes, first_draw, draws, stride;
} sgd_rng_window;

/// GaussianStream.fill (Box–Muller, Double): out[j*stride + i] = normal(first_path + i, first_draw + j).
void sgd_rng_box_muller_f64(int level, const sgd_rng_window *w, double *out);
/// The Float fill: one block per four variates (rows 4q..4q+3).
void sgd_rng_box_muller_f32(int level, const sgd_rng_window *w, float *out);
/// Per-lane paths and even first draws (GaussianStream.fill(paths:firstDraws:...)); stride % 8 == 0, draws even.
void sgd_rng_box_muller_f64_lanes(int level, uint32_t key0, uint32_t key1, uint32_t stream, const uint64_t *paths,
                                  const uint64_t *first_draws, int64_t draws, int64_t stride, double *out);
/// GaussianStream.fillBits: raw 64-bit words, block draw/2, high word first.
void sgd_rng_words(int level, const sgd_rng_window *w, uint64_t *out);


/// The ziggurat's tables, owned by Swift (`ZigguratLookup`). Per layer k < 1024 the cell width X[k] 2^-21 and
/// the inner-cell count K[k], interleaved so one load fetches both: `pairs[2k]` = bits of the Double width,
/// `pairs[2k+1]` = K[k]; `packed_float[k]` = bits of the Float width | K[k] << 32. Then X[0...1024], F[0...1024].
typedef struct {
    const uint64_t *pairs;
    const uint64_t *packed_float;
    const double *widths;
    const double *heights;
} sgd_zig_tables;

/// GaussianStream.fill with NormalMethod.ziggurat, Double: one 32-bit word per variate, word draw % 4 of block draw / 4.
void sgd_rng_ziggurat_f64(int level, const sgd_rng_window *w, const sgd_zig_tables *t, double *out);
/// The Float ziggurat fill (the same words, the fast product rounded to Float).
void sgd_rng_ziggurat_f32(int level, const sgd_rng_window *w, const sgd_zig_tables *t, float *out);
/// Per-lane paths and any first draws; stride % 8 == 0.
void sgd_rng_ziggurat_f64_lanes(int level, uint32_t key0, uint32_t key1, uint32_t stream, const uint64_t *paths,
                                const uint64_t *first_draws, int64_t draws, int64_t stride, const sgd_zig_tables *t, double *out);

#endif
