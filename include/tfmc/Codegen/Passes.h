//===- Passes.h - tfmc code generation passes -------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_CODEGEN_PASSES_H
#define TFMC_CODEGEN_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace tfmc {
#define GEN_PASS_DECL
#include "tfmc/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

#endif // TFMC_CODEGEN_PASSES_H
