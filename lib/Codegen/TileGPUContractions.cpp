//===- TileGPUContractions.cpp - tfmc-tile-gpu-contractions ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A contraction kernel (matmul, batched, any operand layout) as the
// classic shared-memory GPU matmul: a workgroup computes a tileM × tileN
// block of the output, staging tileK-deep slices of both operands through
// workgroup memory; each thread holds threadM × threadN accumulators in
// registers, so every value read from workgroup memory feeds threadM or
// threadN multiply-adds instead of one.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "ContractionNeighbours.h"
#include "KernelVariants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace tfmc {
#define GEN_PASS_DEF_TILEGPUCONTRACTIONSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

using tfmc::kVulkanMaxGroupsPerDimension;
using tfmc::kVulkanMinSharedMemoryBytes;

/// The roles of a contraction's loops: C[batch, m, n] += A[.., m, k] ·
/// B[.., k, n] (operand layouts and batch broadcasting as the maps say).
struct Contraction {
  linalg::GenericOp op;
  unsigned m, n, k;
  SmallVector<unsigned> batch;
  SmallVector<int64_t> sizes;
  /// Elementwise ops over C fused into the kernel (tfmc-tile-gpu-
  /// contractions' host step): the prologue computes C's initial value, the
  /// epilogue is applied to the result before it is stored.
  linalg::GenericOp prologue, epilogue;
};

bool usesDim(AffineMap map, unsigned d) {
  return map.isFunctionOfDim(d);
}

std::optional<Contraction> matchContraction(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics() || op.hasIndexSemantics())
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::any_of(sizes, ShapedType::isDynamic))
    return std::nullopt;
  Contraction c{op, 0, 0, 0, {}, sizes, {}, {}};
  // Parallel dims of A only are m candidates, of B only n candidates; the
  // one innermost in C is m (n), the others index like batch dims.
  SmallVector<unsigned> ms, ns, ks;
  for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray())) {
    bool inA = usesDim(maps[0], d), inB = usesDim(maps[1], d),
         inC = usesDim(maps[2], d);
    if (it == utils::IteratorType::reduction) {
      if (!inA || !inB || inC)
        return std::nullopt;
      ks.push_back(d);
    } else if (!inC) {
      return std::nullopt;
    } else if (inA && !inB) {
      ms.push_back(d);
    } else if (inB && !inA) {
      ns.push_back(d);
    } else {
      c.batch.push_back(d);
    }
  }
  if (ms.empty() || ns.empty() || ks.size() != 1)
    return std::nullopt;
  auto innermost = [&](ArrayRef<unsigned> dims) {
    unsigned best = dims.front();
    for (unsigned d : dims)
      if (*maps[2].getResultPosition(getAffineDimExpr(d, op.getContext())) >
          *maps[2].getResultPosition(getAffineDimExpr(best, op.getContext())))
        best = d;
    return best;
  };
  c.m = innermost(ms);
  c.n = innermost(ns);
  c.k = ks.front();
  for (unsigned d : llvm::concat<unsigned>(ms, ns))
    if (d != c.m && d != c.n)
      c.batch.push_back(d);
  llvm::sort(c.batch);
  // The body: out = f(a, b, out) on scalars, one yield.
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return std::nullopt;
  return c;
}

/// `tile` halved while larger than its dimension (a smaller workgroup, not
/// idle threads), keeping at least 4 threads along it.
int64_t fitTile(int64_t tile, int64_t thread, int64_t size) {
  while (tile > size && tile / 2 >= 4 * thread && (tile / 2) % thread == 0)
    tile /= 2;
  return tile;
}

struct TileGPUContractionsPass
    : public tfmc::impl::TileGPUContractionsPassBase<TileGPUContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (tileM % threadM || tileN % threadN || tileM <= 0 || tileN <= 0 ||
        tileK <= 0 || threadM <= 0 || threadN <= 0 || fallbackTile < 0 ||
        (fallbackTile > 0 &&
         (fallbackTile % threadM || fallbackTile % threadN))) {
      getOperation().emitError("tfmc-tile-gpu-contractions: tile sizes must "
                               "be positive and divisible by the thread "
                               "tile");
      return signalPassFailure();
    }
    tfmc::fuseContractionNeighbours(
        getOperation(),
        {[&](linalg::LinalgOp op) { return isTileable(op); }, nullptr});
    // A list: fallback variants are added to the module as it goes.
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>())) {
      std::optional<Contraction> c = matchKernel(func);
      if (!c)
        continue;
      // The variant for smaller devices: a copy of the kernel, tiled with
      // the fallback tiles, before this one is.
      if (fallbackTile > 0 &&
          (fitTile(tileM, threadM, c->sizes[c->m]) > fallbackTile ||
           fitTile(tileN, threadN, c->sizes[c->n]) > fallbackTile)) {
        func::FuncOp fallback = tfmc::addFallbackKernel(func);
        std::optional<Contraction> fc = matchKernel(fallback);
        if (!fc || failed(tile(*fc, fallbackTile, fallbackTile)))
          return signalPassFailure();
      }
      if (failed(tile(*c, tileM, tileN)))
        return signalPassFailure();
    }
  }

  /// The contraction of kernel `func` worth tiling (in generic form: a
  /// named op is generalized, in place only if it is tiled), with the
  /// elementwise prologue and epilogue the host step fused around it; or
  /// nullopt, leaving the kernel as it was.
  std::optional<Contraction> matchKernel(func::FuncOp func) {
    if (!func->hasAttr("tfmc.kernel") || func.isExternal())
      return std::nullopt;
    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    if (ops.empty() || ops.size() > 3 ||
        llvm::any_of(ops, [&](linalg::LinalgOp op) {
          return op->getParentOp() != func;
        }))
      return std::nullopt;
    // Fused kernels: [prologue,] contraction [, epilogue], as the host
    // step made them.
    if (ops.size() > 1 && !func->hasAttr(tfmc::kFusedNeighboursAttr))
      return std::nullopt;
    auto contraction = llvm::find_if(ops, [](linalg::LinalgOp op) {
      return op.getNumReductionLoops() > 0;
    });
    if (contraction == ops.end())
      return std::nullopt;
    size_t at = contraction - ops.begin();
    if (ops.size() > 1 &&
        llvm::any_of(ops, [&](linalg::LinalgOp op) {
          return op != *contraction && !isa<linalg::GenericOp>(op);
        }))
      return std::nullopt;
    IRRewriter rewriter(&getContext());
    rewriter.setInsertionPoint(*contraction);
    linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(**contraction);
    if (!generic) {
      auto copy = cast<linalg::LinalgOp>(rewriter.clone(**contraction));
      FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, copy);
      if (failed(g)) {
        rewriter.eraseOp(copy);
        return std::nullopt;
      }
      generic = *g;
    }
    std::optional<Contraction> c = matchContraction(generic);
    if (!c || !worthTiling(*c)) {
      if (generic.getOperation() != contraction->getOperation())
        rewriter.eraseOp(generic);
      return std::nullopt;
    }
    if (generic.getOperation() != contraction->getOperation())
      rewriter.eraseOp(*contraction);
    if (at > 0)
      c->prologue = cast<linalg::GenericOp>(ops.front());
    if (at + 1 < ops.size())
      c->epilogue = cast<linalg::GenericOp>(ops.back());
    return c;
  }

  /// Whether `op` (a kernel's one op) would be tiled.
  bool isTileable(linalg::LinalgOp op) {
    if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
      std::optional<Contraction> c = matchContraction(generic);
      return c && worthTiling(*c);
    }
    IRRewriter rewriter(&getContext());
    rewriter.setInsertionPoint(op);
    auto copy = cast<linalg::LinalgOp>(rewriter.clone(*op));
    FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, copy);
    if (failed(g)) {
      rewriter.eraseOp(copy);
      return false;
    }
    std::optional<Contraction> c = matchContraction(*g);
    bool result = c && worthTiling(*c);
    rewriter.eraseOp(*g);
    return result;
  }


  /// Small products gain nothing from tiling (and would waste threads).
  bool worthTiling(const Contraction &c) {
    int64_t groups = 1;
    for (unsigned d : c.batch)
      groups *= c.sizes[d];
    return c.sizes[c.m] >= threadM * 4 && c.sizes[c.n] >= threadN * 4 &&
           c.sizes[c.k] >= 4 && groups <= kVulkanMaxGroupsPerDimension &&
           (c.sizes[c.m] + tileM - 1) / tileM <= kVulkanMaxGroupsPerDimension &&
           (c.sizes[c.n] + tileN - 1) / tileN <= kVulkanMaxGroupsPerDimension;
  }

  LogicalResult tile(const Contraction &c, int64_t tileM, int64_t tileN);
};

LogicalResult TileGPUContractionsPass::tile(const Contraction &c,
                                            int64_t tileM, int64_t tileN) {
  linalg::GenericOp op = c.op, prologue = c.prologue, epilogue = c.epilogue;
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  OpBuilder b(op);
  int64_t M = c.sizes[c.m], N = c.sizes[c.n], K = c.sizes[c.k];
  tileM = fitTile(tileM, threadM, M);
  tileN = fitTile(tileN, threadN, N);
  int64_t threadsN = tileN / threadN, threadsM = tileM / threadM;
  // What every Vulkan device provides; larger workgroups are checked
  // against the device's limits by the runtime.
  int64_t sharedBytes = 0;
  for (auto [i, v] : llvm::enumerate(op.getDpsInputs()))
    sharedBytes += tileK * (i == 0 ? tileM : tileN) *
                   cast<MemRefType>(v.getType()).getElementTypeBitWidth() / 8;
  if (sharedBytes > kVulkanMinSharedMemoryBytes)
    return op.emitError("tfmc-tile-gpu-contractions: the tiles need ")
           << sharedBytes << " bytes of workgroup memory; Vulkan guarantees "
           << kVulkanMinSharedMemoryBytes;
  int64_t threads = threadsM * threadsN;
  auto cst = [&](OpBuilder &ob, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ob, loc, v);
  };
  int64_t batchCount = 1;
  for (unsigned d : c.batch)
    batchCount *= c.sizes[d];

  Value a = op.getDpsInputOperand(0)->get(), bOperand = op.getDpsInputOperand(1)->get();
  Value out = op.getDpsInitOperand(0)->get();
  Type aType = cast<MemRefType>(a.getType()).getElementType();
  Type bType = cast<MemRefType>(bOperand.getType()).getElementType();
  Type cType = cast<MemRefType>(out.getType()).getElementType();
  // Numeric 3, what convert-gpu-to-spirv's Vulkan storage-class map knows
  // as Workgroup (it does not map #gpu.address_space).
  Attribute workgroup = IntegerAttr::get(IntegerType::get(ctx, 64), 3);
  // f32 tiles hold 4-vectors: a thread's outputs come in runs of 4
  // neighbouring rows and columns, read with one load per run.
  int64_t vw = aType.isF32() && bType.isF32() && threadM % 4 == 0 &&
                       threadN % 4 == 0
                   ? 4
                   : 1;
  auto tileType = [&](int64_t extent, Type type) {
    return vw == 1 ? MemRefType::get({tileK, extent}, type, AffineMap(),
                                      workgroup)
                   : MemRefType::get({tileK, extent / vw},
                                     VectorType::get({vw}, type), AffineMap(),
                                     workgroup);
  };
  auto aTileType = tileType(tileM, aType);
  auto bTileType = tileType(tileN, bType);

  auto launch = gpu::LaunchOp::create(
      b, loc, cst(b, (N + tileN - 1) / tileN), cst(b, (M + tileM - 1) / tileM),
      cst(b, batchCount), cst(b, threadsN), cst(b, threadsM), cst(b, 1),
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{});
  Block &body = launch.getBody().front();
  OpBuilder lb = OpBuilder::atBlockBegin(&body);
  gpu::TerminatorOp::create(lb, loc);
  lb.setInsertionPoint(body.getTerminator());
  // Allocations in workgroup memory become the kernel's Workgroup
  // variables (convert-gpu-to-spirv crashes on workgroup attributions).
  Value aTile = memref::AllocOp::create(lb, loc, aTileType);
  Value bTile = memref::AllocOp::create(lb, loc, bTileType);
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value m0 = arith::MulIOp::create(lb, loc, launch.getBlockIds().y,
                                   cst(lb, tileM));
  Value n0 = arith::MulIOp::create(lb, loc, launch.getBlockIds().x,
                                   cst(lb, tileN));
  Value tid = arith::AddIOp::create(
      lb, loc, arith::MulIOp::create(lb, loc, ty, cst(lb, threadsN)), tx);

  // The full iteration point for given m, n, k (batch from block z).
  SmallVector<Value> point(c.sizes.size());
  {
    Value rest = launch.getBlockIds().z;
    for (unsigned d : llvm::reverse(c.batch)) {
      Value size = cst(lb, c.sizes[d]);
      point[d] = arith::RemUIOp::create(lb, loc, rest, size);
      rest = arith::DivUIOp::create(lb, loc, rest, size);
    }
  }
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto indices = [&](OpBuilder &ob, AffineMap map, Value m, Value n,
                     Value k) {
    SmallVector<Value> at = point;
    at[c.m] = m ? m : cst(ob, 0);
    at[c.n] = n ? n : cst(ob, 0);
    at[c.k] = k ? k : cst(ob, 0);
    SmallVector<Value> result;
    for (AffineExpr e : map.getResults())
      result.push_back(at[cast<AffineDimExpr>(e).getPosition()]);
    return result;
  };
  // Guards only where a tile crosses an edge: shapes that divide the tiles
  // (known here) get straight-line loads and stores.
  bool edgeM = M % tileM != 0, edgeN = N % tileN != 0, edgeK = K % tileK != 0;
  auto lessThan = [&](OpBuilder &ob, Value v, int64_t bound) -> Value {
    return arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::ult, v,
                                 cst(ob, bound));
  };
  // The conjunction of the conditions given (null ones hold), or null.
  auto all = [&](OpBuilder &ob, ArrayRef<Value> conds) -> Value {
    Value result;
    for (Value c : conds)
      if (c)
        result = result ? arith::AndIOp::create(ob, loc, result, c).getResult()
                        : c;
    return result;
  };
  auto zero = [&](OpBuilder &ob, Type t) -> Value {
    return arith::ConstantOp::create(ob, loc, ob.getZeroAttr(t));
  };
  // value = inBounds ? load : 0, without reading out of bounds.
  auto guardedLoad = [&](OpBuilder &ob, Value inBounds, Value memref,
                         ValueRange at, Type type) -> Value {
    if (!inBounds)
      return memref::LoadOp::create(ob, loc, memref, at);
    auto ifOp = scf::IfOp::create(ob, loc, TypeRange{type}, inBounds,
                                  /*withElseRegion=*/true);
    OpBuilder tb = ifOp.getThenBodyBuilder();
    scf::YieldOp::create(tb, loc,
                         ValueRange{memref::LoadOp::create(tb, loc, memref, at)});
    OpBuilder eb = ifOp.getElseBodyBuilder();
    scf::YieldOp::create(eb, loc, ValueRange{zero(eb, type)});
    return ifOp.getResult(0);
  };

  // A fused elementwise op's value at C's indices `at`: its inputs loaded
  // (C itself is `cValue`), its body applied.
  auto applyElementwise = [&](OpBuilder &ob, linalg::GenericOp g,
                              ArrayRef<Value> at, Value cValue) -> Value {
    IRMapping mapping;
    auto load = [&](Value buffer, AffineMap map) -> Value {
      if (cValue && buffer == out)
        return cValue;
      SmallVector<Value> idx;
      for (AffineExpr e : map.getResults())
        idx.push_back(isa<AffineDimExpr>(e)
                          ? at[cast<AffineDimExpr>(e).getPosition()]
                          : cst(ob, 0));
      return memref::LoadOp::create(ob, loc, buffer, idx);
    };
    for (OpOperand &operand : g->getOpOperands()) {
      BlockArgument arg = g.getMatchingBlockArgument(&operand);
      if (!arg.use_empty())
        mapping.map(arg, load(operand.get(), g.getMatchingIndexingMap(&operand)));
    }
    // Constants the body captures may be defined after the launch (the
    // fused kernel holds the epilogue's after the contraction).
    SetVector<Value> captured;
    getUsedValuesDefinedAbove(g.getRegion(), captured);
    for (Value v : captured)
      if (Operation *def = v.getDefiningOp();
          def && def->hasTrait<OpTrait::ConstantLike>())
        mapping.map(v, ob.clone(*def)->getResult(0));
    Block &body = g.getRegion().front();
    for (Operation &o : body.without_terminator())
      ob.clone(o, mapping);
    return mapping.lookupOrDefault(body.getTerminator()->getOperand(0));
  };
  // C's value before the product: the prologue's, or C as stored (zero
  // past the edges).
  auto initialValue = [&](OpBuilder &ob, Value inBounds,
                          ArrayRef<Value> at) -> Value {
    if (!prologue)
      return guardedLoad(ob, inBounds, out, at, cType);
    if (!inBounds)
      return applyElementwise(ob, prologue, at, nullptr);
    auto ifOp = scf::IfOp::create(ob, loc, TypeRange{cType}, inBounds,
                                  /*withElseRegion=*/true);
    OpBuilder tb = ifOp.getThenBodyBuilder();
    scf::YieldOp::create(tb, loc,
                         applyElementwise(tb, prologue, at, nullptr));
    OpBuilder eb = ifOp.getElseBodyBuilder();
    scf::YieldOp::create(eb, loc, ValueRange{zero(eb, cType)});
    return ifOp.getResult(0);
  };

  // This thread's outputs: runs of vw rows starting at
  // m0 + vw·ty + vw·threadsM·g, and of vw columns at n0 + vw·tx +
  // vw·threadsN·g (neighbouring threads, neighbouring runs).
  auto ownIndex = [&](Value base, Value t, int64_t threadsAlong, int64_t i) {
    int64_t g = i / vw, r = i % vw;
    Value scaled = vw == 1 ? t : arith::MulIOp::create(lb, loc, t, cst(lb, vw));
    return arith::AddIOp::create(
        lb, loc, base,
        arith::AddIOp::create(lb, loc, scaled,
                              cst(lb, vw * threadsAlong * g + r)));
  };
  SmallVector<Value> rows, cols;
  for (int64_t i = 0; i < threadM; ++i)
    rows.push_back(ownIndex(m0, ty, threadsM, i));
  for (int64_t j = 0; j < threadN; ++j)
    cols.push_back(ownIndex(n0, tx, threadsN, j));
  SmallVector<Value> rowOk, colOk;
  for (Value r : rows)
    rowOk.push_back(edgeM ? lessThan(lb, r, M) : Value());
  for (Value col : cols)
    colOk.push_back(edgeN ? lessThan(lb, col, N) : Value());
  SmallVector<Value> init;
  for (int64_t i = 0; i < threadM; ++i)
    for (int64_t j = 0; j < threadN; ++j)
      init.push_back(initialValue(
          lb, all(lb, {rowOk[i], colOk[j]}),
          indices(lb, maps[2], rows[i], cols[j], nullptr)));

  auto kLoop = scf::ForOp::create(lb, loc, cst(lb, 0), cst(lb, K),
                                  cst(lb, tileK), init);
  {
    OpBuilder kb = OpBuilder::atBlockBegin(kLoop.getBody());
    Value k0 = kLoop.getInductionVar();
    // Stage A[m0.., k0..] and B[k0.., n0..] (transposed into [k][m] and
    // [k][n]); consecutive threads read consecutive elements of the
    // operand's innermost dimension where it is k (A) or n (B).
    auto stage = [&](Value source, Value tileBuf, Type type, AffineMap map,
                     int64_t extent, bool isA) {
      // Units of vw elements along m (A) or n (B).
      int64_t units = extent / vw, elements = tileK * units;
      for (int64_t first = 0; first < elements; first += threads) {
        Value e = arith::AddIOp::create(kb, loc, tid, cst(kb, first));
        // A: e = unit · tileK + kk; B: e = kk · units + unit.
        Value inner = arith::RemUIOp::create(kb, loc, e,
                                             cst(kb, isA ? tileK : units));
        Value outer = arith::DivUIOp::create(kb, loc, e,
                                             cst(kb, isA ? tileK : units));
        Value kk = isA ? inner : outer, unit = isA ? outer : inner;
        Value k = arith::AddIOp::create(kb, loc, k0, kk);
        // Threads past the tile (elements not a multiple of threads).
        Value inTile =
            first + threads > elements ? lessThan(kb, e, elements) : Value();
        OpBuilder sb = kb;
        if (inTile)
          sb = scf::IfOp::create(kb, loc, inTile, false).getThenBodyBuilder();
        SmallVector<Value> values;
        for (int64_t r = 0; r < vw; ++r) {
          Value mn = vw == 1 ? unit
                             : arith::AddIOp::create(
                                   sb, loc,
                                   arith::MulIOp::create(sb, loc, unit,
                                                         cst(sb, vw)),
                                   cst(sb, r));
          Value pos = arith::AddIOp::create(sb, loc, isA ? m0 : n0, mn);
          Value ok = all(sb, {edgeK ? lessThan(sb, k, K) : Value(),
                              (isA ? edgeM : edgeN)
                                  ? lessThan(sb, pos, isA ? M : N)
                                  : Value()});
          values.push_back(guardedLoad(sb, ok, source,
                                       isA ? indices(sb, map, pos, nullptr, k)
                                           : indices(sb, map, nullptr, pos, k),
                                       type));
        }
        Value v = vw == 1 ? values[0]
                          : vector::FromElementsOp::create(
                                sb, loc, VectorType::get({vw}, type), values)
                                .getResult();
        memref::StoreOp::create(sb, loc, v, tileBuf, ValueRange{kk, unit});
      }
    };
    stage(a, aTile, aType, maps[0], tileM, /*isA=*/true);
    stage(bOperand, bTile, bType, maps[1], tileN, /*isA=*/false);
    gpu::BarrierOp::create(kb, loc);
    Value kCount =
        edgeK ? arith::MinUIOp::create(
                    kb, loc, cst(kb, tileK),
                    arith::SubIOp::create(kb, loc, cst(kb, K), k0))
                    .getResult()
              : cst(kb, tileK);
    auto kkLoop = scf::ForOp::create(kb, loc, cst(kb, 0), kCount, cst(kb, 1),
                                     kLoop.getRegionIterArgs());
    {
      OpBuilder ib = OpBuilder::atBlockBegin(kkLoop.getBody());
      Value kk = kkLoop.getInductionVar();
      // The thread's runs: one load each (unit t + threads·g of the row).
      auto readRuns = [&](Value tileBuf, Value t, int64_t threadsAlong,
                          int64_t count) {
        SmallVector<Value> values;
        for (int64_t g = 0; g < count / vw; ++g) {
          Value run = memref::LoadOp::create(
              ib, loc, tileBuf,
              ValueRange{kk, arith::AddIOp::create(
                                 ib, loc, t, cst(ib, threadsAlong * g))});
          for (int64_t r = 0; r < vw; ++r)
            values.push_back(vw == 1 ? run
                                     : vector::ExtractOp::create(ib, loc, run,
                                                                 r)
                                           .getResult());
        }
        return values;
      };
      SmallVector<Value> as = readRuns(aTile, ty, threadsM, threadM);
      SmallVector<Value> bs = readRuns(bTile, tx, threadsN, threadN);
      Block &payload = op.getRegion().front();
      SmallVector<Value> next;
      for (int64_t i = 0; i < threadM; ++i)
        for (int64_t j = 0; j < threadN; ++j) {
          IRMapping mapping;
          mapping.map(payload.getArgument(0), as[i]);
          mapping.map(payload.getArgument(1), bs[j]);
          mapping.map(payload.getArgument(2),
                      kkLoop.getRegionIterArgs()[i * threadN + j]);
          for (Operation &o : payload.without_terminator())
            ib.clone(o, mapping);
          next.push_back(mapping.lookupOrDefault(
              payload.getTerminator()->getOperand(0)));
        }
      scf::YieldOp::create(ib, loc, next);
    }
    // Everyone is done reading before the next slice overwrites the tiles.
    gpu::BarrierOp::create(kb, loc);
    scf::YieldOp::create(kb, loc, kkLoop.getResults());
  }
  for (int64_t i = 0; i < threadM; ++i)
    for (int64_t j = 0; j < threadN; ++j) {
      OpBuilder sb = lb;
      if (Value ok = all(lb, {rowOk[i], colOk[j]}))
        sb = scf::IfOp::create(lb, loc, ok, false).getThenBodyBuilder();
      SmallVector<Value> at = indices(sb, maps[2], rows[i], cols[j], nullptr);
      Value result = kLoop.getResult(i * threadN + j), target = out;
      if (epilogue) {
        result = applyElementwise(sb, epilogue, at, result);
        target = epilogue.getDpsInitOperand(0)->get();
      }
      memref::StoreOp::create(sb, loc, result, target, at);
    }
  op.erase();
  if (prologue)
    prologue.erase();
  if (epilogue)
    epilogue.erase();
  return success();
}

} // namespace
