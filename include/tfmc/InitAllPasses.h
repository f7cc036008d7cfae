//===- InitAllPasses.h - register every pass and pipeline -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_INITALLPASSES_H
#define TFMC_INITALLPASSES_H

namespace tfmc {
/// Registers every upstream MLIR pass and every tfmc pass and pipeline with
/// the global registry (what `tfmc-opt --help` lists).
void registerAllPasses();
} // namespace tfmc

#endif // TFMC_INITALLPASSES_H
