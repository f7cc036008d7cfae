"""Unfused attention chains, as exports and hand-written models spell them,
compile to the same numbers after tfm-fuse-attention rewrote them (checked
in the graph phase) as the numpy evaluation of the chain itself.

Tolerance: rtol 1e-5, atol 1e-5 (f32).
"""
import subprocess

import numpy as np
import pytest

from tfmc_harness import TFMC_COMPILE, compile_model, tensor_type as T

RNG = np.random.default_rng(11)


def softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axis, keepdims=True)


B, H, S, D = 2, 3, 5, 4
Q = RNG.standard_normal((B, H, S, D)).astype(np.float32)
K = RNG.standard_normal((B, H, S, D)).astype(np.float32)
V = RNG.standard_normal((B, H, S, D)).astype(np.float32)
TRIL = np.tril(np.ones((S, S), dtype=bool))
PAD = np.ones((B, 1, 1, S), dtype=bool)
PAD[1, ..., 3:] = False
q4, s4 = T((B, H, S, D), np.float32), T((B, H, S, S), np.float32)
kt4 = T((B, H, D, S), np.float32)

CHAINS = {
    # name: (body using %q %k %v [%m], inputs, numpy reference)
    "gpt_masked_fill_causal": (
        f"""  %kt = tfm.transpose %k [0, 1, 3, 2] : {q4} -> {kt4}
  %s = tfm.matmul %q, %kt : ({q4}, {kt4}) -> {s4}
  %c = tfm.constant dense<0.5> : tensor<f32>
  %ss = tfm.mul %s, %c : ({s4}, tensor<f32>) -> {s4}
  %tril = tfm.constant dense<{np.array2string(TRIL[None, None], separator=', ').replace('True', 'true').replace('False', 'false')}> : tensor<1x1x{S}x{S}xi1>
  %ninf = tfm.constant dense<0xFF800000> : tensor<f32>
  %f = tfm.select %tril, %ss, %ninf : (tensor<1x1x{S}x{S}xi1>, {s4}, tensor<f32>) -> {s4}
  %p = tfm.softmax %f : {s4}
  %y = tfm.matmul %p, %v : ({s4}, {q4}) -> {q4}""",
        {},
        lambda: softmax(np.where(TRIL, 0.5 * Q @ K.swapaxes(-1, -2), -np.inf)) @ V),
    "padding_masked_fill_drop_form": (
        f"""  %s = tfm.matmul %q, %k {{transpose_b}} : ({q4}, {q4}) -> {s4}
  %c = tfm.constant dense<2.0> : tensor<f32>
  %ss = tfm.div %s, %c : ({s4}, tensor<f32>) -> {s4}
  %ninf = tfm.constant dense<0xFF800000> : tensor<f32>
  %f = tfm.select %m, %ninf, %ss : ({T(PAD.shape, np.bool_)}, tensor<f32>, {s4}) -> {s4}
  %p = tfm.softmax %f : {s4}
  %y = tfm.matmul %p, %v : ({s4}, {q4}) -> {q4}""",
        {"m": ~PAD},
        lambda: softmax(np.where(~PAD, -np.inf, Q @ K.swapaxes(-1, -2) / 2)) @ V),
    "additive_mask_scaled_q": (
        f"""  %c = tfm.constant dense<0.25> : tensor<f32>
  %qs = tfm.mul %q, %c : ({q4}, tensor<f32>) -> {q4}
  %kt = tfm.transpose %k [0, 1, 3, 2] : {q4} -> {kt4}
  %s = tfm.matmul %qs, %kt : ({q4}, {kt4}) -> {s4}
  %sm = tfm.add %s, %m : ({s4}, {T((S, S), np.float32)}) -> {s4}
  %p = tfm.softmax %sm : {s4}
  %y = tfm.matmul %p, %v : ({s4}, {q4}) -> {q4}""",
        {"m": np.where(TRIL, 0.0, -1e4).astype(np.float32) + 0.1},
        None),
}


@pytest.mark.parametrize("name", list(CHAINS))
def test_chain_fuses_and_matches(name, tmp_path):
    body, extra, reference = CHAINS[name]
    inputs = {"q": Q, "k": K, "v": V, **extra}
    args = ", ".join(f"%{n}: {T(a.shape, a.dtype)} {{tfm.name = \"{n}\"}}"
                     for n, a in inputs.items())
    mlir = (f"func.func @main({args}) -> ({q4} {{tfm.name = \"y\"}}) {{\n{body}\n"
            f"  return %y : {q4}\n}}\n")
    path = tmp_path / "m.mlir"
    path.write_text(mlir)
    graph = subprocess.run([TFMC_COMPILE, str(path), "--compile-to=graph"],
                           capture_output=True, text=True, check=True).stdout
    assert graph.count("tfm.attention") == 1 and "tfm.softmax" not in graph, graph
    y = compile_model(mlir).run(inputs)["y"]
    if reference is None:  # the additive mask case
        m = extra["m"].astype(np.float64)
        expected = softmax(0.25 * Q.astype(np.float64) @ K.swapaxes(-1, -2) + m) @ V
    else:
        expected = reference()
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
