"""ONNX backend conformance: the node test cases Debian's libonnx-testdata
ships (model.onnx plus input/output .pb files), for every case made only of
ops the importer handles. Each is imported, compiled, run and compared with
the expected outputs, or refused with a clear error: UnsupportedError or
TfmcError naming the op, the node and the opset. Never a wrong answer.

Inputs the model needs at import time (a Reshape's shape, Slice bounds,
Range limits given as graph inputs) make the first import fail; the case is
then imported again with those inputs bound to their test values
(`input_values`), as a user with such a model would.

REFUSED lists the cases that are refused, with the reason; a case refused
for another reason, or passing while listed, fails the test.

Tolerance: |actual - expected| <= 1e-5 + 1e-4·|expected| for f32 (the
compiled exp/log/erf/tanh are polynomial approximations), 1e-3 + 2e-3·|e|
for f16; integers and booleans exact.
"""
import glob
import math
import os
import re

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import tfmc
from tfmc import BFloat16Array
from tfmc.onnx_import.ops import HANDLERS

import util

ROOT = "/usr/share/libonnx-testdata/data/node"

# Cases tfmc refuses, by the error's reason (a substring of its message).
DTYPE = "which tfm does not support"        # not f32/f16/bf16/bool/int32/int64
INPUT_DTYPE = "tfm model inputs are"
RUNTIME_ONLY = "of run-time values is not supported"
REFUSED = {}


def _window(a0, a1, a2, symmetric):
    """The expected output of a *window_expanded case, computed in float64
    from the window's definition (the shipped data is off by up to 7e-5,
    while the model's own float32 arithmetic, which tfmc folds, is exact)."""
    def expected(inputs, shipped):
        size = int(inputs["x"])
        phase = 2 * math.pi * np.arange(size) / (size - 1 if symmetric else size)
        window = a0 - a1 * np.cos(phase) + a2 * np.cos(2 * phase)
        return {"y": window.astype(np.float32)}
    return expected


# Cases whose shipped outputs are not what the op specifies: reason, and the
# expected outputs to compare with instead (inputs, shipped -> outputs).
ERRATA = {
    "test_cast_FLOAT_to_BFLOAT16": (
        "onnx 1.12's data truncates; ONNX (since 1.14), PyTorch and tfm round to "
        "nearest even",
        lambda inputs, shipped: {"output": BFloat16Array.from_float32(inputs["input"]).bits}),
    **{f"test_{kind}window{variant}_expanded": ("inexact shipped data", _window(
        *coefficients, symmetric=bool(variant)))
       for kind, coefficients in (("hann", (0.5, 0.5, 0.0)),
                                  ("hamming", (25 / 46, 21 / 46, 0.0)),
                                  ("blackman", (0.42, 0.5, 0.08)))
       for variant in ("", "_symmetric")},
}


def _case_dirs():
    if not os.path.isdir(ROOT):
        return []
    cases = []
    for path in sorted(glob.glob(os.path.join(ROOT, "test_*"))):
        model = onnx.load(os.path.join(path, "model.onnx"))
        ops = {n.op_type for n in model.graph.node}
        if ops and ops <= set(HANDLERS):
            cases.append(os.path.basename(path))
    return cases


CASES = _case_dirs()


def _read_tensors(case, kind):
    arrays = []
    for path in sorted(glob.glob(os.path.join(ROOT, case, "test_data_set_0", f"{kind}_*.pb")),
                       key=lambda p: int(p.rsplit("_", 1)[1][:-3])):
        proto = onnx.TensorProto()
        with open(path, "rb") as f:
            proto.ParseFromString(f.read())
        arrays.append(numpy_helper.to_array(proto))
    return arrays


_NEEDED = re.compile(r"\(input \d+, '([^']+)'\) must be known at import time")


def _import(model, inputs):
    """Imports the case; an input the importer needs at import time (a
    shape, a bound) is bound to its test value, as a user would do."""
    bound = {}
    while True:
        try:
            return tfmc.import_onnx(model, input_values=bound), bound
        except tfmc.UnsupportedError as e:
            needed = _NEEDED.search(str(e))
            if not needed or needed.group(1) not in inputs() or needed.group(1) in bound:
                raise
            bound[needed.group(1)] = inputs()[needed.group(1)]


def _run_case(case, tmp_path):
    model = onnx.load(os.path.join(ROOT, case, "model.onnx"))
    initializers = {i.name for i in model.graph.initializer}
    names = [i.name for i in model.graph.input if i.name not in initializers]
    inputs = lambda: dict(zip(names, _read_tensors(case, "input")))  # noqa: E731
    graph, bound = _import(model, inputs)
    compiled = tfmc.compile(util.verify(graph, str(tmp_path)))
    outputs = compiled.run({n: a for n, a in inputs().items() if n not in bound})
    expected = dict(zip([o.name for o in model.graph.output], _read_tensors(case, "output")))
    if case in ERRATA:
        expected = ERRATA[case][1](inputs(), expected)
    for name, want in expected.items():
        got = outputs[name]
        tolerance = (dict(rtol=2e-3, atol=1e-3) if want.dtype == np.float16
                     else dict(rtol=1e-4, atol=1e-5))
        assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} != {want.dtype}"
        util.assert_close(got, want, what=f"{case}: {name}", kind="onnx backend",
                          **tolerance)


@pytest.mark.skipif(not CASES, reason=f"{ROOT} is missing (Debian package libonnx-testdata)")
@pytest.mark.parametrize("case", CASES)
def test_backend_case(case, tmp_path):
    reason = REFUSED.get(case)
    if reason is None:
        _run_case(case, tmp_path)
        return
    with pytest.raises(tfmc.TfmcError) as refusal:
        _run_case(case, tmp_path)
    message = str(refusal.value)
    assert reason in message, f"{case} refused for another reason: {message}"
    op_types = {n.op_type for n in onnx.load(os.path.join(ROOT, case, "model.onnx")).graph.node}
    if "input '" not in message and "tensor '" not in message:
        # A refused node is named with its op type and the opset.
        assert any(f"{op} node '" in message for op in op_types), message
        assert "(opset " in message, message
