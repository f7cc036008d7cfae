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

// Only the last reshape of a chain decides the shape (row-major order is
// preserved by each step).
def ReshapeOfReshape
    : Pat<(Tfm_ReshapeOp (Tfm_ReshapeOp $x)), (Tfm_ReshapeOp $x)>;

// Broadcasting twice is broadcasting once to the final shape.
def BroadcastOfBroadcast
    : Pat<(Tfm_BroadcastToOp (Tfm_BroadcastToOp $x)), (Tfm_BroadcastToOp $x)>;

#endif // TFM_IR_TFMCANONICALIZE_TD
