//===- InitAll.cpp - one place that registers everything --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The upstream registration headers pull in every dialect; keeping them in
// this one file keeps the tools' and tests' compile times down.
//
//===----------------------------------------------------------------------===//

#include "tfmc/InitAllDialects.h"
#include "tfmc/InitAllPasses.h"

#include "Tfm/IR/TfmDialect.h"
#include "Tfm/Transforms/Passes.h"
#include "tfmc/Codegen/Passes.h"
#include "tfmc/Conversion/Passes.h"
#include "tfmc/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

void tfmc::registerAllDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::tfm::TfmDialect>();
}

void tfmc::registerAllPasses() {
  mlir::registerAllPasses();
  mlir::tfm::registerTfmPasses();
  tfmc::registerTfmcCodegenPasses();
  tfmc::registerTfmcConversionPasses();
  tfmc::registerTfmcPipelines();
}
