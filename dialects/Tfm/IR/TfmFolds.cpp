//===- TfmFolds.cpp - tfm folds and canonicalizations -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Folds are exact: identities only where IEEE arithmetic makes them exact,
// and constant folding only for small tensors (shape arithmetic, masks), so
// no fold ever creates a constant the verifier would reject.
//
//===----------------------------------------------------------------------===//

#include "Tfm/IR/TfmOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/APSInt.h"

using namespace mlir;
using namespace mlir::tfm;

namespace {
#include "Tfm/IR/TfmCanonicalize.inc"
} // namespace

//===----------------------------------------------------------------------===//
// Constant-evaluation helpers
//===----------------------------------------------------------------------===//

static SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// A static result type small enough to hold as a tfm.constant.
static RankedTensorType foldableResultType(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape() || t.getNumElements() > kMaxConstantElements)
    return {};
  return t;
}

using ElementFn = function_ref<Attribute(ArrayRef<Attribute>)>;

/// Evaluates `fn` elementwise over `operands` broadcast (numpy rules) to
/// `resultType`. Returns null if an operand is not constant or `fn` declines.
static Attribute foldElementwise(ArrayRef<Attribute> operands, Type resultType,
                                 ElementFn fn) {
  SmallVector<DenseElementsAttr> dense;
  for (Attribute a : operands) {
    auto d = dyn_cast_or_null<DenseElementsAttr>(a);
    if (!d)
      return {};
    dense.push_back(d);
  }
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!type || !type.hasStaticShape())
    return {};
  if (llvm::all_of(dense, [](DenseElementsAttr d) { return d.isSplat(); })) {
    SmallVector<Attribute> args;
    for (DenseElementsAttr d : dense)
      args.push_back(d.getSplatValue<Attribute>());
    Attribute r = fn(args);
    return r ? DenseElementsAttr::get(type, r) : Attribute();
  }
  if (type.getNumElements() > kMaxConstantElements)
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> resultStrides = rowMajorStrides(shape);
  // Per operand: its values and, per result dimension, the stride to use
  // (0 where the operand broadcasts).
  SmallVector<SmallVector<Attribute>> values;
  SmallVector<SmallVector<int64_t>> strides;
  for (DenseElementsAttr d : dense) {
    auto t = cast<ShapedType>(d.getType());
    values.emplace_back(d.getValues<Attribute>());
    SmallVector<int64_t> own = rowMajorStrides(t.getShape());
    SmallVector<int64_t> s(shape.size(), 0);
    size_t offset = shape.size() - t.getRank();
    for (int64_t i = 0; i < t.getRank(); ++i)
      s[offset + i] = t.getDimSize(i) == 1 ? 0 : own[i];
    strides.push_back(std::move(s));
  }
  SmallVector<Attribute> result;
  result.reserve(type.getNumElements());
  SmallVector<Attribute> args(dense.size());
  for (int64_t linear = 0; linear < type.getNumElements(); ++linear) {
    for (size_t o = 0; o < dense.size(); ++o) {
      int64_t index = 0, rest = linear;
      for (size_t d = 0; d < shape.size(); ++d) {
        index += (rest / resultStrides[d]) * strides[o][d];
        rest %= resultStrides[d];
      }
      args[o] = dense[o].isSplat() ? values[o].front() : values[o][index];
    }
    Attribute r = fn(args);
    if (!r)
      return {};
    result.push_back(r);
  }
  return DenseElementsAttr::get(type, result);
}

using IntBinaryFn =
    function_ref<std::optional<APInt>(const APInt &, const APInt &)>;
using FloatBinaryFn =
    function_ref<std::optional<APFloat>(const APFloat &, const APFloat &)>;

/// Folds a binary arithmetic op whose operands are both constant.
static Attribute foldArithmetic(ArrayRef<Attribute> operands, Type resultType,
                                IntBinaryFn intFn, FloatBinaryFn floatFn) {
  return foldElementwise(
      operands, resultType, [&](ArrayRef<Attribute> args) -> Attribute {
        if (auto a = dyn_cast<IntegerAttr>(args[0])) {
          auto b = cast<IntegerAttr>(args[1]);
          std::optional<APInt> r =
              intFn ? intFn(a.getValue(), b.getValue()) : std::nullopt;
          return r ? IntegerAttr::get(a.getType(), *r) : Attribute();
        }
        auto a = cast<FloatAttr>(args[0]);
        auto b = cast<FloatAttr>(args[1]);
        std::optional<APFloat> r =
            floatFn ? floatFn(a.getValue(), b.getValue()) : std::nullopt;
        return r ? FloatAttr::get(a.getType(), *r) : Attribute();
      });
}

/// True if `attr` is a splat constant equal to `value` (for floats, exactly,
/// including the sign of zero).
static bool isSplatOf(Attribute attr, double value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return false;
  Type elt = dense.getElementType();
  if (isa<IntegerType>(elt))
    return dense.getSplatValue<APInt>().getSExtValue() ==
           static_cast<int64_t>(value);
  APFloat splat = dense.getSplatValue<APFloat>();
  APFloat expected(value);
  bool losesInfo;
  expected.convert(splat.getSemantics(), APFloat::rmNearestTiesToEven,
                   &losesInfo);
  return splat.bitwiseIsEqual(expected);
}

/// `value` can stand for the op's result: same static type, so no
/// broadcast (possibly through a size unknown at compile time) can enlarge it.
static bool canReplaceResult(Value value, Type result) {
  return value.getType() == result &&
         cast<ShapedType>(result).hasStaticShape();
}

/// `x op c` == x when c is the op's identity and no broadcast changes x.
static OpFoldResult foldRightIdentity(Value lhs, Attribute rhs, Type result,
                                      double identity) {
  if (canReplaceResult(lhs, result) && isSplatOf(rhs, identity))
    return lhs;
  return {};
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  // x + 0 is exact for integers; for floats only x + (-0.0) is (-0 + 0 = +0).
  bool isFloat = isa<FloatType>(getType().getElementType());
  for (auto [value, attr] : {std::pair{getLhs(), adaptor.getRhs()},
                             std::pair{getRhs(), adaptor.getLhs()}})
    if (OpFoldResult r =
            foldRightIdentity(value, attr, getType(), isFloat ? -0.0 : 0.0))
      return r;
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r =
          foldRightIdentity(getLhs(), adaptor.getRhs(), getType(), 0.0))
    return r;
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  for (auto [value, attr] : {std::pair{getLhs(), adaptor.getRhs()},
                             std::pair{getRhs(), adaptor.getLhs()}})
    if (OpFoldResult r = foldRightIdentity(value, attr, getType(), 1.0))
      return r;
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r =
          foldRightIdentity(getLhs(), adaptor.getRhs(), getType(), 1.0))
    return r;
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        // Division by zero and INT_MIN / -1 stay a run-time matter.
        if (b.isZero() || (a.isMinSignedValue() && b.isAllOnes()))
          return std::nullopt;
        return a.sdiv(b);
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a / b;
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  return foldRightIdentity(getLhs(), adaptor.getRhs(), getType(), 1.0);
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs(); // min(x, x) has x's shape: no broadcast
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.slt(b) ? a : b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::minimum(a, b); // NaN-propagating, as torch.minimum
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sgt(b) ? a : b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::maximum(a, b);
      });
}

static bool evaluatePredicate(ComparePredicate p, Attribute lhs,
                              Attribute rhs) {
  if (auto a = dyn_cast<IntegerAttr>(lhs)) {
    // i1 orders false < true (as PyTorch's bool); wider integers are signed.
    const APInt &x = a.getValue(), &y = cast<IntegerAttr>(rhs).getValue();
    bool isBool = x.getBitWidth() == 1;
    switch (p) {
    case ComparePredicate::eq: return x == y;
    case ComparePredicate::ne: return x != y;
    case ComparePredicate::lt: return isBool ? x.ult(y) : x.slt(y);
    case ComparePredicate::le: return isBool ? x.ule(y) : x.sle(y);
    case ComparePredicate::gt: return isBool ? x.ugt(y) : x.sgt(y);
    case ComparePredicate::ge: return isBool ? x.uge(y) : x.sge(y);
    }
  }
  APFloat::cmpResult c = cast<FloatAttr>(lhs).getValue().compare(
      cast<FloatAttr>(rhs).getValue());
  switch (p) {
  case ComparePredicate::eq: return c == APFloat::cmpEqual;
  case ComparePredicate::ne: return c != APFloat::cmpEqual;
  case ComparePredicate::lt: return c == APFloat::cmpLessThan;
  case ComparePredicate::le:
    return c == APFloat::cmpLessThan || c == APFloat::cmpEqual;
  case ComparePredicate::gt: return c == APFloat::cmpGreaterThan;
  case ComparePredicate::ge:
    return c == APFloat::cmpGreaterThan || c == APFloat::cmpEqual;
  }
  llvm_unreachable("unknown compare predicate");
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  Type i1 = IntegerType::get(getContext(), 1);
  ComparePredicate p = getPredicate();
  return foldElementwise({adaptor.getLhs(), adaptor.getRhs()}, getType(),
                         [&](ArrayRef<Attribute> args) -> Attribute {
                           return IntegerAttr::get(
                               i1, evaluatePredicate(p, args[0], args[1]));
                         });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getTrueValue() == getFalseValue() &&
      canReplaceResult(getTrueValue(), getType()))
    return getTrueValue();
  auto cond = dyn_cast_or_null<DenseElementsAttr>(adaptor.getCondition());
  if (cond && cond.isSplat()) {
    Value chosen =
        cond.getSplatValue<bool>() ? getTrueValue() : getFalseValue();
    if (canReplaceResult(chosen, getType()))
      return chosen;
  }
  return foldElementwise(
      adaptor.getOperands(), getType(), [](ArrayRef<Attribute> args) {
        return cast<IntegerAttr>(args[0]).getValue().getBoolValue() ? args[1]
                                                                    : args[2];
      });
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  return foldElementwise(adaptor.getOperands(), getType(),
                         [](ArrayRef<Attribute> args) -> Attribute {
                           if (auto i = dyn_cast<IntegerAttr>(args[0]))
                             return IntegerAttr::get(i.getType(),
                                                     -i.getValue());
                           auto f = cast<FloatAttr>(args[0]);
                           return FloatAttr::get(f.getType(), -f.getValue());
                         });
}

/// One element converted as tfm.cast defines it; null when not exact enough
/// to fold (a float out of the integer range, NaN to integer).
static Attribute castElement(Attribute value, Type to) {
  auto toInt = dyn_cast<IntegerType>(to);
  if (auto i = dyn_cast<IntegerAttr>(value)) {
    const APInt &v = i.getValue();
    bool fromBool = v.getBitWidth() == 1;
    if (toInt) {
      if (toInt.getWidth() == 1)
        return IntegerAttr::get(to, APInt(1, !v.isZero()));
      return IntegerAttr::get(to, fromBool ? v.zext(toInt.getWidth())
                                           : v.sextOrTrunc(toInt.getWidth()));
    }
    APFloat f(cast<FloatType>(to).getFloatSemantics());
    f.convertFromAPInt(v, /*IsSigned=*/!fromBool,
                       APFloat::rmNearestTiesToEven);
    return FloatAttr::get(to, f);
  }
  APFloat v = cast<FloatAttr>(value).getValue();
  if (toInt) {
    if (toInt.getWidth() == 1)
      return IntegerAttr::get(to, APInt(1, !v.isZero()));
    llvm::APSInt result(toInt.getWidth(), /*isUnsigned=*/false);
    bool exact;
    if (v.convertToInteger(result, APFloat::rmTowardZero, &exact) &
        APFloat::opInvalidOp)
      return {};
    return IntegerAttr::get(to, result);
  }
  bool losesInfo;
  v.convert(cast<FloatType>(to).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &losesInfo);
  return FloatAttr::get(to, v);
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  Type to = getType().getElementType();
  return foldElementwise(adaptor.getOperands(), getType(),
                         [&](ArrayRef<Attribute> args) {
                           return castElement(args[0], to);
                         });
}

//===----------------------------------------------------------------------===//
// Shape
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && getType().hasStaticShape())
    return dense.reshape(getType());
  return {};
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ReshapeOfReshape>(context);
}

/// Rearranges a small constant: result element `i` is input element
/// `sourceIndex(i)`.
static Attribute rearrangeConstant(Attribute input, Type resultType,
                                   function_ref<int64_t(ArrayRef<int64_t>)>
                                       sourceIndex) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(input);
  RankedTensorType type = foldableResultType(resultType);
  if (!dense || !type)
    return {};
  if (dense.isSplat())
    return DenseElementsAttr::get(type, dense.getSplatValue<Attribute>());
  SmallVector<Attribute> values(dense.getValues<Attribute>());
  SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
  SmallVector<Attribute> result;
  SmallVector<int64_t> index(type.getRank());
  for (int64_t linear = 0; linear < type.getNumElements(); ++linear) {
    int64_t rest = linear;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      index[d] = rest / strides[d];
      rest %= strides[d];
    }
    int64_t source = sourceIndex(index);
    if (source < 0 || source >= static_cast<int64_t>(values.size()))
      return {};
    result.push_back(values[source]);
  }
  return DenseElementsAttr::get(type, result);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())) &&
      getInput().getType() == getType())
    return getInput();
  // transpose(transpose(x, p1), p2) == transpose(x, p1 ∘ p2).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner.getPermutation()[p]);
    setOperand(inner.getInput());
    setPermutation(composed);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())) &&
        getInput().getType() == getType())
      return getInput();
    return getResult();
  }
  auto inType = cast<RankedTensorType>(getInput().getType());
  SmallVector<int64_t> inStrides = rowMajorStrides(inType.getShape());
  return rearrangeConstant(adaptor.getInput(), getType(),
                           [&](ArrayRef<int64_t> index) {
                             int64_t source = 0;
                             for (auto [d, p] : llvm::enumerate(perm))
                               source += index[d] * inStrides[p];
                             return source;
                           });
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat() && getType().hasStaticShape())
    return DenseElementsAttr::get(getType(), dense.getSplatValue<Attribute>());
  return {};
}

void BroadcastToOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                MLIRContext *context) {
  results.add<BroadcastOfBroadcast>(context);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  RankedTensorType type = foldableResultType(getType());
  if (!type)
    return {};
  int64_t rank = type.getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rank;
  // Row-major: the result is, for each index of the leading dimensions, the
  // inputs' blocks of the trailing dimensions laid one after another.
  SmallVector<SmallVector<Attribute>> values;
  SmallVector<int64_t> blockSizes;
  for (auto [value, attr] : llvm::zip(getInputs(), adaptor.getInputs())) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
    if (!dense)
      return {};
    auto t = cast<RankedTensorType>(value.getType());
    int64_t block = 1;
    for (int64_t d = axis; d < rank; ++d)
      block *= t.getDimSize(d);
    blockSizes.push_back(block);
    if (dense.isSplat())
      values.emplace_back(t.getNumElements(),
                          dense.getSplatValue<Attribute>());
    else
      values.emplace_back(dense.getValues<Attribute>());
  }
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= type.getDimSize(d);
  SmallVector<Attribute> result;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [vals, block] : llvm::zip(values, blockSizes))
      result.append(vals.begin() + o * block, vals.begin() + (o + 1) * block);
  return DenseElementsAttr::get(type, result);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (canReplaceResult(getInput(), getType()) &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }) &&
      llvm::equal(getLimits(), getType().getShape()))
    return getInput();
  auto inType = cast<RankedTensorType>(getInput().getType());
  if (!inType.hasStaticShape())
    return {};
  SmallVector<int64_t> inStrides = rowMajorStrides(inType.getShape());
  ArrayRef<int64_t> starts = getStarts(), strides = getStrides();
  return rearrangeConstant(adaptor.getInput(), getType(),
                           [&](ArrayRef<int64_t> index) {
                             int64_t source = 0;
                             for (size_t d = 0; d < index.size(); ++d)
                               source += (starts[d] + index[d] * strides[d]) *
                                         inStrides[d];
                             return source;
                           });
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto indices = dyn_cast_or_null<DenseElementsAttr>(adaptor.getIndices());
  auto inType = cast<RankedTensorType>(getInput().getType());
  if (!indices || !inType.hasStaticShape())
    return {};
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += inType.getRank();
  int64_t axisSize = inType.getDimSize(axis);
  SmallVector<int64_t> idx;
  for (const APInt &i : indices.getValues<APInt>()) {
    int64_t v = i.getSExtValue();
    if (v < -axisSize || v >= axisSize)
      return {}; // out of range: reported at run time, never folded away
    idx.push_back(v < 0 ? v + axisSize : v);
  }
  auto idxType = cast<RankedTensorType>(indices.getType());
  SmallVector<int64_t> inStrides = rowMajorStrides(inType.getShape());
  SmallVector<int64_t> idxStrides = rowMajorStrides(idxType.getShape());
  int64_t idxRank = idxType.getRank();
  return rearrangeConstant(
      adaptor.getInput(), getType(), [&](ArrayRef<int64_t> index) {
        int64_t source = 0;
        for (int64_t d = 0; d < axis; ++d)
          source += index[d] * inStrides[d];
        int64_t flat = 0;
        for (int64_t d = 0; d < idxRank; ++d)
          flat += index[axis + d] * idxStrides[d];
        source += idx[flat] * inStrides[axis];
        for (int64_t d = axis + 1; d < inType.getRank(); ++d)
          source += index[d + idxRank - 1] * inStrides[d];
        return source;
      });
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Reducing only size-1 dimensions while keeping them changes nothing.
template <typename ReduceOp>
static OpFoldResult foldTrivialReduce(ReduceOp op) {
  auto in = cast<RankedTensorType>(op.getInput().getType());
  if (in != op.getType())
    return {};
  for (int64_t a : op.getAxes())
    if (in.getDimSize(a < 0 ? a + in.getRank() : a) != 1)
      return {};
  return op.getInput();
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor) { return foldTrivialReduce(*this); }
OpFoldResult ReduceMeanOp::fold(FoldAdaptor) {
  return foldTrivialReduce(*this);
}
OpFoldResult ReduceMaxOp::fold(FoldAdaptor) { return foldTrivialReduce(*this); }
