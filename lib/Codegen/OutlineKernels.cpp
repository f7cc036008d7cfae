//===- OutlineKernels.cpp - tfmc-outline-kernels ----------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "LoopAccess.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "llvm/ADT/StringMap.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace tfmc {
#define GEN_PASS_DEF_OUTLINEKERNELSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;
using tfmc::kParallelLoopAttr;

namespace {

bool isPassableMemRef(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.getLayout().isIdentity() && memref.hasStaticShape();
}

/// Ops recreated inside a kernel rather than passed in: constants, and views
/// (whose results may not be passable) of values that are themselves
/// recreated or passed.
bool shouldClone(Operation *op) {
  if (!op || op->getNumRegions() || op->getNumResults() != 1)
    return false;
  if (op->hasTrait<OpTrait::ConstantLike>() ||
      isa<LLVM::AddressOfOp, LLVM::ConstantOp, LLVM::ZeroOp>(op))
    return true;
  return isa<ViewLikeOpInterface>(op) && !isa<memref::ViewOp>(op);
}

/// Builds the kernel's view of `value`: an argument, or a clone of its
/// defining op over the kernel's views of that op's operands.
Value materialize(Value value, OpBuilder &b, IRMapping &mapping,
                  SmallVectorImpl<Value> &callOperands, Block *entry) {
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  Operation *def = value.getDefiningOp();
  if (shouldClone(def) &&
      !(isPassableMemRef(value.getType()) && !def->hasTrait<OpTrait::ConstantLike>() &&
        !isa<LLVM::AddressOfOp>(def))) {
    for (Value operand : def->getOperands())
      materialize(operand, b, mapping, callOperands, entry);
    Operation *clone = b.clone(*def, mapping);
    return clone->getResult(0);
  }
  // Passed in. A non-identity memref can only get here without a view to
  // recreate, which the caller checked.
  Value arg = entry->addArgument(value.getType(), value.getLoc());
  mapping.map(value, arg);
  callOperands.push_back(value);
  return arg;
}

/// Whether every value `op` uses can reach a kernel: passable memrefs,
/// scalars, or things recreated from those.
bool canOutline(Operation *op) {
  SetVector<Value> used;
  getUsedValuesDefinedAbove(op->getRegions(), used);
  used.insert(op->getOperands().begin(), op->getOperands().end());
  SmallVector<Value> worklist(used.begin(), used.end());
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (isa<MemRefType>(v.getType()) && !isPassableMemRef(v.getType())) {
      Operation *def = v.getDefiningOp();
      if (!shouldClone(def))
        return false;
      worklist.append(def->operand_begin(), def->operand_end());
      continue;
    }
    if (isa<ShapedType>(v.getType()) && !isa<MemRefType>(v.getType()))
      return false; // tensors: not bufferized
  }
  return true;
}

/// Below this many innermost iterations a kernel runs on one thread: the
/// fork and join would cost more than they save.
constexpr int64_t kMinParallelWork = 1 << 16;

/// The loop of `op`'s nest (counting from the outermost) worth running in
/// parallel: the first loop with more than one iteration, if it is a
/// parallel dimension and the whole nest does enough work.
std::optional<int64_t> getParallelLoop(linalg::LinalgOp op) {
  // Calls out of a body (index-error reports) stay on the calling thread,
  // where the runtime records the run's errors.
  bool calls = false;
  op->walk([&](CallOpInterface) { calls = true; });
  if (calls)
    return std::nullopt;
  // Already inside a parallel loop: its iterations are the tasks.
  if (op->getParentOfType<scf::ParallelOp>() ||
      op->getParentOfType<scf::ForallOp>())
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t work = 1;
  for (int64_t r : ranges) {
    if (ShapedType::isDynamic(r))
      return std::nullopt;
    work = work > (int64_t(1) << 40) ? work : work * r;
  }
  if (work < kMinParallelWork)
    return std::nullopt;
  for (auto [d, r] : llvm::enumerate(ranges)) {
    if (r == 1)
      continue;
    if (iterators[d] != utils::IteratorType::parallel)
      return std::nullopt;
    return d;
  }
  return std::nullopt;
}

/// A kernel's text without its name or locations: equal texts are equal
/// kernels.
std::string printWithoutName(func::FuncOp kernel) {
  StringAttr name = kernel.getSymNameAttr();
  kernel.setSymName("__tfmc_kernel");
  std::string text;
  llvm::raw_string_ostream os(text);
  kernel->print(os, OpPrintingFlags().printGenericOpForm().useLocalScope());
  kernel.setSymNameAttr(name);
  return text;
}

struct OutlineKernelsPass
    : public tfmc::impl::OutlineKernelsPassBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    unsigned counter = 0;
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    llvm::StringMap<func::FuncOp> kernelsByBody;
    for (func::FuncOp func : funcs) {
      if (func.isExternal() || func->hasAttr("tfmc.kernel"))
        continue;
      // Loop nests inside loops too (the blocks of the flash attention
      // form): each becomes a kernel called once per iteration.
      SmallVector<Operation *> candidates;
      func.walk([&](linalg::LinalgOp op) {
        if (op->getNumResults() == 0 && canOutline(op))
          candidates.push_back(op);
      });
      for (Operation *op : candidates) {
        OpBuilder b(ctx);
        b.setInsertionPoint(func);
        std::string name;
        do
          name = "__tfmc_kernel_" + std::to_string(counter++);
        while (symbols.lookup(name));
        auto kernel = func::FuncOp::create(b, op->getLoc(), name,
                                           b.getFunctionType({}, {}));
        kernel.setPrivate();
        kernel->setAttr("tfmc.kernel", b.getUnitAttr());
        kernel->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
        kernel->setAttr("llvm.linkage", LLVM::LinkageAttr::get(
                                            ctx, LLVM::Linkage::Internal));
        if (std::optional<int64_t> loop =
                getParallelLoop(cast<linalg::LinalgOp>(op)))
          kernel->setAttr(kParallelLoopAttr, b.getI64IntegerAttr(*loop));
        symbols.insert(kernel);
        Block *entry = kernel.addEntryBlock();
        b.setInsertionPointToStart(entry);

        IRMapping mapping;
        SmallVector<Value> callOperands;
        // Operands first, then what the body captures: kernel signatures
        // read like the op.
        SetVector<Value> used(op->getOperands().begin(),
                              op->getOperands().end());
        getUsedValuesDefinedAbove(op->getRegions(), used);
        for (Value v : used)
          materialize(v, b, mapping, callOperands, entry);
        b.clone(*op, mapping);
        func::ReturnOp::create(b, op->getLoc());
        kernel.setFunctionType(
            b.getFunctionType(entry->getArgumentTypes(), {}));

        // Identical kernels (every layer of a model has the same ones) are
        // generated once: LLVM's time then grows with distinct shapes, not
        // with depth.
        std::string key = printWithoutName(kernel);
        auto [existing, isNew] = kernelsByBody.try_emplace(key, kernel);
        if (!isNew) {
          symbols.erase(kernel); // also deletes it
          kernel = existing->second;
        }
        b.setInsertionPoint(op);
        func::CallOp::create(b, op->getLoc(), kernel, callOperands);
        op->erase();
      }
    }
  }
};

} // namespace
