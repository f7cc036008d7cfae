//===- LoopAccess.h - how a linalg op's operands follow its loops -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Internal to the code generation passes that emit loops themselves
// (tfmc-tile-contractions, tfmc-vectorize-reductions): operand indexing maps
// reduced to "which loop indexes each dimension", and the attribute that
// names a kernel's parallel loop.
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_LIB_CODEGEN_LOOPACCESS_H
#define TFMC_LIB_CODEGEN_LOOPACCESS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace tfmc {

/// On a kernel function: the depth of its loop nest that may run in
/// parallel (tfmc-outline-kernels sets it, tfmc-parallelize-kernels uses it).
inline constexpr llvm::StringLiteral kParallelLoopAttr = "tfmc.parallel_loop";

/// For each dimension of an operand, the loop that indexes it, or -1 for a
/// broadcast dimension (always index 0).
using OperandIndexing = llvm::SmallVector<int64_t>;

/// `map` as an OperandIndexing, if each result is a loop or the constant 0.
std::optional<OperandIndexing> getOperandIndexing(mlir::AffineMap map);

/// `memref` (a MemRefType value) has rank >= 1 and unit innermost stride.
bool hasUnitInnerStride(mlir::Value memref);

/// The operand's indices when loop d is at `ivs[d]`.
llvm::SmallVector<mlir::Value> getOperandIndices(mlir::OpBuilder &b,
                                                 mlir::Location loc,
                                                 const OperandIndexing &indexing,
                                                 llvm::ArrayRef<mlir::Value> ivs);

} // namespace tfmc

#endif // TFMC_LIB_CODEGEN_LOOPACCESS_H
