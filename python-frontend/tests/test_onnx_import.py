"""The ONNX importer on hand-built graphs: what it refuses and how it says
so (op type, node name, opset), static shapes and their options, shape
subgraphs folded at import, names and locations kept."""
import re

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import tfmc
from tfmc import TfmcError, UnsupportedError

import util


def _model(nodes, inputs, outputs, initializers=(), opset=13, value_info=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers),
                              value_info=list(value_info))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _input(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def _const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def _refused(model, match, error=UnsupportedError, **kwargs):
    with pytest.raises(error, match=match):
        tfmc.import_onnx(model, **kwargs)


def test_unsupported_op_names_type_node_and_opset():
    model = _model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv1")],
                   [_input("x", [1, 1, 4, 4])], [_input("y", None)],
                   [_const("w", np.ones((1, 1, 3, 3), np.float32))], opset=13)
    _refused(model, re.escape("Conv node 'conv1' (opset 13): tfmc does not support this op"))


def test_unsupported_attribute_and_attribute_value():
    relu = helper.make_node("Gemm", ["x", "x"], ["y"], name="gemm", transA=1, foo=3)
    _refused(_model([relu], [_input("x", [2, 2])], [_input("y", None)]),
             re.escape("Gemm node 'gemm' (opset 13): attribute 'foo' is not supported"))
    norm = helper.make_node("LayerNormalization", ["x", "s"], ["y"], name="ln", stash_type=0)
    _refused(_model([norm], [_input("x", [2, 4])], [_input("y", None)],
                    [_const("s", np.ones(4, np.float32))], opset=17),
             re.escape("LayerNormalization node 'ln' (opset 17): stash_type other than 1"))
    pad = helper.make_node("Pad", ["x", "p"], ["y"], mode="wrap")
    _refused(_model([pad], [_input("x", [2, 4])], [_input("y", None)],
                    [_const("p", np.array([0, 1, 0, 1]))]),
             re.escape("Pad node producing 'y' (opset 13): mode 'wrap' is not supported"))


def test_dynamic_dimensions_need_a_size():
    model = _model([helper.make_node("Relu", ["x"], ["y"])],
                   [_input("x", ["batch", 4])], [_input("y", ["batch", 4])])
    _refused(model, r"input 'x' has a dynamic dimension 0 \('batch'\); tfmc compiles static "
                    r"shapes: give the input's shape with input_shapes=")
    graph = tfmc.import_onnx(model, input_shapes={"x": (3, 4)})
    assert graph.inputs[0][1].shape == (3, 4)
    _refused(model, r"given shape \[3\] has rank 1, the model's has rank 2", TfmcError,
             input_shapes={"x": (3,)})
    _refused(model, r"given size 5 of dimension 1 contradicts the model's 4", TfmcError,
             input_shapes={"x": (3, 5)})
    _refused(model, r"'z' is not an input of the model \(its inputs are: x\)", TfmcError,
             input_shapes={"z": (1,)})


def test_shapes_from_run_time_data_are_refused():
    """A Reshape whose target shape comes from an input's values, not its
    shape, cannot be compiled statically."""
    nodes = [helper.make_node("Cast", ["n"], ["shape"], to=TensorProto.INT64),
             helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")]
    model = _model(nodes, [_input("x", [2, 6]), _input("n", [2])], [_input("y", None)])
    _refused(model, re.escape(
        "Reshape node 'reshape' (opset 13): the target shape (input 1, 'shape') must be "
        "known at import time, but it is computed from the run-time data of input 'n'"))
    # Binding that input to a value folds it.
    graph = tfmc.import_onnx(model, input_values={"n": np.array([3, 4], np.float32)})
    assert [n for n, _ in graph.inputs] == ["x"] and graph.outputs[0][1].shape == (3, 4)


def test_shape_subgraphs_fold_at_import(tmp_path):
    """Shape -> Gather -> Unsqueeze -> Concat -> Reshape, ConstantOfShape,
    Range, Equal/Where on constants: all folded, only the data ops remain."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["batch"], axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
        helper.make_node("Concat", ["batch1", "minus1"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["flat"], name="flatten"),
        helper.make_node("Gather", ["s", "one"], ["seq"], axis=0),
        helper.make_node("Range", ["start", "seq", "step"], ["positions"]),
        helper.make_node("Unsqueeze", ["seq", "axes0"], ["seq1"]),
        helper.make_node("ConstantOfShape", ["seq1"], ["ones"],
                         value=helper.make_tensor("v", TensorProto.INT64, [1], [1])),
        helper.make_node("Equal", ["positions", "ones"], ["is_one"]),
        helper.make_node("Cast", ["is_one"], ["weights"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["x", "weights"], ["masked"], name="mask"),
    ]
    inits = [_const("zero", np.array(0)), _const("one", np.array(1)),
             _const("axes0", np.array([0])), _const("minus1", np.array([-1])),
             _const("start", np.array(0)), _const("step", np.array(1))]
    model = _model(nodes, [_input("x", [2, 3])],
                   [_input("flat", [2, 3]), _input("masked", [2, 3])], inits)
    graph = tfmc.import_onnx(model)
    text = graph.to_mlir()
    ops = re.findall(r"= (tfm\.\w+)", text)
    assert sorted(ops) == ["tfm.constant", "tfm.mul"], text   # the reshape is a no-op
    assert 'tfm.constant dense<[0.0, 1.0, 0.0]> : tensor<3xf32>' in text
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = tfmc.compile(util.verify(graph, str(tmp_path))).run(x=x)
    np.testing.assert_array_equal(out["masked"], x * [0, 1, 0])
    np.testing.assert_array_equal(out["flat"], x)


def test_element_types_opsets_and_domains():
    relu = helper.make_node("Relu", ["x"], ["y"])
    _refused(_model([relu], [_input("x", [2], TensorProto.DOUBLE)], [_input("y", None)]),
             r"input 'x' has element type DOUBLE; tfm model inputs are float, float16")
    _refused(_model([relu], [_input("x", [2])], [_input("y", None)], opset=18),
             r"the model uses ONNX opset 18; tfmc imports opsets up to 17")
    custom = helper.make_node("FusedMatMul", ["x", "x"], ["y"], name="fm",
                              domain="com.microsoft")
    model = _model([custom], [_input("x", [2, 2])], [_input("y", None)])
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    _refused(model, r"FusedMatMul node 'fm': operators of domain 'com.microsoft' "
                    r"are not supported")
    cast = helper.make_node("Cast", ["x"], ["y"], name="to_double", to=TensorProto.DOUBLE)
    _refused(_model([cast], [_input("x", [2])], [_input("y", None)]),
             re.escape("Cast node 'to_double' (opset 13): Cast to f64 at run time is "
                       "not supported"))


def test_old_opsets_are_converted(tmp_path):
    """Opsets before 7 go through onnx's version converter."""
    model = _model([helper.make_node("Softsign", ["x"], ["y"])], [_input("x", [3])],
                   [_input("y", [3])], opset=1)
    graph = tfmc.import_onnx(model)
    out = tfmc.compile(util.verify(graph, str(tmp_path))).run(x=np.array([-2, 0, 1], np.float32))
    np.testing.assert_allclose(out["y"], [-2 / 3, 0, 0.5], rtol=1e-6)


def test_training_mode_and_other_refusals():
    dropout = helper.make_node("Dropout", ["x", "ratio", "train"], ["y"], name="drop")
    model = _model([dropout], [_input("x", [2])], [_input("y", None)],
                   [_const("ratio", np.float32(0.5)), _const("train", np.array(True))])
    _refused(model, re.escape("Dropout node 'drop' (opset 13): Dropout in training mode"))
    identity = helper.make_node("Identity", ["x"], ["x2"])
    _refused(_model([identity], [_input("x", [2])], [_input("x", [2])]),
             "graph output 'x' is also a graph input")
    dangling = helper.make_node("Relu", ["nowhere"], ["y"], name="r")
    _refused(_model([dangling], [_input("x", [2])], [_input("y", None)]),
             "Relu node 'r' reads 'nowhere', which no earlier node or input defines",
             TfmcError)


def test_declared_shapes_are_checked():
    """A result disagreeing with the type the model declares for it is an
    error, never compiled."""
    model = _model([helper.make_node("Transpose", ["x"], ["y"], name="t", perm=[0, 1])],
                   [_input("x", [2, 3])], [_input("y", [3, 2])])
    _refused(model, re.escape("Transpose node 't' (opset 13): output 'y' has shape [2, 3], "
                              "but the model declares [3, 2]"), TfmcError)


def test_unused_nodes_are_skipped():
    nodes = [helper.make_node("Conv", ["x", "x"], ["unused"]),
             helper.make_node("Relu", ["x"], ["y"])]
    graph = tfmc.import_onnx(_model(nodes, [_input("x", [2])], [_input("y", [2])]))
    assert "tfm.relu" in graph.to_mlir()


def test_names_locations_and_weights_are_kept(tmp_path):
    nodes = [helper.make_node("MatMul", ["in \"x\"", "W.weight"], ["h"], name='/layer/"MatMul"'),
             helper.make_node("Identity", ["W.weight"], ["tied"]),
             helper.make_node("MatMul", ["h", "tied"], ["out/y"], name="/layer/MatMul_1")]
    w = np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32)
    model = _model(nodes, [_input('in "x"', [2, 4])], [_input("out/y", [2, 4])],
                   [_const("W.weight", w)])
    graph = tfmc.import_onnx(model)
    text = graph.to_mlir()
    assert 'tfm.name = "in \\22x\\22"' in text and 'tfm.name = "out/y"' in text
    assert 'loc("/layer/\\22MatMul\\22")' in text and 'loc("/layer/MatMul_1")' in text
    assert list(graph.weights) == ["W.weight"]        # the Identity alias is the same weight
    x = np.ones((2, 4), np.float32)
    out = tfmc.compile(util.verify(graph, str(tmp_path))).run({'in "x"': x})
    np.testing.assert_allclose(out["out/y"], x @ w @ w, rtol=1e-5)


def test_unreadable_models():
    with pytest.raises(TfmcError, match="no ONNX model at 'missing.onnx'"):
        tfmc.import_onnx("missing.onnx")
    with pytest.raises(TfmcError, match="cannot read ONNX model"):
        tfmc.import_onnx(__file__)


def test_several_models_into_one_graph(tmp_path):
    """`into` and `name_prefix` put two models (with clashing names) into
    one executable."""
    def model(op):
        return _model([helper.make_node(op, ["x", "w"], ["y"], name="node")],
                      [_input("x", [2, 3])], [_input("y", [2, 3])],
                      [_const("w", np.full((2, 3), 2.0, np.float32))])
    graph = tfmc.Graph()
    tfmc.import_onnx(model("Add"), into=graph, name_prefix="first/")
    tfmc.import_onnx(model("Mul"), into=graph, name_prefix="second/")
    assert [n for n, _ in graph.inputs] == ["first/x", "second/x"]
    assert list(graph.weights) == ["first/w", "second/w"]
    assert 'loc("second/node")' in graph.to_mlir()
    util.verify(graph, str(tmp_path))


@pytest.mark.parametrize("dtype", [TensorProto.FLOAT, TensorProto.INT64])
def test_cumsum_at_run_time(dtype, tmp_path):
    """CumSum (position ids from an attention mask) as a scan of shifted
    adds; the backend test data has only double cases."""
    nodes, outputs = [], []
    for exclusive in (0, 1):
        for reverse in (0, 1):
            name = f"y{exclusive}{reverse}"
            nodes.append(helper.make_node("CumSum", ["x", "axis"], [name],
                                          exclusive=exclusive, reverse=reverse))
            outputs.append(_input(name, [3, 7], dtype))
    model = _model(nodes, [_input("x", [3, 7], dtype)], outputs,
                   [_const("axis", np.array(-1))])
    numpy_type = np.float32 if dtype == TensorProto.FLOAT else np.int64
    x = np.random.default_rng(3).integers(-9, 9, (3, 7)).astype(numpy_type)
    out = tfmc.compile(util.verify(tfmc.import_onnx(model), str(tmp_path))).run(x=x)
    for exclusive in (0, 1):
        for reverse in (0, 1):
            v = x[:, ::-1] if reverse else x
            expected = np.cumsum(v, axis=-1) - (v if exclusive else 0)
            expected = expected[:, ::-1] if reverse else expected
            np.testing.assert_array_equal(out[f"y{exclusive}{reverse}"], expected)
