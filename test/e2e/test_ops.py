"""End-to-end numerics of the tfm ops: compile, run, compare with numpy.

Every tfm op is compiled as a small model (mostly one op, see
`single_op_model`), run on random inputs (seeded per test by its name) whose
shapes include size-1 and odd dimensions (1, 5, 7, 13, ...), and compared
with the float64 reference in reference.py. Sections: parameters, input
ops, linear algebra, attention, normalization, elementwise, cast,
compare/select, shape ops, softmax/reductions, ops on intermediates,
constant folding and algebraic identities, f16/bf16, run-time index checks.

Tolerances (|actual - expected| <= atol + rtol·|expected|, numpy's rule):
  * integer and i1 results, data movement (weight, constant, embedding,
    shape ops, gather, iota), casts, compare, select, min/max, neg, relu,
    reduce_max, argmax: exact (TOL_EXACT); folding/identity tests also
    require NaN for NaN and the same sign of zero (check_bits).
  * f32: rtol 1e-5 / atol 1e-5 (TOL_F32) for everything that rounds more
    than once (matmul, attention, norms, softmax, transcendental functions
    of a few ulp, sums); rtol 1e-6 / atol 1e-6 (TOL_ROUND1) for add, sub,
    mul, div. Exceptions state theirs: unary functions atol 1e-6,
    positional_encoding atol 2e-5 (angles up to ~110 rad), layer_norm of
    rows with mean 300 rtol/atol 1e-4.
  * f16 and bf16: the reference is computed in float64 on the inputs
    rounded to the format; rtol 2e-3 (f16) and 1e-2 (bf16), with atol =
    rtol · max|expected| for ops that sum (so cancellation is judged
    against the size of the terms) and atol 1e-6 for elementwise ops.

The worst error seen per element type is printed at the end of the run
(conftest.py): max |a - e| / max(|e|, atol/rtol) over the passing
comparisons, i.e. the relative error wherever |e| is large enough for rtol
to govern.
"""
import math
import os
import shutil
import tempfile
import time
import zlib

import numpy as np
import pytest

import reference as ref
import tfmc_harness as harness
from tfmc_harness import (TFMC_COMPILE, assert_close, compile_model,
                          from_bf16_bits, tensor_type, to_bf16_bits)

RNG = np.random.default_rng(1234)

# Special values (NaN, inf, overflow to f16) are deliberate inputs.
pytestmark = pytest.mark.filterwarnings(
    "ignore:overflow encountered:RuntimeWarning",
    "ignore:invalid value encountered:RuntimeWarning")


_WORKDIRS = []   # model directories of the running test


@pytest.fixture(autouse=True)
def _seed(request):
    """Every test draws from its own generator, seeded by its name, so a
    case gives the same data alone as in the full run. Its model
    directories are removed afterwards unless it failed (keep them all
    with TFMC_E2E_KEEP=1)."""
    global RNG
    RNG = np.random.default_rng(zlib.crc32(request.node.name.encode()))
    yield
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    if not failed and not os.environ.get("TFMC_E2E_KEEP"):
        for d in _WORKDIRS:
            shutil.rmtree(d, ignore_errors=True)
    _WORKDIRS.clear()


TOL_EXACT = dict(rtol=0.0, atol=0.0)
TOL_F32 = dict(rtol=1e-5, atol=1e-5)
TOL_ROUND1 = dict(rtol=1e-6, atol=1e-6)   # one correctly rounded f32 op
TOL_F16 = dict(rtol=2e-3)                 # atol = rtol * max|expected|
TOL_BF16 = dict(rtol=1e-2)

# Worst tolerance-normalized error per element type (see module docstring).
WORST = {}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def T(x, dtype=None):
    """MLIR tensor type of an array, or of (shape, dtype); uint16 arrays and
    the dtype 'bf16' are bf16 tensors."""
    if dtype is None:
        x, dtype = np.shape(x), np.asarray(x).dtype
    if isinstance(dtype, str):
        return tensor_type(x, dtype)      # an MLIR element type name
    if np.dtype(dtype) == np.uint16:
        return tensor_type(x, "bf16")
    return tensor_type(x, dtype)


def FT(operands, results):
    """functional-type text: (operand types) -> result type(s)."""
    if not isinstance(results, (list, tuple)):
        results = [results]
    res = ", ".join(results)
    return f"({', '.join(operands)}) -> " + (res if len(results) == 1
                                             else f"({res})")


def single_op_model(op_text, inputs, outputs, weights=None):
    """A @main whose arguments are `inputs` (name -> array) and whose body is
    `op_text` (which may use %<name> for inputs and weights and must define
    %<output name> for each output (name -> (shape, dtype))). uint16 arrays
    are bf16 tensors (their bits)."""
    args = ", ".join(f"%{n}: {T(a)} {{tfm.name = \"{n}\"}}"
                     for n, a in inputs.items())
    results = ", ".join(f"{T(s, d)} {{tfm.name = \"{n}\"}}"
                        for n, (s, d) in outputs.items())
    weight_lines = "".join(f"  %{n} = tfm.weight \"{n}\" : {T(a)}\n"
                           for n, a in (weights or {}).items())
    ret_values = ", ".join(f"%{n}" for n in outputs)
    ret_types = ", ".join(T(s, d) for s, d in outputs.values())
    return (f"func.func @main({args}) -> ({results}) {{\n{weight_lines}"
            f"  {op_text}\n  return {ret_values} : {ret_types}\n}}\n")


_WAIT_BUDGET = [180.0]   # seconds, for the whole session


def _compile(mlir, weights=None):
    """compile_model, waiting while a concurrent rebuild replaces the
    compiler (at most 3 minutes per session, so a wrong path fails fast
    after that). bf16 weights are the uint16 arrays."""
    while not os.path.exists(TFMC_COMPILE) and _WAIT_BUDGET[0] > 0:
        time.sleep(1)
        _WAIT_BUDGET[0] -= 1
    bf16 = [n for n, a in (weights or {}).items() if a.dtype == np.uint16]
    workdir = tempfile.mkdtemp(prefix="tfmc-e2e-")
    _WORKDIRS.append(workdir)
    return compile_model(mlir, weights, tmpdir=workdir, bf16=bf16)


def run_op(op_text, inputs, outputs, weights=None):
    model = _compile(single_op_model(op_text, inputs, outputs, weights),
                     weights)
    results = model.run(inputs)
    for name, (shape, dtype) in outputs.items():
        want = np.uint16 if dtype == "bf16" else np.dtype(dtype)
        assert results[name].dtype == want, (
            f"output {name}: dtype {results[name].dtype}, declared {want}")
    return results


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def randint(lo, hi, shape, dtype=np.int64):
    return RNG.integers(lo, hi, size=shape).astype(dtype)


def _tag(actual):
    if actual.dtype == np.uint16:
        return "bf16"
    return {"float32": "f32", "float16": "f16"}.get(str(actual.dtype),
                                                    str(actual.dtype))


def check(actual, expected, rtol=1e-5, atol=1e-5, what="output", tag=None):
    """assert_close, plus bookkeeping of the worst error per dtype. bf16
    results (uint16 bits) are decoded first."""
    tag = tag or _tag(np.asarray(actual))
    actual = np.asarray(actual)
    if actual.dtype == np.uint16:
        actual = from_bf16_bits(actual)
    expected = np.asarray(expected)
    if rtol == 0 and atol == 0 and actual.dtype.kind == "f":
        assert actual.shape == expected.shape, (actual.shape, expected.shape)
        np.testing.assert_array_equal(actual, expected.astype(actual.dtype),
                                      err_msg=what)
    else:
        assert_close(actual, expected, rtol, atol, what)
    if actual.dtype.kind == "f" and actual.size:
        a, e = actual.astype(np.float64), expected.astype(np.float64)
        finite = np.isfinite(e)
        floor = atol / rtol if rtol else 1e-30
        err = np.abs(a - e)[finite] / np.maximum(np.abs(e[finite]), floor)
        worst = float(err.max()) if err.size else 0.0
        WORST[tag] = max(WORST.get(tag, 0.0), worst)


# --------------------------------------------------------------------------
# Parameters: tfm.weight and tfm.constant
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape,dtype", [
    ((7, 13), np.float32), ((1,), np.float16), ((3, 1, 5), np.uint16),
    ((), np.float32), ((13,), np.int32), ((2, 7), np.int64),
    ((1, 7), np.bool_)])
def test_weight_passthrough(shape, dtype):
    """A weight of every element type returned as is: exact."""
    if dtype == np.bool_:
        w = RNG.random(shape) > 0.5
    elif dtype == np.uint16:
        w = to_bf16_bits(randn(*shape))
    elif np.issubdtype(dtype, np.integer):
        w = randint(-1000, 1000, shape, dtype)
    else:
        w = randn(*shape).astype(dtype)
    w = np.asarray(w)
    # Plain pass-through of the weight.
    mlir = (f"func.func @main() -> ({T(w)} {{tfm.name = \"y\"}}) {{\n"
            f"  %w = tfm.weight \"w\" : {T(w)}\n  return %w : {T(w)}\n}}\n")
    y = _compile(mlir, {"w": w}).run({})["y"]
    assert y.dtype == w.dtype
    np.testing.assert_array_equal(y, w)


def test_weight_tied():
    """Tied weights (GPT-2 style): one name used by two tfm.weight ops, as
    the embedding table and as the output projection. f32 tolerance."""
    table = randn(13, 7)
    ids = np.array([[0, 12, 5], [5, 1, 0]], dtype=np.int64)
    mlir = f"""func.func @main(%ids: {T(ids)} {{tfm.name = "ids"}})
    -> ({T((2, 3, 13), np.float32)} {{tfm.name = "logits"}}) {{
  %t = tfm.weight "wte" : {T(table)}
  %x = tfm.embedding %ids, %t : {FT([T(ids), T(table)], T((2, 3, 7), np.float32))}
  %t2 = tfm.weight "wte" : {T(table)}
  %y = tfm.linear %x, %t2 : {FT([T((2, 3, 7), np.float32), T(table)],
                                T((2, 3, 13), np.float32))}
  return %y : {T((2, 3, 13), np.float32)}
}}
"""
    y = _compile(mlir, {"wte": table}).run({"ids": ids})["logits"]
    check(y, ref.linear(ref.embedding(ids, table), table), **TOL_F32)


@pytest.mark.parametrize("literal,shape,dtype,expected", [
    ("dense<[[1.5, -2.0, 0.0], [3.25, 1.0e-3, -7.0]]>", (2, 3), np.float32,
     [[1.5, -2.0, 0.0], [3.25, 1.0e-3, -7.0]]),
    ("dense<2.5>", (7, 1), np.float32, np.full((7, 1), 2.5)),
    ("dense<-0.5>", (), np.float32, -0.5),
    ("dense<[1, -2, 3]>", (3,), np.int64, [1, -2, 3]),
    ("dense<[[7], [-9]]>", (2, 1), np.int32, [[7], [-9]]),
    ("dense<[true, false, true]>", (3,), np.bool_, [True, False, True]),
    ("dense<[0.5, -1.25]>", (2,), np.float16, [0.5, -1.25]),
    ("dense<[1.5, 3.0]>", (2,), "bf16", [1.5, 3.0]),
])
@pytest.mark.parametrize("use", ["return", "add"])
def test_constant(literal, shape, dtype, expected, use):
    """A constant returned directly and one combined with an input (so it is
    not folded away); exact."""
    expected = np.asarray(expected).reshape(shape)
    rt = T(shape, dtype)
    if use == "return" or dtype == np.bool_:
        y = run_op(f"%y = tfm.constant {literal} : {rt}", {},
                   {"y": (shape, dtype)})["y"]
        x_val = None
    else:
        npdt = np.float32 if dtype == "bf16" else dtype
        x_val = (np.arange(int(np.prod(shape))).reshape(shape) % 5).astype(npdt)
        x_in = to_bf16_bits(x_val) if dtype == "bf16" else x_val
        y = run_op(f"%c = tfm.constant {literal} : {rt}\n"
                   f"  %y = tfm.add %x, %c : {FT([rt, rt], rt)}",
                   {"x": x_in}, {"y": (shape, dtype)})["y"]
        expected = expected + x_val
    if dtype == "bf16":
        y = from_bf16_bits(y)
    check(y, expected, **TOL_EXACT)


# --------------------------------------------------------------------------
# Input: embedding, positional_encoding
# --------------------------------------------------------------------------

@pytest.mark.parametrize("ids_shape,vocab,dim,id_dtype,table_from,table_dtype", [
    ((2, 7), 13, 5, np.int64, "weight", np.float32),
    ((2, 7), 13, 5, np.int32, "weight", np.float32),
    ((1,), 1, 3, np.int64, "input", np.float32),
    ((), 7, 13, np.int32, "input", np.float32),
    ((3, 1, 5), 13, 1, np.int64, "weight", np.float32),
    ((2, 7), 13, 5, np.int32, "weight", np.float16),
    ((2, 7), 13, 5, np.int64, "input", "bf16"),
])
def test_embedding(ids_shape, vocab, dim, id_dtype, table_from, table_dtype):
    """Exact gather of table rows (ids include 0 and vocab-1); f32, f16 and
    bf16 tables, as a weight or as a model input."""
    ids = randint(0, vocab, ids_shape, id_dtype)
    if ids.size > 1:
        ids.flat[0], ids.flat[-1] = 0, vocab - 1
    table = randn(vocab, dim)
    table = (to_bf16_bits(table) if table_dtype == "bf16"
             else table.astype(table_dtype))
    out_dtype = table_dtype
    out = ids_shape + (dim,)
    inputs = {"ids": ids}
    weights = None
    if table_from == "input":
        inputs["table"] = table
    else:
        weights = {"table": table}
    y = run_op(f"%y = tfm.embedding %ids, %table : "
               f"{FT([T(ids), T(table)], T(out, out_dtype))}",
               inputs, {"y": (out, out_dtype)}, weights)["y"]
    np.testing.assert_array_equal(y, table[ids])


def test_embedding_table_larger_than_one_binding():
    """Exact rows of a 136 MiB table: more than the 128 MiB one Vulkan
    binding is guaranteed to cover (lavapipe's limit), so the Vulkan target
    binds it as two ranges; rows on both sides of the 128 MiB boundary
    (row 65536) and at both ends."""
    vocab, dim = 69632, 512
    table = RNG.standard_normal((vocab, dim), dtype=np.float32)
    ids = np.array([[0, 65535, 65536], [vocab - 1, 12345, 65537]], np.int64)
    y = run_op(f"%y = tfm.embedding %ids, %table : "
               f"{FT([T(ids), T(table)], T((2, 3, dim), np.float32))}",
               {"ids": ids}, {"y": ((2, 3, dim), np.float32)},
               {"table": table})["y"]
    np.testing.assert_array_equal(y, table[ids])


@pytest.mark.parametrize("shape,attrs,offset,base", [
    ((7, 5), "", 0, 10000.0),
    ((2, 13, 7), "{offset = 3 : i64, base = 500.0 : f64}", 3, 500.0),
    ((1, 1, 1), "", 0, 10000.0),
    ((3, 1, 9), "{offset = 100 : i64}", 100, 10000.0),
    ((13, 1), "{base = 2.0 : f64}", 0, 2.0),
])
def test_positional_encoding(shape, attrs, offset, base):
    """f32 tolerance; angles up to ~110 rad lose a few ulp of 110 in f32,
    hence atol 2e-5."""
    x = randn(*shape)
    y = run_op(f"%y = tfm.positional_encoding %x {attrs} : {T(x)}",
               {"x": x}, {"y": (shape, np.float32)})["y"]
    check(y, ref.positional_encoding(x, offset=offset, base=base),
          rtol=1e-5, atol=2e-5)


# --------------------------------------------------------------------------
# Linear algebra
# --------------------------------------------------------------------------

@pytest.mark.parametrize("x_shape,out_features", [
    ((13,), 7), ((1, 13), 5), ((2, 7, 13), 1), ((7, 1), 13), ((2, 1, 3, 5), 7)])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("params", ["weight", "input"])
def test_linear(x_shape, out_features, bias, params):
    """f32 tolerance; weights either tfm.weight or model inputs."""
    x = randn(*x_shape)
    w = randn(out_features, x_shape[-1])
    b = randn(out_features)
    out = x_shape[:-1] + (out_features,)
    operands = [x, w] + ([b] if bias else [])
    names = "%x, %w" + (", %b" if bias else "")
    params_dict = {"w": w, **({"b": b} if bias else {})}
    inputs = {"x": x, **(params_dict if params == "input" else {})}
    y = run_op(f"%y = tfm.linear {names} : "
               f"{FT([T(a) for a in operands], T(out, np.float32))}",
               inputs, {"y": (out, np.float32)},
               params_dict if params == "weight" else None)["y"]
    check(y, ref.linear(x, w, b if bias else None), **TOL_F32)


@pytest.mark.parametrize("a_shape,b_shape,ta,tb", [
    ((7, 13), (13, 5), False, False),
    ((13, 7), (13, 5), True, False),
    ((7, 13), (5, 13), False, True),
    ((13, 7), (5, 13), True, True),
    ((2, 1, 7, 13), (3, 13, 5), False, False),   # batch dims broadcast
    ((7, 13), (2, 3, 13, 5), False, False),      # rank 2 with rank 4
    ((2, 3, 7, 13), (1, 13), False, True),       # rank 4 with rank 2
    ((1, 1, 1), (1, 1, 1), False, False),
    ((3, 1, 7), (1, 1, 13), True, False),
    ((2, 13, 1), (2, 5, 1), False, True),
    # Large enough for the tiled kernels (CPU register tiles, Vulkan
    # workgroup tiles of 128 x 128 x 8): shapes that divide the tiles and
    # shapes that do not, transposed and batched.
    ((256, 64), (64, 128), False, False),
    ((130, 70), (70, 200), False, False),
    ((70, 130), (200, 70), True, True),
    ((3, 100, 40), (3, 40, 90), False, False),
    ((2, 1, 64, 33), (3, 47, 33), False, True),
])
def test_matmul(a_shape, b_shape, ta, tb):
    """f32 tolerance."""
    a, b = randn(*a_shape), randn(*b_shape)
    expected = ref.matmul(a, b, ta, tb)
    flags = [n for n, on in (("transpose_a", ta), ("transpose_b", tb)) if on]
    attrs = "{" + ", ".join(flags) + "}" if flags else ""
    y = run_op(f"%y = tfm.matmul %a, %b {attrs} : "
               f"{FT([T(a), T(b)], T(expected.shape, np.float32))}",
               {"a": a, "b": b}, {"y": (expected.shape, np.float32)})["y"]
    check(y, expected, **TOL_F32)


@pytest.mark.parametrize("shape", [(20, 300, 40), (64, 64, 96), (9, 512, 33)])
@pytest.mark.parametrize("epilogue", ["relu", "gelu_tanh", "residual", "scale"])
@pytest.mark.parametrize("dtype", ["f32", "f16"])
def test_linear_epilogue(shape, epilogue, dtype):
    """A linear layer with bias followed by an elementwise op over its
    output: the CPU target fuses them (bias as the accumulators' start,
    the op applied to them before the one store), on shapes that do and do
    not divide the 8x32 register tile and the 256-step reduction block
    (300, 512: two blocks). f32 tolerance, or rtol 2e-3 of max|y| for f16
    (inputs rounded to f16, products accumulated in f32)."""
    M, K, N = shape
    np_t = np.float16 if dtype == "f16" else np.float32
    x = randn(M, K).astype(np_t)
    w = (randn(N, K) / np.sqrt(K)).astype(np_t)
    b = randn(N).astype(np_t)
    r = randn(M, N).astype(np_t)
    t = lambda *s: T(s, np_t)
    lines = [f"%h = tfm.linear %x, %w, %b : ({t(M, K)}, {t(N, K)}, {t(N)}) -> {t(M, N)}"]
    h = ref.linear(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32))
    if epilogue == "relu":
        lines.append(f"%y = tfm.relu %h : {t(M, N)}")
        expected = np.maximum(h, 0)
    elif epilogue == "gelu_tanh":
        lines.append(f"%y = tfm.gelu %h approximation = tanh : {t(M, N)}")
        expected = ref.gelu(h, approximation="tanh")
    elif epilogue == "residual":
        lines.append(f"%y = tfm.add %h, %r : ({t(M, N)}, {t(M, N)}) -> {t(M, N)}")
        expected = h + ref.f64(r)
    else:
        lines.append(f"%c = tfm.constant dense<0.125> : {t()}")
        lines.append(f"%y = tfm.mul %h, %c : ({t(M, N)}, {t()}) -> {t(M, N)}")
        expected = h * 0.125
    inputs = {"x": x, **({"r": r} if epilogue == "residual" else {})}
    y = run_op("\n  ".join(lines), inputs, {"y": ((M, N), np_t)},
               {"w": w, "b": b})["y"]
    if dtype == "f16":
        check(y.astype(np.float32), expected, rtol=2e-3,
              atol=2e-3 * float(np.abs(expected).max()), tag="f16")
    else:
        check(y, expected, **TOL_F32)


# --------------------------------------------------------------------------
# Attention
# --------------------------------------------------------------------------

def _mask(kind, shape):
    if kind == "bool":
        m = RNG.random(shape) > 0.3
        m[..., 0] = True      # no row fully masked unless a case does it
        return m
    if kind == "float":
        m = (RNG.standard_normal(shape) * 2).astype(np.float32)
        m[RNG.random(shape) < 0.2] = -np.inf
        m[..., -1] = 0.5
        return m
    return None


ATTENTION_CASES = {
    # name: (q, k, v shapes, mask kind, mask shape, scale, causal)
    "plain": ((2, 3, 7, 5), (2, 3, 13, 5), (2, 3, 13, 4), None, None, None, False),
    "bool_mask_pad": ((2, 3, 7, 5), (2, 3, 13, 5), (2, 3, 13, 4), "bool", (2, 1, 1, 13), None, False),
    "bool_mask_full_row": ((2, 3, 7, 5), (2, 3, 13, 5), (2, 3, 13, 4), "bool", (2, 1, 7, 13), None, False),
    "bool_mask_rank1": ((1, 2, 7, 5), (1, 2, 7, 5), (1, 2, 7, 3), "bool", (7,), None, True),
    "float_mask": ((2, 3, 7, 5), (2, 3, 13, 5), (2, 3, 13, 4), "float", (7, 13), None, False),
    "float_mask_scale": ((2, 3, 7, 5), (2, 3, 13, 5), (2, 3, 13, 4), "float", (1, 1, 1, 13), 0.3, False),
    "causal_sq_lt_sk": ((2, 2, 5, 8), (2, 2, 13, 8), (2, 2, 13, 3), None, None, None, True),
    "causal_sq_gt_sk": ((1, 2, 13, 4), (1, 2, 5, 4), (1, 2, 5, 7), None, None, None, True),
    "causal_decode": ((2, 3, 1, 8), (2, 3, 13, 8), (2, 3, 13, 8), None, None, None, True),
    "scale": ((1, 1, 7, 13), (1, 1, 7, 13), (1, 1, 7, 13), None, None, 1.7, False),
    "gqa_6_2": ((2, 6, 7, 5), (2, 2, 13, 5), (2, 2, 13, 7), None, None, None, False),
    "gqa_3_1_causal_mask": ((1, 3, 7, 8), (1, 1, 7, 8), (1, 1, 7, 2), "bool", (1, 3, 7, 7), None, True),
    "rank3": ((6, 7, 5), (6, 13, 5), (6, 13, 4), None, None, None, False),
    "rank3_causal_mask": ((6, 7, 5), (6, 7, 5), (6, 7, 4), "float", (6, 7, 7), None, True),
    "rank3_gqa": ((6, 7, 5), (2, 13, 5), (2, 13, 4), None, None, None, False),
    "rank5": ((2, 1, 3, 7, 5), (2, 1, 3, 13, 5), (2, 1, 3, 13, 4), "bool", (2, 1, 1, 1, 13), None, False),
    "ones": ((1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1), None, None, None, True),
}


def attention_case(case):
    """The inputs, op text and float64 reference of ATTENTION_CASES[case]
    (shared with test_flash_attention.py)."""
    qs, ks, vs, mkind, mshape, scale, causal = ATTENTION_CASES[case]
    q, k, v = randn(*qs), randn(*ks), randn(*vs)
    mask = _mask(mkind, mshape)
    if case == "bool_mask_full_row":
        mask[1, 0, 3, :] = False
    out = qs[:-1] + (vs[-1],)
    attrs = [f"scale = {scale!r} : f64"] if scale is not None else []
    attrs += ["causal"] if causal else []
    attr_text = "{" + ", ".join(attrs) + "}" if attrs else ""
    operands = [q, k, v] + ([mask] if mask is not None else [])
    inputs = {"q": q, "k": k, "v": v, **({"m": mask} if mask is not None else {})}
    op_text = (f"%y = tfm.attention {', '.join('%' + n for n in inputs)} "
               f"{attr_text} : {FT([T(a) for a in operands], T(out, np.float32))}")
    expected = ref.attention(q, k, v, mask=mask, scale=scale, causal=causal)
    return inputs, op_text, out, expected


def check_attention(y, expected):
    assert not np.isnan(y).any()
    check(y, expected, **TOL_F32)
    # Rows with nothing to attend are exact zeros (not NaN, not garbage).
    dead = np.all(expected == 0, axis=-1)
    assert np.all(y[dead] == 0)


@pytest.mark.parametrize("case", list(ATTENTION_CASES))
def test_attention(case):
    """f32 tolerance; fully masked rows must be exactly zero."""
    inputs, op_text, out, expected = attention_case(case)
    y = run_op(op_text, inputs, {"y": (out, np.float32)})["y"]
    check_attention(y, expected)


MHA_CASES = {
    # name: (batch, Sq, Sk, Eq, Ek, Ev, H, Hkv, Dh, Dv, Eo,
    #        self, biases, mask kind, mask shape, scale, causal)
    "self_bias": ((2,), 7, 7, 12, 12, 12, 3, 3, 4, 4, 12, True, True, None, None, None, False),
    "self_nobias_causal": ((2,), 7, 7, 13, 13, 13, 1, 1, 13, 13, 13, True, False, None, None, None, True),
    "cross_bias_mask": ((2,), 5, 7, 12, 9, 6, 3, 3, 4, 2, 5, False, True, "bool", (2, 1, 5, 7), None, False),
    "cross_floatmask_scale": ((2,), 5, 7, 12, 9, 6, 3, 3, 4, 2, 5, False, False, "float", (5, 7), 0.25, False),
    "gqa_self_causal_bias": ((2,), 7, 7, 10, 10, 10, 4, 2, 3, 5, 10, True, True, None, None, None, True),
    "mqa_cross_mask": ((1,), 7, 13, 12, 5, 5, 6, 1, 2, 3, 7, False, True, "bool", (13,), None, False),
    "unbatched": ((), 7, 7, 12, 12, 12, 2, 2, 6, 6, 12, True, True, None, None, None, True),
    "batch_rank2_decode": ((1, 2), 1, 7, 8, 8, 8, 2, 2, 4, 4, 8, False, False, None, None, None, True),
}


@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multi_head_attention(case):
    """f32 tolerance; projections are tfm.weight (grouped-query through a
    k_weight with fewer rows)."""
    (batch, sq, sk, eq, ek, ev, h, hkv, dh, dv, eo, is_self, biases,
     mkind, mshape, scale, causal) = MHA_CASES[case]
    s = 1 / math.sqrt(max(eq, ek, ev))
    w = {"wq": randn(h * dh, eq) * s, "wk": randn(hkv * dh, ek) * s,
         "wv": randn(hkv * dv, ev) * s, "wo": randn(eo, h * dv) * s}
    if biases:
        w.update(bq=randn(h * dh), bk=randn(hkv * dh), bv=randn(hkv * dv),
                 bo=randn(eo))
    query = randn(*batch, sq, eq)
    inputs = {"x": query}
    if is_self:
        key = value = query
        operand_names = ["x", "x", "x"]
    else:
        key, value = randn(*batch, sk, ek), randn(*batch, sk, ev)
        inputs.update(kx=key, vx=value)
        operand_names = ["x", "kx", "vx"]
    mask = _mask(mkind, mshape)
    if mask is not None:
        inputs["m"] = mask
    out = batch + (sq, eo)
    wnames = ["wq", "wk", "wv", "wo"]
    bnames = ["bq", "bk", "bv", "bo"] if biases else []
    attrs = [f"num_heads = {h} : i64"]
    attrs += [f"scale = {scale!r} : f64"] if scale is not None else []
    attrs += ["causal"] if causal else []
    types = ([T(inputs[n]) for n in operand_names] +
             [T(w[n]) for n in wnames + bnames] +
             ([T(mask)] if mask is not None else []))
    text = (f"%y = tfm.multi_head_attention "
            f"{', '.join('%' + n for n in operand_names)} "
            f"weights({', '.join('%' + n for n in wnames)}) " +
            (f"biases({', '.join('%' + n for n in bnames)}) " if biases else "") +
            ("mask(%m) " if mask is not None else "") +
            "{" + ", ".join(attrs) + "} : " + FT(types, T(out, np.float32)))
    y = run_op(text, inputs, {"y": (out, np.float32)}, w)["y"]
    expected = ref.multi_head_attention(
        query, key, value, w["wq"], w["wk"], w["wv"], w["wo"],
        biases=tuple(w[n] for n in bnames) if biases else None,
        num_heads=h, mask=mask, scale=scale, causal=causal)
    check(y, expected, **TOL_F32)


# --------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------

NORM_CASES = [
    # (shape, axis, scale, bias, epsilon)
    ((2, 7, 13), -1, True, True, None),
    ((2, 7, 13), -1, False, False, None),
    ((2, 7, 13), -1, True, False, 1e-2),
    ((2, 7, 13), -1, False, True, None),
    ((2, 7, 13), -2, True, True, 1e-3),
    ((13,), -1, True, True, None),
    ((7, 1), -1, True, True, None),
    ((3, 1, 5), 0, False, True, None),
    # Many rows, of lengths off the vector width (40 = 2 x 16 + 8) and
    # normalized over two dimensions (4 x 8).
    ((3, 100, 40), -1, True, True, None),
    ((5, 64, 4, 8), 2, True, False, 1e-3),
]


def _norm_text(op, x, axis, scale, bias, eps, norm_shape, with_bias):
    operands, text = [T(x)], f"%y = tfm.{op} %x"
    if scale:
        text += " scale(%g)"
        operands.append(T(norm_shape, np.float32))
    if bias and with_bias:
        text += " bias(%b)"
        operands.append(T(norm_shape, np.float32))
    attrs = ([f"epsilon = {eps!r} : f64"] if eps is not None else []) + \
            ([f"axis = {axis} : i64"] if axis != -1 else [])
    if attrs:
        text += " {" + ", ".join(attrs) + "}"
    return text + " : " + FT(operands, T(x))


@pytest.mark.parametrize("shape,axis,scale,bias,eps", NORM_CASES)
def test_layer_norm(shape, axis, scale, bias, eps):
    """f32 tolerance; a row of one element (the (7, 1) case) normalizes to
    0, leaving the bias."""
    x = randn(*shape)
    norm_shape = shape[axis % len(shape):]
    g, b = randn(*norm_shape), randn(*norm_shape)
    w = {**({"g": g} if scale else {}), **({"b": b} if bias else {})}
    y = run_op(_norm_text("layer_norm", x, axis, scale, bias, eps, norm_shape,
                          True), {"x": x}, {"y": (shape, np.float32)},
               w or None)["y"]
    expected = ref.layer_norm(x, g if scale else None, b if bias else None,
                              epsilon=1e-5 if eps is None else eps, axis=axis)
    check(y, expected, **TOL_F32)


def test_layer_norm_large_mean():
    """Rows with a large common offset (|mean| = 300 >> std = 1), as in
    residual streams: an f32 implementation that computes the variance by
    E[x²] - E[x]² loses all precision here; two-pass or Welford statistics
    give ~1e-6. Tolerance 1e-4."""
    x = (randn(2, 7, 13) + 300).astype(np.float32)
    y = run_op(f"%y = tfm.layer_norm %x : {FT([T(x)], T(x))}",
               {"x": x}, {"y": (x.shape, np.float32)})["y"]
    check(y, ref.layer_norm(x), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape,axis,scale,bias,eps",
                         NORM_CASES[:3] + NORM_CASES[4:7] + NORM_CASES[-2:])
def test_rms_norm(shape, axis, scale, bias, eps):
    """f32 tolerance."""
    x = randn(*shape)
    norm_shape = shape[axis % len(shape):]
    g = randn(*norm_shape)
    y = run_op(_norm_text("rms_norm", x, axis, scale, False, eps, norm_shape,
                          False), {"x": x}, {"y": (shape, np.float32)},
               {"g": g} if scale else None)["y"]
    expected = ref.rms_norm(x, g if scale else None,
                            epsilon=1e-6 if eps is None else eps, axis=axis)
    check(y, expected, **TOL_F32)


# --------------------------------------------------------------------------
# Elementwise binary
# --------------------------------------------------------------------------

BINARY_SHAPES = [((2, 3), (2, 3)), ((4, 1, 5), (3, 1)), ((1,), (7, 1)),
                 ((), (3,)), ((13, 1, 7), (1, 5, 1))]


@pytest.mark.parametrize("shape_a,shape_b", BINARY_SHAPES)
@pytest.mark.parametrize("op,fn", [
    ("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
    ("div", np.divide), ("min", np.minimum), ("max", np.maximum)])
def test_binary_f32(op, fn, shape_a, shape_b):
    """One rounding: rtol 1e-6 / atol 1e-6."""
    a, b = randn(*shape_a), randn(*shape_b)
    if op == "div":
        b = np.where(np.abs(b) < 0.1, 0.5, b).astype(np.float32)
    out_shape = np.broadcast_shapes(shape_a, shape_b)
    y = run_op(f"%y = tfm.{op} %a, %b : ({tensor_type(shape_a, np.float32)}, "
               f"{tensor_type(shape_b, np.float32)}) -> "
               f"{tensor_type(out_shape, np.float32)}",
               {"a": a, "b": b}, {"y": (out_shape, np.float32)})["y"]
    check(y, fn(a.astype(np.float64), b.astype(np.float64)), **TOL_ROUND1)


@pytest.mark.parametrize("shape_a,shape_b,kind", [
    ((7, 13), (7, 13), "positive"),
    ((2, 1, 7), (13, 1), "positive"),
    ((7, 1), (1, 5), "integral_exponent"),   # negative bases, e.g. x^2
    ((13,), (), "square"),                   # pow(x, 2) as ONNX exports it
])
def test_pow(shape_a, shape_b, kind):
    """IEEE pow, rtol 1e-5 / atol 1e-5 (f32 pow is a few ulp)."""
    a, b = randn(*shape_a), randn(*shape_b)
    if kind == "positive":
        a = np.abs(a) + 0.1
    elif kind == "integral_exponent":
        b = np.round(b * 2).astype(np.float32)
    else:
        b = np.float32(2.0) * np.ones(shape_b, np.float32)
    out = np.broadcast_shapes(shape_a, shape_b)
    y = run_op(f"%y = tfm.pow %a, %b : {FT([T(a), T(b)], T(out, np.float32))}",
               {"a": a, "b": b}, {"y": (out, np.float32)})["y"]
    check(y, ref.power(a, b), **TOL_F32)


def test_pow_special_values():
    """C99/IEEE 754 pow on every pair of special bases and exponents (the
    Vulkan target expands pow itself: SPIR-V's is undefined for negative
    bases): rtol 1e-5, NaN where numpy has NaN, infinities with their
    signs; the sign of a zero result is not compared."""
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5,
                  2.0, -3.0], np.float32).reshape(-1, 1)
    e = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, 2.0, 3.0, -1.0,
                  -2.0, 0.5, -0.5, 2.5], np.float32).reshape(1, -1)
    shape = (x.shape[0], e.shape[1])
    y = run_op(f"%y = tfm.pow %a, %b : {FT([T(x), T(e)], T(shape, np.float32))}",
               {"a": x, "b": e}, {"y": (shape, np.float32)})["y"]
    with np.errstate(all="ignore"):
        expected = np.power(x, e)
    check(y, expected, **TOL_F32)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("shape_a,shape_b", [((7, 13), (7, 13)),
                                             ((2, 1, 7), (13, 1)), ((), (5,))])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "min", "max"])
def test_binary_int(op, shape_a, shape_b, dtype):
    """Exact; integer div truncates toward zero (C), with every sign
    combination present."""
    a = randint(-50, 51, shape_a, dtype)
    b = randint(-9, 10, shape_b, dtype)
    if op == "div":
        b[b == 0] = 3
    out = np.broadcast_shapes(shape_a, shape_b)
    y = run_op(f"%y = tfm.{op} %a, %b : {FT([T(a), T(b)], T(out, dtype))}",
               {"a": a, "b": b}, {"y": (out, dtype)})["y"]
    fns = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
           "div": ref.div, "min": np.minimum, "max": np.maximum}
    check(y, fns[op](a.astype(np.int64), b.astype(np.int64)), **TOL_EXACT)


def test_div_int_truncates():
    """The sign cases of C division spelled out: 7/2 7/-2 -7/2 -7/-2 and a
    large i64. Exact."""
    a = np.array([7, 7, -7, -7, -1, 1, 0, 2**40 + 1], dtype=np.int64)
    b = np.array([2, -2, 2, -2, 3, -3, -5, -3], dtype=np.int64)
    y = run_op(f"%y = tfm.div %a, %b : {FT([T(a), T(b)], T(a))}",
               {"a": a, "b": b}, {"y": (a.shape, np.int64)})["y"]
    check(y, [3, -3, -3, 3, 0, 0, 0, -366503875925], **TOL_EXACT)


# --------------------------------------------------------------------------
# Elementwise unary
# --------------------------------------------------------------------------

def _unary_input(op, shape):
    x = randn(*shape) * 2
    if op in ("log", "sqrt"):
        x = np.abs(x) + 1e-3
    flat = x.reshape(-1)
    if op in ("relu", "gelu", "gelu_tanh", "silu", "sigmoid", "tanh", "erf",
              "neg") and flat.size >= 6:
        # Saturated regions must not overflow to NaN.
        flat[:6] = [-100.0, -30.0, -9.0, 9.0, 30.0, 100.0]
    if op == "exp" and flat.size >= 4:
        flat[:4] = [-80.0, -20.0, 20.0, 80.0]
    return flat.reshape(shape).astype(np.float32)


UNARY_REF = {
    "neg": ref.neg, "relu": ref.relu, "gelu": ref.gelu,
    "gelu_tanh": lambda x: ref.gelu(x, "tanh"), "silu": ref.silu,
    "sigmoid": ref.sigmoid, "tanh": ref.tanh, "exp": ref.exp, "log": ref.log,
    "sqrt": ref.sqrt, "erf": ref.erf,
}


@pytest.mark.parametrize("shape", [(7, 13), (1,), (), (2, 1, 5)])
@pytest.mark.parametrize("op", list(UNARY_REF))
def test_unary_f32(op, shape):
    """neg and relu exact; others rtol 1e-5 / atol 1e-6 (a few ulp)."""
    x = _unary_input(op, shape)
    mnemonic = "gelu" if op == "gelu_tanh" else op
    extra = " approximation = tanh" if op == "gelu_tanh" else ""
    with np.errstate(over="ignore"):
        expected = UNARY_REF[op](x)
    y = run_op(f"%y = tfm.{mnemonic} %x{extra} : {T(x)}", {"x": x},
               {"y": (shape, np.float32)})["y"]
    tol = TOL_EXACT if op in ("neg", "relu") else dict(rtol=1e-5, atol=1e-6)
    check(y, expected, **tol)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_neg_int(dtype):
    """Exact."""
    x = randint(-1000, 1000, (7, 13), dtype)
    y = run_op(f"%y = tfm.neg %x : {T(x)}", {"x": x},
               {"y": (x.shape, dtype)})["y"]
    check(y, -x, **TOL_EXACT)


# --------------------------------------------------------------------------
# Cast
# --------------------------------------------------------------------------

def _cast_input(src, shape):
    if src == np.bool_:
        return RNG.random(shape) > 0.5
    if src == "bf16":
        return to_bf16_bits(randn(*shape) * 100)
    if np.issubdtype(np.dtype(src), np.integer):
        x = randint(-10**6, 10**6, shape, src)
        x.flat[:3] = [0, 1, -1][:x.size]
        if src == np.int64 and x.size > 3:
            x.flat[3] = 2**40 + 1   # not representable in f32: rounds
        return x
    x = (randn(*shape) * 100).astype(np.float32)
    special = [0.0, -0.0, 0.5, -0.5, 2.7, -2.7, 1e-30, 65504.0, 70000.0]
    n = min(len(special), x.size)
    x.flat[:n] = special[:n]
    return x.astype(src)


@pytest.mark.parametrize("src,dst", [
    (np.float32, np.float16), (np.float32, "bf16"), ("bf16", np.float16),
    (np.float16, "bf16"), (np.float32, np.bool_), (np.float16, np.float32)])
def test_cast_float_specials(src, dst):
    """Exact: NaN stays NaN, ±inf stay, overflow -> inf, subnormals and
    underflow, and ties rounding to even (1 + 2^-11, 1 + 3·2^-11 for f16;
    1 + 2^-8, 1 + 3·2^-8 for bf16); x -> i1 is x != 0 (NaN -> true)."""
    vals = np.array([np.nan, np.inf, -np.inf, -0.0, 1e-6, 1e-8, -3e-5,
                     6.1e-5, 1 + 2**-11, 1 + 3 * 2**-11, 1 + 2**-8,
                     1 + 3 * 2**-8, 65520.0, -1e5, 3.0e38], dtype=np.float32)
    if src == np.float16:
        x = vals.astype(np.float16)
    elif src == "bf16":
        x = to_bf16_bits(vals)
    else:
        x = vals
    xv = from_bf16_bits(x) if src == "bf16" else x
    y = run_op(f"%y = tfm.cast %x : {T(x)} -> {T(x.shape, dst)}",
               {"x": x}, {"y": (x.shape, dst)})["y"]
    if dst == "bf16":
        y = from_bf16_bits(y)
    with np.errstate(over="ignore"):
        check(y, ref.cast(xv, dst), **TOL_EXACT)


@pytest.mark.parametrize("src,dst", [
    (np.float32, np.float16), (np.float16, np.float32),
    (np.float32, "bf16"), ("bf16", np.float32), (np.float16, "bf16"),
    (np.float32, np.int32), (np.float32, np.int64), (np.float16, np.int32),
    (np.int64, np.float32), (np.int32, np.float32), (np.int32, np.float16),
    (np.bool_, np.float32), (np.bool_, np.int64), (np.bool_, "bf16"),
    (np.float32, np.bool_), (np.int32, np.bool_),
    (np.int32, np.int64),
])
@pytest.mark.parametrize("shape", [(7, 13), (1,)])
def test_cast(src, dst, shape):
    """Exact: float narrowing rounds to nearest even (70000 -> inf in f16),
    float -> int truncates toward zero, x -> i1 is x != 0 (-0.0 -> false)."""
    x = _cast_input(src, shape)
    if (dst != "bf16" and np.issubdtype(np.dtype(dst), np.integer)
            and x.dtype.kind == "f"):
        x[~np.isfinite(x)] = 0     # inf -> int is undefined (C); not tested
    xv = from_bf16_bits(x) if src == "bf16" else x
    y = run_op(f"%y = tfm.cast %x : {T(x)} -> {T(shape, dst)}",
               {"x": x}, {"y": (shape, dst)})["y"]
    expected = ref.cast(xv, dst)
    if dst == "bf16":
        y = from_bf16_bits(y)
    check(y, expected, **TOL_EXACT)


# --------------------------------------------------------------------------
# Compare and select
# --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.int64, np.bool_])
@pytest.mark.parametrize("pred", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_compare(pred, dtype):
    """Exact. Values drawn from a small set so that equality occurs;
    broadcasting [7,1] with [1,13]; integers signed (negatives present),
    i1 ordered false < true; floats include NaN (ordered predicates false,
    ne true) and -0.0 == 0.0."""
    if dtype == np.bool_:
        a, b = RNG.random((7, 1)) > 0.5, RNG.random((1, 13)) > 0.5
        a[:2, 0], b[0, :2] = [False, True], [False, True]
    else:
        a = randint(-3, 4, (7, 1), dtype)
        b = randint(-3, 4, (1, 13), dtype)
    if dtype == np.float32:
        a[0, 0], a[1, 0] = np.nan, -0.0
        b[0, 0], b[0, 1] = 0.0, np.nan
    y = run_op(f"%y = tfm.compare {pred}, %a, %b : "
               f"{FT([T(a), T(b)], T((7, 13), np.bool_))}",
               {"a": a, "b": b}, {"y": ((7, 13), np.bool_)})["y"]
    check(y, ref.compare(pred, a, b), **TOL_EXACT)


@pytest.mark.parametrize("pred", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_compare_widened_with_constant(pred):
    """Exact: i32 widened to i64 and compared with constants in and out
    of i32's range (how index checks look; Mesa 22's lavapipe got signed
    compares of this form wrong until the Vulkan pipeline narrowed them)."""
    x = np.array([-2**31, -5, -1, 0, 1, 3, 4, 5, 9, 2**31 - 1], np.int32)
    c = np.array([4, -1, 2**40, -2**40, 0, 4, 4, 9, 2**31 - 1, -2**31],
                 np.int64)
    body = (f"%w = tfm.cast %x : {T(x)} -> {T(x.shape, np.int64)}\n"
            f"  %c = tfm.constant dense<{list(map(int, c))}> : "
            f"{T(c)}\n"
            f"  %y = tfm.compare {pred}, %w, %c : "
            f"{FT([T(c), T(c)], T(x.shape, np.bool_))}")
    y = run_op(body, {"x": x}, {"y": (x.shape, np.bool_)})["y"]
    check(y, ref.compare(pred, x.astype(np.int64), c), **TOL_EXACT)


@pytest.mark.parametrize("c_shape,t_shape,f_shape,dtype", [
    ((7, 1), (1, 13), (), np.float32),
    ((), (2, 3), (3,), np.int64),
    ((2, 1, 5), (7, 1), (1, 1, 5), np.int32),
    ((13,), (13,), (1,), np.bool_),
    ((7, 13), (7, 13), (7, 13), np.float16),
])
def test_select(c_shape, t_shape, f_shape, dtype):
    """Exact; all three operands broadcast."""
    c = np.asarray(RNG.random(c_shape) > 0.5)

    def make(shape):
        if dtype == np.bool_:
            return np.asarray(RNG.random(shape) > 0.5)
        return np.asarray(RNG.integers(-100, 100, shape)).astype(dtype)
    t, f = make(t_shape), make(f_shape)
    out = np.broadcast_shapes(c_shape, t_shape, f_shape)
    y = run_op(f"%y = tfm.select %c, %t, %f : "
               f"{FT([T(c), T(t), T(f)], T(out, dtype))}",
               {"c": c, "t": t, "f": f}, {"y": (out, dtype)})["y"]
    check(y, ref.select(c, t, f), **TOL_EXACT)


# --------------------------------------------------------------------------
# Shape ops (exact)
# --------------------------------------------------------------------------

def _data(shape, dtype):
    if dtype == np.bool_:
        return np.asarray(RNG.random(shape) > 0.5)
    if np.issubdtype(np.dtype(dtype), np.integer):
        return np.asarray(RNG.integers(-99, 100, shape)).astype(dtype)
    return randn(*shape).astype(dtype)


@pytest.mark.parametrize("src,dst,dtype", [
    ((2, 7, 13), (14, 13), np.float32), ((1, 7), (7,), np.int64),
    ((), (1, 1), np.float32), ((13,), (1, 13, 1), np.bool_),
    ((2, 3, 5), (5, 6), np.int32), ((7, 13), (91,), np.float16)])
def test_reshape(src, dst, dtype):
    """Exact (row-major)."""
    x = _data(src, dtype)
    y = run_op(f"%y = tfm.reshape %x : {T(x)} -> {T(dst, dtype)}",
               {"x": x}, {"y": (dst, dtype)})["y"]
    check(y, x.reshape(dst), **TOL_EXACT)


def test_reshape_of_transpose():
    """Reshape after a transpose (the [B,S,H,D] -> [B,H,S,D] -> [B*H,S,D]
    head shuffle): exact."""
    x = randn(2, 7, 3, 5)
    y = run_op(f"%t = tfm.transpose %x [0, 2, 1, 3] : {T(x)} -> "
               f"{T((2, 3, 7, 5), np.float32)}\n"
               f"  %y = tfm.reshape %t : {T((2, 3, 7, 5), np.float32)} -> "
               f"{T((6, 7, 5), np.float32)}",
               {"x": x}, {"y": ((6, 7, 5), np.float32)})["y"]
    check(y, x.transpose(0, 2, 1, 3).reshape(6, 7, 5), **TOL_EXACT)


@pytest.mark.parametrize("shape,perm,dtype", [
    ((7, 13), [1, 0], np.float32), ((2, 1, 7), [2, 0, 1], np.int64),
    ((2, 3, 1, 5), [0, 2, 1, 3], np.float32), ((3,), [0], np.int32),
    ((2, 7, 3, 5), [3, 1, 0, 2], np.bool_), ((1, 13, 1), [2, 1, 0], np.float16)])
def test_transpose(shape, perm, dtype):
    """Exact; result dim i = input dim perm[i]."""
    x = _data(shape, dtype)
    out = tuple(shape[p] for p in perm)
    y = run_op(f"%y = tfm.transpose %x [{', '.join(map(str, perm))}] : "
               f"{T(x)} -> {T(out, dtype)}", {"x": x}, {"y": (out, dtype)})["y"]
    check(y, np.transpose(x, perm), **TOL_EXACT)


@pytest.mark.parametrize("src,dst,dtype", [
    ((1, 13), (7, 13), np.float32), ((7, 1), (2, 7, 13), np.int64),
    ((), (3, 1), np.float32), ((13,), (2, 1, 13), np.int32),
    ((1, 5, 1), (3, 5, 7), np.bool_)])
def test_broadcast_to(src, dst, dtype):
    """Exact."""
    x = _data(src, dtype)
    y = run_op(f"%y = tfm.broadcast_to %x : {T(x)} -> {T(dst, dtype)}",
               {"x": x}, {"y": (dst, dtype)})["y"]
    check(y, np.broadcast_to(x, dst), **TOL_EXACT)


@pytest.mark.parametrize("shapes,axis,dtype", [
    ([(2, 3), (2, 1), (2, 7)], 1, np.float32),
    ([(2, 3), (2, 1), (2, 7)], -1, np.int64),
    ([(1, 7, 5), (3, 7, 5), (1, 7, 5)], 0, np.float32),
    ([(2, 1, 5), (2, 13, 5), (2, 1, 5)], -2, np.bool_),
    ([(1,), (13,), (7,)], -1, np.int32),
    ([(3,), (0,), (4,)], 0, np.float32),           # an empty input
    ([(3,), (4,), (0,)], 0, np.float32),           # an empty last input
])
def test_concat(shapes, axis, dtype):
    """Exact; three inputs, negative axes."""
    xs = [_data(s, dtype) for s in shapes]
    expected = np.concatenate(xs, axis=axis)
    names = ["a", "b", "c"]
    y = run_op(f"%y = tfm.concat %a, %b, %c {{axis = {axis} : i64}} : "
               f"{FT([T(x) for x in xs], T(expected.shape, dtype))}",
               dict(zip(names, xs)), {"y": (expected.shape, dtype)})["y"]
    check(y, expected, **TOL_EXACT)


@pytest.mark.parametrize("shape,starts,limits,strides,dtype", [
    ((7, 13), [1, 0], [7, 13], [2, 3], np.float32),
    ((2, 7, 13), [0, 3, 1], [2, 7, 12], [1, 4, 5], np.int64),
    ((13,), [12], [13], [1], np.float32),
    ((13,), [0], [13], [13], np.int32),
    ((1, 7, 1), [0, 2, 0], [1, 7, 1], [1, 2, 1], np.bool_),
    ((7, 5), [2, 1], [5, 4], [1, 1], np.float16),
    ((7,), [3], [3], [1], np.float32),            # start == limit: empty
    ((2, 7), [0, 3], [2, 3], [1, 2], np.float32),  # empty, rank 2: [2, 0]
])
def test_slice(shape, starts, limits, strides, dtype):
    """Exact; result size ceil((limit - start) / stride)."""
    x = _data(shape, dtype)
    expected = ref.slice_(x, starts, limits, strides)
    arr = lambda v: "array<i64: " + ", ".join(map(str, v)) + ">"
    y = run_op(f"%y = tfm.slice %x {{starts = {arr(starts)}, limits = "
               f"{arr(limits)}, strides = {arr(strides)}}} : {T(x)} -> "
               f"{T(expected.shape, dtype)}",
               {"x": x}, {"y": (expected.shape, dtype)})["y"]
    check(y, expected, **TOL_EXACT)


@pytest.mark.parametrize("shape,axis,sizes,dtype", [
    ((7, 13), -1, [1, 5, 7], np.float32),
    ((7, 13), 0, [3, 4], np.int64),
    ((2, 13, 1), 1, [6, 6, 1], np.float32),
    ((5,), 0, [1, 1, 1, 1, 1], np.bool_),
])
def test_split(shape, axis, sizes, dtype):
    """Exact; each piece is a separate model output."""
    x = _data(shape, dtype)
    pieces = ref.split(x, axis, sizes)
    names = [f"y{i}" for i in range(len(sizes))]
    y = run_op(f"{', '.join('%' + n for n in names)} = tfm.split %x "
               f"{{axis = {axis} : i64, sizes = array<i64: "
               f"{', '.join(map(str, sizes))}>}} : {T(x)} -> "
               f"{', '.join(T(p.shape, dtype) for p in pieces)}",
               {"x": x}, {n: (p.shape, dtype) for n, p in zip(names, pieces)})
    for n, p in zip(names, pieces):
        check(y[n], p, what=n, **TOL_EXACT)


@pytest.mark.parametrize("shape,idx,axis,idx_dtype,dtype", [
    ((7, 13), [3, -1, 0, -7, 6], 0, np.int64, np.float32),
    ((7, 13), [[12, -13], [0, 5], [-1, 1]], 1, np.int32, np.float32),
    ((2, 7, 5), [[-2, 4, 0]], 1, np.int64, np.int64),
    ((13,), 4, 0, np.int64, np.float32),          # scalar index drops the axis
    ((7, 1), [0, 0, -1], 1, np.int32, np.bool_),
])
def test_gather(shape, idx, axis, idx_dtype, dtype):
    """Exact; negative indices count from the end."""
    x = _data(shape, dtype)
    idx = np.asarray(idx, dtype=idx_dtype)
    expected = ref.gather(x, idx, axis)
    y = run_op(f"%y = tfm.gather %x, %i {{axis = {axis} : i64}} : "
               f"{FT([T(x), T(idx)], T(expected.shape, dtype))}",
               {"x": x, "i": idx}, {"y": (expected.shape, dtype)})["y"]
    check(y, expected, **TOL_EXACT)


@pytest.mark.parametrize("shape,dim,start,step,dtype", [
    ((7,), 0, None, None, np.int64),
    ((3, 13), 1, 2.0, 3.0, np.int32),
    ((3, 13), 1, 5.0, -2.0, np.int64),
    ((2, 7, 5), 1, 0.5, -0.25, np.float32),
    ((1, 1), 1, None, None, np.float32),
    ((13, 3), 0, 1.0, 0.5, np.float16),
])
def test_iota(shape, dim, start, step, dtype):
    """Exact (all values representable)."""
    attrs = [f"dimension = {dim} : i64"]
    attrs += [f"start = {start!r} : f64"] if start is not None else []
    attrs += [f"step = {step!r} : f64"] if step is not None else []
    y = run_op(f"%y = tfm.iota {{{', '.join(attrs)}}} : {T(shape, dtype)}",
               {}, {"y": (shape, dtype)})["y"]
    check(y, ref.iota(shape, dim, start or 0.0, 1.0 if step is None else step,
                      dtype), **TOL_EXACT)


# --------------------------------------------------------------------------
# Softmax and reductions
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape,axis,scale", [
    ((7, 13), -1, 1.0), ((7, 13), 0, 1.0), ((2, 1, 13), 1, 1.0),
    ((2, 7, 13), -1, 30.0), ((13,), 0, 1.0), ((1,), -1, 1.0),
    ((3, 13, 7), -2, 3.0),
    # Many rows: 300 of 50 (large logits), 280 of 33 (masked vector tail).
    ((300, 50), -1, 30.0), ((4, 70, 33), -1, 1.0)])
def test_softmax(shape, axis, scale):
    """f32 tolerance; large logits (x30) check the max subtraction, and a
    -inf logit gets probability 0."""
    x = (randn(*shape) * scale).astype(np.float32)
    if x.size > 2:
        x.reshape(-1)[1] = -np.inf
    attr = f" {{axis = {axis} : i64}}" if axis != -1 else ""
    y = run_op(f"%y = tfm.softmax %x{attr} : {T(x)}", {"x": x},
               {"y": (shape, np.float32)})["y"]
    with np.errstate(invalid="ignore"):
        check(y, ref.softmax(x, axis), **TOL_F32)


REDUCE_SHAPES = [((2, 7, 13), [0], False), ((2, 7, 13), [1, 2], True),
                 ((2, 7, 13), [-1], False), ((2, 7, 13), [0, 1, 2], False),
                 ((1, 7, 1), [0, 2], True), ((7, 13), [-2, -1], True)]


@pytest.mark.parametrize("shape,axes,keep", REDUCE_SHAPES)
@pytest.mark.parametrize("kind", ["sum", "mean", "max"])
def test_reduce_f32(kind, shape, axes, keep):
    """f32 tolerance (max exact). Data are all negative for max, so an
    initial value of 0 would show."""
    x = randn(*shape)
    if kind == "max":
        x = -np.abs(x) - 1
    expected = ref.reduce(kind, x, axes, keep)
    arr = ", ".join(map(str, axes))
    y = run_op(f"%y = tfm.reduce_{kind} %x {{axes = array<i64: {arr}>"
               f"{', keep_dims = true' if keep else ''}}} : {T(x)} -> "
               f"{T(expected.shape, np.float32)}",
               {"x": x}, {"y": (expected.shape, np.float32)})["y"]
    check(y, expected, **(TOL_EXACT if kind == "max" else TOL_F32))


@pytest.mark.parametrize("shape,axes,keep", REDUCE_SHAPES[:2] + REDUCE_SHAPES[3:5])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("kind", ["sum", "max"])
def test_reduce_int(kind, dtype, shape, axes, keep):
    """Exact; all-negative data for max."""
    x = randint(-1000, 1000, shape, dtype)
    if kind == "max":
        x = -np.abs(x) - 5
    expected = ref.reduce(kind, x, axes, keep)
    arr = ", ".join(map(str, axes))
    y = run_op(f"%y = tfm.reduce_{kind} %x {{axes = array<i64: {arr}>"
               f"{', keep_dims = true' if keep else ''}}} : {T(x)} -> "
               f"{T(expected.shape, dtype)}",
               {"x": x}, {"y": (expected.shape, dtype)})["y"]
    check(y, expected, **TOL_EXACT)


@pytest.mark.parametrize("shape,axis,keep,dtype", [
    ((7, 13), -1, False, np.float32), ((7, 13), 0, True, np.float32),
    ((2, 7, 13), 1, False, np.int32), ((1, 13), -1, True, np.int64),
    ((13,), 0, False, np.float32), ((3, 5), 1, False, np.float32)])
def test_argmax(shape, axis, keep, dtype):
    """Exact; values from {-3,-2,-1} so ties are frequent (first index
    wins); the (3,5) case is all equal."""
    x = randint(-3, 0, shape, dtype)
    if shape == (3, 5):
        x[:] = -2
    expected = ref.argmax(x, axis, keep)
    y = run_op(f"%y = tfm.argmax %x {{axis = {axis} : i64"
               f"{', keep_dims = true' if keep else ''}}} : {T(x)} -> "
               f"{T(expected.shape, np.int64)}",
               {"x": x}, {"y": (expected.shape, np.int64)})["y"]
    check(y, expected, **TOL_EXACT)


def test_argmax_nan():
    """Exact; a NaN counts as the maximum (PyTorch), the first NaN wins."""
    x = randn(4, 7)
    x[0, 3] = np.nan
    x[1, 2] = x[1, 5] = np.nan
    x[2, :] = np.nan
    expected = ref.argmax(x, -1)
    assert list(expected[:3]) == [3, 2, 0]
    y = run_op(f"%y = tfm.argmax %x {{axis = -1 : i64}} : {T(x)} -> "
               f"{T((4,), np.int64)}", {"x": x}, {"y": ((4,), np.int64)})["y"]
    check(y, expected, **TOL_EXACT)


# --------------------------------------------------------------------------
# Ops on intermediates (buffer planning, views, aliasing outputs)
# --------------------------------------------------------------------------

F = np.float32
CHAINS = {
    # name: (body, input shapes, {output: (shape, dtype)}, reference)
    "exp_transpose_neg": (
        "%e = tfm.exp %x : tensor<7x13xf32>\n"
        "  %t = tfm.transpose %e [1, 0] : tensor<7x13xf32> -> tensor<13x7xf32>\n"
        "  %y = tfm.neg %t : tensor<13x7xf32>",
        {"x": (7, 13)}, {"y": ((13, 7), F)},
        lambda x: {"y": -np.exp(ref.f64(x)).T}),
    "self_matmul_softmax": (
        "%a = tfm.add %x, %x : (tensor<7x13xf32>, tensor<7x13xf32>) -> tensor<7x13xf32>\n"
        "  %s = tfm.matmul %a, %a {transpose_b} : (tensor<7x13xf32>, tensor<7x13xf32>) -> tensor<7x7xf32>\n"
        "  %y = tfm.softmax %s {axis = 0 : i64} : tensor<7x7xf32>",
        {"x": (7, 13)}, {"y": ((7, 7), F)},
        lambda x: {"y": ref.softmax(4 * ref.f64(x) @ ref.f64(x).T, 0)}),
    "intermediate_also_output": (
        "%s = tfm.reduce_sum %x {axes = array<i64: 1>, keep_dims = true} : tensor<7x13xf32> -> tensor<7x1xf32>\n"
        "  %y = tfm.div %x, %s : (tensor<7x13xf32>, tensor<7x1xf32>) -> tensor<7x13xf32>",
        {"x": (7, 13)}, {"s": ((7, 1), F), "y": ((7, 13), F)},
        lambda x: {"s": ref.f64(x).sum(1, keepdims=True),
                   "y": ref.f64(x) / ref.f64(x).sum(1, keepdims=True)}),
    "concat_self_slice": (
        "%e = tfm.exp %x : tensor<7x13xf32>\n"
        "  %c = tfm.concat %x, %e, %x {axis = 0 : i64} : (tensor<7x13xf32>, tensor<7x13xf32>, tensor<7x13xf32>) -> tensor<21x13xf32>\n"
        "  %y = tfm.slice %c {starts = array<i64: 1, 2>, limits = array<i64: 21, 13>, strides = array<i64: 2, 3>} : tensor<21x13xf32> -> tensor<10x4xf32>",
        {"x": (7, 13)}, {"y": ((10, 4), F)},
        lambda x: {"y": np.concatenate([x, np.exp(ref.f64(x)), x])[1::2, 2::3]}),
    "argmax_gather": (
        "%i = tfm.argmax %x {axis = 1 : i64} : tensor<7x13xf32> -> tensor<7xi64>\n"
        "  %r = tfm.relu %x : tensor<7x13xf32>\n"
        "  %y = tfm.gather %r, %i {axis = 1 : i64} : (tensor<7x13xf32>, tensor<7xi64>) -> tensor<7x7xf32>",
        {"x": (7, 13)}, {"y": ((7, 7), F)},
        lambda x: {"y": np.take(np.maximum(x, 0), np.argmax(x, 1), axis=1)}),
    "passthrough_and_duplicate_outputs": (
        "%e = tfm.exp %x : tensor<7x13xf32>\n"
        "  %y1 = tfm.reshape %x : tensor<7x13xf32> -> tensor<7x13xf32>\n"
        "  %y2 = tfm.add %e, %e : (tensor<7x13xf32>, tensor<7x13xf32>) -> tensor<7x13xf32>\n"
        "  %y3 = tfm.reshape %e : tensor<7x13xf32> -> tensor<91xf32>",
        {"x": (7, 13)}, {"y1": ((7, 13), F), "y2": ((7, 13), F),
                         "y3": ((91,), F)},
        lambda x: {"y1": x, "y2": 2 * np.exp(ref.f64(x)),
                   "y3": np.exp(ref.f64(x)).reshape(-1)}),
    "transpose_back_and_forth": (
        "%t = tfm.transpose %x [2, 0, 1] : tensor<2x7x13xf32> -> tensor<13x2x7xf32>\n"
        "  %a = tfm.sigmoid %t : tensor<13x2x7xf32>\n"
        "  %b = tfm.transpose %a [1, 2, 0] : tensor<13x2x7xf32> -> tensor<2x7x13xf32>\n"
        "  %y = tfm.sub %b, %x : (tensor<2x7x13xf32>, tensor<2x7x13xf32>) -> tensor<2x7x13xf32>",
        {"x": (2, 7, 13)}, {"y": ((2, 7, 13), F)},
        lambda x: {"y": ref.sigmoid(x) - x}),
    "broadcast_then_reduce": (
        "%b = tfm.broadcast_to %x : tensor<7x1xf32> -> tensor<3x7x13xf32>\n"
        "  %m = tfm.mul %b, %b : (tensor<3x7x13xf32>, tensor<3x7x13xf32>) -> tensor<3x7x13xf32>\n"
        "  %y = tfm.reduce_mean %m {axes = array<i64: 0, 2>} : tensor<3x7x13xf32> -> tensor<7xf32>",
        {"x": (7, 1)}, {"y": ((7,), F)},
        lambda x: {"y": ref.f64(x)[:, 0] ** 2}),
}


@pytest.mark.parametrize("name", list(CHAINS))
def test_chain(name):
    """Ops consuming intermediates: views of temporaries, outputs that are
    also consumed, an input returned as an output. f32 tolerance."""
    body, in_shapes, outs, fn = CHAINS[name]
    inputs = {n: randn(*s) for n, s in in_shapes.items()}
    y = run_op(body, inputs, outs)
    for n, e in fn(*inputs.values()).items():
        check(y[n], e, what=n, **TOL_F32)


# --------------------------------------------------------------------------
# Constant folding and algebraic identities (results must not depend on
# whether the compiler folded)
# --------------------------------------------------------------------------

def dense(a):
    """MLIR dense literal of an array; floats as bit patterns (hex), so NaN,
    inf and -0.0 survive; uint16 arrays are bf16 bits."""
    a = np.asarray(a)
    if a.dtype == np.bool_:
        item = lambda v: "true" if v else "false"
    elif a.dtype == np.uint16:
        item = lambda v: f"0x{int(v):04X}"
    elif a.dtype == np.float32:
        item = lambda v: f"0x{int(np.float32(v).view(np.uint32)):08X}"
    elif a.dtype == np.float16:
        item = lambda v: f"0x{int(np.float16(v).view(np.uint16)):04X}"
    else:
        item = lambda v: str(int(v))

    def nest(x):
        if x.ndim == 0:
            return item(x)
        return "[" + ", ".join(nest(e) for e in x) + "]"
    return f"dense<{nest(a)}>"


def check_bits(actual, expected, what="output"):
    """Exact, NaN matches NaN, and the sign of zero must agree."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    if actual.dtype.kind != "f":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    e = expected.astype(actual.dtype)
    same = (np.isnan(actual) & np.isnan(e)) | (
        (actual == e) & (np.signbit(actual) == np.signbit(e)))
    assert same.all(), (f"{what}: at {np.argwhere(~same).tolist()[:8]} got "
                        f"{actual[~same][:8]} want {e[~same][:8]}")


_F = lambda *v: np.array(v, dtype=np.float32)
_I = lambda *v, dt=np.int64: np.array(v, dtype=dt)
_B = lambda *v: np.array(v, dtype=np.bool_)
_FRNG = np.random.default_rng(99)

FOLD_CASES = {
    # name: (op text over constants %a %b %c, operands, result dtype,
    #        expected)
    "div_i64_trunc": ("tfm.div %a, %b", dict(
        a=_I(7, -7, 7, -7, -1, 1, 0, 9), b=_I(2, 2, -2, -2, 3, -3, -5, 1)),
        np.int64, _I(3, -3, -3, 3, 0, 0, 0, 9)),
    "div_i32_bcast": ("tfm.div %a, %b", dict(
        a=_FRNG.integers(-50, 50, (2, 1, 3)).astype(np.int32),
        b=np.array([[4], [-3], [7], [-1]], np.int32)), np.int32, None),
    "add_f32_bcast": ("tfm.add %a, %b", dict(
        a=_FRNG.standard_normal((4, 1, 5)).astype(np.float32),
        b=_FRNG.standard_normal((3, 1)).astype(np.float32)), np.float32, None),
    "sub_f32_bcast": ("tfm.sub %a, %b", dict(
        a=_FRNG.standard_normal((7, 1)).astype(np.float32),
        b=_FRNG.standard_normal((1, 5)).astype(np.float32)), np.float32, None),
    "min_nan": ("tfm.min %a, %b", dict(a=_F(np.nan, 1, 3, 2),
                                       b=_F(1, np.nan, 0.5, -1)),
                np.float32, _F(np.nan, np.nan, 0.5, -1)),
    "max_nan": ("tfm.max %a, %b", dict(a=_F(np.nan, 1, 3, 2),
                                       b=_F(1, np.nan, 0.5, -1)),
                np.float32, _F(np.nan, np.nan, 3, 2)),
    "mul_i32": ("tfm.mul %a, %b", dict(a=_I(-3, 4, 0, dt=np.int32),
                                       b=_I(5, -6, 7, dt=np.int32)),
                np.int32, _I(-15, -24, 0, dt=np.int32)),
    **{f"compare_{p}_f32": (f"tfm.compare {p}, %a, %b", dict(
        a=_F(np.nan, -0.0, 1, 2).reshape(4, 1),
        b=_F(0.0, np.nan, 1, 3).reshape(1, 4)), np.bool_, None)
       for p in ["eq", "ne", "lt", "le", "gt", "ge"]},
    "compare_lt_i1": ("tfm.compare lt, %a, %b", dict(
        a=_B(False, True).reshape(2, 1), b=_B(False, True).reshape(1, 2)),
        np.bool_, _B(False, True, False, False).reshape(2, 2)),
    "compare_gt_i32": ("tfm.compare gt, %a, %b", dict(
        a=_I(-1, 3, -7, dt=np.int32), b=_I(2, -5, -7, dt=np.int32)),
        np.bool_, _B(False, True, False)),
    "select_bcast": ("tfm.select %a, %b, %c", dict(
        a=_B(True, False, True).reshape(3, 1), b=_F(1, 2, 3, 4).reshape(1, 4),
        c=np.array(-9.5, np.float32)), np.float32, None),
    "neg_f32": ("tfm.neg %a", dict(a=_F(0.0, -0.0, 1.5, -np.inf)),
                np.float32, _F(-0.0, 0.0, -1.5, np.inf)),
    "neg_i64": ("tfm.neg %a", dict(a=_I(0, -5, 7)), np.int64, _I(0, 5, -7)),
    "cast_f32_i32": ("tfm.cast %a", dict(a=_F(-2.7, 2.7, -0.5, 0.5, 1e6 + 0.5, -3)),
                     np.int32, _I(-2, 2, 0, 0, 1000000, -3, dt=np.int32)),
    "cast_f32_f16": ("tfm.cast %a", dict(a=_F(
        1 + 2**-11, 1 + 3 * 2**-11, 65520, 1e-8, -0.0, np.nan, 7e4, 6e-8)),
        np.float16, None),
    "cast_f32_bf16": ("tfm.cast %a", dict(a=_F(
        1 + 2**-8, 1 + 3 * 2**-8, np.nan, -0.0, 3e38, -1e-40)), "bf16", None),
    "cast_f32_i1": ("tfm.cast %a", dict(a=_F(0.0, -0.0, np.nan, 0.5, -1)),
                    np.bool_, _B(False, False, True, True, True)),
    "cast_i1_f32": ("tfm.cast %a", dict(a=_B(True, False)), np.float32,
                    _F(1, 0)),
    "cast_i1_i64": ("tfm.cast %a", dict(a=_B(True, False)), np.int64,
                    _I(1, 0)),
    "cast_i1_i32": ("tfm.cast %a", dict(a=_B(True, False)), np.int32,
                    _I(1, 0, dt=np.int32)),
    "cast_i64_f32": ("tfm.cast %a", dict(a=_I(2**40 + 1, -2**40 - 1,
                                              2**24 + 1, 3)),
                     np.float32, _F(2**40, -2**40, 2**24, 3)),
    "cast_i32_i64": ("tfm.cast %a", dict(a=_I(-1, -2**31, 2**31 - 1,
                                              dt=np.int32)),
                     np.int64, _I(-1, -2**31, 2**31 - 1)),
}

SHAPE_FOLD_CASES = {
    # name: (op text over %a / %b / %c -> result type computed from expected)
    "reshape": ("tfm.reshape %a", dict(a=np.arange(24, dtype=np.int64)
                                       .reshape(2, 3, 4)),
                lambda a: a.reshape(4, 6)),
    "transpose": ("tfm.transpose %a [2, 0, 1]", dict(
        a=np.arange(24, dtype=np.float32).reshape(2, 3, 4)),
        lambda a: a.transpose(2, 0, 1)),
    "broadcast_to": ("tfm.broadcast_to %a", dict(a=_I(5, -6, 7).reshape(1, 3)),
                     lambda a: np.broadcast_to(a, (2, 3))),
    "concat": ("tfm.concat %a, %b, %c {axis = -1 : i64}", dict(
        a=_I(1, 2).reshape(2, 1), b=np.arange(6).reshape(2, 3),
        c=_I(-1, -2, -3, -4).reshape(2, 2)),
        lambda a, b, c: np.concatenate([a, b, c], -1)),
    "slice": ("tfm.slice %a {starts = array<i64: 1, 1>, limits = "
              "array<i64: 5, 7>, strides = array<i64: 2, 3>}",
              dict(a=np.arange(35, dtype=np.float32).reshape(5, 7)),
              lambda a: a[1:5:2, 1:7:3]),
    "gather": ("tfm.gather %a, %b {axis = 1 : i64}", dict(
        a=np.arange(15, dtype=np.int64).reshape(3, 5),
        b=_I(-1, 0, 2, -3).reshape(2, 2)),
        lambda a, b: np.take(a, b, axis=1)),
    "reduce_max": ("tfm.reduce_max %a {axes = array<i64: 1>}", dict(
        a=_F(-5, -3, -4, -9, -1, -2).reshape(2, 3)),
        lambda a: a.max(1)),
    "reduce_sum_i32": ("tfm.reduce_sum %a {axes = array<i64: 0>, keep_dims = true}",
                       dict(a=_I(-5, 3, 4, -9, 1, 2, dt=np.int32).reshape(2, 3)),
                       lambda a: a.sum(0, keepdims=True).astype(a.dtype)),
    "argmax": ("tfm.argmax %a {axis = 1 : i64}", dict(
        a=_F(1, 3, 3, -1, -1, -2).reshape(2, 3)), lambda a: a.argmax(1)),
}


def _const_model(op, consts, out_shape, out_dtype):
    lines = "".join(f"  %{n} = tfm.constant {dense(a)} : {T(a)}\n"
                    for n, a in consts.items())
    names = [n for n in consts if f"%{n}" in op]
    if op.startswith(("tfm.cast", "tfm.reshape", "tfm.transpose",
                      "tfm.broadcast_to", "tfm.slice", "tfm.reduce",
                      "tfm.argmax")):
        sig = f"{T(consts[names[0]])} -> {T(out_shape, out_dtype)}"
    elif op.startswith("tfm.neg"):
        sig = T(out_shape, out_dtype)
    else:
        sig = FT([T(consts[n]) for n in names], T(out_shape, out_dtype))
    rt = T(out_shape, out_dtype)
    return (f"func.func @main() -> ({rt} {{tfm.name = \"y\"}}) {{\n{lines}"
            f"  %y = {op} : {sig}\n  return %y : {rt}\n}}\n")


def _fold_expected(name, consts, dtype):
    a = consts.get("a")
    if name.startswith("compare_"):
        return ref.compare(name.split("_")[1], consts["a"], consts["b"])
    if name.startswith("select"):
        return ref.select(consts["a"], consts["b"], consts["c"])
    if name.startswith("div"):
        return ref.div(consts["a"], consts["b"])
    if name.startswith(("add", "sub")):
        fn = np.add if name.startswith("add") else np.subtract
        return fn(consts["a"], consts["b"])
    if name.startswith("cast"):
        return ref.cast(a, dtype)
    raise KeyError(name)


@pytest.mark.parametrize("name", list(FOLD_CASES))
def test_folded_elementwise(name):
    """Ops on tfm.constant operands (folded at compile time where the
    compiler can): bit-exact against the reference (sign of zero
    included), except add/sub (one rounding: exact in f32)."""
    op, consts, dtype, expected = FOLD_CASES[name]
    if expected is None:
        with np.errstate(all="ignore"):
            expected = _fold_expected(name, consts, dtype)
    expected = np.asarray(expected)
    if dtype not in ("bf16",) and np.dtype(dtype).kind == "f":
        expected = expected.astype(dtype)
    shape = expected.shape
    y = _compile(_const_model(op, consts, shape, dtype)).run({})["y"]
    if dtype == "bf16":
        y = from_bf16_bits(y)
    check_bits(y, expected)


@pytest.mark.parametrize("name", list(SHAPE_FOLD_CASES))
def test_folded_shape(name):
    """Shape ops and reductions on constants: exact."""
    op, consts, fn = SHAPE_FOLD_CASES[name]
    expected = np.asarray(fn(*consts.values()))
    y = _compile(_const_model(op, consts, expected.shape,
                              expected.dtype)).run({})["y"]
    check_bits(y, expected)


def test_folded_gather_index_out_of_range():
    """An out-of-range constant gather index is never folded away: the
    model compiles and reports it at run time (exit 1)."""
    x = np.arange(7, dtype=np.float32).reshape(1, 7)
    idx = _I(1, 9)
    mlir = (f"func.func @main() -> ({T((1, 2), np.float32)} {{tfm.name = \"y\"}}) {{\n"
            f"  %x = tfm.constant {dense(x)} : {T(x)}\n"
            f"  %i = tfm.constant {dense(idx)} : {T(idx)}\n"
            f"  %y = tfm.gather %x, %i {{axis = 1 : i64}} : "
            f"{FT([T(x), T(idx)], T((1, 2), np.float32))}\n"
            f"  return %y : {T((1, 2), np.float32)}\n}}\n")
    _run_expect_index_error(_compile(mlir), {}, 9)


SPECIALS = _F(np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.0)
IDENTITY_CASES = {
    # name: (body using %x (the input) and %c (a constant), constant,
    #        output shape, expected as a function of x)
    "add_neg_zero": ("tfm.add %x, %c", np.array(-0.0, np.float32), (7,),
                     lambda x: x + np.float32(-0.0)),
    "add_pos_zero": ("tfm.add %x, %c", np.array(0.0, np.float32), (7,),
                     lambda x: x + np.float32(0.0)),          # -0.0 -> +0.0
    "add_zero_broadcasts": ("tfm.add %x, %c", np.full((2, 7), -0.0, np.float32),
                            (2, 7), lambda x: np.broadcast_to(x, (2, 7))),
    "sub_zero": ("tfm.sub %x, %c", np.array(0.0, np.float32), (7,),
                 lambda x: x - np.float32(0.0)),
    "zero_sub": ("tfm.sub %c, %x", np.array(0.0, np.float32), (7,),
                 lambda x: np.float32(0.0) - x),              # not neg(x)
    "mul_one": ("tfm.mul %x, %c", np.array(1.0, np.float32), (7,), lambda x: x),
    "mul_zero": ("tfm.mul %x, %c", np.array(0.0, np.float32), (7,),
                 lambda x: x * np.float32(0.0)),              # NaN, -0.0
    "div_one": ("tfm.div %c, %x", np.array(1.0, np.float32), (7,),
                lambda x: np.float32(1.0) / x),
    "x_div_one": ("tfm.div %x, %c", np.array(1.0, np.float32), (7,), lambda x: x),
    "pow_one": ("tfm.pow %x, %c", np.array(1.0, np.float32), (7,), lambda x: x),
    "pow_zero": ("tfm.pow %x, %c", np.array(0.0, np.float32), (7,),
                 lambda x: np.ones_like(x)),                  # pow(NaN, 0) = 1
    "x_sub_x": ("tfm.sub %x, %x", None, (7,), lambda x: x - x),
    "x_div_x": ("tfm.div %x, %x", None, (7,), lambda x: x / x),
    "x_mul_x": ("tfm.mul %x, %x", None, (7,), lambda x: x * x),
    "max_x_x": ("tfm.max %x, %x", None, (7,), lambda x: x),
    "eq_x_x": ("tfm.compare eq, %x, %x", None, (7,), lambda x: x == x),
    "ne_x_x": ("tfm.compare ne, %x, %x", None, (7,), lambda x: x != x),
    "ge_x_x": ("tfm.compare ge, %x, %x", None, (7,), lambda x: x >= x),
    "lt_x_x": ("tfm.compare lt, %x, %x", None, (7,), lambda x: x < x),
}


# Identities lavapipe (Mesa 22.3) still folds, as x + 0 -> x and x * 0 -> 0,
# although the kernels request SignedZeroInfNanPreserve (a driver bug: the
# same kernels keep IEEE results on the CPU target).
VULKAN_DRIVER_FOLDS = {"add_pos_zero", "zero_sub", "mul_zero"}


@pytest.mark.parametrize("name", list(IDENTITY_CASES))
def test_algebraic_identity(name):
    """Identities the compiler may simplify, on NaN, ±inf and ±0.0: the
    result is IEEE's (bit-exact, sign of zero included)."""
    if harness.TARGET == "vulkan" and name in VULKAN_DRIVER_FOLDS:
        pytest.skip("Vulkan: the driver folds this identity despite "
                    "SignedZeroInfNanPreserve (lavapipe, Mesa 22.3)")
    op, c, shape, fn = IDENTITY_CASES[name]
    x = SPECIALS
    rdtype = np.bool_ if "compare" in op else np.float32
    with np.errstate(all="ignore"):
        expected = np.asarray(fn(x))
    operands = [T(x) if n == "x" else T(c) for n in
                [tok[1] for tok in op.replace(",", " ").split() if tok.startswith("%")]]
    text = (("" if c is None else f"%c = tfm.constant {dense(c)} : {T(c)}\n  ")
            + f"%y = {op} : {FT(operands, T(shape, rdtype))}")
    y = run_op(text, {"x": x}, {"y": (shape, rdtype)})["y"]
    check_bits(y, expected)


CHAIN_FOLD_CASES = {
    # name: (body over %x: tensor<2x3x5xf32>, result shape, expected fn)
    "transpose_transpose": (
        "%t = tfm.transpose %x [1, 0, 2] : tensor<2x3x5xf32> -> tensor<3x2x5xf32>\n"
        "  %y = tfm.transpose %t [0, 2, 1] : tensor<3x2x5xf32> -> tensor<3x5x2xf32>",
        (3, 5, 2), lambda x: x.transpose(1, 0, 2).transpose(0, 2, 1)),
    "transpose_inverse": (
        "%t = tfm.transpose %x [2, 0, 1] : tensor<2x3x5xf32> -> tensor<5x2x3xf32>\n"
        "  %y = tfm.transpose %t [1, 2, 0] : tensor<5x2x3xf32> -> tensor<2x3x5xf32>",
        (2, 3, 5), lambda x: x),
    "reshape_reshape": (
        "%t = tfm.reshape %x : tensor<2x3x5xf32> -> tensor<6x5xf32>\n"
        "  %y = tfm.reshape %t : tensor<6x5xf32> -> tensor<3x10xf32>",
        (3, 10), lambda x: x.reshape(3, 10)),
    "broadcast_broadcast": (
        "%t = tfm.broadcast_to %x : tensor<2x3x5xf32> -> tensor<1x2x3x5xf32>\n"
        "  %y = tfm.broadcast_to %t : tensor<1x2x3x5xf32> -> tensor<4x2x3x5xf32>",
        (4, 2, 3, 5), lambda x: np.broadcast_to(x, (4, 2, 3, 5))),
    "neg_neg": (
        "%t = tfm.neg %x : tensor<2x3x5xf32>\n"
        "  %y = tfm.neg %t : tensor<2x3x5xf32>", (2, 3, 5), lambda x: x),
    "transpose_identity": (
        "%y = tfm.transpose %x [0, 1, 2] : tensor<2x3x5xf32> -> tensor<2x3x5xf32>",
        (2, 3, 5), lambda x: x),
}


@pytest.mark.parametrize("name", list(CHAIN_FOLD_CASES))
def test_collapsed_chain(name):
    """Chains the canonicalizer collapses (transpose∘transpose composes the
    permutations in the right order, ...): exact."""
    body, shape, fn = CHAIN_FOLD_CASES[name]
    x = randn(2, 3, 5)
    x.reshape(-1)[:2] = [-0.0, np.nan]
    y = run_op(body, {"x": x}, {"y": (shape, np.float32)})["y"]
    check_bits(y, fn(x))


# --------------------------------------------------------------------------
# f16 and bf16
# --------------------------------------------------------------------------

def _lowp_case(op):
    """(op text with {t(shape)} for the data type, f32 inputs, f32 weights,
    output shape, reference on the rounded values)."""
    if op == "linear":
        x, w, b = randn(2, 7, 13), randn(5, 13) / 4, randn(5)
        return ("%y = tfm.linear %x, %w, %b : ({x}, {w}, {b}) -> {y}",
                {"x": x}, {"w": w, "b": b}, (2, 7, 5),
                lambda i, p: ref.linear(i["x"], p["w"], p["b"]))
    if op == "matmul":
        a, b = randn(2, 1, 7, 13), randn(3, 5, 13)
        return ("%y = tfm.matmul %a, %b {{transpose_b}} : ({a}, {b}) -> {y}",
                {"a": a, "b": b}, {}, (2, 3, 7, 5),
                lambda i, p: ref.matmul(i["a"], i["b"], transpose_b=True))
    if op == "attention":
        q, k, v = randn(2, 4, 7, 8), randn(2, 2, 13, 8), randn(2, 2, 13, 5)
        return ("%y = tfm.attention %q, %k, %v {{causal}} : ({q}, {k}, {v}) -> {y}",
                {"q": q, "k": k, "v": v}, {}, (2, 4, 7, 5),
                lambda i, p: ref.attention(i["q"], i["k"], i["v"], causal=True))
    if op == "layer_norm":
        x, g, b = randn(2, 7, 13), randn(13), randn(13)
        return ("%y = tfm.layer_norm %x scale(%g) bias(%b) : ({x}, {g}, {b}) -> {y}",
                {"x": x}, {"g": g, "b": b}, (2, 7, 13),
                lambda i, p: ref.layer_norm(i["x"], p["g"], p["b"]))
    if op == "rms_norm":
        x, g = randn(2, 7, 13), randn(7, 13)
        return ("%y = tfm.rms_norm %x scale(%g) {{axis = -2 : i64}} : ({x}, {g}) -> {y}",
                {"x": x}, {"g": g}, (2, 7, 13),
                lambda i, p: ref.rms_norm(i["x"], p["g"], axis=-2))
    if op == "multi_head_attention":
        x = randn(2, 7, 12)
        w = {"wq": randn(12, 12) / 4, "wk": randn(6, 12) / 4,
             "wv": randn(6, 12) / 4, "wo": randn(12, 12) / 4,
             "bq": randn(12), "bk": randn(6), "bv": randn(6), "bo": randn(12)}
        return ("%y = tfm.multi_head_attention %x, %x, %x "
                "weights(%wq, %wk, %wv, %wo) biases(%bq, %bk, %bv, %bo) "
                "{{num_heads = 4 : i64, causal}} : ({x}, {x}, {x}, {wq}, {wk}, "
                "{wv}, {wo}, {bq}, {bk}, {bv}, {bo}) -> {y}",
                {"x": x}, w, (2, 7, 12),
                lambda i, p: ref.multi_head_attention(
                    i["x"], i["x"], i["x"], p["wq"], p["wk"], p["wv"], p["wo"],
                    biases=(p["bq"], p["bk"], p["bv"], p["bo"]), num_heads=4,
                    causal=True))
    if op == "softmax":
        x = randn(2, 7, 13) * 3
        return ("%y = tfm.softmax %x : {y}", {"x": x}, {}, (2, 7, 13),
                lambda i, p: ref.softmax(i["x"]))
    if op == "gelu":
        x = randn(7, 13) * 2
        return ("%y = tfm.gelu %x : {y}", {"x": x}, {}, (7, 13),
                lambda i, p: ref.gelu(i["x"]))
    if op == "add":
        a, b = randn(7, 1, 13), randn(5, 1)
        return ("%y = tfm.add %a, %b : ({a}, {b}) -> {y}", {"a": a, "b": b},
                {}, (7, 5, 13), lambda i, p: ref.f64(i["a"]) + ref.f64(i["b"]))
    raise ValueError(op)


@pytest.mark.parametrize("fmt", ["f16", "bf16"])
@pytest.mark.parametrize("op", ["linear", "matmul", "attention", "layer_norm",
                                "softmax", "gelu", "add", "rms_norm",
                                "multi_head_attention"])
def test_low_precision(op, fmt):
    """Reference on the inputs rounded to the format; rtol 2e-3 (f16) or
    1e-2 (bf16), atol = rtol · max|expected|."""
    text, inputs, weights, out, fn = _lowp_case(op)
    if fmt == "f16":
        enc = lambda a: a.astype(np.float16)
        dec = lambda a: a.astype(np.float32)
    else:
        enc, dec = to_bf16_bits, from_bf16_bits
    inputs = {n: enc(a) for n, a in inputs.items()}
    weights = {n: enc(a) for n, a in weights.items()}
    types = {n: T(a) for n, a in {**inputs, **weights}.items()}
    types["y"] = T(out, fmt)
    dtype = np.float16 if fmt == "f16" else "bf16"
    y = run_op(text.format(**types), inputs, {"y": (out, dtype)},
               weights or None)["y"]
    expected = fn({n: dec(a) for n, a in inputs.items()},
                  {n: dec(a) for n, a in weights.items()})
    tol = TOL_F16 if fmt == "f16" else TOL_BF16
    rtol = tol["rtol"]
    check(y, expected, rtol=rtol, atol=rtol * float(np.abs(expected).max()),
          tag=fmt)


@pytest.mark.parametrize("fmt", ["f16", "bf16"])
@pytest.mark.parametrize("op", ["softmax", "layer_norm", "rms_norm", "attention"])
def test_low_precision_long_rows(op, fmt):
    """Rows of 1031 elements whose sums exceed what f16/bf16 can accumulate
    (f16 spacing is 1 above 1024, bf16 spacing 2 above 256): the documented
    f32 accumulation of softmax / layer_norm / rms_norm / attention keeps
    the error at the format's rounding. Same tolerances as
    test_low_precision."""
    n = 1031
    if fmt == "f16":
        enc, dec, dtype = (lambda a: a.astype(np.float16),
                           lambda a: a.astype(np.float32), np.float16)
    else:
        enc, dec, dtype = to_bf16_bits, from_bf16_bits, "bf16"
    if op == "attention":
        q, k = enc(randn(1, 1, 3, 8) * 0.1), enc(randn(1, 1, n, 8) * 0.1)
        v = enc(1 + 0.5 * randn(1, 1, n, 4))
        ins, out = {"q": q, "k": k, "v": v}, (1, 1, 3, 4)
        text = (f"%y = tfm.attention %q, %k, %v : "
                f"{FT([T(q), T(k), T(v)], T(out, dtype))}")
        expected = ref.attention(dec(q), dec(k), dec(v))
    else:
        x = enc((RNG.uniform(-0.05, 0.05, (3, n)) if op == "softmax"
                 else 1 + 0.5 * randn(3, n)).astype(np.float32))
        ins, out = {"x": x}, (3, n)
        text = (f"%y = tfm.{op} %x : {T(x)}" if op == "softmax" else
                f"%y = tfm.{op} %x : {FT([T(x)], T(x))}")
        expected = {"softmax": ref.softmax, "layer_norm": ref.layer_norm,
                    "rms_norm": ref.rms_norm}[op](dec(x))
    y = run_op(text, ins, {"y": (out, dtype)})["y"]
    rtol = 2e-3 if fmt == "f16" else 1e-2
    check(y, expected, rtol=rtol, atol=rtol * np.abs(expected).max(), tag=fmt)


LOWP_UNARY = ["neg", "relu", "gelu", "gelu_tanh", "silu", "sigmoid", "tanh",
              "exp", "log", "sqrt", "erf"]
LOWP_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
               "div": np.divide, "min": np.minimum, "max": np.maximum,
               "pow": np.power}


def _fmt_codec(fmt):
    if fmt == "f16":
        return (lambda a: np.asarray(a, np.float32).astype(np.float16),
                lambda a: a.astype(np.float32), np.float16, 2e-3)
    return to_bf16_bits, from_bf16_bits, "bf16", 1e-2


@pytest.mark.parametrize("fmt", ["f16", "bf16"])
@pytest.mark.parametrize("op", LOWP_UNARY + list(LOWP_BINARY) +
                         ["reduce_sum", "reduce_mean", "reduce_max"])
def test_low_precision_elementwise(op, fmt):
    """Every float elementwise op and the float reductions in f16 / bf16,
    on the inputs rounded to the format: elementwise ops are judged per
    element (rtol 2e-3 / 1e-2, atol 1e-6: one rounding of an f32-accurate
    value), reductions with atol = rtol · max|expected|."""
    enc, dec, dtype, rtol = _fmt_codec(fmt)
    if op in LOWP_UNARY:
        x = np.clip(_unary_input(op, (7, 13)), -60, 60) if op != "exp" else \
            np.clip(randn(7, 13) * 3, -10, 10)
        x = enc(x)
        mnemonic = "gelu" if op == "gelu_tanh" else op
        extra = " approximation = tanh" if op == "gelu_tanh" else ""
        y = run_op(f"%y = tfm.{mnemonic} %x{extra} : {T(x)}", {"x": x},
                   {"y": ((7, 13), dtype)})["y"]
        with np.errstate(all="ignore"):
            expected = UNARY_REF[op](dec(x))
        check(y, expected, rtol=rtol, atol=1e-6, tag=fmt)
    elif op in LOWP_BINARY:
        a, b = randn(7, 1, 13) * 2, randn(5, 1) * 2
        if op == "div":
            b = np.where(np.abs(b) < 0.1, 0.5, b)
        if op == "pow":
            a = np.abs(a) + 0.1
        a, b = enc(a), enc(b)
        y = run_op(f"%y = tfm.{op} %a, %b : "
                   f"{FT([T(a), T(b)], T((7, 5, 13), dtype))}",
                   {"a": a, "b": b}, {"y": ((7, 5, 13), dtype)})["y"]
        expected = LOWP_BINARY[op](ref.f64(dec(a)), ref.f64(dec(b)))
        check(y, expected, rtol=rtol, atol=1e-6, tag=fmt)
    else:
        x = enc(randn(2, 7, 13) * 2)
        kind = op.split("_")[1]
        expected = ref.reduce(kind, dec(x), [0, 2])
        y = run_op(f"%y = tfm.{op} %x {{axes = array<i64: 0, 2>}} : {T(x)} -> "
                   f"{T((7,), dtype)}", {"x": x}, {"y": ((7,), dtype)})["y"]
        check(y, expected, rtol=rtol, atol=rtol * np.abs(expected).max(),
              tag=fmt)


def test_low_precision_attention_masks():
    """f16 attention with an additive f16 mask and a grouped bool-masked
    bf16 attention; same tolerances as test_low_precision."""
    q, k, v = randn(1, 2, 7, 4), randn(1, 2, 13, 4), randn(1, 2, 13, 3)
    m = _mask("float", (7, 13))
    ins = {n: a.astype(np.float16) for n, a in
           {"q": q, "k": k, "v": v, "m": m}.items()}
    y = run_op("%y = tfm.attention %q, %k, %v, %m : " +
               FT([T(a) for a in ins.values()], T((1, 2, 7, 3), np.float16)),
               ins, {"y": ((1, 2, 7, 3), np.float16)})["y"]
    e = ref.attention(*(ins[n].astype(np.float32) for n in "qkv"),
                      mask=ins["m"].astype(np.float32))
    check(y, e, rtol=2e-3, atol=2e-3 * np.abs(e).max(), tag="f16")

    mb = _mask("bool", (1, 1, 7, 13))
    ins = {n: to_bf16_bits(a) for n, a in {"q": randn(1, 4, 7, 4),
                                           "k": k, "v": v}.items()}
    ins["m"] = mb
    y = run_op("%y = tfm.attention %q, %k, %v, %m : " +
               FT([T(a) for a in ins.values()], T((1, 4, 7, 3), "bf16")),
               ins, {"y": ((1, 4, 7, 3), "bf16")})["y"]
    e = ref.attention(*(from_bf16_bits(ins[n]) for n in "qkv"), mask=mb)
    check(y, e, rtol=1e-2, atol=1e-2 * np.abs(e).max(), tag="bf16")


# --------------------------------------------------------------------------
# Run-time index checks
# --------------------------------------------------------------------------

def _run_expect_index_error(model, inputs, bad_value):
    args = []
    for name, array in inputs.items():
        path = os.path.join(model.workdir, f"in_{name}.npy")
        np.save(path, array)
        args += ["--input", f"{name}={path}"]
    outdir = os.path.join(model.workdir, "out_err")
    os.makedirs(outdir, exist_ok=True)
    result = model.run_raw(*args, "--output-dir", outdir, check=False)
    assert result.returncode == 1, (
        f"exit {result.returncode} (want 1); stderr: {result.stderr!r}")
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, f"want one line on stderr, got {result.stderr!r}"
    msg = lines[0]
    assert "range" in msg and str(bad_value) in msg, msg
    return msg


@pytest.mark.parametrize("id_dtype,bad", [(np.int64, 13), (np.int32, -1),
                                          (np.int64, 2**40)])
def test_embedding_id_out_of_range(id_dtype, bad):
    """An id outside [0, vocab) given as input: exit 1, one line naming it."""
    table = randn(13, 5)
    ids = np.array([[0, 3, 12], [1, bad, 2]], dtype=id_dtype)
    model = _compile(single_op_model(
        f"%y = tfm.embedding %ids, %t : "
        f"{FT([T(ids), T(table)], T((2, 3, 5), np.float32))}",
        {"ids": ids}, {"y": ((2, 3, 5), np.float32)}, {"t": table}),
        {"t": table})
    ok = ids.copy()
    ok[1, 1] = 12
    check(model.run({"ids": ok})["y"], ref.embedding(ok, table), **TOL_EXACT)
    _run_expect_index_error(model, {"ids": ids}, bad)


def test_embedding_computed_id_out_of_range():
    """An embedding id computed in the model (ids + 5) that reaches the
    vocabulary size: exit 1, one line naming it."""
    table = randn(13, 5)
    ids = np.array([[0, 7], [3, 8]], dtype=np.int64)     # 8 + 5 = 13
    text = (f"%c = tfm.constant dense<5> : {T((2, 2), np.int64)}\n"
            f"  %j = tfm.add %ids, %c : {FT([T(ids), T(ids)], T(ids))}\n"
            f"  %y = tfm.embedding %j, %t : "
            f"{FT([T(ids), T(table)], T((2, 2, 5), np.float32))}")
    model = _compile(single_op_model(text, {"ids": ids},
                                     {"y": ((2, 2, 5), np.float32)},
                                     {"t": table}), {"t": table})
    ok = np.array([[0, 7], [3, 2]], dtype=np.int64)
    check(model.run({"ids": ok})["y"], ref.embedding(ok + 5, table),
          **TOL_EXACT)
    _run_expect_index_error(model, {"ids": ids}, 13)


def test_gather_index_error_states_valid_range():
    """The message for a bad gather index names the range gather accepts."""
    x = randn(2, 7)
    idx = np.array([-8], dtype=np.int64)
    model = _compile(single_op_model(
        f"%y = tfm.gather %x, %i {{axis = 1 : i64}} : "
        f"{FT([T(x), T(idx)], T((2, 1), np.float32))}",
        {"x": x, "i": idx}, {"y": ((2, 1), np.float32)}))
    msg = _run_expect_index_error(model, {"x": x, "i": idx}, -8)
    assert "[-7, 7)" in msg, msg


@pytest.mark.parametrize("offset,idx,good,bad", [
    (4, [2, 4, 1], [2, -1, 1], 8),          # 4 + 4 = 8 >= 7
    (-10, [3, 2, 4], [3, 4, 9], -8),        # 2 - 10 = -8 < -7
])
def test_gather_computed_index_out_of_range(offset, idx, good, bad):
    """gather with an index computed in the model (input + constant) that
    leaves [-7, 7): exit 1, one line naming the index. The same model on
    good indices (reaching -7 and 6) runs."""
    x = randn(2, 7)
    idx = np.array(idx, dtype=np.int64)
    good = np.array(good, dtype=np.int64)
    text = (f"%c = tfm.constant dense<{offset}> : {T((3,), np.int64)}\n"
            f"  %j = tfm.add %i, %c : {FT([T(idx), T(idx)], T(idx))}\n"
            f"  %y = tfm.gather %x, %j {{axis = 1 : i64}} : "
            f"{FT([T(x), T(idx)], T((2, 3), np.float32))}")
    model = _compile(single_op_model(text, {"x": x, "i": idx},
                                     {"y": ((2, 3), np.float32)}))
    check(model.run({"x": x, "i": good})["y"],
          ref.gather(x, good + offset, 1), **TOL_EXACT)
    _run_expect_index_error(model, {"x": x, "i": idx}, bad)


def test_large_computed_gather_reports_bad_index():
    """A gather over 65536 computed indices (enough work to be a parallel
    kernel) still reports an out-of-range index: index checks stay on the
    thread that records the run's errors."""
    x = randn(7, 3)
    ids = np.zeros((256, 256), dtype=np.int64)
    ids[200, 17] = 5  # becomes 12 after the +7 below: out of [-7, 7)
    seven = np.zeros((256, 256), dtype=np.int64)
    seven[200, 17] = 7
    model = _compile(single_op_model(
        f"%j = tfm.add %i, %s : ({T(ids)}, {T(seven)}) -> {T(ids)}\n"
        f"  %y = tfm.gather %x, %j {{axis = 0 : i64}} : "
        f"{FT([T(x), T(ids)], T((256, 256, 3), np.float32))}",
        {"x": x, "i": ids, "s": seven}, {"y": ((256, 256, 3), np.float32)}))
    _run_expect_index_error(model, {"x": x, "i": ids, "s": seven}, 12)


def test_empty_slice_and_split_pieces_at_the_end():
    """Empty pieces that start at the end of their dimension compile and
    give empty results (tensor.extract_slice refuses such offsets)."""
    x = randn(2, 10)
    y = run_op(f"%y = tfm.slice %x {{starts = array<i64: 0, 10>, limits = "
               f"array<i64: 2, 10>, strides = array<i64: 1, 1>}} : "
               f"{T(x)} -> {T((2, 0), np.float32)}",
               {"x": x}, {"y": ((2, 0), np.float32)})["y"]
    assert y.shape == (2, 0)
    z = randn(3)
    r = run_op(f"%a, %b = tfm.split %z {{axis = 0 : i64, sizes = array<i64: 3, 0>}} : "
               f"{T(z)} -> {T((3,), np.float32)}, {T((0,), np.float32)}",
               {"z": z}, {"a": ((3,), np.float32), "b": ((0,), np.float32)})
    check(r["a"], z, rtol=0, atol=0)
    assert r["b"].shape == (0,)


def test_same_value_as_two_outputs():
    """A model whose two outputs are one value writes both."""
    x = np.array([1.5, -2.0, 3.0], dtype=np.float32)
    t = T(x)
    mlir = (f"func.func @main(%x: {t} {{tfm.name = \"x\"}}) -> ({t} {{tfm.name = "
            f"\"a\"}}, {t} {{tfm.name = \"b\"}}) {{\n  %a = tfm.relu %x : {t}\n"
            f"  return %a, %a : {t}, {t}\n}}\n")
    r = _compile(mlir).run({"x": x})
    check(r["a"], np.maximum(x, 0), rtol=0, atol=0)
    check(r["b"], np.maximum(x, 0), rtol=0, atol=0)


# --------------------------------------------------------------------------
# The executable's --bench: wall-clock latency; on Vulkan also device time
# --------------------------------------------------------------------------

def test_bench_lines():
    """--bench prints latency_ms; a Vulkan model then prints device_ms from
    the device's timestamp queries (lavapipe has them)."""
    x = randn(4, 40)
    model = _compile(single_op_model(
        f"%y = tfm.exp %x : {tensor_type((4, 40), np.float32)}",
        {"x": x}, {"y": ((4, 40), np.float32)}), None)
    lines = model.run_raw("--random-inputs", "--bench", "3").stdout.splitlines()
    assert lines[0].startswith("latency_ms min="), lines
    assert lines[0].endswith("runs=3"), lines
    if harness.TARGET == "vulkan":
        assert len(lines) == 2 and lines[1].startswith("device_ms min="), lines
        assert lines[1].endswith("runs=3"), lines
    else:
        assert len(lines) == 1, lines
