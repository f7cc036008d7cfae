"""A small builder for tfm models, written out as textual MLIR.

Debian ships no MLIR Python bindings, so a model is built here as a list of
op lines with their types computed in Python (the same shape rules the tfm
dialect's verifiers apply, so mistakes surface as Python errors naming the
op), and printed as the `func.func @main` that tfmc-compile reads.

    g = Graph()
    x = g.input("x", (2, 16, 64))
    w = g.weight("proj.weight", np.zeros((32, 64), np.float32))
    g.output("y", g.relu(g.linear(x, w)))
    g.save("out/model")          # out/model.mlir + out/model.safetensors
"""
import contextlib
import math
import os
import re

import numpy as np

from . import safetensors
from .dtypes import (FLOAT_TYPES, INTEGER_TYPES, NUMPY_DTYPES, BFloat16Array,
                     dtype_of, tfm_dtype)
from .errors import TfmcError

# Non-splat tfm.constant ops hold at most this many elements (the dialect's
# limit); larger literals belong in weights.
MAX_CONSTANT_ELEMENTS = 65536

NUMERIC_TYPES = FLOAT_TYPES + INTEGER_TYPES
ALL_TYPES = NUMERIC_TYPES + ("i1",)


# --- Text of MLIR literals ------------------------------------------------------

def string_literal(text):
    """`text` as an MLIR string literal: printable ASCII as is, `"` and `\\`
    escaped, every other byte of its UTF-8 encoding as `\\XX`."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in '"\\' or not 0x20 <= byte < 0x7F:
            out.append(f"\\{byte:02X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


_FLOAT_BITS = {"f32": (np.float32, np.uint32, 8), "f16": (np.float16, np.uint16, 4),
               "f64": (np.float64, np.uint64, 16)}


def float_literal(value, dtype="f64"):
    """A float literal that MLIR parses back to exactly `value` in `dtype`
    ('f32', 'f16', 'bf16' or 'f64'); NaN and infinities as bit patterns."""
    if dtype == "bf16":
        bits = BFloat16Array.from_float32(np.float32(value)).bits
        if not np.isfinite(np.float32(value)):
            return f"0x{int(bits):04X}"
        # A bf16 value is an f32 value: its shortest f32 spelling parses back.
        dtype = "f32"
        value = BFloat16Array(bits).to_float32()
    ftype, itype, digits = _FLOAT_BITS[dtype]
    x = ftype(value)
    if not np.isfinite(x):
        return f"0x{int(np.array(x).view(itype)):0{digits}X}"
    if x == 0 or 1e-4 <= abs(x) < 1e7:
        text = np.format_float_positional(x, unique=True, trim="0")
    else:
        text = np.format_float_scientific(x, unique=True, trim="0")
    if ftype(float(text)) != x:  # a decimal that double rounding would move
        text = repr(float(x))
    return text


def _dtype_literal(x, dtype):
    if dtype in FLOAT_TYPES:
        return float_literal(x, dtype)
    if dtype == "i1":
        return "true" if x else "false"
    return str(int(x))


def dense_literal(array, dtype):
    """`dense<...>` for a numpy array (bf16: float values), splat when all
    elements are equal."""
    array = np.asarray(array)
    if array.size == 0:
        return "dense<>"  # nested empty lists would lose the trailing sizes
    flat = array.reshape(-1)
    # Equal bytes, not equal values: -0.0 and NaN payloads stay what they are.
    if flat.size and (flat.view(np.uint8).reshape(flat.size, -1)
                      == flat[:1].view(np.uint8)).all():
        return f"dense<{_dtype_literal(flat[0], dtype)}>"

    def nest(a):
        if a.ndim == 1:
            return "[" + ", ".join(_dtype_literal(v, dtype) for v in a) + "]"
        return "[" + ", ".join(nest(sub) for sub in a) + "]"
    return f"dense<{nest(array)}>"


def i64_array(values):
    return "array<i64" + "".join(
        (": " if i == 0 else ", ") + str(int(v)) for i, v in enumerate(values)) + ">"


# --- Types and values ----------------------------------------------------------

class TensorType:
    """A static-shape ranked tensor type: `shape` (tuple of sizes) and `dtype`
    (a tfm element type name)."""
    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        shape = tuple(int(d) for d in shape)
        if any(d < 0 for d in shape):
            raise TfmcError(f"shape {list(shape)} has a negative size")
        self.shape = shape
        self.dtype = tfm_dtype(dtype)

    @property
    def rank(self):
        return len(self.shape)

    @property
    def size(self):
        return math.prod(self.shape)

    def __eq__(self, other):
        return (isinstance(other, TensorType) and self.shape == other.shape
                and self.dtype == other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __str__(self):
        return "tensor<" + "".join(f"{d}x" for d in self.shape) + self.dtype + ">"

    __repr__ = __str__


class Value:
    """An SSA value of a Graph. Arithmetic operators build ops on its graph;
    Python numbers in them become constants of the value's element type."""
    __slots__ = ("graph", "ssa", "type")
    # numpy arrays on the left of an operator defer to Value's reflected ops.
    __array_ufunc__ = None

    def __init__(self, graph, ssa, type_):
        self.graph, self.ssa, self.type = graph, ssa, type_

    shape = property(lambda self: self.type.shape)
    dtype = property(lambda self: self.type.dtype)
    rank = property(lambda self: self.type.rank)

    def __repr__(self):
        return f"Value({self.ssa}: {self.type})"

    def __add__(self, other): return self.graph.add(self, other)
    def __radd__(self, other): return self.graph.add(other, self)
    def __sub__(self, other): return self.graph.sub(self, other)
    def __rsub__(self, other): return self.graph.sub(other, self)
    def __mul__(self, other): return self.graph.mul(self, other)
    def __rmul__(self, other): return self.graph.mul(other, self)
    def __truediv__(self, other): return self.graph.div(self, other)
    def __rtruediv__(self, other): return self.graph.div(other, self)
    def __pow__(self, other): return self.graph.pow(self, other)
    def __neg__(self): return self.graph.neg(self)
    def __matmul__(self, other): return self.graph.matmul(self, other)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return self.graph.reshape(self, shape)

    def transpose(self, *perm):
        if len(perm) == 1 and isinstance(perm[0], (tuple, list)):
            perm = perm[0]
        return self.graph.transpose(self, perm)

    def cast(self, dtype):
        return self.graph.cast(self, dtype)


def broadcast_shapes(*shapes, what="operands"):
    """numpy's broadcasting of `shapes`, or TfmcError naming them."""
    rank = max((len(s) for s in shapes), default=0)
    result = []
    for i in range(rank):
        sizes = {s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0}
        sizes.discard(1)
        if len(sizes) > 1:
            raise TfmcError(f"{what} shapes {' and '.join(str(list(s)) for s in shapes)} "
                            f"are not broadcast-compatible")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def normalize_axis(axis, rank, what="axis"):
    if not -rank <= axis < rank:
        raise TfmcError(f"{what} {axis} is out of range for rank {rank}")
    return axis % rank


_SSA_CHARS = re.compile(r"[^A-Za-z0-9_$.-]")


class Graph:
    """A model under construction: the inputs, ops and outputs of `@main`,
    and the weights its `tfm.weight` ops name.

    Ops get the location set by `location()` (an ONNX node's name, a module's
    path), so the compiler's messages point back at the source model.
    """

    def __init__(self):
        self._lines = []
        self._inputs = []          # (Value, name)
        self._outputs = []         # (Value, name)
        self.weights = {}          # name -> numpy array or BFloat16Array
        self._weight_values = {}   # name -> Value
        self._shared_constants = {}  # (literal, type) -> Value of a splat or scalar
        self._ssa_names = set()
        self._location = None

    # --- Structure -------------------------------------------------------------

    def input(self, name, shape, dtype="f32"):
        """Declares the model input `name` (its user-visible name)."""
        if any(name == n for _, n in self._inputs):
            raise TfmcError(f"duplicate input name '{name}'")
        value = Value(self, self._fresh(name or "arg"), TensorType(shape, dtype))
        self._inputs.append((value, name))
        return value

    def output(self, name, value):
        """Makes `value` the model output `name`."""
        if any(name == n for _, n in self._outputs + self._inputs):
            raise TfmcError(f"output name '{name}' is already used by an "
                            f"{'output' if name in dict(self.outputs) else 'input'}")
        self._outputs.append((self._value(value), name))

    @property
    def inputs(self):
        return [(name, v.type) for v, name in self._inputs]

    @property
    def outputs(self):
        return [(name, v.type) for v, name in self._outputs]

    @contextlib.contextmanager
    def location(self, name):
        """Ops built inside the block get `loc("name")`."""
        saved, self._location = self._location, name
        try:
            yield
        finally:
            self._location = saved

    def weight(self, name, data):
        """A `tfm.weight` holding `data` (numpy array or BFloat16Array). Using
        one name twice gives the same value; its data must be the same."""
        if not isinstance(name, str) or not name:
            raise TfmcError(f"weight name must be a non-empty string, got {name!r}")
        if not isinstance(data, BFloat16Array):
            data = np.asarray(data)
        type_ = TensorType(data.shape, dtype_of(data))
        if name in self._weight_values:
            if data is not self.weights[name]:
                raise TfmcError(f"two different tensors are both named '{name}' "
                                f"(weights need unique names)")
            return self._weight_values[name]
        self.weights[name] = data
        value = self._emit("w_" + name, f"tfm.weight {string_literal(name)}",
                           str(type_), type_, location=False)
        self._weight_values[name] = value
        return value

    def constant(self, value, dtype=None):
        """A `tfm.constant` holding `value` (a number or array), converted to
        `dtype` (default: the array's own)."""
        if isinstance(value, BFloat16Array):
            dtype, array = "bf16", value.to_float32()
        else:
            array = np.asarray(value)
            dtype = tfm_dtype(dtype if dtype is not None else array.dtype)
            array = array.astype(np.float32 if dtype == "bf16" else NUMPY_DTYPES[dtype])
        type_ = TensorType(array.shape, dtype)
        literal = dense_literal(array, dtype)
        if not literal.startswith("dense<[") or array.size <= 1:
            # Splats and scalars are shared: the same text is the same value.
            key = (literal, type_)
            if key not in self._shared_constants:
                self._shared_constants[key] = self._emit(
                    "cst", f"tfm.constant {literal}", str(type_), type_,
                    location=False)
            return self._shared_constants[key]
        if array.size > MAX_CONSTANT_ELEMENTS:
            raise TfmcError(f"constant of shape {list(array.shape)} has more than "
                            f"{MAX_CONSTANT_ELEMENTS} elements: make it a weight")
        return self._emit("cst", f"tfm.constant {literal}", str(type_), type_)

    # --- Text ---------------------------------------------------------------------

    def _fresh(self, hint):
        base = _SSA_CHARS.sub("_", hint) or "v"
        if not re.match(r"[A-Za-z_]", base):
            base = "v" + base
        name, n = base, 0
        while name in self._ssa_names:
            n += 1
            name = f"{base}_{n}"
        self._ssa_names.add(name)
        return "%" + name

    def _loc_suffix(self):
        return f" loc({string_literal(self._location)})" if self._location else ""

    def _emit(self, hint, body, signature, result_types, location=True):
        """Appends `%r = body : signature loc(..)`; returns the result Value
        (or list of Values when `result_types` is a list)."""
        ssa = self._fresh(hint)
        multi = isinstance(result_types, list)
        lhs = f"{ssa}:{len(result_types)}" if multi and len(result_types) > 1 else ssa
        loc = self._loc_suffix() if location else ""
        self._lines.append(f"  {lhs} = {body} : {signature}{loc}")
        if not multi:
            return Value(self, ssa, result_types)
        if len(result_types) == 1:
            return [Value(self, ssa, result_types[0])]
        return [Value(self, f"{ssa}#{i}", t) for i, t in enumerate(result_types)]

    def to_mlir(self, header=None):
        """The model as MLIR text (`header` lines become `//` comments)."""
        if not self._outputs:
            raise TfmcError("the model has no outputs")
        args = ",\n    ".join(f"{v.ssa}: {v.type} {{tfm.name = {string_literal(n)}}}"
                              for v, n in self._inputs)
        results = ",\n        ".join(f"{v.type} {{tfm.name = {string_literal(n)}}}"
                                     for v, n in self._outputs)
        ret = ", ".join(v.ssa for v, _ in self._outputs)
        ret_types = ", ".join(str(v.type) for v, _ in self._outputs)
        text = ""
        if header:
            text += "".join(f"// {line}".rstrip() + "\n" for line in header.splitlines())
        text += (f"func.func @main({args})\n    -> ({results}) {{\n"
                 + "\n".join(self._lines) + ("\n" if self._lines else "")
                 + f"  return {ret} : {ret_types}\n}}\n")
        return text

    def save(self, path, header=None):
        """Writes PATH.mlir and PATH.safetensors (PATH may end in .mlir);
        returns the .mlir path."""
        stem = path[:-5] if path.endswith(".mlir") else path
        directory = os.path.dirname(stem)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(stem + ".mlir", "w", encoding="utf-8", newline="\n") as f:
            f.write(self.to_mlir(header))
        safetensors.save(stem + ".safetensors", self.weights)
        return stem + ".mlir"

    # --- Operands ---------------------------------------------------------------

    def _value(self, x, like=None):
        """A Value for `x`: Values pass through; numbers and arrays become
        constants (numbers take the element type of `like`)."""
        if isinstance(x, Value):
            if x.graph is not self:
                raise TfmcError(f"{x} belongs to another graph")
            return x
        if hasattr(x, "as_value"):           # an nn Parameter
            return x.as_value(self)
        if isinstance(x, (bool, int, float, np.number, np.bool_)) and like is not None:
            return self.constant(x, like.dtype)
        return self.constant(x)

    def _pair(self, a, b):
        if not isinstance(a, Value) and isinstance(b, Value):
            return self._value(a, like=b), b
        a = self._value(a)
        return a, self._value(b, like=a)

    @staticmethod
    def _require(value, dtypes, what):
        if value.dtype not in dtypes:
            raise TfmcError(f"{what} needs element type {' or '.join(dtypes)}, "
                            f"got {value.dtype}")

    # --- Elementwise -------------------------------------------------------------

    def _binary(self, op, a, b, dtypes=NUMERIC_TYPES):
        a, b = self._pair(a, b)
        if a.dtype != b.dtype:
            raise TfmcError(f"tfm.{op}: operand element types differ: {a.dtype} vs {b.dtype}")
        self._require(a, dtypes, f"tfm.{op}")
        shape = broadcast_shapes(a.shape, b.shape, what=f"tfm.{op} operand")
        t = TensorType(shape, a.dtype)
        return self._emit(op, f"tfm.{op} {a.ssa}, {b.ssa}",
                          f"({a.type}, {b.type}) -> {t}", t)

    def add(self, a, b): return self._binary("add", a, b)
    def sub(self, a, b): return self._binary("sub", a, b)
    def mul(self, a, b): return self._binary("mul", a, b)
    def div(self, a, b): return self._binary("div", a, b)
    def pow(self, a, b): return self._binary("pow", a, b, FLOAT_TYPES)
    def minimum(self, a, b): return self._binary("min", a, b)
    def maximum(self, a, b): return self._binary("max", a, b)

    def compare(self, predicate, a, b):
        """`predicate` is one of eq ne lt le gt ge; the result is i1."""
        if predicate not in ("eq", "ne", "lt", "le", "gt", "ge"):
            raise TfmcError(f"unknown comparison predicate '{predicate}'")
        a, b = self._pair(a, b)
        if a.dtype != b.dtype:
            raise TfmcError(f"tfm.compare: operand element types differ: "
                            f"{a.dtype} vs {b.dtype}")
        shape = broadcast_shapes(a.shape, b.shape, what="tfm.compare operand")
        t = TensorType(shape, "i1")
        return self._emit("cmp", f"tfm.compare {predicate}, {a.ssa}, {b.ssa}",
                          f"({a.type}, {b.type}) -> {t}", t)

    def select(self, condition, a, b):
        """numpy.where(condition, a, b)."""
        condition = self._value(condition)
        self._require(condition, ("i1",), "tfm.select condition")
        a, b = self._pair(a, b)
        if a.dtype != b.dtype:
            raise TfmcError(f"tfm.select: true and false values have different "
                            f"element types: {a.dtype} vs {b.dtype}")
        shape = broadcast_shapes(condition.shape, a.shape, b.shape,
                                 what="tfm.select operand")
        t = TensorType(shape, a.dtype)
        return self._emit("sel", f"tfm.select {condition.ssa}, {a.ssa}, {b.ssa}",
                          f"({condition.type}, {a.type}, {b.type}) -> {t}", t)

    def _unary(self, op, x, dtypes=FLOAT_TYPES, extra=""):
        x = self._value(x)
        self._require(x, dtypes, f"tfm.{op}")
        return self._emit(op, f"tfm.{op} {x.ssa}{extra}", str(x.type), x.type)

    def neg(self, x): return self._unary("neg", x, NUMERIC_TYPES)
    def relu(self, x): return self._unary("relu", x)
    def silu(self, x): return self._unary("silu", x)
    def sigmoid(self, x): return self._unary("sigmoid", x)
    def tanh(self, x): return self._unary("tanh", x)
    def exp(self, x): return self._unary("exp", x)
    def log(self, x): return self._unary("log", x)
    def sqrt(self, x): return self._unary("sqrt", x)
    def erf(self, x): return self._unary("erf", x)

    def gelu(self, x, approximation="none"):
        """GELU, exact (`none`) or `tanh`-approximated."""
        if approximation not in ("none", "tanh"):
            raise TfmcError(f"gelu approximation must be 'none' or 'tanh', "
                            f"got {approximation!r}")
        extra = " approximation = tanh" if approximation == "tanh" else ""
        return self._unary("gelu", x, extra=extra)

    def cast(self, x, dtype):
        x = self._value(x)
        t = TensorType(x.shape, dtype)
        if t.dtype == x.dtype:
            return x
        return self._emit("cast", f"tfm.cast {x.ssa}", f"{x.type} -> {t}", t)

    # --- Linear algebra and attention --------------------------------------------

    def matmul(self, a, b, transpose_a=False, transpose_b=False):
        """numpy.matmul on rank >= 2 operands, with optional transposes."""
        a, b = self._value(a), self._value(b)
        for v in (a, b):
            self._require(v, FLOAT_TYPES, "tfm.matmul")
        if a.dtype != b.dtype:
            raise TfmcError(f"tfm.matmul: element types differ: {a.dtype} vs {b.dtype}")
        if a.rank < 2 or b.rank < 2:
            raise TfmcError(f"tfm.matmul operands must have rank >= 2, got "
                            f"{list(a.shape)} and {list(b.shape)}")
        m, ka = (a.shape[-1], a.shape[-2]) if transpose_a else a.shape[-2:]
        kb, n = (b.shape[-1], b.shape[-2]) if transpose_b else b.shape[-2:]
        if ka != kb:
            raise TfmcError(f"tfm.matmul: contraction sizes differ: {list(a.shape)} "
                            f"gives K = {ka}, {list(b.shape)} gives K = {kb}")
        batch = broadcast_shapes(a.shape[:-2], b.shape[:-2], what="tfm.matmul batch")
        t = TensorType(batch + (m, n), a.dtype)
        attrs = [name for name, on in (("transpose_a", transpose_a),
                                       ("transpose_b", transpose_b)) if on]
        attr_text = " {" + ", ".join(attrs) + "}" if attrs else ""
        return self._emit("matmul", f"tfm.matmul {a.ssa}, {b.ssa}{attr_text}",
                          f"({a.type}, {b.type}) -> {t}", t)

    def linear(self, x, weight, bias=None):
        """x·Wᵀ + b with W in [out, in] layout (torch.nn.Linear)."""
        x, w = self._value(x), self._value(weight)
        operands = [x, w]
        if w.rank != 2 or x.rank < 1 or x.shape[-1] != w.shape[1]:
            raise TfmcError(f"tfm.linear: input {list(x.shape)} does not match "
                            f"weight [out, in] = {list(w.shape)}")
        if bias is not None:
            b = self._value(bias)
            if b.shape != (w.shape[0],):
                raise TfmcError(f"tfm.linear: bias shape {list(b.shape)} must be "
                                f"[{w.shape[0]}]")
            operands.append(b)
        for v in operands:
            if v.dtype != x.dtype or v.dtype not in FLOAT_TYPES:
                raise TfmcError(f"tfm.linear: operands must share one float "
                                f"element type, got {[o.dtype for o in operands]}")
        t = TensorType(x.shape[:-1] + (w.shape[0],), x.dtype)
        return self._emit("linear", "tfm.linear " + ", ".join(v.ssa for v in operands),
                          "(" + ", ".join(str(v.type) for v in operands) + f") -> {t}", t)

    def _attention_attrs(self, scale, causal, extra=()):
        attrs = list(extra)
        if causal:
            attrs.append("causal")
        if scale is not None:
            if not (math.isfinite(scale) and scale > 0):
                raise TfmcError(f"attention scale must be a finite positive number, "
                                f"got {scale}")
            attrs.append(f"scale = {float_literal(scale)} : f64")
        return " {" + ", ".join(attrs) + "}" if attrs else ""

    def _attention_mask(self, mask, dtype, scores_shape):
        mask = self._value(mask)
        if mask.dtype not in ("i1", dtype):
            raise TfmcError(f"attention mask must be i1 or {dtype}, got {mask.dtype}")
        if broadcast_shapes(mask.shape, scores_shape,
                            what="attention mask and scores") != scores_shape:
            raise TfmcError(f"attention mask {list(mask.shape)} does not broadcast "
                            f"to the scores {list(scores_shape)}")
        return mask

    def attention(self, q, k, v, mask=None, scale=None, causal=False):
        """softmax(scale·Q·Kᵀ + mask)·V on [..., heads, seq, dim] (tfm.attention)."""
        q, k, v = self._value(q), self._value(k), self._value(v)
        if not (q.rank == k.rank == v.rank >= 2 and q.shape[-1] == k.shape[-1]
                and k.shape[-2] == v.shape[-2] and q.dtype == k.dtype == v.dtype):
            raise TfmcError(f"tfm.attention: query {q.type}, key {k.type} and value "
                            f"{v.type} do not fit together")
        operands = [q, k, v]
        scores = q.shape[:-1] + (k.shape[-2],)
        if mask is not None:
            operands.append(self._attention_mask(mask, q.dtype, scores))
        t = TensorType(q.shape[:-1] + (v.shape[-1],), q.dtype)
        return self._emit(
            "attn", "tfm.attention " + ", ".join(o.ssa for o in operands)
            + self._attention_attrs(scale, causal),
            "(" + ", ".join(str(o.type) for o in operands) + f") -> {t}", t)

    def multi_head_attention(self, query, key, value, weights, biases=None,
                             num_heads=1, mask=None, scale=None, causal=False):
        """tfm.multi_head_attention: `weights` = (Wq, Wk, Wv, Wo) in [out, in]
        layout, `biases` = (bq, bk, bv, bo) or None."""
        q, k, v = (self._value(x) for x in (query, key, value))
        wq, wk, wv, wo = (self._value(w) for w in weights)
        head_dim = wq.shape[0] // num_heads if num_heads > 0 else 0
        if (num_heads < 1 or wq.shape[0] % num_heads or q.shape[-1] != wq.shape[1]
                or k.shape[-1] != wk.shape[1] or v.shape[-1] != wv.shape[1]
                or head_dim == 0 or wk.shape[0] % head_dim
                or q.shape[:-2] != k.shape[:-2] or k.shape[:-1] != v.shape[:-1]):
            raise TfmcError(
                f"tfm.multi_head_attention: query {q.type}, key {k.type}, value "
                f"{v.type} and weights {wq.type}, {wk.type}, {wv.type}, {wo.type} "
                f"do not fit together with {num_heads} heads")
        operands = [q, k, v, wq, wk, wv, wo]
        text = (f"tfm.multi_head_attention {q.ssa}, {k.ssa}, {v.ssa} "
                f"weights({wq.ssa}, {wk.ssa}, {wv.ssa}, {wo.ssa})")
        if biases is not None:
            bs = [self._value(b) for b in biases]
            operands += bs
            text += " biases(" + ", ".join(b.ssa for b in bs) + ")"
        if mask is not None:
            scores = q.shape[:-2] + (num_heads, q.shape[-2], k.shape[-2])
            m = self._attention_mask(mask, q.dtype, scores)
            operands.append(m)
            text += f" mask({m.ssa})"
        text += self._attention_attrs(scale, causal, [f"num_heads = {num_heads} : i64"])
        t = TensorType(q.shape[:-1] + (wo.shape[0],), q.dtype)
        return self._emit("mha", text, "(" + ", ".join(str(o.type) for o in operands)
                          + f") -> {t}", t)

    # --- Embeddings and normalization ---------------------------------------------

    def embedding(self, ids, table):
        ids, table = self._value(ids), self._value(table)
        self._require(ids, INTEGER_TYPES, "tfm.embedding ids")
        if table.rank != 2:
            raise TfmcError(f"tfm.embedding table must have rank 2 ([vocab, dim]), "
                            f"got {list(table.shape)}")
        t = TensorType(ids.shape + (table.shape[1],), table.dtype)
        return self._emit("embed", f"tfm.embedding {ids.ssa}, {table.ssa}",
                          f"({ids.type}, {table.type}) -> {t}", t)

    def positional_encoding(self, x, offset=0, base=10000.0):
        """x + the sinusoidal positional encoding (positions along dim -2)."""
        x = self._value(x)
        if x.rank < 2:
            raise TfmcError(f"tfm.positional_encoding input must have rank >= 2, "
                            f"got {list(x.shape)}")
        attrs = []
        if offset:
            attrs.append(f"offset = {int(offset)} : i64")
        if base != 10000.0:
            attrs.append(f"base = {float_literal(base)} : f64")
        extra = " {" + ", ".join(attrs) + "}" if attrs else ""
        return self._unary("positional_encoding", x, extra=extra)

    def _norm(self, op, x, params, epsilon, axis, default_epsilon):
        x = self._value(x)
        self._require(x, FLOAT_TYPES, f"tfm.{op}")
        first = normalize_axis(axis, x.rank)
        operands, text = [x], f"tfm.{op} {x.ssa}"
        for keyword, p in params:
            if p is None:
                continue
            p = self._value(p)
            if p.shape != x.shape[first:] or p.dtype != x.dtype:
                raise TfmcError(f"tfm.{op} {keyword} {p.type} must have the normalized "
                                f"shape {list(x.shape[first:])} and type {x.dtype}")
            operands.append(p)
            text += f" {keyword}({p.ssa})"
        attrs = []
        if epsilon != default_epsilon:
            attrs.append(f"epsilon = {float_literal(epsilon)} : f64")
        if axis != -1:
            attrs.append(f"axis = {int(axis)} : i64")
        if attrs:
            text += " {" + ", ".join(attrs) + "}"
        return self._emit(op, text, "(" + ", ".join(str(o.type) for o in operands)
                          + f") -> {x.type}", x.type)

    def layer_norm(self, x, scale=None, bias=None, epsilon=1e-5, axis=-1):
        """Normalizes over dims [axis, rank) (torch.nn.LayerNorm)."""
        return self._norm("layer_norm", x, (("scale", scale), ("bias", bias)),
                          epsilon, axis, 1e-5)

    def rms_norm(self, x, scale=None, epsilon=1e-6, axis=-1):
        return self._norm("rms_norm", x, (("scale", scale),), epsilon, axis, 1e-6)

    # --- Shape ---------------------------------------------------------------------

    def reshape(self, x, shape):
        """Reshape; one size may be -1 (inferred)."""
        x = self._value(x)
        shape = [int(d) for d in shape]
        if shape.count(-1) > 1 or any(d < -1 for d in shape):
            raise TfmcError(f"reshape target {shape} may hold one -1 and no other "
                            f"negative size")
        if -1 in shape:
            known = math.prod(d for d in shape if d != -1)
            if known == 0 or x.type.size % known:
                raise TfmcError(f"cannot reshape {list(x.shape)} to {shape}")
            shape[shape.index(-1)] = x.type.size // known
        t = TensorType(shape, x.dtype)
        if t.size != x.type.size:
            raise TfmcError(f"cannot reshape {list(x.shape)} ({x.type.size} elements) "
                            f"to {shape}")
        if t == x.type:
            return x
        return self._emit("reshape", f"tfm.reshape {x.ssa}", f"{x.type} -> {t}", t)

    def transpose(self, x, permutation):
        x = self._value(x)
        perm = [int(p) for p in permutation]
        if sorted(perm) != list(range(x.rank)):
            raise TfmcError(f"transpose permutation {perm} is not a permutation of "
                            f"the {x.rank} dimensions of {list(x.shape)}")
        t = TensorType([x.shape[p] for p in perm], x.dtype)
        return self._emit("transpose", f"tfm.transpose {x.ssa} [{', '.join(map(str, perm))}]",
                          f"{x.type} -> {t}", t)

    def broadcast_to(self, x, shape):
        x = self._value(x)
        shape = tuple(int(d) for d in shape)
        if len(shape) < x.rank or broadcast_shapes(x.shape, shape,
                                                   what="broadcast_to") != shape:
            raise TfmcError(f"cannot broadcast {list(x.shape)} to {list(shape)}")
        t = TensorType(shape, x.dtype)
        if t == x.type:
            return x
        return self._emit("bcast", f"tfm.broadcast_to {x.ssa}", f"{x.type} -> {t}", t)

    def concat(self, inputs, axis):
        xs = [self._value(x) for x in inputs]
        if not xs:
            raise TfmcError("concat needs at least one input")
        rank = xs[0].rank
        a = normalize_axis(axis, rank, "concat axis")
        for x in xs[1:]:
            if (x.dtype != xs[0].dtype or x.rank != rank
                    or x.shape[:a] + x.shape[a + 1:] != xs[0].shape[:a] + xs[0].shape[a + 1:]):
                raise TfmcError(f"cannot concatenate {[str(v.type) for v in xs]} "
                                f"along axis {axis}")
        shape = list(xs[0].shape)
        shape[a] = sum(x.shape[a] for x in xs)
        t = TensorType(shape, xs[0].dtype)
        return self._emit("concat", "tfm.concat " + ", ".join(x.ssa for x in xs)
                          + f" {{axis = {a} : i64}}",
                          "(" + ", ".join(str(x.type) for x in xs) + f") -> {t}", t)

    def slice(self, x, starts, limits, strides=None):
        """x[starts[i]:limits[i]:strides[i]] in every dimension (static,
        0 <= start <= limit <= size, stride >= 1)."""
        x = self._value(x)
        strides = [1] * x.rank if strides is None else list(strides)
        if not len(starts) == len(limits) == len(strides) == x.rank:
            raise TfmcError(f"slice needs one start, limit and stride per dimension "
                            f"of {list(x.shape)}")
        shape = []
        for d, (s, l, st) in enumerate(zip(starts, limits, strides)):
            if st < 1 or not 0 <= s <= l <= x.shape[d]:
                raise TfmcError(f"slice [{s}:{l}:{st}] of dimension {d} (size "
                                f"{x.shape[d]}) is out of bounds or has stride < 1")
            shape.append(-(-(l - s) // st))
        t = TensorType(shape, x.dtype)
        if t == x.type:
            return x
        attrs = (f"{{starts = {i64_array(starts)}, limits = {i64_array(limits)}, "
                 f"strides = {i64_array(strides)}}}")
        return self._emit("slice", f"tfm.slice {x.ssa} {attrs}", f"{x.type} -> {t}", t)

    def split(self, x, sizes, axis):
        """Consecutive pieces of the given `sizes` along `axis`."""
        x = self._value(x)
        a = normalize_axis(axis, x.rank, "split axis")
        sizes = [int(s) for s in sizes]
        if not sizes or any(s < 0 for s in sizes) or sum(sizes) != x.shape[a]:
            raise TfmcError(f"split sizes {sizes} do not add up to dimension {a} "
                            f"of {list(x.shape)}")
        types = []
        for s in sizes:
            shape = list(x.shape)
            shape[a] = s
            types.append(TensorType(shape, x.dtype))
        return self._emit("split", f"tfm.split {x.ssa} {{axis = {a} : i64, "
                          f"sizes = {i64_array(sizes)}}}",
                          f"{x.type} -> " + ", ".join(map(str, types)), types)

    def gather(self, x, indices, axis=0):
        """numpy.take(x, indices, axis) (negative indices count from the end)."""
        x, idx = self._value(x), self._value(indices)
        self._require(idx, INTEGER_TYPES, "tfm.gather indices")
        a = normalize_axis(axis, x.rank, "gather axis")
        t = TensorType(x.shape[:a] + idx.shape + x.shape[a + 1:], x.dtype)
        return self._emit("gather", f"tfm.gather {x.ssa}, {idx.ssa} {{axis = {a} : i64}}",
                          f"({x.type}, {idx.type}) -> {t}", t)

    def iota(self, shape, dtype="i64", dimension=0, start=0, step=1):
        """start + step·index along `dimension`."""
        t = TensorType(shape, dtype)
        normalize_axis(dimension, t.rank, "iota dimension")
        attrs = [f"dimension = {dimension % t.rank} : i64"]
        if start != 0:
            attrs.append(f"start = {float_literal(start)} : f64")
        if step != 1:
            attrs.append(f"step = {float_literal(step)} : f64")
        return self._emit("iota", "tfm.iota {" + ", ".join(attrs) + "}", str(t), t)

    # --- Reductions ----------------------------------------------------------------

    def softmax(self, x, axis=-1):
        x = self._value(x)
        normalize_axis(axis, x.rank, "softmax axis")
        extra = "" if axis == -1 else f" {{axis = {int(axis)} : i64}}"
        return self._unary("softmax", x, extra=extra)

    def _reduce(self, op, x, axes, keep_dims, dtypes):
        x = self._value(x)
        self._require(x, dtypes, f"tfm.{op}")
        axes = sorted({normalize_axis(a, x.rank, f"{op} axis") for a in axes})
        if not axes:
            raise TfmcError(f"tfm.{op} needs at least one axis")
        shape = [1 if d in axes else n for d, n in enumerate(x.shape)
                 if keep_dims or d not in axes]
        t = TensorType(shape, x.dtype)
        keep = ", keep_dims = true" if keep_dims else ""
        return self._emit(op, f"tfm.{op} {x.ssa} {{axes = {i64_array(axes)}{keep}}}",
                          f"{x.type} -> {t}", t)

    def reduce_sum(self, x, axes, keep_dims=False):
        return self._reduce("reduce_sum", x, axes, keep_dims, NUMERIC_TYPES)

    def reduce_mean(self, x, axes, keep_dims=False):
        return self._reduce("reduce_mean", x, axes, keep_dims, FLOAT_TYPES)

    def reduce_max(self, x, axes, keep_dims=False):
        return self._reduce("reduce_max", x, axes, keep_dims, NUMERIC_TYPES)

    def argmax(self, x, axis=-1, keep_dims=False):
        x = self._value(x)
        self._require(x, NUMERIC_TYPES, "tfm.argmax")
        a = normalize_axis(axis, x.rank, "argmax axis")
        shape = [1 if d == a else n for d, n in enumerate(x.shape) if keep_dims or d != a]
        t = TensorType(shape, "i64")
        keep = ", keep_dims = true" if keep_dims else ""
        return self._emit("argmax", f"tfm.argmax {x.ssa} {{axis = {a} : i64{keep}}}",
                          f"{x.type} -> {t}", t)
