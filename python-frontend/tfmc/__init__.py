"""tfmc's Python frontend: build Transformer models in Python, import ONNX
and PyTorch models, compile them with tfmc and run them on numpy arrays.

Models are written as textual `tfm` MLIR plus a `.safetensors` weights file,
which `tfmc-compile` turns into a standalone executable.
"""
from . import nn, safetensors
from .compiler import CompiledModel, compile, find_tool, verify
from .dtypes import BFloat16Array
from .errors import TfmcError, UnsupportedError
from .ir import Graph, TensorType, Value
from .nn.module import trace
from .onnx_import import import_onnx
from .torch_import import export_onnx, from_torch

__all__ = ["BFloat16Array", "CompiledModel", "Graph", "TensorType", "TfmcError",
           "UnsupportedError", "Value", "compile", "export_onnx", "find_tool",
           "from_torch", "import_onnx", "nn", "safetensors", "trace", "verify"]
