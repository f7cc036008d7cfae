//===- KernelVariants.cpp - kernel variants for smaller devices -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "KernelVariants.h"

#include "tfmc/Codegen/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

func::FuncOp tfmc::addFallbackKernel(func::FuncOp kernel) {
  OpBuilder b(kernel);
  b.setInsertionPointAfter(kernel);
  auto fallback = cast<func::FuncOp>(b.clone(*kernel));
  auto module = kernel->getParentOfType<ModuleOp>();
  std::string name = (kernel.getSymName() + "_fallback").str();
  for (unsigned i = 0; module.lookupSymbol(name); ++i)
    name = (kernel.getSymName() + "_fallback" + Twine(i)).str();
  fallback.setSymName(name);
  kernel->setAttr(kFallbackKernelAttr,
                  FlatSymbolRefAttr::get(fallback.getSymNameAttr()));
  return fallback;
}
