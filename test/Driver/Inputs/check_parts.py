"""Runs the parts.mlir executable on x = [[1, 0, 0, 0], [0, 0, 0, 1]] and
checks y = x · [w; w]ᵀ with w = arange(12).reshape(3, 4), exactly."""
import subprocess
import sys
import tempfile

import numpy as np

exe = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    x = np.zeros((2, 4), np.float32)
    x[0, 0] = x[1, 3] = 1
    np.save(f"{d}/x.npy", x)
    subprocess.run([exe, "--input", f"x={d}/x.npy", "--output", f"{d}/y.npy"],
                   check=True)
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    expected = x @ np.concatenate([w, w]).T
    y = np.load(f"{d}/y.npy")
    assert np.array_equal(y, expected), (y, expected)
    print("parts ok")
