#!/usr/bin/python3
"""Writes the bundled example model: a small encoder-decoder Transformer.

The model is the Transformer of "Attention Is All You Need" (Vaswani et al.,
2017), base architecture at toy size, with fixed random weights:

  source ids -> embedding · sqrt(d_model) -> + sinusoidal positions
             -> N encoder layers:
                  x = LayerNorm(x + SelfAttention(x, source padding mask))
                  x = LayerNorm(x + FFN(x)),  FFN(x) = W2·ReLU(W1·x + b1) + b2
  target ids -> embedding · sqrt(d_model) -> + sinusoidal positions
             -> N decoder layers:
                  y = LayerNorm(y + CausalSelfAttention(y))
                  y = LayerNorm(y + CrossAttention(y, encoder output,
                                                   source padding mask))
                  y = LayerNorm(y + FFN(y))
             -> linear to the target vocabulary -> softmax

Post-norm (Add & Norm after each sub-layer), no final norm after the stacks,
no dropout (inference). The source and target have their own embedding
tables and the output projection is a separate linear layer with a bias (the
paper ties these three matrices; this example keeps them apart).

Outputs, in the directory of this script unless --out-dir says otherwise:

  model.mlir          the graph in the tfm dialect
  model.safetensors   the weights, named as the tfm.weight ops name them
  inputs/src.npy      i64 [2,12]      source token ids (0 = <pad>)
  inputs/src_mask.npy bool [2,1,1,12] true = real token
  inputs/tgt.npy      i64 [2,9]       target ids, starting with <bos> = 1

Everything is deterministic: rerunning this script writes the same bytes
(test/e2e/test_example_model.py checks that the committed files are what it
writes). Needs only Python 3 and numpy:

  /usr/bin/python3 docs/examples/transformer/generate.py [--out-dir DIR]
"""
import argparse
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# Sizes (fixed shapes: tfmc compiles static shapes).
D_MODEL = 64
NUM_HEADS = 4
D_FF = 128
NUM_LAYERS = 2          # N, for the encoder and for the decoder
SRC_VOCAB = 100
TGT_VOCAB = 120
BATCH = 2
SRC_LEN = 12
TGT_LEN = 9
LAYER_NORM_EPS = 1e-5   # tfm.layer_norm's default
PAD_ID = 0
BOS_ID = 1
SRC_PADDING = 4         # the second source sequence ends in 4 <pad> tokens

WEIGHT_SEED = 20170612  # the paper's arXiv date
INPUT_SEED = WEIGHT_SEED + 1


# --- Weights ----------------------------------------------------------------

def make_weights(seed=WEIGHT_SEED):
    """name -> float32 array, in the order the model uses them.

    Linear weights ([out, in], PyTorch's layout) are Xavier-uniform, biases
    uniform in ±1/sqrt(fan_in) (torch.nn.Linear's default), embeddings
    normal with std d_model^-1/2 (so that after the sqrt(d_model) scaling
    they have unit variance, like the positional encoding). Layer-norm scales
    are 1 + N(0, 0.1²) and shifts N(0, 0.1²) rather than exactly 1 and 0, so
    that they take part in the computation as trained ones would.
    """
    rng = np.random.default_rng(seed)
    weights = {}

    def f32(a):
        return np.ascontiguousarray(a, dtype=np.float32)

    def linear(name, fan_out, fan_in):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights[f"{name}.weight"] = f32(rng.uniform(-limit, limit, (fan_out, fan_in)))
        bound = 1.0 / np.sqrt(fan_in)
        weights[f"{name}.bias"] = f32(rng.uniform(-bound, bound, fan_out))

    def layer_norm(name):
        weights[f"{name}.weight"] = f32(1.0 + 0.1 * rng.standard_normal(D_MODEL))
        weights[f"{name}.bias"] = f32(0.1 * rng.standard_normal(D_MODEL))

    def attention(name):
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            linear(f"{name}.{proj}", D_MODEL, D_MODEL)

    def feed_forward(name):
        linear(f"{name}.linear1", D_FF, D_MODEL)
        linear(f"{name}.linear2", D_MODEL, D_FF)

    for name, vocab in (("src_embed", SRC_VOCAB), ("tgt_embed", TGT_VOCAB)):
        weights[f"{name}.weight"] = f32(
            rng.standard_normal((vocab, D_MODEL)) / np.sqrt(D_MODEL))
    for i in range(NUM_LAYERS):
        p = f"encoder.layers.{i}"
        attention(f"{p}.self_attn")
        layer_norm(f"{p}.norm1")
        feed_forward(f"{p}.ffn")
        layer_norm(f"{p}.norm2")
    for i in range(NUM_LAYERS):
        p = f"decoder.layers.{i}"
        attention(f"{p}.self_attn")
        layer_norm(f"{p}.norm1")
        attention(f"{p}.cross_attn")
        layer_norm(f"{p}.norm2")
        feed_forward(f"{p}.ffn")
        layer_norm(f"{p}.norm3")
    linear("output_proj", TGT_VOCAB, D_MODEL)
    return weights


def make_inputs(seed=INPUT_SEED):
    """The sample inputs: name -> array, as the executable takes them."""
    rng = np.random.default_rng(seed)
    # Real tokens avoid the special ids 0 (<pad>) and 1 (<bos>).
    src = rng.integers(2, SRC_VOCAB, (BATCH, SRC_LEN), dtype=np.int64)
    src[1, SRC_LEN - SRC_PADDING:] = PAD_ID
    src_mask = (src != PAD_ID).reshape(BATCH, 1, 1, SRC_LEN)
    tgt = rng.integers(2, TGT_VOCAB, (BATCH, TGT_LEN), dtype=np.int64)
    tgt[:, 0] = BOS_ID
    return {"src": src, "src_mask": src_mask, "tgt": tgt}


def write_safetensors(path, tensors, metadata=None):
    """The safetensors format: an 8-byte little-endian header length, a JSON
    header {name: {dtype, shape, data_offsets}} (padded with spaces to a
    multiple of 8 bytes, as the reference writer does), then the raw
    little-endian data of every tensor, back to back."""
    dtypes = {np.dtype(np.float32): "F32"}
    header = {"__metadata__": dict(metadata)} if metadata else {}
    blobs, offset = [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtypes[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-(8 + len(encoded)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


# --- The model in tfm IR ------------------------------------------------------

def ttype(*shape, dtype="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + dtype + ">"


class ModelWriter:
    """Emits the body of @main: one op per statement, its types on a
    continuation line when it is long, SSA values named after their role."""

    def __init__(self, weights):
        self.weights = weights
        self.lines = []

    def comment(self, text=""):
        self.lines.append(f"  // {text}".rstrip() if text else "")

    def op(self, result, text):
        line = f"  %{result} = {text}"
        if "\n" not in line and len(line) > 100 and " : " in line:
            # Long one-line ops: the types go on a continuation line.
            head, types = line.split(" : ", 1)
            line = f"{head}\n      : {types}"
        self.lines.append(line)
        return f"%{result}"

    def weight(self, ssa, name):
        array = self.weights[name]
        return self.op(ssa, f'tfm.weight "{name}" : {ttype(*array.shape)}')

    def add_norm(self, result, x, sublayer, norm, prefix, seq):
        """LayerNorm(x + sublayer): the paper's "Add & Norm". `prefix` names
        the SSA values of the norm's weights and of the sum."""
        t = ttype(BATCH, seq, D_MODEL)
        v = ttype(D_MODEL)
        g = self.weight(f"{prefix}_g", f"{norm}.weight")
        b = self.weight(f"{prefix}_b", f"{norm}.bias")
        s = self.op(f"{prefix}_in", f"tfm.add {x}, {sublayer} : ({t}, {t}) -> {t}")
        return self.op(result, f"tfm.layer_norm {s} scale({g}) bias({b}) "
                               f": ({t}, {v}, {v}) -> {t}")

    def attention(self, prefix, name, query, memory, seq_q, seq_kv,
                  mask=None, causal=False):
        """tfm.multi_head_attention with biased q/k/v/out projections."""
        w = {}
        for short, proj in (("q", "q_proj"), ("k", "k_proj"), ("v", "v_proj"),
                            ("o", "out_proj")):
            w[f"w{short}"] = self.weight(f"{prefix}_w{short}", f"{name}.{proj}.weight")
            w[f"b{short}"] = self.weight(f"{prefix}_b{short}", f"{name}.{proj}.bias")
        tq = ttype(BATCH, seq_q, D_MODEL)
        tkv = ttype(BATCH, seq_kv, D_MODEL)
        m = ttype(D_MODEL, D_MODEL)
        v = ttype(D_MODEL)
        attrs = f"num_heads = {NUM_HEADS} : i64" + (", causal" if causal else "")
        pad = " " * 6
        mask_part = f"\n{pad}mask({mask})" if mask else ""
        mask_type = f", {ttype(BATCH, 1, 1, SRC_LEN, dtype='i1')}" if mask else ""
        return self.op(prefix, (
            f"tfm.multi_head_attention {query}, {memory}, {memory}\n"
            f"{pad}weights({w['wq']}, {w['wk']}, {w['wv']}, {w['wo']})\n"
            f"{pad}biases({w['bq']}, {w['bk']}, {w['bv']}, {w['bo']}){mask_part}\n"
            f"{pad}{{{attrs}}}\n"
            f"{pad}: ({tq}, {tkv}, {tkv},\n"
            f"{pad}   {m}, {m}, {m}, {m},\n"
            f"{pad}   {v}, {v}, {v}, {v}{mask_type})\n"
            f"{pad}-> {tq}"))

    def feed_forward(self, prefix, name, x, seq):
        """FFN(x) = linear2(ReLU(linear1(x)))."""
        t = ttype(BATCH, seq, D_MODEL)
        h = ttype(BATCH, seq, D_FF)
        w1 = self.weight(f"{prefix}_w1", f"{name}.linear1.weight")
        b1 = self.weight(f"{prefix}_b1", f"{name}.linear1.bias")
        w2 = self.weight(f"{prefix}_w2", f"{name}.linear2.weight")
        b2 = self.weight(f"{prefix}_b2", f"{name}.linear2.bias")
        hidden = self.op(f"{prefix}_hidden", f"tfm.linear {x}, {w1}, {b1} : "
                         f"({t}, {ttype(D_FF, D_MODEL)}, {ttype(D_FF)}) -> {h}")
        relu = self.op(f"{prefix}_relu", f"tfm.relu {hidden} : {h}")
        return self.op(prefix, f"tfm.linear {relu}, {w2}, {b2} : "
                       f"({h}, {ttype(D_MODEL, D_FF)}, {ttype(D_MODEL)}) -> {t}")

    def embed(self, prefix, ids, table_name, vocab, seq, scale):
        """Token embedding · sqrt(d_model) + sinusoidal positions."""
        t = ttype(BATCH, seq, D_MODEL)
        table = self.weight(f"{prefix}_table", f"{table_name}.weight")
        tokens = self.op(f"{prefix}_tokens", f"tfm.embedding {ids}, {table} : "
                         f"({ttype(BATCH, seq, dtype='i64')}, {ttype(vocab, D_MODEL)}) -> {t}")
        scaled = self.op(f"{prefix}_scaled", f"tfm.mul {tokens}, {scale} : "
                         f"({t}, {ttype()}) -> {t}")
        return self.op(prefix, f"tfm.positional_encoding {scaled} : {t}")


def model_mlir(weights):
    w = ModelWriter(weights)
    sqrt_d = np.sqrt(D_MODEL)
    w.comment(f"sqrt(d_model) = sqrt({D_MODEL}), the embedding scale.")
    scale = w.op("sqrt_d_model", f"tfm.constant dense<{sqrt_d:.1f}> : {ttype()}")

    w.comment()
    w.comment("Encoder: source embedding, then N = 2 layers.")
    x = w.embed("src_embed", "%src", "src_embed", SRC_VOCAB, SRC_LEN, scale)
    for i in range(NUM_LAYERS):
        p, name = f"enc{i}", f"encoder.layers.{i}"
        w.comment()
        w.comment(f"Encoder layer {i}: self-attention over the real source tokens.")
        a = w.attention(f"{p}_self_attn", f"{name}.self_attn", x, x,
                        SRC_LEN, SRC_LEN, mask="%src_mask")
        x = w.add_norm(f"{p}_norm1", x, a, f"{name}.norm1", f"{p}_norm1", SRC_LEN)
        w.comment(f"Encoder layer {i}: position-wise feed-forward.")
        f = w.feed_forward(f"{p}_ffn", f"{name}.ffn", x, SRC_LEN)
        last = i == NUM_LAYERS - 1
        x = w.add_norm("memory" if last else f"{p}_out", x, f,
                       f"{name}.norm2", f"{p}_norm2", SRC_LEN)
    memory = x

    w.comment()
    w.comment("Decoder: target embedding, then N = 2 layers.")
    y = w.embed("tgt_embed", "%tgt", "tgt_embed", TGT_VOCAB, TGT_LEN, scale)
    for i in range(NUM_LAYERS):
        p, name = f"dec{i}", f"decoder.layers.{i}"
        w.comment()
        w.comment(f"Decoder layer {i}: causal self-attention (position t sees 0..t).")
        a = w.attention(f"{p}_self_attn", f"{name}.self_attn", y, y,
                        TGT_LEN, TGT_LEN, causal=True)
        y = w.add_norm(f"{p}_norm1", y, a, f"{name}.norm1",
                       f"{p}_norm1", TGT_LEN)
        w.comment(f"Decoder layer {i}: cross-attention over the encoder output.")
        c = w.attention(f"{p}_cross_attn", f"{name}.cross_attn", y, memory,
                        TGT_LEN, SRC_LEN, mask="%src_mask")
        y = w.add_norm(f"{p}_norm2", y, c, f"{name}.norm2",
                       f"{p}_norm2", TGT_LEN)
        w.comment(f"Decoder layer {i}: position-wise feed-forward.")
        f = w.feed_forward(f"{p}_ffn", f"{name}.ffn", y, TGT_LEN)
        y = w.add_norm(f"{p}_out", y, f, f"{name}.norm3", f"{p}_norm3", TGT_LEN)

    w.comment()
    w.comment("Output: linear to the target vocabulary, softmax.")
    t = ttype(BATCH, TGT_LEN, D_MODEL)
    logits_t = ttype(BATCH, TGT_LEN, TGT_VOCAB)
    wo = w.weight("output_proj_w", "output_proj.weight")
    bo = w.weight("output_proj_b", "output_proj.bias")
    logits = w.op("logits", f"tfm.linear {y}, {wo}, {bo} : "
                  f"({t}, {ttype(TGT_VOCAB, D_MODEL)}, {ttype(TGT_VOCAB)}) -> {logits_t}")
    probs = w.op("probs", f"tfm.softmax {logits} : {logits_t}")
    w.lines.append(f"  return {probs} : {logits_t}")

    src_t = ttype(BATCH, SRC_LEN, dtype="i64")
    mask_t = ttype(BATCH, 1, 1, SRC_LEN, dtype="i1")
    tgt_t = ttype(BATCH, TGT_LEN, dtype="i64")
    header = f"""\
// A small encoder-decoder Transformer, as "Attention Is All You Need"
// (Vaswani et al., 2017) describes it, with fixed random weights.
//
// Generated by docs/examples/transformer/generate.py together with
// model.safetensors (the weights) and inputs/*.npy (sample inputs).
// Do not edit by hand: change generate.py and rerun it.
//
// d_model {D_MODEL}, {NUM_HEADS} heads, d_ff {D_FF}, N = {NUM_LAYERS} encoder and {NUM_LAYERS} decoder layers
// (post-norm: LayerNorm(x + sublayer(x))), ReLU feed-forward, sinusoidal
// positions, source vocabulary {SRC_VOCAB}, target vocabulary {TGT_VOCAB}.
//
// Inputs:  src       i64 [{BATCH},{SRC_LEN}]        source token ids
//          src_mask  i1  [{BATCH},1,1,{SRC_LEN}]    true = real token, false = padding
//          tgt       i64 [{BATCH},{TGT_LEN}]         target token ids (shifted right)
// Output:  probs     f32 [{BATCH},{TGT_LEN},{TGT_VOCAB}]     next-token probabilities
//
// Compile and run it from the repository's root (`make demo` does this and more):
//   D=docs/examples/transformer
//   build/bin/tfmc-compile $D/model.mlir -o transformer
//   ./transformer --input src=$D/inputs/src.npy --input src_mask=$D/inputs/src_mask.npy \\
//       --input tgt=$D/inputs/tgt.npy --output-dir out/
"""
    signature = (
        f"func.func @main(%src: {src_t} {{tfm.name = \"src\"}},\n"
        f"                %src_mask: {mask_t} {{tfm.name = \"src_mask\"}},\n"
        f"                %tgt: {tgt_t} {{tfm.name = \"tgt\"}})\n"
        f"    -> ({logits_t} {{tfm.name = \"probs\"}}) {{\n")
    return header + signature + "\n".join(w.lines) + "\n}\n"


def generate(out_dir):
    weights = make_weights()
    inputs = make_inputs()
    os.makedirs(os.path.join(out_dir, "inputs"), exist_ok=True)
    with open(os.path.join(out_dir, "model.mlir"), "w", encoding="utf-8",
              newline="\n") as f:
        f.write(model_mlir(weights))
    write_safetensors(os.path.join(out_dir, "model.safetensors"), weights,
                      metadata={"generator": "docs/examples/transformer/generate.py",
                                "seed": str(WEIGHT_SEED)})
    for name, array in inputs.items():
        np.save(os.path.join(out_dir, "inputs", f"{name}.npy"), array)
    return weights, inputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=HERE,
                        help="where to write the files (default: %(default)s)")
    args = parser.parse_args()
    weights, _ = generate(args.out_dir)
    count = sum(a.size for a in weights.values())
    print(f"wrote {args.out_dir}/model.mlir, model.safetensors "
          f"({len(weights)} tensors, {count} parameters) and inputs/")


if __name__ == "__main__":
    main()
