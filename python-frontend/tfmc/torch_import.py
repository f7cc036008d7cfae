"""PyTorch modules -> tfm Graphs, through ONNX export.

torch.fx cannot trace PyTorch 1.13's Transformer modules (data-dependent
control flow), so a module is exported with torch.onnx.export on example
inputs and the ONNX model imported. The export runs in grad mode: under
no_grad, nn.TransformerEncoderLayer & co. take a fused fast path that ONNX
cannot express.
"""
import inspect
import io

from .errors import TfmcError
from .onnx_import import import_onnx

DEFAULT_OPSET = 14


def export_onnx(module, example_inputs, input_names=None, output_names=None,
                opset_version=DEFAULT_OPSET, **export_args):
    """The ONNX model (bytes) of `module` on `example_inputs` (a tensor or a
    tuple of tensors, passed positionally). Input names default to the
    parameter names of `module.forward`, output names to "output" (or
    "output0", "output1", ...). Extra arguments go to torch.onnx.export."""
    import torch
    if not isinstance(example_inputs, tuple):
        example_inputs = (example_inputs,)
    if input_names is None:
        input_names = _parameter_names(module, len(example_inputs))
    if output_names is None:
        with torch.no_grad():
            result = module(*example_inputs)
        count = len(result) if isinstance(result, (tuple, list)) else 1
        output_names = ["output"] if count == 1 else [f"output{i}" for i in range(count)]
    buffer = io.BytesIO()
    with torch.enable_grad():
        torch.onnx.export(module, example_inputs, buffer, opset_version=opset_version,
                          input_names=list(input_names), output_names=list(output_names),
                          **export_args)
    return buffer.getvalue()


def _parameter_names(module, count):
    try:
        params = [p for p in inspect.signature(module.forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    if len(params) >= count:
        return [p.name for p in params[:count]]
    return [f"input{i}" for i in range(count)]


def from_torch(module, example_inputs, input_names=None, output_names=None,
               opset_version=DEFAULT_OPSET, input_shapes=None, **export_args):
    """Imports a torch.nn.Module as a Graph (see export_onnx for the
    arguments; `input_shapes` fixes dimensions exported as dynamic). The
    graph's shapes are those of `example_inputs`."""
    try:
        model = export_onnx(module, example_inputs, input_names, output_names,
                            opset_version, **export_args)
    except Exception as e:  # torch.onnx's errors have no common base class
        raise TfmcError(f"torch.onnx.export of {type(module).__name__} failed: {e}") from e
    return import_onnx(model, input_shapes=input_shapes)
