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


# TFMC_TEST_TARGET=vulkan (ctest python-vulkan/*): every model these tests
# compile runs on the machine's Vulkan device instead, under the validation
# layer; the few things the Vulkan target refuses, and machines without a
# device, are skipped with the reason.
if os.environ.get("TFMC_TEST_TARGET") == "vulkan":
    import pytest
    import tfmc
    from tfmc import compiler

    os.environ.setdefault("TFMRT_VULKAN_VALIDATION", "1")
    _compile = compiler.compile
    _NO_DEVICE = ("no Vulkan device", "no Vulkan loader")
    _UNSUPPORTED = ("not implemented for Vulkan yet",
                    "not supported on --target=vulkan yet")

    def _compile_for_vulkan(model, output=None, *, target=None, **kwargs):
        try:
            return _compile(model, output, target=target or "vulkan", **kwargs)
        except tfmc.TfmcError as e:
            if any(m in str(e) for m in _UNSUPPORTED):
                pytest.skip(f"not supported on --target=vulkan: {e}")
            raise

    compiler.compile = tfmc.compile = _compile_for_vulkan
    _run = compiler.CompiledModel.run

    def _run_on_device(self, *args, **kwargs):
        try:
            return _run(self, *args, **kwargs)
        except tfmc.TfmcError as e:
            if any(m in str(e) for m in _NO_DEVICE):
                pytest.skip(f"no Vulkan device here: {e}")
            raise

    compiler.CompiledModel.run = _run_on_device
