//===- TfmCanonicalize.td - tfm canonicalization patterns --*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Peepholes simple enough for DRR; folds that need C++ are in TfmFolds.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_IR_TFMCANONICALIZE_TD
#define TFM_IR_TFMCANONICALIZE_TD

include "mlir/IR/PatternBase.td"
include "Tfm/IR/TfmOps.td"

// Guards: with `?` sizes in the middle of a chain, the verifier cannot see
// that its ends disagree; never build an op that would fail verification.
def ReshapeableTo : Constraint<CPred<
    "::mlir::succeeded(::mlir::tfm::ReshapeOp::verifyShapes("
    "::llvm::cast<::mlir::RankedTensorType>($0.getType()), "
    "::llvm::cast<::mlir::RankedTensorType>($1.getType())))">>;
def BroadcastableTo : Constraint<CPred<
    "::mlir::tfm::BroadcastToOp::isBroadcastableTo("
    "::llvm::cast<::mlir::RankedTensorType>($0.getType()), "
    "::llvm::cast<::mlir::RankedTensorType>($1.getType()))">>;

// Only the last reshape of a chain decides the shape (row-major order is
// preserved by each step).
def ReshapeOfReshape
    : Pat<(Tfm_ReshapeOp:$result (Tfm_ReshapeOp $x)), (Tfm_ReshapeOp $x),
          [(ReshapeableTo $x, $result)]>;

// Broadcasting twice is broadcasting once to the final shape.
def BroadcastOfBroadcast
    : Pat<(Tfm_BroadcastToOp:$result (Tfm_BroadcastToOp $x)),
          (Tfm_BroadcastToOp $x), [(BroadcastableTo $x, $result)]>;

#endif // TFM_IR_TFMCANONICALIZE_TD
