"""Inputs and numpy reference for Inputs/matmul.mlir (c = a @ b).

  matmul_reference.py inputs DIR           writes DIR/a.npy, DIR/b.npy
  matmul_reference.py check DIR C.npy...   compares each C with a @ b
"""
import sys

import numpy as np

if sys.argv[1] == "inputs":
    rng = np.random.default_rng(0)
    np.save(f"{sys.argv[2]}/a.npy", rng.standard_normal((256, 64), np.float32))
    np.save(f"{sys.argv[2]}/b.npy", rng.standard_normal((64, 128), np.float32))
    sys.exit(0)
expected = np.load(f"{sys.argv[2]}/a.npy") @ np.load(f"{sys.argv[2]}/b.npy")
results = sys.argv[3:]
for path in results:
    error = np.abs(np.load(path) - expected).max()
    if not error <= 1e-4:
        sys.exit(f"{path}: max error {error} against numpy")
print(f"{len(results)} results within 1e-4 of numpy")
