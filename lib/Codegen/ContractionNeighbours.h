//===- ContractionNeighbours.h - fuse kernels around a contraction -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The host-level step the CPU and GPU contraction tilers share: calls of
// elementwise kernels next to the call of a contraction kernel, over its
// output C, become one call of a fused kernel holding all three ops, which
// the tiler then turns into one nest that computes C's initial value in the
// accumulators (prologue) and applies the epilogue before the only store.
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_LIB_CODEGEN_CONTRACTIONNEIGHBOURS_H
#define TFMC_LIB_CODEGEN_CONTRACTIONNEIGHBOURS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>

namespace tfmc {

/// On a kernel fuseContractionNeighbours made: its ops are [prologue,]
/// contraction [, epilogue], and the host step checked what applying them
/// around the tiles needs (C dead after a separate D, D overlapping no
/// input). The tilers fuse the ops of no other kernel.
inline constexpr llvm::StringLiteral kFusedNeighboursAttr =
    "tfmc.fused_neighbours";

struct NeighbourFusionOptions {
  /// Whether a kernel's one op is a contraction the caller tiles.
  llvm::function_ref<bool(mlir::linalg::LinalgOp)> isTileable;
  /// Whether the tiler can apply this elementwise op around its tiles.
  llvm::function_ref<bool(mlir::linalg::GenericOp)> isFusable;
  /// The neighbour calls may be separated from the contraction's by pure
  /// view ops, and may reach C through reshapes that add or drop unit
  /// dimensions (recreated inside the fused kernel on C's argument).
  bool throughReshapes = false;
};

/// Fuses, in every host function of `module`, the elementwise kernel call
/// before a tileable contraction's call that computes all of its output C
/// without reading it (a bias broadcast), and the one after it that reads C
/// once (activation, residual add, scaling), into one call of a kernel
/// holding the three ops in order. The epilogue may write another buffer D
/// only when C is dead after it and D overlaps none of the inputs. Kernels
/// fused at every call are erased; identical fusions share one kernel.
void fuseContractionNeighbours(mlir::ModuleOp module,
                               const NeighbourFusionOptions &options);

/// `op` applies elementwise over an output of rank `rank`: all loops
/// parallel, one per output dimension, the output indexed by identity and
/// the inputs by dimensions or 0 (broadcasts).
bool isElementwiseOver(mlir::linalg::GenericOp op, int64_t rank);

/// The one top-level linalg op of kernel function `f`, or null.
mlir::linalg::LinalgOp getSingleOp(mlir::func::FuncOp f);

/// When `v` is `c` or `c` reshaped by expand/collapse_shape ops that only
/// add or drop unit dimensions, keeping the last dimension last: for each
/// dimension of `v`, the dimension of `c` it is, or -1 for a unit one.
std::optional<llvm::SmallVector<int64_t>> getUnitReshapeDims(mlir::Value v,
                                                             mlir::Value c);

} // namespace tfmc

#endif // TFMC_LIB_CODEGEN_CONTRACTIONNEIGHBOURS_H
