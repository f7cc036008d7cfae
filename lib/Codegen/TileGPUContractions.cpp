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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

namespace tfmc {
#define GEN_PASS_DEF_TILEGPUCONTRACTIONSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

/// Vulkan guarantees 65535 workgroups per grid dimension and 16 KiB of
/// workgroup memory.
constexpr int64_t kMaxGroupsPerDimension = 65535;
constexpr int64_t kMinSharedMemoryBytes = 16384;

/// The roles of a contraction's loops: C[batch, m, n] += A[.., m, k] ·
/// B[.., k, n] (operand layouts and batch broadcasting as the maps say).
struct Contraction {
  linalg::GenericOp op;
  unsigned m, n, k;
  SmallVector<unsigned> batch;
  SmallVector<int64_t> sizes;
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
  Contraction c{op, 0, 0, 0, {}, sizes};
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
    // A list: fallback variants are added to the module as it goes.
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>())) {
      if (!func->hasAttr("tfmc.kernel") || func.isExternal())
        continue;
      SmallVector<linalg::LinalgOp> ops;
      func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
      if (ops.size() != 1 || ops[0]->getParentOp() != func)
        continue;
      // Named ops are matched in generic form, on a copy: a kernel that is
      // not tiled stays as it was.
      IRRewriter rewriter(&getContext());
      rewriter.setInsertionPoint(ops[0]);
      linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(*ops[0]);
      if (!generic) {
        auto copy = cast<linalg::LinalgOp>(rewriter.clone(*ops[0]));
        FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, copy);
        if (failed(g)) {
          rewriter.eraseOp(copy);
          continue;
        }
        generic = *g;
      }
      std::optional<Contraction> c = matchContraction(generic);
      if (!c || !worthTiling(*c)) {
        if (generic.getOperation() != ops[0].getOperation())
          rewriter.eraseOp(generic);
        continue;
      }
      if (generic.getOperation() != ops[0].getOperation())
        rewriter.eraseOp(ops[0]);
      // The variant for smaller devices: a copy of the kernel, tiled with
      // the fallback tiles, before this one is.
      if (fallbackTile > 0 &&
          (fitTile(tileM, threadM, c->sizes[c->m]) > fallbackTile ||
           fitTile(tileN, threadN, c->sizes[c->n]) > fallbackTile)) {
        rewriter.setInsertionPointAfter(func);
        auto fallback = cast<func::FuncOp>(rewriter.clone(*func));
        std::string name = (func.getSymName() + "_fallback").str();
        for (unsigned i = 0; getOperation().lookupSymbol(name); ++i)
          name = (func.getSymName() + "_fallback" + Twine(i)).str();
        fallback.setSymName(name);
        func->setAttr(tfmc::kFallbackKernelAttr,
                      FlatSymbolRefAttr::get(fallback.getSymNameAttr()));
        linalg::GenericOp copy = *fallback.getOps<linalg::GenericOp>().begin();
        std::optional<Contraction> fc = matchContraction(copy);
        if (!fc || failed(tile(*fc, fallbackTile, fallbackTile)))
          return signalPassFailure();
      }
      if (failed(tile(*c, tileM, tileN)))
        return signalPassFailure();
    }
  }

  /// Small products gain nothing from tiling (and would waste threads).
  bool worthTiling(const Contraction &c) {
    int64_t groups = 1;
    for (unsigned d : c.batch)
      groups *= c.sizes[d];
    return c.sizes[c.m] >= threadM * 4 && c.sizes[c.n] >= threadN * 4 &&
           c.sizes[c.k] >= 4 && groups <= kMaxGroupsPerDimension &&
           (c.sizes[c.m] + tileM - 1) / tileM <= kMaxGroupsPerDimension &&
           (c.sizes[c.n] + tileN - 1) / tileN <= kMaxGroupsPerDimension;
  }

  LogicalResult tile(const Contraction &c, int64_t tileM, int64_t tileN);
};

LogicalResult TileGPUContractionsPass::tile(const Contraction &c,
                                            int64_t tileM, int64_t tileN) {
  linalg::GenericOp op = c.op;
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
  if (sharedBytes > kMinSharedMemoryBytes)
    return op.emitError("tfmc-tile-gpu-contractions: the tiles need ")
           << sharedBytes << " bytes of workgroup memory; Vulkan guarantees "
           << kMinSharedMemoryBytes;
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
  auto aTileType = MemRefType::get({tileK, tileM}, aType, AffineMap(), workgroup);
  auto bTileType = MemRefType::get({tileK, tileN}, bType, AffineMap(), workgroup);

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

  // This thread's outputs: rows m0 + ty + threadsM·i, columns
  // n0 + tx + threadsN·j (neighbouring threads, neighbouring columns).
  SmallVector<Value> rows, cols;
  for (int64_t i = 0; i < threadM; ++i)
    rows.push_back(arith::AddIOp::create(
        lb, loc, m0,
        arith::AddIOp::create(lb, loc, ty, cst(lb, threadsM * i))));
  for (int64_t j = 0; j < threadN; ++j)
    cols.push_back(arith::AddIOp::create(
        lb, loc, n0,
        arith::AddIOp::create(lb, loc, tx, cst(lb, threadsN * j))));
  SmallVector<Value> rowOk, colOk;
  for (Value r : rows)
    rowOk.push_back(edgeM ? lessThan(lb, r, M) : Value());
  for (Value col : cols)
    colOk.push_back(edgeN ? lessThan(lb, col, N) : Value());
  SmallVector<Value> init;
  for (int64_t i = 0; i < threadM; ++i)
    for (int64_t j = 0; j < threadN; ++j)
      init.push_back(guardedLoad(
          lb, all(lb, {rowOk[i], colOk[j]}), out,
          indices(lb, maps[2], rows[i], cols[j], nullptr), cType));

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
      int64_t elements = tileK * extent;
      for (int64_t first = 0; first < elements; first += threads) {
        Value e = arith::AddIOp::create(kb, loc, tid, cst(kb, first));
        // A: e = row · tileK + kk; B: e = kk · tileN + col.
        Value inner = arith::RemUIOp::create(kb, loc, e,
                                             cst(kb, isA ? tileK : extent));
        Value outer = arith::DivUIOp::create(kb, loc, e,
                                             cst(kb, isA ? tileK : extent));
        Value kk = isA ? inner : outer, mn = isA ? outer : inner;
        Value k = arith::AddIOp::create(kb, loc, k0, kk);
        Value pos = arith::AddIOp::create(kb, loc, isA ? m0 : n0, mn);
        // Threads past the tile (elements not a multiple of threads).
        Value inTile =
            first + threads > elements ? lessThan(kb, e, elements) : Value();
        Value ok = all(kb, {edgeK ? lessThan(kb, k, K) : Value(),
                            (isA ? edgeM : edgeN)
                                ? lessThan(kb, pos, isA ? M : N)
                                : Value(),
                            inTile});
        Value v = guardedLoad(kb, ok, source,
                              isA ? indices(kb, map, pos, nullptr, k)
                                  : indices(kb, map, nullptr, pos, k),
                              type);
        OpBuilder sb = kb;
        if (inTile)
          sb = scf::IfOp::create(kb, loc, inTile, false).getThenBodyBuilder();
        memref::StoreOp::create(sb, loc, v, tileBuf, ValueRange{kk, mn});
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
      SmallVector<Value> as, bs;
      for (int64_t i = 0; i < threadM; ++i)
        as.push_back(memref::LoadOp::create(
            ib, loc, aTile,
            ValueRange{kk, arith::AddIOp::create(ib, loc, ty,
                                                 cst(ib, threadsM * i))}));
      for (int64_t j = 0; j < threadN; ++j)
        bs.push_back(memref::LoadOp::create(
            ib, loc, bTile,
            ValueRange{kk, arith::AddIOp::create(ib, loc, tx,
                                                 cst(ib, threadsN * j))}));
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
      memref::StoreOp::create(sb, loc, kLoop.getResult(i * threadN + j), out,
                              indices(sb, maps[2], rows[i], cols[j], nullptr));
    }
  op.erase();
  return success();
}

} // namespace
