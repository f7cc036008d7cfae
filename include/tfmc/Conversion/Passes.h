//===- Passes.h - tfmc conversion passes ------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_CONVERSION_PASSES_H
#define TFMC_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace tfmc {
#define GEN_PASS_DECL
#include "tfmc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tfmc/Conversion/Passes.h.inc"
} // namespace tfmc

#endif // TFMC_CONVERSION_PASSES_H
