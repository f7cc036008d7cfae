//===- TileContractions.cpp - tfmc-tile-contractions -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Contractions become a GotoBLAS-style nest: B packed per (column panel,
// reduction block) into an L1-resident buffer, and a register tile of
// accumulators updated with one broadcast of A and a few FMAs per step.
// Emitted directly as scf + vector ops rather than through the transform
// dialect: the nest is small, and owning it keeps remainders (masked columns,
// a smaller row tile) and the packing layout in one place.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "ContractionNeighbours.h"
#include "LoopAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

namespace tfmc {
#define GEN_PASS_DEF_TILECONTRACTIONSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;
using tfmc::getOperandIndexing;
using tfmc::hasUnitInnerStride;
using tfmc::kParallelLoopAttr;
using tfmc::OperandIndexing;

namespace {

/// Rows of A per cache block are chosen so that a block of A, one reduction
/// block wide, stays in L2.
constexpr int64_t kCacheBlockBytesOfA = 1 << 20;

/// A B whose rows run along n and that fits in L1 with room to spare (the
/// key and value blocks of flash attention) is read in place: copying it
/// would cost as much as the reads it saves.
constexpr int64_t kDirectBBytes = 32 * 1024;

struct Contraction {
  Value a, b, c;
  OperandIndexing aIndexing, bIndexing, cIndexing;
  int64_t m, n, k;
  SmallVector<int64_t> batch; // outermost first, in C's order
  SmallVector<int64_t> ranges;
  /// B's innermost dimension runs along n with unit stride: panels are
  /// packed with vector loads.
  bool vectorPack;
  /// B was packed at compile time: [N/P, K, P] panels of P columns
  /// (b[n, k] = B[n floordiv P, k, n mod P]); 0 otherwise.
  int64_t packedPanel = 0;
  /// Elementwise ops the host step fused around the contraction: the
  /// prologue computes C's initial value, the epilogue (reading C as its
  /// operand `epilogueC`) is applied before the last store.
  linalg::GenericOp prologue, epilogue;
  unsigned epilogueC = 0;
  /// For each loop of the prologue (epilogue), the contraction's loop it
  /// runs along, or -1 for a unit dimension.
  SmallVector<int64_t> prologueLoops, epilogueLoops;
};

/// The loops of elementwise op `g`, as the contraction's: `g`'s loops index
/// `alias` (C reshaped by unit dimensions) by identity.
std::optional<SmallVector<int64_t>>
getLoopsAlongC(const Contraction &c, Value alias) {
  std::optional<SmallVector<int64_t>> dims =
      tfmc::getUnitReshapeDims(alias, c.c);
  if (!dims)
    return std::nullopt;
  for (int64_t &d : *dims)
    if (d >= 0)
      d = c.cIndexing[d];
  return dims;
}

/// An elementwise op the register tile can apply to a row of `lanes`
/// columns: a body of elementwise-mappable scalar ops and constants,
/// inputs read along the last loop with unit stride (or not along it: a
/// broadcast), the output with unit innermost stride.
bool isVectorizableElementwise(linalg::GenericOp g) {
  int64_t last = g.getNumLoops() - 1;
  if (last < 0 || !hasUnitInnerStride(g.getDpsInits()[0]) ||
      !g.getRegionOutputArgs()[0].use_empty())
    return false;
  for (OpOperand *in : g.getDpsInputOperands()) {
    auto type = dyn_cast<MemRefType>(in->get().getType());
    if (!type || !type.getElementType().isIntOrFloat() ||
        type.getElementTypeBitWidth() < 8)
      return false;
    AffineMap map = g.getMatchingIndexingMap(in);
    for (auto [i, e] : llvm::enumerate(map.getResults()))
      if (e.isFunctionOfDim(last) &&
          (i + 1 != map.getNumResults() || !hasUnitInnerStride(in->get())))
        return false;
  }
  auto isScalar = [](Type t) { return t.isIntOrFloat(); };
  for (Operation &op : g.getRegion().front().without_terminator()) {
    bool mappable = op.hasTrait<OpTrait::ConstantLike>()
                        ? op.getNumResults() == 1
                        : OpTrait::hasElementwiseMappableTraits(&op);
    if (!mappable || op.getNumRegions() != 0 ||
        !llvm::all_of(op.getOperandTypes(), isScalar) ||
        !llvm::all_of(op.getResultTypes(), isScalar))
      return false;
  }
  // Values the body takes from outside: constants, cloned into the nest.
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(g.getRegion(), captured);
  return llvm::all_of(captured, [&](Value v) {
    Operation *def = v.getDefiningOp();
    return def && def->hasTrait<OpTrait::ConstantLike>() && isScalar(v.getType());
  });
}

/// The panel width P if `map` reads (n floordiv P, k, n mod P).
std::optional<int64_t> getPackedPanel(AffineMap map, int64_t n, int64_t k) {
  if (map.getNumResults() != 3)
    return std::nullopt;
  auto div = dyn_cast<AffineBinaryOpExpr>(map.getResult(0));
  auto kExpr = dyn_cast<AffineDimExpr>(map.getResult(1));
  auto mod = dyn_cast<AffineBinaryOpExpr>(map.getResult(2));
  if (!div || !kExpr || !mod || div.getKind() != AffineExprKind::FloorDiv ||
      mod.getKind() != AffineExprKind::Mod || kExpr.getPosition() != k)
    return std::nullopt;
  auto isN = [&](AffineExpr e) {
    auto d = dyn_cast<AffineDimExpr>(e);
    return d && d.getPosition() == n;
  };
  auto divBy = dyn_cast<AffineConstantExpr>(div.getRHS());
  auto modBy = dyn_cast<AffineConstantExpr>(mod.getRHS());
  if (!isN(div.getLHS()) || !isN(mod.getLHS()) || !divBy || !modBy ||
      divBy.getValue() != modBy.getValue() || divBy.getValue() < 1)
    return std::nullopt;
  return divBy.getValue();
}

bool isFloatOperand(Value v) {
  Type t = cast<MemRefType>(v.getType()).getElementType();
  return t.isF32() || t.isF16() || t.isBF16();
}

/// `v` is the block argument itself or its extension to f32.
bool readsArgument(Value v, BlockArgument arg) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    v = ext.getIn();
  return v == arg;
}

/// Every loop `indexing` uses is in `allowed`, at most once, and `required`
/// loops are all there.
bool usesOnly(const OperandIndexing &indexing, ArrayRef<int64_t> allowed,
              ArrayRef<int64_t> required) {
  llvm::SmallDenseSet<int64_t> seen;
  for (int64_t d : indexing) {
    if (d < 0)
      continue;
    if (!llvm::is_contained(allowed, d) || !seen.insert(d).second)
      return false;
  }
  return llvm::all_of(required, [&](int64_t d) { return seen.contains(d); });
}

std::optional<Contraction> matchContraction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  Contraction c;
  c.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(c.ranges, ShapedType::isDynamic))
    return std::nullopt;
  c.k = -1;
  for (auto [d, iterator] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (iterator != utils::IteratorType::reduction)
      continue;
    if (c.k >= 0)
      return std::nullopt;
    c.k = d;
  }
  if (c.k < 0)
    return std::nullopt;

  // Body: yield(acc + x * y), x and y the inputs or their extensions.
  Block &body = op.getRegion().front();
  if (body.getOperations().size() > 5)
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return std::nullopt;
  Value acc = body.getArgument(2);
  Value product = add.getLhs() == acc   ? add.getRhs()
                  : add.getRhs() == acc ? add.getLhs()
                                        : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul || !mul.getType().isF32())
    return std::nullopt;
  BlockArgument x = body.getArgument(0), y = body.getArgument(1);
  if (!(readsArgument(mul.getLhs(), x) && readsArgument(mul.getRhs(), y)) &&
      !(readsArgument(mul.getLhs(), y) && readsArgument(mul.getRhs(), x)))
    return std::nullopt;

  Value in0 = op.getDpsInputs()[0], in1 = op.getDpsInputs()[1];
  c.c = op.getDpsInits()[0];
  if (!isFloatOperand(in0) || !isFloatOperand(in1) ||
      !cast<MemRefType>(c.c.getType()).getElementType().isF32() ||
      !hasUnitInnerStride(c.c))
    return std::nullopt;

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  std::optional<OperandIndexing> i0 = getOperandIndexing(maps[0]),
                                  i1 = getOperandIndexing(maps[1]),
                                  iC = getOperandIndexing(maps[2]);
  if (!iC || iC->size() < 2 ||
      iC->size() + 1 != c.ranges.size() || llvm::is_contained(*iC, -1) ||
      llvm::is_contained(*iC, c.k))
    return std::nullopt;
  c.cIndexing = *iC;
  c.n = iC->back();
  c.m = (*iC)[iC->size() - 2];
  c.batch.assign(iC->begin(), iC->end() - 2);

  SmallVector<int64_t> aLoops(c.batch), bLoops(c.batch);
  aLoops.append({c.m, c.k});
  bLoops.append({c.k, c.n});
  // Weights packed at compile time: B is always the second input.
  if (std::optional<int64_t> panel = getPackedPanel(maps[1], c.n, c.k)) {
    if (!i0 || !c.batch.empty() || !usesOnly(*i0, aLoops, {c.m, c.k}))
      return std::nullopt;
    c.a = in0, c.aIndexing = *i0, c.b = in1;
    c.packedPanel = *panel;
    c.vectorPack = false;
    return c;
  }
  if (!i0 || !i1)
    return std::nullopt;
  if (usesOnly(*i0, aLoops, {c.m, c.k}) && usesOnly(*i1, bLoops, {c.k, c.n})) {
    c.a = in0, c.aIndexing = *i0, c.b = in1, c.bIndexing = *i1;
  } else if (usesOnly(*i1, aLoops, {c.m, c.k}) &&
             usesOnly(*i0, bLoops, {c.k, c.n})) {
    c.a = in1, c.aIndexing = *i1, c.b = in0, c.bIndexing = *i0;
  } else {
    return std::nullopt;
  }
  c.vectorPack = c.bIndexing.back() == c.n && hasUnitInnerStride(c.b);
  return c;
}

/// Emits the tiled nest of one contraction in place of its linalg op.
class ContractionEmitter {
public:
  ContractionEmitter(const Contraction &c, int64_t lanes, int64_t rows,
                     int64_t vectors, int64_t kBlock, OpBuilder &b,
                     Location loc)
      : c(c), lanes(lanes), rows(rows), vectors(vectors), b(b), loc(loc),
        f32(b.getF32Type()), ivs(c.ranges.size()) {
    M = c.ranges[c.m], N = c.ranges[c.n], K = c.ranges[c.k];
    panelWidth = lanes * vectors;
    int64_t bBytes =
        K * N * cast<MemRefType>(c.b.getType()).getElementTypeBitWidth() / 8;
    direct = c.packedPanel || (c.vectorPack && bBytes <= kDirectBBytes);
    kb = std::min(kBlock, K);
    rowsPerCacheBlock =
        std::max(rows, kCacheBlockBytesOfA / (kb * 4) / rows * rows);
  }

  /// Emits the nest; returns the loops a parallel loop may be chosen from,
  /// outermost first, with their trip counts. `panelPerIteration`: the
  /// panel loop may become parallel.
  SmallVector<std::pair<scf::ForOp, int64_t>> emit(bool panelPerIteration);

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, index(y)); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }

  /// A loop without results; the builder moves into its body.
  scf::ForOp loop(Value lb, Value ub, int64_t step) {
    auto forOp = scf::ForOp::create(b, loc, lb, ub, index(step));
    b.setInsertionPoint(forOp.getBody()->getTerminator());
    return forOp;
  }

  SmallVector<Value> indices(const OperandIndexing &indexing) {
    return tfmc::getOperandIndices(b, loc, indexing, ivs);
  }

  Value loadAsF32(Value memref, const OperandIndexing &indexing) {
    Value v = memref::LoadOp::create(b, loc, memref, indices(indexing));
    if (v.getType() != f32)
      v = arith::ExtFOp::create(b, loc, f32, v);
    return v;
  }

  VectorType vectorOf(Type element) {
    return VectorType::get({lanes}, element);
  }

  /// Lanes [v·lanes, (v+1)·lanes) of row `k` of the compile-time packed
  /// panel that starts at column `np` (zeros past N are stored there), as
  /// f32.
  Value loadPackedRowOfB(Value np, Value k, int64_t v) {
    Type element = cast<MemRefType>(c.b.getType()).getElementType();
    Value panelIndex =
        arith::DivUIOp::create(b, loc, np, index(c.packedPanel));
    Value x = vector::LoadOp::create(b, loc, vectorOf(element), c.b,
                                     ValueRange{panelIndex, k, index(v * lanes)});
    if (element != f32)
      x = arith::ExtFOp::create(b, loc, vectorOf(f32), x);
    return x;
  }

  /// `lanes` elements of B's row ivs[k] from column `n` on, as f32 (masked
  /// lanes read as 0).
  Value loadRowOfB(Value n, Value mask) {
    Type element = cast<MemRefType>(c.b.getType()).getElementType();
    ivs[c.n] = n;
    Value x =
        mask ? vector::MaskedLoadOp::create(
                   b, loc, vectorOf(element), c.b, indices(c.bIndexing), mask,
                   arith::ConstantOp::create(b, loc,
                                             b.getZeroAttr(vectorOf(element))))
                   .getResult()
             : vector::LoadOp::create(b, loc, vectorOf(element), c.b,
                                      indices(c.bIndexing))
                   .getResult();
    if (element != f32)
      x = arith::ExtFOp::create(b, loc, vectorOf(f32), x);
    return x;
  }

  /// The value of elementwise op `g` (loops along the contraction's as
  /// `loops` says) on the `lanes` columns at the current indices, with
  /// `cValue` as its operand `cOperand` (if given).
  Value applyElementwise(linalg::GenericOp g, ArrayRef<int64_t> loops,
                         Value mask, Value cValue = {}, unsigned cOperand = 0);
  /// `g`'s operand indices at the current indices.
  SmallVector<Value> elementwiseIndices(AffineMap map,
                                        ArrayRef<int64_t> loops) {
    SmallVector<Value> result;
    for (AffineExpr e : map.getResults()) {
      auto dim = dyn_cast<AffineDimExpr>(e);
      int64_t loop = dim ? loops[dim.getPosition()] : -1;
      result.push_back(loop < 0 ? index(0) : ivs[loop]);
    }
    return result;
  }
  Value vectorLoad(Value memref, ValueRange at, Value mask) {
    Type element = cast<MemRefType>(memref.getType()).getElementType();
    if (!mask)
      return vector::LoadOp::create(b, loc, vectorOf(element), memref, at);
    Value zeros =
        arith::ConstantOp::create(b, loc, b.getZeroAttr(vectorOf(element)));
    return vector::MaskedLoadOp::create(b, loc, vectorOf(element), memref, at,
                                        mask, zeros);
  }
  void vectorStore(Value x, Value memref, ValueRange at, Value mask) {
    if (mask)
      vector::MaskedStoreOp::create(b, loc, memref, at, mask, x);
    else
      vector::StoreOp::create(b, loc, x, memref, at);
  }

  void pack(Value panel, Value np, Value kc, Value kw);
  void registerTile(int64_t tileRows, Value m0, Value panel, Value np,
                    Value kc, Value kw);

  const Contraction &c;
  int64_t lanes, rows, vectors;
  OpBuilder &b;
  Location loc;
  Type f32;
  /// The current index of each loop while emitting.
  SmallVector<Value> ivs;
  int64_t M, N, K, panelWidth, kb, rowsPerCacheBlock;
  /// B is read in place, without packing.
  bool direct;
  /// Lanes of each vector of a panel that hold columns < N (when N is not a
  /// multiple of the panel width).
  SmallVector<Value> columnMasks;
};

Value ContractionEmitter::applyElementwise(linalg::GenericOp g,
                                          ArrayRef<int64_t> loops, Value mask,
                                          Value cValue, unsigned cOperand) {
  IRMapping mapping;
  for (OpOperand *in : g.getDpsInputOperands()) {
    BlockArgument arg = g.getMatchingBlockArgument(in);
    if (arg.use_empty())
      continue;
    if (cValue && in->getOperandNumber() == cOperand) {
      mapping.map(arg, cValue);
      continue;
    }
    AffineMap map = g.getMatchingIndexingMap(in);
    SmallVector<Value> at = elementwiseIndices(map, loops);
    bool alongN = llvm::any_of(map.getResults(), [&](AffineExpr e) {
      auto dim = dyn_cast<AffineDimExpr>(e);
      return dim && loops[dim.getPosition()] == c.n;
    });
    mapping.map(arg, alongN ? vectorLoad(in->get(), at, mask)
                            : vector::BroadcastOp::create(
                                  b, loc, vectorOf(arg.getType()),
                                  memref::LoadOp::create(b, loc, in->get(), at))
                                  .getResult());
  }
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(g.getRegion(), captured);
  for (Value v : captured)
    mapping.map(v, vector::BroadcastOp::create(b, loc, vectorOf(v.getType()),
                                               b.clone(*v.getDefiningOp())
                                                   ->getResult(0)));
  Block &body = g.getRegion().front();
  for (Operation &op : body.without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>()) {
      Attribute value;
      matchPattern(&op, m_Constant(&value));
      mapping.map(op.getResult(0),
                  arith::ConstantOp::create(
                      b, loc,
                      DenseElementsAttr::get(
                          vectorOf(op.getResult(0).getType()), value)));
      continue;
    }
    OperationState state(loc, op.getName());
    for (Value operand : op.getOperands())
      state.addOperands(mapping.lookup(operand));
    for (Type t : op.getResultTypes())
      state.addTypes(vectorOf(t));
    state.addAttributes(op.getAttrs());
    Operation *vectorOp = b.create(state);
    mapping.map(op.getResults(), vectorOp->getResults());
  }
  return mapping.lookup(body.getTerminator()->getOperand(0));
}

void ContractionEmitter::pack(Value panel, Value np, Value kc, Value kw) {
  if (c.vectorPack) {
    // Rows of B are contiguous along n: one (masked) vector per lane group.
    scf::ForOp kLoop = loop(index(0), kw, 1);
    Value kk = kLoop.getInductionVar();
    ivs[c.k] = add(kc, kk);
    for (int64_t v = 0; v < vectors; ++v) {
      Value x = loadRowOfB(add(np, v * lanes),
                           columnMasks.empty() ? Value() : columnMasks[v]);
      vector::StoreOp::create(b, loc, x, panel,
                              ValueRange{kk, index(v * lanes)});
    }
    b.setInsertionPointAfter(kLoop);
    return;
  }
  // The reduction runs along B's rows (a linear layer's [N, K] weights):
  // read each row of B contiguously, write a column of the panel.
  Value width = N % panelWidth == 0 ? index(panelWidth)
                                    : min(index(panelWidth), sub(index(N), np));
  scf::ForOp jLoop = loop(index(0), width, 1);
  Value j = jLoop.getInductionVar();
  ivs[c.n] = add(np, j);
  scf::ForOp kLoop = loop(index(0), kw, 1);
  ivs[c.k] = add(kc, kLoop.getInductionVar());
  memref::StoreOp::create(b, loc, loadAsF32(c.b, c.bIndexing), panel,
                          ValueRange{kLoop.getInductionVar(), j});
  b.setInsertionPointAfter(jLoop);
  if (N % panelWidth == 0)
    return;
  // Columns past N are zeros, so the full-width tile adds nothing there.
  scf::ForOp padLoop = loop(width, index(panelWidth), 1);
  scf::ForOp padK = loop(index(0), kw, 1);
  memref::StoreOp::create(
      b, loc, arith::ConstantOp::create(b, loc, b.getZeroAttr(f32)), panel,
      ValueRange{padK.getInductionVar(), padLoop.getInductionVar()});
  b.setInsertionPointAfter(padLoop);
}

void ContractionEmitter::registerTile(int64_t tileRows, Value m0, Value panel,
                                      Value np, Value kc, Value kw) {
  VectorType vector = vectorOf(f32);
  SmallVector<Value> rowIndex;
  for (int64_t i = 0; i < tileRows; ++i)
    rowIndex.push_back(add(m0, i));
  SmallVector<Value> columnIndex;
  for (int64_t v = 0; v < vectors; ++v)
    columnIndex.push_back(add(np, v * lanes));
  auto cIndices = [&](int64_t i, int64_t v) {
    ivs[c.m] = rowIndex[i];
    ivs[c.n] = columnIndex[v];
    return indices(c.cIndexing);
  };

  auto mask = [&](int64_t v) {
    return columnMasks.empty() ? Value() : columnMasks[v];
  };
  // C's value before the product: as stored, or the prologue's (in the
  // first reduction block).
  auto storedC = [&] {
    SmallVector<Value> values;
    for (int64_t i = 0; i < tileRows; ++i)
      for (int64_t v = 0; v < vectors; ++v)
        values.push_back(vectorLoad(c.c, cIndices(i, v), mask(v)));
    return values;
  };
  auto prologueC = [&] {
    SmallVector<Value> values;
    for (int64_t i = 0; i < tileRows; ++i)
      for (int64_t v = 0; v < vectors; ++v) {
        cIndices(i, v);
        values.push_back(
            applyElementwise(c.prologue, c.prologueLoops, mask(v)));
      }
    return values;
  };
  // With one reduction block, the first is the last.
  bool oneBlock = K <= kb;
  SmallVector<Value> accumulators;
  if (!c.prologue) {
    accumulators = storedC();
  } else if (oneBlock) {
    accumulators = prologueC();
  } else {
    Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, kc,
                                        index(0));
    SmallVector<Type> types(tileRows * vectors, vector);
    auto ifOp = scf::IfOp::create(b, loc, types, first, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(b, loc, prologueC());
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, loc, storedC());
    accumulators.assign(ifOp.getResults().begin(), ifOp.getResults().end());
  }

  auto kLoop = scf::ForOp::create(
      b, loc, index(0), kw, index(1), accumulators,
      [&](OpBuilder &, Location, Value kk, ValueRange accs) {
        ivs[c.k] = add(kc, kk);
        SmallVector<Value> columns;
        for (int64_t v = 0; v < vectors; ++v)
          columns.push_back(
              panel ? vector::LoadOp::create(b, loc, vector, panel,
                                             ValueRange{kk, index(v * lanes)})
                          .getResult()
              : c.packedPanel
                  ? loadPackedRowOfB(np, ivs[c.k], v)
                  : loadRowOfB(columnIndex[v], columnMasks.empty()
                                                   ? Value()
                                                   : columnMasks[v]));
        SmallVector<Value> updated;
        for (int64_t i = 0; i < tileRows; ++i) {
          ivs[c.m] = rowIndex[i];
          Value a = vector::BroadcastOp::create(
              b, loc, vector, loadAsF32(c.a, c.aIndexing));
          for (int64_t v = 0; v < vectors; ++v)
            updated.push_back(vector::FMAOp::create(
                b, loc, a, columns[v], accs[i * vectors + v]));
        }
        scf::YieldOp::create(b, loc, updated);
      });

  b.setInsertionPointAfter(kLoop);
  auto storeC = [&] {
    for (int64_t i = 0; i < tileRows; ++i)
      for (int64_t v = 0; v < vectors; ++v)
        vectorStore(kLoop.getResult(i * vectors + v), c.c, cIndices(i, v),
                    mask(v));
  };
  // The epilogue's result goes where it writes (C itself, or a buffer D
  // the host step checked: C is then dead, never stored in the last block).
  auto storeEpilogue = [&] {
    linalg::GenericOp epilogue = c.epilogue;
    Value d = epilogue.getDpsInits()[0];
    AffineMap identity =
        epilogue.getMatchingIndexingMap(epilogue.getDpsInitOperand(0));
    for (int64_t i = 0; i < tileRows; ++i)
      for (int64_t v = 0; v < vectors; ++v) {
        cIndices(i, v);
        Value result = applyElementwise(c.epilogue, c.epilogueLoops, mask(v),
                                        kLoop.getResult(i * vectors + v),
                                        c.epilogueC);
        vectorStore(result, d, elementwiseIndices(identity, c.epilogueLoops),
                    mask(v));
      }
  };
  if (!c.epilogue) {
    storeC();
  } else if (oneBlock) {
    storeEpilogue();
  } else {
    Value last = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                       add(kc, kb), index(K));
    auto ifOp = scf::IfOp::create(b, loc, last, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    storeEpilogue();
    b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
    storeC();
  }
}

SmallVector<std::pair<scf::ForOp, int64_t>>
ContractionEmitter::emit(bool panelPerIteration) {
  SmallVector<std::pair<scf::ForOp, int64_t>> nest;
  for (int64_t d : c.batch) {
    if (c.ranges[d] == 1) {
      ivs[d] = index(0);
      continue;
    }
    scf::ForOp batchLoop = loop(index(0), index(c.ranges[d]), 1);
    ivs[d] = batchLoop.getInductionVar();
    nest.push_back({batchLoop, c.ranges[d]});
  }

  Value mStart = index(0);
  bool rowBlocks = M > rowsPerCacheBlock;
  if (rowBlocks) {
    scf::ForOp mLoop = loop(index(0), index(M), rowsPerCacheBlock);
    mStart = mLoop.getInductionVar();
    nest.push_back({mLoop, llvm::divideCeil(M, rowsPerCacheBlock)});
  }

  scf::ForOp nLoop = loop(index(0), index(N), panelWidth);
  nest.push_back({nLoop, llvm::divideCeil(N, panelWidth)});
  Value np = nLoop.getInductionVar();
  if (N % panelWidth != 0) {
    Value width = sub(index(N), np);
    for (int64_t v = 0; v < vectors; ++v)
      columnMasks.push_back(vector::CreateMaskOp::create(
          b, loc, vectorOf(b.getI1Type()),
          ValueRange{sub(width, index(v * lanes))}));
  }

  // One panel per thread: when the panel loop may run in parallel, each
  // iteration takes its own from the heap (a stack allocation in a loop body
  // would grow the stack every iteration once lowered); otherwise one on the
  // function's stack serves every iteration.
  auto panelType = MemRefType::get({kb, panelWidth}, f32);
  Value panel;
  if (direct) {
    // B is small and its rows run along n: read it in place.
  } else if (panelPerIteration) {
    panel = memref::AllocOp::create(b, loc, panelType, b.getI64IntegerAttr(64));
    auto dealloc = memref::DeallocOp::create(b, loc, panel);
    b.setInsertionPoint(dealloc);
  } else {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&b.getInsertionBlock()
                                    ->getParent()
                                    ->getParentOfType<func::FuncOp>()
                                    .getBody()
                                    .front());
    panel = memref::AllocaOp::create(b, loc, panelType, b.getI64IntegerAttr(64));
  }

  scf::ForOp kcLoop = loop(index(0), index(K), kb);
  Value kc = kcLoop.getInductionVar();
  Value kw = K % kb == 0 ? index(kb) : min(index(kb), sub(index(K), kc));
  if (panel)
    pack(panel, np, kc, kw);

  int64_t fullRows = M - M % rows;
  Value fullEnd = rowBlocks ? min(add(mStart, rowsPerCacheBlock),
                                  index(fullRows))
                            : index(fullRows);
  scf::ForOp rowLoop = loop(mStart, fullEnd, rows);
  registerTile(rows, rowLoop.getInductionVar(), panel, np, kc, kw);
  b.setInsertionPointAfter(rowLoop);
  if (M % rows != 0) {
    if (rowBlocks) {
      // Only the last block of rows has the remainder.
      Value last = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::sge, add(mStart, rowsPerCacheBlock),
          index(M));
      auto ifOp = scf::IfOp::create(b, loc, last, /*withElseRegion=*/false);
      b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    }
    registerTile(M % rows, index(fullRows), panel, np, kc, kw);
  }
  return nest;
}

struct TileContractionsPass
    : public tfmc::impl::TileContractionsPassBase<TileContractionsPass> {
  using TileContractionsPassBase::TileContractionsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (lanes < 1 || rows < 1 || vectors < 1 || kBlock < 1) {
      module.emitError("tfmc-tile-contractions: lanes, rows, vectors and "
                       "k-block must be positive");
      return signalPassFailure();
    }
    tfmc::fuseContractionNeighbours(
        module, {[&](linalg::LinalgOp op) {
                   auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
                   std::optional<Contraction> c =
                       generic ? matchContraction(generic) : std::nullopt;
                   return c && willTile(*c) && !isEmpty(*c);
                 },
                 isVectorizableElementwise, /*throughReshapes=*/true});
    for (auto func : module.getOps<func::FuncOp>())
      tileContractions(func);
  }

  /// Contractions with fewer rows than a register tile over [N, K]
  /// weights (matrix-vector products) keep the dot-product order: it
  /// streams the weights once, packing would read them the same way and
  /// write them again. Weights packed for another register tile (a
  /// pipeline mismatch) keep the generic's loops, which stay correct.
  bool willTile(const Contraction &c) {
    int64_t M = c.ranges[c.m];
    return !(M < rows && !c.vectorPack && !c.packedPanel) &&
           !(c.packedPanel && c.packedPanel != lanes * vectors);
  }

  static bool isEmpty(const Contraction &c) {
    return c.ranges[c.m] == 0 || c.ranges[c.n] == 0 || c.ranges[c.k] == 0;
  }

  /// In a kernel the host step fused ([prologue,] contraction
  /// [, epilogue], the only linalg ops), the neighbours' roles. Ops that do
  /// not have the roles' form are left as loops of their own.
  void matchNeighbours(func::FuncOp func, linalg::GenericOp op,
                       Contraction &c) {
    if (!func->hasAttr(tfmc::kFusedNeighboursAttr) ||
        op->getParentOp() != func)
      return;
    SmallVector<linalg::GenericOp> ops;
    for (Operation &o : func.getBody().front())
      if (auto g = dyn_cast<linalg::GenericOp>(o))
        ops.push_back(g);
    auto *at = llvm::find(ops, op);
    if (ops.size() < 2 || ops.size() > 3 || at == ops.end())
      return;
    auto isNeighbour = [](linalg::GenericOp g) {
      return tfmc::isElementwiseOver(g, g.getNumLoops()) &&
             isVectorizableElementwise(g);
    };
    if (at != ops.begin() && isNeighbour(at[-1]))
      if (std::optional<SmallVector<int64_t>> loops =
              getLoopsAlongC(c, at[-1].getDpsInits()[0])) {
        c.prologue = at[-1];
        c.prologueLoops = std::move(*loops);
      }
    if (at + 1 != ops.end() && isNeighbour(at[1]))
      for (OpOperand *in : at[1].getDpsInputOperands())
        if (std::optional<SmallVector<int64_t>> loops =
                getLoopsAlongC(c, in->get());
            loops && at[1].getMatchingIndexingMap(in).isIdentity()) {
          c.epilogue = at[1];
          c.epilogueC = in->getOperandNumber();
          c.epilogueLoops = std::move(*loops);
          break;
        }
  }

  void tileContractions(func::FuncOp func) {
    std::vector<std::pair<linalg::GenericOp, Contraction>> work;
    func.walk([&](linalg::GenericOp op) {
      if (std::optional<Contraction> c = matchContraction(op))
        work.push_back({op, std::move(*c)});
    });
    for (auto &[op, c] : work) {
      if (!willTile(c))
        continue;
      OpBuilder b(op);
      if (isEmpty(c)) {
        op.erase(); // C += nothing
        continue;
      }
      matchNeighbours(func, op, c);
      ContractionEmitter emitter(c, lanes, rows, vectors, kBlock, b,
                                 op.getLoc());
      bool parallel = op->getBlock() == &func.getBody().front() &&
                      func->hasAttr(kParallelLoopAttr);
      SmallVector<std::pair<scf::ForOp, int64_t>> nest =
          emitter.emit(/*panelPerIteration=*/parallel);
      op.erase();
      for (linalg::GenericOp fused : {c.prologue, c.epilogue})
        if (fused)
          fused.erase();
      // The reshapes of C the host step made for them.
      for (Operation &o :
           llvm::make_early_inc_range(llvm::reverse(func.getBody().front())))
        if (isOpTriviallyDead(&o))
          o.erase();
      if (parallel)
        moveParallelLoopAttr(func, nest);
    }
  }

  /// The kernel's parallel loop is now one of the nest's: the column-panel
  /// loop when there are enough panels for every thread, else the outermost
  /// loop with more than one iteration.
  void moveParallelLoopAttr(
      func::FuncOp func, ArrayRef<std::pair<scf::ForOp, int64_t>> nest) {
    func->removeAttr(kParallelLoopAttr);
    std::optional<int64_t> depth;
    if (nest.back().second >= 4)
      depth = nest.size() - 1;
    for (int64_t d = 0; !depth && d < (int64_t)nest.size(); ++d)
      if (nest[d].second > 1)
        depth = d;
    if (depth)
      func->setAttr(kParallelLoopAttr,
                    OpBuilder(func).getI64IntegerAttr(*depth));
  }
};

} // namespace
