// Level 0: the compiler's default instruction set (SSE2 on x86-64, NEON on arm64).
#define SGD_LEVEL_ID 0
#define LEVEL(name) name##_baseline
#include "body.h"
