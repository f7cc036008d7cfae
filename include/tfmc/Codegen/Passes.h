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
/// tfmc-record-index-errors: the global holding a Vulkan model's
/// index-error record, and the module attribute listing its sites.
inline constexpr llvm::StringLiteral kIndexErrorsGlobal = "__tfmc_index_errors";
inline constexpr llvm::StringLiteral kIndexErrorSitesAttr =
    "tfmc.index_error_sites";

/// tfmc-split-large-buffers: on a spirv.module whose buffers were split,
/// per binding [kernel operand, byte offset, bytes] (DenseI64ArrayAttrs).
inline constexpr llvm::StringLiteral kBindingRangesAttr =
    "tfmc.binding_ranges";

/// What every Vulkan device provides, which generated kernels stay within:
/// workgroups per grid dimension, and bytes of workgroup memory.
inline constexpr int64_t kVulkanMaxGroupsPerDimension = 65535;
inline constexpr int64_t kVulkanMinSharedMemoryBytes = 16384;

/// tfmc-tile-gpu-contractions: on a kernel function, the symbol of its
/// variant for devices with smaller limits (the runtime picks it when the
/// kernel's workgroup size or workgroup memory exceeds the device's).
inline constexpr llvm::StringLiteral kFallbackKernelAttr = "tfmc.fallback";

#define GEN_PASS_DECL
#include "tfmc/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

#endif // TFMC_CODEGEN_PASSES_H
