"""compare_outputs.py TOL DIR_A DIR_B NAME...: the .npy outputs NAME of two
runs agree within TOL (absolute)."""
import sys

import numpy as np

tol, a, b, names = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
for name in names:
    error = np.abs(np.load(f"{a}/{name}.npy") - np.load(f"{b}/{name}.npy")).max()
    if not error <= tol:
        sys.exit(f"{name}: runs differ by {error} (tolerance {tol})")
print(f"{len(names)} outputs agree within {tol}")
