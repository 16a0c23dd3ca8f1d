// Table lookups for the ziggurat kernels, one version per level. Included by ziggurat_body.h;
// SGD_LEVEL_ID comes from level_*.c. Every version reads the same table entries, so the levels give
// the same bits and differ in instructions only.
//
// The fast path needs two entries per layer (the cell width X[k] 2^-21 and the inner-cell count
// K[k]); they are interleaved in one table so a lane's pair is one 16-byte (Double) or 8-byte
// (Float) load. Measured on Zen 5 (the kernels timed alone by CPU time): the AVX-512 and AVX2 gathers were
// slower than these loads plus a transposing permute, so the wide levels load lane by lane too.
typedef uint64_t u64x4 __attribute__((vector_size(32)));
typedef double f64x4 __attribute__((vector_size(32)));

#if SGD_LEVEL_ID == 2
// Eight 16-byte {scale, limit} entries into two registers [s0 l0 .. s3 l3], [s4 l4 .. s7 l7], then
// one two-source permute each for the scales and the limits.
INL void lookup_f64(const uint64_t *pairs, u64x8 layer, f64x8 *scale, u64x8 *limit) {
    const __m128i *p = (const __m128i *)pairs;
    __m512i a = _mm512_castsi128_si512(_mm_loadu_si128(p + layer[0]));
    a = _mm512_inserti64x2(a, _mm_loadu_si128(p + layer[1]), 1);
    a = _mm512_inserti64x2(a, _mm_loadu_si128(p + layer[2]), 2);
    a = _mm512_inserti64x2(a, _mm_loadu_si128(p + layer[3]), 3);
    __m512i b = _mm512_castsi128_si512(_mm_loadu_si128(p + layer[4]));
    b = _mm512_inserti64x2(b, _mm_loadu_si128(p + layer[5]), 1);
    b = _mm512_inserti64x2(b, _mm_loadu_si128(p + layer[6]), 2);
    b = _mm512_inserti64x2(b, _mm_loadu_si128(p + layer[7]), 3);
    *scale = (f64x8)_mm512_permutex2var_epi64(a, _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14), b);
    *limit = (u64x8)_mm512_permutex2var_epi64(a, _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15), b);
}
#elif SGD_LEVEL_ID == 1
// Lanes (0, 2) and (1, 3) share a register so that one unpack gives four scales in order.
INL void lookup_half_f64(const __m128i *p, u64x8 layer, int o, f64x4 *scale, u64x4 *limit) {
    __m256i a = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128(p + layer[o])), _mm_loadu_si128(p + layer[o + 2]), 1);
    __m256i b = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128(p + layer[o + 1])), _mm_loadu_si128(p + layer[o + 3]), 1);
    *scale = (f64x4)_mm256_unpacklo_epi64(a, b);
    *limit = (u64x4)_mm256_unpackhi_epi64(a, b);
}
INL void lookup_f64(const uint64_t *pairs, u64x8 layer, f64x8 *scale, u64x8 *limit) {
    f64x4 s0, s1;
    u64x4 l0, l1;
    lookup_half_f64((const __m128i *)pairs, layer, 0, &s0, &l0);
    lookup_half_f64((const __m128i *)pairs, layer, 4, &s1, &l1);
    *scale = __builtin_shufflevector(s0, s1, 0, 1, 2, 3, 4, 5, 6, 7);
    *limit = __builtin_shufflevector(l0, l1, 0, 1, 2, 3, 4, 5, 6, 7);
}
#else
INL void lookup_f64(const uint64_t *pairs, u64x8 layer, f64x8 *scale, u64x8 *limit) {
    for (int l = 0; l < 8; l++) {
        uint64_t s = pairs[2 * layer[l]];
        double d;
        memcpy(&d, &s, sizeof d);
        (*scale)[l] = d;
        (*limit)[l] = pairs[2 * layer[l] + 1];
    }
}
#endif

// Float: one 8-byte entry per layer, the scale's bits low and the limit high.
INL void lookup_f32(const uint64_t *packed, u32x8 layer, f32x8 *scale, u32x8 *limit) {
    u64x8 e;
    for (int l = 0; l < 8; l++) e[l] = packed[layer[l]];
    *scale = (f32x8)__builtin_convertvector(e, u32x8);
    *limit = __builtin_convertvector(e >> 32, u32x8);
}

// The fallback's lookups (one vector in thirty): plain loads on every level.
INL f64x8 gather_f64(const double *t, u64x8 i) {
    f64x8 r;
    for (int l = 0; l < 8; l++) r[l] = t[i[l]];
    return r;
}
