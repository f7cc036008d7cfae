//===- LowerGPUAttention.cpp - tfmc-lower-gpu-attention ---------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The online-softmax attention as one GPU kernel. The host schedule of the
// Vulkan target cannot loop, so the CPU form (a loop over key blocks
// calling small kernels) does not carry over: the loop over key blocks
// runs inside the kernel, with K/V blocks staged in workgroup memory.
//
// Each thread owns whole query rows (not a slice of a score tile shared
// with other threads): the row maximum and sum need no exchange between
// threads, and every key or value element read from workgroup memory
// feeds one multiply-add per row the thread owns. On CPU-backed devices
// such as lavapipe, where each memory access is a loop over the SIMD
// lanes, that ratio decides the speed.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "tfmc/Conversion/TfmToLinalg/TfmToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace tfmc {
#define GEN_PASS_DEF_LOWERGPUATTENTIONPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

using tfmc::kVulkanMaxGroupsPerDimension;
using tfmc::kVulkanMinSharedMemoryBytes;
/// Values a thread keeps live across the key loop (query vectors and
/// accumulators of its rows).
constexpr int64_t kMaxRegisterValues = 1024;
/// Workgroups a launch should have before rows per thread grow.
constexpr int64_t kMinWorkgroups = 8;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The attention a declaration describes (see kGPUAttentionAttr).
struct Problem {
  MemRefType query, key, value, mask, result;
  int64_t rank, sq, sk, d, dv, groups;
  SmallVector<int64_t> lead;
  double scale;
  bool causal;
};

FailureOr<Problem> analyze(func::FuncOp func, DictionaryAttr attr) {
  auto fail = [&](const Twine &why) {
    return func.emitError("tfmc-lower-gpu-attention: @")
           << func.getSymName() << ": " << why;
  };
  FunctionType type = func.getFunctionType();
  if (type.getNumResults() != 0 ||
      (type.getNumInputs() != 4 && type.getNumInputs() != 5))
    return fail("expected buffers (query, key, value[, mask], result) and "
                "no results");
  SmallVector<MemRefType> buffers;
  for (Type t : type.getInputs()) {
    auto memref = dyn_cast<MemRefType>(t);
    if (!memref || !memref.hasStaticShape() ||
        !memref.getLayout().isIdentity())
      return fail("every operand must be a static buffer with the identity "
                  "layout");
    buffers.push_back(memref);
  }
  Problem p;
  p.query = buffers[0];
  p.key = buffers[1];
  p.value = buffers[2];
  p.mask = buffers.size() == 5 ? buffers[3] : MemRefType();
  p.result = buffers.back();
  p.rank = p.query.getRank();
  if (p.rank < 2 || p.key.getRank() != p.rank || p.value.getRank() != p.rank ||
      p.result.getRank() != p.rank)
    return fail("query, key, value and result must have the same rank >= 2");
  for (MemRefType t : {p.query, p.key, p.value, p.result})
    if (!isa<FloatType>(t.getElementType()))
      return fail("query, key, value and result must be float buffers");
  p.sq = p.query.getDimSize(p.rank - 2);
  p.d = p.query.getDimSize(p.rank - 1);
  p.sk = p.key.getDimSize(p.rank - 2);
  p.dv = p.value.getDimSize(p.rank - 1);
  p.lead = llvm::to_vector(p.result.getShape().drop_back(2));
  if (p.key.getDimSize(p.rank - 1) != p.d ||
      p.value.getDimSize(p.rank - 2) != p.sk ||
      p.result.getDimSize(p.rank - 2) != p.sq ||
      p.result.getDimSize(p.rank - 1) != p.dv || p.sq < 1 || p.sk < 1 ||
      p.d < 1 || p.dv < 1)
    return fail("shapes do not form an attention (query [.., Sq, D], key "
                "[.., Sk, D], value [.., Sk, Dv], result [.., Sq, Dv])");
  p.groups = 1;
  if (p.rank >= 3 && p.key.getDimSize(p.rank - 3) > 0 &&
      p.lead[p.rank - 3] % p.key.getDimSize(p.rank - 3) == 0)
    p.groups = p.lead[p.rank - 3] / p.key.getDimSize(p.rank - 3);
  for (int64_t i = 0; i < p.rank - 2; ++i)
    for (MemRefType t : {p.query, p.key, p.value}) {
      int64_t size = t.getDimSize(i);
      bool grouped = t != p.query && i == p.rank - 3 &&
                     size * p.groups == p.lead[i];
      if (size != p.lead[i] && size != 1 && !grouped)
        return fail("leading dimensions of query, key and value do not "
                    "match the result's");
    }
  if (p.mask) {
    int64_t mr = p.mask.getRank(), shift = p.rank - mr;
    if (mr > p.rank)
      return fail("the mask has more dimensions than the scores");
    for (int64_t i = 0; i < mr; ++i) {
      int64_t score = shift + i < p.rank - 2 ? p.lead[shift + i]
                      : shift + i == p.rank - 2 ? p.sq
                                                : p.sk;
      if (p.mask.getDimSize(i) != 1 && p.mask.getDimSize(i) != score)
        return fail("the mask does not broadcast to the scores");
    }
    Type element = p.mask.getElementType();
    if (!element.isInteger(1) && !isa<FloatType>(element))
      return fail("the mask must be i1 or float");
  }
  auto scale = attr.getAs<FloatAttr>("scale");
  if (!scale)
    return fail("tfmc.attention needs a float 'scale'");
  p.scale = scale.getValueAsDouble();
  p.causal = static_cast<bool>(attr.get("causal"));
  return p;
}

struct LowerGPUAttentionPass
    : public tfmc::impl::LowerGPUAttentionPassBase<LowerGPUAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threads < 1 || rows < 1 || keyBlock < 1 || chunk < 1) {
      getOperation().emitError("tfmc-lower-gpu-attention: threads, rows, "
                               "key-block and chunk must be positive");
      return signalPassFailure();
    }
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      auto attr = func->getAttrOfType<DictionaryAttr>(tfmc::kGPUAttentionAttr);
      if (!attr || !func.isExternal())
        continue;
      FailureOr<Problem> problem = analyze(func, attr);
      if (failed(problem) || failed(lower(func, *problem)))
        return signalPassFailure();
    }
  }

  LogicalResult lower(func::FuncOp func, const Problem &p);
};

LogicalResult LowerGPUAttentionPass::lower(func::FuncOp func,
                                           const Problem &p) {
  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  Type f32 = Float32Type::get(ctx);

  if (p.d + p.dv > kMaxRegisterValues)
    return func.emitError("tfmc-lower-gpu-attention: @")
           << func.getSymName() << ": heads of " << p.d << " + " << p.dv
           << " values exceed the kernel's register budget ("
           << kMaxRegisterValues << "); use the plain form "
           << "(--attention=unfused)";
  int64_t leadCount = 1;
  for (int64_t size : p.lead)
    leadCount *= size;
  // Fewer rows per thread for small problems (enough workgroups to fill
  // the device; a smaller kernel compiles faster) and for large heads (the
  // register budget).
  int64_t rows = this->rows;
  while (rows > 1 && (rows * (p.d + p.dv) > kMaxRegisterValues ||
                      p.sq * leadCount < kMinWorkgroups * threads * rows))
    rows /= 2;
  int64_t threads = std::min<int64_t>(this->threads, ceilDiv(p.sq, rows));
  // Staging (barriers: a coroutine on CPU devices, which compiles slowly)
  // only where the problem is large enough for the full row count.
  bool workgroupMemory = this->workgroupMemory && rows == this->rows;
  int64_t perGroup = threads * rows;
  // At least 4 keys: the register budget bounds D + Dv to 1024 floats.
  int64_t block = std::min<int64_t>(
      {keyBlock, kVulkanMinSharedMemoryBytes / (4 * (p.d + p.dv)), p.sk});
  int64_t chunk = std::min<int64_t>(this->chunk, block);
  block = block / chunk * chunk;
  // Without staging, blocks are only the loop's step: one chunk.
  if (!workgroupMemory)
    block = chunk;
  int64_t queryGroups = ceilDiv(p.sq, perGroup);
  if (queryGroups > kVulkanMaxGroupsPerDimension ||
      leadCount > kVulkanMaxGroupsPerDimension)
    return func.emitError("tfmc-lower-gpu-attention: @")
           << func.getSymName() << ": " << queryGroups << " query blocks × "
           << leadCount << " heads exceed " << kVulkanMaxGroupsPerDimension
           << " workgroups per grid dimension";

  Block *entry = func.addEntryBlock();
  Value query = entry->getArgument(0), key = entry->getArgument(1),
        value = entry->getArgument(2), result = entry->getArguments().back();
  Value mask = p.mask ? entry->getArgument(3) : Value();
  OpBuilder b = OpBuilder::atBlockBegin(entry);
  auto cst = [&](OpBuilder &ob, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ob, loc, v);
  };
  auto fconst = [&](OpBuilder &ob, double v) -> Value {
    return arith::ConstantOp::create(ob, loc, ob.getF32FloatAttr(v));
  };
  auto launch = gpu::LaunchOp::create(
      b, loc, cst(b, queryGroups), cst(b, leadCount), cst(b, 1),
      cst(b, threads), cst(b, 1), cst(b, 1),
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{});
  func::ReturnOp::create(b, loc);
  func->removeAttr(tfmc::kGPUAttentionAttr);
  func->setAttr("tfmc.kernel", b.getUnitAttr());

  Block &body = launch.getBody().front();
  OpBuilder lb = OpBuilder::atBlockBegin(&body);
  gpu::TerminatorOp::create(lb, loc);
  lb.setInsertionPoint(body.getTerminator());
  // Numeric 3: convert-gpu-to-spirv's Vulkan storage class for Workgroup.
  Attribute workgroup = IntegerAttr::get(IntegerType::get(ctx, 64), 3);
  // Staged rows hold 4-vectors where the head sizes allow: one load for
  // four elements.
  int64_t vw = p.d % 4 == 0 && p.dv % 4 == 0 ? 4 : 1;
  auto tileType = [&](int64_t width) {
    return vw == 1 ? MemRefType::get({block, width}, f32, AffineMap(),
                                     workgroup)
                   : MemRefType::get({block, width / vw},
                                     VectorType::get({vw}, f32), AffineMap(),
                                     workgroup);
  };
  Value keyTile, valueTile;
  if (workgroupMemory) {
    keyTile = memref::AllocOp::create(lb, loc, tileType(p.d));
    valueTile = memref::AllocOp::create(lb, loc, tileType(p.dv));
  }
  Value tid = launch.getThreadIds().x;

  // The head: block y delinearized over the leading dimensions.
  SmallVector<Value> lead(p.lead.size());
  {
    Value rest = launch.getBlockIds().y;
    for (int64_t i = static_cast<int64_t>(lead.size()) - 1; i >= 0; --i) {
      if (p.lead[i] == 1) {
        lead[i] = cst(lb, 0);
        continue;
      }
      Value size = cst(lb, p.lead[i]);
      lead[i] = arith::RemUIOp::create(lb, loc, rest, size);
      rest = arith::DivUIOp::create(lb, loc, rest, size);
    }
  }
  Value kvHead = p.groups > 1
                     ? arith::DivUIOp::create(lb, loc, lead[p.rank - 3],
                                              cst(lb, p.groups))
                           .getResult()
                     : Value();
  // Indices of (row, column) of this head in an operand [lead'.., S, D]: a
  // dimension of size 1 broadcasts; key/value heads are shared by `groups`
  // query heads.
  auto at = [&](OpBuilder &ob, MemRefType type, Value row, Value column) {
    SmallVector<Value> indices;
    for (int64_t i = 0; i < p.rank - 2; ++i) {
      int64_t size = type.getDimSize(i);
      if (size == 1 && p.lead[i] != 1)
        indices.push_back(cst(ob, 0));
      else if (kvHead && i == p.rank - 3 && size != p.lead[i])
        indices.push_back(kvHead);
      else
        indices.push_back(lead[i]);
    }
    indices.append({row, column});
    return indices;
  };
  // Indices into the mask (numpy broadcasting to [lead.., Sq, Sk]).
  auto maskAt = [&](OpBuilder &ob, Value row, Value column) {
    SmallVector<Value> indices;
    int64_t shift = p.rank - p.mask.getRank();
    for (int64_t i = 0; i < p.mask.getRank(); ++i) {
      int64_t s = shift + i;
      if (p.mask.getDimSize(i) == 1)
        indices.push_back(cst(ob, 0));
      else
        indices.push_back(s < p.rank - 2 ? lead[s]
                          : s == p.rank - 2 ? row
                                            : column);
    }
    return indices;
  };
  auto toF32 = [&](OpBuilder &ob, Value v) -> Value {
    unsigned width = v.getType().getIntOrFloatBitWidth();
    if (width < 32)
      return arith::ExtFOp::create(ob, loc, f32, v);
    if (width > 32)
      return arith::TruncFOp::create(ob, loc, f32, v);
    return v;
  };
  auto minusInf = [&](OpBuilder &ob) {
    return fconst(ob, -std::numeric_limits<double>::infinity());
  };
  // exp(x - max), 0 while the row has seen nothing but masked keys.
  auto expBelow = [&](OpBuilder &ob, Value x, Value max) -> Value {
    Value none = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OEQ,
                                       max, minusInf(ob));
    Value e = math::ExpOp::create(ob, loc,
                                  arith::SubFOp::create(ob, loc, x, max));
    return arith::SelectOp::create(ob, loc, none, fconst(ob, 0.0), e);
  };

  // This thread's rows: base + tid + threads·i (neighbouring threads,
  // neighbouring rows). Rows past the end compute on the last row and are
  // not stored.
  Value base = arith::MulIOp::create(lb, loc, launch.getBlockIds().x,
                                     cst(lb, perGroup));
  bool partialRows = queryGroups * perGroup > p.sq;
  SmallVector<Value> row, rowIndex;
  for (int64_t i = 0; i < rows; ++i) {
    row.push_back(arith::AddIOp::create(
        lb, loc, base,
        arith::AddIOp::create(lb, loc, tid, cst(lb, threads * i))));
    rowIndex.push_back(partialRows ? arith::MinUIOp::create(
                                         lb, loc, row.back(), cst(lb, p.sq - 1))
                                         .getResult()
                                   : row.back());
  }
  // The scaled query rows, in registers for the whole kernel.
  SmallVector<SmallVector<Value>> q(rows);
  Value scale = fconst(lb, p.scale);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t c = 0; c < p.d; ++c)
      q[i].push_back(arith::MulFOp::create(
          lb, loc,
          toF32(lb, memref::LoadOp::create(
                        lb, loc, query,
                        at(lb, p.query, rowIndex[i], cst(lb, c)))),
          scale));

  // Key blocks to visit: all, or under the causal rule those up to the
  // group's last row's diagonal (key j is visible to row i iff
  // j <= i + Sk - Sq).
  Value upper = cst(lb, ceilDiv(p.sk, block) * block);
  if (p.causal) {
    Value endRow = arith::MinUIOp::create(
        lb, loc, arith::AddIOp::create(lb, loc, base, cst(lb, perGroup)),
        cst(lb, p.sq));
    Value keysEnd = arith::SubIOp::create(
        lb, loc, arith::AddIOp::create(lb, loc, endRow, cst(lb, p.sk)),
        cst(lb, p.sq));
    keysEnd = arith::MinSIOp::create(
        lb, loc, arith::MaxSIOp::create(lb, loc, keysEnd, cst(lb, 0)),
        cst(lb, p.sk));
    upper = arith::MulIOp::create(
        lb, loc, arith::CeilDivUIOp::create(lb, loc, keysEnd, cst(lb, block)),
        cst(lb, block));
  }

  // Loop state: accumulators [rows][Dv], then maxima [rows], then sums.
  SmallVector<Value> init;
  for (int64_t i = 0; i < rows * p.dv; ++i)
    init.push_back(fconst(lb, 0.0));
  for (int64_t i = 0; i < rows; ++i)
    init.push_back(minusInf(lb));
  for (int64_t i = 0; i < rows; ++i)
    init.push_back(fconst(lb, 0.0));
  auto accAt = [&](int64_t i, int64_t c) { return i * p.dv + c; };
  auto maxAt = [&](int64_t i) { return rows * p.dv + i; };
  auto sumAt = [&](int64_t i) { return rows * p.dv + rows + i; };
  bool partialBlock = p.sk % block != 0;

  auto keyLoop = scf::ForOp::create(lb, loc, cst(lb, 0), upper,
                                    cst(lb, block), init);
  {
    OpBuilder kb = OpBuilder::atBlockBegin(keyLoop.getBody());
    Value blockStart = keyLoop.getInductionVar();
    // Stage K and V of keys [blockStart, blockStart + block) as f32,
    // consecutive threads on consecutive elements; zeros past Sk.
    auto stage = [&](Value source, MemRefType type, Value tile,
                     int64_t width) {
      int64_t units = width / vw, elements = block * units;
      for (int64_t first = 0; first < elements; first += threads) {
        OpBuilder sb = kb;
        Value e = arith::AddIOp::create(kb, loc, tid, cst(kb, first));
        if (first + threads > elements)
          sb = scf::IfOp::create(kb, loc,
                                 arith::CmpIOp::create(
                                     kb, loc, arith::CmpIPredicate::ult, e,
                                     cst(kb, elements)),
                                 /*withElseRegion=*/false)
                   .getThenBodyBuilder();
        Value slot = arith::DivUIOp::create(sb, loc, e, cst(sb, units));
        Value unit = arith::RemUIOp::create(sb, loc, e, cst(sb, units));
        Value keyIndex = arith::AddIOp::create(sb, loc, blockStart, slot);
        // The unit's elements, zeros past Sk.
        auto loadUnit = [&](OpBuilder &ob) {
          SmallVector<Value> values;
          for (int64_t r = 0; r < vw; ++r) {
            Value column =
                vw == 1 ? unit
                        : arith::AddIOp::create(
                              ob, loc,
                              arith::MulIOp::create(ob, loc, unit, cst(ob, vw)),
                              cst(ob, r));
            values.push_back(toF32(ob, memref::LoadOp::create(
                                           ob, loc, source,
                                           at(ob, type, keyIndex, column))));
          }
          return vw == 1 ? values[0]
                         : vector::FromElementsOp::create(
                               ob, loc, VectorType::get({vw}, f32), values)
                               .getResult();
        };
        Type unitType = vw == 1 ? f32 : Type(VectorType::get({vw}, f32));
        Value v;
        if (partialBlock) {
          auto inKeys = scf::IfOp::create(
              sb, loc, TypeRange{unitType},
              arith::CmpIOp::create(sb, loc, arith::CmpIPredicate::ult,
                                    keyIndex, cst(sb, p.sk)),
              /*withElseRegion=*/true);
          OpBuilder tb = inKeys.getThenBodyBuilder();
          scf::YieldOp::create(tb, loc, loadUnit(tb));
          OpBuilder eb = inKeys.getElseBodyBuilder();
          scf::YieldOp::create(
              eb, loc,
              ValueRange{arith::ConstantOp::create(
                  eb, loc, eb.getZeroAttr(unitType))});
          v = inKeys.getResult(0);
        } else {
          v = loadUnit(sb);
        }
        memref::StoreOp::create(sb, loc, v, tile, ValueRange{slot, unit});
      }
    };
    if (workgroupMemory) {
      stage(key, p.key, keyTile, p.d);
      stage(value, p.value, valueTile, p.dv);
      gpu::BarrierOp::create(kb, loc);
    }

    // Element c of the key or value in `slot` of the block (key
    // `keyIndex`): from workgroup memory, or straight from the buffer
    // (clamped to the last key, the value zeroed past Sk: its probability
    // is 0, and 0 · inf would be NaN).
    auto readKeyOrValue = [&](OpBuilder &ob, bool isKey, Value slot,
                              Value keyIndex, int64_t c) -> Value {
      if (workgroupMemory) {
        Value unit = memref::LoadOp::create(ob, loc,
                                            isKey ? keyTile : valueTile,
                                            ValueRange{slot, cst(ob, c / vw)});
        // CSE merges the loads of one unit's elements.
        return vw == 1 ? unit
                       : vector::ExtractOp::create(ob, loc, unit, c % vw)
                             .getResult();
      }
      Value clamped =
          partialBlock ? arith::MinUIOp::create(ob, loc, keyIndex,
                                                cst(ob, p.sk - 1))
                             .getResult()
                       : keyIndex;
      Value v = toF32(ob, memref::LoadOp::create(
                              ob, loc, isKey ? key : value,
                              at(ob, isKey ? p.key : p.value, clamped,
                                 cst(ob, c))));
      if (partialBlock && !isKey)
        v = arith::SelectOp::create(
            ob, loc,
            arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::ult,
                                  keyIndex, cst(ob, p.sk)),
            v, fconst(ob, 0.0));
      return v;
    };
    auto chunkLoop = scf::ForOp::create(kb, loc, cst(kb, 0), cst(kb, block),
                                        cst(kb, chunk),
                                        keyLoop.getRegionIterArgs());
    {
      OpBuilder cb = OpBuilder::atBlockBegin(chunkLoop.getBody());
      ValueRange state = chunkLoop.getRegionIterArgs();
      Value chunkStart = chunkLoop.getInductionVar();
      bool rowMask = p.mask && p.mask.getRank() >= 2 &&
                     p.mask.getDimSize(p.mask.getRank() - 2) != 1;
      SmallVector<Value> slots, keyIndices;
      // scores[i][k]: row i, key k of the chunk.
      SmallVector<SmallVector<Value>> scores(rows);
      for (int64_t k = 0; k < chunk; ++k) {
        Value slot = arith::AddIOp::create(cb, loc, chunkStart, cst(cb, k));
        slots.push_back(slot);
        Value keyIndex = arith::AddIOp::create(cb, loc, blockStart, slot);
        keyIndices.push_back(keyIndex);
        SmallVector<Value> dot(rows);
        for (int64_t c = 0; c < p.d; ++c) {
          Value kc = readKeyOrValue(cb, /*isKey=*/true, slot, keyIndex, c);
          for (int64_t i = 0; i < rows; ++i)
            dot[i] = dot[i] ? math::FmaOp::create(cb, loc, q[i][c], kc, dot[i])
                                  .getResult()
                            : arith::MulFOp::create(cb, loc, q[i][c], kc)
                                  .getResult();
        }
        Value inKeys = partialBlock
                           ? arith::CmpIOp::create(cb, loc,
                                                   arith::CmpIPredicate::ult,
                                                   keyIndex, cst(cb, p.sk))
                                 .getResult()
                           : Value();
        // Mask reads stay in bounds for the keys past Sk.
        Value maskColumn =
            partialBlock ? arith::MinUIOp::create(cb, loc, keyIndex,
                                                  cst(cb, p.sk - 1))
                               .getResult()
                         : keyIndex;
        Value sharedMask =
            p.mask && !rowMask
                ? memref::LoadOp::create(cb, loc, mask,
                                         maskAt(cb, cst(cb, 0), maskColumn))
                      .getResult()
                : Value();
        for (int64_t i = 0; i < rows; ++i) {
          Value s = dot[i];
          if (p.mask) {
            Value m = rowMask ? memref::LoadOp::create(
                                    cb, loc, mask,
                                    maskAt(cb, rowIndex[i], maskColumn))
                                    .getResult()
                              : sharedMask;
            s = m.getType().isInteger(1)
                    ? arith::SelectOp::create(cb, loc, m, s, minusInf(cb))
                          .getResult()
                    : arith::AddFOp::create(cb, loc, s, toF32(cb, m))
                          .getResult();
          }
          if (p.causal) {
            // j <= i + Sk - Sq, as j + Sq <= i + Sk (no negative values).
            Value visible = arith::CmpIOp::create(
                cb, loc, arith::CmpIPredicate::ule,
                arith::AddIOp::create(cb, loc, keyIndex, cst(cb, p.sq)),
                arith::AddIOp::create(cb, loc, row[i], cst(cb, p.sk)));
            s = arith::SelectOp::create(cb, loc, visible, s, minusInf(cb));
          }
          if (inKeys)
            s = arith::SelectOp::create(cb, loc, inKeys, s, minusInf(cb));
          scores[i].push_back(s);
        }
      }
      // Per row: the new maximum, one rescale, the chunk's probabilities.
      SmallVector<Value> next(state.begin(), state.end());
      SmallVector<SmallVector<Value>> probs(rows);
      for (int64_t i = 0; i < rows; ++i) {
        Value chunkMax = scores[i][0];
        for (int64_t k = 1; k < chunk; ++k)
          chunkMax = arith::MaximumFOp::create(cb, loc, chunkMax, scores[i][k]);
        Value oldMax = state[maxAt(i)];
        Value newMax = arith::MaximumFOp::create(cb, loc, oldMax, chunkMax);
        Value correction = expBelow(cb, oldMax, newMax);
        Value sum = arith::MulFOp::create(cb, loc, state[sumAt(i)], correction);
        for (int64_t k = 0; k < chunk; ++k) {
          probs[i].push_back(expBelow(cb, scores[i][k], newMax));
          sum = arith::AddFOp::create(cb, loc, sum, probs[i][k]);
        }
        next[maxAt(i)] = newMax;
        next[sumAt(i)] = sum;
        for (int64_t c = 0; c < p.dv; ++c)
          next[accAt(i, c)] =
              arith::MulFOp::create(cb, loc, state[accAt(i, c)], correction);
      }
      for (int64_t k = 0; k < chunk; ++k)
        for (int64_t c = 0; c < p.dv; ++c) {
          Value vc = readKeyOrValue(cb, /*isKey=*/false, slots[k],
                                    keyIndices[k], c);
          for (int64_t i = 0; i < rows; ++i)
            next[accAt(i, c)] =
                math::FmaOp::create(cb, loc, probs[i][k], vc, next[accAt(i, c)]);
        }
      scf::YieldOp::create(cb, loc, next);
    }
    // Everyone is done reading before the next block overwrites the tiles.
    if (workgroupMemory)
      gpu::BarrierOp::create(kb, loc);
    scf::YieldOp::create(kb, loc, chunkLoop.getResults());
  }

  // Normalize once; a row whose keys were all masked has sum 0: zeros.
  Type element = p.result.getElementType();
  ValueRange finalState = keyLoop.getResults();
  for (int64_t i = 0; i < rows; ++i) {
    OpBuilder sb = lb;
    if (partialRows)
      sb = scf::IfOp::create(lb, loc,
                             arith::CmpIOp::create(lb, loc,
                                                   arith::CmpIPredicate::ult,
                                                   row[i], cst(lb, p.sq)),
                             /*withElseRegion=*/false)
               .getThenBodyBuilder();
    Value sum = finalState[sumAt(i)];
    Value empty = arith::CmpFOp::create(sb, loc, arith::CmpFPredicate::OEQ,
                                        sum, fconst(sb, 0.0));
    for (int64_t c = 0; c < p.dv; ++c) {
      Value out = arith::SelectOp::create(
          sb, loc, empty, fconst(sb, 0.0),
          arith::DivFOp::create(sb, loc, finalState[accAt(i, c)], sum));
      unsigned width = element.getIntOrFloatBitWidth();
      if (width < 32)
        out = arith::TruncFOp::create(sb, loc, element, out);
      else if (width > 32)
        out = arith::ExtFOp::create(sb, loc, element, out);
      memref::StoreOp::create(sb, loc, out, result,
                              at(sb, p.result, row[i], cst(sb, c)));
    }
  }
  return success();
}

} // namespace
