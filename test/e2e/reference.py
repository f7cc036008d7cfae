"""Independent numpy definitions of tfm ops, computed in float64.

These follow the PyTorch/ONNX definitions the dialect documents, written
directly from them (not from tfmc's lowering).
"""
import math

import numpy as np
from math import erf as _erf

_erf_vec = np.vectorize(_erf, otypes=[np.float64])


def f64(x):
    return np.asarray(x, dtype=np.float64)


def linear(x, w, b=None):
    y = f64(x) @ f64(w).T
    return y if b is None else y + f64(b)


def matmul(a, b, transpose_a=False, transpose_b=False):
    a, b = f64(a), f64(b)
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return a @ b


def softmax(x, axis=-1):
    x = f64(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention(q, k, v, mask=None, scale=None, causal=False):
    """softmax(scale·QKᵀ + mask)·V with grouped-query heads, bottom-right
    causal alignment and zeros for fully masked rows."""
    q, k, v = f64(q), f64(k), f64(v)
    if q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        groups = q.shape[-3] // k.shape[-3]
        k = np.repeat(k, groups, axis=-3)
        v = np.repeat(v, groups, axis=-3)
    d = q.shape[-1]
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    s = (q @ np.swapaxes(k, -1, -2)) * scale
    keep = np.ones(s.shape, dtype=bool)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype == np.bool_:
            keep = keep & np.broadcast_to(mask, s.shape)
        else:
            s = s + f64(mask)
    if causal:
        sq, sk = s.shape[-2], s.shape[-1]
        i = np.arange(sq)[:, None]
        j = np.arange(sk)[None, :]
        keep = keep & (j <= i + (sk - sq))
    s = np.where(keep, s, -np.inf)
    m = s.max(axis=-1, keepdims=True)
    finite = np.isfinite(m)
    e = np.where(finite, np.exp(s - np.where(finite, m, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    p = np.where(total > 0, e / np.where(total > 0, total, 1.0), 0.0)
    return p @ v


def multi_head_attention(query, key, value, wq, wk, wv, wo, biases=None,
                         num_heads=1, mask=None, scale=None, causal=False):
    bq, bk, bv, bo = biases if biases is not None else (None,) * 4
    q = linear(query, wq, bq)
    k = linear(key, wk, bk)
    v = linear(value, wv, bv)
    head_dim = wq.shape[0] // num_heads
    kv_heads = wk.shape[0] // head_dim

    def split(x, heads):
        x = x.reshape(x.shape[:-1] + (heads, x.shape[-1] // heads))
        return np.swapaxes(x, -2, -3)

    o = attention(split(q, num_heads), split(k, kv_heads), split(v, kv_heads),
                  mask=mask, scale=scale, causal=causal)
    o = np.swapaxes(o, -2, -3)
    o = o.reshape(o.shape[:-2] + (o.shape[-2] * o.shape[-1],))
    return linear(o, wo, bo)


def layer_norm(x, scale=None, bias=None, epsilon=1e-5, axis=-1):
    x = f64(x)
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + epsilon)
    if scale is not None:
        y = y * f64(scale)
    if bias is not None:
        y = y + f64(bias)
    return y


def rms_norm(x, scale=None, epsilon=1e-6, axis=-1):
    x = f64(x)
    axes = tuple(range(axis % x.ndim, x.ndim))
    y = x / np.sqrt((x * x).mean(axis=axes, keepdims=True) + epsilon)
    return y if scale is None else y * f64(scale)


def positional_encoding(x, offset=0, base=10000.0):
    x = f64(x)
    seq, dim = x.shape[-2], x.shape[-1]
    pos = np.arange(offset, offset + seq, dtype=np.float64)[:, None]
    j = np.arange(dim)
    angle = pos / np.power(base, (j - j % 2) / dim)
    pe = np.where(j % 2 == 0, np.sin(angle), np.cos(angle))
    return x + pe


def gelu(x, approximation="none"):
    x = f64(x)
    if approximation == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                      (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + _erf_vec(x / math.sqrt(2)))


def erf(x):
    return _erf_vec(f64(x))


def sigmoid(x):
    return 1 / (1 + np.exp(-f64(x)))


def silu(x):
    return f64(x) * sigmoid(x)


def relu(x):
    return np.maximum(f64(x), 0)


def embedding(ids, table):
    return f64(table)[np.asarray(ids)]


# --- Elementwise ----------------------------------------------------------

def neg(x):
    x = np.asarray(x)
    return -x if np.issubdtype(x.dtype, np.integer) else -f64(x)


def tanh(x):
    return np.tanh(f64(x))


def exp(x):
    return np.exp(f64(x))


def log(x):
    return np.log(f64(x))


def sqrt(x):
    return np.sqrt(f64(x))


def power(a, b):
    """IEEE pow: a negative base with an integral exponent is defined."""
    return np.power(f64(a), f64(b))


def div(a, b):
    """Float division, or integer division truncating toward zero (as C)."""
    a, b = np.asarray(a), np.asarray(b)
    if np.issubdtype(a.dtype, np.integer):
        a64, b64 = a.astype(np.int64), b.astype(np.int64)
        q = np.abs(a64) // np.abs(b64)
        return np.where((a64 < 0) != (b64 < 0), -q, q)
    return f64(a) / f64(b)


_COMPARE = {"eq": np.equal, "ne": np.not_equal, "lt": np.less,
            "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal}


def compare(predicate, a, b):
    """Signed integer / ordered float comparison (`ne` is true on NaN)."""
    with np.errstate(invalid="ignore"):
        return _COMPARE[predicate](np.asarray(a), np.asarray(b))


def select(cond, t, f):
    return np.where(np.asarray(cond, dtype=bool), t, f)


def round_to_bf16(x):
    """float32 -> nearest-even bfloat16 value (returned as float32)."""
    bits = np.asarray(x, dtype=np.float32, order="C").view(np.uint32)
    bits = bits.astype(np.uint64)
    sixteen = np.uint64(16)
    rounded = ((bits + np.uint64(0x7FFF) + ((bits >> sixteen) & np.uint64(1)))
               >> sixteen) << sixteen
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(nan, np.float32(np.nan), out)


def cast(x, to):
    """tfm.cast: float -> int truncates toward zero; anything -> i1 is
    x != 0; i1 -> numbers is 0/1; float narrowing rounds to nearest even.
    `to` is a numpy dtype or 'bf16' (result as float32 values)."""
    x = np.asarray(x)
    if to == "bf16":
        return round_to_bf16(x.astype(np.float32))
    to = np.dtype(to)
    if to == np.bool_:
        return x != 0
    if np.issubdtype(to, np.integer) and np.issubdtype(x.dtype, np.floating):
        return np.trunc(x.astype(np.float64)).astype(to)
    return x.astype(to)


# --- Shape ----------------------------------------------------------------

def gather(x, indices, axis):
    """numpy.take with negative indices; out of range is an error."""
    x, indices = np.asarray(x), np.asarray(indices)
    size = x.shape[axis]
    if np.any((indices < -size) | (indices >= size)):
        raise IndexError("gather index out of range")
    return np.take(x, indices, axis=axis)


def slice_(x, starts, limits, strides):
    return np.asarray(x)[tuple(slice(s, l, t)
                               for s, l, t in zip(starts, limits, strides))]


def split(x, axis, sizes):
    return np.split(np.asarray(x), np.cumsum(sizes)[:-1], axis=axis)


def iota(shape, dimension, start=0.0, step=1.0, dtype=np.float32):
    i = np.arange(shape[dimension], dtype=np.float64)
    i = i.reshape([-1 if d == dimension else 1 for d in range(len(shape))])
    values = np.broadcast_to(start + step * i, shape)
    if np.issubdtype(np.dtype(dtype), np.integer):
        return values.astype(np.int64)
    return values


# --- Reductions -----------------------------------------------------------

def reduce(kind, x, axes, keep_dims=False):
    """reduce_sum / reduce_mean / reduce_max; integers stay exact."""
    x = np.asarray(x)
    x = x.astype(np.int64) if np.issubdtype(x.dtype, np.integer) else f64(x)
    fn = {"sum": np.sum, "mean": np.mean, "max": np.max}[kind]
    return fn(x, axis=tuple(axes), keepdims=keep_dims)


def argmax(x, axis, keep_dims=False):
    """First index of the maximum (numpy's tie rule is the same)."""
    r = np.argmax(np.asarray(x), axis=axis)
    return np.expand_dims(r, axis) if keep_dims else r
