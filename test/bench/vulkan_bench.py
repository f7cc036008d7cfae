#!/usr/bin/python3
"""Vulkan kernels side by side, on the machine's Vulkan device (lavapipe
here: Mesa's software device, whose "GPU" is the CPU's cores).

- matmul: C = A·B, f32, M×K×N (default 1024³), both inputs given at run
  time. tfmc --target=vulkan with the tiled kernel (tfmc-tile-gpu-
  contractions: 64×64 workgroup tiles staged in shared memory, 4×4 outputs
  per thread), with the naive one (one thread per output:
  --vulkan-matmul=naive), and the CPU target on the same machine.
- attention: softmax(Q·Kᵀ/√d)·V, batch 1, 8 heads, head size 64, S tokens
  (default 512, 2048), on Vulkan as the online-softmax kernel
  (--attention=flash: tfmc-lower-gpu-attention, O(S·Dh) extra memory) and
  in the plain form (--attention=unfused: the scores are materialized),
  causal and not, and on the CPU target (flash form, 1 thread).

Each executable is timed with its own --bench (min/median over the runs);
Vulkan executables also report the schedule's device time from timestamp
queries (device_ms). GFLOP/s count 2·M·K·N for the matmul and 4·H·S²·Dh for
attention. Nothing is asserted: the machine is shared, compare within a run.

  /usr/bin/python3 test/bench/vulkan_bench.py [--quick] [--sizes 512,2048]
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def matmul_mlir(m, k, n):
    return (f"func.func @main(%a: tensor<{m}x{k}xf32> {{tfm.name = \"a\"}}, "
            f"%b: tensor<{k}x{n}xf32> {{tfm.name = \"b\"}}) -> "
            f"(tensor<{m}x{n}xf32> {{tfm.name = \"c\"}}) {{\n"
            f"  %c = tfm.matmul %a, %b : (tensor<{m}x{k}xf32>, "
            f"tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32>\n"
            f"  return %c : tensor<{m}x{n}xf32>\n}}\n")


def attention_mlir(s, heads=8, dh=64, causal=False):
    t = f"tensor<1x{heads}x{s}x{dh}xf32>"
    attrs = " {causal}" if causal else ""
    return (f"func.func @main(%q: {t} {{tfm.name = \"q\"}}, "
            f"%k: {t} {{tfm.name = \"k\"}}, %v: {t} {{tfm.name = \"v\"}}) -> "
            f"({t} {{tfm.name = \"y\"}}) {{\n"
            f"  %y = tfm.attention %q, %k, %v{attrs} : ({t}, {t}, {t}) -> {t}\n"
            f"  return %y : {t}\n}}\n")


def compile_model(tfmc, workdir, name, text, args):
    path = os.path.join(workdir, name + ".mlir")
    with open(path, "w") as f:
        f.write(text)
    exe = os.path.join(workdir, name)
    subprocess.run([tfmc, path, "-o", exe, *args], check=True)
    return exe


def parse(line):
    f = dict(kv.split("=") for kv in line.split()[1:])
    return float(f["min"]), float(f["median"])


def bench(exe, runs, threads=None):
    args = [exe, "--random-inputs", "--bench", str(runs)]
    if threads:
        args += ["--threads", str(threads)]
    out = subprocess.run(args, capture_output=True, text=True,
                         check=True).stdout
    result = {}
    for line in out.splitlines():
        if line.startswith("latency_ms"):
            result["wall"] = parse(line)
        elif line.startswith("device_ms"):
            result["device"] = parse(line)
    return result


def row(name, res, flop):
    mn, md = res["wall"]
    dev = res.get("device")
    dev_text = f"{dev[0]:10.2f} {dev[1]:10.2f}" if dev else f"{'-':>10} {'-':>10}"
    print(f"  {name:<22} {mn:10.2f} {md:10.2f} {dev_text} "
          f"{flop / (dev[0] if dev else mn) / 1e6:10.2f}")


def header():
    print(f"  {'':<22} {'min ms':>10} {'median ms':>10} {'dev min':>10} "
          f"{'dev median':>10} {'GFLOP/s':>10}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tfmc-compile",
                   default=os.path.join(ROOT, "build", "bin", "tfmc-compile"))
    p.add_argument("--matmul", default="1024,1024,1024",
                   help="M,K,N of the matmul")
    p.add_argument("--sizes", default="512,2048",
                   help="sequence lengths of the attention runs")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--quick", action="store_true",
                   help="512³ matmul and S = 512 only, 3 runs")
    args = p.parse_args()
    if args.quick:
        args.matmul, args.sizes, args.runs = "512,512,512", "512", 3
    m, k, n = map(int, args.matmul.split(","))
    with tempfile.TemporaryDirectory(prefix="tfmc-vkbench-") as work:
        flop = 2.0 * m * k * n
        print(f"matmul {m}x{k}x{n} f32 (GFLOP/s from the device time when "
              "there is one)")
        header()
        results = {}
        for name, extra in [("vulkan tiled", ["--target=vulkan"]),
                            ("vulkan naive", ["--target=vulkan",
                                              "--vulkan-matmul=naive"]),
                            ("cpu (1 thread)", [])]:
            exe = compile_model(args.tfmc_compile, work,
                                name.replace(" ", "_").replace("(", "")
                                .replace(")", ""), matmul_mlir(m, k, n),
                                extra)
            results[name] = bench(exe, args.runs,
                                  threads=1 if "cpu" in name else None)
            row(name, results[name], flop)
        tiled = results["vulkan tiled"].get("device") or \
            results["vulkan tiled"]["wall"]
        naive = results["vulkan naive"].get("device") or \
            results["vulkan naive"]["wall"]
        print(f"  tiled / naive time: {tiled[0] / naive[0]:.3f}")
        for s in map(int, args.sizes.split(",")):
            flop = 4.0 * 8 * s * s * 64
            print(f"\nattention 1x8x{s}x64 f32 (GFLOP/s count the "
                  "non-causal work)")
            header()
            times = {}
            for name, extra, causal in [
                    ("vulkan flash", ["--target=vulkan", "--attention=flash"],
                     False),
                    ("vulkan plain", ["--target=vulkan",
                                      "--attention=unfused"], False),
                    ("vulkan flash causal", ["--target=vulkan",
                                             "--attention=flash"], True),
                    ("cpu flash (1 thread)", [], False)]:
                exe = compile_model(args.tfmc_compile, work,
                                    f"attn{s}_" + name.replace(" ", "_")
                                    .replace("(", "").replace(")", ""),
                                    attention_mlir(s, causal=causal), extra)
                res = bench(exe, max(2, args.runs // 2),
                            threads=None if "vulkan" in name else 1)
                times[name] = (res.get("device") or res["wall"])[0]
                row(name, res, flop)
            print(f"  plain / flash time: "
                  f"{times['vulkan plain'] / times['vulkan flash']:.2f}, "
                  f"flash / causal flash: "
                  f"{times['vulkan flash'] / times['vulkan flash causal']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
