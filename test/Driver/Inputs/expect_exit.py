"""expect_exit.py CODE CMD...: runs CMD, prints its stderr, and exits 0 if
CMD exited with CODE (1 otherwise, saying what it got)."""
import subprocess
import sys

want = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:], capture_output=True, text=True)
sys.stdout.write(proc.stderr)
if proc.returncode != want:
    print(f"expect_exit: exit code {proc.returncode}, expected {want}")
    sys.exit(1)
