// The ziggurat fills (NormalMethod.ziggurat), included at the end of body.h so each level compiles
// its own copy. The Swift reference is Sources/Randomness/ZigguratTransform.swift (fast path) and
// ZigguratFallback.swift (slow path); every expression below follows it operation for operation.
#include "gather.h"

#define ZIG_LAYER_MASK 1023u
#define ZIG_LAYER_BITS 10
#define ZIG_STREAM_A 0x80000000u
#define ZIG_STREAM_B 0x40000000u

// Eight variates from eight words (low 32 bits of each lane); *slow marks the lanes whose value is
// a placeholder the fallback must replace.
INL f64x8 zig_fast_f64(u64x8 w, const sgd_zig_tables *t, u64x8 *slow) {
    u64x8 layer = w & ZIG_LAYER_MASK;
    f64x8 scale;
    u64x8 limit;
    lookup_f64(t->pairs, layer, &scale, &limit);
    u64x8 cell = w >> (ZIG_LAYER_BITS + 1);
    f64x8 midpoint = (f64x8)(cell | 0x4330000000000000ull) - (0x1p52 - 0.5);
    u64x8 magnitude = (u64x8)(midpoint * scale);
    *slow = (u64x8)(cell >= limit);
    return (f64x8)(magnitude ^ ((w >> ZIG_LAYER_BITS) << 63));
}

INL f32x8 zig_fast_f32(u64x8 w, const sgd_zig_tables *t, u32x8 *slow) {
    u32x8 w32 = __builtin_convertvector(w, u32x8);
    u32x8 layer = w32 & ZIG_LAYER_MASK;
    f32x8 scale;
    u32x8 limit;
    lookup_f32(t->packed_float, layer, &scale, &limit);
    u32x8 cell = w32 >> (ZIG_LAYER_BITS + 1);
    f32x8 midpoint = (f32x8)(cell | 0x4b000000u) - (0x1p23f - 0.5f);
    u32x8 magnitude = (u32x8)(midpoint * scale);
    *slow = (u32x8)(cell >= limit);
    return (f32x8)(magnitude ^ ((w32 >> ZIG_LAYER_BITS) << 31));
}

INL f64x8 zig_unit32(u64x8 b) { return (__builtin_convertvector(b & LOW32, f64x8) + 0.5) * 0x1p-32; }

// exp(-x²/2) on [0, r]: ZigguratFallback.expNegativeHalfSquare.
INL f64x8 zig_exp_neg_half_square(f64x8 x) {
    static const double inverse_factorials[13] = {
        1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
        1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600,
    };
    f64x8 t = -0.5 * x * x;
    f64x8 shifted = t * 1.44269504088896338700 + 0x1.8p52;
    f64x8 n = shifted - 0x1.8p52;
    f64x8 r = (t - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
    f64x8 p = (f64x8){0} + inverse_factorials[12];
    for (int d = 11; d >= 0; d--) p = p * r + inverse_factorials[d];
    u64x8 exponent = ((u64x8)shifted + 1023) << 52;
    return p * (f64x8)exponent;
}

INL f64x8 zig_horner7(const double *c, f64x8 x) {
    f64x8 p = (f64x8){0} + c[7];
    for (int k = 6; k >= 0; k--) p = p * x + c[k];
    return p;
}

// Q⁻¹(U Q(r)) from m = -2 log U: ZigguratFallback.tailQuantile (AS 241's two tail rationals).
INL f64x8 zig_tail_quantile(f64x8 m) {
    static const double c[8] = {1.42343711074968357734e+00, 4.63033784615654529590e+00, 5.76949722146069140550e+00,
                                3.64784832476320460504e+00, 1.27045825245236838258e+00, 2.41780725177450611770e-01,
                                2.27238449892691845833e-02, 7.74545014278341407640e-04};
    static const double d[8] = {1, 2.05319162663775882187e+00, 1.67638483018380384940e+00, 6.89767334985100004550e-01,
                                1.48103976427480074590e-01, 1.51986665636164571966e-02, 5.47593808499534494600e-04,
                                1.05075007164441684324e-09};
    static const double e[8] = {6.65790464350110377720e+00, 5.46378491116411436990e+00, 1.78482653991729133580e+00,
                                2.96560571828504891230e-01, 2.65321895265761230930e-02, 1.24266094738807843860e-03,
                                2.71155556874348757815e-05, 2.01033439929228813265e-07};
    static const double f[8] = {1, 5.99832206555887937690e-01, 1.36929880922735805310e-01, 1.48753612908506148525e-02,
                                7.86869131145613259100e-04, 1.84631831751005468180e-05, 1.42151175831644588870e-07,
                                2.04426310338993978564e-15};
    f64x8 s = __builtin_elementwise_sqrt(0.5 * m - (-0x1.50ccadee7b5d3p+3));
    f64x8 near = zig_horner7(c, s - 1.6) / zig_horner7(d, s - 1.6);
    f64x8 far = zig_horner7(e, s - 5) / zig_horner7(f, s - 5);
    u64x8 use_far = (u64x8)(s > 5);
    return (f64x8)(((u64x8)near & ~use_far) | ((u64x8)far & use_far));
}

// ZigguratFallback.resolve: eight slow words with their (path, draw), Double variates out.
INL f64x8 zig_resolve(u64x8 w, u64x8 paths, u64x8 draws, uint32_t stream, const key_schedule *ks, const sgd_zig_tables *t) {
    block8 a = philox8(draws, paths, stream | ZIG_STREAM_A, ks);
    u64x8 layer = w & ZIG_LAYER_MASK;
    f64x8 width = gather_f64(t->widths, layer), inner = gather_f64(t->widths, layer + 1);
    f64x8 floor = gather_f64(t->heights, layer), ceiling = gather_f64(t->heights, layer + 1);
    f64x8 cell = __builtin_convertvector(w >> (ZIG_LAYER_BITS + 1), f64x8);
    f64x8 x = (cell + zig_unit32(a.w0)) / 0x1p21 * width;
    f64x8 y = floor + zig_unit32(a.w1) * (ceiling - floor);
    u64x8 inside_box = (u64x8)(x < inner);
    u64x8 under_curve = (u64x8)(y < zig_exp_neg_half_square(x));
    u64x8 is_tail = (u64x8)(layer == 0) & ~inside_box;
    u64x8 rejected = ~inside_box & ~under_curve & ~is_tail;
    u64x8 z = (u64x8)x;
    if (__builtin_reduce_or(rejected)) {
        f64x8 c, s;
        box_muller_doubles(philox8(draws, paths, stream | ZIG_STREAM_B, ks), &c, &s);
        z = (z & ~rejected) | ((u64x8)c & rejected);
    }
    if (__builtin_reduce_or(is_tail)) {
        f64x8 q = zig_tail_quantile(minus_two_log(((a.w2 << 32) | a.w3) >> 12));
        z = (z & ~is_tail) | ((u64x8)q & is_tail);
    }
    return (f64x8)((z & 0x7fffffffffffffffull) ^ ((w >> ZIG_LAYER_BITS) << 63));
}

// Slow words waiting to be resolved eight at a time, with the buffer index each variate goes to.
// The fills queue them while they sweep a chunk of four rows by ZIG_CHUNK_LANES lanes and resolve
// after the chunk, so the hot loop holds no call (a call would clobber every vector register). The
// queue holds the fewer than eight left from before, a whole chunk, and the eight scratch entries
// `zig_enqueue` writes past the end.
#define ZIG_CHUNK_LANES 64
#define ZIG_QUEUE (8 + 4 * ZIG_CHUNK_LANES + 8)
typedef struct {
    uint64_t word[ZIG_QUEUE], path[ZIG_QUEUE], draw[ZIG_QUEUE], dest[ZIG_QUEUE];
    int count;
} zig_pending;

// Resolves the first eight entries (or all, padding with entry 0, when `all`); kept out of line
// because it runs for about one vector in thirty and would crowd the fast loop.
static __attribute__((noinline)) void zig_drain(zig_pending *q, uint32_t stream, const key_schedule *ks,
                                                const sgd_zig_tables *t, double *out_d, float *out_f, int all) {
    while (q->count >= 8 || (all && q->count > 0)) {
        int n = q->count < 8 ? q->count : 8;
        u64x8 w, p, d;
        for (int k = 0; k < 8; k++) {
            int source = k < n ? k : 0;
            w[k] = q->word[source]; p[k] = q->path[source]; d[k] = q->draw[source];
        }
        f64x8 z = zig_resolve(w, p, d, stream, ks, t);
        for (int k = 0; k < n; k++) {
            if (out_f) out_f[q->dest[k]] = (float)z[k];
            else out_d[q->dest[k]] = z[k];
        }
        int rest = q->count - n;
        for (int k = 0; k < rest; k++) {
            q->word[k] = q->word[n + k]; q->path[k] = q->path[n + k];
            q->draw[k] = q->draw[n + k]; q->dest[k] = q->dest[n + k];
        }
        q->count = rest;
    }
}

// Appends the slow lanes. The queue has room for eight more entries than it ever holds, so every
// lane is written and only the count decides which entries are kept: no branch per lane.
INL void zig_enqueue(zig_pending *q, u64x8 w, u64x8 paths, u64x8 draws, int64_t offset, uint64_t slow_lanes) {
#if SGD_LEVEL_ID == 2
    __mmask8 m = (__mmask8)slow_lanes;
    int n = q->count;
    _mm512_storeu_si512(q->word + n, _mm512_maskz_compress_epi64(m, (__m512i)w));
    _mm512_storeu_si512(q->path + n, _mm512_maskz_compress_epi64(m, (__m512i)paths));
    _mm512_storeu_si512(q->draw + n, _mm512_maskz_compress_epi64(m, (__m512i)draws));
    u64x8 dest = LANE_IDS + (uint64_t)offset;
    _mm512_storeu_si512(q->dest + n, _mm512_maskz_compress_epi64(m, (__m512i)dest));
    q->count = n + __builtin_popcount((unsigned)slow_lanes);
#else
    int n = q->count;
    for (int l = 0; l < 8; l++) {
        q->word[n] = w[l]; q->path[n] = paths[l];
        q->draw[n] = draws[l]; q->dest[n] = (uint64_t)(offset + l);
        n += (int)((slow_lanes >> l) & 1);
    }
    q->count = n;
#endif
}

INL uint64_t lane_bits64(u64x8 m) {
    uint64_t bits = 0;
    for (int l = 0; l < 8; l++) bits |= (m[l] & 1) << l;
    return bits;
}

INL uint64_t lane_bits32(u32x8 m) {
    uint64_t bits = 0;
    for (int l = 0; l < 8; l++) bits |= (uint64_t)(m[l] & 1) << l;
    return bits;
}

// One row of eight lanes: fast values stored, slow lanes queued.
INL void zig_row_f64(u64x8 w, u64x8 paths, uint64_t draw, double *out, int64_t offset, zig_pending *q, const sgd_zig_tables *t) {
    u64x8 slow;
    f64x8 z = zig_fast_f64(w, t, &slow);
    memcpy(out + offset, &z, sizeof z);
    if (__builtin_expect(__builtin_reduce_or(slow) != 0, 0)) {
        zig_enqueue(q, w, paths, (u64x8){0} + draw, offset, lane_bits64(slow));
    }
}

INL void zig_row_f32(u64x8 w, u64x8 paths, uint64_t draw, float *out, int64_t offset, zig_pending *q, const sgd_zig_tables *t) {
    u32x8 slow;
    f32x8 z = zig_fast_f32(w, t, &slow);
    memcpy(out + offset, &z, sizeof z);
    if (__builtin_expect(__builtin_reduce_or(slow) != 0, 0)) {
        zig_enqueue(q, w, paths, (u64x8){0} + draw, offset, lane_bits32(slow));
    }
}

// Window fills: block q of a lane group gives rows 4q..4q+3 (word k to row 4q+k); quads wholly inside
// the window take the straight-line path, the (at most two) partial ones check each row.
#define ZIG_WINDOW_FILL(ROW, out, out_d, out_f)                                                            \
    key_schedule ks = philox_schedule(win->key0, win->key1);                                               \
    zig_pending q;                                                                                         \
    q.count = 0;                                                                                           \
    int64_t end = win->first_draw + win->draws;                                                            \
    for (int64_t quad = win->first_draw >> 2; 4 * quad < end; quad++) {                                    \
        u64x8 counters = (u64x8){0} + (uint64_t)quad;                                                      \
        int64_t row0 = 4 * quad - win->first_draw;                                                         \
        int whole = row0 >= 0 && row0 + 4 <= win->draws;                                                   \
        uint64_t draw = 4 * (uint64_t)quad;                                                                \
        for (int64_t chunk = 0; chunk < win->padded_lanes; chunk += ZIG_CHUNK_LANES) {                     \
            int64_t chunk_end = chunk + ZIG_CHUNK_LANES < win->padded_lanes ? chunk + ZIG_CHUNK_LANES : win->padded_lanes; \
            /* two lane groups per iteration overlap one group's lookups with the other's Philox (2-3%) */ \
            _Pragma("clang loop unroll_count(2)")                                                          \
            for (int64_t lane = chunk; lane < chunk_end; lane += 8) {                                      \
                u64x8 paths = LANE_IDS + (win->first_path + (uint64_t)lane);                               \
                block8 b = philox8(counters, paths, win->stream, &ks);                                     \
                int64_t offset = row0 * win->stride + lane;                                                \
                if (whole) {                                                                               \
                    ROW(b.w0, paths, draw, out, offset, &q, t);                                            \
                    ROW(b.w1, paths, draw + 1, out, offset + win->stride, &q, t);                          \
                    ROW(b.w2, paths, draw + 2, out, offset + 2 * win->stride, &q, t);                      \
                    ROW(b.w3, paths, draw + 3, out, offset + 3 * win->stride, &q, t);                      \
                } else {                                                                                   \
                    u64x8 words[4] = {b.w0, b.w1, b.w2, b.w3};                                             \
                    for (int k = 0; k < 4; k++) {                                                          \
                        if (row0 + k >= 0 && row0 + k < win->draws)                                        \
                            ROW(words[k], paths, draw + k, out, offset + k * win->stride, &q, t);          \
                    }                                                                                      \
                }                                                                                          \
            }                                                                                              \
            if (q.count >= 8) zig_drain(&q, win->stream, &ks, t, out_d, out_f, 0);                         \
        }                                                                                                  \
    }                                                                                                      \
    zig_drain(&q, win->stream, &ks, t, out_d, out_f, 1);

void LEVEL(sgd_rng_ziggurat_f64)(const sgd_rng_window *win, const sgd_zig_tables *t, double *out) {
    ZIG_WINDOW_FILL(zig_row_f64, out, out, 0)
}

void LEVEL(sgd_rng_ziggurat_f32)(const sgd_rng_window *win, const sgd_zig_tables *t, float *out) {
    ZIG_WINDOW_FILL(zig_row_f32, out, 0, out)
}

// Per-lane paths and positions (GaussianStream.zigguratFill(paths:firstDraws:...)): when every lane
// of a group starts on a block boundary one block fills four rows, otherwise each row reads its own.
void LEVEL(sgd_rng_ziggurat_f64_lanes)(uint32_t key0, uint32_t key1, uint32_t stream, const uint64_t *paths,
                                       const uint64_t *first_draws, int64_t draws, int64_t stride,
                                       const sgd_zig_tables *t, double *out) {
    key_schedule ks = philox_schedule(key0, key1);
    zig_pending q;
    q.count = 0;
    for (int64_t lane = 0; lane < stride; lane += 8) {
        u64x8 p, first;
        memcpy(&p, paths + lane, sizeof p);
        memcpy(&first, first_draws + lane, sizeof first);
        int aligned = !__builtin_reduce_or(first & 3);
        for (int64_t row = 0; row < draws;) {
            u64x8 draw = first + (uint64_t)row;
            block8 b = philox8(draw >> 2, p, stream, &ks);
            u64x8 words[4] = {b.w0, b.w1, b.w2, b.w3};
            int count = 1;
            if (aligned) {
                count = 4;
            } else {
                u64x8 which = draw & 3;
                u64x8 m1 = (u64x8)(which == 1), m2 = (u64x8)(which == 2), m3 = (u64x8)(which == 3);
                u64x8 word = b.w0;
                word = (word & ~m1) | (b.w1 & m1);
                word = (word & ~m2) | (b.w2 & m2);
                word = (word & ~m3) | (b.w3 & m3);
                words[0] = word;
            }
            for (int k = 0; k < count && row + k < draws; k++) {
                u64x8 slow;
                f64x8 z = zig_fast_f64(words[k], t, &slow);
                int64_t offset = (row + k) * stride + lane;
                memcpy(out + offset, &z, sizeof z);
                if (__builtin_expect(__builtin_reduce_or(slow) != 0, 0)) {
                    zig_enqueue(&q, words[k], p, draw + (uint64_t)k, offset, lane_bits64(slow));
                }
            }
            if (q.count >= 8) zig_drain(&q, stream, &ks, t, out, 0, 0);
            row += count;
        }
    }
    zig_drain(&q, stream, &ks, t, out, 0, 1);
}
