"""Every PyTorch attention module and Transformer, exported to ONNX and
imported, shows one tfm.attention per attention and no softmax left in the
compiler's graph phase (tfm-fuse-attention recovered every chain)."""
import subprocess

import pytest
import torch
from torch import nn

import tfmc
from tfmc.compiler import find_tool

E, H = 16, 4


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(E, H, batch_first=True)

    def forward(self, x):
        return self.attn(x, x, x, need_weights=False)[0]


def models():
    torch.manual_seed(0)
    x, mem = torch.randn(2, 5, E), torch.randn(2, 6, E)
    layer = lambda: nn.TransformerEncoderLayer(E, H, 32, batch_first=True)
    return {
        "MultiheadAttention": (SelfAttention(), (x,), 1),
        "TransformerEncoderLayer": (layer(), (x,), 1),
        "TransformerEncoder": (nn.TransformerEncoder(layer(), 2), (x,), 2),
        "TransformerDecoderLayer": (
            nn.TransformerDecoderLayer(E, H, 32, batch_first=True), (x, mem), 2),
        "Transformer": (nn.Transformer(E, H, 1, 1, 32, batch_first=True), (x, mem), 3),
    }


@pytest.mark.parametrize("name", list(models()))
def test_graph_phase_has_one_attention_per_attention(name, tmp_path):
    module, inputs, attentions = models()[name]
    module.eval()
    path = tfmc.from_torch(module, inputs).save(str(tmp_path / "model.mlir"))
    graph = subprocess.run([find_tool("tfmc-compile"), path, "--compile-to=graph"],
                           capture_output=True, text=True, check=True).stdout
    assert graph.count("tfm.attention ") == attentions, graph
    assert "tfm.softmax" not in graph, graph
