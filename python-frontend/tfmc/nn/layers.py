"""The building blocks of the Transformer, as tfm ops.

Tensors are batch-first: activations are [batch, seq, d_model]. Masks follow
tfm's convention: a boolean mask is true where attention is allowed (a
padding mask is true at real tokens), a float mask is added to the scores.
Parameter names follow PyTorch's modules, so their state dicts load
(`load_state_dict`) with the differences each class states.
"""
import math

import numpy as np

from ..dtypes import BFloat16Array
from ..errors import TfmcError
from .module import Module, ModuleList, Parameter, rename_entries, to_numpy


def _uniform(bound):
    return lambda rng, shape: rng.uniform(-bound, bound, shape)


def _normal(std):
    return lambda rng, shape: rng.standard_normal(shape) * std


def _full(value):
    return lambda rng, shape: np.full(shape, value)


ACTIVATIONS = ("relu", "gelu", "gelu_tanh", "silu")


def activation(x, name):
    """Applies the activation `name` (relu, gelu, gelu_tanh, silu)."""
    g = x.graph
    if name == "relu":
        return g.relu(x)
    if name == "gelu":
        return g.gelu(x)
    if name == "gelu_tanh":
        return g.gelu(x, approximation="tanh")
    if name == "silu":
        return g.silu(x)
    raise TfmcError(f"unknown activation '{name}' (use one of {', '.join(ACTIVATIONS)})")


class Linear(Module):
    """x·Wᵀ + b, W of shape [out_features, in_features] (torch.nn.Linear)."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1.0 / math.sqrt(in_features) if in_features else 0.0
        self.weight = Parameter((out_features, in_features), _uniform(bound))
        self.bias = Parameter((out_features,), _uniform(bound)) if bias else None

    def forward(self, x):
        return x.graph.linear(x, self.weight, self.bias)


class Embedding(Module):
    """Token ids [...] -> vectors [..., embedding_dim] (torch.nn.Embedding)."""

    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.weight = Parameter((num_embeddings, embedding_dim), _normal(1.0))

    def forward(self, ids):
        return ids.graph.embedding(ids, self.weight)


class PositionalEncoding(Module):
    """Adds the sinusoidal positional encoding of "Attention Is All You
    Need" (positions `offset`, `offset`+1, ... along dimension -2)."""

    def __init__(self, base=10000.0, offset=0):
        super().__init__()
        self.base, self.offset = base, offset

    def forward(self, x):
        return x.graph.positional_encoding(x, offset=self.offset, base=self.base)


class LayerNorm(Module):
    """torch.nn.LayerNorm over the trailing `normalized_shape`."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                 else tuple(normalized_shape))
        self.eps, self.axis = eps, -len(shape)
        self.weight = Parameter(shape, _full(1.0)) if elementwise_affine else None
        self.bias = Parameter(shape, _full(0.0)) if elementwise_affine else None

    def forward(self, x):
        return x.graph.layer_norm(x, self.weight, self.bias, epsilon=self.eps,
                                  axis=self.axis)


class RMSNorm(Module):
    """x / sqrt(mean(x²) + eps) · weight over the last dimension (LLaMA)."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = Parameter((dim,), _full(1.0))

    def forward(self, x):
        return x.graph.rms_norm(x, self.weight, epsilon=self.eps)


class FeedForward(Module):
    """The position-wise feed-forward network: linear2(act(linear1(x)))."""

    def __init__(self, d_model, dim_feedforward, activation="relu", bias=True):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise TfmcError(f"unknown activation '{activation}' "
                            f"(use one of {', '.join(ACTIVATIONS)})")
        self.activation = activation
        self.linear1 = Linear(d_model, dim_feedforward, bias)
        self.linear2 = Linear(dim_feedforward, d_model, bias)

    def forward(self, x):
        return self.linear2(activation(self.linear1(x), self.activation))


def merge_masks(masks, dtype):
    """One attention mask from several (None entries skipped): boolean masks
    combine with AND; if any is a float mask, boolean ones become 0/-inf and
    all are added."""
    masks = [m for m in masks if m is not None]
    if not masks:
        return None
    g = masks[0].graph
    if all(m.dtype == "i1" for m in masks):
        merged = masks[0]
        for m in masks[1:]:
            merged = g.select(merged, m, False)
        return merged
    additive = [m if m.dtype != "i1" else g.select(m, g.constant(0.0, dtype),
                                                   g.constant(-np.inf, dtype))
                for m in masks]
    merged = additive[0]
    for m in additive[1:]:
        merged = merged + m
    return merged


def padding_to_attention_mask(padding_mask):
    """[batch, seq] (true = real token) -> [batch, 1, 1, seq] for the scores
    [batch, heads, query, key]."""
    if padding_mask is None:
        return None
    if padding_mask.rank != 2 or padding_mask.dtype != "i1":
        raise TfmcError(f"a padding mask is a boolean [batch, seq] tensor, got "
                        f"{padding_mask.type}")
    b, s = padding_mask.shape
    return padding_mask.reshape(b, 1, 1, s)


class MultiHeadAttention(Module):
    """Multi-head attention with q/k/v/out projections, as one
    tfm.multi_head_attention (torch.nn.MultiheadAttention, batch-first).

    PyTorch state dicts load: `in_proj_weight`/`in_proj_bias` (packed q, k,
    v) and `q_proj_weight`/`k_proj_weight`/`v_proj_weight` become
    q_proj/k_proj/v_proj.
    """

    def __init__(self, embed_dim, num_heads, bias=True, kdim=None, vdim=None):
        super().__init__()
        if embed_dim % num_heads:
            raise TfmcError(f"embed_dim {embed_dim} is not a multiple of "
                            f"num_heads {num_heads}")
        self.num_heads = num_heads
        self.q_proj = Linear(embed_dim, embed_dim, bias)
        self.k_proj = Linear(kdim or embed_dim, embed_dim, bias)
        self.v_proj = Linear(vdim or embed_dim, embed_dim, bias)
        self.out_proj = Linear(embed_dim, embed_dim, bias)

    def forward(self, query, key=None, value=None, mask=None, padding_mask=None,
                causal=False):
        """`key` and `value` default to `query` (self-attention). `mask`:
        boolean (true = attend) or additive float, broadcastable to [batch,
        heads, query, key]; `padding_mask`: [batch, key] boolean, true at real
        tokens; `causal`: query i sees keys <= i."""
        key = query if key is None else key
        value = key if value is None else value
        g = query.graph
        mask = merge_masks([mask, padding_to_attention_mask(padding_mask)], query.dtype)
        projections = (self.q_proj, self.k_proj, self.v_proj, self.out_proj)
        biases = (None if self.q_proj.bias is None
                  else [p.bias for p in projections])
        return g.multi_head_attention(query, key, value,
                                      [p.weight for p in projections], biases,
                                      num_heads=self.num_heads, mask=mask,
                                      causal=causal)

    def _convert_torch_names(self, prefix, entries):
        for kind in ("weight", "bias"):
            packed = entries.pop(f"{prefix}in_proj_{kind}", None)
            if packed is not None:
                packed = to_numpy(packed)
                if isinstance(packed, BFloat16Array):
                    packed = packed.to_float32()
                for name, part in zip("qkv", np.split(np.asarray(packed), 3)):
                    entries[f"{prefix}{name}_proj.{kind}"] = part
        for name in "qkv":
            separate = entries.pop(f"{prefix}{name}_proj_weight", None)
            if separate is not None:
                entries[f"{prefix}{name}_proj.weight"] = separate


class EncoderLayer(Module):
    """Self-attention and feed-forward, each with a residual connection and
    LayerNorm: after it (post-norm, the paper's and PyTorch's default) or
    before it (`norm_first`, pre-norm as in GPT-2).

    Loads torch.nn.TransformerEncoderLayer state dicts (linear1/linear2 are
    ffn.linear1/ffn.linear2 here)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, activation="relu",
                 layer_norm_eps=1e-5, norm_first=False, bias=True):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, nhead, bias)
        self.ffn = FeedForward(d_model, dim_feedforward, activation, bias)
        self.norm1 = LayerNorm(d_model, layer_norm_eps)
        self.norm2 = LayerNorm(d_model, layer_norm_eps)

    def forward(self, x, mask=None, padding_mask=None, causal=False):
        def attend(h):
            return self.self_attn(h, mask=mask, padding_mask=padding_mask,
                                  causal=causal)
        if self.norm_first:
            x = x + attend(self.norm1(x))
            return x + self.ffn(self.norm2(x))
        x = self.norm1(x + attend(x))
        return self.norm2(x + self.ffn(x))

    def _convert_torch_names(self, prefix, entries):
        for name in ("linear1", "linear2"):
            rename_entries(entries, f"{prefix}{name}.", f"{prefix}ffn.{name}.")


class DecoderLayer(Module):
    """Causal self-attention, cross-attention over the encoder's output
    (`memory`) and feed-forward, each with a residual connection and
    LayerNorm (post-norm, or pre-norm with `norm_first`).

    Loads torch.nn.TransformerDecoderLayer state dicts (multihead_attn is
    cross_attn here, linear1/linear2 are ffn.linear1/ffn.linear2)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, activation="relu",
                 layer_norm_eps=1e-5, norm_first=False, bias=True):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, nhead, bias)
        self.cross_attn = MultiHeadAttention(d_model, nhead, bias)
        self.ffn = FeedForward(d_model, dim_feedforward, activation, bias)
        self.norm1 = LayerNorm(d_model, layer_norm_eps)
        self.norm2 = LayerNorm(d_model, layer_norm_eps)
        self.norm3 = LayerNorm(d_model, layer_norm_eps)

    def forward(self, x, memory, mask=None, padding_mask=None, memory_mask=None,
                memory_padding_mask=None, causal=True):
        """`mask`/`padding_mask` apply to the self-attention (whose causal
        mask `causal` adds), `memory_mask`/`memory_padding_mask` to the
        cross-attention."""
        def self_attend(h):
            return self.self_attn(h, mask=mask, padding_mask=padding_mask,
                                  causal=causal)

        def cross_attend(h):
            return self.cross_attn(h, memory, memory, mask=memory_mask,
                                   padding_mask=memory_padding_mask)
        if self.norm_first:
            x = x + self_attend(self.norm1(x))
            x = x + cross_attend(self.norm2(x))
            return x + self.ffn(self.norm3(x))
        x = self.norm1(x + self_attend(x))
        x = self.norm2(x + cross_attend(x))
        return self.norm3(x + self.ffn(x))

    def _convert_torch_names(self, prefix, entries):
        rename_entries(entries, f"{prefix}multihead_attn.", f"{prefix}cross_attn.")
        for name in ("linear1", "linear2"):
            rename_entries(entries, f"{prefix}{name}.", f"{prefix}ffn.{name}.")


class Encoder(Module):
    """`num_layers` EncoderLayers, then a LayerNorm if `final_norm`
    (torch.nn.TransformerEncoder with `norm`)."""

    def __init__(self, num_layers, d_model, nhead, dim_feedforward=2048,
                 activation="relu", layer_norm_eps=1e-5, norm_first=False,
                 final_norm=False):
        super().__init__()
        self.layers = ModuleList(
            EncoderLayer(d_model, nhead, dim_feedforward, activation,
                         layer_norm_eps, norm_first) for _ in range(num_layers))
        self.norm = LayerNorm(d_model, layer_norm_eps) if final_norm else None

    def forward(self, x, mask=None, padding_mask=None, causal=False):
        for layer in self.layers:
            x = layer(x, mask=mask, padding_mask=padding_mask, causal=causal)
        return self.norm(x) if self.norm is not None else x


class Decoder(Module):
    """`num_layers` DecoderLayers, then a LayerNorm if `final_norm`
    (torch.nn.TransformerDecoder with `norm`)."""

    def __init__(self, num_layers, d_model, nhead, dim_feedforward=2048,
                 activation="relu", layer_norm_eps=1e-5, norm_first=False,
                 final_norm=False):
        super().__init__()
        self.layers = ModuleList(
            DecoderLayer(d_model, nhead, dim_feedforward, activation,
                         layer_norm_eps, norm_first) for _ in range(num_layers))
        self.norm = LayerNorm(d_model, layer_norm_eps) if final_norm else None

    def forward(self, x, memory, mask=None, padding_mask=None, memory_mask=None,
                memory_padding_mask=None, causal=True):
        for layer in self.layers:
            x = layer(x, memory, mask=mask, padding_mask=padding_mask,
                      memory_mask=memory_mask,
                      memory_padding_mask=memory_padding_mask, causal=causal)
        return self.norm(x) if self.norm is not None else x


class Transformer(Module):
    """The encoder-decoder of torch.nn.Transformer (batch-first): encoder and
    decoder stacks, each ending in a LayerNorm. Takes embedded `src` and
    `tgt` [batch, seq, d_model]; the decoder's self-attention is causal."""

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6,
                 num_decoder_layers=6, dim_feedforward=2048, activation="relu",
                 layer_norm_eps=1e-5, norm_first=False, final_norm=True):
        super().__init__()
        self.encoder = Encoder(num_encoder_layers, d_model, nhead, dim_feedforward,
                               activation, layer_norm_eps, norm_first, final_norm)
        self.decoder = Decoder(num_decoder_layers, d_model, nhead, dim_feedforward,
                               activation, layer_norm_eps, norm_first, final_norm)

    def forward(self, src, tgt, src_padding_mask=None, tgt_padding_mask=None,
                memory_padding_mask=None, causal=True):
        """Padding masks are [batch, seq] booleans, true at real tokens
        (torch's key_padding_mask inverted); `memory_padding_mask` is the
        decoder's view of the source padding (usually src_padding_mask)."""
        memory = self.encoder(src, padding_mask=src_padding_mask)
        return self.decoder(tgt, memory, padding_mask=tgt_padding_mask,
                            memory_padding_mask=memory_padding_mask, causal=causal)


class Generator(Module):
    """The output layer: linear to the vocabulary, then softmax."""

    def __init__(self, d_model, vocab_size, bias=True):
        super().__init__()
        self.proj = Linear(d_model, vocab_size, bias)

    def forward(self, x):
        return x.graph.softmax(self.proj(x))


class EncoderDecoderModel(Module):
    """The model of "Attention Is All You Need": token embeddings scaled by
    sqrt(d_model) plus sinusoidal positions, a Transformer, and a Generator
    giving next-token probabilities [batch, tgt_len, tgt_vocab]."""

    def __init__(self, src_vocab, tgt_vocab, d_model=512, nhead=8,
                 num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 activation="relu", layer_norm_eps=1e-5, norm_first=False,
                 final_norm=False):
        super().__init__()
        self.d_model = d_model
        self.src_embed = Embedding(src_vocab, d_model)
        self.tgt_embed = Embedding(tgt_vocab, d_model)
        self.positions = PositionalEncoding()
        self.transformer = Transformer(d_model, nhead, num_encoder_layers,
                                       num_decoder_layers, dim_feedforward, activation,
                                       layer_norm_eps, norm_first, final_norm)
        self.generator = Generator(d_model, tgt_vocab)

    def embed(self, embedding, ids):
        return self.positions(embedding(ids) * math.sqrt(self.d_model))

    def forward(self, src, tgt, src_padding_mask=None):
        """`src`, `tgt`: token ids [batch, seq]; `src_padding_mask`: [batch,
        src_len] booleans, true at real tokens."""
        hidden = self.transformer(self.embed(self.src_embed, src),
                                  self.embed(self.tgt_embed, tgt),
                                  src_padding_mask=src_padding_mask,
                                  memory_padding_mask=src_padding_mask)
        return self.generator(hidden)


class _LearnedPositions(Module):
    """Learned position embeddings: adds rows 0..seq-1 of `weight`."""

    def __init__(self, max_positions, d_model):
        super().__init__()
        self.weight = Parameter((max_positions, d_model), _normal(0.02))

    def forward(self, x):
        g = x.graph
        seq, dim = x.shape[-2], x.shape[-1]
        if seq > self.weight.shape[0]:
            raise TfmcError(f"sequence length {seq} exceeds the {self.weight.shape[0]} "
                            f"learned positions")
        rows = g.slice(self.weight, [0, 0], [seq, dim])
        return x + rows


class EncoderOnlyModel(Module):
    """A BERT-like encoder: token plus learned position embeddings, a
    LayerNorm, then post-norm encoder layers with GELU feed-forward.
    Returns the hidden states [batch, seq, d_model]."""

    def __init__(self, vocab_size, max_positions=512, d_model=768, nhead=12,
                 num_layers=12, dim_feedforward=3072, activation="gelu",
                 layer_norm_eps=1e-12):
        super().__init__()
        self.token_embed = Embedding(vocab_size, d_model)
        self.position_embed = _LearnedPositions(max_positions, d_model)
        self.embed_norm = LayerNorm(d_model, layer_norm_eps)
        self.encoder = Encoder(num_layers, d_model, nhead, dim_feedforward,
                               activation, layer_norm_eps)

    def forward(self, ids, padding_mask=None):
        """`ids`: [batch, seq]; `padding_mask`: [batch, seq], true at real tokens."""
        x = self.embed_norm(self.position_embed(self.token_embed(ids)))
        return self.encoder(x, padding_mask=padding_mask)


class DecoderOnlyModel(Module):
    """A GPT-like decoder: token plus learned position embeddings, pre-norm
    causal self-attention layers (tanh-GELU feed-forward), a final LayerNorm
    and a language-model head tied to the token embedding. Returns the
    logits [batch, seq, vocab_size]."""

    def __init__(self, vocab_size, max_positions=1024, d_model=768, nhead=12,
                 num_layers=12, dim_feedforward=None, activation="gelu_tanh",
                 layer_norm_eps=1e-5):
        super().__init__()
        self.token_embed = Embedding(vocab_size, d_model)
        self.position_embed = _LearnedPositions(max_positions, d_model)
        self.decoder = Encoder(num_layers, d_model, nhead,
                               dim_feedforward or 4 * d_model, activation,
                               layer_norm_eps, norm_first=True, final_norm=True)

    def forward(self, ids):
        x = self.position_embed(self.token_embed(ids))
        hidden = self.decoder(x, causal=True)
        return hidden.graph.linear(hidden, self.token_embed.weight)
