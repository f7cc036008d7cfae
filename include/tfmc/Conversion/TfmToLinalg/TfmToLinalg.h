//===- TfmToLinalg.h - tfm to linalg conversion -----------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_CONVERSION_TFMTOLINALG_TFMTOLINALG_H
#define TFMC_CONVERSION_TFMTOLINALG_TFMTOLINALG_H

#include "llvm/ADT/StringRef.h"
#include <string>

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tfmc {
/// Adds the patterns that lower every tfm op (but multi_head_attention,
/// which tfm-decompose-composites expands) to linalg/tensor/arith/math.
void populateTfmToLinalgConversionPatterns(mlir::RewritePatternSet &patterns);

/// The symbol of the external global that holds weight `name`'s data. The
/// driver defines it in the object's weight section.
std::string getWeightSymbolName(llvm::StringRef name);

/// Lowering choices the configuration step (tfmc-configure-lowering) puts on
/// tfm.attention: "flash" (online softmax over key blocks of
/// kAttentionBlockAttr keys) or "unfused" (the default when absent).
inline constexpr llvm::StringLiteral kAttentionLoweringAttr =
    "tfmc.attention_lowering";
inline constexpr llvm::StringLiteral kAttentionBlockAttr = "tfmc.kv_block";

/// The runtime function generated code calls on an out-of-range index:
/// void tfmrt_index_error(int64_t index, int64_t lower, int64_t upper,
///                        const char *site).
inline constexpr llvm::StringLiteral kIndexErrorFunction = "tfmrt_index_error";
} // namespace tfmc

#endif // TFMC_CONVERSION_TFMTOLINALG_TFMTOLINALG_H
