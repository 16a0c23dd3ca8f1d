// Level 2: AVX-512 F/DQ/BW/VL (Skylake-X and later, Zen 4 and later). avx512f implies FMA in the
// compiler; -ffp-contract=off (Package.swift) keeps it from fusing, and the tests check the bits.
#if defined(__x86_64__)
#include <immintrin.h>
#define SGD_LEVEL_ID 2
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))), apply_to = function)
#define LEVEL(name) name##_avx512
#include "body.h"
#pragma clang attribute pop
#endif
