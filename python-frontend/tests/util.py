"""Helpers shared by the frontend's tests."""
import os
import subprocess

import numpy as np

import tfmc

# Worst tolerance-normalized error per reference kind (see assert_close).
WORST = {}


def assert_close(actual, expected, rtol=1e-4, atol=1e-5, what="output", kind="torch"):
    """|actual - expected| <= atol + rtol·|expected| elementwise (exact for
    integer and boolean results); records the worst relative error,
    max |a - e| / max(|e|, atol/rtol), under `kind`."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape} != expected {expected.shape}")
    if actual.dtype == np.bool_ or np.issubdtype(actual.dtype, np.integer):
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=what, equal_nan=True)
    finite = np.isfinite(e) & np.isfinite(a)
    if finite.any() and rtol > 0:
        error = np.abs(a[finite] - e[finite]) / np.maximum(np.abs(e[finite]), atol / rtol)
        WORST[kind] = max(WORST.get(kind, 0.0), float(error.max()))


def verify(graph, directory):
    """Saves `graph` into `directory` and checks it with tfmc-opt
    --tfm-verify-model; returns the .mlir path."""
    path = graph.save(os.path.join(directory, "model"))
    tfmc.verify(path)
    return path


def run_cli(*args, check=True):
    """Runs `python3 -m tfmc ARGS`."""
    import sys
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-m", "tfmc", *args], capture_output=True,
                            text=True, env=env, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"python3 -m tfmc {' '.join(args)} exited "
                             f"{result.returncode}:\n{result.stderr}")
    return result
