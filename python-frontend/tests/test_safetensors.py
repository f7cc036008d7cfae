"""The safetensors writer and reader: every dtype round-trips, the layout is
the format's (so other readers, and tfmc-compile, accept it), and damaged
files are refused with a message naming the file and the tensor."""
import json
import struct

import numpy as np
import pytest

from tfmc import BFloat16Array, TfmcError, safetensors

TENSORS = {
    "f64": np.array([1.5, -2.25]),
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
    "f16": np.array([[0.5, -1.0]], np.float16),
    "i64": np.array([-(2**63), 2**63 - 1]),
    "i32": np.array([7], np.int32),
    "i16": np.array([-3], np.int16),
    "i8": np.array([-128, 127], np.int8),
    "u8": np.array([255], np.uint8),
    "u16": np.array([65535], np.uint16),
    "u32": np.array([1], np.uint32),
    "u64": np.array([2**64 - 1], np.uint64),
    "bool": np.array([True, False, True]),
    "scalar": np.float32(3.0),
    "empty": np.zeros((0, 4), np.float32),
    "big-endian": np.array([1.0, 2.0], ">f4"),
}


def test_round_trip_of_every_dtype(tmp_path):
    path = str(tmp_path / "w.safetensors")
    bf16 = BFloat16Array.from_float32(np.array([1.0, 3.14159, -0.0], np.float32))
    safetensors.save(path, {**TENSORS, "bf16": bf16}, metadata={"format": "pt"})
    tensors, metadata = safetensors.load(path, with_metadata=True)
    assert metadata == {"format": "pt"}
    assert set(tensors) == set(TENSORS) | {"bf16"}
    for name, array in TENSORS.items():
        expected = np.asarray(array)
        assert tensors[name].shape == expected.shape
        assert tensors[name].dtype == expected.dtype.newbyteorder("=")
        np.testing.assert_array_equal(tensors[name], expected)
    assert isinstance(tensors["bf16"], BFloat16Array)
    np.testing.assert_array_equal(tensors["bf16"].to_float32(), [1.0, 3.140625, -0.0])


def test_layout_is_the_reference_format(tmp_path):
    path = tmp_path / "w.safetensors"
    safetensors.save(str(path), {"a": np.array([1, 2], np.int32),
                                 "b": np.array([[0.5]], np.float32)})
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0
    header = json.loads(data[8:8 + n])
    assert header == {"a": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]},
                      "b": {"dtype": "F32", "shape": [1, 1], "data_offsets": [8, 12]}}
    assert data[8 + n:] == np.array([1, 2], "<i4").tobytes() + np.float32(0.5).tobytes()


def _damaged(tmp_path, header, data=b""):
    encoded = json.dumps(header).encode()
    path = tmp_path / f"bad{len(list(tmp_path.iterdir()))}.safetensors"
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + data)
    return str(path)


def test_damaged_files_are_refused(tmp_path):
    ok = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
    cases = [
        (_damaged(tmp_path, {"w": dict(ok, dtype="F8")}, b"\0" * 8),
         "tensor 'w': unsupported dtype"),
        (_damaged(tmp_path, {"w": ok}, b"\0" * 4), "are not inside the 4 bytes"),
        (_damaged(tmp_path, {"w": dict(ok, shape=[3])}, b"\0" * 8), "needs 12"),
        (_damaged(tmp_path, {"w": dict(ok, shape=[-1])}, b"\0" * 8), "is not a list of sizes"),
        (_damaged(tmp_path, {"w": dict(ok, dtype="BOOL", shape=[8])}, b"\2" * 8),
         "bytes other than 0 and 1"),
    ]
    for path, message in cases:
        with pytest.raises(TfmcError, match=message):
            safetensors.load(path)
    short = tmp_path / "short.safetensors"
    short.write_bytes(b"\1\0")
    with pytest.raises(TfmcError, match="too short"):
        safetensors.load(str(short))
    huge = tmp_path / "huge.safetensors"
    huge.write_bytes(struct.pack("<Q", 1 << 40) + b"{}")
    with pytest.raises(TfmcError, match="exceeds the file"):
        safetensors.load(str(huge))
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(struct.pack("<Q", 4) + b"{{{{")
    with pytest.raises(TfmcError, match="not valid JSON"):
        safetensors.load(str(garbage))


def test_unstorable_tensors_are_refused(tmp_path):
    with pytest.raises(TfmcError, match="tensor 'c': dtype complex128 cannot be stored"):
        safetensors.save(str(tmp_path / "w.safetensors"), {"c": np.zeros(2, complex)})
    with pytest.raises(TfmcError, match="invalid tensor name"):
        safetensors.save(str(tmp_path / "w.safetensors"), {"": np.zeros(2)})
