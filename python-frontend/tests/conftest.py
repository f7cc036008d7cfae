"""pytest set-up for the frontend's tests: the package is imported from this
checkout, and the worst errors against the references are reported."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import util  # noqa: E402  (needs the path above)


def pytest_terminal_summary(terminalreporter):
    if util.WORST:
        terminalreporter.write_line(
            "worst error vs reference (max |a-e| / max(|e|, atol/rtol)): "
            + ", ".join(f"{k}: {v:.3g}" for k, v in sorted(util.WORST.items())))
