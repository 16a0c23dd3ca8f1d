"""The `finite-sum` part of scripts/benchmarks.py (issue 9's speed target): the exact SME-1 of logistic
regression, `sgdiff bench finite-sum` beside scripts/bench/torch_sme_logistic.py, one process each,
and the BENCHMARKS.md section that puts them side by side.

Both sides print one JSON line per configuration with at least the keys in REQUIRED (the contract
`sgdiff bench finite-sum --json` is written against); `sd_final_loss` (spread of F(X_K) over paths)
is optional and, when both sides give it, turns the cross-check of mean F(X_K) into a z-score.
"""
import json
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TORCH_SCRIPT = os.path.join(HERE, "torch_sme_logistic.py")
MONITOR_MARKER = "torch_sme_logistic.py"
REQUIRED = ("impl", "M", "d", "B", "K", "best_s", "times_s", "path_steps_per_s", "gemm_gflops", "mean_final_loss", "threads")
TORCH_VARIANTS = [("torch_f64", ["--dtype", "float64"]), ("torch_f64_autograd", ["--dtype", "float64", "--autograd"]),
                  ("torch_f32", ["--dtype", "float32"]), ("torch_f32_autograd", ["--dtype", "float32", "--autograd"])]
OURS = "sgdiff_f64"
# The same binary with the fused kernel turned off: the step as two OpenBLAS products.
OURS_BLAS = "sgdiff_f64_blas"


def size_args(size):
    M, d, B, K = size
    return ["-M", str(M), "-d", str(d), "-B", str(B), "-K", str(K)]


def sgdiff_command(binary, size):
    return [binary, "bench", "finite-sum", "--json"] + size_args(size) + ["--repeats", "3"]


def torch_command(python, flags, size):
    return [python, TORCH_SCRIPT] + flags + size_args(size)


def width(impl):
    return "float32" if "f32" in impl else "float64"


def _show(cmd, python):
    """The command as a reader reruns it from the project root: $PY for the peers' python."""
    return " ".join("$PY" if c == python else os.path.relpath(c, ROOT) if c.startswith(ROOT + os.sep) else c for c in cmd)


def _run(cmd, impl, tag, jsonl, env, python, prefix=""):
    """Runs one process, checks every JSON line against the contract and appends it to jsonl; a failure
    is recorded as an error row (so the table says what is missing) and reported in one line on stderr."""
    shown = prefix + _show(cmd, python)
    t0 = time.time()
    try:
        p = subprocess.run(cmd, text=True, capture_output=True, env=env)
        if p.returncode != 0:
            last = (p.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise RuntimeError(f"exit status {p.returncode}: {last}")
        recs = []
        for n, line in enumerate(l for l in p.stdout.splitlines() if l.strip()):
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                raise RuntimeError(f"stdout line {n + 1} is not JSON: {line[:80]!r}")
            missing = [k for k in REQUIRED if k not in rec]
            if missing:
                raise RuntimeError(f"stdout line {n + 1} lacks {', '.join(missing)}")
            recs.append(rec)
        if not recs:
            raise RuntimeError("printed no JSON line")
    except (OSError, RuntimeError) as e:
        msg = f"`{shown}` failed: {e}"
        print(f"benchmarks.py: finite-sum: {msg}; its row stays out of the table", file=sys.stderr, flush=True)
        recs = [{"kind": "finite-sum", "impl": impl, "error": msg}]
    t1 = time.time()
    with open(jsonl, "a") as f:
        for rec in recs:
            rec.setdefault("kind", "finite-sum")
            rec.setdefault("t_start", t0)
            rec.setdefault("t_end", t1)
            rec.update({"tag": tag, "command": shown})
            f.write(json.dumps(rec) + "\n")


def run_round(binary, python, tag, jsonl, size, env):
    print(f"[{tag}] sgdiff bench finite-sum", flush=True)
    _run(sgdiff_command(binary, size), OURS, tag, jsonl, env, python)
    print(f"[{tag}] sgdiff bench finite-sum (SGDIFF_FS_KERNEL=none)", flush=True)
    _run(sgdiff_command(binary, size), OURS_BLAS, tag, jsonl, dict(env, SGDIFF_FS_KERNEL="none"), python, prefix="SGDIFF_FS_KERNEL=none ")
    for impl, flags in TORCH_VARIANTS:
        print(f"[{tag}] {impl}", flush=True)
        _run(torch_command(python, flags, size) + ["--tag", tag], impl, tag, jsonl, env, python)


def _foreign_load(monitor_tsv):
    samples = []
    if os.path.exists(monitor_tsv):
        with open(monitor_tsv) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) >= 4:
                    samples.append((float(p[0]), float(p[3])))

    def load(r):
        v = [o for t, o in samples if r["t_start"] < t <= r["t_end"] + 1.0]
        return sum(v) / len(v) if v else None
    return load


def _step_gflops(r):
    """Two GEMMs of 2 M d flops per path-step; the rest of the step is O(M) per path."""
    return r["path_steps_per_s"] * 4.0 * r["M"] * r["d"] / 1e9


def table(recs, monitor_tsv, command):
    """BENCHMARKS.md lines for the finite-sum part (empty if it never ran)."""
    recs = [r for r in recs if r.get("kind") == "finite-sum"]
    if not recs:
        return []
    foreign = _foreign_load(monitor_tsv)
    ok = [r for r in recs if not r.get("error")]
    by_impl = {}
    for r in ok:
        by_impl.setdefault(r["impl"], []).append(r)
    med = {i: statistics.median(r["path_steps_per_s"] for r in rs) for i, rs in by_impl.items()}
    gemm = {i: statistics.median(r["gemm_gflops"] for r in rs) for i, rs in by_impl.items()}
    machine = {w: max((g for i, g in gemm.items() if width(i) == w), default=None) for w in ("float64", "float32")}
    size = next(iter(ok), None) or {}
    lines = ["", "## Finite sums: exact SME-1 of logistic regression (issue 9)", "",
             "Euler–Maruyama for the SGD diffusion of L2-free logistic regression on synthetic data "
             f"(M = {size.get('M', '?')} samples, d = {size.get('d', '?')}, B = {size.get('B', '?')} paths, "
             f"K = {size.get('K', '?')} steps of h = η = 0.1, batch m = 32, Σ = (1/m − 1/M)Σ₀ of Prop. 1), each step one",
             "weighted full-data gradient −Aᵀ(R ⊙ W), W = h/M + c(z − z̄): an exact sample of the SDE step, two GEMMs of",
             "2·M·d·B flops and M·B normals. *GEMM GFLOP/s*: the two GEMM shapes (A X and Aᵀ R) timed alone in the same",
             "process with that implementation's own BLAS; *of own GEMM*: the step's GEMM flops per second over that rate;",
             "*of machine's*: over the fastest GEMM rate any implementation measured at that width in this session.",
             "sgdiff_f64 runs the step as one fused kernel (CFiniteSumKernels: each row block of A multiplied by X, turned",
             "into its weighted slopes and multiplied back while in cache), not as GEMM calls; its *GEMM* column is",
             "OpenBLAS at the two shapes, which sgdiff_f64_blas (the same binary, `SGDIFF_FS_KERNEL=none`) runs instead.",
             "Cells are medians over processes (each the best of 3 timed repeats; range over processes in brackets).", "",
             "Produced by", "", "    " + command, "",
             "which runs, once per round and one process each:", ""]
    for impl in [OURS, OURS_BLAS] + [i for i, _ in TORCH_VARIANTS]:
        cmd = next((r["command"] for r in recs if r["impl"] == impl), None)
        if cmd:
            lines.append(f"    {cmd}")
    lines += ["", "| impl | width | path-steps/s | GEMM GFLOP/s | step GFLOP/s | of own GEMM | of machine's | mean F(X_K) ± se | runs | foreign CPU per run (cores) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for impl in sorted(by_impl, key=lambda i: (i not in (OURS, OURS_BLAS), i != OURS, width(i) != "float64", -med[i])):
        rs = by_impl[impl]
        v = [r["path_steps_per_s"] for r in rs]
        step = statistics.median(_step_gflops(r) for r in rs)
        own = statistics.median(_step_gflops(r) / r["gemm_gflops"] for r in rs)
        last = rs[-1]
        se = f" ± {last['sd_final_loss'] / math.sqrt(last['B']):.2g}" if "sd_final_loss" in last else ""
        loads = ",".join("?" if (x := foreign(r)) is None else f"{x:.1f}" for r in rs)
        lines.append(f"| {impl} | {width(impl)} | {med[impl]:.4g} ({min(v):.4g}–{max(v):.4g}) | {gemm[impl]:.3g} | {step:.3g} | "
                     f"{100 * own:.0f}% | {100 * step / machine[width(impl)]:.0f}% | {last['mean_final_loss']:.6f}{se} | "
                     f"{len(rs)} | {loads} |")
    for r in recs:
        if r.get("error"):
            lines.append(f"| {r['impl']} | {width(r['impl'])} | failed ({r['tag']}): {r['error'].replace('|', '/')} | | | | | | | |")
    lines.append("")
    torch64 = {i: v for i, v in med.items() if i.startswith("torch") and width(i) == "float64"}
    torch_any = {i: v for i, v in med.items() if i.startswith("torch")}
    if OURS not in med:
        lines.append("No sgdiff row: `sgdiff bench finite-sum` failed in every round (see the table), so there is no ratio.")
    elif not torch_any:
        lines.append("No PyTorch row: the peer failed in every round, so there is no ratio.")
    else:
        ours = med[OURS]
        if torch64:
            best = max(torch64, key=torch64.get)
            lines.append(f"- **sgdiff_f64 / fastest float64 PyTorch ({best}): {ours / torch64[best]:.2f}x** (issue 9 asks ≥ 2x)")
        if OURS_BLAS in med:
            lines.append(f"- sgdiff_f64 (fused kernel) / sgdiff_f64_blas (two OpenBLAS products): {ours / med[OURS_BLAS]:.2f}x")
        best = max(torch_any, key=torch_any.get)
        lines.append(f"- sgdiff_f64 / fastest PyTorch at any width ({best}): {ours / torch_any[best]:.2f}x")
        frac = statistics.median(_step_gflops(r) for r in by_impl[OURS]) / machine["float64"]
        lines.append(f"- sgdiff_f64's step runs at {100 * frac:.0f}% of the machine's float64 GEMM rate at these shapes "
                     f"({machine['float64']:.3g} GFLOP/s; issue 9 asks ≥ 50%)")
        lines += _cross_check(by_impl)
    return lines


def _cross_check(by_impl):
    """sgdiff's mean F(X_K) against each float64 PyTorch variant's. The two draw their data sets with
    different generators (same law, different samples), so the difference holds the data-set-to-
    data-set spread of F as well as the paths' standard error: a size check, not a z-test."""
    ours = by_impl[OURS][-1]
    out = []
    for impl, rs in sorted(by_impl.items()):
        if not impl.startswith("torch") or width(impl) != "float64":
            continue
        t = rs[-1]
        diff = ours["mean_final_loss"] - t["mean_final_loss"]
        if "sd_final_loss" in ours and "sd_final_loss" in t:
            se = math.sqrt(ours["sd_final_loss"] ** 2 / ours["B"] + t["sd_final_loss"] ** 2 / t["B"])
            out.append(f"- mean F(X_K), sgdiff_f64 − {impl}: {diff:+.2e} (paths' standard error {se:.1e}; the data sets differ, "
                       f"each drawn by its own generator from the same law, so this is a size check, not a z-test)")
        else:
            out.append(f"- cross-check of mean F(X_K), sgdiff_f64 − {impl}: {diff:+.2e} (sgdiff gave no sd_final_loss for a z-score)")
    return out
