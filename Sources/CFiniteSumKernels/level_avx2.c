// AVX2 + FMA (Haswell and later, Zen and later): an 8-wide vector is two registers, so one row.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define SGD_FS_ROWS 1
#define LEVEL(name) name##_avx2
#include "body.h"
#pragma clang attribute pop
#endif
