"""tfmc.nn against PyTorch: each block, compiled by tfmc and run, gives what
the equivalent torch module gives on the same weights and inputs.

Weights go from torch to tfmc through `load_state_dict` on the torch
module's own state dict wherever the block mirrors a torch module (so that
path is tested too); the other blocks are initialized with `init_weights`
and their reference is written with torch.nn.functional.

Tolerance (f32): |tfmc - torch| <= 1e-5 + 1e-4·|torch|. Blocks are compiled
in a few multi-output models to keep the compile count small.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import tfmc
from tfmc import nn

import util

B, S, T, E, H, FF, VOCAB = 2, 7, 5, 16, 4, 32, 50
RTOL, ATOL = 1e-4, 1e-5


def _inputs(seed):
    rng = np.random.default_rng(seed)
    src = rng.standard_normal((B, S, E)).astype(np.float32)
    tgt = rng.standard_normal((B, T, E)).astype(np.float32)
    pad = np.ones((B, S), bool)
    pad[1, 5:] = False               # the second sequence has 5 real tokens
    ids = rng.integers(0, VOCAB, (B, S)).astype(np.int64)
    tgt_ids = rng.integers(0, VOCAB, (B, T)).astype(np.int64)
    return {"src": src, "tgt": tgt, "pad": pad, "ids": ids, "tgt_ids": tgt_ids}


INPUTS = _inputs(0)
TORCH_IN = {k: torch.from_numpy(v) for k, v in INPUTS.items()}


def _trace(fn, names):
    return tfmc.trace(fn, {n: INPUTS[n] for n in names})


def _run(tmp_path_factory, name, graph):
    path = util.verify(graph, str(tmp_path_factory.mktemp(name)))
    inputs = {n: INPUTS[n] for n, _ in graph.inputs}
    return tfmc.compile(path).run(inputs)


def _check(actual, expected, what):
    util.assert_close(actual, expected.detach().numpy(), RTOL, ATOL, what=what)


def _causal_mask(n):
    return torch.triu(torch.full((n, n), float("-inf")), diagonal=1)


# --- Small blocks: one model --------------------------------------------------------

class SmallBlocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(E, 12)
        self.linear_no_bias = nn.Linear(E, 12, bias=False)
        self.embedding = nn.Embedding(VOCAB, E)
        self.positions = nn.PositionalEncoding()
        self.norm = nn.LayerNorm(E, eps=1e-6)
        self.norm_2d = nn.LayerNorm((S, E))
        self.rms = nn.RMSNorm(E)
        self.ffn = nn.ModuleList(nn.FeedForward(E, FF, act) for act in nn.ACTIVATIONS)
        self.generator = nn.Generator(E, VOCAB)

    def forward(self, src, ids):
        out = {"linear": self.linear(src), "linear_no_bias": self.linear_no_bias(src),
               "embedding": self.embedding(ids), "positions": self.positions(src),
               "norm": self.norm(src), "norm_2d": self.norm_2d(src), "rms": self.rms(src),
               "generator": self.generator(src)}
        for act, ffn in zip(nn.ACTIVATIONS, self.ffn):
            out[f"ffn_{act}"] = ffn(src)
        return out


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    torch.manual_seed(1)
    counterparts = {"linear": torch.nn.Linear(E, 12), "embedding": torch.nn.Embedding(VOCAB, E),
                    "norm": torch.nn.LayerNorm(E, eps=1e-6),
                    "norm_2d": torch.nn.LayerNorm((S, E))}
    model = SmallBlocks().init_weights(seed=1)
    for name, m in counterparts.items():
        for p in m.parameters():       # norms away from 1 and 0, to take part
            torch.nn.init.normal_(p)
        getattr(model, name).load_state_dict(m.state_dict())
    model.rms.weight.set(np.linspace(-2, 2, E), "rms.weight")
    out = _run(tmp_path_factory, "small", _trace(model, ["src", "ids"]))
    weights = {k: torch.from_numpy(v) for k, v in model.state_dict().items()}
    return counterparts, weights, out


def test_linear(small):
    m, w, out = small
    x = TORCH_IN["src"]
    _check(out["linear"], m["linear"](x), "linear")
    _check(out["linear_no_bias"], F.linear(x, w["linear_no_bias.weight"]), "no bias")


def test_embedding_and_positional_encoding(small):
    m, _, out = small
    _check(out["embedding"], m["embedding"](TORCH_IN["ids"]), "embedding")
    # The PositionalEncoding of PyTorch's sequence-modeling tutorial.
    position = torch.arange(S).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, E, 2) * (-math.log(10000.0) / E))
    pe = torch.zeros(S, E)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    _check(out["positions"], TORCH_IN["src"] + pe, "positional encoding")


def test_norms(small):
    m, w, out = small
    x = TORCH_IN["src"]
    _check(out["norm"], m["norm"](x), "layer norm")
    _check(out["norm_2d"], m["norm_2d"](x), "layer norm over 2 dims")
    rms = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w["rms.weight"]
    _check(out["rms"], rms, "rms norm")


@pytest.mark.parametrize("act", nn.ACTIVATIONS)
def test_feed_forward(small, act):
    _, w, out = small
    i = nn.ACTIVATIONS.index(act)
    fn = {"relu": F.relu, "gelu": F.gelu, "silu": F.silu,
          "gelu_tanh": lambda v: F.gelu(v, approximate="tanh")}[act]
    p = lambda n: w[f"ffn.{i}.{n}"]
    hidden = fn(F.linear(TORCH_IN["src"], p("linear1.weight"), p("linear1.bias")))
    _check(out[f"ffn_{act}"], F.linear(hidden, p("linear2.weight"), p("linear2.bias")),
           f"feed-forward ({act})")


def test_generator(small):
    _, w, out = small
    logits = F.linear(TORCH_IN["src"], w["generator.proj.weight"], w["generator.proj.bias"])
    _check(out["generator"], torch.softmax(logits, -1), "generator")


# --- Attention ------------------------------------------------------------------------

KDIM = 10


@pytest.fixture(scope="module")
def attention(tmp_path_factory):
    torch.manual_seed(3)
    self_attn = torch.nn.MultiheadAttention(E, H, batch_first=True)
    cross = torch.nn.MultiheadAttention(E, H, batch_first=True, kdim=KDIM, vdim=KDIM)
    no_bias = torch.nn.MultiheadAttention(E, H, batch_first=True, bias=False)
    for m in (self_attn, cross, no_bias):   # biases away from torch's zeros
        for name, p in m.named_parameters():
            if "bias" in name:
                torch.nn.init.uniform_(p, -0.5, 0.5)
    mha = nn.MultiHeadAttention(E, H).load_state_dict(self_attn.state_dict())
    mha_cross = nn.MultiHeadAttention(E, H, kdim=KDIM, vdim=KDIM).load_state_dict(
        cross.state_dict())
    mha_no_bias = nn.MultiHeadAttention(E, H, bias=False).load_state_dict(
        no_bias.state_dict())
    bias = np.random.default_rng(4).standard_normal((S, S)).astype(np.float32)

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha, self.cross, self.no_bias = mha, mha_cross, mha_no_bias

        def forward(self, src, tgt, pad):
            g = src.graph
            memory = g.slice(src, [0, 0, 0], [B, S, KDIM])
            return {"padding": self.mha(src, padding_mask=pad),
                    "causal": self.mha(src, causal=True),
                    "float_mask": self.mha(src, mask=g.constant(bias), padding_mask=pad),
                    "cross": self.cross(tgt, memory, memory, padding_mask=pad),
                    "no_bias": self.no_bias(tgt, src, src)}

    out = _run(tmp_path_factory, "attention", _trace(Attention(), ["src", "tgt", "pad"]))
    return (self_attn, cross, no_bias), torch.from_numpy(bias), out


def test_self_attention_with_padding_mask(attention):
    (m, _, _), _, out = attention
    x, pad = TORCH_IN["src"], TORCH_IN["pad"]
    _check(out["padding"], m(x, x, x, key_padding_mask=~pad)[0], "padding mask")


def test_causal_self_attention(attention):
    (m, _, _), _, out = attention
    x = TORCH_IN["src"]
    _check(out["causal"], m(x, x, x, attn_mask=_causal_mask(S))[0], "causal")


def test_self_attention_with_float_mask(attention):
    (m, _, _), bias, out = attention
    x, pad = TORCH_IN["src"], TORCH_IN["pad"]
    _check(out["float_mask"], m(x, x, x, attn_mask=bias, key_padding_mask=~pad)[0],
           "float mask and padding")


def test_cross_attention(attention):
    (_, cross, no_bias), _, out = attention
    memory = TORCH_IN["src"][..., :KDIM]
    tgt, pad = TORCH_IN["tgt"], TORCH_IN["pad"]
    _check(out["cross"], cross(tgt, memory, memory, key_padding_mask=~pad)[0],
           "cross-attention (kdim != embed_dim)")
    _check(out["no_bias"], no_bias(tgt, TORCH_IN["src"], TORCH_IN["src"])[0],
           "cross-attention without biases")


# --- Layers -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def layers(tmp_path_factory):
    torch.manual_seed(5)
    gelu_tanh = lambda v: F.gelu(v, approximate="tanh")  # noqa: E731
    torch_layers = {
        "enc_post": torch.nn.TransformerEncoderLayer(E, H, FF, 0.0, batch_first=True),
        "enc_pre": torch.nn.TransformerEncoderLayer(E, H, FF, 0.0, "gelu", 1e-6,
                                                    batch_first=True, norm_first=True),
        "dec_post": torch.nn.TransformerDecoderLayer(E, H, FF, 0.0, batch_first=True),
        "dec_pre": torch.nn.TransformerDecoderLayer(E, H, FF, 0.0, gelu_tanh,
                                                    batch_first=True, norm_first=True),
    }
    for m in torch_layers.values():
        m.eval()
    ours = {
        "enc_post": nn.EncoderLayer(E, H, FF),
        "enc_pre": nn.EncoderLayer(E, H, FF, "gelu", 1e-6, norm_first=True),
        "dec_post": nn.DecoderLayer(E, H, FF),
        "dec_pre": nn.DecoderLayer(E, H, FF, "gelu_tanh", norm_first=True),
    }
    for name, layer in ours.items():
        layer.load_state_dict(torch_layers[name].state_dict())

    class Layers(nn.Module):
        def __init__(self):
            super().__init__()
            for name, layer in ours.items():
                setattr(self, name, layer)

        def forward(self, src, tgt, pad):
            return {"enc_post": self.enc_post(src, padding_mask=pad),
                    "enc_pre": self.enc_pre(src, causal=True),
                    "dec_post": self.dec_post(tgt, src, memory_padding_mask=pad),
                    "dec_pre": self.dec_pre(tgt, src)}

    out = _run(tmp_path_factory, "layers", _trace(Layers(), ["src", "tgt", "pad"]))
    return torch_layers, out


def test_encoder_layers(layers):
    m, out = layers
    src, pad = TORCH_IN["src"], TORCH_IN["pad"]
    _check(out["enc_post"], m["enc_post"](src, src_key_padding_mask=~pad),
           "post-norm encoder layer with padding")
    _check(out["enc_pre"], m["enc_pre"](src, src_mask=_causal_mask(S)),
           "pre-norm GELU encoder layer, causal")


def test_decoder_layers(layers):
    m, out = layers
    src, tgt, pad = TORCH_IN["src"], TORCH_IN["tgt"], TORCH_IN["pad"]
    _check(out["dec_post"], m["dec_post"](tgt, src, tgt_mask=_causal_mask(T),
                                          memory_key_padding_mask=~pad),
           "post-norm decoder layer")
    _check(out["dec_pre"], m["dec_pre"](tgt, src, tgt_mask=_causal_mask(T)),
           "pre-norm tanh-GELU decoder layer")


# --- Stacks and whole models ------------------------------------------------------------

def test_transformer_encoder_decoder(tmp_path_factory):
    """nn.Transformer (with its encoder and decoder stacks and final norms)
    against torch.nn.Transformer, with source padding."""
    torch.manual_seed(6)
    tm = torch.nn.Transformer(E, H, 2, 2, FF, 0.0, batch_first=True).eval()
    model = nn.Transformer(E, H, 2, 2, FF).load_state_dict(tm.state_dict())
    graph = _trace(lambda src, tgt, pad: model(src, tgt, src_padding_mask=pad,
                                               memory_padding_mask=pad),
                   ["src", "tgt", "pad"])
    out = _run(tmp_path_factory, "transformer", graph)["output"]
    src, tgt, pad = TORCH_IN["src"], TORCH_IN["tgt"], TORCH_IN["pad"]
    expected = tm(src, tgt, tgt_mask=_causal_mask(T), src_key_padding_mask=~pad,
                  memory_key_padding_mask=~pad)
    _check(out, expected, "nn.Transformer")


class _TorchSeq2Seq(torch.nn.Module):
    """EncoderDecoderModel's computation in PyTorch, with its parameter names."""

    def __init__(self):
        super().__init__()
        self.src_embed = torch.nn.Embedding(VOCAB, E)
        self.tgt_embed = torch.nn.Embedding(VOCAB + 3, E)
        self.transformer = torch.nn.Transformer(E, H, 1, 1, FF, 0.0, batch_first=True)
        self.generator = torch.nn.Module()
        self.generator.proj = torch.nn.Linear(E, VOCAB + 3)

    def positions(self, x):
        position = torch.arange(x.shape[1]).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, E, 2) * (-math.log(10000.0) / E))
        pe = torch.zeros(x.shape[1], E)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        return x + pe

    def forward(self, src, tgt, pad):
        s = self.positions(self.src_embed(src) * math.sqrt(E))
        t = self.positions(self.tgt_embed(tgt) * math.sqrt(E))
        h = self.transformer(s, t, tgt_mask=_causal_mask(tgt.shape[1]),
                             src_key_padding_mask=~pad, memory_key_padding_mask=~pad)
        return torch.softmax(self.generator.proj(h), -1)


def test_encoder_decoder_model(tmp_path_factory):
    torch.manual_seed(7)
    tm = _TorchSeq2Seq().eval()
    model = nn.EncoderDecoderModel(VOCAB, VOCAB + 3, E, H, 1, 1, FF, final_norm=True)
    model.load_state_dict(tm.state_dict())
    out = _run(tmp_path_factory, "seq2seq", _trace(model, ["ids", "tgt_ids", "pad"]))
    expected = tm(TORCH_IN["ids"], TORCH_IN["tgt_ids"], TORCH_IN["pad"])
    _check(out["output"], expected, "encoder-decoder model")


class _TorchBert(torch.nn.Module):
    def __init__(self, max_positions=16):
        super().__init__()
        self.token_embed = torch.nn.Embedding(VOCAB, E)
        self.position_embed = torch.nn.Module()
        self.position_embed.weight = torch.nn.Parameter(torch.randn(max_positions, E))
        self.embed_norm = torch.nn.LayerNorm(E, eps=1e-12)
        layer = torch.nn.TransformerEncoderLayer(E, H, FF, 0.0, "gelu", 1e-12,
                                                 batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)

    def forward(self, ids, pad):
        x = self.token_embed(ids) + self.position_embed.weight[:ids.shape[1]]
        return self.encoder(self.embed_norm(x), src_key_padding_mask=~pad)


class _TorchGpt(torch.nn.Module):
    def __init__(self, max_positions=16):
        super().__init__()
        self.token_embed = torch.nn.Embedding(VOCAB, E)
        self.position_embed = torch.nn.Module()
        self.position_embed.weight = torch.nn.Parameter(torch.randn(max_positions, E))
        layer = torch.nn.TransformerEncoderLayer(
            E, H, 4 * E, 0.0, lambda v: F.gelu(v, approximate="tanh"),
            batch_first=True, norm_first=True)
        self.decoder = torch.nn.TransformerEncoder(layer, 2, torch.nn.LayerNorm(E),
                                                   enable_nested_tensor=False)

    def forward(self, ids):
        x = self.token_embed(ids) + self.position_embed.weight[:ids.shape[1]]
        h = self.decoder(x, mask=_causal_mask(ids.shape[1]))
        return F.linear(h, self.token_embed.weight)    # tied LM head


def test_encoder_only_model(tmp_path_factory):
    torch.manual_seed(8)
    tm = _TorchBert().eval()
    model = nn.EncoderOnlyModel(VOCAB, 16, E, H, 2, FF).load_state_dict(tm.state_dict())
    out = _run(tmp_path_factory, "bert", _trace(model, ["ids", "pad"]))
    expected = tm(TORCH_IN["ids"], TORCH_IN["pad"])
    _check(out["output"], expected, "BERT-like encoder")


def test_decoder_only_model(tmp_path_factory):
    torch.manual_seed(9)
    tm = _TorchGpt().eval()
    model = nn.DecoderOnlyModel(VOCAB, 16, E, H, 2).load_state_dict(tm.state_dict())
    graph = _trace(model, ["ids"])
    assert list(graph.weights).count("token_embed.weight") == 1   # tied, stored once
    out = _run(tmp_path_factory, "gpt", graph)
    _check(out["output"], tm(TORCH_IN["ids"]), "GPT-like decoder")


# --- API errors -----------------------------------------------------------------------

def test_state_dict_mismatches_are_reported():
    model = nn.EncoderLayer(E, H, FF)
    torch_layer = torch.nn.TransformerEncoderLayer(E, H, FF + 1, batch_first=True)
    with pytest.raises(tfmc.TfmcError, match=r"state dict entry 'ffn.linear1.weight': "
                       r"shape \[33, 16\] does not match the parameter's \[32, 16\]"):
        model.load_state_dict(torch_layer.state_dict())
    sd = dict(torch.nn.TransformerEncoderLayer(E, H, FF, batch_first=True).state_dict())
    sd.pop("norm2.bias")
    sd["extra"] = torch.zeros(1)
    with pytest.raises(tfmc.TfmcError, match="missing: norm2.bias; unexpected: extra"):
        model.load_state_dict(sd)
    with pytest.raises(tfmc.TfmcError, match="parameter 'weight' has no value"):
        tfmc.trace(nn.Linear(2, 3), {"x": ((1, 2), "f32")})
    with pytest.raises(tfmc.TfmcError, match="unknown activation 'swish'"):
        nn.FeedForward(E, FF, "swish")


def test_init_weights_is_deterministic():
    a = nn.Transformer(E, H, 1, 1, FF).init_weights(seed=3).state_dict()
    b = nn.Transformer(E, H, 1, 1, FF).init_weights(seed=3).state_dict()
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert "encoder.layers.0.self_attn.q_proj.weight" in a
