//===- MergeProjections.cpp - tfm-merge-projections -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Tfm/IR/TfmOps.h"
#include "Tfm/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMMERGEPROJECTIONSPASS
#include "Tfm/Transforms/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using namespace mlir::tfm;

namespace {

/// A stored weight (no parts), or null.
WeightOp getStoredWeight(Value v) {
  auto weight = v ? v.getDefiningOp<WeightOp>() : WeightOp();
  return weight && !weight.getParts() ? weight : WeightOp();
}

/// Whether `linear` may join a merge: stored weight [N, K] (and bias [N]).
bool isMergeable(LinearOp linear) {
  WeightOp weight = getStoredWeight(linear.getWeight());
  if (!weight || weight.getType().getRank() != 2)
    return false;
  return !linear.getBias() || getStoredWeight(linear.getBias());
}

/// Same weight element type and width, biases alike.
bool compatible(LinearOp a, LinearOp b) {
  auto wa = cast<RankedTensorType>(a.getWeight().getType());
  auto wb = cast<RankedTensorType>(b.getWeight().getType());
  return wa.getElementType() == wb.getElementType() &&
         wa.getDimSize(1) == wb.getDimSize(1) &&
         bool(a.getBias()) == bool(b.getBias()) &&
         (!a.getBias() || getElementTypeOrSelf(a.getBias().getType()) ==
                              getElementTypeOrSelf(b.getBias().getType())) &&
         a.getType().getElementType() == b.getType().getElementType();
}

/// A tfm.weight concatenating the stored weights `parts` along dim 0.
Value concatWeights(OpBuilder &b, MutableArrayRef<WeightOp> parts) {
  SmallVector<std::string> names;
  SmallVector<Attribute> partNames;
  int64_t rows = 0;
  for (WeightOp w : parts) {
    names.push_back(w.getName().str());
    partNames.push_back(b.getStringAttr(w.getName()));
    rows += w.getType().getDimSize(0);
  }
  SmallVector<int64_t> shape(parts.front().getType().getShape());
  shape[0] = rows;
  SmallVector<Location> locs;
  for (WeightOp w : parts)
    locs.push_back(w.getLoc());
  auto type = RankedTensorType::get(shape, parts.front().getType().getElementType());
  return WeightOp::create(b, b.getFusedLoc(locs), type,
                          b.getStringAttr(llvm::join(names, "+")),
                          b.getArrayAttr(partNames));
}

struct TfmMergeProjectionsPass
    : public tfm::impl::TfmMergeProjectionsPassBase<TfmMergeProjectionsPass> {
  void runOnOperation() override {
    // Groups of mergeable linears by (block, input), in program order.
    llvm::MapVector<std::pair<Block *, Value>, SmallVector<LinearOp>> groups;
    getOperation()->walk([&](LinearOp linear) {
      if (isMergeable(linear))
        groups[{linear->getBlock(), linear.getInput()}].push_back(linear);
    });
    for (auto &entry : groups) {
      SmallVector<LinearOp> &linears = entry.second;
      // Merge the largest compatible set with the first; others stay.
      SmallVector<LinearOp> group;
      for (LinearOp l : linears)
        if (group.empty() || compatible(group.front(), l))
          group.push_back(l);
      if (group.size() >= 2)
        merge(group);
    }
  }

  void merge(ArrayRef<LinearOp> group) {
    // Before the first of them (the input dominates it; the slices then
    // dominate every original use).
    LinearOp first = group.front();
    for (LinearOp l : group)
      if (l->isBeforeInBlock(first))
        first = l;
    OpBuilder b(first);
    SmallVector<WeightOp> weights, biases;
    SmallVector<Location> locs;
    for (LinearOp l : group) {
      weights.push_back(getStoredWeight(l.getWeight()));
      if (l.getBias())
        biases.push_back(getStoredWeight(l.getBias()));
      locs.push_back(l.getLoc());
    }
    Value weight = concatWeights(b, weights);
    Value bias = biases.empty() ? Value() : concatWeights(b, biases);
    RankedTensorType outType = first.getType();
    SmallVector<int64_t> shape(outType.getShape());
    int64_t total = cast<RankedTensorType>(weight.getType()).getDimSize(0);
    shape.back() = total;
    auto merged = LinearOp::create(
        b, b.getFusedLoc(locs),
        RankedTensorType::get(shape, outType.getElementType()),
        first.getInput(), weight, bias);
    int64_t offset = 0;
    int64_t rank = shape.size();
    for (LinearOp l : group) {
      int64_t n = l.getType().getShape().back();
      SmallVector<int64_t> starts(rank, 0), limits(shape), strides(rank, 1);
      starts.back() = offset;
      limits.back() = offset + n;
      auto slice = SliceOp::create(b, l.getLoc(), l.getType(), merged,
                                   starts, limits, strides);
      l.getResult().replaceAllUsesWith(slice.getResult());
      offset += n;
    }
    // Only now: the insertion point is just before `first`.
    for (LinearOp l : group)
      l.erase();
  }
};

} // namespace
