#!/usr/bin/python3
"""The example model's output computed in float64 with numpy.

Reads model.safetensors and the sample inputs beside this script, and
computes what model.mlir computes, op by op, in float64: an independent
check of the executable tfmc builds from it (see
test/e2e/test_example_model.py and demo.sh).

  /usr/bin/python3 docs/examples/transformer/reference.py [--output probs.npy]

As a library: `forward(load_safetensors(path), src, src_mask, tgt)`.
"""
import argparse
import json
import math
import os
import struct

import numpy as np

from generate import (D_MODEL, HERE, LAYER_NORM_EPS, NUM_HEADS, NUM_LAYERS)


def load_safetensors(path):
    """name -> float32 array (only the F32 tensors this example writes)."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    weights = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", (name, entry["dtype"])
        begin, end = entry["data_offsets"]
        weights[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(entry["shape"])
    return weights


def load_inputs(directory=os.path.join(HERE, "inputs")):
    return {name: np.load(os.path.join(directory, f"{name}.npy"))
            for name in ("src", "src_mask", "tgt")}


def positional_encoding(seq, dim):
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d))."""
    pos = np.arange(seq, dtype=np.float64)[:, None]
    i2 = np.arange(0, dim, 2, dtype=np.float64)
    angle = pos / np.power(10000.0, i2 / dim)
    pe = np.zeros((seq, dim))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def forward(weights, src, src_mask, tgt):
    """probs [batch, tgt_len, tgt_vocab] in float64."""
    w = {name: np.asarray(a, dtype=np.float64) for name, a in weights.items()}

    def linear(x, name):
        return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    def layer_norm(x, name):
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return ((x - mean) / np.sqrt(var + LAYER_NORM_EPS) * w[f"{name}.weight"]
                + w[f"{name}.bias"])

    def attention(name, x, memory, keep=None, causal=False):
        """Multi-head attention; `keep` [batch, 1, 1, Sk] marks real keys."""
        def heads(t):  # [B, S, D] -> [B, H, S, D/H]
            b, s, _ = t.shape
            return t.reshape(b, s, NUM_HEADS, D_MODEL // NUM_HEADS).transpose(0, 2, 1, 3)
        q = heads(linear(x, f"{name}.q_proj"))
        k = heads(linear(memory, f"{name}.k_proj"))
        v = heads(linear(memory, f"{name}.v_proj"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(D_MODEL // NUM_HEADS)
        allowed = np.ones(scores.shape, dtype=bool)
        if keep is not None:
            allowed &= keep
        if causal:
            allowed &= np.tril(np.ones(scores.shape[-2:], dtype=bool))
        o = softmax(np.where(allowed, scores, -np.inf)) @ v
        b, _, s, _ = o.shape
        return linear(o.transpose(0, 2, 1, 3).reshape(b, s, D_MODEL),
                      f"{name}.out_proj")

    def feed_forward(x, name):
        return linear(np.maximum(linear(x, f"{name}.linear1"), 0.0), f"{name}.linear2")

    def embed(ids, name):
        x = w[f"{name}.weight"][ids] * math.sqrt(D_MODEL)
        return x + positional_encoding(ids.shape[1], D_MODEL)

    keep = np.asarray(src_mask, dtype=bool)
    x = embed(np.asarray(src), "src_embed")
    for i in range(NUM_LAYERS):
        p = f"encoder.layers.{i}"
        x = layer_norm(x + attention(f"{p}.self_attn", x, x, keep=keep), f"{p}.norm1")
        x = layer_norm(x + feed_forward(x, f"{p}.ffn"), f"{p}.norm2")
    memory = x

    y = embed(np.asarray(tgt), "tgt_embed")
    for i in range(NUM_LAYERS):
        p = f"decoder.layers.{i}"
        y = layer_norm(y + attention(f"{p}.self_attn", y, y, causal=True), f"{p}.norm1")
        y = layer_norm(y + attention(f"{p}.cross_attn", y, memory, keep=keep), f"{p}.norm2")
        y = layer_norm(y + feed_forward(y, f"{p}.ffn"), f"{p}.norm3")
    return softmax(linear(y, "output_proj"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=os.path.join(HERE, "model.safetensors"))
    parser.add_argument("--inputs", default=os.path.join(HERE, "inputs"),
                        help="directory with src.npy, src_mask.npy, tgt.npy")
    parser.add_argument("--output", help="write probs (float64) to this .npy file")
    args = parser.parse_args()
    probs = forward(load_safetensors(args.weights), **load_inputs(args.inputs))
    if args.output:
        np.save(args.output, probs)
    print(f"probs float64 {list(probs.shape)} min={probs.min():.6g} "
          f"max={probs.max():.6g} mean={probs.mean():.6g}")


if __name__ == "__main__":
    main()
