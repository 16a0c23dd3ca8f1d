#!/usr/bin/env python3
"""Peer benchmark (issue 9): the exact SGD diffusion (SME-1, Euler-Maruyama) of L2-free logistic
regression in PyTorch on the CPU, by the weighted-gradient identity.

Problem (all sizes are options; defaults are the issue's):
    A: M x d, entries N(0,1)/sqrt(d);  teacher w* ~ N(0, I_d);  y = 1[A w* + logistic noise > 0]
    f_i(x) = softplus(a_i^T x) - y_i a_i^T x,  F = (1/M) sum_i f_i
    SGD with step eta and batch m drawn without replacement has (Prop. 1) the diffusion
    Sigma = (1/m - 1/M) Sigma_0; SME-1 with step h = eta, B paths, X_0 = 0.
One Euler-Maruyama step of all B paths (state X is d x B):
    U = A X;  R = sigmoid(U) - y;  Z ~ N(0,1)^{M x B};  Zc = Z - mean_i Z
    W = h/M + c Zc,  c = sqrt(h eta (1/m - 1/M) / (M - 1));   X <- X - A^T (R * W)
sum_i (z_i - zbar) grad f_i ~ N(0, (M-1) Sigma_0) exactly, so this is an exact sample of the EM step
without forming a d x d matrix: two GEMMs and M B normals per step.

Two ways of writing the step:
    torch_<w>           in-place ops into preallocated buffers (mm/addmm with out=, normal_)
    torch_<w>_autograd  as a PyTorch user writes it: X requires grad, loss = (W.detach() * L).sum()
                        with L the M x B matrix of f_i at every path, backward, X -= X.grad
Figure of merit: path-steps/s = B K / seconds, best of --repeats timed runs of K steps from X_0 = 0
after --warmup untimed steps. The two GEMM shapes (A X and A^T R, 2 M d B flops each) are timed alone
(--gemm-reps calls each, best of --repeats) to give the machine's GEMM rate at these shapes.
mean_final_loss = mean over paths of F(X_K) (evaluated in float64), sd_final_loss its spread over
paths, so that implementations can be cross-checked within sd/sqrt(B).

Usage:  python torch_sme_logistic.py [--dtype float64|float32] [--autograd] [-M 4096 -d 256 -B 64 -K 200]
One JSON line per configuration on stdout (also appended to --json FILE); a readable line on stderr.
Run one configuration per process on a quiet machine (check `uptime`).
"""
import argparse
import json
import math
import os
import platform
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-M", "--samples", type=int, default=4096, help="data set size M")
    p.add_argument("-d", "--dim", type=int, default=256, help="dimension d")
    p.add_argument("-B", "--paths", type=int, default=64, help="paths simulated together (columns of X)")
    p.add_argument("-K", "--steps", type=int, default=200)
    p.add_argument("--eta", type=float, default=0.1, help="learning rate; also the EM step h")
    p.add_argument("--batch", type=int, default=32, help="SGD batch size m of Prop. 1's noise")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--autograd", action="store_true", help="write the step with autograd (see above)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--warmup", type=int, default=10, help="untimed steps before the timed runs")
    p.add_argument("--gemm-reps", type=int, default=200)
    p.add_argument("--seed", type=int, default=1234, help="data seed; the noise uses seed + 1")
    p.add_argument("--json", help="append the JSON line to this file too")
    p.add_argument("--tag", default="")
    a = p.parse_args()
    for name in ("samples", "dim", "paths", "steps", "threads", "repeats", "gemm_reps"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if a.samples < 2:
        p.error("-M must be at least 2 (the noise needs M - 1 > 0)")
    if not 1 <= a.batch <= a.samples:
        p.error(f"--batch must be in 1...M = 1...{a.samples}")
    if a.warmup < 0:
        p.error("--warmup must be non-negative")
    return a


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, str(ARGS.threads))

import torch  # noqa: E402
import torch.nn.functional as tf  # noqa: E402

torch.set_num_threads(ARGS.threads)


def make_data(M, d, seed):
    """Generated in float64 from one seeded generator, so both widths see the same data set."""
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(M, d, generator=g, dtype=torch.float64) / math.sqrt(d)
    w_star = torch.randn(d, generator=g, dtype=torch.float64)
    u = torch.rand(M, generator=g, dtype=torch.float64).clamp_(1e-300, 1 - 1e-16)
    logistic_noise = torch.log(u) - torch.log1p(-u)
    y = (A @ w_star + logistic_noise > 0).to(torch.float64)
    return A, y


def mean_loss(A, y, X):
    """F at every column of X, in float64."""
    A, y, X = A.double(), y.double(), X.double()
    U = A @ X
    return (tf.softplus(U) - y[:, None] * U).mean(0)


class InPlaceStep:
    """Every step writes into the same buffers: no allocation per step."""

    def __init__(self, A, y, B, h, c, gen):
        M, d = A.shape
        self.A, self.At, self.y, self.h_over_M, self.c, self.gen = A, A.t(), y[:, None], h / M, c, gen
        self.U = torch.empty(M, B, dtype=A.dtype)
        self.Z = torch.empty(M, B, dtype=A.dtype)
        self.Zbar = torch.empty(1, B, dtype=A.dtype)

    def __call__(self, X):
        torch.mm(self.A, X, out=self.U)
        torch.sigmoid(self.U, out=self.U)
        self.U.sub_(self.y)                                   # R
        self.Z.normal_(generator=self.gen)
        torch.mean(self.Z, 0, keepdim=True, out=self.Zbar)
        self.Z.sub_(self.Zbar).mul_(self.c).add_(self.h_over_M)  # W
        self.U.mul_(self.Z)                                   # R * W
        X.addmm_(self.At, self.U, alpha=-1.0)


class AutogradStep:
    """The step as a PyTorch user writes it: the weighted loss's gradient by backward()."""

    def __init__(self, A, y, B, h, c, gen):
        self.A, self.y, self.h_over_M, self.c, self.gen, self.shape = A, y[:, None], h / A.shape[0], c, gen, (A.shape[0], B)

    def __call__(self, X):
        X.requires_grad_(True)
        U = self.A @ X
        losses = tf.softplus(U) - self.y * U                  # f_i at every path, M x B
        Z = torch.randn(self.shape, generator=self.gen, dtype=X.dtype)
        W = self.h_over_M + self.c * (Z - Z.mean(0, keepdim=True))
        (W.detach() * losses).sum().backward()
        with torch.no_grad():
            X -= X.grad
        X.grad = None
        X.requires_grad_(False)


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times


def gemm_rate(A, B, reps, repeats):
    """GFLOP/s of A X (M x d times d x B) and A^T R (d x M times M x B) alone, 2 M d B flops each."""
    M, d = A.shape
    X = torch.randn(d, B, dtype=A.dtype)
    R = torch.randn(M, B, dtype=A.dtype)
    U = torch.empty(M, B, dtype=A.dtype)
    G = torch.empty(d, B, dtype=A.dtype)
    At = A.t()

    def ax():
        for _ in range(reps):
            torch.mm(A, X, out=U)

    def atr():
        for _ in range(reps):
            torch.mm(At, R, out=G)

    ax(); atr()   # warm-up: thread pool, kernel selection
    t_ax, _ = best_of(ax, repeats)
    t_atr, _ = best_of(atr, repeats)
    flops = 2.0 * M * d * B * reps
    return {"ax": flops / t_ax / 1e9, "atr": flops / t_atr / 1e9, "both": 2 * flops / (t_ax + t_atr) / 1e9}


def main():
    a = ARGS
    M, d, B, K = a.samples, a.dim, a.paths, a.steps
    dtype = torch.float64 if a.dtype == "float64" else torch.float32
    impl = "torch_" + ("f64" if a.dtype == "float64" else "f32") + ("_autograd" if a.autograd else "")
    h = eta = a.eta
    c = math.sqrt(h * eta * (1.0 / a.batch - 1.0 / M) / (M - 1))
    A64, y64 = make_data(M, d, a.seed)
    A, y = A64.to(dtype).contiguous(), y64.to(dtype)
    gen = torch.Generator().manual_seed(a.seed + 1)
    step = (AutogradStep if a.autograd else InPlaceStep)(A, y, B, h, c, gen)

    X = torch.zeros(d, B, dtype=dtype)
    for _ in range(a.warmup):
        step(X)

    def run():
        gen.manual_seed(a.seed + 1)   # every repeat simulates the same K steps from X_0 = 0
        X.zero_()
        for _ in range(K):
            step(X)

    t_start = time.time()
    best, times = best_of(run, a.repeats)
    t_end = time.time()
    final = mean_loss(A64, y64, X)
    gemm = gemm_rate(A, B, a.gemm_reps, a.repeats)
    path_steps = B * K / best
    step_gflops = path_steps * 4.0 * M * d / 1e9   # two GEMMs of 2 M d flops per path-step
    rec = {"kind": "finite-sum", "impl": impl, "M": M, "d": d, "B": B, "K": K, "eta": eta, "h": h, "batch": a.batch,
           "precision": a.dtype, "best_s": best, "times_s": times, "path_steps_per_s": path_steps,
           "gemm_gflops": gemm["both"], "gemm_gflops_ax": gemm["ax"], "gemm_gflops_atr": gemm["atr"],
           "step_gflops": step_gflops, "gemm_fraction": step_gflops / gemm["both"],
           "mean_final_loss": float(final.mean()), "sd_final_loss": float(final.std()),
           "initial_loss": math.log(2.0), "threads": torch.get_num_threads(), "seed": a.seed,
           "version": "torch " + torch.__version__, "python": platform.python_version(),
           "note": ("autograd backward of the weighted loss" if a.autograd else "in-place mm/addmm, normal_") + f", {a.dtype}",
           "t_start": t_start, "t_end": t_end, "tag": a.tag}
    line = json.dumps(rec)
    print(line, flush=True)
    if a.json:
        with open(a.json, "a") as f:
            f.write(line + "\n")
    print(f"  {impl:<20} M={M} d={d} B={B} K={K}  {path_steps:.4g} path-steps/s  best {best:.3f}s  "
          f"step {step_gflops:.1f} GFLOP/s = {100 * rec['gemm_fraction']:.0f}% of GEMM {gemm['both']:.1f} GFLOP/s "
          f"(A X {gemm['ax']:.1f}, A^T R {gemm['atr']:.1f})  F(X_K) {rec['mean_final_loss']:.5f} "
          f"± {rec['sd_final_loss'] / math.sqrt(B):.5f} (se)  {rec['threads']} threads", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
