// System BLAS (OpenBLAS, CBLAS interface) and LAPACKE, for the Numerics module only.
#ifndef SGD_DIFFUSION_CLINEARALGEBRA_H
#define SGD_DIFFUSION_CLINEARALGEBRA_H
#include <cblas.h>
#include <lapacke.h>
#endif
