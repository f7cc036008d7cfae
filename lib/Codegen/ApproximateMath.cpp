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
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"

namespace tfmc {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

struct ApproximateMathPass
    : public tfmc::impl::ApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    // sin/cos are left to libm: positions make their arguments large.
    static const llvm::StringSet<> approximated = {"math.exp", "math.log",
                                                   "math.tanh", "math.erf"};
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return approximated.contains(name); });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
