//===- FuseAttention.cpp - tfm-fuse-attention -------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Recovers tfm.attention from the unfused chain exports produce:
//
//   matmul(Q', Kᵀ) → [scale] → [+ mask | select(mask, ·, -inf)] →
//   softmax(last axis) → matmul(·, V)
//
// The match walks up from the final matmul and only accepts what is
// provably the same computation: every intermediate has one use, the
// softmax is over the keys, scales are splat constants, masks broadcast to
// the scores without enlarging them, fills are -inf (or, for a causal
// constant mask where no row is fully masked, any very negative number).
//
//===----------------------------------------------------------------------===//

#include "Tfm/IR/TfmOps.h"
#include "Tfm/Transforms/Passes.h"
#include "Tfm/Transforms/Transforms.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMFUSEATTENTIONPASS
#include "Tfm/Transforms/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using namespace mlir::tfm;

namespace {

/// Fills at or below this count as "masked out" for constant causal masks,
/// where no row is fully masked (so the fill value cannot matter).
constexpr double kMaskedFill = -1.0e4;

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// The value of a splat float constant.
std::optional<double> getSplatFloat(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

bool hasOneUse(Value v) { return v.hasOneUse(); }

/// A value times a splat constant (x·c, c·x or x/c), with its factor.
struct Scaled {
  Value value;
  double factor = 1.0;
  SmallVector<Operation *> ops;
};

/// Peels at most one scaling op off `v` (used once) that keeps its shape.
Scaled peelScale(Value v) {
  Scaled s{v, 1.0, {}};
  Operation *def = v.getDefiningOp();
  if (!def || !hasOneUse(v))
    return s;
  auto keepsShape = [&](Value x) { return x.getType() == v.getType(); };
  if (auto mul = dyn_cast<MulOp>(def)) {
    if (auto c = getSplatFloat(mul.getRhs()); c && keepsShape(mul.getLhs()))
      return {mul.getLhs(), *c, {def}};
    if (auto c = getSplatFloat(mul.getLhs()); c && keepsShape(mul.getRhs()))
      return {mul.getRhs(), *c, {def}};
  }
  if (auto div = dyn_cast<DivOp>(def))
    if (auto c = getSplatFloat(div.getRhs()); c && *c != 0.0 &&
                                              keepsShape(div.getLhs()))
      return {div.getLhs(), 1.0 / *c, {def}};
  return s;
}

/// Peels every scaling op off `v`, multiplying their factors.
Scaled peelScales(Value v) {
  Scaled all{v, 1.0, {}};
  for (Scaled next = peelScale(v); !next.ops.empty();
       next = peelScale(next.value)) {
    all.value = next.value;
    all.factor *= next.factor;
    llvm::append_range(all.ops, next.ops);
  }
  return all;
}

/// Whether `cond` is a constant that keeps exactly the causal pattern of a
/// [.., Sq, Sk] score matrix (key j visible to query i iff j <= i + Sk - Sq),
/// with every leading dimension of size 1 (or repeating it).
bool isCausalConstant(Value cond, int64_t sq, int64_t sk, bool keepIsTrue) {
  DenseElementsAttr attr;
  if (!matchPattern(cond, m_Constant(&attr)))
    return false;
  auto type = cast<RankedTensorType>(attr.getType());
  if (type.getRank() < 2 || type.getDimSize(type.getRank() - 2) != sq ||
      type.getDimSize(type.getRank() - 1) != sk)
    return false;
  SmallVector<bool> values;
  if (attr.isSplat())
    return false; // all visible or all hidden: not causal
  for (bool b : attr.getValues<bool>())
    values.push_back(b);
  for (size_t n = 0; n < values.size(); ++n) {
    int64_t j = n % sk, i = (n / sk) % sq;
    bool visible = j <= i + (sk - sq);
    if (values[n] != (visible == keepIsTrue))
      return false;
  }
  return true;
}

/// The same, for an additive float mask: 0 where visible, <= kMaskedFill
/// (or -inf) where hidden.
bool isCausalAdditiveConstant(Value mask, int64_t sq, int64_t sk) {
  DenseElementsAttr attr;
  if (!matchPattern(mask, m_Constant(&attr)) || attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return false;
  auto type = cast<RankedTensorType>(attr.getType());
  if (type.getRank() < 2 || type.getDimSize(type.getRank() - 2) != sq ||
      type.getDimSize(type.getRank() - 1) != sk)
    return false;
  int64_t n = 0;
  for (const APFloat &v : attr.getValues<APFloat>()) {
    int64_t j = n % sk, i = (n / sk) % sq;
    ++n;
    double d = v.convertToDouble();
    bool visible = j <= i + (sk - sq);
    if (visible ? d != 0.0 : !(d <= kMaskedFill))
      return false;
  }
  return true;
}

struct FuseAttentionChain : public OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp pv,
                                PatternRewriter &b) const override {
    // ·V: probabilities on the left, V plain (or transposed back by the
    // matmul itself).
    if (pv.getTransposeA())
      return b.notifyMatchFailure(pv, "probabilities are transposed");
    auto softmax = pv.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax || !hasOneUse(softmax.getResult()))
      return b.notifyMatchFailure(pv, "lhs is not a softmax used only here");
    int64_t scoreRank = softmax.getType().getRank();
    int64_t axis = static_cast<int64_t>(softmax.getAxis());
    if (axis != -1 && axis != scoreRank - 1)
      return b.notifyMatchFailure(pv, "softmax is not over the keys");
    SmallVector<Operation *> matched = {pv, softmax};
    Value scores = softmax.getInput();
    auto scoresType = tensorType(scores);

    // [mask]: an additive mask or a select against a fill.
    Value mask;
    bool invertMask = false;
    bool causal = false;
    double scale = 1.0;
    int64_t sq = scoresType.getDimSize(scoreRank - 2);
    int64_t sk = scoresType.getDimSize(scoreRank - 1);
    auto notDynamicallyEnlarging = [&](Value masked, Value other) {
      return masked.getType() == other.getType();
    };
    if (Operation *def = scores.getDefiningOp(); def && hasOneUse(scores)) {
      if (auto add = dyn_cast<AddOp>(def)) {
        // Which side is the scores? The one that is a (scaled) matmul.
        Value lhs = add.getLhs(), rhs = add.getRhs();
        auto isScores = [&](Value v) {
          Value x = peelScales(v).value;
          return x.getDefiningOp<MatmulOp>() != nullptr;
        };
        Value s = isScores(lhs) ? lhs : isScores(rhs) ? rhs : Value();
        Value m = s == lhs ? rhs : lhs;
        if (s && notDynamicallyEnlarging(s, add.getResult())) {
          if (isCausalAdditiveConstant(m, sq, sk) && sq <= sk)
            causal = true;
          else
            mask = m;
          matched.push_back(add);
          scores = s;
        }
      } else if (auto select = dyn_cast<SelectOp>(def)) {
        Value t = select.getTrueValue(), f = select.getFalseValue();
        std::optional<double> fillT = getSplatFloat(t),
                              fillF = getSplatFloat(f);
        // select(keep, s, fill) or select(drop, fill, s).
        bool keepIsTrue = fillF.has_value() && !fillT.has_value();
        std::optional<double> fill = keepIsTrue ? fillF : fillT;
        Value s = keepIsTrue ? t : f;
        if (!fill || !notDynamicallyEnlarging(s, select.getResult()))
          return b.notifyMatchFailure(pv, "select is not a masked fill");
        Value cond = select.getCondition();
        if (isCausalConstant(cond, sq, sk, keepIsTrue) &&
            (std::isinf(*fill) ? *fill < 0 : *fill <= kMaskedFill) &&
            sq <= sk) {
          causal = true;
        } else if (std::isinf(*fill) && *fill < 0) {
          // Only -inf keeps the fused semantics for fully masked rows. A
          // condition that marks what to drop is inverted when rewriting.
          mask = cond;
          invertMask = !keepIsTrue;
        } else {
          return b.notifyMatchFailure(
              pv, "masked fill is not -inf (and not a causal constant mask)");
        }
        matched.push_back(select);
        scores = s;
      }
    }

    // [scale] on the scores: any number of constant factors.
    Scaled scaled = peelScales(scores);
    scale *= scaled.factor;
    llvm::append_range(matched, scaled.ops);
    auto qk = scaled.value.getDefiningOp<MatmulOp>();
    if (!qk || !hasOneUse(qk.getResult()) || qk.getTransposeA())
      return b.notifyMatchFailure(pv, "scores are not Q·Kᵀ used only here");
    matched.push_back(qk);

    // Scales pre-applied to Q or K.
    Scaled q = peelScales(qk.getLhs());
    scale *= q.factor;
    llvm::append_range(matched, q.ops);
    Value kT = qk.getRhs();
    Value key;
    std::optional<SmallVector<int64_t>> keyPerm;
    if (qk.getTransposeB()) {
      Scaled k = peelScales(kT);
      scale *= k.factor;
      llvm::append_range(matched, k.ops);
      key = k.value;
    } else {
      // Kᵀ spelled as a transpose: K = transpose(K0, perm ∘ swap-last-two).
      Scaled k = peelScales(kT);
      // Kᵀ may be shared (two chains on the same keys): a new transpose of
      // K is made either way, and the old one dies with its last chain.
      auto transpose = k.value.getDefiningOp<TransposeOp>();
      if (!transpose)
        return b.notifyMatchFailure(pv, "no transposed key");
      scale *= k.factor;
      llvm::append_range(matched, k.ops);
      matched.push_back(transpose);
      SmallVector<int64_t> perm(transpose.getPermutation());
      int64_t n = perm.size();
      std::swap(perm[n - 1], perm[n - 2]);
      key = transpose.getInput();
      if (!llvm::equal(perm, llvm::seq<int64_t>(0, n)))
        keyPerm = perm;
    }
    if (!std::isfinite(scale) || scale <= 0.0)
      return b.notifyMatchFailure(pv, "scale is not a finite positive number");

    // tfm.attention's own shape rules decide (no broadcast batch
    // dimensions beyond grouped-query heads), checked on types before any
    // IR is created.
    RankedTensorType qType = tensorType(q.value);
    RankedTensorType kType = tensorType(key);
    if (keyPerm) {
      SmallVector<int64_t> shape;
      for (int64_t p : *keyPerm)
        shape.push_back(kType.getDimSize(p));
      kType = RankedTensorType::get(shape, kType.getElementType());
    }
    RankedTensorType vType = tensorType(pv.getRhs());
    bool transposeValue = pv.getTransposeB();
    if (transposeValue) {
      SmallVector<int64_t> shape(vType.getShape());
      std::swap(shape[shape.size() - 1], shape[shape.size() - 2]);
      vType = RankedTensorType::get(shape, vType.getElementType());
    }
    if (!isAttentionShaped(qType, kType, vType, pv.getType()))
      return b.notifyMatchFailure(
          pv, "the operands do not form a tfm.attention of the same type");
    if (mask) {
      Type maskElement = tensorType(mask).getElementType();
      if (!maskElement.isInteger(1) && maskElement != qType.getElementType())
        return b.notifyMatchFailure(pv, "mask element type");
    }

    // Rewrite. Every new op carries the locations of the whole chain.
    Location loc = b.getFusedLoc(llvm::map_to_vector(
        matched, [](Operation *op) { return op->getLoc(); }));
    if (keyPerm)
      key = TransposeOp::create(b, loc, key, *keyPerm);
    Value value = pv.getRhs();
    if (transposeValue) {
      auto swap = llvm::to_vector(llvm::seq<int64_t>(0, vType.getRank()));
      std::swap(swap[swap.size() - 1], swap[swap.size() - 2]);
      value = TransposeOp::create(b, loc, value, swap);
    }
    if (mask && invertMask) {
      Value falseConst = ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(RankedTensorType::get({}, b.getI1Type()),
                                 false));
      mask = CompareOp::create(b, loc, ComparePredicate::eq, mask, falseConst);
    }
    Value attention = AttentionOp::create(
        b, loc, q.value, key, value, mask, b.getF64FloatAttr(scale),
        causal ? b.getUnitAttr() : UnitAttr());
    b.replaceOp(pv, attention);
    return success();
  }

  /// q [.., Hq, Sq, D], k [.., Hkv, Sk, D], v [.., Hkv, Sk, Dv] with equal
  /// leading dimensions (Hq a multiple of Hkv) giving `result`.
  static bool isAttentionShaped(RankedTensorType q, RankedTensorType k,
                                RankedTensorType v, Type result) {
    int64_t r = q.getRank();
    if (r < 2 || k.getRank() != r || v.getRank() != r ||
        q.getElementType() != k.getElementType() ||
        q.getElementType() != v.getElementType() ||
        q.getDimSize(r - 1) != k.getDimSize(r - 1) ||
        k.getDimSize(r - 2) != v.getDimSize(r - 2))
      return false;
    for (int64_t i = 0; i < r - 2; ++i) {
      if (k.getDimSize(i) != v.getDimSize(i))
        return false;
      bool heads = i == r - 3 && k.getDimSize(i) > 0 &&
                   q.getDimSize(i) % k.getDimSize(i) == 0;
      if (q.getDimSize(i) != k.getDimSize(i) && !heads)
        return false;
    }
    SmallVector<int64_t> shape(q.getShape());
    shape.back() = v.getDimSize(r - 1);
    return RankedTensorType::get(shape, q.getElementType()) == result;
  }
};

struct TfmFuseAttentionPass
    : public tfm::impl::TfmFuseAttentionPassBase<TfmFuseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseAttentionPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::tfm::populateFuseAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseAttentionChain>(patterns.getContext());
}
