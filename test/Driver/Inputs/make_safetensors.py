"""Writes .safetensors files for the driver tests, valid and broken.

usage: make_safetensors.py KIND OUT
"""
import json
import struct
import sys

import numpy as np


def write(path, header, data, header_len=None):
    encoded = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded) if header_len is None else header_len))
        f.write(encoded)
        f.write(data)


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def main(kind, out):
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    data = w.tobytes()
    good = {"w": entry("F32", [3, 4], 0, 48)}
    if kind == "good":
        write(out, good, data)
    elif kind == "missing":
        write(out, {"other": entry("F32", [3, 4], 0, 48)}, data)
    elif kind == "wrong-dtype":
        write(out, {"w": entry("F16", [3, 8], 0, 48)}, data)
    elif kind == "wrong-shape":
        write(out, {"w": entry("F32", [4, 3], 0, 48)}, data)
    elif kind == "truncated":
        write(out, good, data[:20])
    elif kind == "bad-json":
        with open(out, "wb") as f:
            f.write(struct.pack("<Q", 5) + b"{oops" + data)
    elif kind == "header-too-long":
        write(out, good, data, header_len=1 << 40)
    elif kind == "size-mismatch":
        write(out, {"w": entry("F32", [3, 4], 0, 40)}, data)
    elif kind == "overlap":
        write(out, {"w": entry("F32", [3, 4], 0, 48),
                    "v": entry("F32", [2], 40, 48)}, data)
    elif kind == "unknown-dtype":
        write(out, {"w": entry("F128", [3, 4], 0, 48)}, data)
    elif kind == "tiny":
        with open(out, "wb") as f:
            f.write(b"abc")
    else:
        sys.exit(f"unknown kind {kind}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
