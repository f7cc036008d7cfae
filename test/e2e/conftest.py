"""pytest hooks for the end-to-end tests."""
import sys

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the item (rep_setup, rep_call, ...), so
    fixtures can tell whether their test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def pytest_terminal_summary(terminalreporter):
    """Prints the worst error per element type that test_ops.py saw in its
    passing comparisons (see its module docstring for the definition)."""
    test_ops = sys.modules.get("test_ops")
    worst = getattr(test_ops, "WORST", None)
    if worst:
        terminalreporter.write_line(
            "test_ops worst error per dtype (max |a-e| / max(|e|, atol/rtol)): "
            + ", ".join(f"{k}: {v:.3g}" for k, v in sorted(worst.items())))
