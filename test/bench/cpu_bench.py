"""Benchmark (not a test): tfmc's linear layers and Transformer layers next to
OpenBLAS, oneDNN and PyTorch on the CPU.

usage: /usr/bin/python3 test/bench/cpu_bench.py [--quick] [--threads 1,2]
           [--sections linear,encoder,large] [--rounds N] [--target-s SECONDS]
           [--quiet-wait SECONDS] [--no-dnnl] [--tfmc-compile PATH]
           [--python PATH] [--workdir DIR] [--keep]
(test/bench/README.md describes it)

Sections:
  linear   y = x·Wᵀ (torch.nn.Linear's layout, no bias), x [M, K], W [N, K],
           M×K×N in {128×512×2048, 512×512×2048, 512×2048×512, 1024³}.
           tfmc: a model `y = tfm.linear x, W` with W a tfm.weight (random,
           in a .safetensors beside it), compiled once per shape, timed by
           the executable's own --bench N --threads T.
           OpenBLAS: numpy's x @ W.T (sgemm with W transposed), in the
           worker subprocess; the worker reports which BLAS threadpoolctl
           and the dynamic loader see.
           oneDNN (if libdnnl-dev is installed): cpu_bench_dnnl.cpp, built
           at run time with g++ in the work directory: dnnl_sgemm('N', 'T')
           and the matmul primitive with its weights pre-reordered to the
           layout oneDNN picks (what an engine with known weights can do).
           Reported: ms, GFLOP/s (2·M·K·N), % of the nominal FMA peak
           (195 GFLOP/s per core: 2 AVX-512 FMAs per cycle at ~3.0 GHz,
           measured in shared/anchors), ratios tfmc time / peer time.
  encoder  nn.TransformerEncoderLayer(512, 8, 2048, batch_first=True) in
           eval mode (ReLU, post-norm, dropout off), batch 1, S in
           {128, 512}: tfmc runs the same layer written in tfm IR
           (tfm.multi_head_attention with biases, add, layer_norm, linear,
           relu, linear, add, layer_norm) with random weights; PyTorch
           eager under inference_mode (its fast path,
           torch._transformer_encoder_layer_fwd, is allowed).
  large    a 6-layer encoder (nn.TransformerEncoder of the layer above) at
           S = 512, and a GPT-2-small block (768, 12 heads, 3072, causal,
           pre-norm, GELU tanh) at S = 1024 against a hand-written PyTorch
           GPT-2 block (fused qkv linear, plain softmax attention).
  GFLOP/s of the layers count the matmuls only, attention dense (causal
  too): 8·S·E² + 4·S·E·F + 4·S²·E per layer.

Peers run in one worker subprocess per thread count T whose environment
alone gets OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = T,
OPENBLAS_CORETYPE=SkylakeX (on AVX-512 CPUs: Debian's OpenBLAS 0.3.21
misdetects them and runs SSE3 kernels 5x slower) and, for T > 1,
OMP_WAIT_POLICY=PASSIVE (PyTorch's spinning OpenMP threads otherwise fight
OpenBLAS's own); it calls torch.set_num_threads(T) and threadpoolctl's
threadpool_limits(T). The oneDNN program gets OMP_NUM_THREADS = T. The tfmc
executables get no inherited OMP_*/KMP_* variables, only --threads T.
Every measurement times calls one by one (min and median; one warm-up call
for tfmc, three for the others) for about --target-s seconds; with
--rounds > 1 the peers' order alternates between rounds and the min of mins
/ median of medians is reported. The idle share of the CPUs is checked
before each measurement. Ratios are tfmc time / peer time on the min times
(< 1: tfmc is faster).
"""
import argparse
import json
import math
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

from bench_common import (Worker, busy_percent, has_avx512, parse_latency,
                          start_torch_worker, time_tfmc, wait_quiet)

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEAK_PER_CORE = 195.0       # GFLOP/s, f32 AVX-512 FMA (2/cycle x 16 lanes x 2 x ~3.0 GHz)

LINEAR_SHAPES = [(128, 512, 2048), (512, 512, 2048), (512, 2048, 512), (1024, 1024, 1024)]
LINEAR_QUICK = [(512, 512, 2048)]
# name -> (layers, width, heads, ffn, S, pre-norm, activation, causal)
LAYERS = {
    "enc1 S=128": (1, 512, 8, 2048, 128, False, "relu", False),
    "enc1 S=512": (1, 512, 8, 2048, 512, False, "relu", False),
    "enc6 S=512": (6, 512, 8, 2048, 512, False, "relu", False),
    "gpt2 block S=1024": (1, 768, 12, 3072, 1024, True, "gelu", True),
}
ENCODER = ["enc1 S=128", "enc1 S=512"]
ENCODER_QUICK = ["enc1 S=512"]
LARGE = ["enc6 S=512", "gpt2 block S=1024"]

# ----------------------------------------------------------------------------
# The peer worker: `cpu_bench.py --worker T`, one JSON object per line.
# ----------------------------------------------------------------------------


def worker(threads):
    torch, hello = start_torch_worker(threads)
    import torch.nn as nn
    import torch.nn.functional as F

    np.ones((4, 4), np.float32) @ np.ones((4, 4), np.float32)  # numpy's BLAS too
    print(json.dumps({**hello, "numpy": np.__version__}), flush=True)

    class GPT2Block(nn.Module):
        """GPT-2 block as the reference implementations write it: pre-norm,
        one fused q/k/v linear, causal softmax attention, GELU (tanh) MLP."""

        def __init__(self, d, h, ff):
            super().__init__()
            self.h = h
            self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.c_fc, self.mlp_proj = nn.Linear(d, ff), nn.Linear(ff, d)

        def forward(self, x, mask):
            B, S, d = x.shape
            q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
            q, k, v = (t.view(B, S, self.h, d // self.h).transpose(1, 2) for t in (q, k, v))
            s = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.h)
            a = torch.softmax(s.masked_fill(mask, float("-inf")), dim=-1) @ v
            x = x + self.c_proj(a.transpose(1, 2).reshape(B, S, d))
            return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))

    def make(cmd):
        if cmd["peer"] == "openblas":
            M, K, N = cmd["shape"]
            rng = np.random.default_rng(0)
            x = rng.standard_normal((M, K), dtype=np.float32)
            w = rng.standard_normal((N, K), dtype=np.float32)
            y = np.empty((M, N), np.float32)
            return lambda: np.matmul(x, w.T, out=y)
        layers, d, h, ff, S, pre, act, causal = LAYERS[cmd["config"]]
        x = torch.randn(1, S, d)
        if cmd["config"].startswith("gpt2"):
            mask = torch.ones(S, S, dtype=torch.bool).triu(1)
            if cmd["peer"] == "torch_nn":
                # The same block from PyTorch's own layer (erf GELU: torch 1.13
                # has no tanh option there), causal through a boolean mask.
                nn_layer = nn.TransformerEncoderLayer(d, h, ff, batch_first=True, norm_first=True,
                                                      activation="gelu").eval()
                return lambda: nn_layer(x, src_mask=mask)
            blk = GPT2Block(d, h, ff).eval()
            return lambda: blk(x, mask)
        layer = nn.TransformerEncoderLayer(d, h, ff, batch_first=True).eval()
        m = layer if layers == 1 else nn.TransformerEncoder(layer, num_layers=layers).eval()
        return lambda: m(x)

    for line in sys.stdin:
        cmd = json.loads(line)
        with torch.inference_mode():
            f = make(cmd)
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
        print(json.dumps({"min_ms": min(samples) * 1e3,
                          "median_ms": statistics.median(samples) * 1e3, "runs": n}), flush=True)


def clean_env():
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("OMP_", "KMP_", "MALLOC_", "OPENBLAS_", "MKL_", "GOMP_"))}


def peer_env(threads):
    env = clean_env()
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = str(threads)
    if has_avx512():
        env["OPENBLAS_CORETYPE"] = "SkylakeX"
    if threads > 1:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def dnnl_env(threads):
    env = clean_env()
    env["OMP_NUM_THREADS"] = str(threads)
    return env


# ----------------------------------------------------------------------------
# tfmc models.
# ----------------------------------------------------------------------------

def tensor(shape, element="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def write_safetensors(path, weights):
    header, offset = {}, 0
    for name, arr in weights.items():
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
    encoded = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for arr in weights.values():
            f.write(arr.tobytes())


def linear_model(M, K, N):
    w = np.random.default_rng(0).standard_normal((N, K), dtype=np.float32) / math.sqrt(K)
    x_t, w_t, y_t = tensor((M, K)), tensor((N, K)), tensor((M, N))
    mlir = (f'func.func @main(%x: {x_t} {{tfm.name = "x"}}) -> ({y_t} {{tfm.name = "y"}}) {{\n'
            f'  %w = tfm.weight "w" : {w_t}\n'
            f"  %y = tfm.linear %x, %w : ({x_t}, {w_t}) -> {y_t}\n"
            f"  return %y : {y_t}\n}}\n")
    return mlir, {"w": w}


def layers_model(layers, E, H, F, S, pre_norm, act, causal):
    """nn.TransformerEncoderLayer (post-norm, ReLU) or a GPT-2 block
    (pre-norm, GELU tanh, causal), `layers` times, in tfm IR."""
    rng = np.random.default_rng(0)
    weights, lines = {}, []
    x_t, h_t, v_t, m_t = tensor((1, S, E)), tensor((1, S, F)), tensor((E,)), tensor((E, E))

    def weight(name, shape, kind="randn"):
        if kind == "ones":
            weights[name] = np.ones(shape, np.float32)
        elif kind == "zeros":
            weights[name] = np.zeros(shape, np.float32)
        else:
            weights[name] = rng.standard_normal(shape, dtype=np.float32) / math.sqrt(shape[-1])
        return f'tfm.weight "{name}" : {tensor(shape)}'

    def layer_norm(out, x, p):
        lines.append(f"  %{out}_g = {weight(p + '.weight', (E,), 'ones')}")
        lines.append(f"  %{out}_b = {weight(p + '.bias', (E,), 'zeros')}")
        lines.append(f"  %{out} = tfm.layer_norm %{x} scale(%{out}_g) bias(%{out}_b) "
                     f": ({x_t}, {v_t}, {v_t}) -> {x_t}")

    def linear(out, x, p, n_in, n_out, in_t, out_t):
        lines.append(f"  %{out}_w = {weight(p + '.weight', (n_out, n_in))}")
        lines.append(f"  %{out}_b = {weight(p + '.bias', (n_out,), 'zeros')}")
        lines.append(f"  %{out} = tfm.linear %{x}, %{out}_w, %{out}_b : ({in_t}, "
                     f"{tensor((n_out, n_in))}, {tensor((n_out,))}) -> {out_t}")

    def mha(out, x, p):
        for proj in ("q", "k", "v", "o"):
            lines.append(f"  %{out}_{proj}w = {weight(f'{p}.{proj}_proj.weight', (E, E))}")
            lines.append(f"  %{out}_{proj}b = {weight(f'{p}.{proj}_proj.bias', (E,), 'zeros')}")
        attrs = f"num_heads = {H} : i64" + (", causal" if causal else "")
        lines.append(
            f"  %{out} = tfm.multi_head_attention %{x}, %{x}, %{x} "
            f"weights(%{out}_qw, %{out}_kw, %{out}_vw, %{out}_ow) "
            f"biases(%{out}_qb, %{out}_kb, %{out}_vb, %{out}_ob) {{{attrs}}} : "
            f"({x_t}, {x_t}, {x_t}, {m_t}, {m_t}, {m_t}, {m_t}, {v_t}, {v_t}, {v_t}, {v_t}) "
            f"-> {x_t}")

    def activation(out, x):
        if act == "relu":
            lines.append(f"  %{out} = tfm.relu %{x} : {h_t}")
        else:
            lines.append(f"  %{out} = tfm.gelu %{x} approximation = tanh : {h_t}")

    x = "x"
    for i in range(layers):
        p, l = f"layers.{i}", f"l{i}"
        if pre_norm:        # x + attn(ln1(x)); then + mlp(ln2(.))
            layer_norm(f"{l}_ln1", x, p + ".ln_1")
            mha(f"{l}_attn", f"{l}_ln1", p + ".attn")
            lines.append(f"  %{l}_r1 = tfm.add %{x}, %{l}_attn : ({x_t}, {x_t}) -> {x_t}")
            layer_norm(f"{l}_ln2", f"{l}_r1", p + ".ln_2")
            linear(f"{l}_fc1", f"{l}_ln2", p + ".linear1", E, F, x_t, h_t)
            activation(f"{l}_act", f"{l}_fc1")
            linear(f"{l}_fc2", f"{l}_act", p + ".linear2", F, E, h_t, x_t)
            lines.append(f"  %{l}_out = tfm.add %{l}_r1, %{l}_fc2 : ({x_t}, {x_t}) -> {x_t}")
        else:               # ln1(x + attn(x)); ln2(. + mlp(.))
            mha(f"{l}_attn", x, p + ".self_attn")
            lines.append(f"  %{l}_r1 = tfm.add %{x}, %{l}_attn : ({x_t}, {x_t}) -> {x_t}")
            layer_norm(f"{l}_ln1", f"{l}_r1", p + ".norm1")
            linear(f"{l}_fc1", f"{l}_ln1", p + ".linear1", E, F, x_t, h_t)
            activation(f"{l}_act", f"{l}_fc1")
            linear(f"{l}_fc2", f"{l}_act", p + ".linear2", F, E, h_t, x_t)
            lines.append(f"  %{l}_r2 = tfm.add %{l}_ln1, %{l}_fc2 : ({x_t}, {x_t}) -> {x_t}")
            layer_norm(f"{l}_out", f"{l}_r2", p + ".norm2")
        x = f"{l}_out"
    mlir = (f'func.func @main(%x: {x_t} {{tfm.name = "x"}}) -> ({x_t} {{tfm.name = "y"}}) {{\n'
            + "\n".join(lines) + f"\n  return %{x} : {x_t}\n}}\n")
    return mlir, weights


def compile_model(tfmc_compile, workdir, tag, mlir, weights):
    d = os.path.join(workdir, tag)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "model.mlir"), "w") as f:
        f.write(mlir)
    write_safetensors(os.path.join(d, "model.safetensors"), weights)
    exe = os.path.join(d, "model")
    t0 = time.monotonic()
    subprocess.run([tfmc_compile, os.path.join(d, "model.mlir"), "-o", exe], check=True)
    return exe, time.monotonic() - t0


def build_dnnl(workdir):
    """Returns (path of the oneDNN timing program, None) or (None, reason)."""
    if not os.path.exists("/usr/include/oneapi/dnnl/dnnl.hpp"):
        return None, "libdnnl-dev not installed (apt-get install -y libdnnl-dev)"
    exe = os.path.join(workdir, "cpu_bench_dnnl")
    r = subprocess.run(["g++", "-O2", "-std=c++17", os.path.join(HERE, "cpu_bench_dnnl.cpp"),
                        "-o", exe, "-ldnnl"], capture_output=True, text=True)
    if r.returncode:
        return None, "building cpu_bench_dnnl.cpp failed: " + r.stderr.strip()[-300:]
    return exe, None


def time_dnnl(exe, threads, shape, target_s, min_runs, max_runs):
    out = subprocess.run([exe, str(target_s), str(min_runs), str(max_runs), *map(str, shape)],
                         capture_output=True, text=True, check=True, env=dnnl_env(threads)).stdout
    res = {}
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "DNNL":
            res["dnnl_" + f[1]] = {"min_ms": float(f[5]), "median_ms": float(f[6]),
                                   "runs": int(f[7]), "impl": f[8]}
    return res


# ----------------------------------------------------------------------------
# Load on the machine.
# ----------------------------------------------------------------------------


# ----------------------------------------------------------------------------
# Report.
# ----------------------------------------------------------------------------

def layer_flops(config):
    layers, E, H, F, S, *_ = LAYERS[config]
    return layers * (8.0 * S * E * E + 4.0 * S * E * F + 4.0 * S * S * E)


def cell_time(r):
    if not r:
        return "-"
    return f"{r['min_ms']:.3f} ({r['median_ms']:.3f})" + ("*" if r.get("ran_on_1_thread") else "")


def ratio(a, b):
    return f"{a['min_ms'] / b['min_ms']:.2f}" if a and b else "-"


def report(results, linear_shapes, layer_configs, threads_list, linear_peers, busy_log,
           dnnl_note):
    out = []
    w = out.append
    names = {"tfmc": "tfmc", "openblas": "OpenBLAS", "dnnl_sgemm": "oneDNN sgemm",
             "dnnl_matmul": "oneDNN matmul"}
    if linear_shapes:
        w("### Linear layers y = x·Wᵀ (x M×K, W N×K), f32: ms min (median); "
          "GFLOP/s and % of peak at the min time")
        w("")
        w(f"Nominal peak: {PEAK_PER_CORE:.0f} GFLOP/s per core (f32 AVX-512 FMA), i.e. "
          f"{PEAK_PER_CORE:.0f}·T. oneDNN matmul: weights pre-reordered to its own layout. "
          "Ratios: tfmc time / peer time (< 1: tfmc faster)."
          + (f" oneDNN: {dnnl_note}." if dnnl_note else ""))
        w("")
        others = [p for p in linear_peers if p != "tfmc"]
        w("| M×K×N | T | " + " | ".join(f"{names[p]} ms" for p in linear_peers) + " | "
          + " | ".join(f"{names[p]} GF/s (%pk)" for p in linear_peers) + " | "
          + " | ".join(f"tfmc/{names[p]}" for p in others) + " |")
        w("|" + "---|" * (2 + 2 * len(linear_peers) + len(others)))
        for shape in linear_shapes:
            M, K, N = shape
            for T in threads_list:
                r = {p: results.get(("linear", shape, T, p)) for p in linear_peers}
                cells = [f"{M}×{K}×{N}", str(T)]
                cells += [cell_time(r[p]) for p in linear_peers]
                for p in linear_peers:
                    if r[p]:
                        gf = 2.0 * M * K * N / r[p]["min_ms"] / 1e6
                        cells.append(f"{gf:.0f} ({100 * gf / (PEAK_PER_CORE * T):.0f} %)")
                    else:
                        cells.append("-")
                cells += [ratio(r["tfmc"], r[p]) for p in others]
                w("| " + " | ".join(cells) + " |")
        w("")
    if layer_configs:
        w("### Transformer layers, batch 1, f32: ms min (median); GFLOP/s at the min time")
        w("")
        w("enc1 = nn.TransformerEncoderLayer(512, 8, 2048, batch_first) eval (ReLU, post-norm), "
          "PyTorch eager under inference_mode (fast path allowed); enc6 = nn.TransformerEncoder "
          "of 6 of them; gpt2 block = 768 wide, 12 heads, 3072, causal, pre-norm, GELU tanh vs a "
          "hand-written PyTorch block (PyTorch column) and vs nn.TransformerEncoderLayer(768, 12, "
          "3072, norm_first=True, activation=\"gelu\") with a causal mask (nn column). "
          "GFLOP/s count matmuls, attention dense "
          "(8·S·E² + 4·S·E·F + 4·S²·E per layer); % of the nominal peak "
          f"({PEAK_PER_CORE:.0f}·T).")
        w("")
        w("| config | T | tfmc ms | PyTorch ms | nn ms | tfmc GF/s (%pk) | PyTorch GF/s (%pk) | "
          "tfmc/PyTorch | tfmc/nn |")
        w("|---|---|---|---|---|---|---|---|---|")
        for c in layer_configs:
            for T in threads_list:
                r = {p: results.get(("layer", c, T, p)) for p in ("tfmc", "torch", "torch_nn")}
                cells = [c, str(T), cell_time(r["tfmc"]), cell_time(r["torch"]),
                         cell_time(r["torch_nn"])]
                for p in ("tfmc", "torch"):
                    if r[p]:
                        gf = layer_flops(c) / r[p]["min_ms"] / 1e6
                        cells.append(f"{gf:.0f} ({100 * gf / (PEAK_PER_CORE * T):.0f} %)")
                    else:
                        cells.append("-")
                cells.append(ratio(r["tfmc"], r["torch"]))
                cells.append(ratio(r["tfmc"], r["torch_nn"]))
                w("| " + " | ".join(cells) + " |")
        w("")
    if any(r.get("ran_on_1_thread") for r in results.values()):
        w("* the tfmc executable said it was compiled without threading and ran on 1 thread.")
    if busy_log:
        noisy = sum(1 for b in busy_log if b > 10)
        w(f"Load: {len(busy_log)} timed measurements; {noisy} started while other jobs kept "
          f"the CPUs more than 10 % busy (max {max(busy_log):.0f} %).")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="one shape per section (512×512×2048; enc1 S=512), one round, "
                   "shorter measurements")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--sections", help="comma-separated: linear, encoder, large "
                   "(default linear,encoder,large; --quick: linear,encoder)")
    p.add_argument("--rounds", type=int, help="measurements per peer and configuration "
                   "(default 2, --quick 1)")
    p.add_argument("--target-s", type=float,
                   help="time budget of one measurement in s (default 1.0, --quick 0.3)")
    p.add_argument("--quiet-wait", type=float,
                   help="wait up to this many s for idle CPUs before each measurement "
                   "(default 2, --quick 1)")
    p.add_argument("--no-dnnl", action="store_true", help="skip the oneDNN peers")
    p.add_argument("--json", help="also write the raw results to this file")
    p.add_argument("--tfmc-compile", default=os.environ.get(
        "TFMC_COMPILE", os.path.join(ROOT, "build", "bin", "tfmc-compile")))
    p.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3")
                   else sys.executable, help="the Python with torch and numpy for the peers")
    p.add_argument("--workdir")
    p.add_argument("--keep", action="store_true", help="keep the compiled models")
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        return worker(a.worker)

    threads_list = [int(t) for t in a.threads.split(",")]
    sections = (a.sections or ("linear,encoder" if a.quick else "linear,encoder,large")).split(",")
    if not set(sections) <= {"linear", "encoder", "large"}:
        p.error("--sections takes linear, encoder and/or large")
    linear_shapes = (LINEAR_QUICK if a.quick else LINEAR_SHAPES) if "linear" in sections else []
    layer_configs = (((ENCODER_QUICK if a.quick else ENCODER) if "encoder" in sections else [])
                     + (LARGE if "large" in sections else []))
    rounds = a.rounds or (1 if a.quick else 2)
    target_s = a.target_s or (0.3 if a.quick else 1.0)
    quiet_wait = a.quiet_wait if a.quiet_wait is not None else (1.0 if a.quick else 2.0)
    min_runs, max_runs = (3, 200) if a.quick else (5, 1000)
    if not os.access(a.tfmc_compile, os.X_OK):
        sys.exit(f"no tfmc-compile at {a.tfmc_compile} (build first, or --tfmc-compile PATH)")

    workdir = a.workdir or tempfile.mkdtemp(prefix="tfmc-cpu-bench-")
    t_start = time.monotonic()
    print(f"# tfmc CPU benchmark: sections={sections} threads={threads_list} rounds={rounds} "
          f"target={target_s}s; workdir {workdir}", flush=True)
    print(f"# load1 at start: {open('/proc/loadavg').read().split()[0]}", flush=True)
    try:
        exes = {}
        for shape in linear_shapes:
            exes[("linear", shape)], secs = compile_model(
                a.tfmc_compile, workdir, "linear_{}x{}x{}".format(*shape), *linear_model(*shape))
            print(f"# compiled linear {shape} in {secs:.1f} s", flush=True)
        for c in layer_configs:
            exes[("layer", c)], secs = compile_model(
                a.tfmc_compile, workdir, c.replace(" ", "_").replace("=", ""),
                *layers_model(*LAYERS[c]))
            print(f"# compiled {c} in {secs:.1f} s", flush=True)

        dnnl, dnnl_note = (None, "skipped (--no-dnnl)") if a.no_dnnl else build_dnnl(workdir)
        if dnnl_note:
            print(f"# oneDNN: {dnnl_note}", flush=True)
        linear_peers = ["tfmc", "openblas"] + (["dnnl_sgemm", "dnnl_matmul"] if dnnl else [])

        workers, blas_warning = {}, None
        for T in threads_list:
            workers[T] = Worker(a.python, __file__, T, peer_env(T))
            hello = workers[T].hello
            if not any("openblas" in lib for lib in hello["blas_libraries"]):
                blas_warning = (f"WARNING: the peers are not running OpenBLAS ({hello['blas']}; "
                                f"{hello['blas_libraries']}): install libopenblas0-pthread "
                                "(test/bench/README.md)")
                print("# " + blas_warning, flush=True)
            elif has_avx512() and hello["openblas_core"].lower() != "skylakex":
                blas_warning = (f"WARNING: OpenBLAS runs its {hello['openblas_core']} kernels, "
                                "not SkylakeX: its numbers are not a fair peer")
                print("# " + blas_warning, flush=True)
            env = peer_env(T)
            print(f"# peer worker T={T}: {json.dumps(hello)} env: OPENBLAS_CORETYPE="
                  f"{env.get('OPENBLAS_CORETYPE', '(unset)')} OMP_WAIT_POLICY="
                  f"{env.get('OMP_WAIT_POLICY', '(unset)')}", flush=True)

        samples, busy_log = {}, []

        def record(key, r):
            samples.setdefault(key, []).append(r)
            print(f"# {key[0]} {key[1]} T={key[2]} {key[3]}: min {r['min_ms']:.3f} ms median "
                  f"{r['median_ms']:.3f} ms ({r['runs']} runs; others busy {busy_log[-1]:.0f}%)"
                  + (f" {r['impl']}" if "impl" in r else ""), flush=True)

        for rnd in range(rounds):
            for shape in linear_shapes:
                for T in threads_list:
                    order = ["tfmc", "openblas"] + (["dnnl"] if dnnl else [])
                    for peer in (order if rnd % 2 == 0 else order[::-1]):
                        busy_log.append(wait_quiet(quiet_wait))
                        if peer == "tfmc":
                            record(("linear", shape, T, peer),
                                   time_tfmc(exes[("linear", shape)], T, target_s, min_runs,
                                             max_runs, env=clean_env()))
                        elif peer == "openblas":
                            record(("linear", shape, T, peer),
                                   workers[T].ask(peer="openblas", shape=shape, target_s=target_s,
                                                  min_runs=min_runs, max_runs=max_runs))
                        else:
                            for k, r in time_dnnl(dnnl, T, shape, target_s / 2, min_runs,
                                                  max_runs).items():
                                record(("linear", shape, T, k), r)
            for c in layer_configs:
                for T in threads_list:
                    order = ["tfmc", "torch"] + (["torch_nn"] if c.startswith("gpt2") else [])
                    for peer in (order if rnd % 2 == 0 else order[::-1]):
                        busy_log.append(wait_quiet(quiet_wait))
                        if peer == "tfmc":
                            r = time_tfmc(exes[("layer", c)], T, target_s, min_runs, max_runs, env=clean_env())
                        else:
                            r = workers[T].ask(peer=peer, config=c, target_s=target_s,
                                               min_runs=min_runs, max_runs=max_runs)
                        record(("layer", c, T, peer), r)
        for w_ in workers.values():
            w_.close()
        results = {k: {"min_ms": min(r["min_ms"] for r in v),
                       "median_ms": statistics.median(r["median_ms"] for r in v),
                       "ran_on_1_thread": any(r.get("ran_on_1_thread") for r in v)}
                   for k, v in samples.items()}
        impls = sorted({r["impl"] for v in samples.values() for r in v if "impl" in r})
        if dnnl and impls:
            dnnl_note = "implementations " + ", ".join(impls)

        print(f"# load1 at end: {open('/proc/loadavg').read().split()[0]}; "
              f"total {time.monotonic() - t_start:.0f} s", flush=True)
        print()
        print(report(results, linear_shapes, layer_configs, threads_list, linear_peers,
                     busy_log, dnnl_note))
        print(f"\npeers: {json.dumps(workers[threads_list[0]].hello)}")
        if blas_warning:
            print(blas_warning)
        if a.json:
            with open(a.json, "w") as f:
                json.dump([{"section": k[0], "config": k[1], "threads": k[2], "peer": k[3],
                            "rounds": v} for k, v in samples.items()], f, indent=1)
    finally:
        if not a.keep and not a.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
