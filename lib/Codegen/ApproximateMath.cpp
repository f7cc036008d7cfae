//===- ApproximateMath.cpp - tfmc-approximate-math --------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The patterns exist upstream but are only reachable in mlir-opt through a
// test pass; this is the production entry point.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

namespace tfmc {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

/// A constant of `type` (f32 or a shaped type of f32).
Value splat(OpBuilder &b, Location loc, Type type, double v) {
  Attribute value = b.getF32FloatAttr(v);
  if (auto shaped = dyn_cast<ShapedType>(type))
    value = SplatElementsAttr::get(shaped, value);
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(value));
}

/// tanh(x) = ±1 where |x| > 9.1: f32 rounds it so (1 - tanh x ≈ 2e^-2x is
/// below half an ulp of 1 there). The polynomial gets close but not exactly
/// there once its FMAs and division are not IEEE-exact, as on GPUs.
void saturate(math::TanhOp tanh) {
  Value x = tanh.getOperand();
  Type type = x.getType();
  if (!getElementTypeOrSelf(type).isF32())
    return;
  OpBuilder b(tanh->getContext());
  b.setInsertionPointAfter(tanh);
  Location loc = tanh.getLoc();
  Value large = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                      math::AbsFOp::create(b, loc, x),
                                      splat(b, loc, type, 9.1));
  Value one = math::CopySignOp::create(b, loc, splat(b, loc, type, 1.0), x);
  Value result = arith::SelectOp::create(b, loc, large, one, tanh);
  tanh.getResult().replaceAllUsesExcept(result, result.getDefiningOp());
}

/// pow(x, y) from exp and log, with C99/IEEE 754's special cases (see the
/// pass description).
void expandPowF(math::PowFOp pow) {
  Value x = pow.getLhs(), y = pow.getRhs();
  Type type = x.getType();
  if (!getElementTypeOrSelf(type).isF32())
    return;
  OpBuilder b(pow);
  Location loc = pow.getLoc();
  auto c = [&](double v) { return splat(b, loc, type, v); };
  auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) -> Value {
    return arith::CmpFOp::create(b, loc, p, l, r);
  };
  auto select = [&](Value cond, Value t, Value f) -> Value {
    return arith::SelectOp::create(b, loc, cond, t, f);
  };
  auto both = [&](Value l, Value r) -> Value {
    return arith::AndIOp::create(b, loc, l, r);
  };
  using P = arith::CmpFPredicate;
  Value ax = math::AbsFOp::create(b, loc, x);
  Value magnitude = math::ExpOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, y, math::LogOp::create(b, loc, ax)));
  // Integer y: floor(y) == y (±inf counts, as even); odd: y mod 2 is ±1.
  // (Not-integer is its own compare, not a negation: lavapipe (Mesa 22.3)
  // miscompiles the negated form here.)
  Value yInteger = cmp(P::OEQ, math::FloorOp::create(b, loc, y), y);
  Value yOdd = both(yInteger,
                    cmp(P::ONE, arith::RemFOp::create(b, loc, y, c(2.0)),
                        c(0.0)));
  // The sign of x (of -0 too) for odd y.
  Value result = select(yOdd, math::CopySignOp::create(b, loc, magnitude, x),
                        magnitude);
  Value negative = cmp(P::OLT, x, c(0.0));
  // Negative x, non-integer y: NaN, except pow(-inf, y) = pow(inf, y).
  Value minusInf = cmp(P::OEQ, x, c(-INFINITY));
  Value nan = c(NAN);
  Value yFraction = cmp(P::UNE, math::FloorOp::create(b, loc, y), y);
  result = select(both(negative, yFraction),
                  select(minusInf, magnitude, nan), result);
  // |x| == 1 with y = ±inf: 1 (0 · inf would give NaN above).
  Value one = c(1.0);
  result = select(both(cmp(P::OEQ, ax, one), cmp(P::OEQ, math::AbsFOp::create(b, loc, y), c(INFINITY))), one, result);
  // Exact where the formula is not.
  result = select(cmp(P::OEQ, y, c(2.0)), arith::MulFOp::create(b, loc, x, x),
                  result);
  result = select(cmp(P::OEQ, y, one), x, result);
  Value isOne = arith::OrIOp::create(b, loc, cmp(P::OEQ, y, c(0.0)),
                                     cmp(P::OEQ, x, one));
  result = select(isOne, one, result);
  pow.replaceAllUsesWith(result);
  pow.erase();
}

struct ApproximateMathPass
    : public tfmc::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using Base::Base;

  void runOnOperation() override {
    if (expandPow)
      getOperation()->walk([](math::PowFOp pow) { expandPowF(pow); });
    // sin/cos are left to libm: positions make their arguments large.
    static const llvm::StringSet<> approximated = {"math.exp", "math.log",
                                                   "math.tanh", "math.erf"};
    getOperation()->walk([](math::TanhOp tanh) { saturate(tanh); });
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return approximated.contains(name); });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
