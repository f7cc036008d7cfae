//===- LoopAccess.cpp - how a linalg op's operands follow its loops -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LoopAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

std::optional<tfmc::OperandIndexing>
tfmc::getOperandIndexing(AffineMap map) {
  OperandIndexing indexing;
  for (AffineExpr e : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(e))
      indexing.push_back(dim.getPosition());
    else if (auto c = dyn_cast<AffineConstantExpr>(e); c && c.getValue() == 0)
      indexing.push_back(-1);
    else
      return std::nullopt;
  }
  return indexing;
}

bool tfmc::hasUnitInnerStride(Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (type.getRank() == 0 || failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

SmallVector<Value> tfmc::getOperandIndices(OpBuilder &b, Location loc,
                                           const OperandIndexing &indexing,
                                           ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (int64_t d : indexing)
    indices.push_back(d < 0 ? arith::ConstantIndexOp::create(b, loc, 0)
                                  .getResult()
                            : ivs[d]);
  return indices;
}
