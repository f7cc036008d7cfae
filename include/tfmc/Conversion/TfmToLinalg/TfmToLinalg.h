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
/// kAttentionBlockAttr keys), "gpu-flash" (the online-softmax GPU kernel)
/// or "unfused" (the default when absent).
inline constexpr llvm::StringLiteral kAttentionLoweringAttr =
    "tfmc.attention_lowering";
inline constexpr llvm::StringLiteral kAttentionBlockAttr = "tfmc.kv_block";

/// "gpu-flash" (Vulkan) lowers tfm.attention to a call of a function
/// declaration (query, key, value[, mask], result buffer) carrying this
/// dictionary ({scale: f64, causal: unit}); tfmc-lower-gpu-attention gives
/// it its kernel body.
inline constexpr llvm::StringLiteral kGPUAttentionAttr = "tfmc.attention";

/// On a tfm.weight (set by the configuration step when every use is the
/// weight of a tfm.linear): store the [N, K] matrix as [ceil(N/P), K, P]
/// panels of P output columns, the layout the matmul register tile reads,
/// so no packing runs at run time. The value is P.
inline constexpr llvm::StringLiteral kWeightPanelAttr = "tfmc.weight_panel";

/// The symbol of the packed form of weight `name` (panels of `panel`
/// columns). Never equal to any getWeightSymbolName result.
std::string getPackedWeightSymbolName(llvm::StringRef name, int64_t panel);

/// The runtime function generated code calls on an out-of-range index:
/// void tfmrt_index_error(int64_t index, int64_t lower, int64_t upper,
///                        const char *site).
inline constexpr llvm::StringLiteral kIndexErrorFunction = "tfmrt_index_error";
} // namespace tfmc

#endif // TFMC_CONVERSION_TFMTOLINALG_TFMTOLINALG_H
