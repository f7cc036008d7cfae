"""The IR builder: every op it writes parses and verifies, literals and names
survive the trip through tfmc exactly, and misuse is a clear Python error.

The op test also checks the ONNX importer's import-time evaluator
(NumpyOps) against the compiled code, op by op: constant folding must give
what running the op would.
Tolerance: f32 rtol 1e-5, atol 1e-6 (one op each); data movement exact.
"""
import re

import numpy as np
import pytest

import tfmc
from tfmc.errors import TfmcError
from tfmc.ir import Graph, float_literal, string_literal
from tfmc.onnx_import.numpy_ops import NumpyOps

import util

RNG = np.random.default_rng(5)


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# Each case: name -> function(ops, inputs) where ops is a Graph or NumpyOps.
OP_CASES = {
    "add": lambda o, v: o.add(v["x"], v["row"]),
    "sub": lambda o, v: o.sub(v["row"], v["x"]),
    "mul": lambda o, v: o.mul(v["x"], 0.5),
    "div": lambda o, v: o.div(v["x"], v["pos"]),
    "div_int": lambda o, v: o.div(v["ints"], v["int_divisors"]),
    "pow": lambda o, v: o.pow(v["pos"], v["row"]),
    "min": lambda o, v: o.minimum(v["x"], v["row"]),
    "max_int": lambda o, v: o.maximum(v["ints"], v["int_divisors"]),
    "compare_lt": lambda o, v: o.compare("lt", v["x"], v["row"]),
    "compare_eq_int": lambda o, v: o.compare("eq", v["ints"], 3),
    "select": lambda o, v: o.select(v["flags"], v["x"], -1.0),
    "neg": lambda o, v: o.neg(v["x"]),
    "relu": lambda o, v: o.relu(v["x"]),
    "silu": lambda o, v: o.silu(v["x"]),
    "sigmoid": lambda o, v: o.sigmoid(v["x"]),
    "tanh": lambda o, v: o.tanh(v["x"]),
    "exp": lambda o, v: o.exp(v["x"]),
    "log": lambda o, v: o.log(v["pos"]),
    "sqrt": lambda o, v: o.sqrt(v["pos"]),
    "erf": lambda o, v: o.erf(v["x"]),
    "gelu": lambda o, v: o.gelu(v["x"]),
    "gelu_tanh": lambda o, v: o.gelu(v["x"], "tanh"),
    "cast_to_i32": lambda o, v: o.cast(v["x"], "i32"),
    "cast_to_bool": lambda o, v: o.cast(v["ints"], "i1"),
    "cast_to_f16": lambda o, v: o.cast(v["x"], "f16"),
    "matmul": lambda o, v: o.matmul(v["x"], v["square"]),
    "matmul_transposed": lambda o, v: o.matmul(v["x"], v["x"], transpose_b=True),
    "linear": lambda o, v: o.linear(v["x"], v["square"], v["row"]),
    "layer_norm": lambda o, v: o.layer_norm(v["x"], v["row"], v["row"], epsilon=1e-3),
    "layer_norm_2d": lambda o, v: o.layer_norm(v["x"], axis=-2),
    "reshape": lambda o, v: o.reshape(v["x"], (2, 15)),
    "transpose": lambda o, v: o.transpose(v["x"], [0, 2, 1]),
    "broadcast_to": lambda o, v: o.broadcast_to(v["row"], (4, 3, 5)),
    "concat": lambda o, v: o.concat([v["x"], v["x"]], axis=1),
    "slice": lambda o, v: o.slice(v["x"], [0, 1, 0], [2, 3, 5], [1, 1, 2]),
    "split": lambda o, v: o.split(v["x"], [2, 3], -1)[1],
    "gather": lambda o, v: o.gather(v["x"], v["indices"], axis=1),
    "iota": lambda o, v: o.iota((3, 4), "f32", dimension=1, start=0.5, step=2.0),
    "softmax": lambda o, v: o.softmax(v["x"], axis=1),
    "reduce_sum": lambda o, v: o.reduce_sum(v["x"], [0, 2]),
    "reduce_mean": lambda o, v: o.reduce_mean(v["x"], [-1], keep_dims=True),
    "reduce_max_int": lambda o, v: o.reduce_max(v["ints"], [1]),
    "argmax": lambda o, v: o.argmax(v["x"], axis=1, keep_dims=True),
}

INPUTS = {
    "x": f32(2, 3, 5),
    "row": f32(5),
    "pos": np.abs(f32(2, 3, 5)) + 0.5,
    "square": f32(5, 5),
    "ints": RNG.integers(-20, 20, (2, 3, 5)).astype(np.int64),
    "int_divisors": RNG.choice([-7, -3, 2, 5], (3, 5)).astype(np.int64),
    "flags": RNG.random((3, 5)) < 0.5,
    "indices": np.array([[2, 0], [-1, 1]], np.int64),
}
EXACT = {"neg", "relu", "select", "compare_lt", "compare_eq_int", "cast_to_i32",
         "cast_to_bool", "cast_to_f16", "reshape", "transpose", "broadcast_to",
         "concat", "slice", "split", "gather", "div_int", "max_int", "reduce_max_int",
         "argmax", "min"}


@pytest.fixture(scope="module")
def every_op(tmp_path_factory):
    """One model computing every case as an output, compiled once."""
    g = Graph()
    values = {name: g.input(name, a.shape, a.dtype) for name, a in INPUTS.items()}
    for name, case in OP_CASES.items():
        with g.location(f"case {name}"):
            g.output(name, case(g, values))
    path = util.verify(g, str(tmp_path_factory.mktemp("every_op")))
    return tfmc.compile(path).run(INPUTS)


@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_compiled_op_matches_import_time_evaluation(every_op, name):
    expected = OP_CASES[name](NumpyOps(), INPUTS)
    tolerance = dict(rtol=0, atol=0) if name in EXACT else dict(rtol=1e-5, atol=1e-6)
    util.assert_close(every_op[name], expected, what=name, kind="numpy (ops)", **tolerance)


def test_attention_embedding_and_positions_verify_and_run(tmp_path):
    g = Graph()
    ids = g.input("ids", (2, 4), "i64")
    table = RNG.standard_normal((10, 8)).astype(np.float32)
    x = g.positional_encoding(g.embedding(ids, g.weight("table", table)), offset=3)
    heads = x.reshape(2, 4, 2, 4).transpose(0, 2, 1, 3)
    g.output("attention", g.attention(heads, heads, heads, causal=True, scale=0.25))
    w = [RNG.standard_normal((8, 8)).astype(np.float32) for _ in range(4)]
    weights = [g.weight(f"w{i}", a) for i, a in enumerate(w)]
    mask = g.input("mask", (2, 1, 1, 4), "i1")
    g.output("mha", g.multi_head_attention(x, x, x, weights, num_heads=2, mask=mask))
    g.output("rms", g.rms_norm(x, g.weight("g", np.ones(8, np.float32)), epsilon=1e-5))
    ids_in = np.array([[1, 2, 3, 4], [9, 0, 0, 5]])
    keep = np.array([True, True, False, True]).reshape(1, 1, 1, 4).repeat(2, 0)
    out = tfmc.compile(util.verify(g, str(tmp_path))).run(ids=ids_in, mask=keep)

    pos = np.arange(3, 7)[:, None] / 10000 ** ((np.arange(8) // 2 * 2) / 8)
    emb = table[ids_in] + np.where(np.arange(8) % 2 == 0, np.sin(pos), np.cos(pos))
    util.assert_close(out["rms"], emb / np.sqrt((emb ** 2).mean(-1, keepdims=True) + 1e-5),
                      kind="numpy (ops)")
    h = emb.reshape(2, 4, 2, 4).transpose(0, 2, 1, 3)
    scores = np.where(np.tril(np.ones((4, 4), bool)), h @ h.swapaxes(-1, -2) * 0.25, -np.inf)
    p = np.exp(scores - scores.max(-1, keepdims=True))
    util.assert_close(out["attention"], (p / p.sum(-1, keepdims=True)) @ h,
                      kind="numpy (ops)")
    assert out["mha"].shape == (2, 4, 8)


# --- Literals and names -------------------------------------------------------------

SPECIAL_F32 = np.array([0.0, -0.0, 1.0, 0.1, -2.5e-38, 1e-45, 3.4028235e38, np.inf,
                        -np.inf, np.nan, 123456.789, -1e-7], np.float32)
CONSTANTS = {
    "f32": SPECIAL_F32,
    "f16": np.array([0.0, -0.0, 65504.0, 6e-8, 0.1, np.inf, -1.5], np.float16),
    "i64": np.array([0, -1, 2**63 - 1, -2**63, 42], np.int64),
    "i32": np.array([[0, -2**31], [2**31 - 1, 7]], np.int32),
    "bool": np.array([[True, False, True]]),
    "scalar": np.float32(0.3),
    "splat": np.full((2, 3), -0.0, np.float32),
}


def test_constants_and_weights_survive_exactly(tmp_path):
    """Every literal parses back to the same bits, and weights of every
    dtype come back bit for bit (including a bf16 one)."""
    g = Graph()
    for name, array in CONSTANTS.items():
        g.output(f"const_{name}", g.constant(array))
        g.output(f"weight_{name}", g.weight(f"w.{name}", array))
    bf16 = tfmc.BFloat16Array.from_float32(np.array([1.0, -3.14159, 1e30, np.nan], np.float32))
    g.output("const_bf16", g.constant(bf16))
    g.output("weight_bf16", g.weight("w.bf16", bf16))
    out = tfmc.compile(util.verify(g, str(tmp_path))).run()
    for name, array in CONSTANTS.items():
        for kind in ("const", "weight"):
            got = out[f"{kind}_{name}"]
            assert got.dtype == np.asarray(array).dtype
            assert got.tobytes() == np.asarray(array).tobytes(), f"{kind} {name}: {got}"
    for kind in ("const", "weight"):
        assert out[f"{kind}_bf16"].tobytes() == bf16.bits.tobytes()


def test_float_literals_are_exact_and_parseable():
    for value in SPECIAL_F32:
        text = float_literal(value, "f32")
        if np.isfinite(value):
            assert np.float32(float(text)) == value and "." in text
        else:
            assert text.startswith("0x")
    assert float_literal(1e-5) == "1.0e-05"
    assert float_literal(0.1, "bf16") == "0.100097656"


NAMES = ['plain', 'with "quotes"', "back\\slash", "new\nline", "ünïcödé", "a/b:c d", "x=y"]


def test_names_and_locations_are_escaped(tmp_path):
    g = Graph()
    values = [g.input(name, (2,), "f32") for name in NAMES]
    for i, (name, v) in enumerate(zip(NAMES, values)):
        with g.location(f"node {name}"):
            g.output(f"out {name}", v * float(i) + g.weight(f"w {name}", np.ones(2, np.float32)))
    text = g.to_mlir()
    assert string_literal('a"b') == '"a\\22b"' and '\\0A' in text
    model = tfmc.compile(util.verify(g, str(tmp_path)))
    # --info shows control characters as '?'.
    assert [i.name for i in model.inputs] == [n.replace("\n", "?") for n in NAMES]
    out = model.run({name: np.full(2, 1.0, np.float32) for name in NAMES})
    for i, name in enumerate(NAMES):
        shown = f"out {name}".replace("\n", "?")
        np.testing.assert_array_equal(out[shown], [i + 1.0] * 2)


# --- Errors -------------------------------------------------------------------------

def test_misuse_is_a_clear_error():
    g = Graph()
    x = g.input("x", (2, 3))
    y = g.input("y", (4,))
    i = g.input("i", (2,), "i64")
    cases = [
        (lambda: x + y, "not broadcast-compatible"),
        (lambda: x + i, "element types differ"),
        (lambda: g.matmul(x, x), "contraction sizes differ"),
        (lambda: g.reshape(x, (4, 2)), "cannot reshape [2, 3]"),
        (lambda: g.transpose(x, [0, 0]), "not a permutation"),
        (lambda: g.slice(x, [0, 0], [2, 4]), "out of bounds"),
        (lambda: g.softmax(i), "needs element type f32 or f16 or bf16, got i64"),
        (lambda: g.input("x", (1,)), "duplicate input name 'x'"),
        (lambda: g.output("x", x), "output name 'x' is already used by an input"),
        (lambda: g.weight("w", np.zeros(2, np.float32))
         and g.weight("w", np.zeros(2, np.float32)),
         "two different tensors are both named 'w'"),
        (lambda: g.cast(x, "f64"), "unsupported element type 'f64'"),
        (lambda: g.constant(np.arange(70000, dtype=np.float32)),
         "more than 65536 elements"),
        (lambda: g.layer_norm(x, y), "must have the normalized shape [3]"),
    ]
    for build, message in cases:
        with pytest.raises(TfmcError, match=re.escape(message)):
            build()
    with pytest.raises(TfmcError, match="has no outputs"):
        Graph().to_mlir()
