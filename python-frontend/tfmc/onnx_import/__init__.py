"""Imports ONNX models (as torch.onnx.export writes them) into tfm Graphs."""
from .importer import MAX_OPSET, MIN_OPSET, import_onnx

__all__ = ["MAX_OPSET", "MIN_OPSET", "import_onnx"]
