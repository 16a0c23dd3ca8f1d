// AVX-512 F (Skylake-X and later, Zen 4 and later): 6 rows × 32 columns of accumulators.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,fma"))), apply_to = function)
#define SGD_FS_ROWS 6
#define LEVEL(name) name##_avx512
#include "body.h"
#pragma clang attribute pop
#endif
