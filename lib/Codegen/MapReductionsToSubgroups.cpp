//===- MapReductionsToSubgroups.cpp - tfmc-map-reductions-to-subgroups ----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Row reductions (softmax's max and sum, layer norm's moments, small
// matrix-vector products) with a subgroup per row instead of a thread per
// row: the lanes stride along the row and one subgroup operation combines
// their partial results. Written for any subgroup size (the device's, read
// in the kernel) and without barriers; devices without subgroup arithmetic
// run the kernel's plain variant (tfmc.fallback), chosen by the runtime.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "KernelVariants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

namespace tfmc {
#define GEN_PASS_DEF_MAPREDUCTIONSTOSUBGROUPSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;
using tfmc::kVulkanMaxGroupsPerDimension;

namespace {

/// A float reduction `out = combine(out, f(inputs))` over the innermost
/// loop of a generic whose other loops are parallel.
struct RowReduction {
  linalg::GenericOp op;
  Operation *combine; ///< arith.addf, arith.maximumf or arith.minimumf
  Value element;      ///< f(inputs), computed in the body
  SmallVector<int64_t> sizes;
};

std::optional<RowReduction> matchRowReduction(linalg::GenericOp op,
                                              int64_t minLength) {
  if (op.getNumDpsInits() != 1 || !op.hasPureBufferSemantics() ||
      op.hasIndexSemantics() || op.getNumReductionLoops() != 1)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators.back() != utils::IteratorType::reduction)
    return std::nullopt;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::any_of(sizes, ShapedType::isDynamic) || sizes.back() < minLength)
    return std::nullopt;
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation())
      return std::nullopt;
  Block &body = op.getRegion().front();
  Value yielded = body.getTerminator()->getOperand(0);
  Operation *combine = yielded.getDefiningOp();
  BlockArgument out = op.getRegionOutputArgs()[0];
  if (!combine || !isa<arith::AddFOp, arith::MaximumFOp, arith::MinimumFOp>(
                      combine))
    return std::nullopt;
  Value element;
  if (combine->getOperand(0) == out)
    element = combine->getOperand(1);
  else if (combine->getOperand(1) == out)
    element = combine->getOperand(0);
  // The accumulator is used by the combining op only.
  if (!element || !out.hasOneUse() || element == out)
    return std::nullopt;
  return RowReduction{op, combine, element, sizes};
}

struct MapReductionsToSubgroupsPass
    : public tfmc::impl::MapReductionsToSubgroupsPassBase<
          MapReductionsToSubgroupsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threads < 1 || rowsPerWorkgroup < 1 || minLength < 1) {
      getOperation().emitError("tfmc-map-reductions-to-subgroups: threads, "
                               "rows-per-workgroup and min-length must be "
                               "positive");
      return signalPassFailure();
    }
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>())) {
      if (!func->hasAttr("tfmc.kernel") || func.isExternal() ||
          !func.getOps<gpu::LaunchOp>().empty())
        continue;
      SmallVector<linalg::LinalgOp> ops;
      func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
      auto generic = ops.size() == 1 && ops[0]->getParentOp() == func
                         ? dyn_cast<linalg::GenericOp>(ops[0].getOperation())
                         : linalg::GenericOp();
      std::optional<RowReduction> r =
          generic ? matchRowReduction(generic, minLength) : std::nullopt;
      if (!r)
        continue;
      int64_t rows = 1;
      for (int64_t size : ArrayRef(r->sizes).drop_back())
        rows *= size;
      if ((rows + rowsPerWorkgroup - 1) / rowsPerWorkgroup >
          kVulkanMaxGroupsPerDimension)
        continue;
      // The plain variant, for devices without subgroup arithmetic.
      tfmc::addFallbackKernel(func);
      lower(*r, rows);
    }
  }

  void lower(const RowReduction &r, int64_t rows);
};

void MapReductionsToSubgroupsPass::lower(const RowReduction &r,
                                         int64_t rows) {
  linalg::GenericOp op = r.op;
  Location loc = op.getLoc();
  OpBuilder b(op);
  auto cst = [&](OpBuilder &ob, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ob, loc, v);
  };
  int64_t perGroup = rowsPerWorkgroup, length = r.sizes.back();
  auto launch = gpu::LaunchOp::create(
      b, loc, cst(b, (rows + perGroup - 1) / perGroup), cst(b, 1), cst(b, 1),
      cst(b, threads), cst(b, 1), cst(b, 1),
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{});
  Block &body = launch.getBody().front();
  OpBuilder lb = OpBuilder::atBlockBegin(&body);
  auto terminator = gpu::TerminatorOp::create(lb, loc);
  // The views and constants the kernel made before its op: inside, so the
  // launch's operands are the kernel's buffers.
  for (Operation &before : llvm::make_early_inc_range(
           llvm::make_range(op->getBlock()->begin(), launch->getIterator())))
    if (&before != launch.getOperation() && !before.hasTrait<OpTrait::ConstantLike>())
      before.moveBefore(terminator);
  lb.setInsertionPoint(terminator);
  Type type = r.combine->getResult(0).getType();

  // Rows [first, first + perGroup) of this workgroup, one per subgroup at
  // a time (any subgroup size: the device's, read here).
  Value first = arith::MulIOp::create(lb, loc, launch.getBlockIds().x,
                                      cst(lb, perGroup));
  Value subgroup = gpu::SubgroupIdOp::create(lb, loc, nullptr);
  Value subgroups = gpu::NumSubgroupsOp::create(lb, loc, nullptr);
  Value lane = gpu::LaneIdOp::create(lb, loc, nullptr);
  Value width = gpu::SubgroupSizeOp::create(lb, loc, nullptr);
  auto rowLoop = scf::ForOp::create(lb, loc, subgroup, cst(lb, perGroup),
                                    subgroups);
  OpBuilder rb = OpBuilder::atBlockBegin(rowLoop.getBody());
  Value row = arith::AddIOp::create(rb, loc, first, rowLoop.getInductionVar());
  if (rows % perGroup)
    rb = scf::IfOp::create(rb, loc,
                           arith::CmpIOp::create(rb, loc,
                                                 arith::CmpIPredicate::ult,
                                                 row, cst(rb, rows)),
                           /*withElseRegion=*/false)
             .getThenBodyBuilder();
  // The row's parallel indices, innermost fastest.
  SmallVector<Value> ivs(r.sizes.size());
  {
    Value rest = row;
    for (int64_t d = static_cast<int64_t>(r.sizes.size()) - 2; d >= 0; --d) {
      Value size = cst(rb, r.sizes[d]);
      ivs[d] = d == 0 ? rest : arith::RemUIOp::create(rb, loc, rest, size);
      if (d > 0)
        rest = arith::DivUIOp::create(rb, loc, rest, size);
    }
  }
  auto at = [&](OpBuilder &ob, AffineMap map) {
    SmallVector<Value> indices;
    for (AffineExpr e : map.getResults())
      indices.push_back(ivs[cast<AffineDimExpr>(e).getPosition()]);
    return indices;
  };
  // The combining op's identity: a partial of no elements.
  double identity = isa<arith::AddFOp>(r.combine) ? 0.0
                    : isa<arith::MaximumFOp>(r.combine)
                        ? -std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::infinity();
  Value init = arith::ConstantOp::create(
      rb, loc, rb.getFloatAttr(type, identity));
  // This lane's partial: elements lane, lane + width, ...
  auto elementLoop = scf::ForOp::create(rb, loc, lane, cst(rb, length), width,
                                        ValueRange{init});
  {
    OpBuilder eb = OpBuilder::atBlockBegin(elementLoop.getBody());
    ivs.back() = elementLoop.getInductionVar();
    IRMapping mapping;
    for (OpOperand *in : op.getDpsInputOperands())
      mapping.map(op.getMatchingBlockArgument(in),
                  memref::LoadOp::create(eb, loc, in->get(),
                                         at(eb, op.getMatchingIndexingMap(in))));
    for (Operation &o : op.getRegion().front().without_terminator())
      if (&o != r.combine)
        eb.clone(o, mapping);
    // combine(partial, element), whatever side the body had them on.
    Operation *combined = eb.clone(*r.combine, mapping);
    combined->setOperands(ValueRange{elementLoop.getRegionIterArgs()[0],
                                     mapping.lookupOrDefault(r.element)});
    scf::YieldOp::create(eb, loc, combined->getResult(0));
  }
  Value partial = elementLoop.getResult(0);
  Value total;
  if (isa<arith::AddFOp>(r.combine)) {
    total = gpu::SubgroupReduceOp::create(rb, loc, partial,
                                          gpu::AllReduceOperation::ADD,
                                          /*uniform=*/false);
  } else {
    // SPIR-V's subgroup max/min may drop NaNs; maximumf/minimumf keep
    // them: count the lanes that hold one.
    bool isMax = isa<arith::MaximumFOp>(r.combine);
    Value extreme = gpu::SubgroupReduceOp::create(
        rb, loc, partial,
        isMax ? gpu::AllReduceOperation::MAXNUMF
              : gpu::AllReduceOperation::MINNUMF,
        /*uniform=*/false);
    Value isNaN = arith::CmpFOp::create(rb, loc, arith::CmpFPredicate::UNO,
                                        partial, partial);
    Value one = arith::ConstantOp::create(rb, loc, rb.getFloatAttr(type, 1.0));
    Value zero = arith::ConstantOp::create(rb, loc, rb.getFloatAttr(type, 0.0));
    Value nanCount = gpu::SubgroupReduceOp::create(
        rb, loc, arith::SelectOp::create(rb, loc, isNaN, one, zero),
        gpu::AllReduceOperation::ADD, /*uniform=*/false);
    Value anyNaN = arith::CmpFOp::create(rb, loc, arith::CmpFPredicate::OGT,
                                         nanCount, zero);
    Value nan = arith::ConstantOp::create(
        rb, loc,
        rb.getFloatAttr(type, std::numeric_limits<double>::quiet_NaN()));
    total = arith::SelectOp::create(rb, loc, anyNaN, nan, extreme);
  }
  // Lane 0 folds the row's total into the output's initial value.
  OpBuilder sb =
      scf::IfOp::create(rb, loc,
                        arith::CmpIOp::create(rb, loc, arith::CmpIPredicate::eq,
                                              lane, cst(rb, 0)),
                        /*withElseRegion=*/false)
          .getThenBodyBuilder();
  OpOperand *outOperand = op.getDpsInitOperand(0);
  SmallVector<Value> outAt = at(sb, op.getMatchingIndexingMap(outOperand));
  Value old = memref::LoadOp::create(sb, loc, outOperand->get(), outAt);
  Operation *result = sb.clone(*r.combine);
  result->setOperands(ValueRange{old, total});
  memref::StoreOp::create(sb, loc, result->getResult(0), outOperand->get(),
                          outAt);
  op.erase();
}

} // namespace
