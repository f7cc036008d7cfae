"""Build Transformer models in Python, in PyTorch's spirit:

    from tfmc import nn
    model = nn.EncoderLayer(d_model=64, nhead=4, dim_feedforward=128)
    model.init_weights(seed=0)            # or model.load_state_dict(torch_sd)
    graph = tfmc.trace(model, {"x": ((2, 16, 64), "f32")})
    graph.save("out/encoder")             # out/encoder.mlir + .safetensors
"""
from .layers import (ACTIVATIONS, Decoder, DecoderLayer, DecoderOnlyModel,
                     Embedding, Encoder, EncoderDecoderModel, EncoderLayer,
                     EncoderOnlyModel, FeedForward, Generator, LayerNorm, Linear,
                     MultiHeadAttention, PositionalEncoding, RMSNorm, Transformer,
                     activation, merge_masks)
from .module import Module, ModuleList, Parameter, trace

__all__ = ["ACTIVATIONS", "Decoder", "DecoderLayer", "DecoderOnlyModel", "Embedding",
           "Encoder", "EncoderDecoderModel", "EncoderLayer", "EncoderOnlyModel",
           "FeedForward", "Generator", "LayerNorm", "Linear", "Module", "ModuleList",
           "MultiHeadAttention", "Parameter", "PositionalEncoding", "RMSNorm",
           "Transformer", "activation", "merge_masks", "trace"]
