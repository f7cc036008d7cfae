//===- InitAllDialects.h - register every dialect tfmc uses -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_INITALLDIALECTS_H
#define TFMC_INITALLDIALECTS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace tfmc {
/// Adds the tfm dialect and every upstream dialect and dialect extension to
/// `registry`, so tools and tests can read and print any IR tfmc produces.
void registerAllDialects(mlir::DialectRegistry &registry);
} // namespace tfmc

#endif // TFMC_INITALLDIALECTS_H
