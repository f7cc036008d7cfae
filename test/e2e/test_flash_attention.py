"""The online-softmax ("flash") lowering of tfm.attention against the numpy
reference, on every attention case of test_ops.py, with blocks that do and
do not divide the key length (block 4: several full blocks plus a remainder;
block 1; one block larger than the keys), and the configuration step's
automatic choice on a long sequence.

Tolerance: rtol 1e-5, atol 1e-5 (f32; the running rescaling reorders the
sums, it does not lose precision). Fully masked rows must be exact zeros.
"""
import numpy as np
import pytest

import reference as ref
from test_ops import (ATTENTION_CASES, TOL_F32, attention_case,
                      check, check_attention, randn, single_op_model)
from tfmc_harness import compile_model


@pytest.mark.parametrize("block", [4, 1, 64])
@pytest.mark.parametrize("case", list(ATTENTION_CASES))
def test_flash_attention(case, block):
    inputs, op_text, out, expected = attention_case(case)
    mlir = single_op_model(op_text, inputs, {"y": (out, np.float32)})
    y = compile_model(mlir, extra_args=["--attention=flash",
                                        f"--attention-block={block}"]).run(inputs)["y"]
    check_attention(y, expected)


def test_auto_chooses_flash_for_long_keys(tmp_path):
    """Keys beyond one block: auto picks the flash form (visible in the
    linalg phase as the blocked loop in its own function), and it is right."""
    import subprocess
    from tfmc_harness import TFMC_COMPILE
    model = tmp_path / "m.mlir"
    t = "tensor<1x2x140x8xf32>"
    model.write_text(
        f"func.func @main(%q: {t} {{tfm.name = \"q\"}}) -> ({t} {{tfm.name = \"y\"}}) {{\n"
        f"  %y = tfm.attention %q, %q, %q {{causal}} : ({t}, {t}, {t}) -> {t}\n"
        f"  return %y : {t}\n}}\n")
    linalg = subprocess.run([TFMC_COMPILE, str(model), "--compile-to=linalg"],
                            capture_output=True, text=True, check=True).stdout
    assert "func.func private @__tfmc_attention_0" in linalg
    assert "scf.for" in linalg
    q = randn(1, 2, 140, 8)
    y = compile_model(model.read_text()).run({"q": q})["y"]
    check(y, ref.attention(q, q, q, causal=True), **TOL_F32)


@pytest.mark.parametrize("causal", [False, True])
def test_head_transposes_fold(causal, tmp_path):
    """Sequence-major [B, S, H, D] tensors transposed to heads and back
    around the attention, as exports write them (grouped-query heads, 100
    keys: a full block of 64 and a remainder): the flash form reads q/k/v
    and writes its result in that layout, so no head transpose is left in
    the linalg phase (each would be a copy), and the numbers hold."""
    import subprocess
    from tfmc_harness import TFMC_COMPILE
    S, H, G, D = 100, 4, 2, 16
    tq, tkv = f"tensor<1x{S}x{H}x{D}xf32>", f"tensor<1x{S}x{G}x{D}xf32>"
    hq, hkv = f"tensor<1x{H}x{S}x{D}xf32>", f"tensor<1x{G}x{S}x{D}xf32>"
    attrs = " {causal}" if causal else ""
    text = (
        f'func.func @main(%q: {tq} {{tfm.name = "q"}}, %k: {tkv} {{tfm.name = "k"}},\n'
        f'                %v: {tkv} {{tfm.name = "v"}}) -> ({tq} {{tfm.name = "y"}}) {{\n'
        f"  %qh = tfm.transpose %q [0, 2, 1, 3] : {tq} -> {hq}\n"
        f"  %kh = tfm.transpose %k [0, 2, 1, 3] : {tkv} -> {hkv}\n"
        f"  %vh = tfm.transpose %v [0, 2, 1, 3] : {tkv} -> {hkv}\n"
        f"  %a = tfm.attention %qh, %kh, %vh{attrs} : ({hq}, {hkv}, {hkv}) -> {hq}\n"
        f"  %y = tfm.transpose %a [0, 2, 1, 3] : {hq} -> {tq}\n"
        f"  return %y : {tq}\n}}\n")
    model = tmp_path / "m.mlir"
    model.write_text(text)
    args = ["--attention=flash", "--attention-block=64"]
    linalg = subprocess.run([TFMC_COMPILE, str(model), "--compile-to=linalg", *args],
                            capture_output=True, text=True, check=True).stdout
    assert "linalg.transpose" in linalg  # Kᵀ, computed once inside
    assert "permutation = [0, 2, 1, 3]" not in linalg, linalg
    assert linalg.count("bufferization.buffer_layout") == 3, linalg
    q, k, v = randn(1, S, H, D), randn(1, S, G, D), randn(1, S, G, D)
    y = compile_model(text, extra_args=args).run({"q": q, "k": k, "v": v})["y"]
    heads = lambda t: np.ascontiguousarray(t.transpose(0, 2, 1, 3))
    expected = ref.attention(heads(q), heads(k), heads(v), causal=causal)
    check(y, expected.transpose(0, 2, 1, 3), **TOL_F32)
