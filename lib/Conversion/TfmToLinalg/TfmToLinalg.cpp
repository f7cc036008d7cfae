//===- TfmToLinalg.cpp - lower tfm ops to linalg on tensors -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every tfm op becomes upstream ops on tensors. The lowering favours plain,
// verifiable forms (one linalg.generic per step) that later passes tile and
// vectorize; numerics follow PyTorch: f16/bf16 compute in f32, softmax is
// max-subtracted, layer norm is two-pass.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Conversion/TfmToLinalg/TfmToLinalg.h"
#include "tfmc/Conversion/Passes.h"

#include "Tfm/IR/TfmOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

namespace tfmc {
#define GEN_PASS_DEF_CONVERTTFMTOLINALGPASS
#include "tfmc/Conversion/Passes.h.inc"
} // namespace tfmc

using namespace mlir;
using namespace mlir::tfm;

//===----------------------------------------------------------------------===//
// Weight symbols
//===----------------------------------------------------------------------===//

std::string tfmc::getWeightSymbolName(llvm::StringRef name) {
  // Keep names readable in the object's symbol table; escape the rest so any
  // tensor name maps to a distinct, assembler-safe symbol.
  std::string symbol = "__tfmc_weight_";
  for (char c : name) {
    if (llvm::isAlnum(c) || c == '.')
      symbol += c;
    else if (c == '_')
      symbol += "__";
    else
      symbol += "_" + llvm::utohexstr(static_cast<unsigned char>(c), true, 2);
  }
  return symbol;
}

std::string tfmc::getPackedWeightSymbolName(llvm::StringRef name,
                                            int64_t panel) {
  // "_p" cannot come out of getWeightSymbolName's escaping ("__" or "_XX"
  // with hex digits), so no weight's own symbol can be a packed one's.
  return getWeightSymbolName(name) + "_panels" + std::to_string(panel);
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

namespace {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

bool isLowPrecisionFloat(Type t) { return t.isF16() || t.isBF16(); }

/// Arithmetic happens in f32 for f16/bf16 (as PyTorch does on CPUs).
Type computeType(Type element) {
  return isLowPrecisionFloat(element) ? Float32Type::get(element.getContext())
                                      : element;
}

Value toCompute(OpBuilder &b, Location loc, Value v) {
  if (isLowPrecisionFloat(v.getType()))
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  return v;
}

Value fromCompute(OpBuilder &b, Location loc, Value v, Type element) {
  if (v.getType() == element)
    return v;
  return arith::TruncFOp::create(b, loc, element, v);
}

Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, FloatAttr::get(type, value));
}

Value intConst(OpBuilder &b, Location loc, Type type, int64_t value) {
  return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, value));
}

/// 0 (or false) of any element type.
Value zeroValue(OpBuilder &b, Location loc, Type type) {
  return arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
}

/// The identity/neutral start value of a reduction.
Value lowestValue(OpBuilder &b, Location loc, Type type) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        FloatAttr::get(type, APFloat::getInf(ft.getFloatSemantics(), true)));
  unsigned width = cast<IntegerType>(type).getWidth();
  return arith::ConstantOp::create(
      b, loc, IntegerAttr::get(type, APInt::getSignedMinValue(width)));
}

SmallVector<utils::IteratorType> parallelIterators(int64_t n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

/// Map from a `resultShape` iteration space to an operand that broadcasts to
/// it (numpy rules: aligned right, size-1 dimensions read index 0).
AffineMap broadcastMap(RankedTensorType operand, ArrayRef<int64_t> resultShape,
                       MLIRContext *ctx) {
  int64_t offset = resultShape.size() - operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operand.getRank(); ++i)
    exprs.push_back(operand.getDimSize(i) == 1 && resultShape[offset + i] != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(offset + i, ctx));
  return AffineMap::get(resultShape.size(), 0, exprs, ctx);
}

/// Map from a rank-`rank` iteration space that drops the dimensions in
/// `dropped` (the shape of a reduction's result).
AffineMap droppingMap(int64_t rank, ArrayRef<bool> dropped, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (!dropped[i])
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type element) {
  return tensor::EmptyOp::create(b, loc, shape, element);
}

Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Value scalar) {
  Value empty = emptyTensor(b, loc, shape, scalar.getType());
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

/// One linalg.generic with a single result; `body` gets the input elements
/// followed by the output element.
Value buildGeneric(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                   ArrayRef<AffineMap> maps,
                   ArrayRef<utils::IteratorType> iterators, BodyFn body) {
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args));
      });
  return generic.getResult(0);
}

/// Elementwise op over `operands` broadcast to `shape`; `body` gets the
/// operand elements (not the output).
Value buildElementwise(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                       Type element, ValueRange operands, BodyFn body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value v : operands)
    maps.push_back(broadcastMap(tensorType(v), shape, ctx));
  maps.push_back(AffineMap::getMultiDimIdentityMap(shape.size(), ctx));
  return buildGeneric(b, loc, operands, emptyTensor(b, loc, shape, element),
                      maps, parallelIterators(shape.size()),
                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                        return body(nb, nl, args.drop_back());
                      });
}

/// Reduces `input` over the dimensions marked in `reduced`, starting from
/// `init` (a scalar of the accumulator type). `combine(b, loc, element, acc)`
/// gets the input element as stored.
Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<bool> reduced, Value init,
                     function_ref<Value(OpBuilder &, Location, Value, Value)>
                         combine) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(input);
  SmallVector<int64_t> shape;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    iterators.push_back(reduced[i] ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
    if (!reduced[i])
      shape.push_back(type.getDimSize(i));
  }
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(type.getRank(), ctx),
      droppingMap(type.getRank(), reduced, ctx)};
  return buildGeneric(b, loc, input, filledTensor(b, loc, shape, init), maps,
                      iterators,
                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                        return combine(nb, nl, args[0], args[1]);
                      });
}

/// Reshape between static shapes with the same element count (row-major).
Value reshapeTo(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  RankedTensorType type = tensorType(value);
  if (type.getShape() == shape)
    return value;
  auto target = RankedTensorType::get(shape, type.getElementType());
  auto all = [](int64_t rank) {
    ReassociationIndices r;
    for (int64_t i = 0; i < rank; ++i)
      r.push_back(i);
    return r;
  };
  if (type.getRank() == 0 || shape.empty()) {
    Value v = value;
    if (type.getRank() != 0)
      v = tensor::CollapseShapeOp::create(b, loc, v,
                                          ArrayRef<ReassociationIndices>{});
    if (!shape.empty())
      v = tensor::ExpandShapeOp::create(b, loc, target, v,
                                        ArrayRef<ReassociationIndices>{});
    return v;
  }
  Value flat = value;
  if (type.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(
        b, loc, value, ArrayRef<ReassociationIndices>{all(type.getRank())});
  if (shape.size() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(
      b, loc, target, flat,
      ArrayRef<ReassociationIndices>{all(static_cast<int64_t>(shape.size()))});
}

/// Converts a result of computeType(element) back to `element` elementwise.
Value roundTensorTo(OpBuilder &b, Location loc, Value value, Type element) {
  RankedTensorType type = tensorType(value);
  if (type.getElementType() == element)
    return value;
  return buildElementwise(b, loc, type.getShape(), element, value,
                          [&](OpBuilder &nb, Location nl, ValueRange args) {
                            return fromCompute(nb, nl, args[0], element);
                          });
}

/// out[batch..., m, n] = init + Σ_k a[..m,k] · b[..k,n] in computeType
/// (batch dimensions broadcast; transposes select the operand layouts).
/// Returns the accumulator-typed tensor.
Value buildMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  bool transposeA, bool transposeB, Value init) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType out = tensorType(init);
  int64_t batch = out.getRank() - 2;
  int64_t loops = batch + 3;
  // Loop order: with B as [K, N], (m, k, n) puts the contiguous n innermost
  // (an axpy on a row of C that vectorizes as is); with B as [N, K], (m, n,
  // k) makes the innermost loop a dot product of two contiguous rows, which
  // vectorizes once the sum may be reassociated.
  bool dotInnermost = transposeB;
  // Dot products: when B does not stay in cache and is bigger than A (a
  // linear layer's weights against a few tokens' activations), loop over
  // rows of B outermost: each weight row is then read from memory once,
  // against all rows of A held in cache, instead of once per row of A.
  constexpr int64_t kCachedBytes = 256 * 1024;
  auto bytes = [](Value v) {
    RankedTensorType t = tensorType(v);
    return t.getNumElements() * t.getElementTypeBitWidth() / 8;
  };
  bool rowsOfBOutermost = dotInnermost && bytes(rhs) > kCachedBytes &&
                          bytes(rhs) > bytes(lhs);
  AffineExpr m = getAffineDimExpr(rowsOfBOutermost ? batch + 1 : batch, ctx);
  AffineExpr n = getAffineDimExpr(
      rowsOfBOutermost ? batch : dotInnermost ? batch + 1 : batch + 2, ctx);
  AffineExpr k = getAffineDimExpr(dotInnermost ? batch + 2 : batch + 1, ctx);
  auto operandMap = [&](RankedTensorType t, AffineExpr row, AffineExpr col) {
    int64_t tBatch = t.getRank() - 2;
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < tBatch; ++i) {
      int64_t d = batch - tBatch + i;
      exprs.push_back(t.getDimSize(i) == 1 && out.getDimSize(d) != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(d, ctx));
    }
    exprs.push_back(row);
    exprs.push_back(col);
    return AffineMap::get(loops, 0, exprs, ctx);
  };
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < batch; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  outExprs.append({m, n});
  SmallVector<AffineMap> maps = {
      transposeA ? operandMap(tensorType(lhs), k, m)
                 : operandMap(tensorType(lhs), m, k),
      transposeB ? operandMap(tensorType(rhs), n, k)
                 : operandMap(tensorType(rhs), k, n),
      AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators = parallelIterators(loops);
  iterators[dotInnermost ? batch + 2 : batch + 1] =
      utils::IteratorType::reduction;
  // contract: fused multiply-add; reassoc (dot products only): the
  // reduction may be split across vector lanes.
  auto flags = arith::FastMathFlags::contract;
  if (dotInnermost)
    flags = flags | arith::FastMathFlags::reassoc;
  auto fastMath = arith::FastMathFlagsAttr::get(ctx, flags);
  return buildGeneric(b, loc, ValueRange{lhs, rhs}, init, maps, iterators,
                      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                        Value x = toCompute(nb, nl, args[0]);
                        Value y = toCompute(nb, nl, args[1]);
                        if (isa<FloatType>(x.getType()))
                          return arith::AddFOp::create(
                              nb, nl, args[2],
                              arith::MulFOp::create(nb, nl, x, y, fastMath),
                              fastMath);
                        return arith::AddIOp::create(
                            nb, nl, args[2],
                            arith::MulIOp::create(nb, nl, x, y));
                      });
}

/// "tfm.gather at model.mlir:12:5" — how run-time errors name an op.
std::string describeSite(Operation *op) {
  std::string site = op->getName().getStringRef().str();
  Location loc = op->getLoc();
  while (auto fused = dyn_cast<FusedLoc>(loc)) {
    if (fused.getLocations().empty())
      break;
    loc = fused.getLocations().front();
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    site += " at " + file.getFilename().str() + ":" +
            std::to_string(file.getLine()) + ":" +
            std::to_string(file.getColumn());
  else if (auto name = dyn_cast<NameLoc>(loc))
    site += " '" + name.getName().str() + "'";
  return site;
}

/// A pointer to a NUL-terminated private string constant in the module.
Value siteString(OpBuilder &b, Location loc, Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  std::string text = describeSite(op);
  std::string name;
  for (unsigned i = 0;; ++i) {
    name = "__tfmc_site_" + std::to_string(i);
    auto existing = module.lookupSymbol<LLVM::GlobalOp>(name);
    if (!existing)
      break;
    if (auto value = dyn_cast_or_null<StringAttr>(existing.getValueOrNull());
        value && value.getValue().drop_back() == text)
      return LLVM::AddressOfOp::create(b, loc, existing);
  }
  LLVM::GlobalOp global;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    std::string withNul = text + '\0';
    auto arrayType = LLVM::LLVMArrayType::get(b.getI8Type(), withNul.size());
    global = LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                                    LLVM::Linkage::Private, name,
                                    b.getStringAttr(withNul));
  }
  return LLVM::AddressOfOp::create(b, loc, global);
}

/// Checks `indices` (any integer type) against [0, bound) — after wrapping
/// negative values by `bound` when `wrapNegative` — and returns them as i64,
/// clamped to 0 where out of range. Each bad index is reported to the
/// runtime, which fails the run; the clamp only keeps memory safe meanwhile.
Value checkedIndices(OpBuilder &b, Location loc, Operation *op, Value indices,
                     int64_t bound, bool wrapNegative) {
  auto module = op->getParentOfType<ModuleOp>();
  Type i64 = b.getI64Type();
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
  if (!module.lookupSymbol<func::FuncOp>(tfmc::kIndexErrorFunction)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto decl = func::FuncOp::create(
        b, loc, tfmc::kIndexErrorFunction,
        b.getFunctionType({i64, i64, i64, ptrType}, {}));
    decl.setPrivate();
  }
  Value site = siteString(b, loc, op);
  RankedTensorType type = tensorType(indices);
  return buildElementwise(
      b, loc, type.getShape(), i64, indices,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value index = args[0];
        if (index.getType() != i64)
          index = arith::ExtSIOp::create(nb, nl, i64, index);
        Value zero = intConst(nb, nl, i64, 0);
        Value limit = intConst(nb, nl, i64, bound);
        if (wrapNegative) {
          Value negative = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::slt, index, zero);
          index = arith::SelectOp::create(
              nb, nl, negative, arith::AddIOp::create(nb, nl, index, limit),
              index);
        }
        Value inRange = arith::AndIOp::create(
            nb, nl,
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, index,
                                  zero),
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, index,
                                  limit));
        Value outOfRange = arith::XOrIOp::create(
            nb, nl, inRange, intConst(nb, nl, nb.getI1Type(), 1));
        scf::IfOp::create(nb, nl, outOfRange, [&](OpBuilder &ib, Location il) {
          // Report the index as given, with the range it had to be in.
          Value lower = intConst(ib, il, i64, wrapNegative ? -bound : 0);
          func::CallOp::create(ib, il, tfmc::kIndexErrorFunction, TypeRange{},
                               ValueRange{args[0].getType() == i64
                                              ? args[0]
                                              : arith::ExtSIOp::create(
                                                    ib, il, i64, args[0])
                                                    .getResult(),
                                          lower, limit, site});
          scf::YieldOp::create(ib, il);
        });
        return arith::SelectOp::create(nb, nl, inRange, index, zero);
      });
}

} // namespace

//===----------------------------------------------------------------------===//
// Scalar semantics of the elementwise ops (on computeType values)
//===----------------------------------------------------------------------===//

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = floatConst(b, loc, x.getType(), 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
}

Value scalarFor(AddOp, OpBuilder &b, Location loc, ValueRange a) {
  return isFloat(a[0]) ? Value(arith::AddFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::AddIOp::create(b, loc, a[0], a[1]));
}
Value scalarFor(SubOp, OpBuilder &b, Location loc, ValueRange a) {
  return isFloat(a[0]) ? Value(arith::SubFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::SubIOp::create(b, loc, a[0], a[1]));
}
Value scalarFor(MulOp, OpBuilder &b, Location loc, ValueRange a) {
  return isFloat(a[0]) ? Value(arith::MulFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::MulIOp::create(b, loc, a[0], a[1]));
}
Value scalarFor(DivOp, OpBuilder &b, Location loc, ValueRange a) {
  return isFloat(a[0]) ? Value(arith::DivFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::DivSIOp::create(b, loc, a[0], a[1]));
}
Value scalarFor(PowOp, OpBuilder &b, Location loc, ValueRange a) {
  return math::PowFOp::create(b, loc, a[0], a[1]);
}
Value scalarFor(MinOp, OpBuilder &b, Location loc, ValueRange a) {
  return isFloat(a[0]) ? Value(arith::MinimumFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::MinSIOp::create(b, loc, a[0], a[1]));
}
Value scalarFor(MaxOp, OpBuilder &b, Location loc, ValueRange a) {
  return isFloat(a[0]) ? Value(arith::MaximumFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::MaxSIOp::create(b, loc, a[0], a[1]));
}
Value scalarFor(NegOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return arith::NegFOp::create(b, loc, a[0]);
  return arith::SubIOp::create(b, loc, intConst(b, loc, a[0].getType(), 0),
                               a[0]);
}
Value scalarFor(ReluOp, OpBuilder &b, Location loc, ValueRange a) {
  // maximumf propagates NaN, as torch.relu does.
  return arith::MaximumFOp::create(b, loc, a[0],
                                   floatConst(b, loc, a[0].getType(), 0.0));
}
Value scalarFor(SiluOp, OpBuilder &b, Location loc, ValueRange a) {
  return arith::MulFOp::create(b, loc, a[0], sigmoid(b, loc, a[0]));
}
Value scalarFor(SigmoidOp, OpBuilder &b, Location loc, ValueRange a) {
  return sigmoid(b, loc, a[0]);
}
Value scalarFor(TanhOp, OpBuilder &b, Location loc, ValueRange a) {
  return math::TanhOp::create(b, loc, a[0]);
}
Value scalarFor(ExpOp, OpBuilder &b, Location loc, ValueRange a) {
  return math::ExpOp::create(b, loc, a[0]);
}
Value scalarFor(LogOp, OpBuilder &b, Location loc, ValueRange a) {
  return math::LogOp::create(b, loc, a[0]);
}
Value scalarFor(SqrtOp, OpBuilder &b, Location loc, ValueRange a) {
  return math::SqrtOp::create(b, loc, a[0]);
}
Value scalarFor(ErfOp, OpBuilder &b, Location loc, ValueRange a) {
  return math::ErfOp::create(b, loc, a[0]);
}
Value scalarFor(GeluOp op, OpBuilder &b, Location loc, ValueRange a) {
  Type t = a[0].getType();
  Value x = a[0];
  Value half = floatConst(b, loc, t, 0.5);
  Value one = floatConst(b, loc, t, 1.0);
  Value cdf;
  if (op.getApproximation() == GeluApproximation::tanh) {
    // 0.5 · (1 + tanh(√(2/π) · (x + 0.044715 x³)))
    Value x3 = arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value inner = arith::AddFOp::create(
        b, loc, x,
        arith::MulFOp::create(b, loc, floatConst(b, loc, t, 0.044715), x3));
    Value scaled = arith::MulFOp::create(
        b, loc, floatConst(b, loc, t, std::sqrt(2.0 / M_PI)), inner);
    cdf = arith::AddFOp::create(b, loc, one, math::TanhOp::create(b, loc, scaled));
  } else {
    // 0.5 · (1 + erf(x / √2))
    Value scaled =
        arith::MulFOp::create(b, loc, x, floatConst(b, loc, t, M_SQRT1_2));
    cdf = arith::AddFOp::create(b, loc, one, math::ErfOp::create(b, loc, scaled));
  }
  return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, half, x),
                               cdf);
}

Value comparePredicate(ComparePredicate p, OpBuilder &b, Location loc,
                       Value x, Value y) {
  if (isFloat(x)) {
    arith::CmpFPredicate fp;
    switch (p) {
    case ComparePredicate::eq: fp = arith::CmpFPredicate::OEQ; break;
    case ComparePredicate::ne: fp = arith::CmpFPredicate::UNE; break;
    case ComparePredicate::lt: fp = arith::CmpFPredicate::OLT; break;
    case ComparePredicate::le: fp = arith::CmpFPredicate::OLE; break;
    case ComparePredicate::gt: fp = arith::CmpFPredicate::OGT; break;
    case ComparePredicate::ge: fp = arith::CmpFPredicate::OGE; break;
    }
    return arith::CmpFOp::create(b, loc, fp, x, y);
  }
  // i1 compares as unsigned (false < true); wider integers as signed.
  bool isBool = x.getType().isInteger(1);
  arith::CmpIPredicate ip;
  switch (p) {
  case ComparePredicate::eq: ip = arith::CmpIPredicate::eq; break;
  case ComparePredicate::ne: ip = arith::CmpIPredicate::ne; break;
  case ComparePredicate::lt:
    ip = isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
    break;
  case ComparePredicate::le:
    ip = isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
    break;
  case ComparePredicate::gt:
    ip = isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
    break;
  case ComparePredicate::ge:
    ip = isBool ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
    break;
  }
  return arith::CmpIOp::create(b, loc, ip, x, y);
}

/// Element conversion with tfm.cast's semantics.
Value castScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto toInt = dyn_cast<IntegerType>(to);
  if (auto fromInt = dyn_cast<IntegerType>(from)) {
    bool fromBool = fromInt.getWidth() == 1;
    if (toInt) {
      if (toInt.getWidth() == 1)
        return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                     intConst(b, loc, from, 0));
      if (toInt.getWidth() > fromInt.getWidth())
        return fromBool ? Value(arith::ExtUIOp::create(b, loc, to, x))
                        : Value(arith::ExtSIOp::create(b, loc, to, x));
      return arith::TruncIOp::create(b, loc, to, x);
    }
    Value f = fromBool ? Value(arith::UIToFPOp::create(b, loc, b.getF32Type(), x))
                       : Value(arith::SIToFPOp::create(b, loc, b.getF32Type(), x));
    return fromCompute(b, loc, f, to);
  }
  Value f = toCompute(b, loc, x);
  if (toInt) {
    if (toInt.getWidth() == 1)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, f,
                                   floatConst(b, loc, f.getType(), 0.0));
    return arith::FPToSIOp::create(b, loc, to, f);
  }
  if (to.isF32())
    return f;
  return arith::TruncFOp::create(b, loc, to, f);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Rejects dynamic shapes (not compiled yet) with an error at the op.
LogicalResult requireStaticShapes(Operation *op,
                                  ConversionPatternRewriter &rewriter) {
  for (Type t : llvm::concat<const Type>(op->getOperandTypes(),
                                         op->getResultTypes()))
    if (auto shaped = dyn_cast<ShapedType>(t); shaped && !shaped.hasStaticShape())
      return op->emitOpError() << "has dynamic shape " << t
                               << ": dynamic dimensions are not supported yet";
  return success();
}

template <typename OpTy>
struct TfmPattern : public OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpConversionPattern<OpTy>::OpAdaptor;

  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const final {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    FailureOr<SmallVector<Value>> results = lower(op, adaptor, rewriter);
    if (failed(results))
      return failure();
    rewriter.replaceOp(op, *results);
    return success();
  }

  virtual FailureOr<SmallVector<Value>>
  lower(OpTy op, Adaptor adaptor, ConversionPatternRewriter &b) const = 0;
};

/// Elementwise ops whose scalar semantics are `scalarFor(op, …)`, computed
/// in computeType and rounded back to the result's element type.
template <typename OpTy>
struct ElementwisePattern : public TfmPattern<OpTy> {
  using TfmPattern<OpTy>::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(OpTy op, typename TfmPattern<OpTy>::Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    Value result = buildElementwise(
        b, op.getLoc(), type.getShape(), element, adaptor.getOperands(),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          SmallVector<Value> wide;
          for (Value a : args)
            wide.push_back(toCompute(nb, nl, a));
          return fromCompute(nb, nl, scalarFor(op, nb, nl, wide), element);
        });
    return SmallVector<Value>{result};
  }
};

struct ComparePattern : public TfmPattern<CompareOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(CompareOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    auto type = op.getType();
    ComparePredicate p = op.getPredicate();
    return SmallVector<Value>{buildElementwise(
        b, op.getLoc(), type.getShape(), type.getElementType(),
        adaptor.getOperands(), [&](OpBuilder &nb, Location nl, ValueRange a) {
          return comparePredicate(p, nb, nl, toCompute(nb, nl, a[0]),
                                  toCompute(nb, nl, a[1]));
        })};
  }
};

struct SelectPattern : public TfmPattern<SelectOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(SelectOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    auto type = op.getType();
    return SmallVector<Value>{buildElementwise(
        b, op.getLoc(), type.getShape(), type.getElementType(),
        adaptor.getOperands(), [&](OpBuilder &nb, Location nl, ValueRange a) {
          return arith::SelectOp::create(nb, nl, a[0], a[1], a[2]);
        })};
  }
};

struct CastPattern : public TfmPattern<CastOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(CastOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    auto type = op.getType();
    Type to = type.getElementType();
    return SmallVector<Value>{buildElementwise(
        b, op.getLoc(), type.getShape(), to, adaptor.getInput(),
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          return castScalar(nb, nl, a[0], to);
        })};
  }
};

/// The tensor held by the global `symbol` (an external declaration the
/// object file defines) for weight `name`.
FailureOr<Value> getWeightGlobal(OpBuilder &b, Operation *op,
                                 StringAttr name, StringRef symbol,
                                 RankedTensorType type) {
  auto module = op->getParentOfType<ModuleOp>();
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  auto global = module.lookupSymbol<memref::GlobalOp>(symbol);
  if (!global) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    global = memref::GlobalOp::create(
        b, op->getLoc(), b.getStringAttr(symbol), b.getStringAttr("public"),
        TypeAttr::get(memrefType), /*initial_value=*/Attribute(),
        /*constant=*/b.getUnitAttr(), b.getI64IntegerAttr(64));
    global->setAttr("tfm.weight", name);
  } else if (global.getType() != memrefType) {
    return op->emitOpError()
           << "weight '" << name.getValue() << "' has type " << type
           << " here but "
           << RankedTensorType::get(global.getType().getShape(),
                                    global.getType().getElementType())
           << " elsewhere";
  }
  Value buffer = memref::GetGlobalOp::create(b, op->getLoc(), memrefType, symbol);
  // restrict: nothing else aliases it; not writable: bufferization copies
  // before any in-place update, so the read-only section is never written.
  return bufferization::ToTensorOp::create(b, op->getLoc(), type, buffer,
                                           b.getUnitAttr(),
                                           /*writable=*/nullptr)
      .getResult();
}

/// Weight `weight` ([N, K]) as [ceil(N/panel), K, panel] panels.
FailureOr<Value> getPackedWeight(OpBuilder &b, WeightOp weight,
                                 int64_t panel) {
  RankedTensorType type = weight.getType();
  int64_t n = type.getDimSize(0), k = type.getDimSize(1);
  auto packedType = RankedTensorType::get(
      {(n + panel - 1) / panel, k, panel}, type.getElementType());
  return getWeightGlobal(
      b, weight, weight.getNameAttr(),
      tfmc::getPackedWeightSymbolName(weight.getName(), panel), packedType);
}

/// out[m, n] = init + Σ_k x[m, k] · w[n, k] with w stored as panels:
/// w[n, k] = packed[n floordiv P, k, n mod P].
Value buildPackedMatmul(OpBuilder &b, Location loc, Value x, Value packed,
                        Value init) {
  MLIRContext *ctx = b.getContext();
  int64_t panel = tensorType(packed).getDimSize(2);
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(3, 0, {m, k}, ctx),
      AffineMap::get(3, 0, {n.floorDiv(panel), k, n % panel}, ctx),
      AffineMap::get(3, 0, {m, n}, ctx)};
  SmallVector<utils::IteratorType> iterators = parallelIterators(3);
  iterators[2] = utils::IteratorType::reduction;
  auto fastMath =
      arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::contract);
  return buildGeneric(b, loc, ValueRange{x, packed}, init, maps, iterators,
                      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                        Value p = arith::MulFOp::create(
                            nb, nl, toCompute(nb, nl, args[0]),
                            toCompute(nb, nl, args[1]), fastMath);
                        return arith::AddFOp::create(nb, nl, args[2], p,
                                                     fastMath);
                      });
}

struct WeightPattern : public TfmPattern<WeightOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(WeightOp op, Adaptor, ConversionPatternRewriter &b) const override {
    // Stored packed: its users (linear layers) read the packed global; this
    // value is dead.
    if (op->hasAttr(tfmc::kWeightPanelAttr))
      return SmallVector<Value>{
          emptyTensor(b, op.getLoc(), op.getType().getShape(),
                      op.getType().getElementType())};
    FailureOr<Value> tensor =
        getWeightGlobal(b, op, op.getNameAttr(),
                        tfmc::getWeightSymbolName(op.getName()), op.getType());
    if (failed(tensor))
      return failure();
    return SmallVector<Value>{*tensor};
  }
};

struct ConstantPattern : public TfmPattern<ConstantOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(ConstantOp op, Adaptor, ConversionPatternRewriter &b) const override {
    auto value = dyn_cast<DenseElementsAttr>(op.getValue());
    if (!value)
      return op.emitOpError("only dense constants can be compiled");
    return SmallVector<Value>{
        arith::ConstantOp::create(b, op.getLoc(), value).getResult()};
  }
};

struct EmbeddingPattern : public TfmPattern<EmbeddingOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(EmbeddingOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType tableType = tensorType(adaptor.getTable());
    Value ids = checkedIndices(b, loc, op, adaptor.getIndices(),
                               tableType.getDimSize(0), /*wrapNegative=*/false);
    auto type = op.getType();
    int64_t rank = type.getRank();
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> idExprs;
    for (int64_t i = 0; i < rank - 1; ++i)
      idExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, idExprs, ctx),
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value table = adaptor.getTable();
    Value result = buildGeneric(
        b, loc, ids, emptyTensor(b, loc, type.getShape(), type.getElementType()),
        maps, parallelIterators(rank),
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          // An empty table has no row to read: every id was reported.
          if (tableType.getDimSize(0) == 0)
            return zeroValue(nb, nl, type.getElementType());
          Value row = arith::IndexCastOp::create(nb, nl, nb.getIndexType(),
                                                 args[0]);
          Value col = linalg::IndexOp::create(nb, nl, rank - 1);
          return tensor::ExtractOp::create(nb, nl, table, ValueRange{row, col});
        });
    return SmallVector<Value>{result};
  }
};

struct GatherPattern : public TfmPattern<GatherOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(GatherOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    RankedTensorType inType = tensorType(adaptor.getInput());
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += inType.getRank();
    Value indices = checkedIndices(b, loc, op, adaptor.getIndices(),
                                   inType.getDimSize(axis),
                                   /*wrapNegative=*/true);
    int64_t idxRank = tensorType(indices).getRank();
    auto type = op.getType();
    int64_t rank = type.getRank();
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> idExprs;
    for (int64_t i = 0; i < idxRank; ++i)
      idExprs.push_back(getAffineDimExpr(axis + i, ctx));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, idExprs, ctx),
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value input = adaptor.getInput();
    Value result = buildGeneric(
        b, loc, indices,
        emptyTensor(b, loc, type.getShape(), type.getElementType()), maps,
        parallelIterators(rank),
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          // An empty axis has nothing to read: every index was reported.
          if (inType.getDimSize(axis) == 0)
            return zeroValue(nb, nl, type.getElementType());
          SmallVector<Value> coords;
          for (int64_t d = 0; d < axis; ++d)
            coords.push_back(linalg::IndexOp::create(nb, nl, d));
          coords.push_back(
              arith::IndexCastOp::create(nb, nl, nb.getIndexType(), args[0]));
          for (int64_t d = axis + 1; d < inType.getRank(); ++d)
            coords.push_back(linalg::IndexOp::create(nb, nl, d + idxRank - 1));
          return tensor::ExtractOp::create(nb, nl, input, coords);
        });
    return SmallVector<Value>{result};
  }
};

struct PositionalEncodingPattern : public TfmPattern<PositionalEncodingOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(PositionalEncodingOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    auto type = op.getType();
    int64_t rank = type.getRank();
    Type element = type.getElementType();
    double dim = static_cast<double>(type.getDimSize(rank - 1));
    double logBase = std::log(op.getBase().convertToDouble());
    int64_t offset = static_cast<int64_t>(op.getOffset());
    Value result = buildElementwise(
        b, op.getLoc(), type.getShape(), element, adaptor.getInput(),
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Type f32 = nb.getF32Type();
          Type i64 = nb.getI64Type();
          auto indexAsI64 = [&](int64_t d) -> Value {
            return arith::IndexCastOp::create(
                nb, nl, i64, linalg::IndexOp::create(nb, nl, d));
          };
          Value pos = arith::AddIOp::create(nb, nl, indexAsI64(rank - 2),
                                            intConst(nb, nl, i64, offset));
          Value j = indexAsI64(rank - 1);
          Value parity = arith::AndIOp::create(nb, nl, j, intConst(nb, nl, i64, 1));
          Value even = arith::SubIOp::create(nb, nl, j, parity);
          // angle = pos · exp(-(2i/d) · ln(base)), as PyTorch's tutorial
          // computes div_term.
          Value exponent = arith::MulFOp::create(
              nb, nl, arith::SIToFPOp::create(nb, nl, f32, even),
              floatConst(nb, nl, f32, -logBase / dim));
          Value angle = arith::MulFOp::create(
              nb, nl, arith::SIToFPOp::create(nb, nl, f32, pos),
              math::ExpOp::create(nb, nl, exponent));
          Value isEven = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                               parity, intConst(nb, nl, i64, 0));
          Value pe = arith::SelectOp::create(
              nb, nl, isEven, math::SinOp::create(nb, nl, angle),
              math::CosOp::create(nb, nl, angle));
          return fromCompute(
              nb, nl, arith::AddFOp::create(nb, nl, toCompute(nb, nl, args[0]), pe),
              element);
        });
    return SmallVector<Value>{result};
  }
};

struct LinearPattern : public TfmPattern<LinearOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(LinearOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type element = type.getElementType();
    Type acc = computeType(element);
    RankedTensorType inType = tensorType(adaptor.getInput());
    int64_t k = inType.getShape().back();
    int64_t n = type.getShape().back();
    int64_t m = inType.getNumElements() / std::max<int64_t>(k, 1);
    if (k == 0)
      m = type.getNumElements() / std::max<int64_t>(n, 1);
    Value x = reshapeTo(b, loc, adaptor.getInput(), {m, k});
    Value init;
    if (Value bias = adaptor.getBias())
      init = buildElementwise(b, loc, {m, n}, acc, bias,
                              [&](OpBuilder &nb, Location nl, ValueRange a) {
                                return toCompute(nb, nl, a[0]);
                              });
    else
      init = filledTensor(b, loc, {m, n}, floatConst(b, loc, acc, 0.0));
    Value y;
    auto weight = op.getWeight().getDefiningOp<WeightOp>();
    auto panel =
        weight ? weight->getAttrOfType<IntegerAttr>(tfmc::kWeightPanelAttr)
               : IntegerAttr();
    if (panel && panel.getInt() > 0) {
      FailureOr<Value> packed = getPackedWeight(b, weight, panel.getInt());
      if (failed(packed))
        return failure();
      y = buildPackedMatmul(b, loc, x, *packed, init);
    } else {
      y = buildMatmul(b, loc, x, adaptor.getWeight(), false, true, init);
    }
    y = roundTensorTo(b, loc, y, element);
    return SmallVector<Value>{reshapeTo(b, loc, y, type.getShape())};
  }
};

struct MatmulPattern : public TfmPattern<MatmulOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(MatmulOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type acc = computeType(type.getElementType());
    Value init =
        filledTensor(b, loc, type.getShape(), floatConst(b, loc, acc, 0.0));
    Value y = buildMatmul(b, loc, adaptor.getLhs(), adaptor.getRhs(),
                          op.getTransposeA(), op.getTransposeB(), init);
    return SmallVector<Value>{roundTensorTo(b, loc, y, type.getElementType())};
  }
};

/// softmax over the last axis of f32 `scores`, where rows whose entries are
/// all -inf give zeros instead of NaN (tfm.attention's masked-row rule).
Value maskedSoftmaxLastAxis(OpBuilder &b, Location loc, Value scores) {
  RankedTensorType type = tensorType(scores);
  int64_t rank = type.getRank();
  Type f32 = type.getElementType();
  MLIRContext *ctx = b.getContext();
  SmallVector<bool> last(rank, false);
  last.back() = true;
  Value max = buildReduction(b, loc, scores, last, lowestValue(b, loc, f32),
                             [](OpBuilder &nb, Location nl, Value x, Value a) {
                               return arith::MaximumFOp::create(nb, nl, x, a);
                             });
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap row = droppingMap(rank, last, ctx);
  Value exps = buildGeneric(
      b, loc, ValueRange{scores, max}, emptyTensor(b, loc, type.getShape(), f32),
      {id, row, id}, parallelIterators(rank),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value allMasked = arith::CmpFOp::create(
            nb, nl, arith::CmpFPredicate::OEQ, a[1], lowestValue(nb, nl, f32));
        Value e = math::ExpOp::create(nb, nl,
                                      arith::SubFOp::create(nb, nl, a[0], a[1]));
        return arith::SelectOp::create(nb, nl, allMasked,
                                       floatConst(nb, nl, f32, 0.0), e);
      });
  Value sums = buildReduction(b, loc, exps, last, floatConst(b, loc, f32, 0.0),
                              [](OpBuilder &nb, Location nl, Value x, Value a) {
                                return arith::AddFOp::create(nb, nl, x, a);
                              });
  return buildGeneric(
      b, loc, ValueRange{exps, sums}, emptyTensor(b, loc, type.getShape(), f32),
      {id, row, id}, parallelIterators(rank),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value zero = floatConst(nb, nl, f32, 0.0);
        Value empty = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                            a[1], zero);
        return arith::SelectOp::create(nb, nl, empty, zero,
                                       arith::DivFOp::create(nb, nl, a[0], a[1]));
      });
}

/// Repeats each key/value head `groups` times along dimension `rank - 3`
/// (grouped-query attention in the plain lowering).
Value repeatHeads(OpBuilder &b, Location loc, Value kv, int64_t groups) {
  if (groups == 1)
    return kv;
  RankedTensorType type = tensorType(kv);
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> shape(type.getShape());
  shape[rank - 3] *= groups;
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    exprs.push_back(i == rank - 3 ? getAffineDimExpr(i, ctx).floorDiv(groups)
                                  : getAffineDimExpr(i, ctx));
  return buildGeneric(b, loc, kv,
                      emptyTensor(b, loc, shape, type.getElementType()),
                      {AffineMap::get(rank, 0, exprs, ctx),
                       AffineMap::getMultiDimIdentityMap(rank, ctx)},
                      parallelIterators(rank),
                      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

/// Scales attention scores [..., Sq, n] (f32) and applies the mask and the
/// causal rule: boolean masks and the causal rule set -inf, additive masks
/// are added. `keyOffset` (may be null: 0) is the position of column 0 among
/// all Sk keys, for blocks of the online-softmax form.
Value maskScores(OpBuilder &b, Location loc, Value scores, Value mask,
                 double scale, bool causal, int64_t sq, int64_t sk,
                 Value keyOffset, Value queryOffset = Value()) {
  RankedTensorType type = tensorType(scores);
  int64_t rank = type.getRank();
  Type f32 = type.getElementType();
  SmallVector<Value> operands = {scores};
  if (mask)
    operands.push_back(mask);
  return buildElementwise(
      b, loc, type.getShape(), f32, operands,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value s =
            arith::MulFOp::create(nb, nl, a[0], floatConst(nb, nl, f32, scale));
        Value minusInf = lowestValue(nb, nl, f32);
        if (mask) {
          if (a[1].getType().isInteger(1))
            s = arith::SelectOp::create(nb, nl, a[1], s, minusInf);
          else
            s = arith::AddFOp::create(nb, nl, s, toCompute(nb, nl, a[1]));
        }
        if (causal) {
          // Key j is visible to query i iff j <= i + (Sk - Sq).
          Value i = linalg::IndexOp::create(nb, nl, rank - 2);
          if (queryOffset)
            i = arith::AddIOp::create(nb, nl, i, queryOffset);
          Value j = linalg::IndexOp::create(nb, nl, rank - 1);
          if (keyOffset)
            j = arith::AddIOp::create(nb, nl, j, keyOffset);
          Value limit = arith::AddIOp::create(
              nb, nl, i, arith::ConstantIndexOp::create(nb, nl, sk - sq));
          Value visible = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::sle, j, limit);
          s = arith::SelectOp::create(nb, nl, visible, s, minusInf);
        }
        return s;
      });
}

/// The attention's shape facts and attributes, shared by both lowerings.
struct AttentionProblem {
  Value query, key, value, mask;
  int64_t rank, sq, sk, groups;
  double scale;
  bool causal;
  RankedTensorType resultType;
  /// `key` is given as [.., D, Sk] (Kᵀ): QKᵀ reads rows of it contiguously.
  bool keyTransposed = false;
  /// Query, key, value and result as [.., S, H, D], the layout before the
  /// head-split transpose (the flash form folds those transposes away).
  std::array<bool, 3> bySequence = {false, false, false};
  bool resultBySequence = false;

  AttentionProblem(AttentionOp op, AttentionOp::Adaptor adaptor)
      : query(adaptor.getQuery()), key(adaptor.getKey()),
        value(adaptor.getValue()), mask(adaptor.getMask()),
        causal(op.getCausal()), resultType(op.getType()) {
    RankedTensorType q = tensorType(query), k = tensorType(key);
    rank = q.getRank();
    sq = q.getDimSize(rank - 2);
    sk = k.getDimSize(rank - 2);
    groups = rank >= 3 && k.getDimSize(rank - 3) > 0
                 ? q.getDimSize(rank - 3) / k.getDimSize(rank - 3)
                 : 1;
    int64_t headDim = std::max<int64_t>(q.getDimSize(rank - 1), 1);
    scale = op.getScale() ? op.getScale()->convertToDouble()
                          : 1.0 / std::sqrt(static_cast<double>(headDim));
  }
};

/// softmax(scale·QKᵀ + mask)·V with the whole [.., Sq, Sk] score matrix.
Value buildPlainAttention(OpBuilder &b, Location loc,
                          const AttentionProblem &p) {
  Type f32 = b.getF32Type();
  Value key = repeatHeads(b, loc, p.key, p.groups);
  Value value = repeatHeads(b, loc, p.value, p.groups);
  SmallVector<int64_t> scoreShape(tensorType(p.query).getShape());
  scoreShape.back() = p.sk;
  Value scores = buildMatmul(
      b, loc, p.query, key, false, true,
      filledTensor(b, loc, scoreShape, floatConst(b, loc, f32, 0.0)));
  scores = maskScores(b, loc, scores, p.mask, p.scale, p.causal, p.sq, p.sk,
                      Value());
  Value probs = maskedSoftmaxLastAxis(b, loc, scores);
  Value out = buildMatmul(b, loc, probs, value, false, false,
                          filledTensor(b, loc, p.resultType.getShape(),
                                       floatConst(b, loc, f32, 0.0)));
  return roundTensorTo(b, loc, out, p.resultType.getElementType());
}

/// Keys/values [offset, offset + size) along the sequence (dim rank - 2).
Value sliceKeys(OpBuilder &b, Location loc, Value t, Value offset,
                int64_t size) {
  RankedTensorType type = tensorType(t);
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  for (int64_t d : type.getShape())
    sizes.push_back(b.getIndexAttr(d));
  offsets[rank - 2] = offset;
  sizes[rank - 2] = b.getIndexAttr(size);
  SmallVector<int64_t> shape(type.getShape());
  shape[rank - 2] = size;
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), t, offsets,
      sizes, strides);
}

/// Columns [offset, offset + size) of `t` (its last dimension).
Value sliceColumns(OpBuilder &b, Location loc, Value t, Value offset,
                   int64_t size) {
  RankedTensorType type = tensorType(t);
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  for (int64_t d : type.getShape())
    sizes.push_back(b.getIndexAttr(d));
  offsets.back() = offset;
  sizes.back() = b.getIndexAttr(size);
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = size;
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), t, offsets,
      sizes, strides);
}

/// The mask's columns for keys [offset, offset + size), unless the mask
/// broadcasts along the keys.
Value sliceMask(OpBuilder &b, Location loc, Value mask, Value offset,
                int64_t size) {
  if (!mask)
    return mask;
  RankedTensorType type = tensorType(mask);
  if (type.getRank() == 0 || type.getShape().back() == 1)
    return mask;
  return sliceColumns(b, loc, mask, offset, size);
}

/// The rows [offset, offset + size) of a mask broadcastable to the scores,
/// unless it broadcasts along the queries.
Value sliceMaskRows(OpBuilder &b, Location loc, Value mask, Value offset,
                    int64_t size) {
  if (!mask)
    return mask;
  RankedTensorType type = tensorType(mask);
  int64_t rank = type.getRank();
  if (rank < 2 || type.getDimSize(rank - 2) == 1)
    return mask;
  return sliceKeys(b, loc, mask, offset, size);
}

/// One step of the online-softmax ("flash") form for queries
/// [queryOffset, queryOffset + rows) of `p` (all of them when queryOffset is
/// null): K/V in blocks of `block` keys, a running row maximum `m` and sum
/// `l`, the accumulator rescaled by exp(m_old - m_new) at every block and
/// divided by `l` once at the end. With the causal flag only the key blocks
/// that are not entirely above the rows' diagonal are visited. Returns the
/// normalized [.., rows, Dv] output block.
Value attendRows(OpBuilder &b, Location loc, const AttentionProblem &p,
                 int64_t block, Value queryOffset, int64_t rows) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  Type element = p.resultType.getElementType();
  int64_t rank = p.rank;
  SmallVector<bool> last(rank, false);
  last.back() = true;
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap row = droppingMap(rank, last, ctx);
  Value query = p.query, mask = p.mask;
  if (queryOffset) {
    query = sliceKeys(b, loc, p.query, queryOffset, rows);
    mask = sliceMaskRows(b, loc, p.mask, queryOffset, rows);
  }
  RankedTensorType qType = tensorType(query);
  SmallVector<int64_t> rowShape(qType.getShape().drop_back()); // [.., rows]
  SmallVector<int64_t> accShape(p.resultType.getShape());      // [.., rows, Dv]
  accShape[rank - 2] = rows;

  // One key block: returns the new (acc, m, l).
  auto step = [&](OpBuilder &nb, Location nl, Value offset, int64_t size,
                  Value acc, Value m, Value l) -> SmallVector<Value> {
    Value key = p.keyTransposed
                    ? sliceColumns(nb, nl, p.key, offset, size)
                    : repeatHeads(nb, nl, sliceKeys(nb, nl, p.key, offset, size),
                                  p.groups);
    Value value = repeatHeads(
        nb, nl, sliceKeys(nb, nl, p.value, offset, size), p.groups);
    SmallVector<int64_t> scoreShape(qType.getShape());
    scoreShape.back() = size;
    Value s = buildMatmul(
        nb, nl, query, key, false, /*transposeB=*/!p.keyTransposed,
        filledTensor(nb, nl, scoreShape, floatConst(nb, nl, f32, 0.0)));
    s = maskScores(nb, nl, s, sliceMask(nb, nl, mask, offset, size), p.scale,
                   p.causal, p.sq, p.sk, offset, queryOffset);
    Value blockMax =
        buildReduction(nb, nl, s, last, lowestValue(nb, nl, f32),
                       [](OpBuilder &bb, Location bl, Value x, Value a) {
                         return arith::MaximumFOp::create(bb, bl, x, a);
                       });
    Value mNew = buildElementwise(
        nb, nl, rowShape, f32, ValueRange{m, blockMax},
        [](OpBuilder &bb, Location bl, ValueRange a) -> Value {
          return arith::MaximumFOp::create(bb, bl, a[0], a[1]);
        });
    // exp(x - max), 0 where the row has seen nothing but masked keys.
    auto expBelow = [&](OpBuilder &bb, Location bl, Value x, Value max) {
      Value none = arith::CmpFOp::create(bb, bl, arith::CmpFPredicate::OEQ,
                                         max, lowestValue(bb, bl, f32));
      Value e =
          math::ExpOp::create(bb, bl, arith::SubFOp::create(bb, bl, x, max));
      return arith::SelectOp::create(bb, bl, none,
                                     floatConst(bb, bl, f32, 0.0), e)
          .getResult();
    };
    Value probs = buildGeneric(
        nb, nl, ValueRange{s, mNew}, emptyTensor(nb, nl, scoreShape, f32),
        {id, row, id}, parallelIterators(rank),
        [&](OpBuilder &bb, Location bl, ValueRange a) -> Value {
          return expBelow(bb, bl, a[0], a[1]);
        });
    Value correction = buildElementwise(
        nb, nl, rowShape, f32, ValueRange{m, mNew},
        [&](OpBuilder &bb, Location bl, ValueRange a) -> Value {
          return expBelow(bb, bl, a[0], a[1]);
        });
    Value blockSum =
        buildReduction(nb, nl, probs, last, floatConst(nb, nl, f32, 0.0),
                       [](OpBuilder &bb, Location bl, Value x, Value a) {
                         return arith::AddFOp::create(bb, bl, x, a);
                       });
    Value lNew = buildElementwise(
        nb, nl, rowShape, f32, ValueRange{l, correction, blockSum},
        [](OpBuilder &bb, Location bl, ValueRange a) -> Value {
          return arith::AddFOp::create(
              bb, bl, arith::MulFOp::create(bb, bl, a[0], a[1]), a[2]);
        });
    // In place over the accumulator, which nothing reads afterwards: the
    // loop carries one buffer instead of copying it into a new one per
    // block.
    Value scaled = buildGeneric(
        nb, nl, ValueRange{correction}, acc, {row, id},
        parallelIterators(rank),
        [](OpBuilder &bb, Location bl, ValueRange a) -> Value {
          return arith::MulFOp::create(bb, bl, a[1], a[0]);
        });
    Value accNew = buildMatmul(nb, nl, probs, value, false, false, scaled);
    return {accNew, mNew, lNew};
  };

  Value acc = filledTensor(b, loc, accShape, floatConst(b, loc, f32, 0.0));
  Value m = filledTensor(b, loc, rowShape, lowestValue(b, loc, f32));
  Value l = filledTensor(b, loc, rowShape, floatConst(b, loc, f32, 0.0));
  int64_t fullBlocks = p.sk / block, rest = p.sk % block;
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // Keys [0, keysEnd) are visible to some row of this block: under the
  // causal rule, up to its last row's diagonal.
  Value keysEnd;
  if (p.causal && queryOffset)
    keysEnd = arith::MaxSIOp::create(
        b, loc, index(0),
        arith::MinSIOp::create(
            b, loc, index(p.sk),
            arith::AddIOp::create(b, loc, queryOffset,
                                  index(rows + p.sk - p.sq))));
  if (fullBlocks > 0) {
    Value upper = index(fullBlocks * block);
    if (keysEnd) // skip the blocks entirely above the diagonal
      upper = arith::MinSIOp::create(
          b, loc, upper,
          arith::MulIOp::create(
              b, loc,
              arith::CeilDivSIOp::create(b, loc, keysEnd, index(block)),
              index(block)));
    auto loop = scf::ForOp::create(
        b, loc, index(0), upper, index(block), ValueRange{acc, m, l},
        [&](OpBuilder &nb, Location nl, Value offset, ValueRange iters) {
          scf::YieldOp::create(nb, nl,
                               step(nb, nl, offset, block, iters[0],
                                    iters[1], iters[2]));
        });
    acc = loop.getResult(0);
    m = loop.getResult(1);
    l = loop.getResult(2);
  }
  if (rest > 0) {
    Value offset = index(fullBlocks * block);
    if (keysEnd) {
      Value needed = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                           keysEnd, offset);
      auto branch = scf::IfOp::create(
          b, loc, needed,
          [&](OpBuilder &nb, Location nl) {
            scf::YieldOp::create(nb, nl, step(nb, nl, offset, rest, acc, m, l));
          },
          [&](OpBuilder &nb, Location nl) {
            scf::YieldOp::create(nb, nl, ValueRange{acc, m, l});
          });
      acc = branch.getResult(0);
      l = branch.getResult(2);
    } else {
      SmallVector<Value> r = step(b, loc, offset, rest, acc, m, l);
      acc = r[0];
      l = r[2];
    }
  }
  // Normalize once; a row whose keys were all masked has l == 0: zeros.
  return buildGeneric(
      b, loc, ValueRange{acc, l}, emptyTensor(b, loc, accShape, element),
      {id, row, id}, parallelIterators(rank),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value zero = floatConst(nb, nl, f32, 0.0);
        Value empty = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                            a[1], zero);
        Value out = arith::SelectOp::create(
            nb, nl, empty, zero, arith::DivFOp::create(nb, nl, a[0], a[1]));
        return fromCompute(nb, nl, out, element);
      });
}

/// The [Sq, D] (or [Sk, D]) matrix of one head: `t`'s leading dimensions
/// fixed at `lead` (a dimension of size 1 broadcasts: index 0; K/V heads
/// shared by `groups` query heads: head / groups). `bySequence`: `t` is
/// [.., S, H, D], the head dimension after the sequence.
Value headMatrix(OpBuilder &b, Location loc, Value t, ValueRange lead,
                 ArrayRef<int64_t> leadShape, int64_t groups,
                 bool bySequence = false) {
  RankedTensorType type = tensorType(t);
  int64_t rank = type.getRank();
  // Which of t's dimensions each lead index fixes; the others are the
  // matrix's.
  SmallVector<int64_t> leadDims =
      llvm::to_vector(llvm::seq<int64_t>(0, rank - 2));
  if (bySequence)
    leadDims.back() = rank - 2;
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
  SmallVector<int64_t> matrixShape;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(leadDims, d))
      matrixShape.push_back(type.getDimSize(d));
  for (auto [i, d] : llvm::enumerate(leadDims)) {
    Value iv = lead[i];
    if (type.getDimSize(d) == 1 && leadShape[i] != 1)
      iv = arith::ConstantIndexOp::create(b, loc, 0);
    else if (groups > 1 && static_cast<int64_t>(i) == rank - 3)
      iv = arith::DivUIOp::create(
          b, loc, iv, arith::ConstantIndexOp::create(b, loc, groups));
    offsets[d] = iv;
    sizes[d] = b.getIndexAttr(1);
  }
  auto matrix = RankedTensorType::get(matrixShape, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, matrix, t, offsets, sizes,
                                        strides);
}

/// The mask of one head, broadcastable to its [Sq, Sk] scores.
Value headMask(OpBuilder &b, Location loc, Value mask, ValueRange lead,
               ArrayRef<int64_t> leadShape) {
  if (!mask)
    return mask;
  RankedTensorType type = tensorType(mask);
  int64_t rank = type.getRank();
  if (rank == 0)
    return mask;
  if (rank == 1) // [Sk] or [1]: the same for every row
    return tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
        mask, SmallVector<ReassociationIndices>{{0, 1}});
  // Mask dimension i is dimension i + shift of the scores (numpy rules).
  int64_t shift = leadShape.size() + 2 - rank;
  SmallVector<Value> maskLead;
  SmallVector<int64_t> maskLeadShape;
  for (int64_t i = 0; i < rank - 2; ++i) {
    maskLead.push_back(lead[i + shift]);
    maskLeadShape.push_back(leadShape[i + shift]);
  }
  return headMatrix(b, loc, mask, maskLead, maskLeadShape, 1);
}

/// The flash form, parallel over heads and blocks of queries: each task
/// attends `block` queries of one head to all (visible) keys, so its score
/// block [block, block] stays in L1 and its bookkeeping in registers, and
/// the tasks run on all threads without synchronizing.
Value buildFlashAttention(OpBuilder &b, Location loc,
                          const AttentionProblem &p, int64_t block) {
  int64_t rank = p.rank;
  Type element = p.resultType.getElementType();
  SmallVector<int64_t> leadShape(p.resultType.getShape().drop_back(2));
  int64_t dv = p.resultType.getShape().back();

  // Kᵀ once for all tasks: each key block of QKᵀ is then a [D, block]
  // slice whose rows the matmul reads as they are, instead of transposing
  // the block in every task.
  RankedTensorType keyType = tensorType(p.key);
  SmallVector<int64_t> permutation =
      llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(permutation[rank - 1], permutation[rank - 2]);
  // [.., Sk, H, D] → [.., H, D, Sk]: the head-split transpose folded in.
  if (p.bySequence[1]) {
    permutation[rank - 3] = rank - 2;
    permutation[rank - 2] = rank - 1;
    permutation[rank - 1] = rank - 3;
  }
  SmallVector<int64_t> keyTShape;
  for (int64_t d : permutation)
    keyTShape.push_back(keyType.getDimSize(d));
  Value keyT = linalg::TransposeOp::create(
                   b, loc, p.key,
                   emptyTensor(b, loc, keyTShape, keyType.getElementType()),
                   permutation)
                   ->getResult(0);

  // Tasks over the leading dimensions and `count` blocks of `rows` queries
  // starting at `firstRow`.
  auto forallBlocks = [&](Value out, int64_t firstRow, int64_t count,
                          int64_t rows) -> Value {
    SmallVector<OpFoldResult> upper;
    for (int64_t d : leadShape)
      upper.push_back(b.getIndexAttr(d));
    upper.push_back(b.getIndexAttr(count));
    auto forall = scf::ForallOp::create(
        b, loc, upper, ValueRange{out}, /*mapping=*/std::nullopt,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          ValueRange ivs = args.take_front(rank - 1);
          Value shared = args.back();
          ValueRange lead = ivs.drop_back();
          AttentionProblem head = p;
          head.rank = 2;
          head.groups = 1;
          head.query = headMatrix(nb, nl, p.query, lead, leadShape, 1,
                                  p.bySequence[0]);
          head.key = headMatrix(nb, nl, keyT, lead, leadShape, p.groups);
          head.keyTransposed = true;
          head.value = headMatrix(nb, nl, p.value, lead, leadShape, p.groups,
                                  p.bySequence[2]);
          head.mask = headMask(nb, nl, p.mask, lead, leadShape);
          head.resultType = RankedTensorType::get({p.sq, dv}, element);
          Value offset = arith::AddIOp::create(
              nb, nl, arith::ConstantIndexOp::create(nb, nl, firstRow),
              arith::MulIOp::create(
                  nb, nl, ivs.back(),
                  arith::ConstantIndexOp::create(nb, nl, rows)));
          Value rowsOut = attendRows(nb, nl, head, block, offset, rows);
          auto inParallel = scf::InParallelOp::create(nb, nl);
          OpBuilder::InsertionGuard guard(nb);
          nb.setInsertionPointToStart(inParallel.getBody());
          SmallVector<OpFoldResult> offsets(lead.begin(), lead.end()), sizes,
              strides(rank, nb.getIndexAttr(1));
          offsets.append({offset, nb.getIndexAttr(0)});
          sizes.assign(rank - 2, nb.getIndexAttr(1));
          sizes.append({nb.getIndexAttr(rows), nb.getIndexAttr(dv)});
          if (p.resultBySequence) {
            std::swap(offsets[rank - 3], offsets[rank - 2]);
            std::swap(sizes[rank - 3], sizes[rank - 2]);
          }
          tensor::ParallelInsertSliceOp::create(nb, nl, rowsOut, shared,
                                                offsets, sizes, strides);
        });
    return forall.getResult(0);
  };

  SmallVector<int64_t> outShape(p.resultType.getShape());
  if (p.resultBySequence)
    std::swap(outShape[rank - 3], outShape[rank - 2]);
  Value out = emptyTensor(b, loc, outShape, element);
  int64_t fullBlocks = p.sq / block, rest = p.sq % block;
  if (fullBlocks > 0)
    out = forallBlocks(out, 0, fullBlocks, block);
  if (rest > 0)
    out = forallBlocks(out, fullBlocks * block, 1, rest);
  return out;
}

/// The attention as a call of a kernel declaration that
/// tfmc-lower-gpu-attention defines (the Vulkan target's online-softmax
/// kernel): the operands as buffers, the result in a new one. Attentions
/// with the same types and attributes (a model's layers) share one.
Value buildGPUAttentionCall(OpBuilder &b, AttentionOp op,
                            const AttentionProblem &p) {
  Location loc = op.getLoc();
  SmallVector<Value> tensors = {p.query, p.key, p.value};
  if (p.mask)
    tensors.push_back(p.mask);
  SmallVector<Value> buffers;
  for (Value t : tensors) {
    RankedTensorType type = tensorType(t);
    buffers.push_back(bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()), t,
        /*read_only=*/b.getUnitAttr()));
  }
  auto resultType = MemRefType::get(p.resultType.getShape(),
                                    p.resultType.getElementType());
  Value out = memref::AllocOp::create(b, loc, resultType);
  buffers.push_back(out);

  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("scale", b.getF64FloatAttr(p.scale))};
  if (p.causal)
    fields.push_back(b.getNamedAttr("causal", b.getUnitAttr()));
  DictionaryAttr description = b.getDictionaryAttr(fields);
  FunctionType type = b.getFunctionType(ValueRange(buffers).getTypes(), {});
  auto module = op->getParentOfType<ModuleOp>();
  func::FuncOp kernel;
  for (auto f : module.getOps<func::FuncOp>())
    if (f.getFunctionType() == type &&
        f->getAttr(tfmc::kGPUAttentionAttr) == description)
      kernel = f;
  if (!kernel) {
    std::string name;
    for (unsigned i = 0;; ++i) {
      name = "__tfmc_attention_" + std::to_string(i);
      if (!module.lookupSymbol(name))
        break;
    }
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op->getParentOfType<func::FuncOp>());
    kernel = func::FuncOp::create(b, loc, name, type);
    kernel.setPrivate();
    kernel->setAttr(tfmc::kGPUAttentionAttr, description);
  }
  func::CallOp::create(b, loc, kernel, buffers);
  return bufferization::ToTensorOp::create(b, loc, p.resultType, out,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

struct AttentionPattern : public TfmPattern<AttentionOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(AttentionOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    AttentionProblem problem(op, adaptor);
    auto strategy =
        op->getAttrOfType<StringAttr>(tfmc::kAttentionLoweringAttr);
    if (!strategy || strategy.getValue() == "unfused")
      return SmallVector<Value>{buildPlainAttention(b, op.getLoc(), problem)};
    if (strategy.getValue() == "gpu-flash")
      return SmallVector<Value>{buildGPUAttentionCall(b, op, problem)};
    if (strategy.getValue() != "flash")
      return op.emitOpError() << "unknown " << tfmc::kAttentionLoweringAttr
                              << " '" << strategy.getValue()
                              << "' (expected 'flash', 'gpu-flash' or "
                                 "'unfused')";
    auto blockAttr = op->getAttrOfType<IntegerAttr>(tfmc::kAttentionBlockAttr);
    int64_t block = blockAttr ? blockAttr.getInt() : problem.sk;
    if (block < 1)
      return op.emitOpError() << tfmc::kAttentionBlockAttr
                              << " must be >= 1, got " << block;
    block = std::min(block, std::max<int64_t>(problem.sk, 1));

    // The blocked loop lives in a function of its own: the kernel that
    // later passes tile and parallelize, and a small unit for LLVM.
    Location loc = op.getLoc();
    auto module = op->getParentOfType<ModuleOp>();
    // The head-split transposes exports wrap around attention ([.., S, H, D]
    // viewed as [.., H, S, D] and back) fold into the function: it reads
    // heads from the sequence-major tensors in place (strided) and writes
    // its result sequence-major, so neither side is copied.
    SmallVector<int64_t> headSwap =
        llvm::to_vector(llvm::seq<int64_t>(0, problem.rank));
    if (problem.rank >= 3)
      std::swap(headSwap[problem.rank - 3], headSwap[problem.rank - 2]);
    auto isHeadSwap = [&](ArrayRef<int64_t> permutation) {
      return problem.rank >= 3 && permutation == ArrayRef(headSwap);
    };
    std::array<Value *, 3> qkv = {&problem.query, &problem.key,
                                  &problem.value};
    for (auto [i, operand] : llvm::enumerate(qkv)) {
      auto transpose = operand->getDefiningOp<linalg::TransposeOp>();
      if (transpose && isHeadSwap(transpose.getPermutation())) {
        *operand = transpose.getInput();
        problem.bySequence[i] = true;
      }
    }
    if (op->hasOneUse())
      if (auto user = dyn_cast<TransposeOp>(*op->user_begin()))
        problem.resultBySequence = isHeadSwap(user.getPermutation());
    SmallVector<Value> operands = {problem.query, problem.key, problem.value};
    if (problem.mask)
      operands.push_back(problem.mask);
    RankedTensorType resultType = problem.resultType;
    if (problem.resultBySequence) {
      SmallVector<int64_t> shape;
      for (int64_t d : headSwap)
        shape.push_back(resultType.getDimSize(d));
      resultType = resultType.clone(shape);
    }
    std::string name;
    for (unsigned i = 0;; ++i) {
      name = "__tfmc_attention_" + std::to_string(i);
      if (!module.lookupSymbol(name))
        break;
    }
    func::FuncOp func;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(op->getParentOfType<func::FuncOp>());
      func = func::FuncOp::create(
          b, loc, name,
          b.getFunctionType(ValueRange(operands).getTypes(), {resultType}));
      func.setPrivate();
      // Sequence-major operands are strided views of the projections'
      // output: any strides, rows contiguous (the micro-kernel reads them
      // as vectors), so bufferization passes them without a copy.
      SmallVector<int64_t> strides(problem.rank - 1, ShapedType::kDynamic);
      strides.push_back(1);
      auto anyRowStrides =
          StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides);
      for (int i = 0; i < 3; ++i)
        if (problem.bySequence[i])
          func.setArgAttr(
              i, bufferization::BufferizationDialect::kBufferLayoutAttrName,
              anyRowStrides);
      Block *entry = func.addEntryBlock();
      b.setInsertionPointToStart(entry);
      AttentionProblem inner = problem;
      inner.query = entry->getArgument(0);
      inner.key = entry->getArgument(1);
      inner.value = entry->getArgument(2);
      inner.mask = problem.mask ? entry->getArgument(3) : Value();
      Value result = buildFlashAttention(b, loc, inner, block);
      func::ReturnOp::create(b, loc, result);
    }
    Value result = func::CallOp::create(b, loc, func, operands).getResult(0);
    // Back to [.., H, S, D] for the op's user, whose own transpose then
    // cancels this one.
    if (problem.resultBySequence)
      result = linalg::TransposeOp::create(
                   b, loc, result,
                   emptyTensor(b, loc, problem.resultType.getShape(),
                               problem.resultType.getElementType()),
                   headSwap)
                   ->getResult(0);
    return SmallVector<Value>{result};
  }
};

/// Normalized dims [axis, rank) → (x - mean) · rsqrt(var + eps) or
/// x · rsqrt(mean(x²) + eps), then · scale (+ bias).
template <typename OpTy>
FailureOr<SmallVector<Value>> lowerNorm(OpTy op, Value input, Value scale,
                                        Value bias, bool centered,
                                        ConversionPatternRewriter &b) {
  Location loc = op.getLoc();
  RankedTensorType type = tensorType(input);
  int64_t rank = type.getRank();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += rank;
  Type element = type.getElementType();
  Type f32 = b.getF32Type();
  MLIRContext *ctx = b.getContext();
  SmallVector<bool> reduced(rank, false);
  int64_t count = 1;
  for (int64_t d = axis; d < rank; ++d) {
    reduced[d] = true;
    count *= type.getDimSize(d);
  }
  Value invCount = floatConst(b, loc, f32, 1.0 / std::max<int64_t>(count, 1));
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap stat = droppingMap(rank, reduced, ctx);
  auto add = [](OpBuilder &nb, Location nl, Value x, Value a) -> Value {
    return arith::AddFOp::create(nb, nl, toCompute(nb, nl, x), a);
  };
  Value zero = floatConst(b, loc, f32, 0.0);
  Value mean;
  if (centered) {
    Value sum = buildReduction(b, loc, input, reduced, zero, add);
    mean = buildElementwise(b, loc, tensorType(sum).getShape(), f32, sum,
                            [&](OpBuilder &nb, Location nl, ValueRange a) {
                              return arith::MulFOp::create(nb, nl, a[0],
                                                           invCount);
                            });
  }
  // Second pass: Σ (x - mean)² (or Σ x²), stable for large means.
  SmallVector<int64_t> statShape;
  for (int64_t d = 0; d < axis; ++d)
    statShape.push_back(type.getDimSize(d));
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d)
    iterators.push_back(reduced[d] ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
  SmallVector<Value> sqInputs = {input};
  SmallVector<AffineMap> sqMaps = {id};
  if (mean) {
    sqInputs.push_back(mean);
    sqMaps.push_back(stat);
  }
  sqMaps.push_back(stat);
  Value sumSq = buildGeneric(
      b, loc, sqInputs, filledTensor(b, loc, statShape, zero), sqMaps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value x = toCompute(nb, nl, a[0]);
        if (mean)
          x = arith::SubFOp::create(nb, nl, x, a[1]);
        return arith::AddFOp::create(nb, nl, a.back(),
                                     arith::MulFOp::create(nb, nl, x, x));
      });
  double eps = op.getEpsilon().convertToDouble();
  Value invStd = buildElementwise(
      b, loc, statShape, f32, sumSq,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value var = arith::MulFOp::create(nb, nl, a[0], invCount);
        return math::RsqrtOp::create(
            nb, nl,
            arith::AddFOp::create(nb, nl, var, floatConst(nb, nl, f32, eps)));
      });
  SmallVector<Value> inputs = {input, invStd};
  SmallVector<AffineMap> maps = {id, stat};
  if (mean) {
    inputs.push_back(mean);
    maps.push_back(stat);
  }
  SmallVector<AffineExpr> trailing;
  for (int64_t d = axis; d < rank; ++d)
    trailing.push_back(getAffineDimExpr(d, ctx));
  AffineMap paramMap = AffineMap::get(rank, 0, trailing, ctx);
  if (scale) {
    inputs.push_back(scale);
    maps.push_back(paramMap);
  }
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(paramMap);
  }
  maps.push_back(id);
  Value result = buildGeneric(
      b, loc, inputs, emptyTensor(b, loc, type.getShape(), element), maps,
      parallelIterators(rank),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        unsigned next = 2;
        Value x = toCompute(nb, nl, a[0]);
        if (mean)
          x = arith::SubFOp::create(nb, nl, x, a[next++]);
        Value y = arith::MulFOp::create(nb, nl, x, a[1]);
        if (scale)
          y = arith::MulFOp::create(nb, nl, y, toCompute(nb, nl, a[next++]));
        if (bias)
          y = arith::AddFOp::create(nb, nl, y, toCompute(nb, nl, a[next++]));
        return fromCompute(nb, nl, y, element);
      });
  return SmallVector<Value>{result};
}

struct LayerNormPattern : public TfmPattern<LayerNormOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(LayerNormOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    return lowerNorm(op, adaptor.getInput(), adaptor.getScale(),
                     adaptor.getBias(), /*centered=*/true, b);
  }
};

struct RmsNormPattern : public TfmPattern<RmsNormOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(RmsNormOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    return lowerNorm(op, adaptor.getInput(), adaptor.getScale(), Value(),
                     /*centered=*/false, b);
  }
};

struct SoftmaxPattern : public TfmPattern<SoftmaxOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(SoftmaxOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Type element = type.getElementType();
    Type f32 = b.getF32Type();
    MLIRContext *ctx = b.getContext();
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    Value input = adaptor.getInput();
    Value max = buildReduction(b, loc, input, reduced, lowestValue(b, loc, f32),
                               [](OpBuilder &nb, Location nl, Value x, Value a) {
                                 return arith::MaximumFOp::create(
                                     nb, nl, toCompute(nb, nl, x), a);
                               });
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap row = droppingMap(rank, reduced, ctx);
    Value exps = buildGeneric(
        b, loc, ValueRange{input, max},
        emptyTensor(b, loc, type.getShape(), f32), {id, row, id},
        parallelIterators(rank),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return math::ExpOp::create(
              nb, nl,
              arith::SubFOp::create(nb, nl, toCompute(nb, nl, a[0]), a[1]));
        });
    Value sums =
        buildReduction(b, loc, exps, reduced, floatConst(b, loc, f32, 0.0),
                       [](OpBuilder &nb, Location nl, Value x, Value a) {
                         return arith::AddFOp::create(nb, nl, x, a);
                       });
    Value result = buildGeneric(
        b, loc, ValueRange{exps, sums},
        emptyTensor(b, loc, type.getShape(), element), {id, row, id},
        parallelIterators(rank),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return fromCompute(nb, nl, arith::DivFOp::create(nb, nl, a[0], a[1]),
                             element);
        });
    return SmallVector<Value>{result};
  }
};

/// Shape of reducing `type` over `axes`, with size-1 dims kept or not.
SmallVector<bool> reducedDims(RankedTensorType type, ArrayRef<int64_t> axes) {
  SmallVector<bool> reduced(type.getRank(), false);
  for (int64_t a : axes)
    reduced[a < 0 ? a + type.getRank() : a] = true;
  return reduced;
}

template <typename OpTy>
struct ReducePattern : public TfmPattern<OpTy> {
  using TfmPattern<OpTy>::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(OpTy op, typename TfmPattern<OpTy>::Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput();
    RankedTensorType inType = tensorType(input);
    Type element = type.getElementType();
    Type acc = computeType(element);
    SmallVector<bool> reduced = reducedDims(inType, op.getAxes());
    constexpr bool isMax = std::is_same_v<OpTy, ReduceMaxOp>;
    Value init = isMax ? lowestValue(b, loc, acc)
                 : isa<FloatType>(acc) ? floatConst(b, loc, acc, 0.0)
                                       : intConst(b, loc, acc, 0);
    Value r = buildReduction(
        b, loc, input, reduced, init,
        [&](OpBuilder &nb, Location nl, Value x, Value a) -> Value {
          x = toCompute(nb, nl, x);
          if (isMax)
            return isa<FloatType>(acc)
                       ? Value(arith::MaximumFOp::create(nb, nl, x, a))
                       : Value(arith::MaxSIOp::create(nb, nl, x, a));
          return isa<FloatType>(acc) ? Value(arith::AddFOp::create(nb, nl, x, a))
                                     : Value(arith::AddIOp::create(nb, nl, x, a));
        });
    if (std::is_same_v<OpTy, ReduceMeanOp>) {
      int64_t count = 1;
      for (auto [d, isReduced] : llvm::enumerate(reduced))
        if (isReduced)
          count *= inType.getDimSize(d);
      // A mean over zero elements is NaN, as in numpy and PyTorch.
      double inv = count ? 1.0 / static_cast<double>(count) : NAN;
      r = buildElementwise(b, loc, tensorType(r).getShape(), acc, r,
                           [&](OpBuilder &nb, Location nl, ValueRange a) {
                             return arith::MulFOp::create(
                                 nb, nl, a[0], floatConst(nb, nl, acc, inv));
                           });
    }
    r = roundTensorTo(b, loc, r, element);
    return SmallVector<Value>{reshapeTo(b, loc, r, type.getShape())};
  }
};

struct ArgmaxPattern : public TfmPattern<ArgmaxOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(ArgmaxOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType inType = tensorType(input);
    int64_t rank = inType.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Type acc = computeType(inType.getElementType());
    Type i64 = b.getI64Type();
    MLIRContext *ctx = b.getContext();
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    SmallVector<int64_t> shape;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < rank; ++d) {
      iterators.push_back(reduced[d] ? utils::IteratorType::reduction
                                     : utils::IteratorType::parallel);
      if (!reduced[d])
        shape.push_back(inType.getDimSize(d));
    }
    AffineMap row = droppingMap(rank, reduced, ctx);
    Value bestInit = filledTensor(b, loc, shape, lowestValue(b, loc, acc));
    Value indexInit = filledTensor(b, loc, shape, intConst(b, loc, i64, 0));
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{bestInit.getType(), indexInit.getType()}, input,
        ValueRange{bestInit, indexInit},
        {AffineMap::getMultiDimIdentityMap(rank, ctx), row, row}, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value x = toCompute(nb, nl, a[0]);
          // Strictly greater keeps the first maximum, as PyTorch does; a
          // NaN counts as the maximum (the first NaN wins), also as PyTorch.
          Value better;
          if (isa<FloatType>(acc)) {
            Value greater = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::OGT, x, a[1]);
            Value xIsNan = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::UNO, x, x);
            Value bestIsNumber = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::ORD, a[1], a[1]);
            better = arith::OrIOp::create(
                nb, nl, greater,
                arith::AndIOp::create(nb, nl, xIsNan, bestIsNumber));
          } else {
            better = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sgt,
                                           x, a[1]);
          }
          Value index = arith::IndexCastOp::create(
              nb, nl, i64, linalg::IndexOp::create(nb, nl, axis));
          linalg::YieldOp::create(
              nb, nl,
              ValueRange{arith::SelectOp::create(nb, nl, better, x, a[1]),
                         arith::SelectOp::create(nb, nl, better, index, a[2])});
        });
    return SmallVector<Value>{
        reshapeTo(b, loc, generic.getResult(1), op.getType().getShape())};
  }
};

struct ReshapePattern : public TfmPattern<ReshapeOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(ReshapeOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    return SmallVector<Value>{reshapeTo(b, op.getLoc(), adaptor.getInput(),
                                        op.getType().getShape())};
  }
};

struct TransposePattern : public TfmPattern<TransposeOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(TransposeOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    auto type = op.getType();
    Value init =
        emptyTensor(b, op.getLoc(), type.getShape(), type.getElementType());
    auto t = linalg::TransposeOp::create(b, op.getLoc(), adaptor.getInput(),
                                         init, op.getPermutation());
    return SmallVector<Value>{t->getResult(0)};
  }
};

struct BroadcastToPattern : public TfmPattern<BroadcastToOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(BroadcastToOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    auto type = op.getType();
    return SmallVector<Value>{buildElementwise(
        b, op.getLoc(), type.getShape(), type.getElementType(),
        adaptor.getInput(),
        [](OpBuilder &, Location, ValueRange a) { return a[0]; })};
  }
};

struct ConcatPattern : public TfmPattern<ConcatOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(ConcatOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Value result = emptyTensor(b, loc, type.getShape(), type.getElementType());
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      RankedTensorType t = tensorType(input);
      if (t.getNumElements() == 0)
        continue; // nothing to place (and its offset may be the end)
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
          strides(rank, b.getIndexAttr(1));
      offsets[axis] = b.getIndexAttr(offset);
      for (int64_t d : t.getShape())
        sizes.push_back(b.getIndexAttr(d));
      result = tensor::InsertSliceOp::create(b, loc, input, result, offsets,
                                             sizes, strides);
      offset += t.getDimSize(axis);
    }
    return SmallVector<Value>{result};
  }
};

Value extractSlice(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType, ArrayRef<int64_t> starts,
                   ArrayRef<int64_t> strides) {
  // An empty piece may start at the end of its dimension, which
  // tensor.extract_slice rejects; it has nothing to read anyway.
  if (resultType.getNumElements() == 0)
    return emptyTensor(b, loc, resultType.getShape(),
                       resultType.getElementType());
  SmallVector<OpFoldResult> offsets, sizes, steps;
  for (auto [start, size, stride] :
       llvm::zip(starts, resultType.getShape(), strides)) {
    offsets.push_back(b.getIndexAttr(start));
    sizes.push_back(b.getIndexAttr(size));
    steps.push_back(b.getIndexAttr(stride));
  }
  return tensor::ExtractSliceOp::create(b, loc, resultType, input, offsets,
                                        sizes, steps);
}

struct SlicePattern : public TfmPattern<SliceOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(SliceOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    return SmallVector<Value>{extractSlice(b, op.getLoc(), adaptor.getInput(),
                                           op.getType(), op.getStarts(),
                                           op.getStrides())};
  }
};

struct SplitPattern : public TfmPattern<SplitOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(SplitOp op, Adaptor adaptor,
        ConversionPatternRewriter &b) const override {
    RankedTensorType inType = tensorType(adaptor.getInput());
    int64_t rank = inType.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    SmallVector<Value> results;
    SmallVector<int64_t> starts(rank, 0), strides(rank, 1);
    for (Value r : op.getResults()) {
      auto t = cast<RankedTensorType>(r.getType());
      results.push_back(
          extractSlice(b, op.getLoc(), adaptor.getInput(), t, starts, strides));
      starts[axis] += t.getDimSize(axis);
    }
    return results;
  }
};

struct IotaPattern : public TfmPattern<IotaOp> {
  using TfmPattern::TfmPattern;
  FailureOr<SmallVector<Value>>
  lower(IotaOp op, Adaptor, ConversionPatternRewriter &b) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    int64_t dim = static_cast<int64_t>(op.getDimension());
    double start = op.getStart().convertToDouble();
    double step = op.getStep().convertToDouble();
    MLIRContext *ctx = b.getContext();
    Value result = buildGeneric(
        b, op.getLoc(), ValueRange{},
        emptyTensor(b, op.getLoc(), type.getShape(), element),
        {AffineMap::getMultiDimIdentityMap(type.getRank(), ctx)},
        parallelIterators(type.getRank()),
        [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
          Value i = arith::IndexCastOp::create(
              nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, dim));
          if (auto intType = dyn_cast<IntegerType>(element)) {
            Value v = arith::AddIOp::create(
                nb, nl, intConst(nb, nl, nb.getI64Type(), int64_t(start)),
                arith::MulIOp::create(
                    nb, nl, i, intConst(nb, nl, nb.getI64Type(), int64_t(step))));
            return intType.getWidth() == 64
                       ? v
                       : Value(arith::TruncIOp::create(nb, nl, element, v));
          }
          Type f32 = nb.getF32Type();
          Value v = arith::AddFOp::create(
              nb, nl, floatConst(nb, nl, f32, start),
              arith::MulFOp::create(nb, nl,
                                    arith::SIToFPOp::create(nb, nl, f32, i),
                                    floatConst(nb, nl, f32, step)));
          return fromCompute(nb, nl, v, element);
        });
    return SmallVector<Value>{result};
  }
};

struct ConvertTfmToLinalgPass
    : public tfmc::impl::ConvertTfmToLinalgPassBase<ConvertTfmToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<TfmDialect>();
    target.addLegalDialect<arith::ArithDialect, bufferization::BufferizationDialect,
                           func::FuncDialect, linalg::LinalgDialect,
                           LLVM::LLVMDialect, math::MathDialect,
                           memref::MemRefDialect, scf::SCFDialect,
                           tensor::TensorDialect>();
    target.addLegalOp<ModuleOp>();
    RewritePatternSet patterns(ctx);
    tfmc::populateTfmToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void tfmc::populateTfmToLinalgConversionPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<
      ElementwisePattern<AddOp>, ElementwisePattern<SubOp>,
      ElementwisePattern<MulOp>, ElementwisePattern<DivOp>,
      ElementwisePattern<PowOp>, ElementwisePattern<MinOp>,
      ElementwisePattern<MaxOp>, ElementwisePattern<NegOp>,
      ElementwisePattern<ReluOp>, ElementwisePattern<GeluOp>,
      ElementwisePattern<SiluOp>, ElementwisePattern<SigmoidOp>,
      ElementwisePattern<TanhOp>, ElementwisePattern<ExpOp>,
      ElementwisePattern<LogOp>, ElementwisePattern<SqrtOp>,
      ElementwisePattern<ErfOp>, ComparePattern, SelectPattern, CastPattern,
      WeightPattern, ConstantPattern, EmbeddingPattern, GatherPattern,
      PositionalEncodingPattern, LinearPattern, MatmulPattern,
      AttentionPattern, LayerNormPattern, RmsNormPattern, SoftmaxPattern,
      ReducePattern<ReduceSumOp>, ReducePattern<ReduceMeanOp>,
      ReducePattern<ReduceMaxOp>, ArgmaxPattern, ReshapePattern,
      TransposePattern, BroadcastToPattern, ConcatPattern, SlicePattern,
      SplitPattern, IotaPattern>(ctx);
}
