//===- VectorizeReductions.cpp - tfmc-vectorize-reductions -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Row reductions (softmax's max and sum, layer norm's moments, the running
// max and sum of the flash attention blocks) lowered by linalg-to-loops
// keep their accumulator in memory and, for max, follow IEEE NaN rules that
// LLVM does not reassociate: one scalar element per ~4 cycles. Here the
// reduced dimension is vectorized explicitly: `lanes` partial results in a
// vector register, one horizontal reduction per row.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "LoopAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace tfmc {
#define GEN_PASS_DEF_VECTORIZEREDUCTIONSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;
using tfmc::getOperandIndexing;
using tfmc::hasUnitInnerStride;
using tfmc::OperandIndexing;

namespace {

/// The combining op of a reduction body and its vector kind.
std::optional<vector::CombiningKind> getCombiningKind(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<vector::CombiningKind>>(
             op)
      .Case([](arith::AddFOp) { return vector::CombiningKind::ADD; })
      .Case([](arith::MulFOp) { return vector::CombiningKind::MUL; })
      .Case([](arith::MaximumFOp) { return vector::CombiningKind::MAXIMUMF; })
      .Case([](arith::MinimumFOp) { return vector::CombiningKind::MINIMUMF; })
      .Case([](arith::MaxNumFOp) { return vector::CombiningKind::MAXNUMF; })
      .Case([](arith::MinNumFOp) { return vector::CombiningKind::MINNUMF; })
      .Default([](Operation *) { return std::nullopt; });
}

double getNeutralValue(vector::CombiningKind kind) {
  switch (kind) {
  case vector::CombiningKind::MUL: return 1.0;
  case vector::CombiningKind::MAXIMUMF:
  case vector::CombiningKind::MAXNUMF: return -INFINITY;
  case vector::CombiningKind::MINIMUMF:
  case vector::CombiningKind::MINNUMF: return INFINITY;
  default: return 0.0;
  }
}

struct RowReduction {
  linalg::GenericOp op;
  SmallVector<OperandIndexing> inputIndexing;
  OperandIndexing outputIndexing;
  SmallVector<int64_t> ranges;
  int64_t reduced;
  Operation *combiner;
  vector::CombiningKind kind;
};

/// out[i..] = combine(out[i..], f(inputs[.., r])) over the innermost loop r,
/// with f made of elementwise arith/math ops and every input that depends on
/// r contiguous along it.
std::optional<RowReduction> matchRowReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() == 0)
    return std::nullopt;
  RowReduction red;
  red.op = op;
  red.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(red.ranges, ShapedType::isDynamic))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  red.reduced = iterators.size() - 1;
  for (auto [d, iterator] : llvm::enumerate(iterators))
    if ((iterator == utils::IteratorType::reduction) !=
        ((int64_t)d == red.reduced))
      return std::nullopt;

  Block &body = op.getRegion().front();
  BlockArgument acc = body.getArguments().back();
  if (!acc.getType().isF32() || !acc.hasOneUse())
    return std::nullopt;
  red.combiner = *acc.user_begin();
  std::optional<vector::CombiningKind> kind = getCombiningKind(red.combiner);
  if (!kind || body.getTerminator()->getOperand(0) !=
                   red.combiner->getResult(0))
    return std::nullopt;
  red.kind = *kind;
  for (Operation &inner : body.without_terminator())
    if (&inner != red.combiner &&
        !(isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()) &&
          (OpTrait::hasElementwiseMappableTraits(&inner) ||
           isa<arith::ConstantOp>(inner))))
      return std::nullopt;
  for (Value v : body.getArguments().drop_back())
    if (!v.getType().isIntOrFloat())
      return std::nullopt;

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (auto [i, input] : llvm::enumerate(op.getDpsInputs())) {
    std::optional<OperandIndexing> indexing = getOperandIndexing(maps[i]);
    if (!indexing || !isa<MemRefType>(input.getType()))
      return std::nullopt;
    bool usesReduced = llvm::is_contained(*indexing, red.reduced);
    // i1 memrefs hold a byte per element, a vector of i1 a bit per lane.
    unsigned bits =
        cast<MemRefType>(input.getType()).getElementTypeBitWidth();
    if (usesReduced &&
        (indexing->back() != red.reduced || !hasUnitInnerStride(input) ||
         bits % 8 != 0))
      return std::nullopt;
    red.inputIndexing.push_back(*indexing);
  }
  std::optional<OperandIndexing> out = getOperandIndexing(maps.back());
  if (!out || llvm::is_contained(*out, -1) ||
      llvm::is_contained(*out, red.reduced))
    return std::nullopt;
  red.outputIndexing = *out;
  return red;
}

class ReductionEmitter {
public:
  ReductionEmitter(RowReduction red, int64_t lanes, OpBuilder &b)
      : red(std::move(red)), lanes(lanes), b(b), loc(this->red.op.getLoc()),
        ivs(this->red.ranges.size()) {}

  void emit();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  SmallVector<Value> indices(const OperandIndexing &indexing) {
    return tfmc::getOperandIndices(b, loc, indexing, ivs);
  }

  VectorType vectorOf(Type t) { return VectorType::get({lanes}, t); }
  /// The lanes of `acc` combined into one value.
  Value combineLanes(Value acc);

  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, loc, vectorOf(scalar.getType()),
                                       scalar);
  }

  /// The body's contribution for lanes r0 .. r0+lanes (those in `mask`).
  Value contribution(Value r0, Value mask);

  RowReduction red;
  int64_t lanes;
  OpBuilder &b;
  Location loc;
  SmallVector<Value> ivs;
};

Value ReductionEmitter::contribution(Value r0, Value mask) {
  Block &body = red.op.getRegion().front();
  IRMapping mapping;
  ivs[red.reduced] = r0;
  for (auto [i, input] : llvm::enumerate(red.op.getDpsInputs())) {
    Type element = body.getArgument(i).getType();
    const OperandIndexing &indexing = red.inputIndexing[i];
    Value v;
    if (!llvm::is_contained(indexing, red.reduced))
      v = splat(memref::LoadOp::create(b, loc, input, indices(indexing)));
    else if (mask)
      v = vector::MaskedLoadOp::create(
          b, loc, vectorOf(element), input, indices(indexing), mask,
          arith::ConstantOp::create(b, loc, b.getZeroAttr(vectorOf(element))));
    else
      v = vector::LoadOp::create(b, loc, vectorOf(element), input,
                                 indices(indexing));
    mapping.map(body.getArgument(i), v);
  }
  for (Operation &op : body.without_terminator()) {
    if (&op == red.combiner)
      continue;
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      mapping.map(constant.getResult(), splat(b.clone(op)->getResult(0)));
      continue;
    }
    // Values from outside the body are scalars: broadcast them.
    for (Value operand : op.getOperands())
      if (!mapping.contains(operand))
        mapping.map(operand, splat(operand));
    Operation *vectorOp = b.clone(op, mapping);
    for (Value result : vectorOp->getResults())
      result.setType(vectorOf(result.getType()));
  }
  Value acc = red.op.getRegion().front().getArguments().back();
  Value x = red.combiner->getOperand(0) == acc ? red.combiner->getOperand(1)
                                               : red.combiner->getOperand(0);
  if (!mapping.contains(x))
    mapping.map(x, splat(x));
  Value result = mapping.lookup(x);
  if (mask) {
    // Lanes past the row contribute the neutral element.
    Value neutral = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vectorOf(b.getF32Type()),
                               b.getF32FloatAttr(getNeutralValue(red.kind))
                                   .getValue()));
    result = arith::SelectOp::create(b, loc, mask, result, neutral);
  }
  return result;
}

Value ReductionEmitter::combineLanes(Value acc) {
  bool nanKeeping = red.kind == vector::CombiningKind::MAXIMUMF ||
                    red.kind == vector::CombiningKind::MINIMUMF;
  if (!nanKeeping || !llvm::isPowerOf2_64(lanes))
    return vector::ReductionOp::create(b, loc, red.kind, acc);
  // Halves folded together, log2(lanes) vector steps: LLVM expands a
  // vector.reduction of NaN-keeping max/min lane by lane into one serial
  // chain of scalar compares and blends (the flash attention's block row
  // max spent as long as its exp there).
  for (int64_t width = lanes / 2; width >= 1; width /= 2) {
    auto half = [&](int64_t offset) {
      return vector::ExtractStridedSliceOp::create(
          b, loc, acc, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{width},
          ArrayRef<int64_t>{1});
    };
    acc = vector::makeArithReduction(b, loc, red.kind, half(0), half(width));
  }
  return vector::ExtractOp::create(b, loc, acc, ArrayRef<int64_t>{0});
}

void ReductionEmitter::emit() {
  // The parallel loops in the op's order: a kernel's `tfmc.parallel_loop`
  // depth still names the same loop.
  for (int64_t d = 0; d < red.reduced; ++d) {
    auto loop = scf::ForOp::create(b, loc, index(0), index(red.ranges[d]),
                                   index(1));
    b.setInsertionPoint(loop.getBody()->getTerminator());
    ivs[d] = loop.getInductionVar();
  }
  int64_t length = red.ranges[red.reduced];
  int64_t full = length - length % lanes;
  VectorType vector = vectorOf(b.getF32Type());
  Value acc = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(
          vector, b.getF32FloatAttr(getNeutralValue(red.kind)).getValue()));
  if (full > 0) {
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(full), index(lanes), ValueRange{acc},
        [&](OpBuilder &, Location, Value r0, ValueRange args) {
          Value x = contribution(r0, /*mask=*/nullptr);
          scf::YieldOp::create(
              b, loc, vector::makeArithReduction(b, loc, red.kind, args[0], x));
        });
    acc = loop.getResult(0);
  }
  if (full < length) {
    Value mask = vector::CreateMaskOp::create(
        b, loc, vectorOf(b.getI1Type()), ValueRange{index(length - full)});
    acc = vector::makeArithReduction(b, loc, red.kind, acc,
                                     contribution(index(full), mask));
  }
  Value rowResult = combineLanes(acc);
  Value output = red.op.getDpsInits()[0];
  SmallVector<Value> outIndices = indices(red.outputIndexing);
  Value previous = memref::LoadOp::create(b, loc, output, outIndices);
  memref::StoreOp::create(
      b, loc,
      vector::makeArithReduction(b, loc, red.kind, previous, rowResult),
      output, outIndices);
}

struct VectorizeReductionsPass
    : public tfmc::impl::VectorizeReductionsPassBase<VectorizeReductionsPass> {
  using VectorizeReductionsPassBase::VectorizeReductionsPassBase;

  void runOnOperation() override {
    if (lanes < 1) {
      getOperation().emitError("tfmc-vectorize-reductions: lanes must be "
                               "positive");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    for (linalg::GenericOp op : ops) {
      std::optional<RowReduction> red = matchRowReduction(op);
      // Rows shorter than a vector gain nothing.
      if (!red || red->ranges[red->reduced] < lanes)
        continue;
      OpBuilder b(op);
      ReductionEmitter(*red, lanes, b).emit();
      op.erase();
    }
  }
};

} // namespace
