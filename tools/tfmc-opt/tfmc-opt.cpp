//===- tfmc-opt.cpp - mlir-opt with tfm and every tfmc pass -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "tfmc/InitAllDialects.h"
#include "tfmc/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  tfmc::registerAllPasses();
  mlir::DialectRegistry registry;
  tfmc::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "tfmc optimizer driver: the tfm dialect, tfmc passes and "
                  "pipelines, and all of upstream MLIR\n",
      registry));
}
