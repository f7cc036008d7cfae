"""The tfm ops the ONNX importer uses, evaluated with numpy at import time.

`NumpyOps` has the op methods of `tfmc.ir.Graph` (same names, arguments and
semantics), so one ONNX op handler both folds constants (shape arithmetic,
masks built from constants) and emits tfm ops for run-time values; onnx 1.12
has no reference evaluator to do the folding. Arrays keep their dtype
(float32 math stays float32), integer division truncates as tfm's does.
"""
import math

import numpy as np

from ..errors import TfmcError
from ..ir import broadcast_shapes, normalize_axis
from .dtypes import numpy_dtype, dtype_name

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _array(x):
    if hasattr(x, "array"):       # an importer Const
        return x.array
    return np.asarray(x)


class NumpyOps:
    """Import-time evaluation of tfm ops on numpy arrays (see module doc)."""

    # --- Operands ----------------------------------------------------------------

    @staticmethod
    def constant(value, dtype=None):
        array = np.asarray(value)
        return array.astype(numpy_dtype(dtype)) if dtype is not None else array

    def _pair(self, a, b):
        if isinstance(a, (bool, int, float)) and not isinstance(b, (bool, int, float)):
            b = _array(b)
            return np.asarray(a, dtype=b.dtype), b
        a = _array(a)
        return a, np.asarray(_array(b), dtype=a.dtype) if isinstance(
            b, (bool, int, float)) else _array(b)

    def _binary(self, fn, a, b):
        a, b = self._pair(a, b)
        if a.dtype != b.dtype:
            raise TfmcError(f"operand element types differ: {dtype_name(a.dtype)} "
                            f"vs {dtype_name(b.dtype)}")
        broadcast_shapes(a.shape, b.shape)
        with np.errstate(all="ignore"):
            return np.asarray(fn(a, b)).astype(a.dtype, copy=False)

    # --- Elementwise -------------------------------------------------------------

    def add(self, a, b): return self._binary(np.add, a, b)
    def sub(self, a, b): return self._binary(np.subtract, a, b)
    def mul(self, a, b): return self._binary(np.multiply, a, b)
    def pow(self, a, b): return self._binary(np.power, a, b)
    def minimum(self, a, b): return self._binary(np.minimum, a, b)
    def maximum(self, a, b): return self._binary(np.maximum, a, b)

    def div(self, a, b):
        def divide(x, y):
            if x.dtype.kind == "f":
                return x / y
            # Truncating integer division (C's, and tfm.div's); x / 0 gives 0.
            safe = np.where(y == 0, 1, y)
            q = np.abs(x) // np.abs(safe)
            return np.where(y == 0, 0, np.where((x < 0) != (safe < 0), -q, q))
        return self._binary(divide, a, b)

    def compare(self, predicate, a, b):
        fns = {"eq": np.equal, "ne": np.not_equal, "lt": np.less,
               "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal}
        a, b = self._pair(a, b)
        with np.errstate(all="ignore"):
            return fns[predicate](a, b)

    def select(self, condition, a, b):
        a, b = self._pair(a, b)
        return np.where(_array(condition), a, b).astype(a.dtype, copy=False)

    def _unary(self, fn, x):
        x = _array(x)
        with np.errstate(all="ignore"):
            return np.asarray(fn(x)).astype(x.dtype, copy=False)

    def neg(self, x): return self._unary(np.negative, x)
    def relu(self, x): return self._unary(lambda v: np.where(v < 0, 0, v), x)
    def sigmoid(self, x): return self._unary(lambda v: 1 / (1 + np.exp(-v)), x)
    def silu(self, x): return self._unary(lambda v: v / (1 + np.exp(-v)), x)
    def tanh(self, x): return self._unary(np.tanh, x)
    def exp(self, x): return self._unary(np.exp, x)
    def log(self, x): return self._unary(np.log, x)
    def sqrt(self, x): return self._unary(np.sqrt, x)
    def erf(self, x): return self._unary(_erf, x)

    def gelu(self, x, approximation="none"):
        if approximation == "tanh":
            return self._unary(lambda v: 0.5 * v * (1 + np.tanh(
                math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3))), x)
        return self._unary(lambda v: 0.5 * v * (1 + _erf(v / math.sqrt(2))), x)

    def cast(self, x, dtype):
        x = _array(x)
        target = numpy_dtype(dtype)
        with np.errstate(all="ignore"):
            if target == np.bool_:
                return x != 0
            if x.dtype.kind == "f" and target.kind in "iu":
                return np.trunc(x).astype(target)
            return x.astype(target)

    # --- Linear algebra ------------------------------------------------------------

    def matmul(self, a, b, transpose_a=False, transpose_b=False):
        a, b = _array(a), _array(b)
        if transpose_a:
            a = np.swapaxes(a, -1, -2)
        if transpose_b:
            b = np.swapaxes(b, -1, -2)
        return np.matmul(a, b)

    def linear(self, x, weight, bias=None):
        y = np.matmul(_array(x), _array(weight).T)
        return y if bias is None else (y + _array(bias)).astype(y.dtype)

    def layer_norm(self, x, scale=None, bias=None, epsilon=1e-5, axis=-1):
        x = _array(x)
        axes = tuple(range(normalize_axis(axis, x.ndim), x.ndim))
        mean = x.mean(axis=axes, keepdims=True, dtype=np.float64)
        var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
        y = (x - mean) / np.sqrt(var + epsilon)
        if scale is not None:
            y = y * _array(scale)
        if bias is not None:
            y = y + _array(bias)
        return y.astype(x.dtype)

    # --- Shape -----------------------------------------------------------------------

    def reshape(self, x, shape):
        return np.reshape(_array(x), [int(d) for d in shape])

    def transpose(self, x, permutation):
        return np.transpose(_array(x), [int(p) for p in permutation])

    def broadcast_to(self, x, shape):
        return np.broadcast_to(_array(x), tuple(int(d) for d in shape)).copy()

    def concat(self, inputs, axis):
        return np.concatenate([_array(x) for x in inputs], axis=axis)

    def slice(self, x, starts, limits, strides=None):
        x = _array(x)
        strides = strides or [1] * x.ndim
        return x[tuple(slice(s, l, st) for s, l, st in zip(starts, limits, strides))].copy()

    def split(self, x, sizes, axis):
        return np.split(_array(x), np.cumsum(sizes)[:-1], axis=axis)

    def gather(self, x, indices, axis=0):
        x, indices = _array(x), _array(indices)
        size = x.shape[axis]
        if indices.size and (indices.min() < -size or indices.max() >= size):
            raise TfmcError(f"gather index out of range [-{size}, {size}): "
                            f"{indices.min()}..{indices.max()}")
        return np.take(x, indices, axis=axis)

    def iota(self, shape, dtype="i64", dimension=0, start=0, step=1):
        shape = tuple(int(d) for d in shape)
        d = normalize_axis(dimension, len(shape))
        line = start + step * np.arange(shape[d], dtype=np.float64)
        line = line.reshape([-1 if i == d else 1 for i in range(len(shape))])
        return np.broadcast_to(line, shape).astype(numpy_dtype(dtype))

    # --- Reductions ------------------------------------------------------------------

    def softmax(self, x, axis=-1):
        x = _array(x)
        with np.errstate(all="ignore"):
            e = np.exp(x - x.max(axis=axis, keepdims=True))
            return (e / e.sum(axis=axis, keepdims=True)).astype(x.dtype)

    def _reduce(self, fn, x, axes, keep_dims):
        x = _array(x)
        axes = tuple(normalize_axis(a, x.ndim) for a in axes)
        return np.asarray(fn(x, axis=axes, keepdims=keep_dims)).astype(x.dtype)

    def reduce_sum(self, x, axes, keep_dims=False):
        return self._reduce(np.sum, x, axes, keep_dims)

    def reduce_mean(self, x, axes, keep_dims=False):
        return self._reduce(np.mean, x, axes, keep_dims)

    def reduce_max(self, x, axes, keep_dims=False):
        return self._reduce(np.max, x, axes, keep_dims)

    def argmax(self, x, axis=-1, keep_dims=False):
        result = np.argmax(_array(x), axis=axis).astype(np.int64)
        return np.expand_dims(result, axis) if keep_dims else result
