//===- DecomposeComposites.cpp - tfm-decompose-composites -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Tfm/IR/TfmOps.h"
#include "Tfm/Transforms/Passes.h"
#include "Tfm/Transforms/Transforms.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMDECOMPOSECOMPOSITESPASS
#include "Tfm/Transforms/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using namespace mlir::tfm;

namespace {

/// [.., S, heads·dim] -> [.., heads, S, dim]
Value splitHeads(PatternRewriter &b, Location loc, Value x, int64_t heads) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape(type.getShape().drop_back());
  shape.append({heads, type.getShape().back() / heads});
  Value reshaped = ReshapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), x);
  // reshaped is [lead.., S, heads, dim] (rank + 1 dims).
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank - 2; ++i)
    perm.push_back(i);
  perm.append({rank - 1, rank - 2, rank});
  return TransposeOp::create(b, loc, reshaped, perm);
}

/// [.., heads, S, dim] -> [.., S, heads·dim]
Value mergeHeads(PatternRewriter &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank - 3; ++i)
    perm.push_back(i);
  perm.append({rank - 2, rank - 3, rank - 1});
  Value transposed = TransposeOp::create(b, loc, x, perm);
  SmallVector<int64_t> shape(type.getShape().drop_back(3));
  shape.append({type.getDimSize(rank - 2),
                type.getDimSize(rank - 3) * type.getDimSize(rank - 1)});
  return ReshapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), transposed);
}

struct DecomposeMultiHeadAttention
    : public OpRewritePattern<MultiHeadAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MultiHeadAttentionOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    int64_t heads = static_cast<int64_t>(op.getNumHeads());
    int64_t headDim =
        cast<RankedTensorType>(op.getQWeight().getType()).getDimSize(0) / heads;
    int64_t kvHeads =
        cast<RankedTensorType>(op.getKWeight().getType()).getDimSize(0) /
        headDim;
    Value q = LinearOp::create(b, loc, op.getQuery(), op.getQWeight(),
                               op.getQBias());
    Value k = LinearOp::create(b, loc, op.getKey(), op.getKWeight(),
                               op.getKBias());
    Value v = LinearOp::create(b, loc, op.getValue(), op.getVWeight(),
                               op.getVBias());
    Value attention = AttentionOp::create(
        b, loc, splitHeads(b, loc, q, heads), splitHeads(b, loc, k, kvHeads),
        splitHeads(b, loc, v, kvHeads), op.getMask(), op.getScaleAttr(),
        op.getCausalAttr());
    Value out = LinearOp::create(b, loc, mergeHeads(b, loc, attention),
                                 op.getOutWeight(), op.getOutBias());
    b.replaceOp(op, out);
    return success();
  }
};

struct TfmDecomposeCompositesPass
    : public tfm::impl::TfmDecomposeCompositesPassBase<
          TfmDecomposeCompositesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposeCompositesPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::tfm::populateDecomposeCompositesPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DecomposeMultiHeadAttention>(patterns.getContext());
}
