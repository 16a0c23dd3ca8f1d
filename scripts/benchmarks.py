#!/usr/bin/env python3
"""Run sgdiff's benchmarks and the peers' (numpy, numba, JAX, diffrax, torchsde, PyTorch) back to
back in one session, one implementation per process, and write BENCHMARKS.md.

    python3 scripts/benchmarks.py [--peers-python PY] [--runs 3] [--out results/bench] [--parts sde,mlp,finite-sum]

The peers' environment is built once, outside the repository, by
    bash ../shared/bench/setup-peers.sh $HOME/.venvs/peers
Figures of merit follow ../shared/bench/README.md: path-steps/s = N K / seconds, best of 3 timed
repeats within a process, median over processes. The machine is shared: the CPU monitor's
foreign-load column says which runs were quiet.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "bench"))
import finite_sum  # noqa: E402

PARTS = ("sde", "mlp", "finite-sum")
PEER_SDE = ["numpy", "numba", "numba_gen", "jax_f32", "jax_f32_2dev", "diffrax_f32", "torch_raw_f32", "torch_raw_f64", "torchsde_f32"]
PEER_RNG = ["numba", "torch"]


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def width(impl):
    return "float32" if "f32" in impl else "float64"


def sgdiff_sde(binary, run_tag, jsonl, paths, steps):
    t0 = time.time()
    out = sh([binary, "bench", "sde", "--json", "-N", str(paths), "-K", str(steps), "--repeats", "3", "--via-sgd"])
    t1 = time.time()
    with open(jsonl, "a") as f:
        for line in out.splitlines():
            m = json.loads(line)
            impl = "sgdiff_" + ("f32" if m["precision"] == "float32" else "f64") + ("_via_sgd" if "SGD" in m["implementation"] else "")
            best = min(m["seconds"])
            stats = {"meanX": m["mean"][0], "varX": m["variance"][0]}
            if m["problem"] == "B":
                stats.update({"meanY": m["mean"][1], "varY": m["variance"][1]})
            rec = {"kind": "sde", "impl": impl, "problem": m["problem"], "N": m["paths"], "K": m["steps"], "best_s": best,
                   "times_s": m["seconds"], "first_s": float("nan"), "path_steps_per_s": m["paths"] * m["steps"] / best,
                   "stats": stats, "note": f"{m['threads']} threads, Philox4x32-10 + Box-Muller", "t_start": t0, "t_end": t1, "tag": run_tag}
            f.write(json.dumps(rec) + "\n")


def sgdiff_rng(binary, run_tag, jsonl):
    t0 = time.time()
    out = json.loads(sh([binary, "bench", "rng", "--json"]))
    t1 = time.time()
    with open(jsonl, "a") as f:
        for m in out:
            method = m.get("method", "box-muller")
            f.write(json.dumps({"kind": "rng", "impl": f"sgdiff GaussianStream {method} ({m.get('kernel', '?')}) {m['precision']}, {m['threads']} threads",
                                "size": 16 * 512, "numbers_per_s": m["numbersPerSecond"], "first_s": float("nan"),
                                "note": f"Philox4x32-10, vectorised {method}", "t_start": t0, "t_end": t1, "tag": run_tag}) + "\n")


def sgdiff_mlp(binary, run_tag, jsonl, mnist, windows):
    """`sgdiff bench mlp`, recorded in mlp_bench.py's JSON shape so both land in one table."""
    t0 = time.time()
    out = sh([binary, "bench", "mlp", "--json", "--mnist-dir", mnist, "--windows", str(windows)])
    with open(jsonl, "a") as f:
        for line in out.splitlines():
            m = json.loads(line)
            f.write(json.dumps({"kind": "mlp_throughput", "framework": "sgdiff", "batch": m["batch"], "optim": m["optimizer"],
                                "samples_per_s": m["samplesPerSecond"], "median": m["median"], "note": "OpenBLAS " + m["blasKernel"],
                                "dataset": "mnist", "version": "sgdiff " + m.get("version", ""), "threads": m.get("threads", 2),
                                "warmup_s": m.get("warmupSeconds", float("nan")), "warmup_steps": m.get("warmupSteps", 10),
                                "t_start": t0, "t_end": time.time(), "tag": run_tag}) + "\n")


def mlp_rows(recs):
    """Median over rounds of each round's median samples/s, per (framework, batch, optimiser)."""
    med = {}
    for r in recs:
        if r.get("kind") == "mlp_throughput" and not r.get("error"):
            med.setdefault((r["framework"], r["batch"], r["optim"]), []).append(r["median"])
    return {k: (statistics.median(v), len(v), min(v), max(v)) for k, v in med.items()}


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def ratios(recs):
    """Median path-steps/s per (problem, impl), then ours over the fastest peer of the same width."""
    med = {}
    for r in recs:
        if r.get("kind") == "sde" and not r.get("error"):
            med.setdefault((r["problem"], r["impl"]), []).append(r["path_steps_per_s"])
    med = {k: statistics.median(v) for k, v in med.items()}
    rows = []
    for prob in sorted({p for p, _ in med}):
        for w in ["float64", "float32"]:
            ours = med.get((prob, "sgdiff_" + ("f32" if w == "float32" else "f64")))
            peers = {i: v for (p, i), v in med.items() if p == prob and not i.startswith("sgdiff") and width(i) == w}
            if ours is None or not peers:
                continue
            best_impl = max(peers, key=peers.get)
            rows.append((prob, w, ours, best_impl, peers[best_impl], ours / peers[best_impl]))
    return rows, med


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers-python", default=os.environ.get("PY", os.path.expanduser("~/.venvs/peers/bin/python")))
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared", "bench"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(ROOT, "results", "bench"))
    ap.add_argument("--paths", type=int, default=100000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--summarize-only", action="store_true", help="rewrite BENCHMARKS.md from existing results")
    ap.add_argument("--parts", default="sde,mlp", help="which benchmarks to run: sde (with RNG), mlp (F1 network on MNIST), "
                    "finite-sum (exact SME-1 of logistic regression against PyTorch, issue 9); the others' tables are kept")
    ap.add_argument("--finite-sum-size", default="4096,256,64,200", help="M,d,B,K of the finite-sum part")
    ap.add_argument("--sgdiff", default=os.path.join(ROOT, ".build", "release", "sgdiff"), help="the sgdiff binary to time")
    ap.add_argument("--no-build", action="store_true", help="time --sgdiff as it is instead of building it first")
    ap.add_argument("--mnist-dir", default=os.environ.get("SGDIFF_MNIST_DIR", os.path.join(ROOT, "..", "shared", "data", "mnist")))
    ap.add_argument("--mlp-windows", type=int, default=5)
    a = ap.parse_args()
    parts = set(a.parts.split(","))
    if parts - set(PARTS):
        ap.error(f"--parts: unknown part {', '.join(sorted(parts - set(PARTS)))} (choose from {', '.join(PARTS)})")
    try:
        fs_size = [int(v) for v in a.finite_sum_size.split(",")]
        assert len(fs_size) == 4 and min(fs_size) >= 1
    except (ValueError, AssertionError):
        ap.error(f"--finite-sum-size: expected four positive integers M,d,B,K, got {a.finite_sum_size!r}")
    os.makedirs(a.out, exist_ok=True)
    sde_jsonl = os.path.join(a.out, "sde.jsonl")
    mlp_jsonl = os.path.join(a.out, "mlp.jsonl")
    fs_jsonl = os.path.join(a.out, "finite_sum.jsonl")
    commands_json = os.path.join(a.out, "commands.json")
    binary = a.sgdiff
    env = dict(os.environ)
    commands = json.load(open(commands_json)) if os.path.exists(commands_json) else {}
    if not a.summarize_only:
        if not a.no_build:
            subprocess.run(["swift", "build", "-c", "release", "--product", "sgdiff"], cwd=ROOT, check=True)
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            sys.exit(f"benchmarks.py: no sgdiff binary at {binary} (build it, or pass --sgdiff PATH)")
        fresh = {"sde": ["sde.jsonl"], "mlp": ["mlp.jsonl"], "finite-sum": ["finite_sum.jsonl"]}
        for f in [f for p in parts for f in fresh[p]] + ["load.log", "cpu_monitor.tsv"]:
            if os.path.exists(os.path.join(a.out, f)):
                os.remove(os.path.join(a.out, f))
        # Each table names the command line that produced it, also when later runs redo only other parts.
        argv = " ".join(["python3", "scripts/benchmarks.py"] + sys.argv[1:])
        commands.update({p: argv for p in parts})
        with open(commands_json, "w") as f:
            json.dump(commands, f, indent=1)
        with open(os.path.join(a.out, "env.txt"), "w") as f:
            f.write(sh([a.peers_python, os.path.join(a.shared, "env_info.py")]))
            f.write("sgdiff bench blas:\n" + sh([binary, "bench", "blas", "--sizes", "1024,2048", "--repeats", "3"]))
        # The shared monitor counts only the Python peers as benchmark processes; sgdiff's own threads
        # would show up as foreign load, so it runs here with sgdiff's command line added to its markers.
        monitor_code = ("import sys; sys.path.insert(0, sys.argv[1]); import monitor; "
                        "monitor.MARKERS = monitor.MARKERS + ('sgdiff bench', '%s'); sys.argv = sys.argv[1:]; monitor.main()") % finite_sum.MONITOR_MARKER
        monitor = subprocess.Popen([a.peers_python, "-c", monitor_code, a.shared, os.path.join(a.out, "cpu_monitor.tsv"), "1"])
        try:
            if "sde" in parts:
                subprocess.run([a.peers_python, os.path.join(a.shared, "sde_bench.py"), "--only", "reference", "--json", sde_jsonl,
                                "--tag", "ref"], check=True, capture_output=True)
            for run in range(1, a.runs + 1 if "sde" in parts else 1):
                tag = f"run{run}"
                with open(os.path.join(a.out, "load.log"), "a") as f:
                    f.write(f"{tag} start {time.strftime('%FT%TZ', time.gmtime())} loadavg {open('/proc/loadavg').read()}")
                print(f"[{tag}] sgdiff", flush=True)
                sgdiff_sde(binary, tag, sde_jsonl, a.paths, a.steps)
                sgdiff_rng(binary, tag, sde_jsonl)
                for impl in PEER_SDE:
                    print(f"[{tag}] {impl}", flush=True)
                    subprocess.run([a.peers_python, os.path.join(a.shared, "sde_bench.py"), "--only", impl, "--json", sde_jsonl,
                                    "--tag", tag, "-N", str(a.paths), "-K", str(a.steps)], capture_output=True, env=env)
                for lib in PEER_RNG:
                    subprocess.run([a.peers_python, os.path.join(a.shared, "sde_bench.py"), "--only", "rng", "--rng-libs", lib,
                                    "--json", sde_jsonl, "--tag", tag], capture_output=True, env=env)
            for run in range(1, a.runs + 1 if "mlp" in parts else 1):
                tag = f"mlp{run}"
                print(f"[{tag}] sgdiff mlp", flush=True)
                sgdiff_mlp(binary, tag, mlp_jsonl, a.mnist_dir, a.mlp_windows)
                print(f"[{tag}] torch mlp", flush=True)
                subprocess.run([a.peers_python, os.path.join(a.shared, "mlp_bench.py"), "--mnist-dir", a.mnist_dir, "--frameworks", "torch",
                                "--repeats", str(a.mlp_windows), "--epochs", "0", "--json", mlp_jsonl, "--tag", tag], capture_output=True, env=env)
            for run in range(1, a.runs + 1 if "finite-sum" in parts else 1):
                with open(os.path.join(a.out, "load.log"), "a") as f:
                    f.write(f"fs{run} start {time.strftime('%FT%TZ', time.gmtime())} loadavg {open('/proc/loadavg').read()}")
                finite_sum.run_round(binary, a.peers_python, f"fs{run}", fs_jsonl, fs_size, env)
        finally:
            monitor.terminate()
    tables = sh([a.peers_python, os.path.join(a.shared, "summarize.py"), a.out])
    rows, med = ratios(load(sde_jsonl))
    rng = {}
    for r in load(sde_jsonl):
        if r.get("kind") == "rng":
            rng.setdefault(r["impl"], []).append(r["numbers_per_s"])
    rng = {k: statistics.median(v) for k, v in rng.items()}
    # The SDE and MLP tables' command lines; the finite-sum section names its own.
    header_commands = list(dict.fromkeys(commands[p] for p in ("sde", "mlp") if p in commands))
    if not header_commands:   # a results directory from before commands.json: the invocation's own parts
        run_parts = ",".join(p for p in ("sde", "mlp") if p in parts)
        header_commands = ["python3 scripts/benchmarks.py --runs %d --parts %s" % (a.runs, run_parts) if run_parts
                           else "(command not recorded in %s)" % a.out]
    lines = ["# Benchmarks", "",
             "Measured on this project's development machine in one session, one implementation per process, by",
             ""] + ["    " + c for c in header_commands] + ["",
             "(peers from `../shared/bench`, set up with `bash ../shared/bench/setup-peers.sh $HOME/.venvs/peers`).",
             "The machine is shared and noisy: every number is a median over processes, each process reporting the",
             "best of 3 timed repeats; ratios compare medians from the same session.", "",
             "## Ratios: sgdiff against the fastest peer at the same float width", "",
             "| problem | width | sgdiff path-steps/s | fastest peer | its path-steps/s | ratio |", "|---|---|---|---|---|---|"]
    for prob, w, ours, impl, theirs, ratio in rows:
        lines.append(f"| {prob} | {w} | {ours:.3g} | {impl} | {theirs:.3g} | **{ratio:.2f}x** |")
    ours_rng = {k: v for k, v in rng.items() if k.startswith("sgdiff")}
    if ours_rng:
        lines += ["", "## How far from the random-number bound", "",
                  "Every path-step of problem A draws one Gaussian variate (problem B two), so the generator's own throughput",
                  "bounds the ensemble's. Same session:", ""]
        for k, v in ours_rng.items():
            lines.append(f"- {k}: {v:.3g} normals/s")
        for prob, per_step in [("A", 1), ("B", 2)]:
            for w, tag in [("float64", "f64"), ("float32", "f32")]:
                ours = med.get((prob, "sgdiff_" + tag))
                bound = next((v for k, v in ours_rng.items() if w in k), None)
                if ours and bound:
                    lines.append(f"- problem {prob}, {w}: {ours:.3g} path-steps/s = {100 * ours * per_step / bound:.0f}% of the bound "
                                 f"({bound / per_step:.3g} path-steps/s if stepping were free)")
    mlp = mlp_rows(load(mlp_jsonl))
    if mlp:
        lines += ["", "## The F1 network on MNIST: training throughput", "",
                  "784 → 5 × [Linear(512) → BatchNorm → ReLU] → Linear(10), float32, 2 threads, as `../shared/bench/mlp_bench.py`",
                  "measures it: samples/s over timed windows of ≥ 2 s after warm-up (data gathering, forward, backward, update).",
                  "sgdiff and PyTorch alternate in rounds in the same session; each cell is the median over rounds of the round's",
                  "median window (range over rounds in brackets).", "",
                  "| batch | optimiser | sgdiff samples/s | PyTorch samples/s | ratio |", "|---|---|---|---|---|"]
        for (fw, b, o) in sorted(k for k in mlp if k[0] == "sgdiff"):
            ours = mlp[(fw, b, o)]
            theirs = mlp.get(("torch", b, o))
            if theirs:
                lines.append(f"| {b} | {o} | {ours[0]:.0f} ({ours[2]:.0f}–{ours[3]:.0f}) | {theirs[0]:.0f} ({theirs[2]:.0f}–{theirs[3]:.0f}) | **{ours[0] / theirs[0]:.2f}x** |")
        torch_version = next((r.get("version") for r in load(mlp_jsonl) if r.get("framework") == "torch" and r.get("version")), None)
        if torch_version:
            lines += ["", f"PyTorch: {torch_version}."]
    lines += finite_sum.table(load(fs_jsonl), os.path.join(a.out, "cpu_monitor.tsv"),
                              commands.get("finite-sum", "python3 scripts/benchmarks.py --parts finite-sum   (assumed: not recorded)"))
    lines += ["", "## Full tables", "", tables.strip(), "", "## Machine", "", "```", open(os.path.join(a.out, "env.txt")).read().strip(), "```", ""]
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines[:30]))


if __name__ == "__main__":
    main()
