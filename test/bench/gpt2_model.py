"""Writes a GPT-2-shaped decoder-only model in tfm IR with random weights.

usage: gpt2_model.py OUTDIR [--layers 12] [--width 768] [--heads 12]
                            [--vocab 50257] [--seq 16] [--batch 1]

Writes OUTDIR/gpt2.mlir and OUTDIR/gpt2.safetensors: token and learned
position embeddings, pre-norm blocks (causal multi-head attention, GELU
(tanh) feed-forward of 4x width, residuals), a final layer norm and the LM
head tied to the token embedding (the same tfm.weight name), producing
logits. GPT-2 small is the default (~124 M parameters).
"""
import argparse
import json
import os
import struct

import numpy as np


def tensor(shape, element="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("outdir")
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--width", type=int, default=768)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--vocab", type=int, default=50257)
    p.add_argument("--context", type=int, default=1024)
    p.add_argument("--seq", type=int, default=16)
    p.add_argument("--batch", type=int, default=1)
    a = p.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    rng = np.random.default_rng(0)
    E, F, B, S = a.width, 4 * a.width, a.batch, a.seq
    weights = {}

    def weight(name, shape, scale=0.02):
        weights[name] = (rng.standard_normal(shape, dtype=np.float32) * scale)
        return f"tfm.weight \"{name}\" : {tensor(shape)}"

    def ones(name, shape):
        weights[name] = np.ones(shape, dtype=np.float32)
        return f"tfm.weight \"{name}\" : {tensor(shape)}"

    def zeros(name, shape):
        weights[name] = np.zeros(shape, dtype=np.float32)
        return f"tfm.weight \"{name}\" : {tensor(shape)}"

    x_t, h_t, v_t = tensor((B, S, E)), tensor((B, S, F)), tensor((E,))
    lines = [f"  %wte = {weight('wte', (a.vocab, E))}",
             f"  %tok = tfm.embedding %ids, %wte : ({tensor((B, S), 'i64')}, "
             f"{tensor((a.vocab, E))}) -> {x_t}",
             f"  %wpe = {weight('wpe', (a.context, E), 0.01)}",
             f"  %pos = tfm.slice %wpe {{starts = array<i64: 0, 0>, limits = "
             f"array<i64: {S}, {E}>, strides = array<i64: 1, 1>}} : "
             f"{tensor((a.context, E))} -> {tensor((S, E))}",
             f"  %x0 = tfm.add %tok, %pos : ({x_t}, {tensor((S, E))}) -> {x_t}"]

    def layer_norm(out, x, prefix):
        lines.append(f"  %{out}_g = {ones(prefix + '.weight', (E,))}")
        lines.append(f"  %{out}_b = {zeros(prefix + '.bias', (E,))}")
        lines.append(f"  %{out} = tfm.layer_norm %{x} scale(%{out}_g) bias(%{out}_b) "
                     f": ({x_t}, {v_t}, {v_t}) -> {x_t}")

    def linear(out, x, prefix, n_in, n_out, in_t, out_t):
        lines.append(f"  %{out}_w = {weight(prefix + '.weight', (n_out, n_in))}")
        lines.append(f"  %{out}_b = {zeros(prefix + '.bias', (n_out,))}")
        lines.append(f"  %{out} = tfm.linear %{x}, %{out}_w, %{out}_b : ({in_t}, "
                     f"{tensor((n_out, n_in))}, {tensor((n_out,))}) -> {out_t}")

    x = "x0"
    m_t = tensor((E, E))
    for i in range(a.layers):
        p_ = f"h.{i}"
        layer_norm(f"l{i}_ln1", x, p_ + ".ln_1")
        names = {}
        for proj in ("q", "k", "v", "o"):
            names[proj] = f"%l{i}_{proj}w"
            lines.append(f"  %l{i}_{proj}w = {weight(f'{p_}.attn.{proj}_proj.weight', (E, E))}")
            lines.append(f"  %l{i}_{proj}b = {zeros(f'{p_}.attn.{proj}_proj.bias', (E,))}")
        lines.append(
            f"  %l{i}_attn = tfm.multi_head_attention %l{i}_ln1, %l{i}_ln1, %l{i}_ln1 "
            f"weights(%l{i}_qw, %l{i}_kw, %l{i}_vw, %l{i}_ow) "
            f"biases(%l{i}_qb, %l{i}_kb, %l{i}_vb, %l{i}_ob) "
            f"{{num_heads = {a.heads} : i64, causal}} : ({x_t}, {x_t}, {x_t}, "
            f"{m_t}, {m_t}, {m_t}, {m_t}, {v_t}, {v_t}, {v_t}, {v_t}) -> {x_t}")
        lines.append(f"  %l{i}_r1 = tfm.add %{x}, %l{i}_attn : ({x_t}, {x_t}) -> {x_t}")
        layer_norm(f"l{i}_ln2", f"l{i}_r1", p_ + ".ln_2")
        linear(f"l{i}_fc", f"l{i}_ln2", p_ + ".mlp.c_fc", E, F, x_t, h_t)
        lines.append(f"  %l{i}_act = tfm.gelu %l{i}_fc approximation = tanh : {h_t}")
        linear(f"l{i}_proj", f"l{i}_act", p_ + ".mlp.c_proj", F, E, h_t, x_t)
        lines.append(f"  %l{i}_r2 = tfm.add %l{i}_r1, %l{i}_proj : ({x_t}, {x_t}) -> {x_t}")
        x = f"l{i}_r2"
    layer_norm("lnf", x, "ln_f")
    logits_t = tensor((B, S, a.vocab))
    # The LM head is tied to the token embedding: the same weight name.
    lines.append(f"  %head = tfm.weight \"wte\" : {tensor((a.vocab, E))}")
    lines.append(f"  %logits = tfm.linear %lnf, %head : ({x_t}, "
                 f"{tensor((a.vocab, E))}) -> {logits_t}")
    body = "\n".join(lines)
    mlir = (f"// GPT-2-shaped model: {a.layers} layers, width {E}, {a.heads} heads, "
            f"vocabulary {a.vocab}; written by gpt2_model.py.\n"
            f"func.func @main(%ids: {tensor((B, S), 'i64')} {{tfm.name = \"ids\"}}) "
            f"-> ({logits_t} {{tfm.name = \"logits\"}}) {{\n{body}\n"
            f"  return %logits : {logits_t}\n}}\n")
    with open(os.path.join(a.outdir, "gpt2.mlir"), "w") as f:
        f.write(mlir)
    header, offset = {}, 0
    for name, arr in weights.items():
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
    encoded = json.dumps(header).encode()
    with open(os.path.join(a.outdir, "gpt2.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for arr in weights.values():
            f.write(arr.tobytes())
    params = sum(w.size for w in weights.values())
    print(f"wrote {a.outdir}/gpt2.mlir and gpt2.safetensors: {params / 1e6:.1f} M parameters")


if __name__ == "__main__":
    main()
