// arm64 (NEON has FMA): an 8-wide vector is four registers, so 2 rows.
#if defined(__aarch64__)
#define SGD_FS_ROWS 2
#define LEVEL(name) name##_neon
#include "body.h"
#endif
