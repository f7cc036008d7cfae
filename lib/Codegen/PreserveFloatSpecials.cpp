//===- PreserveFloatSpecials.cpp - tfmc-preserve-float-specials -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "llvm/ADT/SmallSet.h"

#include <functional>

namespace tfmc {
#define GEN_PASS_DEF_PRESERVEFLOATSPECIALSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

struct PreserveFloatSpecialsPass
    : public tfmc::impl::PreserveFloatSpecialsPassBase<
          PreserveFloatSpecialsPass> {
  void runOnOperation() override {
    spirv::ModuleOp module = getOperation();
    // The float widths anything in the kernel has (values, buffers).
    llvm::SmallSet<int32_t, 2> widths;
    // SPIR-V's composite types do not expose their elements to Type::walk.
    std::function<void(Type)> note = [&](Type type) {
      if (auto f = dyn_cast<FloatType>(type)) {
        if (f.getWidth() == 16 || f.getWidth() == 32)
          widths.insert(f.getWidth());
      } else if (auto ptr = dyn_cast<spirv::PointerType>(type)) {
        note(ptr.getPointeeType());
      } else if (auto st = dyn_cast<spirv::StructType>(type)) {
        for (Type element : st.getElementTypes())
          note(element);
      } else if (auto array = dyn_cast<spirv::ArrayType>(type)) {
        note(array.getElementType());
      } else if (auto array = dyn_cast<spirv::RuntimeArrayType>(type)) {
        note(array.getElementType());
      } else if (auto shaped = dyn_cast<ShapedType>(type)) {
        note(shaped.getElementType());
      }
    };
    module.walk([&](Operation *op) {
      for (Type t : op->getResultTypes())
        note(t);
      for (Type t : op->getOperandTypes())
        note(t);
      if (auto global = dyn_cast<spirv::GlobalVariableOp>(op))
        note(global.getType());
    });
    if (widths.empty())
      return;
    SmallVector<int32_t> sorted(widths.begin(), widths.end());
    llvm::sort(sorted);
    OpBuilder b(module.getBodyRegion());
    for (auto entry : llvm::to_vector(module.getOps<spirv::EntryPointOp>())) {
      auto fn = module.lookupSymbol<spirv::FuncOp>(entry.getFn());
      if (!fn)
        continue;
      b.setInsertionPointAfter(entry);
      for (int32_t width : sorted)
        spirv::ExecutionModeOp::create(
            b, entry.getLoc(), fn,
            spirv::ExecutionMode::SignedZeroInfNanPreserve, {width});
    }
  }
};

} // namespace
