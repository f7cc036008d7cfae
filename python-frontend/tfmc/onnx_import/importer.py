"""ONNX model -> tfm Graph.

Every ONNX tensor is either a `Const` (an initializer, a Constant, or
computed at import time from constants and static shapes) or a run-time
`Value` of the Graph. A node whose inputs are all constants is evaluated
with numpy (`NumpyOps`); otherwise its handler emits tfm ops, located at the
node's name. Shapes are static: graph inputs take theirs from the model or
from `input_shapes`, and an op that would need a shape computed from
run-time data is refused with an error naming the node.

onnx itself is imported where it is used, so that the rest of tfmc works
without it.
"""
import os

import numpy as np

from ..dtypes import BFloat16Array, to_bfloat16
from ..errors import TfmcError, UnsupportedError
from ..ir import MAX_CONSTANT_ELEMENTS, Graph, Value
from .dtypes import (ONNX_TYPE_NAMES, ONNX_TYPES, dtype_name, is_runtime_type,
                     numpy_dtype)
from .numpy_ops import NumpyOps

# Default-domain opsets whose op definitions the handlers implement.
MIN_OPSET, MAX_OPSET = 7, 17

NUMPY_OPS = NumpyOps()


class Const:
    """A tensor known at import time. `weight_name` is the initializer it
    is (kept through Identity), `source` the ONNX name it was computed as;
    `parameter` says it is model data (a float initializer, or computed from
    one, as a transposed weight in an export without constant folding)."""

    def __init__(self, array, dtype=None, weight_name=None, source=None,
                 parameter=False):
        self.array = np.asarray(array)
        self.dtype = dtype or dtype_name(self.array.dtype)
        self.weight_name = weight_name
        self.source = source
        self.parameter = (parameter and self.dtype in ("f32", "f16", "bf16", "f64")
                          and self.array.size > 1)
        self._values = {}

    @property
    def shape(self):
        return self.array.shape

    def as_value(self, graph):
        """The tensor in `graph`: a tfm.weight for parameters and for
        literals too large for tfm.constant, else a tfm.constant (small
        constants, such as masks and scales, stay visible to graph passes)."""
        if id(graph) in self._values:
            return self._values[id(graph)]
        if not is_runtime_type(self.dtype):
            raise UnsupportedError(
                f"tensor '{self.source or self.weight_name}' of element type "
                f"{self.dtype} would be needed at run time, where tfm supports "
                f"f32, f16, bf16, bool, int32 and int64")
        data = self.array
        if self.dtype == "bf16":
            data = BFloat16Array.from_float32(self.array)
        if self.parameter or self.array.size > MAX_CONSTANT_ELEMENTS:
            value = graph.weight(self.weight_name or self.source, data)
        else:
            value = graph.constant(data if self.dtype == "bf16" else self.array)
        self._values[id(graph)] = value
        return value


def shape_of(x):
    return tuple(x.shape)


def dtype_of(x):
    return x.dtype if isinstance(x, (Const, Value)) else dtype_name(np.asarray(x).dtype)


def is_const(x):
    return isinstance(x, Const)


_REQUIRED = object()


class NodeContext:
    """What an op handler sees of its node: inputs, attributes, opset, the
    ops to compute with, and errors that name the node."""

    def __init__(self, importer, node, inputs):
        self.importer = importer
        self.node = node
        self.inputs = inputs
        self.opset = importer.opset
        self.graph = importer.graph
        self._attrs = {a.name: a for a in node.attribute}

    @property
    def where(self):
        name = (f"'{self.node.name}'" if self.node.name
                else f"producing '{self.node.output[0]}'")
        return f"{self.node.op_type} node {name} (opset {self.opset})"

    def fail(self, message):
        raise UnsupportedError(message)

    def x(self, i):
        """Input `i`, which must be present."""
        if i >= len(self.inputs) or self.inputs[i] is None:
            self.fail(f"input {i} is missing")
        return self.inputs[i]

    def opt(self, i):
        """Input `i`, or None when it is absent."""
        return self.inputs[i] if i < len(self.inputs) else None

    def const(self, i, what):
        """The value of input `i` as a numpy array; it must be known at
        import time."""
        x = self.x(i)
        if not is_const(x):
            sources = ", ".join(f"'{n}'" for n in self.importer.inputs_feeding(
                self.node.input[i]))
            self.fail(f"{what} (input {i}, '{self.node.input[i]}') must be known at "
                      f"import time, but it is computed from the run-time data of "
                      f"input {sources} (tfmc compiles static shapes; give that "
                      f"input's value with input_values= or --input-value)")
        return x.array

    def attr(self, name, default=_REQUIRED):
        """Attribute `name` as a Python value (lists for repeated ones)."""
        from onnx import helper
        if name not in self._attrs:
            if default is _REQUIRED:
                self.fail(f"required attribute '{name}' is missing")
            return default
        a = self._attrs[name]
        if a.ref_attr_name:
            self.fail(f"attribute '{name}' refers to a function attribute")
        value = helper.get_attribute_value(a)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        return value

    def ops(self, *values):
        """NumpyOps when every given value is known (a Const, or an array a
        handler computed with NumpyOps) and numpy can hold it, else the
        Graph."""
        def known(v):
            return (is_const(v) and v.dtype != "bf16") or isinstance(v, np.ndarray)
        if all(known(v) for v in values if v is not None):
            return NUMPY_OPS
        return self.graph

    def check_attributes(self, known):
        for name in self._attrs:
            if name not in known:
                self.fail(f"attribute '{name}' is not supported")

    def requested(self, i):
        """Whether the node's output `i` exists and is used."""
        return i < len(self.node.output) and self.node.output[i] in self.importer.used


class Importer:
    def __init__(self, model, input_shapes=None, input_values=None, graph=None,
                 prefix=""):
        self.model = model
        self.input_shapes = dict(input_shapes or {})
        self.input_values = dict(input_values or {})
        self.graph = graph if graph is not None else Graph()
        self.prefix = prefix
        self.env = {}
        self.opset = self._default_opset()
        if self.opset < MIN_OPSET:
            self._upgrade()

    def _default_opset(self):
        versions = {o.domain: o.version for o in self.model.opset_import}
        opset = versions.get("", versions.get("ai.onnx"))
        if opset is None:
            raise UnsupportedError("the model imports no opset of the default ONNX "
                                   "domain")
        if opset > MAX_OPSET:
            raise UnsupportedError(f"the model uses ONNX opset {opset}; tfmc imports "
                                   f"opsets up to {MAX_OPSET}")
        return opset

    def _upgrade(self):
        """Older opsets go through onnx's version converter, which rewrites
        the ops whose definitions changed since."""
        from onnx import version_converter
        try:
            self.model = version_converter.convert_version(self.model, MIN_OPSET)
        except Exception as e:  # the converter raises RuntimeError and others
            raise UnsupportedError(
                f"the model uses ONNX opset {self.opset}; tfmc imports opsets "
                f"{MIN_OPSET} to {MAX_OPSET}, and onnx's version converter could "
                f"not convert it: {e}") from None
        self.opset = MIN_OPSET

    # --- Inputs and constants ----------------------------------------------------

    def constant(self, proto, parameter=False):
        """A TensorProto (initializer, attribute) as a Const."""
        from onnx import numpy_helper
        dtype = ONNX_TYPES.get(proto.data_type)
        if dtype is None:
            raise UnsupportedError(f"tensor '{proto.name}' has element type "
                                   f"{ONNX_TYPE_NAMES.get(proto.data_type, proto.data_type)}, "
                                   f"which tfmc does not support")
        array = numpy_helper.to_array(proto)
        return Const(array.astype(numpy_dtype(dtype)), dtype,
                     source=self.prefix + proto.name, parameter=parameter)

    def _input(self, info):
        name = info.name
        if not info.type.HasField("tensor_type"):
            raise UnsupportedError(f"input '{name}' is not a tensor")
        t = info.type.tensor_type
        dtype = ONNX_TYPES.get(t.elem_type)
        if name in self.input_values:
            array = self.input_values.pop(name)
            if dtype == "bf16":
                array = to_bfloat16(array).to_float32()
            elif dtype is not None:    # the model's element type, not the array's
                array = np.asarray(array).astype(numpy_dtype(dtype))
            declared = [d.dim_value if d.HasField("dim_value") else None
                        for d in t.shape.dim] if t.HasField("shape") else None
            if declared is not None and (
                    len(declared) != array.ndim
                    or any(d not in (None, s) for d, s in zip(declared, array.shape))):
                raise TfmcError(f"input '{name}': the given value has shape "
                                f"{list(array.shape)}, the model declares "
                                f"{[d if d is not None else '?' for d in declared]}")
            return Const(array, dtype, source=self.prefix + name)
        if dtype is None or not is_runtime_type(dtype):
            raise UnsupportedError(
                f"input '{name}' has element type "
                f"{ONNX_TYPE_NAMES.get(t.elem_type, t.elem_type)}; tfm model inputs "
                f"are float, float16, bfloat16, bool, int32 or int64")
        given = self.input_shapes.pop(name, None)
        dims = list(t.shape.dim) if t.HasField("shape") else None
        if given is not None:
            given = tuple(int(d) for d in given)
            if dims is not None:
                if len(dims) != len(given):
                    raise TfmcError(f"input '{name}': the given shape {list(given)} has "
                                    f"rank {len(given)}, the model's has rank {len(dims)}")
                for i, (d, g) in enumerate(zip(dims, given)):
                    if d.HasField("dim_value") and d.dim_value != g:
                        raise TfmcError(f"input '{name}': the given size {g} of "
                                        f"dimension {i} contradicts the model's "
                                        f"{d.dim_value}")
            shape = given
        else:
            if dims is None:
                raise UnsupportedError(
                    f"input '{name}' has no shape in the model; give it with "
                    f"input_shapes={{'{name}': (...)}} (CLI: --input-shape {name}=...)")
            shape = []
            for i, d in enumerate(dims):
                if not d.HasField("dim_value") or d.dim_value < 0:
                    symbol = f" ('{d.dim_param}')" if d.dim_param else ""
                    raise UnsupportedError(
                        f"input '{name}' has a dynamic dimension {i}{symbol}; tfmc "
                        f"compiles static shapes: give the input's shape with "
                        f"input_shapes={{'{name}': (...)}} (CLI: --input-shape "
                        f"{name}=d0,d1,...)")
                shape.append(d.dim_value)
        return self.graph.input(self.prefix + name, shape, dtype)

    # --- The graph ---------------------------------------------------------------

    def _upstream(self, names):
        """The tensors `names` are computed from, themselves included."""
        found, stack = set(), list(names)
        while stack:
            name = stack.pop()
            if name in found or not name:
                continue
            found.add(name)
            if name in self.producer:
                stack.extend(self.producer[name].input)
        return found

    def inputs_feeding(self, name):
        """The run-time graph inputs that tensor `name` is computed from."""
        return sorted(n for n in self._upstream([name])
                      if n not in self.producer and isinstance(self.env.get(n), Value))

    def run(self):
        from .ops import HANDLERS
        g = self.model.graph
        if self.model.functions:
            names = ", ".join(f.name for f in self.model.functions)
            raise UnsupportedError(f"the model defines local functions ({names}), "
                                   f"which tfmc does not import")
        self.producer = {out: node for node in g.node for out in node.output}
        # Nodes no graph output depends on are skipped (an op tfmc does not
        # support there does not matter).
        self.used = self._upstream(o.name for o in g.output)
        declared = {v.name: v for v in list(g.value_info) + list(g.output)}
        initializers = {init.name for init in g.initializer}
        for init in g.initializer:
            const = self.constant(init, parameter=True)
            const.weight_name = self.prefix + init.name
            self.env[init.name] = const
        inputs = [i.name for i in g.input if i.name not in initializers]
        for name in list(self.input_shapes) + list(self.input_values):
            if name not in inputs:
                raise TfmcError(f"'{name}' is not an input of the model (its inputs "
                                f"are: {', '.join(inputs)})")
        for info in g.input:
            if info.name not in initializers:   # old exports list them as inputs too
                self.env[info.name] = self._input(info)
        if g.sparse_initializer:
            raise UnsupportedError("the model has sparse initializers")

        for node in g.node:
            if not any(out in self.used for out in node.output):
                continue
            self._convert(node, HANDLERS, declared)

        for out in g.output:
            if out.name not in self.env:
                raise TfmcError(f"graph output '{out.name}' is never computed")
            if any(out.name == i.name for i in g.input):
                raise UnsupportedError(f"graph output '{out.name}' is also a graph "
                                       f"input; tfm model inputs and outputs need "
                                       f"distinct names")
            try:
                self.graph.output(self.prefix + out.name, self.env[out.name])
            except TfmcError as e:
                raise type(e)(f"graph output '{out.name}': {e}") from None
        return self.graph

    def _convert(self, node, handlers, declared):
        if node.domain not in ("", "ai.onnx"):
            raise UnsupportedError(f"{node.op_type} node '{node.name}': operators of "
                                   f"domain '{node.domain}' are not supported")
        inputs = []
        for name in node.input:
            if not name:
                inputs.append(None)
            elif name in self.env:
                inputs.append(self.env[name])
            else:
                raise TfmcError(f"{node.op_type} node '{node.name}' reads '{name}', "
                                f"which no earlier node or input defines")
        ctx = NodeContext(self, node, inputs)
        handler = handlers.get(node.op_type)
        try:
            if handler is None:
                ctx.fail("tfmc does not support this op")
            ctx.check_attributes(handler.attributes)
            with self.graph.location(self.prefix + (node.name or node.output[0])):
                results = handler(ctx)
        except TfmcError as e:
            raise type(e)(f"{ctx.where}: {e}") from None
        except (ValueError, IndexError, ArithmeticError) as e:
            # numpy refusing to evaluate a constant (bad shapes, ...)
            raise TfmcError(f"{ctx.where}: cannot evaluate: {e}") from None
        from_parameters = any(is_const(x) and x.parameter for x in inputs)
        for i, name in enumerate(node.output):
            if not name:
                continue
            if i >= len(results) or results[i] is None:
                if name in self.used:
                    raise UnsupportedError(f"{ctx.where}: output {i} ('{name}') is "
                                           f"not supported")
                continue
            result = results[i]
            if not isinstance(result, (Const, Value)):
                result = Const(result, parameter=from_parameters)
            if isinstance(result, Const) and result.source is None:
                result.source = self.prefix + name
            self._check_declared(ctx, name, result, declared.get(name))
            self.env[name] = result

    def _check_declared(self, ctx, name, result, info):
        """A result must agree with the type the model declares for it
        (where it declares a static one): a disagreement is an importer bug
        or an invalid model, never something to compile."""
        if info is None or not info.type.HasField("tensor_type"):
            return
        t = info.type.tensor_type
        declared_type = ONNX_TYPES.get(t.elem_type)
        if t.elem_type and declared_type != dtype_of(result):
            raise TfmcError(f"{ctx.where}: output '{name}' has element type "
                            f"{dtype_of(result)}, but the model declares "
                            f"{ONNX_TYPE_NAMES.get(t.elem_type)}")
        if not t.HasField("shape"):
            return
        dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
        shape = shape_of(result)
        if len(dims) != len(shape) or any(d is not None and d != s
                                          for d, s in zip(dims, shape)):
            raise TfmcError(f"{ctx.where}: output '{name}' has shape {list(shape)}, "
                            f"but the model declares "
                            f"{[d if d is not None else '?' for d in dims]}")


def load_model(model):
    """A ModelProto from a path, bytes or a ModelProto."""
    import onnx
    if isinstance(model, onnx.ModelProto):
        return model
    if isinstance(model, (bytes, bytearray)):
        return onnx.load_from_string(bytes(model))
    path = os.fspath(model)
    if not os.path.isfile(path):
        raise TfmcError(f"no ONNX model at '{path}'")
    try:
        return onnx.load(path)
    except Exception as e:  # protobuf's DecodeError and friends
        raise TfmcError(f"cannot read ONNX model '{path}': {e}") from None


def import_onnx(model, input_shapes=None, input_values=None, *, into=None,
                name_prefix=""):
    """Imports an ONNX model (a path, bytes or onnx.ModelProto) as a Graph.

    `input_shapes` (name -> shape) fixes the inputs' dynamic dimensions;
    `input_values` (name -> array) turns inputs into constants, folded into
    the model (e.g. a shape tensor given as an input). Graph input and output
    names become the model's names; each op is located at its ONNX node.
    Raises UnsupportedError for what tfmc cannot compile (naming the op, the
    node and the opset) and TfmcError for invalid models.

    `into` imports into an existing Graph (several models in one executable;
    after an error it holds part of the model); `name_prefix` is prepended to
    every input, output, weight and location.
    """
    return Importer(load_model(model), input_shapes, input_values, into,
                    name_prefix).run()
