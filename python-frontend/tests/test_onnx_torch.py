"""PyTorch modules exported to ONNX (torch.onnx.export, opsets 11-17),
imported by tfmc, compiled and run, against PyTorch's own output.

Covers nn.MultiheadAttention, nn.TransformerEncoderLayer/Encoder,
nn.TransformerDecoderLayer/Decoder, nn.Transformer, and hand-written BERT-
and GPT-style models (token ids, learned positions, additive and
masked_fill masks, erf- and tanh-GELU, packed QKV split). Every imported
model passes tfm-verify-model, keeps the ONNX input/output names and
locates each op at its ONNX node.

Tolerance (f32): |tfmc - torch| <= 1e-5 + 1e-4·|torch|.
"""
import math
import re

import pytest
import torch
import torch.nn.functional as F

import tfmc

import util

B, S, T, E, H, FF, VOCAB = 2, 7, 5, 16, 4, 32, 40
RTOL, ATOL = 1e-4, 1e-5

# torch.onnx.export's tracer warns about every size it turns into a constant.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning",
                                        "ignore::torch.jit.TracerWarning")


def _causal(n):
    return torch.triu(torch.full((n, n), float("-inf")), diagonal=1)


class SelfAttention(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = torch.nn.MultiheadAttention(E, H, batch_first=True)

    def forward(self, x, padding):
        return self.attn(x, x, x, key_padding_mask=padding, need_weights=False)[0]


class CrossAttention(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = torch.nn.MultiheadAttention(E, H, batch_first=True, kdim=6, vdim=6)

    def forward(self, x, memory):
        mask = torch.triu(torch.full((T, S - 1), float("-inf")), diagonal=3)
        return self.attn(x, memory, memory, attn_mask=mask, need_weights=False)[0]


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(E, H, FF, 0.0, "gelu", batch_first=True,
                                                 norm_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, 2, torch.nn.LayerNorm(E),
                                                   enable_nested_tensor=False)

    def forward(self, x, padding):
        return self.encoder(x, src_key_padding_mask=padding)


class Decoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerDecoderLayer(E, H, FF, 0.0, batch_first=True)
        self.decoder = torch.nn.TransformerDecoder(layer, 2, torch.nn.LayerNorm(E))

    def forward(self, tgt, memory, padding):
        return self.decoder(tgt, memory, tgt_mask=_causal(T),
                            memory_key_padding_mask=padding)


class Transformer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.model = torch.nn.Transformer(E, H, 1, 1, FF, 0.0, batch_first=True)

    def forward(self, src, tgt, padding):
        mask = self.model.generate_square_subsequent_mask(tgt.shape[1])  # Trilu
        return self.model(src, tgt, tgt_mask=mask, src_key_padding_mask=padding,
                          memory_key_padding_mask=padding)


class BertStyle(torch.nn.Module):
    """A BERT-like encoder written as BERT's code does: view/permute heads,
    an additive mask from attention_mask, erf-GELU, post-norm."""

    def __init__(self):
        super().__init__()
        self.word = torch.nn.Embedding(VOCAB, E)
        self.position = torch.nn.Embedding(16, E)
        self.norm0 = torch.nn.LayerNorm(E, eps=1e-12)
        self.query, self.key, self.value, self.out = (torch.nn.Linear(E, E) for _ in range(4))
        self.norm1 = torch.nn.LayerNorm(E, eps=1e-12)
        self.up, self.down = torch.nn.Linear(E, FF), torch.nn.Linear(FF, E)
        self.norm2 = torch.nn.LayerNorm(E, eps=1e-12)

    def heads(self, x):
        b, s, _ = x.size()
        return x.view(b, s, H, E // H).permute(0, 2, 1, 3)

    def forward(self, input_ids, attention_mask):
        positions = torch.arange(input_ids.size(1)).unsqueeze(0)
        x = self.norm0(self.word(input_ids) + self.position(positions))
        q, k, v = self.heads(self.query(x)), self.heads(self.key(x)), self.heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(E // H)
        extended = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        probs = torch.softmax(scores + extended, dim=-1)
        context = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        context = context.view(context.size(0), context.size(1), E)
        x = self.norm1(x + self.out(context))
        return self.norm2(x + self.down(F.gelu(self.up(x))))


class GptStyle(torch.nn.Module):
    """A GPT-2-like block as nanoGPT writes it: packed QKV split, a causal
    buffer [1,1,T,T] applied with masked_fill, tanh-GELU written out, a tied
    LM head."""

    def __init__(self, max_positions=8):
        super().__init__()
        self.wte = torch.nn.Embedding(VOCAB, E)
        self.wpe = torch.nn.Embedding(max_positions, E)
        self.ln_1, self.ln_2, self.ln_f = (torch.nn.LayerNorm(E) for _ in range(3))
        self.c_attn = torch.nn.Linear(E, 3 * E)
        self.c_proj = torch.nn.Linear(E, E)
        self.c_fc, self.mlp_proj = torch.nn.Linear(E, 4 * E), torch.nn.Linear(4 * E, E)
        self.register_buffer("bias", torch.tril(torch.ones(max_positions, max_positions))
                             .view(1, 1, max_positions, max_positions))

    def attention(self, x):
        b, t, c = x.size()
        q, k, v = self.c_attn(x).split(E, dim=2)
        q, k, v = (z.view(b, t, H, c // H).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :t, :t] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))

    def forward(self, idx):
        pos = torch.arange(0, idx.size(1), dtype=torch.long).unsqueeze(0)
        x = self.wte(idx) + self.wpe(pos)
        x = x + self.attention(self.ln_1(x))
        h = self.c_fc(self.ln_2(x))
        h = 0.5 * h * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi)
                                        * (h + 0.044715 * torch.pow(h, 3.0))))
        x = x + self.mlp_proj(h)
        return F.linear(self.ln_f(x), self.wte.weight)


def _inputs():
    g = torch.Generator().manual_seed(0)
    padding = torch.zeros(B, S, dtype=torch.bool)
    padding[1, 5:] = True
    ids = torch.randint(0, VOCAB, (B, S), generator=g)
    attention_mask = (~padding).long()
    return {"x": torch.randn(B, S, E, generator=g), "tgt": torch.randn(B, T, E, generator=g),
            "memory6": torch.randn(B, S - 1, 6, generator=g), "padding": padding,
            "ids": ids, "attention_mask": attention_mask}


INPUTS = _inputs()

# name: (module factory, input names, opsets)
CASES = {
    "MultiheadAttention": (SelfAttention, ["x", "padding"], [11, 13, 17]),
    "MultiheadAttention_cross": (CrossAttention, ["tgt", "memory6"], [14]),
    "TransformerEncoderLayer": (
        lambda: torch.nn.TransformerEncoderLayer(E, H, FF, 0.0, batch_first=True),
        ["x"], [11, 14, 17]),
    "TransformerEncoder_pre_norm_gelu": (Encoder, ["x", "padding"], [13]),
    "TransformerDecoder": (Decoder, ["tgt", "x", "padding"], [13, 17]),
    "Transformer": (Transformer, ["x", "tgt", "padding"], [14]),
    "BertStyle": (BertStyle, ["ids", "attention_mask"], [12, 17]),
    "GptStyle": (GptStyle, ["ids"], [11, 16]),
}
PARAMS = [(name, opset) for name, (_, _, opsets) in CASES.items() for opset in opsets]


@pytest.mark.parametrize("name,opset", PARAMS, ids=[f"{n}-opset{o}" for n, o in PARAMS])
def test_exported_module_matches_pytorch(name, opset, tmp_path):
    factory, input_names, _ = CASES[name]
    torch.manual_seed(len(name))
    module = factory().eval()
    args = tuple(INPUTS[n] for n in input_names)
    graph = tfmc.from_torch(module, args, input_names=input_names, output_names=["y"],
                            opset_version=opset)
    path = util.verify(graph, str(tmp_path))
    text = open(path).read()
    for n in input_names:
        assert f'tfm.name = "{n}"' in text
    assert 'tfm.name = "y"' in text
    out = tfmc.compile(path).run({n: a.numpy() for n, a in zip(input_names, args)})["y"]
    expected = module(*args).detach().numpy()  # grad mode: no fused fast path
    util.assert_close(out, expected, RTOL, ATOL, what=f"{name} (opset {opset})")


def test_attention_chain_stays_recognizable(tmp_path):
    """MultiheadAttention's export becomes the primitive chain a graph pass
    can fuse: Q·Kᵀ with a transposed K, a scaling, softmax, ·V; every op is
    located at its ONNX node and shape arithmetic is folded away."""
    module = SelfAttention().eval()
    graph = tfmc.from_torch(module, (INPUTS["x"], INPUTS["padding"]),
                            input_names=["x", "padding"], opset_version=14)
    text = graph.to_mlir()
    ops = re.findall(r"= (tfm\.\w+)", text)
    assert {"tfm.matmul", "tfm.softmax", "tfm.transpose", "tfm.div"} <= set(ops)
    assert ops.count("tfm.softmax") == 1
    located = [line for line in text.splitlines() if "= tfm." in line
               and "tfm.weight" not in line and "tfm.constant" not in line]
    assert all(re.search(r'loc\("/attn/[^"]+"\)$', line) for line in located), located
    assert 'loc("/attn/Softmax")' in text


def test_dynamic_axes_need_input_shapes(tmp_path):
    module = torch.nn.TransformerEncoderLayer(E, H, FF, 0.0, batch_first=True).eval()
    model = tfmc.export_onnx(module, (INPUTS["x"],), input_names=["src"],
                             dynamic_axes={"src": {0: "batch", 1: "seq"}})
    with pytest.raises(tfmc.UnsupportedError,
                       match=r"input 'src' has a dynamic dimension 0 \('batch'\).*"
                             r"--input-shape src="):
        tfmc.import_onnx(model)
    graph = tfmc.import_onnx(model, input_shapes={"src": (1, 3, E)})
    x = INPUTS["x"][:1, :3]
    out = tfmc.compile(util.verify(graph, str(tmp_path))).run(src=x.numpy())["output"]
    util.assert_close(out, module(x).detach().numpy(), RTOL, ATOL)


def test_export_without_constant_folding(tmp_path):
    """A sequence-first layer exported without constant folding: the
    transposed weights the export computes become weights, not literals."""
    module = torch.nn.TransformerEncoderLayer(E, H, FF, 0.0).eval()
    x = INPUTS["x"].transpose(0, 1).contiguous()
    graph = tfmc.from_torch(module, (x,), input_names=["x"], output_names=["y"],
                            do_constant_folding=False)
    literals = [line for line in graph.to_mlir().splitlines() if "tfm.constant" in line]
    assert all(len(line) < 200 for line in literals), literals
    assert len(graph.weights) >= 6
    out = tfmc.compile(util.verify(graph, str(tmp_path))).run(x=x.numpy())["y"]
    util.assert_close(out, module(x).detach().numpy(), RTOL, ATOL)
