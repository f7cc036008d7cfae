"""Element types as the ONNX importer sees them.

Import-time constants may have any numeric ONNX type (shape arithmetic in
int64, a Cast to double...), so the importer names element types with tfm's
names extended by f64, i8, i16, u8, u16, u32, u64. Only tfm's own types
(f32 f16 bf16 i1 i32 i64) may reach run time. bf16 constants are held as
float32 arrays of their values.
"""
import numpy as np

from ..dtypes import NUMPY_DTYPES
from ..errors import UnsupportedError

_EXTENDED = {
    "f64": np.dtype(np.float64), "i8": np.dtype(np.int8), "i16": np.dtype(np.int16),
    "u8": np.dtype(np.uint8), "u16": np.dtype(np.uint16), "u32": np.dtype(np.uint32),
    "u64": np.dtype(np.uint64),
}
_NUMPY = {**NUMPY_DTYPES, "bf16": np.dtype(np.float32), **_EXTENDED}
_NAMES = {dtype: name for name, dtype in _NUMPY.items() if name != "bf16"}

# onnx.TensorProto.DataType -> element type name (None: not supported at all).
ONNX_TYPES = {1: "f32", 2: "u8", 3: "i8", 4: "u16", 5: "i16", 6: "i32", 7: "i64",
              9: "i1", 10: "f16", 11: "f64", 12: "u32", 13: "u64", 16: "bf16"}
ONNX_TYPE_NAMES = {0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16",
                   5: "INT16", 6: "INT32", 7: "INT64", 8: "STRING", 9: "BOOL",
                   10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64",
                   14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16"}


def numpy_dtype(name):
    """The numpy dtype holding elements of type `name` (bf16: float32)."""
    return _NUMPY[name]


def dtype_name(dtype):
    """The element type name of a numpy dtype."""
    try:
        return _NAMES[np.dtype(dtype)]
    except KeyError:
        raise UnsupportedError(f"element type {np.dtype(dtype)} is not supported") from None


def is_runtime_type(name):
    """Whether tfm can hold the type in a run-time tensor."""
    return name in NUMPY_DTYPES
