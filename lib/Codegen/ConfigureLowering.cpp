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
    if (attentionBlock < 1) {
      getOperation().emitError()
          << "tfmc-configure-lowering: attention-block must be >= 1, got "
          << attentionBlock;
      return signalPassFailure();
    }
    Builder b(&getContext());
    getOperation().walk([&](tfm::AttentionOp op) {
      // A choice already on the op (from the user) stands.
      if (op->hasAttr(tfmc::kAttentionLoweringAttr))
        return;
      auto key = cast<RankedTensorType>(op.getKey().getType());
      int64_t keys = key.getDimSize(key.getRank() - 2);
      bool flash = attention == "flash" ||
                   (attention == "auto" && keys > attentionBlock);
      op->setAttr(tfmc::kAttentionLoweringAttr,
                  b.getStringAttr(flash ? "flash" : "unfused"));
      if (flash)
        op->setAttr(tfmc::kAttentionBlockAttr,
                    b.getI64IntegerAttr(attentionBlock));
    });
  }
};

} // namespace
