//===- TfmBase.td - tfm dialect, types and base op class ---*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFM_IR_TFMBASE_TD
#define TFM_IR_TFMBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Tfm_Dialect : Dialect {
  let name = "tfm";
  let cppNamespace = "::mlir::tfm";
  let summary = "Transformer graphs: the ops of the paper and of PyTorch/ONNX exports";
  let description = [{
    The `tfm` dialect holds a Transformer model as a graph of value-semantic
    ops on ranked tensors: parameters (`tfm.weight`, `tfm.constant`),
    embeddings and positional encodings, linear algebra (`tfm.linear`,
    `tfm.matmul`), attention (`tfm.attention`, `tfm.multi_head_attention`),
    normalization, numpy-broadcasting elementwise ops, shape ops and
    reductions.

    Element types are `f32`, `f16` and `bf16` for data, `i1` for masks and
    `i32`/`i64` for token ids and shape arithmetic.

    A model is a module whose public `func.func @main` is the entry point.
    Its arguments and results carry their user-visible names as `tfm.name`
    string attributes:

    ```mlir
    func.func @main(%src: tensor<2x16xi64> {tfm.name = "src"})
        -> (tensor<2x16x64xf32> {tfm.name = "out"}) { ... }
    ```

    Shape and element-type inference is written once per op (the
    `InferTypeOpInterface`); the verifier checks the declared result types
    against it and builders use it, so no op can hold a result type that
    disagrees with its operands.
  }];
  let hasConstantMaterializer = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The argument/result attribute that carries a model tensor's name.
    static constexpr ::llvm::StringLiteral getNameAttrName() { return "tfm.name"; }
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Tfm_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Tfm_IndexTensor : RankedTensorOf<[I32, I64]>;
def Tfm_NumericTensor : RankedTensorOf<[F32, F16, BF16, I32, I64]>;
def Tfm_Tensor : RankedTensorOf<[F32, F16, BF16, I1, I32, I64]>;
// A boolean mask (true = attend) or an additive float mask.
def Tfm_MaskTensor : RankedTensorOf<[I1, F32, F16, BF16]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Tfm_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "comparison predicate", [
      I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
      I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
      I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::tfm";
}

def Tfm_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "how gelu evaluates the Gaussian CDF", [
      I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"tanh", 1>]> {
  let cppNamespace = "::mlir::tfm";
}

//===----------------------------------------------------------------------===//
// Base op classes
//===----------------------------------------------------------------------===//

class Tfm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tfm_Dialect, mnemonic, traits>;

// Result types come from the op's shape function (TfmOps.cpp). Declared and
// inferred types are compatible when element types are equal and sizes agree
// wherever both are known (a `?` on either side matches any size), as
// upstream's shape-compatibility rule.
def Tfm_InferResultTypes : InferTypeOpAdaptorBase<[{
  static bool isCompatibleReturnTypes(::mlir::TypeRange l, ::mlir::TypeRange r) {
    return ::mlir::tfm::areCompatibleResultTypes(l, r);
  }
}]>;

#endif // TFM_IR_TFMBASE_TD
