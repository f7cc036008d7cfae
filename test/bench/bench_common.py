"""Pieces shared by the benchmarks in this directory: timing a tfmc
executable with its own --bench, and waiting for a quiet machine."""
import json
import os
import subprocess
import sys
import time


def has_avx512():
    try:
        with open("/proc/cpuinfo") as f:
            return " avx512f " in f.read()
    except OSError:
        return False


def parse_latency(text):
    """(min, median, runs) from an executable's `latency_ms ...` line."""
    for line in text.splitlines():
        if line.startswith("latency_ms"):
            f = dict(kv.split("=") for kv in line.split()[1:])
            return float(f["min"]), float(f["median"]), int(f["runs"])
    raise RuntimeError(f"no latency line in: {text!r}")


def time_tfmc(exe, threads, target_s, min_runs, max_runs, env):
    """Times `exe --bench` on random inputs, with enough runs to last about
    target_s (within [min_runs, max_runs])."""
    def run(n):
        return subprocess.run([exe, "--random-inputs", "--bench", str(n),
                               "--threads", str(threads)],
                              capture_output=True, text=True, check=True, env=env)
    probe = parse_latency(run(1).stdout)[0] / 1e3
    n = max(min_runs, min(max_runs, int(target_s / max(probe, 1e-6))))
    r = run(n)
    mn, md, runs = parse_latency(r.stdout)
    # "note: this model was compiled without threading; running on 1 thread"
    return {"min_ms": mn, "median_ms": md, "runs": runs,
            "ran_on_1_thread": threads > 1 and "without threading" in r.stderr}


def _cpu_times():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v), v[3] + v[4]          # total, idle + iowait


def busy_percent(interval=0.5):
    t0, i0 = _cpu_times()
    time.sleep(interval)
    t1, i1 = _cpu_times()
    return 100.0 * (1 - (i1 - i0) / max(1, t1 - t0))


def wait_quiet(max_wait, interval=0.5):
    """Waits up to max_wait s until the CPUs were >= 90 % idle for
    `interval` s; returns the busy share seen last (other jobs: we are idle
    meanwhile)."""
    t0 = time.monotonic()
    busy = busy_percent(interval)
    while busy > 10 and time.monotonic() - t0 < max_wait:
        time.sleep(interval)
        busy = busy_percent(interval)
    return busy


class Worker:
    """A benchmark script run again as `SCRIPT --worker THREADS` in its own
    environment (the peers' thread and BLAS settings stay out of ours),
    answering one JSON request per line."""

    def __init__(self, python, script, threads, env):
        self.proc = subprocess.Popen(
            [python, os.path.abspath(script), "--worker", str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        self.hello = self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"benchmark worker exited ({self.proc.wait()})")
        return json.loads(line)

    def ask(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def start_torch_worker(threads):
    """Sets up PyTorch in a worker process (threads, seed, BLAS threads) and
    returns (torch, facts): its version, thread count, and which BLAS the
    dynamic loader gave it, with OpenBLAS's own word on its kernels
    (SkylakeX, not Prescott)."""
    import ctypes

    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    blas = "threadpoolctl not installed"
    try:
        import threadpoolctl
        threadpoolctl.threadpool_limits(threads, user_api="blas")
        blas = ",".join(f"{i['internal_api']}:{i.get('architecture') or ''}:{i['num_threads']}"
                        for i in threadpoolctl.threadpool_info())
    except ImportError:
        pass
    torch.ones(2, 2) @ torch.ones(2, 2)   # loads the BLAS
    with open("/proc/self/maps") as f:
        libs = sorted({os.path.realpath(l.split()[-1]) for l in f
                       if "blas" in l.split()[-1] and ".so" in l})
    core = "?"
    for lib in libs:
        if "libopenblas" in lib:
            openblas = ctypes.CDLL(lib)
            openblas.openblas_get_corename.restype = ctypes.c_char_p
            core = openblas.openblas_get_corename().decode()
    cap = torch.__config__.show().split("CPU capability usage:")
    facts = {"torch": torch.__version__, "threads": torch.get_num_threads(),
             "blas": blas, "blas_libraries": libs, "openblas_core": core,
             "cpu_capability": cap[1].split("\n")[0].strip() if len(cap) > 1 else "?"}
    return torch, facts
