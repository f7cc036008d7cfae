"""`python3 -m tfmc` (import, compile, run) and the Python `compile()`:
what they write, what they run, and how they report mistakes."""
import os

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import tfmc

import util

WEIGHT = np.arange(12, dtype=np.float32).reshape(3, 4) / 10


@pytest.fixture(scope="module")
def onnx_model(tmp_path_factory):
    """y = relu(x · W) with a dynamic batch dimension."""
    import onnx
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["h"], name="matmul"),
         helper.make_node("Relu", ["h"], ["y"], name="relu")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
        [numpy_helper.from_array(WEIGHT, "w")])
    path = str(tmp_path_factory.mktemp("onnx") / "net.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


def test_import_writes_the_model_and_its_weights(onnx_model, tmp_path):
    out = tmp_path / "imported"
    result = util.run_cli("import", onnx_model, "-o", str(out), "--input-shape", "x=2,3")
    assert result.stdout.splitlines()[:2] == ["input x f32 [2,3]", "output y f32 [2,4]"]
    tfmc.verify(str(out / "model.mlir"))
    assert list(tfmc.safetensors.load(str(out / "model.safetensors"))) == ["w"]
    assert "Imported from net.onnx" in (out / "model.mlir").read_text()


def test_compile_and_run(onnx_model, tmp_path):
    exe = str(tmp_path / "net")
    util.run_cli("compile", onnx_model, "-o", exe, "--input-shape", "x=2,3")
    x = np.array([[1, -2, 3], [0.5, 0, -1]], np.float32)
    np.save(tmp_path / "x.npy", x)
    for model in (exe, onnx_model):
        extra = [] if model == exe else ["--input-shape", "x=2,3"]
        util.run_cli("run", model, *extra, "--input", f"x={tmp_path / 'x.npy'}",
                     "--output-dir", str(tmp_path / "out"))
        np.testing.assert_allclose(np.load(tmp_path / "out" / "y.npy"),
                                   np.maximum(x @ WEIGHT, 0), rtol=1e-6)
    info = util.run_cli("run", exe, "--info").stdout
    assert info.splitlines() == ["input x f32 [2,3]", "output y f32 [2,4]"]


def test_compile_forwards_tfmc_compile_flags(onnx_model, tmp_path):
    graph_ir = util.run_cli("compile", onnx_model, "--input-shape", "x=1,3",
                            "--compile-to=graph").stdout
    assert "tfm.matmul" in graph_ir and 'loc("relu")' not in graph_ir
    util.run_cli("compile", onnx_model, "--input-shape", "x=1,3", "--emit=lib",
                 "-o", str(tmp_path / "libnet.a"))
    assert (tmp_path / "libnet.a").is_file() and (tmp_path / "libnet.h").is_file()


def test_mistakes_are_one_line_errors(onnx_model, tmp_path):
    cases = [
        (["import", onnx_model, "-o", str(tmp_path)], "input 'x' has a dynamic dimension 0"),
        (["run", onnx_model, "--input-shape", "x=2,three"], "sizes must be integers"),
        (["run", onnx_model, "--input-shape", "x=1,3", "--input", "x=missing.npy"],
         "missing.npy"),
        (["compile", str(tmp_path / "nothing.mlir")], "no model at"),
        (["run", onnx_model, "--input-value", "x"], "--input-value expects NAME=VALUE"),
    ]
    for args, message in cases:
        result = util.run_cli(*args, check=False)
        assert result.returncode == 1, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_python_compile_runs_on_numpy_arrays(onnx_model, tmp_path):
    model = tfmc.compile(onnx_model, str(tmp_path / "net"), input_shapes={"x": (2, 3)})
    assert os.path.isfile(tmp_path / "net")
    assert [(i.name, i.dtype, i.shape) for i in model.inputs] == [("x", "f32", (2, 3))]
    x = np.ones((2, 3))                      # float64 converts to the model's f32
    np.testing.assert_allclose(model(x=x)["y"], np.maximum(x @ WEIGHT, 0), rtol=1e-6)
    with pytest.raises(tfmc.TfmcError, match=r"input 'x': shape \[3\] does not match"):
        model.run(x=np.ones(3))
    with pytest.raises(tfmc.TfmcError, match="input 'x': dtype int64 does not match"):
        model.run(x=np.ones((2, 3), np.int64))
    with pytest.raises(tfmc.TfmcError, match="unknown input name 'z'"):
        model.run(x=x, z=x)
    with pytest.raises(tfmc.TfmcError, match="missing input 'x'"):
        model.run()
    timings = model.bench(3)
    assert 0 <= timings["min"] <= timings["median"] <= timings["max"]


def test_python_compile_for_vulkan(onnx_model, tmp_path):
    """target="vulkan": the same model on the machine's Vulkan device
    (lavapipe here); skipped, saying why, where there is none."""
    with pytest.raises(tfmc.TfmcError, match="unknown target 'metal'"):
        tfmc.compile(onnx_model, input_shapes={"x": (2, 3)}, target="metal")
    model = tfmc.compile(onnx_model, str(tmp_path / "net-vk"),
                         input_shapes={"x": (2, 3)}, target="vulkan")
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    try:
        y = model(x=x)["y"]
    except tfmc.TfmcError as e:
        if "no Vulkan" in str(e):
            pytest.skip(f"no Vulkan device here: {e}")
        raise
    np.testing.assert_allclose(y, np.maximum(x @ WEIGHT, 0), rtol=1e-6)
