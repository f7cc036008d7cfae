"""Runs spirv-val (Vulkan 1.1 rules) on every .spv file of a directory and
prints one line per file and a count; exits 1 if any is invalid."""
import glob
import os
import subprocess
import sys

files = sorted(glob.glob(os.path.join(sys.argv[1], "*.spv")))
bad = 0
for f in files:
    r = subprocess.run(["spirv-val", "--target-env", "vulkan1.1", f],
                       capture_output=True, text=True)
    print(os.path.basename(f), "valid" if r.returncode == 0 else "INVALID: " + r.stderr.strip())
    bad += r.returncode != 0
print(f"{len(files)} kernels, {bad} invalid")
sys.exit(1 if bad or not files else 0)
