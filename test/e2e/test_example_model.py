"""The bundled example model (docs/examples/transformer), end to end.

- The committed model.mlir, model.safetensors and inputs/*.npy are exactly
  what generate.py writes, so they never go stale silently.
- The example's float64 reference (reference.py) agrees with a second one
  composed from this directory's independent op definitions (reference.py
  here).
- The executable tfmc-compile builds from the committed model, run on the
  committed inputs (what `make demo` does), matches the float64 reference
  within rtol 1e-4, atol 1e-6 (probabilities are >= 3e-4 here; the worst
  relative error observed is about 1e-6), each probability row sums to 1,
  padded source tokens have no influence and the decoder is causal.
"""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import reference as ref
from tfmc_harness import (ROOT, TARGET, TFMC_COMPILE, CompiledModel,
                          assert_close)

EXAMPLE = os.path.join(ROOT, "docs", "examples", "transformer")
GENERATED_FILES = ["model.mlir", "model.safetensors", "inputs/src.npy",
                   "inputs/src_mask.npy", "inputs/tgt.npy"]
RTOL, ATOL = 1e-4, 1e-6


def _load_example(module):
    """Imports docs/examples/transformer/<module>.py under a name that cannot
    clash with this directory's reference.py."""
    if EXAMPLE not in sys.path:
        sys.path.append(EXAMPLE)  # reference.py imports generate
    spec = importlib.util.spec_from_file_location(
        f"example_{module}", os.path.join(EXAMPLE, f"{module}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gen = _load_example("generate")
example_ref = _load_example("reference")


@pytest.fixture(scope="module")
def inputs():
    return example_ref.load_inputs()


@pytest.fixture(scope="module")
def expected(inputs):
    weights = example_ref.load_safetensors(os.path.join(EXAMPLE, "model.safetensors"))
    return example_ref.forward(weights, **inputs)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """The committed model, compiled as `make demo` compiles it (for the
    harness's target: TFMC_E2E_TARGET)."""
    workdir = str(tmp_path_factory.mktemp("example"))
    exe = os.path.join(workdir, "transformer")
    result = subprocess.run([TFMC_COMPILE, os.path.join(EXAMPLE, "model.mlir"),
                             "-o", exe, f"--target={TARGET}"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        f"tfmc-compile failed ({result.returncode}):\n{result.stderr}")
    return CompiledModel(exe, workdir)


def test_committed_files_are_what_generate_py_writes(tmp_path):
    result = subprocess.run([sys.executable, os.path.join(EXAMPLE, "generate.py"),
                             "--out-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    stale = []
    for name in GENERATED_FILES:
        with open(tmp_path / name, "rb") as f:
            fresh = f.read()
        with open(os.path.join(EXAMPLE, name), "rb") as f:
            committed = f.read()
        if fresh != committed:
            stale.append(name)
    assert not stale, (
        f"docs/examples/transformer: {', '.join(stale)} "
        f"{'differs' if len(stale) == 1 else 'differ'} from what "
        "generate.py writes; rerun /usr/bin/python3 "
        "docs/examples/transformer/generate.py and commit the result")


def test_sample_inputs(inputs):
    src, src_mask, tgt = inputs["src"], inputs["src_mask"], inputs["tgt"]
    assert src.dtype == np.int64 and src.shape == (gen.BATCH, gen.SRC_LEN)
    assert src_mask.dtype == np.bool_ and src_mask.shape == (gen.BATCH, 1, 1, gen.SRC_LEN)
    assert tgt.dtype == np.int64 and tgt.shape == (gen.BATCH, gen.TGT_LEN)
    # Sequence 0 is all real tokens; sequence 1 ends in 4 masked <pad>s.
    assert src_mask[0].all()
    assert src_mask[1, 0, 0].tolist() == [True] * 8 + [False] * 4
    np.testing.assert_array_equal(src_mask[:, 0, 0], src != gen.PAD_ID)


def test_vulkan_tensors_bound_as_several_ranges(inputs, expected,
                                                tmp_path):
    """--vulkan-max-buffer-range=4096: every tensor over 4 KiB (weights,
    activations, the 32000-byte embedding tables) is bound as several
    ranges the kernels select between, as tensors over 128 MiB are by
    default; the probabilities stay within the same tolerance."""
    if TARGET != "vulkan":
        pytest.skip("buffer bindings are the Vulkan target's")
    exe = str(tmp_path / "transformer")
    result = subprocess.run([TFMC_COMPILE, os.path.join(EXAMPLE, "model.mlir"),
                             "-o", exe, "--target=vulkan",
                             "--vulkan-max-buffer-range=4096"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    probs = CompiledModel(exe, str(tmp_path)).run(inputs)["probs"]
    assert_close(probs, expected, RTOL, ATOL, what="probs")


def test_example_reference_agrees_with_op_reference(inputs, expected):
    """reference.py against a composition of test/e2e/reference.py's ops."""
    w = example_ref.load_safetensors(os.path.join(EXAMPLE, "model.safetensors"))
    keep = inputs["src_mask"]

    def mha(name, q, kv, **kwargs):
        p = lambda proj, kind: w[f"{name}.{proj}.{kind}"]
        return ref.multi_head_attention(
            q, kv, kv, p("q_proj", "weight"), p("k_proj", "weight"),
            p("v_proj", "weight"), p("out_proj", "weight"),
            biases=(p("q_proj", "bias"), p("k_proj", "bias"),
                    p("v_proj", "bias"), p("out_proj", "bias")),
            num_heads=gen.NUM_HEADS, **kwargs)

    def add_norm(x, y, name):
        return ref.layer_norm(x + y, w[f"{name}.weight"], w[f"{name}.bias"])

    def ffn(x, name):
        h = ref.relu(ref.linear(x, w[f"{name}.linear1.weight"], w[f"{name}.linear1.bias"]))
        return ref.linear(h, w[f"{name}.linear2.weight"], w[f"{name}.linear2.bias"])

    def embed(ids, name):
        scaled = ref.embedding(ids, w[f"{name}.weight"]) * np.sqrt(gen.D_MODEL)
        return ref.positional_encoding(scaled)

    x = embed(inputs["src"], "src_embed")
    for i in range(gen.NUM_LAYERS):
        p = f"encoder.layers.{i}"
        x = add_norm(x, mha(f"{p}.self_attn", x, x, mask=keep), f"{p}.norm1")
        x = add_norm(x, ffn(x, f"{p}.ffn"), f"{p}.norm2")
    y = embed(inputs["tgt"], "tgt_embed")
    for i in range(gen.NUM_LAYERS):
        p = f"decoder.layers.{i}"
        y = add_norm(y, mha(f"{p}.self_attn", y, y, causal=True), f"{p}.norm1")
        y = add_norm(y, mha(f"{p}.cross_attn", y, x, mask=keep), f"{p}.norm2")
        y = add_norm(y, ffn(y, f"{p}.ffn"), f"{p}.norm3")
    probs = ref.softmax(ref.linear(y, w["output_proj.weight"], w["output_proj.bias"]))
    np.testing.assert_allclose(expected, probs, rtol=1e-12, atol=1e-15)


def test_executable_matches_float64_reference(model, inputs, expected):
    probs = model.run(inputs)["probs"]
    assert probs.dtype == np.float32
    worst = np.max(np.abs(probs.astype(np.float64) - expected) / np.abs(expected))
    print(f"worst relative error {worst:.3g} (rtol {RTOL}, atol {ATOL})")
    assert_close(probs, expected, RTOL, ATOL, what="probs")
    # The argmax tokens (what the demo prints) are the reference's.
    np.testing.assert_array_equal(probs.argmax(-1), expected.argmax(-1))


def test_probability_rows_sum_to_one(model, inputs):
    probs = model.run(inputs)["probs"].astype(np.float64)
    assert np.all(probs > 0) and np.all(probs <= 1)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=0, atol=1e-5)


def test_padding_and_causality(model, inputs):
    """Padded source tokens and later target tokens change nothing."""
    base = model.run(inputs)["probs"]
    repadded = dict(inputs, src=inputs["src"].copy())
    repadded["src"][~inputs["src_mask"][:, 0, 0]] = 42
    assert_close(model.run(repadded)["probs"], base, 0, 1e-7, what="probs, pads changed")
    later = dict(inputs, tgt=inputs["tgt"].copy())
    later["tgt"][:, -1] = (later["tgt"][:, -1] + 1) % gen.TGT_VOCAB
    changed = model.run(later)["probs"]
    assert_close(changed[:, :-1], base[:, :-1], 0, 1e-7,
                 what="probs before the changed last target token")
    assert not np.allclose(changed[:, -1], base[:, -1], rtol=0, atol=1e-6)
