//===- TfmOps.h - tfm dialect operations ------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFM_IR_TFMOPS_H
#define TFM_IR_TFMOPS_H

#include "Tfm/IR/TfmDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "Tfm/IR/TfmEnums.h.inc"

namespace mlir::tfm {
/// Non-splat tfm.constant values (and folds producing them) are limited to
/// this many elements; parameters belong in tfm.weight.
inline constexpr int64_t kMaxConstantElements = 1 << 16;

/// Declared result types are compatible with inferred ones when they have the
/// same element types and shapes that agree wherever both are static.
bool areCompatibleResultTypes(TypeRange declared, TypeRange inferred);
} // namespace mlir::tfm

#define GET_OP_CLASSES
#include "Tfm/IR/TfmOps.h.inc"

#endif // TFM_IR_TFMOPS_H
