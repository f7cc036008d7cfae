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

namespace tfmc {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

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
  auto splat = [&](double v) -> Value {
    Attribute value = b.getF32FloatAttr(v);
    if (auto shaped = dyn_cast<ShapedType>(type))
      value = SplatElementsAttr::get(shaped, value);
    return arith::ConstantOp::create(b, loc, cast<TypedAttr>(value));
  };
  Value large = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                      math::AbsFOp::create(b, loc, x),
                                      splat(9.1));
  Value one = math::CopySignOp::create(b, loc, splat(1.0), x);
  Value result = arith::SelectOp::create(b, loc, large, one, tanh);
  tanh.getResult().replaceAllUsesExcept(result, result.getDefiningOp());
}

struct ApproximateMathPass
    : public tfmc::impl::ApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
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
