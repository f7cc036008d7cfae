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


def _cases(names):
    return [f"test_{name}" for name in names.split()]


# Cases tfmc refuses: case -> a substring of the error's message.
REFUSED = {
    # Run-time tensors of element types tfm does not hold (u8, i8, i16, f64, ...).
    **dict.fromkeys(_cases("""
        add_uint8 sub_uint8 mul_uint8 div_uint8 cast_DOUBLE_to_FLOAT cast_DOUBLE_to_FLOAT16
        cast_STRING_to_FLOAT castlike_DOUBLE_to_FLOAT castlike_DOUBLE_to_FLOAT16
        castlike_DOUBLE_to_FLOAT16_expanded castlike_DOUBLE_to_FLOAT_expanded
        castlike_FLOAT16_to_DOUBLE castlike_FLOAT16_to_DOUBLE_expanded castlike_FLOAT_to_DOUBLE
        castlike_FLOAT_to_DOUBLE_expanded castlike_FLOAT_to_STRING
        castlike_FLOAT_to_STRING_expanded castlike_STRING_to_FLOAT
        castlike_STRING_to_FLOAT_expanded clip_default_int8_inbounds clip_default_int8_max
        clip_default_int8_min max_float64 max_int16 max_int8 max_uint16 max_uint32
        max_uint64 max_uint8 min_float64 min_int16 min_int8 min_uint16 min_uint32 min_uint64
        min_uint8 mod_mixed_sign_float64 mod_mixed_sign_int16 mod_mixed_sign_int8 mod_uint16
        mod_uint32 mod_uint64 mod_uint8 pow_types_float32_uint32 pow_types_float32_uint64
        cumsum_1d cumsum_1d_exclusive cumsum_1d_reverse cumsum_1d_reverse_exclusive
        cumsum_2d_axis_0 cumsum_2d_axis_1 cumsum_2d_negative_axis
        reduce_log_sum_exp_default_axes_keepdims_example
        reduce_log_sum_exp_default_axes_keepdims_random
        reduce_log_sum_exp_do_not_keepdims_example reduce_log_sum_exp_do_not_keepdims_random
        reduce_log_sum_exp_keepdims_example reduce_log_sum_exp_keepdims_random
        reduce_log_sum_exp_negative_axes_keepdims_example
        reduce_log_sum_exp_negative_axes_keepdims_random"""), "has element type"),
    **dict.fromkeys(_cases("cast_FLOAT16_to_DOUBLE cast_FLOAT_to_DOUBLE"),
                    "Cast to f64 at run time is not supported"),
    "test_cast_FLOAT_to_STRING": "casting to this element type is not supported",
    "test_eyelike_with_dtype": "of element type f64 would be needed at run time",
    # Training-mode semantics (random dropout, batch statistics).
    **dict.fromkeys(_cases("""
        batchnorm_epsilon_training_mode batchnorm_example_training_mode training_dropout
        training_dropout_default training_dropout_default_mask training_dropout_mask
        training_dropout_zero_ratio training_dropout_zero_ratio_mask"""),
        "in training mode is not supported"),
    # Optional and sequence inputs.
    **dict.fromkeys(_cases("identity_opt identity_sequence"), "is not a tensor"),
    # Computations tfm has no op for, on run-time values.
    **dict.fromkeys(_cases("sin sin_example"), "Sin of run-time values is not supported"),
    **dict.fromkeys(_cases("cos cos_example"), "Cos of run-time values is not supported"),
    **dict.fromkeys(_cases("mod_mixed_sign_float16 mod_mixed_sign_float32"),
                    "Mod of run-time float values is not supported"),
    **dict.fromkeys(_cases("""
        pow_types_float pow_types_int32_float32 pow_types_int32_int32 pow_types_int64_float32
        pow_types_int64_int64"""), "values is supported only at import time"),
    **dict.fromkeys(_cases("""
        reduce_prod_default_axes_keepdims_example reduce_prod_default_axes_keepdims_random
        reduce_prod_do_not_keepdims_example reduce_prod_do_not_keepdims_random
        reduce_prod_keepdims_example reduce_prod_keepdims_random
        reduce_prod_negative_axes_keepdims_example reduce_prod_negative_axes_keepdims_random"""),
        "ReduceProd of run-time values is not supported"),
    # The shipped input holds one UINT16 element where the model declares a
    # [3, 4] BFLOAT16 tensor: the executable refuses the input.
    **dict.fromkeys(_cases("""
        castlike_BFLOAT16_to_FLOAT castlike_BFLOAT16_to_FLOAT_expanded
        castlike_FLOAT_to_BFLOAT16 castlike_FLOAT_to_BFLOAT16_expanded"""),
        "input 'like': shape [1] does not match the model's [3, 4]"),
}

# Valid tfm IR that tfmc-compile rejects (see the reproducers in the report).
# Cases the compiler gets wrong, marked strict xfail (none open).
COMPILER_BUGS = {}


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


_NEEDED = re.compile(r"must be known at import time, but it is computed from the "
                     r"run-time data of input '([^']+)'")


class Case:
    """One backend case: its model, inputs and expected outputs."""

    def __init__(self, name):
        self.name = name
        self.model = onnx.load(os.path.join(ROOT, name, "model.onnx"))
        initializers = {i.name for i in self.model.graph.initializer}
        self.input_names = [i.name for i in self.model.graph.input
                            if i.name not in initializers]
        self.bound = {}

    def inputs(self):
        return dict(zip(self.input_names, _read_tensors(self.name, "input")))

    def expected(self):
        shipped = dict(zip([o.name for o in self.model.graph.output],
                           _read_tensors(self.name, "output")))
        return ERRATA[self.name][1](self.inputs(), shipped) if self.name in ERRATA else shipped

    def import_into(self, graph=None, prefix=""):
        """Imports the case (into `graph` under `prefix`); an input the
        importer needs at import time (a shape, a bound) is bound to its test
        value, as a user would do."""
        while True:
            try:
                return tfmc.import_onnx(self.model, input_values=self.bound, into=graph,
                                        name_prefix=prefix)
            except tfmc.UnsupportedError as e:
                needed = _NEEDED.search(str(e))
                if graph is not None or not needed or needed.group(1) in self.bound:
                    raise
                self.bound[needed.group(1)] = self.inputs()[needed.group(1)]

    def run_inputs(self, prefix=""):
        return {prefix + n: a for n, a in self.inputs().items() if n not in self.bound}

    def check(self, outputs, prefix=""):
        for name, want in self.expected().items():
            got = outputs[prefix + name]
            tolerance = (dict(rtol=2e-3, atol=1e-3) if want.dtype == np.float16
                         else dict(rtol=1e-4, atol=1e-5))
            assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} != {want.dtype}"
            util.assert_close(got, want, what=f"{self.name}: {name}", kind="onnx backend",
                              **tolerance)


def _run_alone(name, directory):
    case = Case(name)
    graph = case.import_into()
    outputs = tfmc.compile(util.verify(graph, directory)).run(case.run_inputs())
    case.check(outputs)


# Cases expected to pass are compiled BATCH_SIZE at a time into one
# executable (one tfmc-compile run costs far more than a tiny model in it);
# a case whose batch fails is run alone, so that its failure is its own.
BATCH_SIZE = 40
BATCHED = [c for c in CASES if c not in REFUSED and c not in COMPILER_BUGS]


BATCH_FAILURES = []


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    results = {}

    def outputs_of(name):
        index = BATCHED.index(name) // BATCH_SIZE
        if index not in results:
            try:
                graph = tfmc.Graph()
                members, inputs = [], {}
                for member in BATCHED[index * BATCH_SIZE:(index + 1) * BATCH_SIZE]:
                    case = Case(member)
                    try:
                        case.import_into()      # alone first: a refusal leaves nothing
                    except tfmc.TfmcError:
                        continue
                    case.import_into(graph, prefix=f"{member}/")
                    inputs.update(case.run_inputs(prefix=f"{member}/"))
                    members.append(member)
                directory = str(tmp_path_factory.mktemp(f"batch{index}"))
                outputs = tfmc.compile(util.verify(graph, directory)).run(inputs)
                results[index] = (members, outputs)
            except Exception as e:              # the members run alone
                BATCH_FAILURES.append(f"batch {index}: {e}")
                results[index] = ([], None)
        members, outputs = results[index]
        return outputs if name in members else None

    return outputs_of


PARAMS = [pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=COMPILER_BUGS[case]))
          if case in COMPILER_BUGS else case for case in CASES]


@pytest.mark.skipif(not CASES, reason=f"{ROOT} is missing (Debian package libonnx-testdata)")
@pytest.mark.parametrize("case", PARAMS)
def test_backend_case(case, batches, tmp_path):
    reason = REFUSED.get(case)
    if reason is None:
        outputs = batches(case) if case in BATCHED else None
        if outputs is None:
            _run_alone(case, str(tmp_path))
        else:
            Case(case).check(outputs, prefix=f"{case}/")
        return
    with pytest.raises(tfmc.TfmcError) as refusal:
        _run_alone(case, str(tmp_path))
    message = str(refusal.value)
    assert reason in message, f"{case} refused for another reason: {message}"
    op_types = {n.op_type for n in onnx.load(os.path.join(ROOT, case, "model.onnx")).graph.node}
    if "input '" not in message and "tensor '" not in message:
        # A refused node is named with its op type and the opset.
        assert any(f"{op} node " in message for op in op_types), message
        assert "(opset " in message, message


# Refusals that do not depend on run-time data: the folded import refuses them too.
REFUSED_FOLDED = {
    **{case: reason for case, reason in REFUSED.items()
       if "training mode" in reason or "is not a tensor" in reason},
    **dict.fromkeys(_cases("""
        cast_FLOAT_to_STRING castlike_FLOAT_to_STRING castlike_FLOAT_to_STRING_expanded"""),
        "not supported"),
    **dict.fromkeys(_cases("""
        cast_STRING_to_FLOAT castlike_STRING_to_FLOAT castlike_STRING_to_FLOAT_expanded"""),
        "element type object is not supported"),
    **dict.fromkeys(_cases("""
        castlike_BFLOAT16_to_FLOAT castlike_BFLOAT16_to_FLOAT_expanded
        castlike_FLOAT_to_BFLOAT16 castlike_FLOAT_to_BFLOAT16_expanded"""),
        re.escape("input 'like': the given value has shape [1], the model declares [3, 4]")),
}


class _Folded(tfmc.Graph):
    """A Graph that keeps the outputs as the importer computed them."""

    def __init__(self):
        super().__init__()
        self.results = {}

    def output(self, name, value):
        self.results[name] = value


@pytest.mark.skipif(not CASES, reason=f"{ROOT} is missing (Debian package libonnx-testdata)")
@pytest.mark.parametrize("case", CASES)
def test_backend_case_folded(case):
    """Every input bound to its value: the importer's evaluator (NumpyOps
    and the handlers, as used for shape arithmetic and constant masks)
    computes the expected outputs at import, in any element type."""
    c = Case(case)
    graph = _Folded()
    if case in REFUSED_FOLDED:
        # (Optional and sequence inputs are not tensors: there is nothing to bind.)
        values = {} if "not a tensor" in REFUSED_FOLDED[case] else c.inputs()
        with pytest.raises(tfmc.TfmcError, match=REFUSED_FOLDED[case]):
            tfmc.import_onnx(c.model, input_values=values, into=graph)
        return
    tfmc.import_onnx(c.model, input_values=c.inputs(), into=graph)
    for name, want in c.expected().items():
        folded = graph.results[name]
        assert hasattr(folded, "array"), f"{name} was not computed at import"
        got = folded.array
        if folded.dtype == "bf16":
            got = BFloat16Array.from_float32(got).bits
        tolerance = (dict(rtol=2e-3, atol=1e-3) if want.dtype == np.float16
                     else dict(rtol=1e-4, atol=1e-5))
        assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} != {want.dtype}"
        util.assert_close(got, want, what=f"{case}: {name}", kind="onnx backend (folded)",
                          **tolerance)


def test_every_batch_compiled():
    """Cases that pass alone also pass together (runs after the cases)."""
    assert not BATCH_FAILURES, "\n".join(BATCH_FAILURES)
