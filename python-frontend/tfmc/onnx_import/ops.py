"""ONNX op handlers: each turns one node into tfm ops (or folds it).

A handler takes the NodeContext and returns the node's outputs. It computes
with `ctx.ops(...)`: NumpyOps when its operands are constants, the Graph
otherwise, so one definition serves both. Attributes a handler does not list
are refused, as are attribute values it does not implement; ops emitted are
the primitives the node stands for (MatMul stays a matmul, Softmax a softmax)
so that graph passes can recognize attention chains as exported.
"""
import math

import numpy as np

from ..dtypes import BFloat16Array
from ..ir import broadcast_shapes
from .dtypes import ONNX_TYPES, is_runtime_type, numpy_dtype
from .importer import NUMPY_OPS, Const, dtype_of, is_const, shape_of

HANDLERS = {}

FLOATS = ("f32", "f16", "bf16", "f64")


def handler(*op_types, attributes=()):
    def register(fn):
        fn.attributes = tuple(attributes)
        for op_type in op_types:
            HANDLERS[op_type] = fn
        return fn
    return register


def _axis(ctx, axis, rank, what="axis"):
    if not -rank <= axis < rank:
        ctx.fail(f"{what} {axis} is out of range for rank {rank}")
    return axis % rank


# --- Elementwise ------------------------------------------------------------------

_BINARY = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div"}


@handler(*_BINARY)
def _arithmetic(ctx):
    a, b = ctx.x(0), ctx.x(1)
    return [getattr(ctx.ops(a, b), _BINARY[ctx.node.op_type])(a, b)]


@handler("Pow")
def _pow(ctx):
    base, exponent = ctx.x(0), ctx.x(1)
    if dtype_of(base) not in FLOATS:
        if not (is_const(base) and is_const(exponent)):
            ctx.fail(f"Pow of {dtype_of(base)} values is supported only at import "
                     f"time (tfm.pow takes floats)")
        if (exponent.array < 0).any():
            ctx.fail("integer Pow with a negative exponent")
    # ONNX lets the exponent's type differ; tfm.pow takes the base's.
    exponent = ctx.ops(exponent).cast(exponent, dtype_of(base))
    return [ctx.ops(base, exponent).pow(base, exponent)]


_VARIADIC = {"Max": "maximum", "Min": "minimum", "Sum": "add", "Mean": "add"}


@handler(*_VARIADIC)
def _variadic(ctx):
    values = [ctx.x(i) for i in range(len(ctx.inputs))]
    if not values:
        ctx.fail("needs at least one input")
    result = values[0]
    for v in values[1:]:
        result = getattr(ctx.ops(result, v), _VARIADIC[ctx.node.op_type])(result, v)
    if ctx.node.op_type == "Mean" and len(values) > 1:
        result = ctx.ops(result).div(result, float(len(values)))
    return [result]


_COMPARISONS = {"Equal": "eq", "Less": "lt", "LessOrEqual": "le", "Greater": "gt",
                "GreaterOrEqual": "ge"}


@handler(*_COMPARISONS)
def _compare(ctx):
    a, b = ctx.x(0), ctx.x(1)
    return [ctx.ops(a, b).compare(_COMPARISONS[ctx.node.op_type], a, b)]


@handler("And", "Or", "Xor")
def _logical(ctx):
    a, b = ctx.x(0), ctx.x(1)
    o = ctx.ops(a, b)
    if ctx.node.op_type == "And":
        return [o.select(a, b, False)]
    if ctx.node.op_type == "Or":
        return [o.select(a, True, b)]
    return [o.compare("ne", a, b)]


@handler("Not")
def _not(ctx):
    x = ctx.x(0)
    return [ctx.ops(x).compare("eq", x, False)]


@handler("Where")
def _where(ctx):
    c, a, b = ctx.x(0), ctx.x(1), ctx.x(2)
    return [ctx.ops(c, a, b).select(c, a, b)]


_UNARY = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Exp": "exp",
          "Log": "log", "Sqrt": "sqrt", "Erf": "erf", "Neg": "neg"}


@handler(*_UNARY)
def _unary(ctx):
    x = ctx.x(0)
    return [getattr(ctx.ops(x), _UNARY[ctx.node.op_type])(x)]


def _abs(o, x):
    return o.maximum(x, o.neg(x))


@handler("Abs")
def _abs_op(ctx):
    x = ctx.x(0)
    return [_abs(ctx.ops(x), x)]


@handler("Reciprocal")
def _reciprocal(ctx):
    x = ctx.x(0)
    return [ctx.ops(x).div(1.0, x)]


@handler("Sign")
def _sign(ctx):
    x = ctx.x(0)
    o = ctx.ops(x)
    one, minus_one = o.constant(1, dtype_of(x)), o.constant(-1, dtype_of(x))
    # Zeros (and NaNs) are their own sign.
    return [o.select(o.compare("gt", x, 0), one,
                     o.select(o.compare("lt", x, 0), minus_one, x))]


@handler("LeakyRelu", attributes=("alpha",))
def _leaky_relu(ctx):
    x, alpha = ctx.x(0), ctx.attr("alpha", 0.01)
    o = ctx.ops(x)
    return [o.select(o.compare("lt", x, 0.0), o.mul(x, alpha), x)]


@handler("PRelu")
def _prelu(ctx):
    x, slope = ctx.x(0), ctx.x(1)
    o = ctx.ops(x, slope)
    return [o.select(o.compare("lt", x, 0.0), o.mul(x, slope), x)]


def _expm1_scaled(o, x, alpha):
    return o.mul(o.sub(o.exp(x), 1.0), alpha)


@handler("Elu", attributes=("alpha",))
def _elu(ctx):
    x, alpha = ctx.x(0), ctx.attr("alpha", 1.0)
    o = ctx.ops(x)
    return [o.select(o.compare("gt", x, 0.0), x, _expm1_scaled(o, x, alpha))]


@handler("Selu", attributes=("alpha", "gamma"))
def _selu(ctx):
    x = ctx.x(0)
    alpha = ctx.attr("alpha", 1.67326319217681884765625)
    gamma = ctx.attr("gamma", 1.05070102214813232421875)
    o = ctx.ops(x)
    return [o.mul(o.select(o.compare("gt", x, 0.0), x, _expm1_scaled(o, x, alpha)),
                  gamma)]


@handler("Celu", attributes=("alpha",))
def _celu(ctx):
    x, alpha = ctx.x(0), ctx.attr("alpha", 1.0)
    o = ctx.ops(x)
    negative = _expm1_scaled(o, o.div(x, alpha), alpha)
    return [o.add(o.maximum(x, 0.0), o.minimum(negative, 0.0))]


@handler("HardSigmoid", attributes=("alpha", "beta"))
def _hard_sigmoid(ctx):
    x = ctx.x(0)
    o = ctx.ops(x)
    y = o.add(o.mul(x, ctx.attr("alpha", 0.2)), ctx.attr("beta", 0.5))
    return [o.maximum(o.minimum(y, 1.0), 0.0)]


@handler("HardSwish")
def _hard_swish(ctx):
    x = ctx.x(0)
    o = ctx.ops(x)
    gate = o.maximum(o.minimum(o.add(o.mul(x, 1.0 / 6.0), 0.5), 1.0), 0.0)
    return [o.mul(x, gate)]


@handler("Softplus")
def _softplus(ctx):
    # log(1 + exp(x)) = max(x, 0) + log(1 + exp(-|x|)), which cannot overflow.
    x = ctx.x(0)
    o = ctx.ops(x)
    return [o.add(o.maximum(x, 0.0), o.log(o.add(o.exp(o.neg(_abs(o, x))), 1.0)))]


@handler("Softsign")
def _softsign(ctx):
    x = ctx.x(0)
    o = ctx.ops(x)
    return [o.div(x, o.add(_abs(o, x), 1.0))]


@handler("ThresholdedRelu", attributes=("alpha",))
def _thresholded_relu(ctx):
    x = ctx.x(0)
    o = ctx.ops(x)
    return [o.select(o.compare("gt", x, ctx.attr("alpha", 1.0)), x, 0.0)]


@handler("Shrink", attributes=("bias", "lambd"))
def _shrink(ctx):
    x = ctx.x(0)
    bias, lambd = ctx.attr("bias", 0.0), ctx.attr("lambd", 0.5)
    o = ctx.ops(x)
    zero = o.constant(0, dtype_of(x))
    return [o.select(o.compare("lt", x, -lambd), o.add(x, bias),
                     o.select(o.compare("gt", x, lambd), o.sub(x, bias), zero))]


@handler("IsNaN")
def _is_nan(ctx):
    x = ctx.x(0)
    return [ctx.ops(x).compare("ne", x, x)]


@handler("IsInf", attributes=("detect_negative", "detect_positive"))
def _is_inf(ctx):
    x = ctx.x(0)
    o = ctx.ops(x)
    negative = o.compare("eq", x, -math.inf)
    positive = o.compare("eq", x, math.inf)
    if not ctx.attr("detect_negative", 1):
        return [positive]
    if not ctx.attr("detect_positive", 1):
        return [negative]
    return [o.select(negative, True, positive)]


@handler("Clip", attributes=("min", "max"))
def _clip(ctx):
    x = ctx.x(0)
    if ctx.opset < 11:
        low, high = ctx.attr("min", None), ctx.attr("max", None)
    else:
        low, high = ctx.opt(1), ctx.opt(2)
    # Bounds from attributes are numbers, which compute with any operand.
    o = ctx.ops(x, *(v for v in (low, high) if not isinstance(v, float)))
    # numpy.clip's order: max with the lower bound, then min with the upper.
    if low is not None:
        x = o.maximum(x, low)
    if high is not None:
        x = o.minimum(x, high)
    return [x]


@handler("Identity")
def _identity(ctx):
    return [ctx.x(0)]


@handler("Dropout", attributes=("ratio", "seed"))
def _dropout(ctx):
    x = ctx.x(0)
    training = ctx.opt(2) if ctx.opset >= 12 else None
    if training is not None and not (is_const(training) and not training.array.any()):
        ctx.fail("Dropout in training mode is not supported (export the model "
                 "in eval mode)")
    outputs = [x]
    if ctx.requested(1):  # the mask: nothing is dropped at inference
        outputs.append(np.ones(shape_of(x), dtype=bool))
    return outputs


def _cast_to(ctx, x, dtype):
    if dtype is None:
        ctx.fail("casting to this element type is not supported")
    if is_const(x):   # (a bf16 Const holds float32 values, which cast as well)
        if dtype == "bf16":
            values = BFloat16Array.from_float32(x.array.astype(np.float32)).to_float32()
            return Const(values, "bf16")
        return NUMPY_OPS.cast(x.array, dtype)
    if not is_runtime_type(dtype):
        ctx.fail(f"Cast to {dtype} at run time is not supported (tfm holds f32, "
                 f"f16, bf16, bool, int32 and int64)")
    return ctx.graph.cast(x, dtype)


@handler("Cast", attributes=("to",))
def _cast(ctx):
    to = ctx.attr("to")
    return [_cast_to(ctx, ctx.x(0), ONNX_TYPES.get(to))]


@handler("CastLike")
def _cast_like(ctx):
    return [_cast_to(ctx, ctx.x(0), dtype_of(ctx.x(1)))]


# --- Linear algebra ---------------------------------------------------------------

@handler("MatMul")
def _matmul(ctx):
    a, b = ctx.x(0), ctx.x(1)
    o = ctx.ops(a, b)
    a_shape, b_shape = shape_of(a), shape_of(b)
    # numpy.matmul's 1-D operands: a vector is a matrix for the product, and
    # its dimension leaves the result.
    if len(a_shape) == 1:
        a = o.reshape(a, (1,) + a_shape)
    if len(b_shape) == 1:
        b = o.reshape(b, b_shape + (1,))
    y = o.matmul(a, b)
    if len(a_shape) == 1 or len(b_shape) == 1:
        shape = shape_of(y)
        shape = shape[:-2] + ((shape[-2],) if len(a_shape) > 1 else ()) + \
            ((shape[-1],) if len(b_shape) > 1 else ())
        y = o.reshape(y, shape)
    return [y]


@handler("Gemm", attributes=("alpha", "beta", "transA", "transB"))
def _gemm(ctx):
    a, b, c = ctx.x(0), ctx.x(1), ctx.opt(2)
    alpha, beta = ctx.attr("alpha", 1.0), ctx.attr("beta", 1.0)
    trans_a, trans_b = bool(ctx.attr("transA", 0)), bool(ctx.attr("transB", 0))
    o = ctx.ops(a, b, c)
    n = shape_of(b)[0 if trans_b else 1]
    if (trans_b and not trans_a and alpha == 1.0 and
            (c is None or (beta == 1.0 and shape_of(c) == (n,)))):
        return [o.linear(a, b, c)]       # torch.nn.Linear's export
    y = o.matmul(a, b, trans_a, trans_b)
    if alpha != 1.0:
        y = o.mul(y, alpha)
    if c is not None:
        y = o.add(y, c if beta == 1.0 else ctx.ops(c).mul(c, beta))
    return [y]


# --- Softmax and normalization ----------------------------------------------------

def _coerced_2d(ctx, x, axis, fn):
    """Softmax-like ops before opset 13 flatten the input to 2-D at `axis`
    and work on the second dimension."""
    shape = shape_of(x)
    rank = len(shape)
    axis = _axis(ctx, axis, max(rank, 1))
    o = ctx.ops(x)
    if axis == rank - 1:
        return fn(o, x, -1)
    flat = o.reshape(x, (math.prod(shape[:axis]), math.prod(shape[axis:])))
    return o.reshape(fn(o, flat, -1), shape)


def _log_softmax(o, x, axis):
    shifted = o.sub(x, o.reduce_max(x, [axis], keep_dims=True))
    return o.sub(shifted, o.log(o.reduce_sum(o.exp(shifted), [axis], keep_dims=True)))


@handler("Softmax", "LogSoftmax", attributes=("axis",))
def _softmax(ctx):
    x = ctx.x(0)
    fn = ((lambda o, v, a: o.softmax(v, a)) if ctx.node.op_type == "Softmax"
          else _log_softmax)
    if ctx.opset < 13:
        return [_coerced_2d(ctx, x, ctx.attr("axis", 1), fn)]
    axis = _axis(ctx, ctx.attr("axis", -1), len(shape_of(x)))
    return [fn(ctx.ops(x), x, axis - len(shape_of(x)))]


def _to_normalized_shape(ctx, param, shape, what):
    if param is None or shape_of(param) == shape:
        return param
    if broadcast_shapes(shape_of(param), shape, what=what) != shape:
        ctx.fail(f"{what} shape {list(shape_of(param))} does not broadcast to the "
                 f"normalized shape {list(shape)}")
    return ctx.ops(param).broadcast_to(param, shape)


@handler("LayerNormalization", attributes=("axis", "epsilon", "stash_type"))
def _layer_norm(ctx):
    x, scale, bias = ctx.x(0), ctx.x(1), ctx.opt(2)
    rank = len(shape_of(x))
    axis = _axis(ctx, ctx.attr("axis", -1), rank)
    epsilon = ctx.attr("epsilon", 1e-5)
    if ctx.attr("stash_type", 1) != 1:
        ctx.fail("stash_type other than 1 (float32 statistics) is not supported")
    o = ctx.ops(x, scale, bias)
    normalized = shape_of(x)[axis:]
    scale = _to_normalized_shape(ctx, scale, normalized, "Scale")
    bias = _to_normalized_shape(ctx, bias, normalized, "B")
    outputs = [o.layer_norm(x, scale, bias, epsilon=epsilon, axis=axis - rank)]
    if ctx.requested(1) or ctx.requested(2):
        axes = list(range(axis, rank))
        mean = o.reduce_mean(x, axes, keep_dims=True)
        centered = o.sub(x, mean)
        variance = o.reduce_mean(o.mul(centered, centered), axes, keep_dims=True)
        outputs += [mean, o.div(1.0, o.sqrt(o.add(variance, epsilon)))]
    return outputs


def _per_channel(o, param, rank):
    """[C] -> [C, 1, ..., 1], to broadcast along dimension 1 of rank `rank`."""
    return o.reshape(param, shape_of(param) + (1,) * (rank - 2))


@handler("BatchNormalization",
         attributes=("epsilon", "momentum", "training_mode", "spatial"))
def _batch_norm(ctx):
    x, scale, bias, mean, var = (ctx.x(i) for i in range(5))
    if ctx.attr("training_mode", 0) or any(ctx.requested(i) for i in (1, 2)):
        ctx.fail("BatchNormalization in training mode is not supported")
    if ctx.attr("spatial", 1) != 1:
        ctx.fail("spatial = 0 is not supported")
    rank = len(shape_of(x))
    if rank < 2:
        ctx.fail(f"input of rank {rank} has no channel dimension")
    o = ctx.ops(x, scale, bias, mean, var)
    p = ctx.ops(scale, bias, mean, var)
    inv_std = p.div(1.0, p.sqrt(p.add(_per_channel(p, var, rank), ctx.attr("epsilon", 1e-5))))
    y = o.mul(o.sub(x, _per_channel(p, mean, rank)), inv_std)
    return [o.add(o.mul(y, _per_channel(p, scale, rank)), _per_channel(p, bias, rank))]


@handler("InstanceNormalization", attributes=("epsilon",))
def _instance_norm(ctx):
    x, scale, bias = ctx.x(0), ctx.x(1), ctx.x(2)
    rank = len(shape_of(x))
    if rank < 3:
        ctx.fail(f"input of rank {rank} has no spatial dimensions")
    o = ctx.ops(x, scale, bias)
    p = ctx.ops(scale, bias)
    y = o.layer_norm(x, epsilon=ctx.attr("epsilon", 1e-5), axis=2 - rank)
    return [o.add(o.mul(y, _per_channel(p, scale, rank)), _per_channel(p, bias, rank))]


@handler("MeanVarianceNormalization", attributes=("axes",))
def _mean_variance_normalization(ctx):
    x = ctx.x(0)
    axes = [_axis(ctx, a, len(shape_of(x))) for a in ctx.attr("axes", [0, 2, 3])]
    o = ctx.ops(x)
    centered = o.sub(x, o.reduce_mean(x, axes, keep_dims=True))
    variance = o.reduce_mean(o.mul(centered, centered), axes, keep_dims=True)
    return [o.div(centered, o.sqrt(o.add(variance, 1e-9)))]


# --- Reductions ---------------------------------------------------------------------

@handler("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(ctx):
    x = ctx.x(0)
    rank = len(shape_of(x))
    if rank < 3:
        ctx.fail(f"input of rank {rank} has no spatial dimensions")
    o = ctx.ops(x)
    reduce = o.reduce_mean if ctx.node.op_type == "GlobalAveragePool" else o.reduce_max
    return [reduce(x, list(range(2, rank)), keep_dims=True)]


@handler("CumSum", attributes=("exclusive", "reverse"))
def _cumsum(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    axis = _axis(ctx, int(ctx.const(1, "axis").reshape(-1)[0]), len(shape))
    size = shape[axis]
    o = ctx.ops(x)
    reverse = bool(ctx.attr("reverse", 0))
    if reverse:
        flipped = o.constant(np.arange(size - 1, -1, -1), "i64")
        x = o.gather(x, flipped, axis)

    def shifted(v, count):
        """v moved `count` places along the axis, zeros coming in."""
        zeros = list(shape)
        zeros[axis] = count
        kept_limit = list(shape)
        kept_limit[axis] = size - count
        kept = o.slice(v, [0] * len(shape), kept_limit)
        return o.concat([o.broadcast_to(o.constant(0, dtype_of(v)), zeros), kept], axis)
    # Inclusive scan in log2(size) steps of shifted adds (exact for integers).
    step = 1
    while step < size:
        x = o.add(x, shifted(x, step))
        step *= 2
    if ctx.attr("exclusive", 0) and size > 0:
        x = shifted(x, 1)
    if reverse:
        x = o.gather(x, flipped, axis)
    return [x]

def _reduce_axes(ctx, x):
    """The axes of a Reduce* node, sorted; None for 'no reduction'."""
    rank = len(shape_of(x))
    if ctx.node.op_type == "ReduceSum" and ctx.opset >= 13:
        axes = ctx.opt(1)
        axes = [] if axes is None else list(ctx.const(1, "axes"))
    else:
        axes = list(ctx.attr("axes", []))
    if not axes:
        if ctx.attr("noop_with_empty_axes", 0):
            return None
        axes = list(range(rank))
    return sorted({_axis(ctx, int(a), rank) for a in axes})


_NUMPY_REDUCE = {"ReduceMin": np.min, "ReduceProd": np.prod}


@handler("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
         "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
         attributes=("axes", "keepdims", "noop_with_empty_axes"))
def _reduce(ctx):
    x = ctx.x(0)
    axes = _reduce_axes(ctx, x)
    keep = bool(ctx.attr("keepdims", 1))
    kind = ctx.node.op_type
    if axes is None or not axes:  # nothing to reduce (a rank-0 input)
        return [x]
    o = ctx.ops(x)
    if kind in _NUMPY_REDUCE:
        if is_const(x):
            return [_NUMPY_REDUCE[kind](x.array, axis=tuple(axes), keepdims=keep)]
        if kind == "ReduceProd":
            ctx.fail("ReduceProd of run-time values is not supported")
        return [o.neg(o.reduce_max(o.neg(x), axes, keep))]
    if kind == "ReduceSum":
        return [o.reduce_sum(x, axes, keep)]
    if kind == "ReduceMean":
        return [o.reduce_mean(x, axes, keep)]
    if kind == "ReduceMax":
        return [o.reduce_max(x, axes, keep)]
    if kind == "ReduceL1":
        return [o.reduce_sum(_abs(o, x), axes, keep)]
    if kind == "ReduceL2":
        return [o.sqrt(o.reduce_sum(o.mul(x, x), axes, keep))]
    if kind == "ReduceSumSquare":
        return [o.reduce_sum(o.mul(x, x), axes, keep)]
    if kind == "ReduceLogSum":
        return [o.log(o.reduce_sum(x, axes, keep))]
    # ReduceLogSumExp, shifted by the maximum so that exp cannot overflow.
    peak = o.reduce_max(x, axes, keep_dims=True)
    total = o.log(o.reduce_sum(o.exp(o.sub(x, peak)), axes, keep_dims=True))
    result = o.add(total, peak)
    if not keep:
        result = o.reshape(result, [d for i, d in enumerate(shape_of(x)) if i not in axes])
    return [result]


@handler("ArgMax", "ArgMin", attributes=("axis", "keepdims", "select_last_index"))
def _argmax(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    axis = _axis(ctx, ctx.attr("axis", 0), len(shape))
    keep = bool(ctx.attr("keepdims", 1))
    last = bool(ctx.attr("select_last_index", 0))
    o = ctx.ops(x)
    if is_const(x):
        values = np.flip(x.array, axis) if last else x.array
        index = (np.argmax if ctx.node.op_type == "ArgMax" else np.argmin)(values, axis=axis)
        if last:
            index = shape[axis] - 1 - index
        index = index.astype(np.int64)
        return [np.expand_dims(index, axis) if keep else index]
    if ctx.node.op_type == "ArgMin":
        x = o.neg(x)
    if last:
        x = o.gather(x, o.constant(np.arange(shape[axis] - 1, -1, -1), "i64"), axis)
    index = o.argmax(x, axis, keep)
    if last:
        index = o.sub(shape[axis] - 1, index)
    return [index]


# --- Shapes ---------------------------------------------------------------------------

def reshape_target(ctx, shape, target, allowzero=False):
    """ONNX Reshape's output shape: 0 copies the input's size (unless
    allowzero), one -1 is inferred."""
    target = [int(d) for d in target]
    for i, d in enumerate(target):
        if d == 0 and not allowzero:
            if i >= len(shape):
                ctx.fail(f"shape {target} copies dimension {i}, which the input "
                         f"{list(shape)} lacks")
            target[i] = shape[i]
    if target.count(-1) > 1 or any(d < -1 for d in target):
        ctx.fail(f"invalid target shape {target}")
    size = math.prod(shape)
    if -1 in target:
        known = math.prod(d for d in target if d != -1)
        if known == 0 or size % known:
            ctx.fail(f"cannot reshape {list(shape)} to {target}")
        target[target.index(-1)] = size // known
    if math.prod(target) != size:
        ctx.fail(f"cannot reshape {list(shape)} ({size} elements) to {target}")
    return target


@handler("Reshape", attributes=("allowzero",))
def _reshape(ctx):
    x = ctx.x(0)
    target = ctx.const(1, "the target shape")
    shape = reshape_target(ctx, shape_of(x), target, bool(ctx.attr("allowzero", 0)))
    return [ctx.ops(x).reshape(x, shape)]


@handler("Flatten", attributes=("axis",))
def _flatten(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    axis = ctx.attr("axis", 1)
    if not -len(shape) <= axis <= len(shape):
        ctx.fail(f"axis {axis} is out of range for rank {len(shape)}")
    if axis < 0:
        axis += len(shape)
    return [ctx.ops(x).reshape(x, (math.prod(shape[:axis]), math.prod(shape[axis:])))]


@handler("Transpose", attributes=("perm",))
def _transpose(ctx):
    x = ctx.x(0)
    rank = len(shape_of(x))
    perm = ctx.attr("perm", list(range(rank))[::-1])
    if sorted(perm) != list(range(rank)):
        ctx.fail(f"perm {list(perm)} is not a permutation of {rank} dimensions")
    return [ctx.ops(x).transpose(x, perm)]


def _axes_input(ctx, index, what="axes"):
    if ctx.opset >= 13:
        return None if ctx.opt(index) is None else [int(a) for a in ctx.const(index, what)]
    axes = ctx.attr("axes", None)
    return None if axes is None else list(axes)


@handler("Squeeze", attributes=("axes",))
def _squeeze(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    axes = _axes_input(ctx, 1)
    if axes is None:
        axes = [i for i, d in enumerate(shape) if d == 1]
    axes = {_axis(ctx, a, len(shape)) for a in axes}
    for a in axes:
        if shape[a] != 1:
            ctx.fail(f"cannot squeeze dimension {a} of size {shape[a]}")
    return [ctx.ops(x).reshape(x, [d for i, d in enumerate(shape) if i not in axes])]


@handler("Unsqueeze", attributes=("axes",))
def _unsqueeze(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    given = _axes_input(ctx, 1)
    if given is None:
        ctx.fail("axes are missing")
    rank = len(shape) + len(given)
    axes = {_axis(ctx, a, rank) for a in given}
    if len(axes) != len(given):
        ctx.fail(f"axes {given} repeat a dimension")
    dims = iter(shape)
    return [ctx.ops(x).reshape(x, [1 if i in axes else next(dims) for i in range(rank)])]


@handler("Concat", attributes=("axis",))
def _concat(ctx):
    values = [v for v in ctx.inputs if v is not None]
    rank = len(shape_of(values[0]))
    axis = _axis(ctx, ctx.attr("axis"), rank)
    # Empty pieces contribute nothing (ONNX allows them).
    nonempty = [v for v in values if shape_of(v)[axis] != 0] or values[:1]
    if len(nonempty) == 1:
        return [nonempty[0]]
    return [ctx.ops(*nonempty).concat(nonempty, axis)]


def _slice_indices(size, start, end, step):
    """ONNX Slice's clamping of start/end in a dimension of `size`."""
    if start < 0:
        start += size
    if end < 0:
        end += size
    if step > 0:
        start = min(max(start, 0), size)
        end = min(max(end, 0), size)
    else:
        start = min(max(start, 0), size - 1)
        end = min(max(end, -1), size - 1)
    return start, end


@handler("Slice", attributes=("starts", "ends", "axes"))
def _slice(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    rank = len(shape)
    if ctx.opset < 10:
        starts, ends = ctx.attr("starts"), ctx.attr("ends")
        axes = ctx.attr("axes", list(range(len(starts))))
        steps = [1] * len(starts)
    else:
        starts = ctx.const(1, "starts")
        ends = ctx.const(2, "ends")
        axes = (ctx.const(3, "axes") if ctx.opt(3) is not None
                else list(range(len(starts))))
        steps = ctx.const(4, "steps") if ctx.opt(4) is not None else [1] * len(starts)
    if not len(starts) == len(ends) == len(axes) == len(steps):
        ctx.fail("starts, ends, axes and steps differ in length")
    begin, limit, stride = [0] * rank, list(shape), [1] * rank
    reversed_axes = []
    for s, e, a, st in zip(starts, ends, axes, steps):
        a = _axis(ctx, int(a), rank)
        s, e, st = int(s), int(e), int(st)
        if st == 0:
            ctx.fail("a step of 0")
        s, e = _slice_indices(shape[a], s, e, st)
        if st > 0:
            begin[a], limit[a], stride[a] = s, max(e, s), st
        else:
            reversed_axes.append((a, np.arange(s, e, st, dtype=np.int64)))
    o = ctx.ops(x)
    y = o.slice(x, begin, limit, stride)
    # tfm.slice steps forward; backward steps take their indices with a gather.
    for a, indices in reversed_axes:
        y = o.gather(y, o.constant(indices, "i64"), a)
    return [y]


@handler("Split", attributes=("axis", "split"))
def _split(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    axis = _axis(ctx, ctx.attr("axis", 0), len(shape))
    if ctx.opset >= 13:
        sizes = ctx.const(1, "split") if ctx.opt(1) is not None else None
    else:
        sizes = ctx.attr("split", None)
    count = len(ctx.node.output)
    if sizes is None:
        if shape[axis] % count:
            ctx.fail(f"dimension {axis} of size {shape[axis]} does not split into "
                     f"{count} equal parts")
        sizes = [shape[axis] // count] * count
    sizes = [int(s) for s in sizes]
    if len(sizes) != count or sum(sizes) != shape[axis]:
        ctx.fail(f"split sizes {sizes} do not cut dimension {axis} of size "
                 f"{shape[axis]} into {count} outputs")
    return list(ctx.ops(x).split(x, sizes, axis))


@handler("Gather", attributes=("axis",))
def _gather(ctx):
    x, indices = ctx.x(0), ctx.x(1)
    axis = _axis(ctx, ctx.attr("axis", 0), len(shape_of(x)))
    if dtype_of(indices) not in ("i32", "i64"):
        ctx.fail(f"indices of element type {dtype_of(indices)}")
    if (is_const(x) and x.weight_name and x.dtype in FLOATS and x.array.ndim == 2
            and axis == 0 and not is_const(indices)):
        # torch.nn.Embedding's export. As tfm.embedding, the executable knows
        # the vocabulary size: it checks token ids given as inputs (and draws
        # valid ones for --random-inputs). Negative ids are refused, as
        # PyTorch refuses them.
        return [ctx.graph.embedding(indices, x)]
    return [ctx.ops(x, indices).gather(x, indices, axis)]


@handler("Expand")
def _expand(ctx):
    x = ctx.x(0)
    shape = broadcast_shapes(shape_of(x), tuple(int(d) for d in ctx.const(1, "shape")),
                             what="Expand")
    return [ctx.ops(x).broadcast_to(x, shape)]


@handler("Tile")
def _tile(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    repeats = [int(r) for r in ctx.const(1, "repeats")]
    if len(repeats) != len(shape) or any(r < 0 for r in repeats):
        ctx.fail(f"repeats {repeats} do not fit the input {list(shape)}")
    o = ctx.ops(x)
    # [d0, d1] -> [1, d0, 1, d1] -> [r0, d0, r1, d1] -> [r0·d0, r1·d1]
    spread = o.reshape(x, [v for d in shape for v in (1, d)])
    tiled = o.broadcast_to(spread, [v for r, d in zip(repeats, shape) for v in (r, d)])
    return [o.reshape(tiled, [r * d for r, d in zip(repeats, shape)])]


@handler("Shape", attributes=("start", "end"))
def _shape(ctx):
    shape = shape_of(ctx.x(0))
    start, end = ctx.attr("start", 0), ctx.attr("end", None)
    return [np.array(shape[slice(start, end)], dtype=np.int64)]


@handler("Size")
def _size(ctx):
    return [np.array(math.prod(shape_of(ctx.x(0))), dtype=np.int64)]


@handler("ConstantOfShape", attributes=("value",))
def _constant_of_shape(ctx):
    shape = [int(d) for d in ctx.const(0, "shape")]
    proto = ctx.attr("value", None)
    value = (ctx.importer.constant(proto) if proto is not None
             else Const(np.zeros(1, np.float32)))
    if value.array.size != 1:
        ctx.fail("value must hold one element")
    return [Const(np.full(shape, value.array.reshape(-1)[0], value.array.dtype),
                  value.dtype)]


@handler("Constant", attributes=("value", "value_float", "value_floats", "value_int",
                                 "value_ints", "sparse_value", "value_string",
                                 "value_strings"))
def _constant(ctx):
    for name, dtype in (("value_float", np.float32), ("value_floats", np.float32),
                        ("value_int", np.int64), ("value_ints", np.int64)):
        value = ctx.attr(name, None)
        if value is not None:
            return [np.array(value, dtype=dtype)]
    proto = ctx.attr("value", None)
    if proto is None:
        ctx.fail("only tensor and numeric constants are supported")
    const = ctx.importer.constant(proto)
    return [Const(const.array, const.dtype)]


@handler("Range")
def _range(ctx):
    start, limit, delta = (ctx.const(i, what)
                           for i, what in enumerate(("start", "limit", "delta")))
    if delta == 0:
        ctx.fail("delta is 0")
    count = max(int(math.ceil((limit - start) / delta)), 0)
    return [(start + np.arange(count) * delta).astype(start.dtype)]


@handler("EyeLike", attributes=("dtype", "k"))
def _eye_like(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    if len(shape) != 2:
        ctx.fail(f"input must be 2-D, got {list(shape)}")
    dtype = ONNX_TYPES.get(ctx.attr("dtype", 0)) if ctx.attr("dtype", 0) else dtype_of(x)
    if dtype is None:
        ctx.fail("unsupported dtype")
    return [Const(np.eye(*shape, k=ctx.attr("k", 0)).astype(numpy_dtype(dtype)), dtype)]


@handler("Trilu", attributes=("upper",))
def _trilu(ctx):
    x = ctx.x(0)
    k = int(ctx.const(1, "k")) if ctx.opt(1) is not None else 0
    shape = shape_of(x)
    if len(shape) < 2:
        ctx.fail(f"input must have rank >= 2, got {list(shape)}")
    rows, cols = np.arange(shape[-2])[:, None], np.arange(shape[-1])[None, :]
    keep = (cols - rows >= k) if ctx.attr("upper", 1) else (cols - rows <= k)
    o = ctx.ops(x)
    zero = 0.0 if dtype_of(x) in FLOATS else (False if dtype_of(x) == "i1" else 0)
    return [o.select(Const(keep), x, zero)]


def _pad_indices(size, before, after, mode):
    """Source indices of an edge- or reflect-padded dimension."""
    positions = np.arange(-before, size + after)
    if mode == "edge":
        return np.clip(positions, 0, size - 1)
    period = 2 * (size - 1)
    folded = np.abs(positions) % period
    return np.where(folded >= size, period - folded, folded)


@handler("Pad", attributes=("mode", "pads", "value"))
def _pad(ctx):
    x = ctx.x(0)
    shape = shape_of(x)
    rank = len(shape)
    mode = ctx.attr("mode", "constant")
    if mode not in ("constant", "edge", "reflect"):
        ctx.fail(f"mode '{mode}' is not supported")
    if ctx.opset < 11:
        pads, value = ctx.attr("pads"), ctx.attr("value", 0.0)
    else:
        pads = ctx.const(1, "pads")
        value = ctx.const(2, "constant_value").reshape(-1)[0] if ctx.opt(2) is not None else 0
        if len(ctx.inputs) > 3 and ctx.opt(3) is not None:
            ctx.fail("the axes input is not supported")
    pads = [int(p) for p in pads]
    if len(pads) != 2 * rank:
        ctx.fail(f"pads {pads} need 2 entries per dimension of {list(shape)}")
    o = ctx.ops(x)
    # Negative pads crop first.
    begin = [max(-p, 0) for p in pads[:rank]]
    end = [d - max(-p, 0) for d, p in zip(shape, pads[rank:])]
    if any(b > e for b, e in zip(begin, end)):
        ctx.fail(f"pads {pads} crop more than the input {list(shape)}")
    y = o.slice(x, begin, end)
    fill = o.constant(value, dtype_of(x))
    for axis in range(rank):
        before, after = max(pads[axis], 0), max(pads[axis + rank], 0)
        if not before and not after:
            continue
        size = shape_of(y)[axis]
        if mode != "constant":
            if size < (1 if mode == "edge" else 2):
                ctx.fail(f"cannot {mode}-pad dimension {axis} of size {size}")
            indices = _pad_indices(size, before, after, mode)
            y = o.gather(y, o.constant(indices, "i64"), axis)
            continue
        pieces = []
        for count in (before, None, after):
            if count is None:
                pieces.append(y)
            elif count:
                block = list(shape_of(y))
                block[axis] = count
                pieces.append(o.broadcast_to(fill, block))
        y = o.concat(pieces, axis)
    return [y]


# Rounding has no tfm op. Below 2^23 in magnitude a float goes through an
# integer exactly (casts truncate toward zero); from there up every f32, f16
# and bf16 value is already an integer (or inf/NaN) and stays as it is.
_EXACT_INTEGER_BOUND = 2.0 ** 23


def _round_to_integer(o, x, mode):
    dtype = dtype_of(x)
    truncated = o.cast(o.cast(x, "i64"), dtype)
    if mode == "Ceil":
        rounded = o.add(truncated, o.cast(o.compare("lt", truncated, x), dtype))
    else:
        floor = o.sub(truncated, o.cast(o.compare("gt", truncated, x), dtype))
        if mode == "Floor":
            rounded = floor
        else:  # Round: half to even
            fraction = o.sub(x, floor)
            half = o.mul(floor, 0.5)
            odd = o.compare("ne", o.cast(o.cast(half, "i64"), dtype), half)
            up = o.select(o.compare("eq", fraction, 0.5), odd,
                          o.compare("gt", fraction, 0.5))
            rounded = o.add(floor, o.cast(up, dtype))
    return o.select(o.compare("lt", _abs(o, x), _EXACT_INTEGER_BOUND), rounded, x)


@handler("Floor", "Ceil", "Round")
def _rounding(ctx):
    x = ctx.x(0)
    if is_const(x):
        fn = {"Floor": np.floor, "Ceil": np.ceil, "Round": np.round}[ctx.node.op_type]
        return [fn(x.array)]
    if dtype_of(x) not in FLOATS:
        ctx.fail(f"input of element type {dtype_of(x)}")
    return [_round_to_integer(ctx.graph, x, ctx.node.op_type)]


@handler("Mod", attributes=("fmod",))
def _mod(ctx):
    a, b = ctx.x(0), ctx.x(1)
    fmod = bool(ctx.attr("fmod", 0))
    if is_const(a) and is_const(b):
        with np.errstate(all="ignore"):
            return [(np.fmod if fmod else np.mod)(a.array, b.array).astype(a.array.dtype)]
    if dtype_of(a) in FLOATS:
        ctx.fail("Mod of run-time float values is not supported")
    o = ctx.graph
    # Truncating division leaves C's remainder, with the sign of a (fmod);
    # Python's mod has the sign of b.
    remainder = o.sub(a, o.mul(o.div(a, b), b))
    if fmod:
        return [remainder]
    differs = o.compare("ne", o.compare("lt", remainder, 0), o.compare("lt", b, 0))
    fix = o.select(o.compare("ne", remainder, 0), differs, False)
    return [o.select(fix, o.add(remainder, b), remainder)]


@handler("Sin", "Cos")
def _trigonometric(ctx):
    x = ctx.x(0)
    if not is_const(x):
        ctx.fail(f"{ctx.node.op_type} of run-time values is not supported")
    return [{"Sin": np.sin, "Cos": np.cos}[ctx.node.op_type](x.array)]
