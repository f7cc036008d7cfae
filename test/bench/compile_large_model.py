"""Compiles and runs a GPT-2-small-sized model (124 M parameters, random
weights) and reports what it cost: compile wall time, tfmc-compile's peak
memory, executable size, one run's time.

usage: compile_large_model.py [--tfmc-compile PATH] [--workdir DIR] [--keep]
                              [gpt2_model.py options, e.g. --layers 2]

Exits non-zero if compilation or the run fails or the logits are not
finite. The figures are reported, not asserted: timing belongs to
benchmarks, and this machine is shared.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tfmc-compile", default=os.environ.get(
        "TFMC_COMPILE", os.path.join(ROOT, "build", "bin", "tfmc-compile")))
    p.add_argument("--workdir")
    p.add_argument("--keep", action="store_true")
    args, model_args = p.parse_known_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="tfmc-large-")
    try:
        subprocess.run([sys.executable, os.path.join(HERE, "gpt2_model.py"),
                        workdir, *model_args], check=True)
        exe = os.path.join(workdir, "gpt2")
        start = time.monotonic()
        compiler = subprocess.Popen([args.tfmc_compile,
                                     os.path.join(workdir, "gpt2.mlir"), "-o", exe])
        # wait4: the peak memory of tfmc-compile alone (with the linker it
        # starts), not of the weight generator that ran before it.
        _, status, usage = os.wait4(compiler.pid, 0)
        compiler.returncode = os.waitstatus_to_exitcode(status)
        compile_s = time.monotonic() - start
        peak_mib = usage.ru_maxrss / 1024
        if compiler.returncode != 0:
            sys.exit(f"tfmc-compile failed ({compiler.returncode})")
        outdir = os.path.join(workdir, "out")
        start = time.monotonic()
        subprocess.run([exe, "--random-inputs", "--output-dir", outdir], check=True)
        run_s = time.monotonic() - start
        logits = np.load(os.path.join(outdir, "logits.npy"))
        if not np.isfinite(logits).all():
            sys.exit("the logits are not all finite")
        print(f"compile {compile_s:.1f} s, tfmc-compile peak memory {peak_mib:.0f} MiB, "
              f"executable {os.path.getsize(exe) / 2**20:.0f} MiB, "
              f"one run {run_s:.2f} s, logits {list(logits.shape)}")
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
