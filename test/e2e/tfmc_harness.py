"""Compile tfm models with tfmc-compile, run the executables, read results.

Used by the end-to-end tests: each test writes a model (MLIR text plus a
weights dict), runs it on numpy inputs and compares with a numpy reference.
Paths come from the environment that ctest sets (TFMC_COMPILE), falling back
to the default build tree.
"""
import json
import os
import struct
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# TFMC_E2E_TARGET=vulkan runs every test's model on the machine's Vulkan
# device instead (lavapipe here) with the Khronos validation layer on: a
# validation message fails the run. Models the Vulkan target refuses
# (run-time index checks) and machines without a Vulkan device are skipped,
# saying why.
TARGET = os.environ.get("TFMC_E2E_TARGET", "cpu")
VULKAN_UNSUPPORTED = ("which the Vulkan target does not support yet",
                      "not supported on --target=vulkan yet",
                      "not implemented for Vulkan yet")
NO_VULKAN = ("no Vulkan loader", "no Vulkan device")

TFMC_COMPILE = os.environ.get(
    "TFMC_COMPILE", os.path.join(ROOT, "build", "bin", "tfmc-compile"))

_SAFETENSORS_DTYPES = {
    np.dtype(np.float32): "F32", np.dtype(np.float16): "F16",
    np.dtype(np.int64): "I64", np.dtype(np.int32): "I32",
    np.dtype(np.bool_): "BOOL",
}

MLIR_TYPES = {
    np.dtype(np.float32): "f32", np.dtype(np.float16): "f16",
    np.dtype(np.int64): "i64", np.dtype(np.int32): "i32",
    np.dtype(np.bool_): "i1",
}


def write_safetensors(path, tensors, bf16=()):
    """Writes `tensors` (name -> array). Names in `bf16` hold uint16 bf16 bits."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        # np.asarray keeps rank 0 (np.ascontiguousarray would make it [1]).
        array = np.asarray(array, order="C")
        dtype = "BF16" if name in bf16 else _SAFETENSORS_DTYPES[array.dtype]
        data = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        f.write(b"".join(blobs))


def tensor_type(shape, dtype):
    """The MLIR tensor type of a numpy shape and dtype ('bf16' allowed)."""
    element = dtype if isinstance(dtype, str) else MLIR_TYPES[np.dtype(dtype)]
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def to_bf16_bits(x):
    """Rounds float32 values to bf16 (nearest even) and returns the bits."""
    bits = np.asarray(x, dtype=np.float32, order="C").view(np.uint32)
    rounding = ((bits >> 16) & 1) + 0x7FFF
    return ((bits + rounding) >> 16).astype(np.uint16)


def from_bf16_bits(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


class CompiledModel:
    """An executable built by tfmc-compile."""

    def __init__(self, exe, workdir):
        self.exe = exe
        self.workdir = workdir

    def run_raw(self, *args, check=True):
        env = dict(os.environ)
        if TARGET == "vulkan":
            env["TFMRT_VULKAN_VALIDATION"] = "1"
        result = subprocess.run([self.exe, *args], capture_output=True,
                                text=True, timeout=300, env=env)
        if TARGET == "vulkan" and any(m in result.stderr for m in NO_VULKAN):
            import pytest
            pytest.skip("no Vulkan device here: " + result.stderr.strip())
        if check and result.returncode != 0:
            raise AssertionError(
                f"{self.exe} {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stderr}")
        return result

    def run(self, inputs):
        """Runs once on numpy `inputs` (name -> array); returns name -> array."""
        args = []
        for name, array in inputs.items():
            path = os.path.join(self.workdir, f"in_{name}.npy")
            np.save(path, array)
            args += ["--input", f"{name}={path}"]
        outdir = tempfile.mkdtemp(dir=self.workdir, prefix="out")
        self.run_raw(*args, "--output-dir", outdir)
        return {os.path.splitext(f)[0]: np.load(os.path.join(outdir, f))
                for f in os.listdir(outdir)}


def compile_model(mlir, weights=None, tmpdir=None, extra_args=(), bf16=()):
    """Compiles MLIR text (+ weights dict) into an executable."""
    workdir = tmpdir or tempfile.mkdtemp(prefix="tfmc-e2e-")
    model = os.path.join(workdir, "model.mlir")
    with open(model, "w") as f:
        f.write(mlir)
    if weights:
        write_safetensors(os.path.join(workdir, "model.safetensors"), weights,
                          bf16=bf16)
    exe = os.path.join(workdir, "model")
    if TARGET != "cpu":
        extra_args = (*extra_args, f"--target={TARGET}")
    result = subprocess.run([TFMC_COMPILE, model, "-o", exe, *extra_args],
                            capture_output=True, text=True, timeout=600)
    if TARGET == "vulkan" and any(m in result.stderr for m in VULKAN_UNSUPPORTED):
        import pytest
        pytest.skip("not supported on --target=vulkan yet: " +
                    result.stderr.strip().splitlines()[0])
    if result.returncode != 0:
        raise AssertionError(f"tfmc-compile failed ({result.returncode}):\n"
                             f"{result.stderr}\n--- model ---\n{mlir}")
    return CompiledModel(exe, workdir)


def assert_close(actual, expected, rtol, atol, what="output"):
    """Compares with numpy's rule |a - e| <= atol + rtol·|e|, reporting the
    worst relative error."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape} != expected {expected.shape}")
    if actual.dtype == np.bool_ or np.issubdtype(actual.dtype, np.integer):
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=what,
                               equal_nan=True)
