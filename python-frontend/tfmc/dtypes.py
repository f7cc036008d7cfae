"""Element types: tfm's names, their numpy counterparts, and bfloat16.

tfm tensors hold `f32`, `f16`, `bf16`, `i1`, `i32` or `i64` elements. numpy
has no bfloat16, so bf16 data travels as its 16-bit patterns in a
`BFloat16Array` (the executable's `.npy` files do the same with uint16).
"""
import numpy as np

from .errors import TfmcError

# tfm element type -> numpy dtype of its data (bf16: the uint16 bit patterns).
NUMPY_DTYPES = {
    "f32": np.dtype(np.float32),
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(np.uint16),
    "i1": np.dtype(np.bool_),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
}
FLOAT_TYPES = ("f32", "f16", "bf16")
INTEGER_TYPES = ("i32", "i64")

_FROM_NUMPY = {
    np.dtype(np.float32): "f32",
    np.dtype(np.float16): "f16",
    np.dtype(np.bool_): "i1",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
}
_ALIASES = {"float32": "f32", "float16": "f16", "bfloat16": "bf16",
            "bool": "i1", "int32": "i32", "int64": "i64"}


def tfm_dtype(dtype):
    """The tfm element type named by `dtype`: a tfm name ('f32'), a numpy
    dtype or its name ('float32', np.int64), or 'bfloat16'."""
    if isinstance(dtype, str):
        if dtype in NUMPY_DTYPES:
            return dtype
        if dtype in _ALIASES:
            return _ALIASES[dtype]
    try:
        return _FROM_NUMPY[np.dtype(dtype)]
    except (TypeError, KeyError):
        pass
    try:
        dtype = np.dtype(dtype).name
    except TypeError:
        pass
    raise TfmcError(f"unsupported element type '{dtype}': tfm tensors hold "
                    f"f32, f16, bf16, i1 (bool), i32 or i64")


class BFloat16Array:
    """A bfloat16 tensor, stored as its uint16 bit patterns (`bits`)."""

    def __init__(self, bits):
        bits = np.asarray(bits)
        if bits.dtype != np.uint16:
            raise TfmcError(f"BFloat16Array needs uint16 bit patterns, got {bits.dtype}")
        self.bits = bits

    @classmethod
    def from_float32(cls, values):
        """Rounds float32 values to the nearest bfloat16 (ties to even)."""
        bits = np.array(values, dtype=np.float32).view(np.uint32)
        rounding = ((bits >> 16) & 1) + 0x7FFF
        rounded = ((bits + rounding) >> 16).astype(np.uint16)
        # NaNs stay NaN (rounding could carry a quiet NaN into infinity).
        nan = np.isnan(np.asarray(values, dtype=np.float32))
        quiet_nan = (bits >> 16).astype(np.uint16) | np.uint16(0x40)
        return cls(np.where(nan, quiet_nan, rounded).astype(np.uint16))

    def to_float32(self):
        wide = np.left_shift(self.bits.astype(np.uint32), 16, dtype=np.uint32)
        return np.asarray(wide).view(np.float32)

    @property
    def shape(self):
        return self.bits.shape

    @property
    def size(self):
        return self.bits.size

    def __repr__(self):
        return f"BFloat16Array(shape={self.shape})"


def to_bfloat16(x):
    """`x` as a BFloat16Array: a BFloat16Array, uint16 bit patterns (the
    executable's .npy convention), or float values (rounded)."""
    if isinstance(x, BFloat16Array):
        return x
    x = np.asarray(x)
    if x.dtype == np.uint16:
        return BFloat16Array(x)
    if x.dtype.kind != "f":
        raise TfmcError(f"a bf16 tensor cannot be made from {x.dtype} values")
    return BFloat16Array.from_float32(x)


def dtype_of(array):
    """The tfm element type of a numpy array or BFloat16Array."""
    if isinstance(array, BFloat16Array):
        return "bf16"
    return tfm_dtype(np.asarray(array).dtype)
