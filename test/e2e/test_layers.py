"""End-to-end numerics of whole Transformer layers written in tfm IR:
an encoder layer and a decoder layer of "Attention Is All You Need"
(post-norm, ReLU feed-forward), against the float64 numpy reference.

Tolerance: rtol 1e-4, atol 1e-4 (f32 through three matmul chains and two
layer norms; the worst relative error observed is far below that).
"""
import numpy as np

import reference as ref
from tfmc_harness import assert_close, compile_model, tensor_type

RNG = np.random.default_rng(7)
B, S, T, E, H, FF = 2, 7, 5, 16, 4, 24  # odd lengths on purpose


def randn(*shape, scale=0.3):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def attention_weights(prefix, e_kv=E):
    return {f"{prefix}.wq": randn(E, E), f"{prefix}.wk": randn(E, e_kv),
            f"{prefix}.wv": randn(E, e_kv), f"{prefix}.wo": randn(E, E),
            f"{prefix}.bq": randn(E), f"{prefix}.bk": randn(E),
            f"{prefix}.bv": randn(E), f"{prefix}.bo": randn(E)}


def norm_weights(prefix):
    return {f"{prefix}.g": (1 + randn(E)).astype(np.float32),
            f"{prefix}.b": randn(E)}


def ffn_weights(prefix):
    return {f"{prefix}.w1": randn(FF, E), f"{prefix}.b1": randn(FF),
            f"{prefix}.w2": randn(E, FF), f"{prefix}.b2": randn(E)}


def weight_decls(weights):
    return "".join(f"  %{n.replace('.', '_')} = tfm.weight \"{n}\" : "
                   f"{tensor_type(a.shape, a.dtype)}\n"
                   for n, a in weights.items())


def mha_ir(out, q, kv, prefix, s_q, s_kv, extra="", mask=None):
    w = lambda n: f"%{prefix}_{n}"
    mask_part = f" mask({mask[0]})" if mask else ""
    mask_type = f", {mask[1]}" if mask else ""
    x_type = tensor_type((B, s_q, E), np.float32)
    kv_type = tensor_type((B, s_kv, E), np.float32)
    m = tensor_type((E, E), np.float32)
    v = tensor_type((E,), np.float32)
    return (f"  {out} = tfm.multi_head_attention {q}, {kv}, {kv} "
            f"weights({w('wq')}, {w('wk')}, {w('wv')}, {w('wo')}) "
            f"biases({w('bq')}, {w('bk')}, {w('bv')}, {w('bo')}){mask_part} "
            f"{{num_heads = {H} : i64{extra}}} : ({x_type}, {kv_type}, {kv_type}, "
            f"{m}, {m}, {m}, {m}, {v}, {v}, {v}, {v}{mask_type}) -> {x_type}\n")


def add_norm_ir(out, x, y, prefix, s):
    t = tensor_type((B, s, E), np.float32)
    v = tensor_type((E,), np.float32)
    return (f"  {out}_sum = tfm.add {x}, {y} : ({t}, {t}) -> {t}\n"
            f"  {out} = tfm.layer_norm {out}_sum scale(%{prefix}_g) "
            f"bias(%{prefix}_b) : ({t}, {v}, {v}) -> {t}\n")


def ffn_ir(out, x, prefix, s):
    t = tensor_type((B, s, E), np.float32)
    h = tensor_type((B, s, FF), np.float32)
    return (f"  {out}_h = tfm.linear {x}, %{prefix}_w1, %{prefix}_b1 : ({t}, "
            f"{tensor_type((FF, E), np.float32)}, {tensor_type((FF,), np.float32)}) -> {h}\n"
            f"  {out}_r = tfm.relu {out}_h : {h}\n"
            f"  {out} = tfm.linear {out}_r, %{prefix}_w2, %{prefix}_b2 : ({h}, "
            f"{tensor_type((E, FF), np.float32)}, {tensor_type((E,), np.float32)}) -> {t}\n")


def ref_mha(weights, prefix, q, kv, **kwargs):
    w = lambda n: weights[f"{prefix}.{n}"]
    return ref.multi_head_attention(
        q, kv, kv, w("wq"), w("wk"), w("wv"), w("wo"),
        biases=(w("bq"), w("bk"), w("bv"), w("bo")), num_heads=H, **kwargs)


def ref_add_norm(weights, prefix, x, y):
    return ref.layer_norm(x + y, weights[f"{prefix}.g"], weights[f"{prefix}.b"])


def ref_ffn(weights, prefix, x):
    w = lambda n: weights[f"{prefix}.{n}"]
    return ref.linear(ref.relu(ref.linear(x, w("w1"), w("b1"))), w("w2"), w("b2"))


def test_encoder_layer_with_padding_mask():
    weights = {**attention_weights("attn"), **norm_weights("norm1"),
               **ffn_weights("ffn"), **norm_weights("norm2")}
    x = randn(B, S, E, scale=1.0)
    keep = np.ones((B, 1, 1, S), dtype=bool)
    keep[1, ..., 4:] = False  # the second sequence is padded after 4 tokens
    t = tensor_type((B, S, E), np.float32)
    mask_type = tensor_type(keep.shape, np.bool_)
    body = (weight_decls(weights)
            + mha_ir("%a", "%x", "%x", "attn", S, S, mask=("%mask", mask_type))
            + add_norm_ir("%n1", "%x", "%a", "norm1", S)
            + ffn_ir("%f", "%n1", "ffn", S)
            + add_norm_ir("%y", "%n1", "%f", "norm2", S))
    mlir = (f"func.func @main(%x: {t} {{tfm.name = \"x\"}}, %mask: {mask_type} "
            f"{{tfm.name = \"mask\"}}) -> ({t} {{tfm.name = \"y\"}}) {{\n{body}"
            f"  return %y : {t}\n}}\n")
    y = compile_model(mlir, weights).run({"x": x, "mask": keep})["y"]

    a = ref_mha(weights, "attn", x, x, mask=keep)
    n1 = ref_add_norm(weights, "norm1", x, a)
    expected = ref_add_norm(weights, "norm2", n1, ref_ffn(weights, "ffn", n1))
    assert_close(y, expected, 1e-4, 1e-4)


def test_decoder_layer_causal_and_cross_attention():
    weights = {**attention_weights("self"), **norm_weights("norm1"),
               **attention_weights("cross"), **norm_weights("norm2"),
               **ffn_weights("ffn"), **norm_weights("norm3")}
    x = randn(B, T, E, scale=1.0)
    memory = randn(B, S, E, scale=1.0)
    t = tensor_type((B, T, E), np.float32)
    m = tensor_type((B, S, E), np.float32)
    body = (weight_decls(weights)
            + mha_ir("%sa", "%x", "%x", "self", T, T, extra=", causal")
            + add_norm_ir("%n1", "%x", "%sa", "norm1", T)
            + mha_ir("%ca", "%n1", "%memory", "cross", T, S)
            + add_norm_ir("%n2", "%n1", "%ca", "norm2", T)
            + ffn_ir("%f", "%n2", "ffn", T)
            + add_norm_ir("%y", "%n2", "%f", "norm3", T))
    mlir = (f"func.func @main(%x: {t} {{tfm.name = \"x\"}}, %memory: {m} "
            f"{{tfm.name = \"memory\"}}) -> ({t} {{tfm.name = \"y\"}}) {{\n{body}"
            f"  return %y : {t}\n}}\n")
    y = compile_model(mlir, weights).run({"x": x, "memory": memory})["y"]

    sa = ref_mha(weights, "self", x, x, causal=True)
    n1 = ref_add_norm(weights, "norm1", x, sa)
    ca = ref_mha(weights, "cross", n1, memory)
    n2 = ref_add_norm(weights, "norm2", n1, ca)
    expected = ref_add_norm(weights, "norm3", n2, ref_ffn(weights, "ffn", n2))
    assert_close(y, expected, 1e-4, 1e-4)
