"""python3 -m tfmc: import ONNX models, compile and run models.

  python3 -m tfmc import model.onnx -o DIR [--input-shape NAME=D0,D1,...]
  python3 -m tfmc compile model.onnx|model.mlir -o model [tfmc-compile flags]
  python3 -m tfmc run model.onnx|model.mlir|executable [executable flags]

Exit status: 0 success, 1 a problem with the model, its inputs or the
command line (one line on stderr naming it), 2 an internal failure.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import traceback

import numpy as np

from .compiler import find_tool
from .errors import TfmcError


def _name_and_value(text, flag):
    # Names may contain '=': the value is after the last one.
    name, sep, value = text.rpartition("=")
    if not sep or not name:
        raise TfmcError(f"{flag} expects NAME=VALUE, got '{text}'")
    return name, value


def _input_shapes(specs):
    shapes = {}
    for spec in specs or ():
        name, dims = _name_and_value(spec, "--input-shape")
        try:
            shapes[name] = tuple(int(d) for d in dims.split(",")) if dims else ()
        except ValueError:
            raise TfmcError(f"--input-shape {spec}: sizes must be integers separated "
                            f"by commas") from None
        if any(d < 0 for d in shapes[name]):
            raise TfmcError(f"--input-shape {spec}: sizes must not be negative")
    return shapes


def _input_values(specs):
    values = {}
    for spec in specs or ():
        name, path = _name_and_value(spec, "--input-value")
        try:
            values[name] = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise TfmcError(f"--input-value {spec}: cannot read '{path}': {e}") from None
    return values


def _add_import_flags(parser):
    parser.add_argument("--input-shape", action="append", metavar="NAME=D0,D1,...",
                        help="the shape of an input whose ONNX shape has dynamic "
                             "dimensions (repeatable)")
    parser.add_argument("--input-value", action="append", metavar="NAME=FILE.npy",
                        help="fold an ONNX input into the model as this constant, e.g. "
                             "a shape tensor (repeatable)")


def _mlir_path(model, args, workdir):
    """The .mlir file to compile: `model` itself, or the import of an
    .onnx model written into `workdir`."""
    if model.endswith(".onnx"):
        from .onnx_import import import_onnx
        graph = import_onnx(model, _input_shapes(args.input_shape),
                            _input_values(args.input_value))
        return graph.save(os.path.join(workdir, "model"))
    if args.input_shape or args.input_value:
        raise TfmcError("--input-shape and --input-value apply to .onnx models")
    if not os.path.isfile(model):
        raise TfmcError(f"no model at '{model}'")
    return model


def _import(args):
    from .onnx_import import import_onnx
    graph = import_onnx(args.model, _input_shapes(args.input_shape),
                        _input_values(args.input_value))
    path = graph.save(os.path.join(args.output, args.name),
                      header=f"Imported from {os.path.basename(args.model)} by "
                             f"python3 -m tfmc import.")
    for kind, tensors in (("input", graph.inputs), ("output", graph.outputs)):
        for name, t in tensors:
            print(f"{kind} {name} {t.dtype} [{','.join(map(str, t.shape))}]")
    print(f"wrote {path} and {path[:-5]}.safetensors "
          f"({len(graph.weights)} weights)")
    return 0


def _compile(args, forwarded):
    with tempfile.TemporaryDirectory(prefix="tfmc-") as workdir:
        mlir = _mlir_path(args.model, args, workdir)
        command = [find_tool("tfmc-compile"), mlir, *forwarded]
        if args.output:
            command += ["-o", args.output]
        if args.weights:
            command += ["--weights", args.weights]
        return subprocess.run(command).returncode


def _run(args, forwarded):
    with tempfile.TemporaryDirectory(prefix="tfmc-") as workdir:
        executable = args.model
        if args.model.endswith((".onnx", ".mlir")):
            mlir = _mlir_path(args.model, args, workdir)
            executable = os.path.join(workdir, "model")
            command = [find_tool("tfmc-compile"), mlir, "-o", executable]
            if args.weights:
                command += ["--weights", args.weights]
            compiled = subprocess.run(command)
            if compiled.returncode != 0:
                return compiled.returncode
        elif args.input_shape or args.input_value or args.weights:
            raise TfmcError("--input-shape, --input-value and --weights apply to "
                            ".onnx and .mlir models, not executables")
        elif not os.path.isfile(executable):
            raise TfmcError(f"no model or executable at '{executable}'")
        return subprocess.run([os.path.abspath(executable), *forwarded]).returncode


def _parser():
    parser = argparse.ArgumentParser(
        prog="python3 -m tfmc", allow_abbrev=False, description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'python3 -m tfmc COMMAND --help' for a command's flags.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("import", allow_abbrev=False, help="ONNX model -> DIR/model.mlir + "
                            "DIR/model.safetensors")
    p.add_argument("model", help="the .onnx file")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="directory to write into (created if needed)")
    p.add_argument("--name", default="model",
                   help="file name stem of the outputs (default: %(default)s)")
    _add_import_flags(p)

    p = commands.add_parser(
        "compile", allow_abbrev=False,
        help="compile a model (.onnx, or .mlir with its .safetensors) into an executable",
        description="Compiles a model; other flags (--emit=lib, --mcpu=..., "
                    "--compile-to=graph, ...) go to tfmc-compile.")
    p.add_argument("model", help="the .onnx or .mlir file")
    p.add_argument("-o", "--output", help="the output file (tfmc-compile's -o)")
    p.add_argument("--weights", help="the .safetensors file of a .mlir model "
                   "(default: beside it)")
    _add_import_flags(p)

    p = commands.add_parser(
        "run", allow_abbrev=False, help="compile a model if needed, then run it",
        description="Runs a model (.onnx and .mlir models are compiled into a "
                    "temporary executable first); other flags (--input NAME=FILE.npy, "
                    "--output-dir DIR, --random-inputs, --bench N, --info, ...) go to "
                    "the executable (see docs/executable.md).")
    p.add_argument("model", help="the .onnx or .mlir file, or an executable")
    p.add_argument("--weights", help="the .safetensors file of a .mlir model")
    _add_import_flags(p)
    return parser


def main(argv=None):
    parser = _parser()
    args, forwarded = parser.parse_known_args(argv)
    try:
        if args.command == "import":
            if forwarded:
                parser.error(f"unrecognized arguments: {' '.join(forwarded)}")
            return _import(args)
        if args.command == "compile":
            return _compile(args, forwarded)
        return _run(args, forwarded)
    except TfmcError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception:  # a bug in tfmc: say so, with the traceback
        traceback.print_exc()
        print("error: internal failure in tfmc's Python frontend (please report it)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
