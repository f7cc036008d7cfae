"""Calls tfmc's tools: verify and compile a model, run the executable on
numpy arrays.

The tools are found, in this order, through the environment (TFMC_COMPILE,
TFMC_OPT; each also locates the other in its directory), in the build tree
of the checkout this package sits in (`build/bin`), and on PATH.
"""
import os
import re
import shutil
import subprocess
import tempfile
import weakref

import numpy as np

from .dtypes import NUMPY_DTYPES, to_bfloat16
from .errors import TfmcError

_ENV = {"tfmc-compile": "TFMC_COMPILE", "tfmc-opt": "TFMC_OPT"}
_CHECKOUT_BIN = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "build", "bin")


def find_tool(name):
    """The path of `tfmc-compile` or `tfmc-opt`."""
    candidates = [os.environ.get(_ENV[name])]
    candidates += [os.path.join(os.path.dirname(os.environ[var]), name)
                   for var in _ENV.values() if os.environ.get(var)]
    candidates += [os.path.join(_CHECKOUT_BIN, name), shutil.which(name)]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise TfmcError(f"cannot find {name}: set {_ENV[name]}, build tfmc (make) or "
                    f"put {name} on PATH")


def _run_tool(args, what, timeout=1800):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise TfmcError(f"{what} failed (exit {result.returncode}):\n"
                        f"{result.stderr.strip()}")
    return result


def verify(mlir_path):
    """Checks a model file with `tfmc-opt --tfm-verify-model` (parse, verify
    every op, the model contract); raises TfmcError with its diagnostics."""
    _run_tool([find_tool("tfmc-opt"), mlir_path, "--tfm-verify-model",
               "-o", os.devnull], f"verifying {mlir_path}")


def compile(model, output=None, *, weights=None, input_shapes=None,
            target="cpu", extra_args=()):
    """Compiles `model` (a Graph, a .mlir file with its .safetensors beside
    it, or an .onnx file, whose dynamic dimensions `input_shapes` fixes) into
    an executable; returns a CompiledModel.

    `output` is the executable's path (default: a temporary directory that
    lives as long as the returned object). `target` is "cpu" or "vulkan"
    (the executable then runs on the machine's Vulkan device). `extra_args`
    go to tfmc-compile (e.g. ["--mcpu=x86-64"]).
    """
    if target not in ("cpu", "vulkan"):
        raise TfmcError(f"unknown target '{target}' (expected cpu or vulkan)")
    if isinstance(model, (str, os.PathLike)) and os.fspath(model).endswith(".onnx"):
        from .onnx_import import import_onnx
        model = import_onnx(model, input_shapes=input_shapes)
    elif input_shapes:
        raise TfmcError("input_shapes applies to ONNX models only")
    workdir = tempfile.mkdtemp(prefix="tfmc-")
    try:
        if isinstance(model, (str, os.PathLike)):
            mlir, names = os.fspath(model), None
        else:   # a Graph: its names as they are (--info shows control characters as ?)
            mlir = model.save(os.path.join(workdir, "model"))
            names = ([n for n, _ in model.inputs], [n for n, _ in model.outputs])
        exe = os.path.abspath(output) if output else os.path.join(workdir, "model")
        args = [find_tool("tfmc-compile"), mlir, "-o", exe, f"--target={target}",
                *extra_args]
        if weights:
            args += ["--weights", os.fspath(weights)]
        _run_tool(args, f"compiling {mlir}")
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return CompiledModel(exe, workdir, names)


def _shown(name):
    # How --info shows a name: control characters become '?'.
    return re.sub(r"[\x00-\x1f\x7f]", "?", name)


def _file_name(tensor_name):
    # The executable writes output NAME to DIR/<NAME with every character but
    # A-Z a-z 0-9 . _ - replaced by _ (each byte of a non-ASCII one)>.npy.
    return re.sub(rb"[^A-Za-z0-9._-]", b"_", tensor_name.encode()).decode() + ".npy"


class TensorInfo:
    """One input or output of a compiled model."""

    def __init__(self, name, dtype, shape):
        self.name, self.dtype, self.shape = name, dtype, shape

    def __repr__(self):
        return f"{self.name}: {self.dtype} {list(self.shape)}"


class CompiledModel:
    """An executable built by tfmc-compile, run on numpy arrays:

        outputs = model.run(x=x_array)        # {"y": array, ...}
    """

    def __init__(self, path, workdir=None, names=None):
        """`names`: the model's (input names, output names) when known, to
        use instead of --info's display of them."""
        self.path = os.fspath(path)
        self._workdir = workdir or tempfile.mkdtemp(prefix="tfmc-run-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._workdir,
                                         ignore_errors=True)
        self.inputs, self.outputs = self._read_info()
        for infos, real in zip((self.inputs, self.outputs), names or ()):
            if [i.name for i in infos] == [_shown(n) for n in real]:
                for info, name in zip(infos, real):
                    info.name = name

    def _read_info(self):
        info = _run_tool([self.path, "--info"], f"{self.path} --info", timeout=60)
        inputs, outputs = [], []
        for line in info.stdout.splitlines():
            kind, rest = line.split(" ", 1)
            name, dtype, shape = rest.rsplit(" ", 2)
            dims = tuple(int(d) for d in shape.strip("[]").split(",") if d)
            (inputs if kind == "input" else outputs).append(TensorInfo(name, dtype, dims))
        return inputs, outputs

    def _prepare(self, info, array):
        """The input as the executable takes it. Arrays of the right kind are
        converted (float64 -> f32, Python ints -> i64); anything else is an
        error naming the input."""
        if info.dtype == "bf16":
            array = to_bfloat16(array).bits
        array = np.asarray(array)
        expected = NUMPY_DTYPES[info.dtype]
        if array.dtype != expected:
            if array.dtype.kind != expected.kind:
                raise TfmcError(f"input '{info.name}': dtype {array.dtype} does not "
                                f"match the model's {info.dtype}")
            array = array.astype(expected)
        if array.shape != info.shape:
            raise TfmcError(f"input '{info.name}': shape {list(array.shape)} does not "
                            f"match the model's {list(info.shape)}")
        return np.asarray(array, order="C")  # (ascontiguousarray makes 0-d 1-d)

    def run(self, inputs=None, **named):
        """Runs the model once; `inputs` (name -> array) and keyword arguments
        give the inputs. Returns name -> array for every output."""
        given = {**(inputs or {}), **named}
        known = {i.name: i for i in self.inputs}
        known.update({_shown(i.name): i for i in self.inputs})
        chosen = {}   # input -> (the name as given, its array)
        for name, array in given.items():
            info = known.get(name) or known.get(_shown(name))
            if info is None:
                raise TfmcError(f"unknown input name '{name}' (the model's inputs "
                                f"are: {', '.join(i.name for i in self.inputs)})")
            chosen[info.name] = (name, self._prepare(info, array))
        missing = [i.name for i in self.inputs if i.name not in chosen]
        if missing:
            raise TfmcError(f"missing input '{missing[0]}'")
        rundir = tempfile.mkdtemp(dir=self._workdir, prefix="run-")
        try:
            args = [self.path]
            for k, (name, array) in enumerate(chosen.values()):
                path = os.path.join(rundir, f"input{k}.npy")
                np.save(path, array)
                args += ["--input", f"{name}={path}"]
            outdir = os.path.join(rundir, "out")
            _run_tool(args + ["--output-dir", outdir], f"running {self.path}")
            return {o.name: np.load(os.path.join(outdir, _file_name(o.name)))
                    for o in self.outputs}
        finally:
            shutil.rmtree(rundir, ignore_errors=True)

    __call__ = run

    def bench(self, runs=10):
        """Times `runs` forward passes on random inputs; returns
        {'min': ms, 'median': ms, 'max': ms}."""
        result = _run_tool([self.path, "--random-inputs", "--bench", str(runs)],
                           f"benchmarking {self.path}")
        fields = dict(f.split("=") for f in result.stdout.split()[1:])
        return {k: float(fields[k]) for k in ("min", "median", "max")}
