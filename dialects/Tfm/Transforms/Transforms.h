//===- Transforms.h - tfm graph rewrite patterns ----------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFM_TRANSFORMS_TRANSFORMS_H
#define TFM_TRANSFORMS_TRANSFORMS_H

namespace mlir {
class RewritePatternSet;
namespace tfm {
/// Expands tfm.multi_head_attention into linear/reshape/transpose/attention.
void populateDecomposeCompositesPatterns(RewritePatternSet &patterns);
/// Rewrites unfused attention chains (QKᵀ, scale, mask, softmax, ·V) to
/// tfm.attention.
void populateFuseAttentionPatterns(RewritePatternSet &patterns);
} // namespace tfm
} // namespace mlir

#endif // TFM_TRANSFORMS_TRANSFORMS_H
