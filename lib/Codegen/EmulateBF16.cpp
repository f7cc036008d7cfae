//===- EmulateBF16.cpp - tfmc-emulate-bf16 ----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tfmc {
#define GEN_PASS_DEF_EMULATEBF16PASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

/// `type` with bf16 (as itself, or the element of a shaped type or the
/// inputs and results of a function type) replaced by i16.
Type asBits(Type type) {
  MLIRContext *ctx = type.getContext();
  if (type.isBF16())
    return IntegerType::get(ctx, 16);
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.getElementType().isBF16()
               ? shaped.clone(IntegerType::get(ctx, 16))
               : type;
  if (auto fn = dyn_cast<FunctionType>(type)) {
    auto map = [](TypeRange types) {
      return llvm::map_to_vector(types, [](Type t) { return asBits(t); });
    };
    return FunctionType::get(ctx, map(fn.getInputs()), map(fn.getResults()));
  }
  return type;
}

bool hasBF16(Type type) { return asBits(type) != type; }

bool touchesBF16(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), hasBF16) ||
         llvm::any_of(op->getResultTypes(), hasBF16);
}

/// Ops that only move bf16 bits around, the same on i16.
bool movesBits(Operation *op) {
  return isa<memref::MemRefDialect, scf::SCFDialect, func::FuncDialect,
             gpu::GPUDialect>(op->getDialect()) ||
         isa<arith::ConstantOp, arith::SelectOp, arith::BitcastOp>(op);
}

/// The bits of a bf16 constant as an i16 one.
Attribute asBits(Attribute value) {
  if (auto f = dyn_cast<FloatAttr>(value); f && f.getType().isBF16())
    return IntegerAttr::get(IntegerType::get(f.getContext(), 16),
                            f.getValue().bitcastToAPInt());
  if (auto dense = dyn_cast<DenseElementsAttr>(value);
      dense && dense.getElementType().isBF16())
    return dense.bitcast(IntegerType::get(dense.getContext(), 16));
  return value;
}

struct EmulateBF16Pass
    : public tfmc::impl::EmulateBF16PassBase<EmulateBF16Pass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    // 1. Arithmetic on bf16 in f32.
    TypeConverter converter;
    arith::populateEmulateUnsupportedFloatsConversions(
        converter, {BFloat16Type::get(ctx)}, Float32Type::get(ctx));
    RewritePatternSet emulate(ctx);
    arith::populateEmulateUnsupportedFloatsPatterns(emulate, converter);
    ConversionTarget target(*ctx);
    arith::populateEmulateUnsupportedFloatsLegality(target, converter);
    if (failed(applyPartialConversion(module, target, std::move(emulate))))
      return signalPassFailure();
    // 2. Conversions to and from f32 as integer operations (in the kernels,
    // which are isolated from above: constants stay inside them).
    RewritePatternSet expand(ctx);
    arith::populateExpandBFloat16Patterns(expand);
    FrozenRewritePatternSet expandPatterns(std::move(expand));
    for (auto kernels : module.getOps<gpu::GPUModuleOp>())
      if (failed(applyPatternsGreedily(kernels, expandPatterns)))
        return signalPassFailure();
    // 3. The bits as i16.
    WalkResult refused = module.walk([&](Operation *op) {
      if (touchesBF16(op) && !movesBits(op)) {
        op->emitError("tfmc-emulate-bf16: cannot compute '")
            << op->getName() << "' on bf16 for --target=vulkan (only "
            << "arith is emulated)";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (refused.wasInterrupted())
      return signalPassFailure();
    module.walk([&](Operation *op) {
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            arg.setType(asBits(arg.getType()));
      for (OpResult result : op->getResults())
        result.setType(asBits(result.getType()));
      if (auto fn = dyn_cast<FunctionOpInterface>(op))
        fn.setFunctionTypeAttr(TypeAttr::get(asBits(fn.getFunctionType())));
      if (auto constant = dyn_cast<arith::ConstantOp>(op))
        constant.setValueAttr(cast<TypedAttr>(asBits(constant.getValue())));
      if (auto global = dyn_cast<memref::GlobalOp>(op)) {
        global.setType(cast<MemRefType>(asBits(global.getType())));
        if (auto value = global.getInitialValueAttr())
          global.setInitialValueAttr(asBits(value));
      }
    });
    // The bitcasts between i16 and bf16 are now between i16 and i16.
    RewritePatternSet fold(ctx);
    arith::BitcastOp::getCanonicalizationPatterns(fold, ctx);
    FrozenRewritePatternSet foldPatterns(std::move(fold));
    for (auto kernels : module.getOps<gpu::GPUModuleOp>())
      if (failed(applyPatternsGreedily(kernels, foldPatterns)))
        return signalPassFailure();
  }
};

} // namespace
