// The kernels' one source, included by level_*.c under a per-level target attribute. Helpers are
// static and always inlined so each level gets its own copy compiled for its instruction set.
// Operation order follows Sources/Randomness/GaussianTransform*.swift exactly (same constants, same
// association), which is what makes the bits equal; do not "simplify" an expression here alone.
#include <stdint.h>
#include <string.h>
#include "CRandomKernels.h"

typedef uint64_t u64x8 __attribute__((vector_size(64)));
typedef double f64x8 __attribute__((vector_size(64)));
typedef uint32_t u32x16 __attribute__((vector_size(64)));
typedef float f32x16 __attribute__((vector_size(64)));
typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef float f32x8 __attribute__((vector_size(32)));

#define INL static inline __attribute__((always_inline))
#define LOW32 0xffffffffull

typedef struct { u64x8 w0, w1, w2, w3; } block8;

INL void philox_round(block8 *c, uint64_t k0, uint64_t k1) {
    u64x8 p0 = (c->w0 & LOW32) * 0xD2511F53ull;
    u64x8 p1 = (c->w2 & LOW32) * 0xCD9E8D57ull;
    u64x8 n0 = (p1 >> 32) ^ c->w1 ^ k0;
    u64x8 n2 = (p0 >> 32) ^ c->w3 ^ k1;
    c->w0 = n0; c->w1 = p1 & LOW32; c->w2 = n2; c->w3 = p0 & LOW32;
}

// The ten round keys of a seed, computed once per fill: kept in memory, each round's xor takes its key
// as a broadcast operand instead of moving a fresh scalar into a vector register (measured 1.2x on
// Philox alone with AVX-512). The values are those of Philox's Weyl sequence, so the bits are unchanged.
typedef struct { uint32_t k0[10], k1[10]; } key_schedule;

INL key_schedule philox_schedule(uint32_t key0, uint32_t key1) {
    key_schedule ks;
    uint32_t k0 = key0, k1 = key1;
    for (int r = 0; r < 10; r++) {
        ks.k0[r] = k0; ks.k1[r] = k1;
        k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
    }
    return ks;
}

// Philox4x32-10 of eight counters (c0 = counter lo, c1 = counter hi, c2 = path, c3 = stream).
INL block8 philox8(u64x8 counters, u64x8 paths, uint32_t stream, const key_schedule *ks) {
    block8 c = { counters & LOW32, counters >> 32, paths & LOW32, (u64x8){0} + (uint64_t)stream };
    for (int r = 0; r < 10; r++) philox_round(&c, ks->k0[r], ks->k1[r]);
    return c;
}

INL f64x8 exact_double(u64x8 b) {
    f64x8 biased = (f64x8)(b | 0x4330000000000000ull);
    return biased - 0x1p52;
}

INL f64x8 minus_two_log(u64x8 b) {
    f64x8 u = (exact_double(b) + 0.5) * 0x1p-52;
    u64x8 ix = (u64x8)u;
    ix = ix + (0x3ff0000000000000ull - 0x3fe6a09e667f3bcdull);
    u64x8 biased_k = ix >> 52;
    ix = (ix & 0x000fffffffffffffull) + 0x3fe6a09e667f3bcdull;
    f64x8 m = (f64x8)ix;
    f64x8 k = exact_double(biased_k) - 1023;
    f64x8 f = m - 1;
    f64x8 s = f / (f + 2);
    f64x8 z = s * s;
    f64x8 w = z * z;
    f64x8 t1 = (f64x8){0} + 1.531383769920937332e-01;
    t1 = t1 * w + 2.222219843214978396e-01;
    t1 = t1 * w + 3.999999999940941908e-01;
    t1 = t1 * w;
    f64x8 t2 = (f64x8){0} + 1.479819860511658591e-01;
    t2 = t2 * w + 1.818357216161805012e-01;
    t2 = t2 * w + 2.857142874366239149e-01;
    t2 = t2 * w + 6.666666666666735130e-01;
    t2 = t2 * z;
    f64x8 r = t2 + t1;
    f64x8 hfsq = 0.5 * f * f;
    f64x8 tail = s * (hfsq + r) + k * 1.90821492927058770002e-10;
    f64x8 log_u = k * 6.93147180369123816490e-01 - ((hfsq - tail) - f);
    return log_u * -2.0;
}

INL void cos_sin_turns(u64x8 b, f64x8 *cos_out, f64x8 *sin_out) {
    u64x8 n = (b + (1ull << 49)) >> 50;
    u64x8 residual = b - (n << 50) + (1ull << 50);
    f64x8 rho = exact_double(residual) - (0x1p50 - 0.5);
    f64x8 x = rho * (1.5707963267948966 * 0x1p-50);
    f64x8 z = x * x;
    f64x8 ps = (f64x8){0} + 1.58969099521155010221e-10;
    ps = ps * z - 2.50507602534068634195e-08;
    ps = ps * z + 2.75573137070700676789e-06;
    ps = ps * z - 1.98412698298579493134e-04;
    ps = ps * z + 8.33333333332248946124e-03;
    f64x8 sin_x = x + (x * z) * (ps * z - 1.66666666666666324348e-01);
    f64x8 pc = (f64x8){0} + -1.13596475577881948265e-11;
    pc = pc * z + 2.08757232129817482790e-09;
    pc = pc * z - 2.75573143513906633035e-07;
    pc = pc * z + 2.48015872894767294178e-05;
    pc = pc * z - 1.38888888888741095749e-03;
    pc = pc * z + 4.16666666666666019037e-02;
    f64x8 rc = z * pc;
    f64x8 hz = 0.5 * z;
    f64x8 w = 1 - hz;
    f64x8 cos_x = w + (((1 - w) - hz) + z * rc);
    u64x8 q = n & 3;
    u64x8 swap = (u64x8){0} - (q & 1);
    u64x8 cos_sign = ((q ^ (q >> 1)) & 1) << 63;
    u64x8 sin_sign = (q >> 1) << 63;
    u64x8 cb = (u64x8)cos_x, sb = (u64x8)sin_x;
    *cos_out = (f64x8)(((cb & ~swap) | (sb & swap)) ^ cos_sign);
    *sin_out = (f64x8)(((sb & ~swap) | (cb & swap)) ^ sin_sign);
}

INL void box_muller_doubles(block8 w, f64x8 *c, f64x8 *s) {
    u64x8 radius_bits = ((w.w0 << 32) | w.w1) >> 12;
    u64x8 angle_bits = ((w.w2 << 32) | w.w3) >> 12;
    f64x8 radius = __builtin_elementwise_sqrt(minus_two_log(radius_bits));
    f64x8 cc, ss;
    cos_sin_turns(angle_bits, &cc, &ss);
    *c = radius * cc;
    *s = radius * ss;
}

INL f32x16 exact_float(u32x16 b) {
    f32x16 biased = (f32x16)(b | 0x4b000000u);
    return biased - 0x1p23f;
}

INL f32x16 minus_two_log_f(u32x16 b) {
    f32x16 u = (exact_float(b) + 0.5f) * 0x1p-23f;
    u32x16 ix = (u32x16)u;
    ix = ix + (0x3f800000u - 0x3f3504f3u);
    u32x16 biased_k = ix >> 23;
    ix = (ix & 0x007fffffu) + 0x3f3504f3u;
    f32x16 m = (f32x16)ix;
    f32x16 k = exact_float(biased_k) - 127.0f;
    f32x16 f = m - 1.0f;
    f32x16 s = f / (f + 2.0f);
    f32x16 z = s * s;
    f32x16 w = z * z;
    f32x16 t1 = w * (w * 0.24279078841f + 0.40000972152f);
    f32x16 t2 = z * (w * 0.28498786688f + 0.66666662693f);
    f32x16 r = t2 + t1;
    f32x16 hfsq = 0.5f * f * f;
    f32x16 log_u = s * (hfsq + r) + k * 9.0580006145e-06f - hfsq + f + k * 6.9313812256e-01f;
    return log_u * -2.0f;
}

INL void cos_sin_turns_f(u32x16 b, f32x16 *cos_out, f32x16 *sin_out) {
    u32x16 n = (b + (1u << 21)) >> 22;
    u32x16 residual = b - (n << 22) + (1u << 22);
    f32x16 rho = exact_float(residual) - (0x1p22f - 0.5f);
    f32x16 x = rho * ((float)1.5707963267948966 * 0x1p-22f);
    f32x16 z = x * x;
    f32x16 ps = (f32x16){0} + 1.0f / 362880;
    ps = ps * z - 1.0f / 5040;
    ps = ps * z + 1.0f / 120;
    ps = ps * z - 1.0f / 6;
    f32x16 sin_x = x + (x * z) * ps;
    f32x16 pc = (f32x16){0} + -1.0f / 3628800;
    pc = pc * z + 1.0f / 40320;
    pc = pc * z - 1.0f / 720;
    pc = pc * z + 1.0f / 24;
    pc = pc * z - 0.5f;
    f32x16 cos_x = 1.0f + z * pc;
    u32x16 q = n & 3;
    u32x16 swap = (u32x16){0} - (q & 1);
    u32x16 cos_sign = ((q ^ (q >> 1)) & 1) << 31;
    u32x16 sin_sign = (q >> 1) << 31;
    u32x16 cb = (u32x16)cos_x, sb = (u32x16)sin_x;
    *cos_out = (f32x16)(((cb & ~swap) | (sb & swap)) ^ cos_sign);
    *sin_out = (f32x16)(((sb & ~swap) | (cb & swap)) ^ sin_sign);
}

INL u32x16 join_low_words(u64x8 a, u64x8 b) {
    u32x8 lo = __builtin_convertvector(a, u32x8), hi = __builtin_convertvector(b, u32x8);
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

// Lanes 0-7 from (w0, w1), lanes 8-15 from (w2, w3); c holds the cosine variates, s the sines.
INL void box_muller_floats(block8 w, f32x16 *c, f32x16 *s) {
    u32x16 radius_words = join_low_words(w.w0, w.w2);
    u32x16 angle_words = join_low_words(w.w1, w.w3);
    f32x16 radius = __builtin_elementwise_sqrt(minus_two_log_f(radius_words >> 9));
    f32x16 cc, ss;
    cos_sin_turns_f(angle_words >> 8, &cc, &ss);
    *c = radius * cc;
    *s = radius * ss;
}

#define LANE_IDS ((u64x8){0, 1, 2, 3, 4, 5, 6, 7})

void LEVEL(sgd_rng_box_muller_f64)(const sgd_rng_window *win, double *out) {
    key_schedule ks = philox_schedule(win->key0, win->key1);
    int64_t end = win->first_draw + win->draws;
    for (int64_t pair = win->first_draw >> 1; 2 * pair < end; pair++) {
        int64_t even = 2 * pair - win->first_draw, odd = even + 1;
        u64x8 counters = (u64x8){0} + (uint64_t)pair;
        for (int64_t lane = 0; lane < win->padded_lanes; lane += 8) {
            u64x8 paths = LANE_IDS + (win->first_path + (uint64_t)lane);
            f64x8 c, s;
            box_muller_doubles(philox8(counters, paths, win->stream, &ks), &c, &s);
            if (even >= 0) memcpy(out + even * win->stride + lane, &c, sizeof c);
            if (odd < win->draws) memcpy(out + odd * win->stride + lane, &s, sizeof s);
        }
    }
}

void LEVEL(sgd_rng_box_muller_f32)(const sgd_rng_window *win, float *out) {
    key_schedule ks = philox_schedule(win->key0, win->key1);
    int64_t end = win->first_draw + win->draws;
    for (int64_t quad = win->first_draw >> 2; 4 * quad < end; quad++) {
        u64x8 counters = (u64x8){0} + (uint64_t)quad;
        int64_t row0 = 4 * quad - win->first_draw;
        for (int64_t lane = 0; lane < win->padded_lanes; lane += 8) {
            u64x8 paths = LANE_IDS + (win->first_path + (uint64_t)lane);
            f32x16 c, s;
            box_muller_floats(philox8(counters, paths, win->stream, &ks), &c, &s);
            f32x8 rows[4] = {
                __builtin_shufflevector(c, c, 0, 1, 2, 3, 4, 5, 6, 7), __builtin_shufflevector(s, s, 0, 1, 2, 3, 4, 5, 6, 7),
                __builtin_shufflevector(c, c, 8, 9, 10, 11, 12, 13, 14, 15), __builtin_shufflevector(s, s, 8, 9, 10, 11, 12, 13, 14, 15),
            };
            for (int k = 0; k < 4; k++) {
                int64_t row = row0 + k;
                if (row >= 0 && row < win->draws) memcpy(out + row * win->stride + lane, &rows[k], sizeof rows[k]);
            }
        }
    }
}

void LEVEL(sgd_rng_box_muller_f64_lanes)(uint32_t key0, uint32_t key1, uint32_t stream, const uint64_t *paths,
                                         const uint64_t *first_draws, int64_t draws, int64_t stride, double *out) {
    key_schedule ks = philox_schedule(key0, key1);
    for (int64_t lane = 0; lane < stride; lane += 8) {
        u64x8 p, first;
        memcpy(&p, paths + lane, sizeof p);
        memcpy(&first, first_draws + lane, sizeof first);
        first = first >> 1;
        for (int64_t pair = 0; 2 * pair < draws; pair++) {
            f64x8 c, s;
            box_muller_doubles(philox8(first + (uint64_t)pair, p, stream, &ks), &c, &s);
            memcpy(out + (2 * pair) * stride + lane, &c, sizeof c);
            memcpy(out + (2 * pair + 1) * stride + lane, &s, sizeof s);
        }
    }
}

void LEVEL(sgd_rng_words)(const sgd_rng_window *win, uint64_t *out) {
    key_schedule ks = philox_schedule(win->key0, win->key1);
    int64_t end = win->first_draw + win->draws;
    for (int64_t pair = win->first_draw >> 1; 2 * pair < end; pair++) {
        int64_t even = 2 * pair - win->first_draw, odd = even + 1;
        u64x8 counters = (u64x8){0} + (uint64_t)pair;
        for (int64_t lane = 0; lane < win->padded_lanes; lane += 8) {
            block8 w = philox8(counters, LANE_IDS + (win->first_path + (uint64_t)lane), win->stream, &ks);
            u64x8 hi = (w.w0 << 32) | w.w1, lo = (w.w2 << 32) | w.w3;
            if (even >= 0) memcpy(out + even * win->stride + lane, &hi, sizeof hi);
            if (odd < win->draws) memcpy(out + odd * win->stride + lane, &lo, sizeof lo);
        }
    }
}

#include "ziggurat_body.h"
