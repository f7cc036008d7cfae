//===- KernelVariants.h - kernel variants for smaller devices ---*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_LIB_CODEGEN_KERNELVARIANTS_H
#define TFMC_LIB_CODEGEN_KERNELVARIANTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace tfmc {
/// A copy of kernel function `kernel` placed after it, named
/// `<kernel>_fallback` (made unique) and recorded in `kernel`'s
/// kFallbackKernelAttr: the variant the runtime dispatches on devices the
/// kernel (as the caller goes on to transform it) does not suit.
mlir::func::FuncOp addFallbackKernel(mlir::func::FuncOp kernel);
} // namespace tfmc

#endif // TFMC_LIB_CODEGEN_KERNELVARIANTS_H
