//===- MapToGPU.cpp - tfmc-map-to-gpu ----------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The simplest mapping that reaches every kernel: one GPU thread per
// iteration of the kernel's parallel loops (of any number), flattened into
// one linear index. The reductions stay sequential loops inside a thread.
// Speed is the next step (tiled matmul and attention kernels); this one is
// about every op running correctly on any Vulkan device.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"

namespace tfmc {
#define GEN_PASS_DEF_MAPTOGPUPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

using tfmc::kVulkanMaxGroupsPerDimension;

/// What every Vulkan 1.1 device with the features the runtime checks for
/// provides; spirv-update-vce trims each kernel's requirements to what it
/// uses.
constexpr llvm::StringLiteral kTargetEnv =
    "#spirv.target_env<#spirv.vce<v1.3, [Shader, Int64, Float16, Int16, Int8, "
    "StorageBuffer16BitAccess, StorageBuffer8BitAccess, "
    "SignedZeroInfNanPreserve, GroupNonUniform, GroupNonUniformArithmetic], "
    "[SPV_KHR_storage_buffer_storage_class, SPV_KHR_16bit_storage, "
    "SPV_KHR_8bit_storage, SPV_KHR_float_controls]>, api=Vulkan, "
    "#spirv.resource_limits<>>";

struct MapToGPUPass : public tfmc::impl::MapToGPUPassBase<MapToGPUPass> {
  using MapToGPUPassBase::MapToGPUPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    if (workgroupSize < 1) {
      module.emitError("tfmc-map-to-gpu: workgroup-size must be positive");
      return signalPassFailure();
    }
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(ctx));
    if (!module->hasAttr(spirv::getTargetEnvAttrName()))
      module->setAttr(spirv::getTargetEnvAttrName(),
                      parseAttribute(kTargetEnv, ctx));
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func->hasAttr("tfmc.kernel") || func.isExternal())
        continue;
      if (failed(mapKernel(func)))
        return signalPassFailure();
    }
  }

  LogicalResult mapKernel(func::FuncOp func) {
    Block &body = func.getBody().front();
    // Already a launch (tfmc-tile-gpu-contractions).
    if (!func.getOps<gpu::LaunchOp>().empty())
      return success();
    Operation *terminator = body.getTerminator();
    // A kernel cannot call the host (index checks were turned into buffer
    // writes by tfmc-record-index-errors).
    WalkResult calls = func.walk([&](CallOpInterface call) {
      auto callee =
          dyn_cast<SymbolRefAttr>(call.getCallableForCallee());
      call->emitError("tfmc-map-to-gpu: a GPU kernel cannot call the host")
          << (callee ? " function " + callee.getLeafReference().str() : "");
      return WalkResult::interrupt();
    });
    if (calls.wasInterrupted())
      return failure();
    if (failed(lowerToParallelLoops(func)))
      return failure();
    // The iteration space: the outermost scf.parallel's (linalg lowered to
    // parallel loops), or a single thread for a kernel with none.
    scf::ParallelOp parallel;
    for (Operation &op : body.without_terminator())
      if (auto p = dyn_cast<scf::ParallelOp>(op)) {
        if (parallel)
          return func.emitError("tfmc-map-to-gpu: kernel has several "
                                "parallel loop nests");
        parallel = p;
      }
    SmallVector<int64_t> extents;
    int64_t total = 1;
    if (parallel) {
      for (auto [lb, ub, step] :
           llvm::zip(parallel.getLowerBound(), parallel.getUpperBound(),
                     parallel.getStep())) {
        std::optional<int64_t> l = getConstantIntValue(lb),
                               u = getConstantIntValue(ub),
                               s = getConstantIntValue(step);
        if (!l || !u || !s || *l != 0 || *s != 1)
          return parallel.emitError("tfmc-map-to-gpu: parallel loop bounds "
                                    "must be static, from 0, step 1");
        extents.push_back(*u);
        total *= *u;
      }
    }
    int64_t block = std::min<int64_t>(workgroupSize, std::max<int64_t>(total, 1));
    int64_t groups = (total + block - 1) / block;
    int64_t gridX = std::min(std::max<int64_t>(groups, 1), kVulkanMaxGroupsPerDimension);
    int64_t gridY = (groups + gridX - 1) / gridX;
    if (gridY > kVulkanMaxGroupsPerDimension)
      return func.emitError("tfmc-map-to-gpu: ")
             << total << " iterations need more than "
             << kVulkanMaxGroupsPerDimension << "² workgroups";

    // Everything the kernel did now happens inside the launch.
    SmallVector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      ops.push_back(&op);
    OpBuilder b(terminator);
    Location loc = func.getLoc();
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto launch = gpu::LaunchOp::create(b, loc, index(gridX),
                                        index(std::max<int64_t>(gridY, 1)),
                                        index(1), index(block), index(1),
                                        index(1));
    Block &launchBody = launch.getBody().front();
    OpBuilder inner = OpBuilder::atBlockEnd(&launchBody);
    auto terminatorOp = gpu::TerminatorOp::create(inner, loc);
    for (Operation *op : ops)
      op->moveBefore(terminatorOp);
    if (!parallel)
      return serializeAll(launch);

    // id = (block.y · grid.x + block.x) · block + thread.x; iterations past
    // the end do nothing.
    inner.setInsertionPoint(parallel);
    Value id = arith::AddIOp::create(
        inner, loc,
        arith::MulIOp::create(
            inner, loc,
            arith::AddIOp::create(
                inner, loc,
                arith::MulIOp::create(inner, loc, launch.getBlockIds().y,
                                      arith::ConstantIndexOp::create(inner, loc, gridX)),
                launch.getBlockIds().x),
            arith::ConstantIndexOp::create(inner, loc, block)),
        launch.getThreadIds().x);
    Value inRange = arith::CmpIOp::create(
        inner, loc, arith::CmpIPredicate::ult, id,
        arith::ConstantIndexOp::create(inner, loc, total));
    auto guard = scf::IfOp::create(inner, loc, inRange, /*withElse=*/false);
    inner.setInsertionPoint(guard.thenBlock()->getTerminator());
    // Delinearize, innermost dimension fastest (contiguous accesses across
    // neighbouring threads).
    IRMapping mapping;
    Value rest = id;
    for (int64_t d = extents.size() - 1; d >= 0; --d) {
      Value extent = arith::ConstantIndexOp::create(inner, loc, extents[d]);
      mapping.map(parallel.getInductionVars()[d],
                  d == 0 ? rest
                         : arith::RemUIOp::create(inner, loc, rest, extent)
                               .getResult());
      if (d > 0)
        rest = arith::DivUIOp::create(inner, loc, rest, extent);
    }
    for (Operation &op : parallel.getBody()->without_terminator())
      inner.clone(op, mapping);
    parallel.erase();
    return serializeAll(launch);
  }

  /// Parallel loops inside a thread run in order.
  static LogicalResult serializeAll(gpu::LaunchOp launch) {
    SmallVector<scf::ParallelOp> nested;
    launch.walk([&](scf::ParallelOp p) { nested.push_back(p); });
    for (scf::ParallelOp p : llvm::reverse(nested))
      if (failed(serialize(p)))
        return failure();
    return success();
  }

  /// Each linalg op of the kernel as loops, its parallel dimensions
  /// outermost (one scf.parallel: the threads) and its reductions inside
  /// (sequential in each thread); linalg fixes no loop order.
  static LogicalResult lowerToParallelLoops(func::FuncOp func) {
    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    IRRewriter rewriter(func.getContext());
    for (linalg::LinalgOp op : ops) {
      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
        if (failed(g))
          return op.emitError("tfmc-map-to-gpu: cannot generalize this op");
        generic = *g;
      }
      SmallVector<unsigned> order;
      SmallVector<utils::IteratorType> iterators =
          generic.getIteratorTypesArray();
      for (auto [d, it] : llvm::enumerate(iterators))
        if (it == utils::IteratorType::parallel)
          order.push_back(d);
      for (auto [d, it] : llvm::enumerate(iterators))
        if (it != utils::IteratorType::parallel)
          order.push_back(d);
      if (!llvm::equal(order, llvm::seq<unsigned>(0, order.size()))) {
        FailureOr<linalg::GenericOp> swapped =
            linalg::interchangeGenericOp(rewriter, generic, order);
        if (failed(swapped))
          return generic.emitError("tfmc-map-to-gpu: cannot reorder loops");
        generic = *swapped;
      }
      if (failed(linalg::linalgOpToParallelLoops(rewriter, generic)))
        return generic.emitError("tfmc-map-to-gpu: cannot lower to loops");
      rewriter.eraseOp(generic);
    }
    return success();
  }

  /// `parallel` as nested scf.for loops.
  static LogicalResult serialize(scf::ParallelOp parallel) {
    if (parallel.getNumResults() != 0)
      return parallel.emitError("tfmc-map-to-gpu: parallel reductions "
                                "inside a kernel are not supported");
    OpBuilder b(parallel);
    IRMapping mapping;
    for (auto [iv, lb, ub, step] :
         llvm::zip(parallel.getInductionVars(), parallel.getLowerBound(),
                   parallel.getUpperBound(), parallel.getStep())) {
      auto loop = scf::ForOp::create(b, parallel.getLoc(), lb, ub, step);
      mapping.map(iv, loop.getInductionVar());
      b.setInsertionPoint(loop.getBody()->getTerminator());
    }
    for (Operation &op : parallel.getBody()->without_terminator())
      b.clone(op, mapping);
    parallel.erase();
    return success();
  }
};

} // namespace
