//===- Passes.h - tfm graph passes ------------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFM_TRANSFORMS_PASSES_H
#define TFM_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::tfm {
#define GEN_PASS_DECL
#include "Tfm/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "Tfm/Transforms/Passes.h.inc"
} // namespace mlir::tfm

#endif // TFM_TRANSFORMS_PASSES_H
