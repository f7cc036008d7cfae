//===- ConfigureLowering.cpp - tfmc-configure-lowering ----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Decisions live in attributes, not in the lowering: a user (or a test) can
// see them with tfmc-opt, override them, and lowerings stay mechanical.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "Tfm/IR/TfmOps.h"
#include "tfmc/Conversion/TfmToLinalg/TfmToLinalg.h"

#include "mlir/IR/BuiltinOps.h"

namespace tfmc {
#define GEN_PASS_DEF_CONFIGURELOWERINGPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

/// `weight` is a float matrix used only as the weights of linear layers.
bool onlyLinearWeight(tfm::WeightOp weight) {
  auto type = cast<RankedTensorType>(weight.getType());
  if (type.getRank() != 2 || !isa<FloatType>(type.getElementType()) ||
      weight->use_empty())
    return false;
  return llvm::all_of(weight->getUses(), [](OpOperand &use) {
    auto linear = dyn_cast<tfm::LinearOp>(use.getOwner());
    return linear && &use == &linear.getWeightMutable();
  });
}

struct ConfigureLoweringPass
    : public tfmc::impl::ConfigureLoweringPassBase<ConfigureLoweringPass> {
  using Base::Base;

  void runOnOperation() override {
    if (attention != "auto" && attention != "flash" && attention != "unfused") {
      getOperation().emitError()
          << "tfmc-configure-lowering: unknown attention='" << attention
          << "' (expected auto, flash or unfused)";
      return signalPassFailure();
    }
    if (target != "cpu" && target != "vulkan") {
      getOperation().emitError()
          << "tfmc-configure-lowering: unknown target='" << target
          << "' (expected cpu or vulkan)";
      return signalPassFailure();
    }
    if (attentionBlock < 1) {
      getOperation().emitError()
          << "tfmc-configure-lowering: attention-block must be >= 1, got "
          << static_cast<int64_t>(attentionBlock);
      return signalPassFailure();
    }
    if (weightPanel < 0) {
      getOperation().emitError()
          << "tfmc-configure-lowering: weight-panel must be >= 0, got "
          << static_cast<int64_t>(weightPanel);
      return signalPassFailure();
    }
    Builder b(&getContext());
    if (weightPanel > 0)
      getOperation().walk([&](tfm::WeightOp op) {
        if (!op->hasAttr(tfmc::kWeightPanelAttr) && onlyLinearWeight(op))
          op->setAttr(tfmc::kWeightPanelAttr, b.getI64IntegerAttr(weightPanel));
      });
    getOperation().walk([&](tfm::AttentionOp op) {
      // A choice already on the op (from the user) stands.
      if (op->hasAttr(tfmc::kAttentionLoweringAttr))
        return;
      auto key = cast<RankedTensorType>(op.getKey().getType());
      auto value = cast<RankedTensorType>(op.getValue().getType());
      int64_t keys = key.getDimSize(key.getRank() - 2);
      bool vulkan = target == "vulkan";
      // The GPU kernel keeps each row's query and accumulator in
      // registers: past 512 values per row, the plain form. Otherwise it
      // beats the plain form's six kernels at every length measured (S =
      // 16 to 2048 on lavapipe).
      bool fitsGPU = key.getShape().back() + value.getShape().back() <= 512;
      bool flash = attention == "flash" ||
                   (attention == "auto" &&
                    (vulkan ? fitsGPU : keys > attentionBlock));
      StringRef lowering = !flash ? "unfused" : vulkan ? "gpu-flash" : "flash";
      op->setAttr(tfmc::kAttentionLoweringAttr, b.getStringAttr(lowering));
      if (flash && !vulkan)
        op->setAttr(tfmc::kAttentionBlockAttr,
                    b.getI64IntegerAttr(attentionBlock));
    });
  }
};

} // namespace
