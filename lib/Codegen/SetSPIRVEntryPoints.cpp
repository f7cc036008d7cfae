//===- SetSPIRVEntryPoints.cpp - tfmc-set-spirv-entry-points -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"

namespace tfmc {
#define GEN_PASS_DEF_SETSPIRVENTRYPOINTSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

struct SetSPIRVEntryPointsPass
    : public tfmc::impl::SetSPIRVEntryPointsPassBase<SetSPIRVEntryPointsPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](gpu::GPUFuncOp func) {
      if (!func.isKernel())
        return WalkResult::advance();
      std::optional<ArrayRef<int32_t>> size = func.getKnownBlockSize();
      if (!size) {
        func.emitError("tfmc-set-spirv-entry-points: kernel without a known "
                       "block size");
        return WalkResult::interrupt();
      }
      func->setAttr(spirv::getEntryPointABIAttrName(),
                    spirv::getEntryPointABIAttr(&getContext(),
                                                *size));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
