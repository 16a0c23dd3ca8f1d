// Level 1: AVX2. Without "fma" in the list; -ffp-contract=off keeps contraction off regardless.
#if defined(__x86_64__)
#include <immintrin.h>
#define SGD_LEVEL_ID 1
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#define LEVEL(name) name##_avx2
#include "body.h"
#pragma clang attribute pop
#endif
