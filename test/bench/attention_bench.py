"""Benchmark (not a test): tfmc's tfm.attention side by side with PyTorch.

usage: /usr/bin/python3 test/bench/attention_bench.py [--quick]
           [--sizes 128,512,1024,2048] [--threads 1,2] [--masks none,causal]
           [--rounds N] [--target-s SECONDS] [--quiet-wait SECONDS]
           [--no-mem] [--json FILE] [--tfmc-compile PATH] [--python PATH]
           [--torch-blas-dir DIR] [--workdir DIR] [--keep]
(test/bench/README.md: how to run it, and OpenBLAS for the torch peers)

Shapes: batch 1, 8 heads, head size 64, S queries and S keys, f32.

Peers, all timed per call (min and median over the runs):
  tfmc flash    a model with one tfm.attention compiled with
                --attention=flash, timed by the executable's own --bench N
                (one warm-up run, then N runs, CLOCK_MONOTONIC per run);
                run with --threads T (a model compiled without threading
                runs on one thread and says so: such cells are marked *)
  tfmc unfused  the same model with --attention=unfused
  torch plain   PyTorch eager attention as users write it:
                softmax(q @ k.transpose(-2, -1) / sqrt(d), causal mask via
                masked_fill(-inf)) @ v, default allocator, inference_mode
  torch MHA     torch.nn.MultiheadAttention(512, 8, batch_first=True) in
                eval mode, self-attention mha(x, x, x, need_weights=False),
                causal via a boolean attn_mask. It includes the q/k/v and
                output projections (8·S·E² more FLOPs, E = 512), which the
                other three do not compute; in torch 1.13 the non-causal call
                takes the fused fast path (torch._native_multi_head_attention),
                the causal one (attn_mask given) does not.
Every torch peer runs in a worker subprocess per thread count with
OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = T, torch.set_num_threads(T),
OPENBLAS_CORETYPE=SkylakeX (Debian's OpenBLAS 0.3.21 misdetects this CPU and
runs SSE3 kernels 5x slower without it; only set when the CPU has AVX-512),
and for T > 1 OMP_WAIT_POLICY=PASSIVE (libgomp's spinning otherwise fights
OpenBLAS's own threads). These variables are set in the subprocesses'
environments only. The peers of one configuration run one after the other
(their order alternating between rounds), so that load from other jobs on
this shared machine hits all of them alike; the idle share of the CPUs is
checked before each measurement and reported.

GFLOP/s count the attention matmuls as dense, 4·B·H·S²·Dh, for causal
attention too (the needed work is half of that); torch MHA's are counted
with its projections (4·S²·E + 8·S·E²). Ratios are tfmc time / peer time on
the min times (< 1: tfmc is faster).

Peak extra memory (T = 1, one separate run per peer): the growth of the
process's peak RSS during one forward call, after a warm-up call, with the
inputs already resident; the output and every temporary count. Both sides
run with MALLOC_MMAP_THRESHOLD_=65536 so that freed blocks go back to the
OS (otherwise glibc keeps them and the second call would not show them).
torch: VmHWM - VmRSS around the call (/proc/self/clear_refs resets VmHWM).
tfmc: the same, measured by a tiny C helper linked with the model compiled
as a library (--emit=lib), which allocates the inputs, runs once, allocates
a fresh output buffer and measures the second run.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench_common import (Worker, busy_percent, has_avx512, parse_latency,
                          start_torch_worker, time_tfmc, wait_quiet)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
B, H, DH = 1, 8, 64
E = H * DH

# ----------------------------------------------------------------------------
# The torch worker: `attention_bench.py --worker T`, driven over stdin/stdout
# with one JSON object per line.
# ----------------------------------------------------------------------------


def worker(threads):
    torch, hello = start_torch_worker(threads)
    import torch.nn as nn

    print(json.dumps(hello), flush=True)

    def plain(q, k, v, mask):
        s = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        if mask is not None:
            s = s.masked_fill(mask, float("-inf"))
        return torch.softmax(s, dim=-1) @ v

    def make(peer, S, causal):
        mask = torch.ones(S, S, dtype=torch.bool).triu(1) if causal else None
        if peer == "plain":
            q, k, v = (torch.randn(B, H, S, DH) for _ in range(3))
            return lambda: plain(q, k, v, mask)
        mha = nn.MultiheadAttention(E, H, batch_first=True).eval()
        x = torch.randn(B, S, E)
        if mask is None:
            return lambda: mha(x, x, x, need_weights=False)
        return lambda: mha(x, x, x, need_weights=False, attn_mask=mask)

    def status(key):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
        return 0

    for line in sys.stdin:
        cmd = json.loads(line)
        with torch.inference_mode():
            f = make(cmd["peer"], cmd["S"], cmd["causal"])
            if cmd["op"] == "mem":
                f()
                with open("/proc/self/clear_refs", "w") as cr:
                    cr.write("5")           # VmHWM := VmRSS
                base = status("VmRSS")
                f()
                reply = {"peak_extra_bytes": status("VmHWM") - base}
            else:
                for _ in range(3):
                    f()
                t0 = time.perf_counter()
                f()
                once = time.perf_counter() - t0
                n = max(cmd["min_runs"], min(cmd["max_runs"], int(cmd["target_s"] / once)))
                samples = []
                for _ in range(n):
                    t0 = time.perf_counter()
                    f()
                    samples.append(time.perf_counter() - t0)
                reply = {"min_ms": min(samples) * 1e3,
                         "median_ms": statistics.median(samples) * 1e3, "runs": n}
        print(json.dumps(reply), flush=True)


def torch_env(threads, mem=False, blas_dir=None):
    env = dict(os.environ)
    if blas_dir:
        env["LD_LIBRARY_PATH"] = os.pathsep.join(
            [blas_dir] + [p for p in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p])
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY",
                "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_MAX_"):
        env.pop(var, None)
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = str(threads)
    if has_avx512():
        env["OPENBLAS_CORETYPE"] = "SkylakeX"
    if threads > 1:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    if mem:
        env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    return env


# ----------------------------------------------------------------------------
# tfmc: the models, the executables, the memory helper.
# ----------------------------------------------------------------------------

MEM_HELPER = r"""
/* Peak RSS growth of one run of a tfmc model library (see attention_bench.py). */
#include "libattn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long status_kib(const char *key) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  size_t n = strlen(key);
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, key, n)) { v = atol(line + n); break; }
  if (f) fclose(f);
  return v;
}

static size_t bytes_of(const tfmrt_tensor_info *t) {
  size_t n = t->dtype == TFMRT_F32 || t->dtype == TFMRT_I32 ? 4
             : t->dtype == TFMRT_I64 ? 8 : t->dtype == TFMRT_I1 ? 1 : 2;
  for (int d = 0; d < t->rank; ++d) n *= (size_t)t->shape[d];
  return n;
}

static void *alloc(size_t bytes) {
  void *p = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
  if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
  return p;
}

int main(void) {
  const tfmrt_model *m = tfmc_attn_info();
  tfmrt_tensor in[16], out[16];
  unsigned long long s = 88172645463325252ull;
  for (int i = 0; i < m->num_inputs; ++i) {
    const tfmrt_tensor_info *t = &m->inputs[i];
    size_t bytes = bytes_of(t);
    float *p = alloc(bytes);
    if (t->dtype == TFMRT_F32)
      for (size_t j = 0; j < bytes / 4; ++j) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        p[j] = (float)((s >> 40) / 8388608.0 - 1.0);
      }
    else
      memset(p, 1, bytes);
    in[i] = (tfmrt_tensor){t->dtype, t->rank, t->shape, p};
  }
  for (int i = 0; i < m->num_outputs; ++i) {
    const tfmrt_tensor_info *t = &m->outputs[i];
    out[i] = (tfmrt_tensor){t->dtype, t->rank, t->shape, alloc(bytes_of(t))};
  }
  tfmrt_context *ctx = tfmc_attn_create();
  if (tfmc_attn_run(ctx, in, out) != TFMRT_OK) {       /* warm-up */
    fprintf(stderr, "error: %s\n", tfmc_attn_error(ctx));
    return 1;
  }
  for (int i = 0; i < m->num_outputs; ++i) {           /* fresh, untouched outputs */
    free(out[i].data);
    out[i].data = alloc(bytes_of(&m->outputs[i]));
  }
  FILE *f = fopen("/proc/self/clear_refs", "w");       /* VmHWM := VmRSS */
  if (!f || fputs("5", f) < 0 || fclose(f)) { perror("clear_refs"); return 2; }
  long base = status_kib("VmRSS:");
  if (tfmc_attn_run(ctx, in, out) != TFMRT_OK) {
    fprintf(stderr, "error: %s\n", tfmc_attn_error(ctx));
    return 1;
  }
  long hwm = status_kib("VmHWM:");
  printf("peak_extra_bytes %ld\n", (hwm - base) * 1024);
  tfmc_attn_destroy(ctx);
  return 0;
}
"""


def model_mlir(S, causal):
    t = f"tensor<{B}x{H}x{S}x{DH}xf32>"
    attrs = " {causal}" if causal else ""
    return (f'func.func @main(%q: {t} {{tfm.name = "q"}}, %k: {t} {{tfm.name = "k"}}, '
            f'%v: {t} {{tfm.name = "v"}}) -> ({t} {{tfm.name = "y"}}) {{\n'
            f"  %y = tfm.attention %q, %k, %v{attrs} : ({t}, {t}, {t}) -> {t}\n"
            f"  return %y : {t}\n}}\n")


def compile_tfmc(tfmc_compile, workdir, S, causal, lowering, mem):
    """Returns (executable, memory helper or None). The model file is named
    attn.mlir so that the library's functions are tfmc_attn_*."""
    d = os.path.join(workdir, f"S{S}_{'causal' if causal else 'nomask'}_{lowering}")
    os.makedirs(d, exist_ok=True)
    model = os.path.join(d, "attn.mlir")
    with open(model, "w") as f:
        f.write(model_mlir(S, causal))
    exe = os.path.join(d, "attn")
    flags = [f"--attention={lowering}"]
    subprocess.run([tfmc_compile, model, "-o", exe, *flags], check=True)
    helper = None
    if mem:
        lib = os.path.join(d, "libattn.a")
        subprocess.run([tfmc_compile, model, "--emit=lib", "-o", lib, *flags], check=True)
        src = os.path.join(d, "mem_helper.c")
        with open(src, "w") as f:
            f.write(MEM_HELPER)
        helper = os.path.join(d, "mem_helper")
        # Models with parallel kernels call into LLVM's OpenMP runtime: link
        # them as tfmc-compile links its executables (clang, -fopenmp=libomp).
        nm = subprocess.run(["nm", lib], capture_output=True, text=True).stdout
        cc, extra = "cc", []
        if "__kmpc_fork_call" in nm:
            cc = shutil.which("clang-22") or shutil.which("clang") or "cc"
            extra = ["-fopenmp=libomp"]
        subprocess.run([cc, "-std=c11", "-O1", "-I", d, src, lib, "-lm", *extra, "-o", helper],
                       check=True)
    return exe, helper


def tfmc_env(**extra):
    """The executables run with their own defaults: no inherited OpenMP
    settings (the thread count is given with --threads)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OMP_", "KMP_", "MALLOC_"))}
    env.update(extra)
    return env


def mem_tfmc(helper):
    out = subprocess.run([helper], capture_output=True, text=True, check=True,
                         env=tfmc_env(MALLOC_MMAP_THRESHOLD_="65536", OMP_NUM_THREADS="1")).stdout
    return {"peak_extra_bytes": int(out.split()[1])}


# ----------------------------------------------------------------------------
# Load on the machine.
# ----------------------------------------------------------------------------


# ----------------------------------------------------------------------------
# Report.
# ----------------------------------------------------------------------------

def flops(peer, S):
    attn = 4.0 * B * H * S * S * DH
    return attn + (8.0 * B * S * E * E if peer == "mha" else 0.0)


PEERS = [("flash", "tfmc flash"), ("unfused", "tfmc unfused"),
         ("plain", "torch plain"), ("mha", "torch MHA")]


def report(results, mem, configs, threads_list, busy_log):
    out = []
    w = out.append
    w("### Time per call, ms: min (median); GFLOP/s at the min time")
    w("")
    w("B=1, H=8, Dh=64, f32. GFLOP/s: attention counted dense, 4·B·H·S²·Dh, for causal too; "
      "torch MHA also counts its projections (8·S·E²). * = the tfmc executable ran on 1 thread "
      "(compiled without threading).")
    w("")
    w("| S | mask | T | " + " | ".join(f"{n} ms" for _, n in PEERS) + " | "
      + " | ".join(f"{n} GF/s" for _, n in PEERS)
      + " | flash/plain | unfused/plain | flash/MHA | unfused/MHA |")
    w("|" + "---|" * (3 + 2 * len(PEERS) + 4))
    for S, causal in configs:
        for T in threads_list:
            r = {p: results.get((S, causal, T, p)) for p, _ in PEERS}
            cells = [str(S), "causal" if causal else "none", str(T)]
            cells += [f"{r[p]['min_ms']:.3f} ({r[p]['median_ms']:.3f})"
                      + ("*" if r[p].get("ran_on_1_thread") else "") if r[p] else "-"
                      for p, _ in PEERS]
            cells += [f"{flops(p, S) / r[p]['min_ms'] / 1e6:.1f}" if r[p] else "-"
                      for p, _ in PEERS]
            for a, b in (("flash", "plain"), ("unfused", "plain"), ("flash", "mha"),
                         ("unfused", "mha")):
                cells.append(f"{r[a]['min_ms'] / r[b]['min_ms']:.2f}" if r[a] and r[b] else "-")
            w("| " + " | ".join(cells) + " |")
    if mem:
        w("")
        w("### Peak extra memory of one call, MiB (T=1; peak RSS growth with the inputs resident)")
        w("")
        w("| S | mask | " + " | ".join(n for _, n in PEERS) + " | one 8-head S×S f32 score tensor |")
        w("|" + "---|" * (3 + len(PEERS)))
        for S, causal in configs:
            cells = [str(S), "causal" if causal else "none"]
            cells += [f"{mem[(S, causal, p)] / 2**20:.1f}" if (S, causal, p) in mem else "-"
                      for p, _ in PEERS]
            cells.append(f"{H * S * S * 4 / 2**20:.1f}")
            w("| " + " | ".join(cells) + " |")
    if busy_log:
        noisy = sum(1 for b in busy_log if b > 10)
        w("")
        w(f"Load: {len(busy_log)} timed measurements; {noisy} started while other jobs kept "
          f"the CPUs more than 10 % busy (max {max(busy_log):.0f} %).")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="S in {128, 512}, one round, shorter timing (a smoke run)")
    p.add_argument("--sizes", help="comma-separated sequence lengths (default 128,512,1024,2048)")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--masks", default="none,causal", help="none, causal or both")
    p.add_argument("--rounds", type=int, help="measurements per peer and configuration "
                   "(min of mins, median of medians; default 2, --quick 1)")
    p.add_argument("--target-s", type=float,
                   help="time budget of one measurement in s (default 1.0, --quick 0.3)")
    p.add_argument("--quiet-wait", type=float,
                   help="wait up to this many s for idle CPUs before each measurement "
                   "(default 3, --quick 1)")
    p.add_argument("--no-mem", action="store_true", help="skip the peak-memory measurements")
    p.add_argument("--json", help="also write the raw results to this file")
    p.add_argument("--tfmc-compile", default=os.environ.get(
        "TFMC_COMPILE", os.path.join(ROOT, "build", "bin", "tfmc-compile")))
    p.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3")
                   else sys.executable, help="the Python with torch for the peers")
    p.add_argument("--torch-blas-dir", help="a directory with OpenBLAS's libblas.so.3 and "
                   "liblapack.so.3, put first on the torch workers' LD_LIBRARY_PATH (for a "
                   "machine whose libblas.so.3 is the reference BLAS, see README.md)")
    p.add_argument("--workdir")
    p.add_argument("--keep", action="store_true", help="keep the compiled models")
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        return worker(a.worker)

    sizes = [int(s) for s in (a.sizes or ("128,512" if a.quick else "128,512,1024,2048")).split(",")]
    threads_list = [int(t) for t in a.threads.split(",")]
    masks = a.masks.split(",")
    if not set(masks) <= {"none", "causal"}:
        p.error("--masks takes none and/or causal")
    configs = [(S, m == "causal") for S in sizes for m in masks]
    rounds = a.rounds or (1 if a.quick else 2)
    target_s = a.target_s or (0.3 if a.quick else 1.0)
    quiet_wait = a.quiet_wait if a.quiet_wait is not None else (1.0 if a.quick else 3.0)
    min_runs, max_runs = (3, 200) if a.quick else (5, 1000)
    if not os.access(a.tfmc_compile, os.X_OK):
        sys.exit(f"no tfmc-compile at {a.tfmc_compile} (build first, or --tfmc-compile PATH)")

    workdir = a.workdir or tempfile.mkdtemp(prefix="tfmc-attn-bench-")
    t_start = time.monotonic()
    print(f"# tfmc attention benchmark: S={sizes} masks={masks} threads={threads_list} "
          f"rounds={rounds} target={target_s}s; workdir {workdir}", flush=True)
    print(f"# load1 at start: {open('/proc/loadavg').read().split()[0]}", flush=True)
    try:
        exes, helpers = {}, {}
        for S, causal in configs:
            for lowering in ("flash", "unfused"):
                exes[(S, causal, lowering)], helpers[(S, causal, lowering)] = compile_tfmc(
                    a.tfmc_compile, workdir, S, causal, lowering, not a.no_mem)
        print(f"# compiled {len(exes)} models in {time.monotonic() - t_start:.0f} s", flush=True)

        workers, blas_warning = {}, None
        for T in threads_list:
            workers[T] = Worker(a.python, __file__, T, torch_env(T, blas_dir=a.torch_blas_dir))
            if not any("openblas" in lib for lib in workers[T].hello["blas_libraries"]):
                blas_warning = ("WARNING: torch is not running OpenBLAS but "
                                f"{workers[T].hello['blas_libraries'] or 'no BLAS'}: Debian's reference "
                                "BLAS is ~30x slower; install libopenblas0-pthread or use "
                                "--torch-blas-dir (README.md)")
                print("# " + blas_warning, flush=True)
            print(f"# torch worker T={T}: {json.dumps(workers[T].hello)} "
                  f"env: OPENBLAS_CORETYPE={torch_env(T, blas_dir=a.torch_blas_dir).get('OPENBLAS_CORETYPE', '(unset)')} "
                  f"OMP_WAIT_POLICY={torch_env(T, blas_dir=a.torch_blas_dir).get('OMP_WAIT_POLICY', '(unset)')}", flush=True)

        samples, busy_log = {}, []
        for rnd in range(rounds):
            for S, causal in configs:
                for T in threads_list:
                    order = PEERS if rnd % 2 == 0 else PEERS[::-1]
                    for peer, _ in order:
                        busy_log.append(wait_quiet(quiet_wait))
                        if peer in ("flash", "unfused"):
                            r = time_tfmc(exes[(S, causal, peer)], T, target_s, min_runs, max_runs, env=tfmc_env())
                        else:
                            r = workers[T].ask(op="time", peer=peer, S=S, causal=causal,
                                               target_s=target_s, min_runs=min_runs,
                                               max_runs=max_runs)
                        samples.setdefault((S, causal, T, peer), []).append(r)
                        print(f"# round {rnd + 1} S={S} {'causal' if causal else 'none'} T={T} "
                              f"{peer}: min {r['min_ms']:.3f} ms median {r['median_ms']:.3f} ms "
                              f"({r['runs']} runs; others busy {busy_log[-1]:.0f}%)", flush=True)
        for w_ in workers.values():
            w_.close()
        results = {k: {"min_ms": min(r["min_ms"] for r in v),
                       "median_ms": statistics.median(r["median_ms"] for r in v),
                       "ran_on_1_thread": any(r.get("ran_on_1_thread") for r in v)}
                   for k, v in samples.items()}

        mem = {}
        if not a.no_mem:
            mw = Worker(a.python, __file__, 1, torch_env(1, mem=True, blas_dir=a.torch_blas_dir))
            for S, causal in configs:
                for peer, _ in PEERS:
                    if peer in ("flash", "unfused"):
                        r = mem_tfmc(helpers[(S, causal, peer)])
                    else:
                        r = mw.ask(op="mem", peer=peer, S=S, causal=causal)
                    mem[(S, causal, peer)] = r["peak_extra_bytes"]
            mw.close()

        print(f"# load1 at end: {open('/proc/loadavg').read().split()[0]}; "
              f"total {time.monotonic() - t_start:.0f} s", flush=True)
        print()
        print(report(results, mem, configs, threads_list, busy_log))
        print(f"\ntorch: {json.dumps(workers[threads_list[0]].hello)}")
        if blas_warning:
            print(blas_warning)
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"samples": [{"S": k[0], "causal": k[1], "threads": k[2],
                                        "peer": k[3], "rounds": v} for k, v in samples.items()],
                           "peak_extra_bytes": [{"S": k[0], "causal": k[1], "peer": k[2],
                                                 "bytes": v} for k, v in mem.items()]},
                          f, indent=1)
    finally:
        if not a.keep and not a.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
