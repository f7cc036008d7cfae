"""Reads and writes the safetensors format (the weights file tfmc compiles).

A file is an 8-byte little-endian header length N, N bytes of JSON
`{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
{str: str}}` (padded with spaces to a multiple of 8 bytes, as the reference
writer does), then the tensors' raw little-endian bytes, offsets counted from
the end of the header.

Tensors are numpy arrays, or `BFloat16Array` for BF16.
"""
import json
import struct

import numpy as np

from .dtypes import BFloat16Array
from .errors import TfmcError

_DTYPES = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"), "U64": np.dtype("<u8"), "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"), "U8": np.dtype("u1"), "BOOL": np.dtype("?"),
    "BF16": np.dtype("<u2"),  # read into a BFloat16Array
}
_NAMES = {dtype.newbyteorder("="): name for name, dtype in _DTYPES.items()
          if name != "BF16"}

# Headers beyond this are refused rather than parsed (the reference reader
# uses the same bound).
_MAX_HEADER_BYTES = 100 * 1024 * 1024


def save(path, tensors, metadata=None):
    """Writes `tensors` (name -> numpy array or BFloat16Array) to `path`.

    `metadata` is an optional dict of strings stored as `__metadata__`.
    """
    header = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str)
                   for k, v in metadata.items()):
            raise TfmcError("safetensors metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    blobs, offset = [], 0
    for name, tensor in tensors.items():
        if not isinstance(name, str) or not name or name == "__metadata__":
            raise TfmcError(f"invalid tensor name {name!r} for a safetensors file")
        if isinstance(tensor, BFloat16Array):
            dtype, array = "BF16", tensor.bits
        else:
            array = np.asarray(tensor)
            dtype = _NAMES.get(array.dtype.newbyteorder("="))
            if dtype is None:
                raise TfmcError(f"tensor '{name}': dtype {array.dtype} cannot be "
                                f"stored in a safetensors file")
        # np.asarray keeps rank 0; astype makes the data little-endian C order.
        data = np.asarray(array, dtype=_DTYPES[dtype], order="C").tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def load(path, with_metadata=False):
    """Reads a safetensors file: name -> numpy array (BF16 tensors as
    BFloat16Array), and the metadata dict too if `with_metadata`.

    Every header entry is checked (dtype, shape, offsets inside the file and
    consistent with the shape); a problem raises TfmcError naming the file
    and the tensor.
    """
    with open(path, "rb") as f:
        content = f.read()
    where = f"safetensors file '{path}'"
    if len(content) < 8:
        raise TfmcError(f"{where} is too short to hold a header ({len(content)} bytes)")
    (header_len,) = struct.unpack("<Q", content[:8])
    if header_len > min(len(content) - 8, _MAX_HEADER_BYTES):
        raise TfmcError(f"{where}: header length {header_len} exceeds the file "
                        f"({len(content)} bytes)")
    try:
        header = json.loads(content[8:8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise TfmcError(f"{where}: header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise TfmcError(f"{where}: header is not a JSON object")
    data = memoryview(content)[8 + header_len:]
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, entry in header.items():
        tensors[name] = _read_tensor(data, entry, f"{where}, tensor '{name}'")
    return (tensors, metadata) if with_metadata else tensors


def _read_tensor(data, entry, where):
    if not isinstance(entry, dict):
        raise TfmcError(f"{where}: header entry is not an object")
    dtype_name = entry.get("dtype")
    shape = entry.get("shape")
    offsets = entry.get("data_offsets")
    if dtype_name not in _DTYPES:
        raise TfmcError(f"{where}: unsupported dtype {dtype_name!r}")
    if (not isinstance(shape, list)
            or not all(isinstance(d, int) and d >= 0 for d in shape)):
        raise TfmcError(f"{where}: shape {shape!r} is not a list of sizes")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(isinstance(o, int) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= len(data)):
        raise TfmcError(f"{where}: data_offsets {offsets!r} are not inside the "
                        f"{len(data)} bytes of data")
    dtype = _DTYPES[dtype_name]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if offsets[1] - offsets[0] != expected:
        raise TfmcError(f"{where}: holds {offsets[1] - offsets[0]} bytes, but "
                        f"{dtype_name} {shape} needs {expected}")
    array = np.frombuffer(data[offsets[0]:offsets[1]], dtype=dtype)
    array = array.reshape(shape).astype(dtype.newbyteorder("="))
    if dtype_name == "BOOL" and array.size and array.view(np.uint8).max() > 1:
        raise TfmcError(f"{where}: BOOL tensor holds bytes other than 0 and 1")
    return BFloat16Array(array) if dtype_name == "BF16" else array
