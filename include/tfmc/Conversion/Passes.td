//===- Passes.td - tfmc conversion passes ------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_CONVERSION_PASSES_TD
#define TFMC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTfmToLinalgPass : Pass<"convert-tfm-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower every tfm op to linalg, tensor, arith and math on tensors";
  let description = [{
    Replaces each `tfm` op by upstream ops on tensors:

    - elementwise ops become `linalg.generic` with numpy-broadcasting
      indexing maps; f16/bf16 are computed in f32 and rounded once;
    - `linear`, `matmul` and the two products of `attention` become
      contraction `linalg.generic`s accumulating in f32;
    - `attention` lowers to its plain form (scores, mask, softmax, ·V) with
      fully masked rows giving zeros; `softmax` and `layer_norm` are
      max-subtracted / two-pass and accumulate in f32;
    - `embedding` and `gather` check every index at run time: an index out
      of range is reported through `tfmrt_index_error` (naming the op and
      its location) and clamped, so memory is never read out of bounds;
    - `tfm.weight "name"` becomes a read-only view of an external
      `memref.global` whose data the driver places in the object file
      (weights never become MLIR attributes).

    `tfm.multi_head_attention` must be decomposed first
    (`tfm-decompose-composites`). Dynamic shapes are rejected with an error
    at the op.

    ```mlir
    %y = tfm.relu %x : tensor<4xf32>
    // becomes
    %e = tensor.empty() : tensor<4xf32>
    %y = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %z = arith.constant 0.0 : f32
      %m = arith.maximumf %in, %z : f32
      linalg.yield %m : f32
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // TFMC_CONVERSION_PASSES_TD
