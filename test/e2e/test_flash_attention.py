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
from test_ops import ATTENTION_CASES, FT, T, TOL_F32, _mask, check, randn
from tfmc_harness import compile_model


def run_attention(case, extra_args, seed_shift=0):
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
    args = ", ".join(f"%{n}: {T(a)} {{tfm.name = \"{n}\"}}" for n, a in inputs.items())
    mlir = (f"func.func @main({args}) -> ({T(out, np.float32)} {{tfm.name = \"y\"}}) {{\n"
            f"  %y = tfm.attention {', '.join('%' + n for n in inputs)} {attr_text} : "
            f"{FT([T(a) for a in operands], T(out, np.float32))}\n"
            f"  return %y : {T(out, np.float32)}\n}}\n")
    y = compile_model(mlir, extra_args=extra_args).run(inputs)["y"]
    expected = ref.attention(q, k, v, mask=mask, scale=scale, causal=causal)
    return y, expected


@pytest.mark.parametrize("block", [4, 1, 64])
@pytest.mark.parametrize("case", list(ATTENTION_CASES))
def test_flash_attention(case, block):
    y, expected = run_attention(
        case, ["--attention=flash", f"--attention-block={block}"])
    assert not np.isnan(y).any()
    check(y, expected, **TOL_F32)
    dead = np.all(expected == 0, axis=-1)
    assert np.all(y[dead] == 0)


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
