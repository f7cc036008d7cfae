//===- ParallelizeKernels.cpp - tfmc-parallelize-kernels --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One parallel loop per kernel, chosen before lowering where the iterator
// types are known: parallelizing every parallel dimension would move the
// reductions innermost (as convert-linalg-to-parallel-loops does), undoing
// the loop order that makes the innermost loop vectorize.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "LoopAccess.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace tfmc {
#define GEN_PASS_DEF_PARALLELIZEKERNELSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

/// The first scf.for directly in `block`, if it is the only loop there.
scf::ForOp soleLoop(Block &block) {
  scf::ForOp found;
  for (Operation &op : block)
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      if (found)
        return {};
      found = loop;
    }
  return found;
}

struct ParallelizeKernelsPass
    : public tfmc::impl::ParallelizeKernelsPassBase<ParallelizeKernelsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto depthAttr = func->getAttrOfType<IntegerAttr>(tfmc::kParallelLoopAttr);
    if (!depthAttr || func.isExternal())
      return;
    scf::ForOp loop = soleLoop(func.getBody().front());
    for (int64_t d = 0; loop && d < depthAttr.getInt(); ++d)
      loop = soleLoop(*loop.getBody());
    // The nest is not the one the attribute describes: leave it serial.
    if (!loop || loop.getNumRegionIterArgs() != 0)
      return;
    OpBuilder b(loop);
    auto parallel = scf::ParallelOp::create(
        b, loop.getLoc(), ValueRange{loop.getLowerBound()},
        ValueRange{loop.getUpperBound()}, ValueRange{loop.getStep()});
    Block *body = parallel.getBody();
    IRMapping mapping;
    mapping.map(loop.getInductionVar(), parallel.getInductionVars()[0]);
    b.setInsertionPoint(body->getTerminator());
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, mapping);
    loop.erase();
  }
};

} // namespace
