//===- TfmOps.cpp - tfm shape functions and verifiers -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each op's shape and element-type rule lives in exactly one place, its
// inferReturnTypes: the verifier compares declared result types against it
// and the generated builders call it. Errors name the op and the offending
// operand, attribute or dimension.
//
//===----------------------------------------------------------------------===//

#include "Tfm/IR/TfmOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tfm;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

namespace {
/// Reports shape-function errors as "'tfm.op' op …", like emitOpError, at the
/// op's location when there is one (builders may infer without a location).
struct ShapeErrors {
  std::optional<Location> loc;
  StringRef opName;

  template <typename... Args>
  LogicalResult operator()(Args &&...args) const {
    return emitOptionalError(loc, "'", opName, "' op ",
                             std::forward<Args>(args)...);
  }
};

/// Prints a shape as numpy-like "[2, ?, 64]".
struct ShapeStr {
  ArrayRef<int64_t> shape;
};
} // namespace

static raw_ostream &operator<<(raw_ostream &os, ShapeStr s) {
  os << '[';
  llvm::interleaveComma(s.shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << '?';
    else
      os << d;
  });
  return os << ']';
}

static std::string toString(Type t) {
  std::string str;
  llvm::raw_string_ostream os(str);
  os << t;
  return str;
}

static std::string toString(ShapeStr s) {
  std::string str;
  llvm::raw_string_ostream os(str);
  os << s;
  return str;
}

/// "0.5", "1e-05": numbers as users write them, not "5.000000e-01".
static std::string formatNumber(double value) {
  std::string str;
  llvm::raw_string_ostream os(str);
  os << llvm::format("%g", value);
  return str;
}

static RankedTensorType rankedType(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

/// Two sizes agree when equal or when either is unknown.
static bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static bool shapesAgree(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  return a.size() == b.size() &&
         llvm::all_of(llvm::zip(a, b), [](auto p) {
           return dimsAgree(std::get<0>(p), std::get<1>(p));
         });
}

bool mlir::tfm::areCompatibleResultTypes(TypeRange lhs, TypeRange rhs) {
  if (lhs.size() != rhs.size())
    return false;
  for (auto [l, r] : llvm::zip(lhs, rhs)) {
    auto lt = dyn_cast<RankedTensorType>(l);
    auto rt = dyn_cast<RankedTensorType>(r);
    if (!lt || !rt) {
      if (l != r)
        return false;
      continue;
    }
    if (lt.getElementType() != rt.getElementType() ||
        !shapesAgree(lt.getShape(), rt.getShape()))
      return false;
  }
  return true;
}

/// Maps a possibly negative axis into [0, rank).
static std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

static std::string axisRangeMessage(StringRef name, int64_t axis,
                                    int64_t rank) {
  if (rank == 0)
    return (name + " " + Twine(axis) +
            " is out of range: the input has rank 0 (no axes)")
        .str();
  return (name + " " + Twine(axis) + " is out of range for rank " +
          Twine(rank) + " (expected in [" + Twine(-rank) + ", " + Twine(rank) +
          "))")
      .str();
}

static LogicalResult axisError(const ShapeErrors &error, StringRef name,
                               int64_t axis, int64_t rank) {
  return error(axisRangeMessage(name, axis, rank));
}

/// Requires every operand type to be a ranked tensor (the ODS constraints
/// guarantee it in verified IR; builders may pass anything).
static LogicalResult getRankedTypes(const ShapeErrors &error, ValueRange values,
                                    SmallVectorImpl<RankedTensorType> &types) {
  for (Value v : values) {
    auto t = rankedType(v);
    if (!t)
      return error("expects ranked tensor operands");
    types.push_back(t);
  }
  return success();
}

static LogicalResult requireSameElementType(const ShapeErrors &error,
                                            Type expected, Type actual,
                                            StringRef what) {
  if (expected == actual)
    return success();
  return error(what, " has element type ", actual, " but ", expected,
               " is required");
}

/// numpy broadcasting of any number of shapes.
static LogicalResult broadcastShapes(const ShapeErrors &error,
                                     ArrayRef<RankedTensorType> types,
                                     SmallVectorImpl<int64_t> &result) {
  result.assign(types.front().getShape().begin(),
                types.front().getShape().end());
  for (RankedTensorType t : types.drop_front()) {
    SmallVector<int64_t> next;
    if (!OpTrait::util::getBroadcastedShape(result, t.getShape(), next)) {
      std::string shapes;
      llvm::raw_string_ostream os(shapes);
      llvm::interleave(
          types, os, [&](RankedTensorType ty) { os << ShapeStr{ty.getShape()}; },
          " and ");
      return error("operand shapes ", shapes, " are not broadcast-compatible");
    }
    result = std::move(next);
  }
  return success();
}

/// `shape` broadcasts to `target` (numpy rules, one direction only).
static bool broadcastsTo(ArrayRef<int64_t> shape, ArrayRef<int64_t> target) {
  if (shape.size() > target.size())
    return false;
  size_t offset = target.size() - shape.size();
  for (auto [i, d] : llvm::enumerate(shape))
    if (d != 1 && !dimsAgree(d, target[offset + i]))
      return false;
  return true;
}

/// A mask for attention: i1 or the query's float type, broadcastable to the
/// score shape.
static LogicalResult checkAttentionMask(const ShapeErrors &error, Value mask,
                                        Type floatType,
                                        ArrayRef<int64_t> scoreShape) {
  if (!mask)
    return success();
  auto maskType = rankedType(mask);
  if (!maskType)
    return error("expects a ranked tensor mask");
  Type elt = maskType.getElementType();
  if (!elt.isInteger(1) && elt != floatType)
    return error("mask element type ", elt, " must be i1 (boolean mask) or ",
                 floatType, " (additive mask, the query's element type)");
  if (!broadcastsTo(maskType.getShape(), scoreShape))
    return error("mask shape ", toString(ShapeStr{maskType.getShape()}),
                 " does not broadcast to the attention scores' shape ",
                 toString(ShapeStr{scoreShape}));
  return success();
}

static LogicalResult verifyScale(Operation *op, std::optional<APFloat> scale) {
  if (!scale)
    return success();
  double s = scale->convertToDouble();
  if (!std::isfinite(s) || s <= 0.0)
    return op->emitOpError() << "scale must be a finite positive number, got "
                             << formatNumber(s);
  return success();
}

#define TFM_SHAPE_ERRORS ShapeErrors error{location, getOperationName()}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  if (getName().empty())
    return emitOpError("name must not be empty");
  if (!getType().hasStaticShape())
    return emitOpError() << "weight '" << getName()
                         << "' must have a static shape, got " << getType();
  if (std::optional<ArrayAttr> parts = getParts()) {
    if (parts->size() < 2)
      return emitOpError() << "weight '" << getName()
                           << "' must have at least two parts";
    if (getType().getRank() < 1)
      return emitOpError() << "weight '" << getName()
                           << "' has parts, concatenated along dimension 0, "
                              "so it must have rank >= 1";
    for (auto part : parts->getAsValueRange<StringAttr>())
      if (part.empty())
        return emitOpError() << "weight '" << getName()
                             << "' has a part with an empty name";
  }
  return success();
}

LogicalResult ConstantOp::verify() {
  auto type = cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return emitOpError("must have a static shape");
  if (auto dense = dyn_cast<DenseElementsAttr>(getValue());
      dense && dense.isSplat())
    return success();
  if (type.getNumElements() > kMaxConstantElements)
    return emitOpError() << "holds " << type.getNumElements()
                         << " elements; constants are limited to "
                         << kMaxConstantElements
                         << " (use tfm.weight for parameters)";
  return success();
}

//===----------------------------------------------------------------------===//
// Input
//===----------------------------------------------------------------------===//

LogicalResult
EmbeddingOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                              Adaptor adaptor,
                              SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  SmallVector<RankedTensorType> t;
  if (failed(getRankedTypes(error, {adaptor.getIndices(), adaptor.getTable()},
                            t)))
    return failure();
  if (t[1].getRank() != 2)
    return error("table must have rank 2 ([vocab, dim]), got ",
                 toString(ShapeStr{t[1].getShape()}));
  SmallVector<int64_t> shape(t[0].getShape());
  shape.push_back(t[1].getDimSize(1));
  inferred.push_back(RankedTensorType::get(shape, t[1].getElementType()));
  return success();
}

LogicalResult PositionalEncodingOp::verify() {
  if (getType().getRank() < 2)
    return emitOpError() << "input must have rank >= 2 ([..., seq, dim]), got "
                         << getType();
  if (static_cast<int64_t>(getOffset()) < 0)
    return emitOpError() << "offset must be non-negative, got "
                         << static_cast<int64_t>(getOffset());
  double base = getBase().convertToDouble();
  if (!std::isfinite(base) || base <= 1.0)
    return emitOpError() << "base must be a finite number > 1, got "
                         << formatNumber(base);
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  SmallVector<RankedTensorType> t;
  if (failed(getRankedTypes(error, {adaptor.getInput(), adaptor.getWeight()},
                            t)))
    return failure();
  auto [in, w] = std::tie(t[0], t[1]);
  Type elt = in.getElementType();
  if (failed(requireSameElementType(error, elt, w.getElementType(), "weight")))
    return failure();
  if (in.getRank() < 1)
    return error("input must have rank >= 1");
  if (w.getRank() != 2)
    return error("weight must have rank 2 ([out, in]), got ",
                 toString(ShapeStr{w.getShape()}));
  if (!dimsAgree(in.getShape().back(), w.getDimSize(1)))
    return error("input feature size ", in.getShape().back(),
                 " does not match weight [out, in] = ",
                 toString(ShapeStr{w.getShape()}));
  if (Value bias = adaptor.getBias()) {
    auto b = rankedType(bias);
    if (!b)
      return error("expects a ranked tensor bias");
    if (failed(requireSameElementType(error, elt, b.getElementType(), "bias")))
      return failure();
    if (b.getRank() != 1 || !dimsAgree(b.getDimSize(0), w.getDimSize(0)))
      return error("bias shape ", toString(ShapeStr{b.getShape()}),
                   " must be [", w.getDimSize(0), "] (the weight's out size)");
  }
  SmallVector<int64_t> shape(in.getShape().drop_back());
  shape.push_back(w.getDimSize(0));
  inferred.push_back(RankedTensorType::get(shape, elt));
  return success();
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  SmallVector<RankedTensorType> t;
  if (failed(getRankedTypes(error, {adaptor.getLhs(), adaptor.getRhs()}, t)))
    return failure();
  auto [a, b] = std::tie(t[0], t[1]);
  if (failed(requireSameElementType(error, a.getElementType(),
                                    b.getElementType(), "rhs")))
    return failure();
  if (a.getRank() < 2 || b.getRank() < 2)
    return error("operands must have rank >= 2, got ",
                 toString(ShapeStr{a.getShape()}), " and ",
                 toString(ShapeStr{b.getShape()}));
  int64_t ra = a.getRank(), rb = b.getRank();
  bool ta = adaptor.getTransposeA(), tb = adaptor.getTransposeB();
  int64_t m = a.getDimSize(ta ? ra - 1 : ra - 2);
  int64_t ka = a.getDimSize(ta ? ra - 2 : ra - 1);
  int64_t kb = b.getDimSize(tb ? rb - 1 : rb - 2);
  int64_t n = b.getDimSize(tb ? rb - 2 : rb - 1);
  if (!dimsAgree(ka, kb))
    return error("contraction sizes differ: lhs ",
                 toString(ShapeStr{a.getShape()}), " gives K = ", ka,
                 ", rhs ", toString(ShapeStr{b.getShape()}), " gives K = ", kb);
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(a.getShape().drop_back(2),
                                          b.getShape().drop_back(2), batch))
    return error("batch dimensions ",
                 toString(ShapeStr{a.getShape().drop_back(2)}), " and ",
                 toString(ShapeStr{b.getShape().drop_back(2)}),
                 " are not broadcast-compatible");
  batch.push_back(m);
  batch.push_back(n);
  inferred.push_back(RankedTensorType::get(batch, a.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  SmallVector<RankedTensorType> t;
  if (failed(getRankedTypes(
          error, {adaptor.getQuery(), adaptor.getKey(), adaptor.getValue()}, t)))
    return failure();
  auto [q, k, v] = std::tie(t[0], t[1], t[2]);
  Type elt = q.getElementType();
  if (failed(requireSameElementType(error, elt, k.getElementType(), "key")) ||
      failed(requireSameElementType(error, elt, v.getElementType(), "value")))
    return failure();
  int64_t rank = q.getRank();
  if (rank < 2 || k.getRank() != rank || v.getRank() != rank)
    return error("query, key and value must have the same rank >= 2 "
                 "([..., seq, dim]), got ",
                 toString(ShapeStr{q.getShape()}), ", ",
                 toString(ShapeStr{k.getShape()}), ", ",
                 toString(ShapeStr{v.getShape()}));
  if (!dimsAgree(q.getDimSize(rank - 1), k.getDimSize(rank - 1)))
    return error("query head size ", q.getDimSize(rank - 1),
                 " differs from key head size ", k.getDimSize(rank - 1));
  if (!dimsAgree(k.getDimSize(rank - 2), v.getDimSize(rank - 2)))
    return error("key length ", k.getDimSize(rank - 2),
                 " differs from value length ", v.getDimSize(rank - 2));
  for (int64_t i = 0; i < rank - 2; ++i) {
    int64_t dq = q.getDimSize(i), dk = k.getDimSize(i), dv = v.getDimSize(i);
    if (!dimsAgree(dk, dv))
      return error("key and value differ in dimension ", i, ": ", dk, " vs ",
                   dv);
    if (i == rank - 3 && !ShapedType::isDynamic(dq) &&
        !ShapedType::isDynamic(dk)) {
      // Grouped-query attention: several query heads share a key/value head.
      if (dk == 0 ? dq != 0 : dq % dk != 0)
        return error("query heads (", dq,
                     ") must be a multiple of key/value heads (", dk, ")");
      continue;
    }
    if (!dimsAgree(dq, dk))
      return error("query and key differ in batch dimension ", i, ": ", dq,
                   " vs ", dk);
  }
  SmallVector<int64_t> scores(q.getShape());
  scores.back() = k.getDimSize(rank - 2);
  if (failed(checkAttentionMask(error, adaptor.getMask(), elt, scores)))
    return failure();
  SmallVector<int64_t> shape(q.getShape());
  shape.back() = v.getDimSize(rank - 1);
  inferred.push_back(RankedTensorType::get(shape, elt));
  return success();
}

LogicalResult AttentionOp::verify() { return verifyScale(*this, getScale()); }

LogicalResult MultiHeadAttentionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  SmallVector<RankedTensorType> t;
  if (failed(getRankedTypes(
          error,
          {adaptor.getQuery(), adaptor.getKey(), adaptor.getValue(),
           adaptor.getQWeight(), adaptor.getKWeight(), adaptor.getVWeight(),
           adaptor.getOutWeight()},
          t)))
    return failure();
  auto [q, k, v, wq, wk, wv, wo] =
      std::tie(t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
  Type elt = q.getElementType();
  static constexpr const char *names[] = {"query",    "key",      "value",
                                          "q_weight", "k_weight", "v_weight",
                                          "out_weight"};
  for (auto [i, ty] : llvm::enumerate(t))
    if (failed(requireSameElementType(error, elt, ty.getElementType(),
                                      names[i])))
      return failure();
  int64_t rank = q.getRank();
  if (rank < 2 || k.getRank() != rank || v.getRank() != rank)
    return error("query, key and value must have the same rank >= 2 "
                 "([..., seq, embed]), got ",
                 toString(ShapeStr{q.getShape()}), ", ",
                 toString(ShapeStr{k.getShape()}), ", ",
                 toString(ShapeStr{v.getShape()}));
  for (int64_t i = 0; i < rank - 2; ++i)
    if (!dimsAgree(q.getDimSize(i), k.getDimSize(i)) ||
        !dimsAgree(k.getDimSize(i), v.getDimSize(i)))
      return error("query, key and value differ in batch dimension ", i);
  if (!dimsAgree(k.getDimSize(rank - 2), v.getDimSize(rank - 2)))
    return error("key length ", k.getDimSize(rank - 2),
                 " differs from value length ", v.getDimSize(rank - 2));
  for (auto [i, w] : llvm::enumerate(ArrayRef(t).drop_front(3)))
    if (w.getRank() != 2 || !w.hasStaticShape())
      return error(names[i + 3], " must be a static rank-2 tensor, got ", w);

  int64_t heads = static_cast<int64_t>(adaptor.getNumHeads());
  if (heads < 1)
    return error("num_heads must be >= 1, got ", heads);
  if (wq.getDimSize(0) % heads != 0)
    return error("q_weight rows (", wq.getDimSize(0),
                 ") must be a multiple of num_heads (", heads, ")");
  int64_t headDim = wq.getDimSize(0) / heads;
  if (wk.getDimSize(0) != wq.getDimSize(0) &&
      (headDim == 0 || wk.getDimSize(0) % headDim != 0))
    return error("k_weight rows (", wk.getDimSize(0),
                 ") must be a multiple of the head size (", headDim, ")");
  int64_t kvHeads = headDim ? wk.getDimSize(0) / headDim : heads;
  if (kvHeads < 1 || heads % kvHeads != 0)
    return error("key/value heads (", kvHeads,
                 ", from k_weight) must divide num_heads (", heads, ")");
  if (wv.getDimSize(0) % kvHeads != 0)
    return error("v_weight rows (", wv.getDimSize(0),
                 ") must be a multiple of the key/value heads (", kvHeads, ")");
  int64_t valueDim = wv.getDimSize(0) / kvHeads;
  if (!dimsAgree(q.getDimSize(rank - 1), wq.getDimSize(1)))
    return error("query feature size ", q.getDimSize(rank - 1),
                 " does not match q_weight ", toString(ShapeStr{wq.getShape()}));
  if (!dimsAgree(k.getDimSize(rank - 1), wk.getDimSize(1)))
    return error("key feature size ", k.getDimSize(rank - 1),
                 " does not match k_weight ", toString(ShapeStr{wk.getShape()}));
  if (!dimsAgree(v.getDimSize(rank - 1), wv.getDimSize(1)))
    return error("value feature size ", v.getDimSize(rank - 1),
                 " does not match v_weight ", toString(ShapeStr{wv.getShape()}));
  if (wo.getDimSize(1) != heads * valueDim)
    return error("out_weight ", toString(ShapeStr{wo.getShape()}),
                 " must have ", heads * valueDim,
                 " columns (num_heads x value head size)");

  Value biases[] = {adaptor.getQBias(), adaptor.getKBias(), adaptor.getVBias(),
                    adaptor.getOutBias()};
  int numBiases = llvm::count_if(biases, [](Value b) { return bool(b); });
  if (numBiases != 0 && numBiases != 4)
    return error("biases must be all present or all absent");
  if (numBiases == 4) {
    RankedTensorType weights[] = {wq, wk, wv, wo};
    static constexpr const char *biasNames[] = {"q_bias", "k_bias", "v_bias",
                                                "out_bias"};
    for (int i = 0; i < 4; ++i) {
      auto b = rankedType(biases[i]);
      if (!b)
        return error("expects ranked tensor biases");
      if (failed(requireSameElementType(error, elt, b.getElementType(),
                                        biasNames[i])))
        return failure();
      if (b.getRank() != 1 || b.getDimSize(0) != weights[i].getDimSize(0))
        return error(biasNames[i], " shape ", toString(ShapeStr{b.getShape()}),
                     " must be [", weights[i].getDimSize(0), "]");
    }
  }
  SmallVector<int64_t> scores(q.getShape().drop_back(2));
  scores.append({heads, q.getDimSize(rank - 2), k.getDimSize(rank - 2)});
  if (failed(checkAttentionMask(error, adaptor.getMask(), elt, scores)))
    return failure();
  SmallVector<int64_t> shape(q.getShape().drop_back());
  shape.push_back(wo.getDimSize(0));
  inferred.push_back(RankedTensorType::get(shape, elt));
  return success();
}

LogicalResult MultiHeadAttentionOp::verify() {
  return verifyScale(*this, getScale());
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

/// Shared by layer_norm and rms_norm: the affine parameters have the shape of
/// the normalized trailing dimensions.
static LogicalResult inferNormType(const ShapeErrors &error, Value input,
                                   ArrayRef<std::pair<Value, StringRef>> params,
                                   int64_t axis, double epsilon,
                                   SmallVectorImpl<Type> &inferred) {
  auto in = rankedType(input);
  if (!in)
    return error("expects a ranked tensor input");
  if (in.getRank() < 1)
    return error("input must have rank >= 1");
  std::optional<int64_t> first = normalizeAxis(axis, in.getRank());
  if (!first)
    return axisError(error, "axis", axis, in.getRank());
  if (!std::isfinite(epsilon) || epsilon < 0.0)
    return error("epsilon must be a finite non-negative number, got ",
                 formatNumber(epsilon));
  ArrayRef<int64_t> normalized = in.getShape().drop_front(*first);
  for (auto [value, name] : params) {
    if (!value)
      continue;
    auto p = rankedType(value);
    if (!p)
      return error("expects a ranked tensor ", name);
    if (failed(requireSameElementType(error, in.getElementType(),
                                      p.getElementType(), name)))
      return failure();
    if (!shapesAgree(p.getShape(), normalized))
      return error(name, " shape ", toString(ShapeStr{p.getShape()}),
                   " must equal the normalized shape ",
                   toString(ShapeStr{normalized}));
  }
  inferred.push_back(in);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  return inferNormType(
      error, adaptor.getInput(),
      {{adaptor.getScale(), "scale"}, {adaptor.getBias(), "bias"}},
      static_cast<int64_t>(adaptor.getAxis()),
      adaptor.getEpsilon().convertToDouble(), inferred);
}

LogicalResult RmsNormOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  return inferNormType(error, adaptor.getInput(),
                       {{adaptor.getScale(), "scale"}},
                       static_cast<int64_t>(adaptor.getAxis()),
                       adaptor.getEpsilon().convertToDouble(), inferred);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// Broadcast the shapes of `operands`; all must share one element type.
static LogicalResult inferBroadcast(const ShapeErrors &error,
                                    ValueRange operands, Type resultElement,
                                    SmallVectorImpl<Type> &inferred) {
  SmallVector<RankedTensorType> t;
  if (failed(getRankedTypes(error, operands, t)))
    return failure();
  for (RankedTensorType ty : ArrayRef(t).drop_front())
    if (ty.getElementType() != t.front().getElementType())
      return error("operand element types differ: ", t.front().getElementType(),
                   " vs ", ty.getElementType());
  SmallVector<int64_t> shape;
  if (failed(broadcastShapes(error, t, shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(
      shape, resultElement ? resultElement : t.front().getElementType()));
  return success();
}

#define TFM_DEFINE_BINARY_INFERENCE(OP)                                        \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> location,         \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    TFM_SHAPE_ERRORS;                                                          \
    return inferBroadcast(error, {adaptor.getLhs(), adaptor.getRhs()}, Type(), \
                          inferred);                                           \
  }
TFM_DEFINE_BINARY_INFERENCE(AddOp)
TFM_DEFINE_BINARY_INFERENCE(SubOp)
TFM_DEFINE_BINARY_INFERENCE(MulOp)
TFM_DEFINE_BINARY_INFERENCE(DivOp)
TFM_DEFINE_BINARY_INFERENCE(PowOp)
TFM_DEFINE_BINARY_INFERENCE(MinOp)
TFM_DEFINE_BINARY_INFERENCE(MaxOp)
#undef TFM_DEFINE_BINARY_INFERENCE

LogicalResult CompareOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  return inferBroadcast(error, {adaptor.getLhs(), adaptor.getRhs()},
                        IntegerType::get(context, 1), inferred);
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  SmallVector<RankedTensorType> t;
  if (failed(getRankedTypes(error,
                            {adaptor.getCondition(), adaptor.getTrueValue(),
                             adaptor.getFalseValue()},
                            t)))
    return failure();
  if (!t[0].getElementType().isInteger(1))
    return error("condition must have element type i1, got ",
                 t[0].getElementType());
  if (t[1].getElementType() != t[2].getElementType())
    return error("true and false values have different element types: ",
                 t[1].getElementType(), " vs ", t[2].getElementType());
  SmallVector<int64_t> shape;
  if (failed(broadcastShapes(error, t, shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, t[1].getElementType()));
  return success();
}

LogicalResult CastOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getType());
  if (!shapesAgree(in.getShape(), out.getShape()))
    return emitOpError() << "changes the shape from "
                         << toString(ShapeStr{in.getShape()}) << " to "
                         << toString(ShapeStr{out.getShape()})
                         << " (cast only converts element types)";
  return success();
}

//===----------------------------------------------------------------------===//
// Shape
//===----------------------------------------------------------------------===//

/// The product of the static sizes of `shape`, or nullopt on overflow.
static std::optional<int64_t> staticElementCount(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d))
      continue;
    std::optional<int64_t> next = llvm::checkedMul(count, d);
    if (!next)
      return std::nullopt;
    count = *next;
  }
  return count;
}

/// Why `in` cannot be reshaped to `out` (empty if it can).
static std::string reshapeMismatch(RankedTensorType in, RankedTensorType out) {
  if (in.getElementType() != out.getElementType())
    return "changes the element type from '" + toString(in.getElementType()) +
           "' to '" + toString(out.getElementType()) + "'";
  std::optional<int64_t> inCount = staticElementCount(in.getShape());
  std::optional<int64_t> outCount = staticElementCount(out.getShape());
  if (!inCount || !outCount)
    return "element count of " +
           toString(ShapeStr{(inCount ? out : in).getShape()}) +
           " overflows int64";
  auto describe = [](RankedTensorType t, int64_t count) {
    return toString(ShapeStr{t.getShape()}) +
           (t.hasStaticShape() ? " (" + std::to_string(count) + " elements)"
                               : "");
  };
  bool mismatch = false;
  if (in.hasStaticShape() && out.hasStaticShape())
    mismatch = *inCount != *outCount;
  // With unknown sizes on one side only, the known side's count must be a
  // multiple of the other side's static part.
  else if (in.hasStaticShape())
    mismatch = *outCount == 0 ? *inCount != 0 : *inCount % *outCount != 0;
  else if (out.hasStaticShape())
    mismatch = *inCount == 0 ? *outCount != 0 : *outCount % *inCount != 0;
  if (mismatch)
    return "cannot reshape " + describe(in, *inCount) + " to " +
           describe(out, *outCount);
  return "";
}

LogicalResult ReshapeOp::verifyShapes(RankedTensorType input,
                                      RankedTensorType result) {
  return success(reshapeMismatch(input, result).empty());
}

LogicalResult ReshapeOp::verify() {
  std::string mismatch =
      reshapeMismatch(cast<RankedTensorType>(getInput().getType()), getType());
  if (!mismatch.empty())
    return emitOpError() << mismatch;
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  auto in = rankedType(adaptor.getInput());
  if (!in)
    return error("expects a ranked tensor input");
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  if (static_cast<int64_t>(perm.size()) != in.getRank())
    return error("permutation has ", perm.size(),
                 " entries but the input has rank ", in.getRank());
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return error("permutation ", toString(ShapeStr{perm}),
                   " is not a permutation of [0, ", in.getRank(), ")");
    seen[p] = true;
    shape.push_back(in.getDimSize(p));
  }
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

bool BroadcastToOp::isBroadcastableTo(RankedTensorType input,
                                      RankedTensorType result) {
  return input.getElementType() == result.getElementType() &&
         broadcastsTo(input.getShape(), result.getShape());
}

LogicalResult BroadcastToOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getType());
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "changes the element type from "
                         << in.getElementType() << " to "
                         << out.getElementType();
  if (!isBroadcastableTo(in, out))
    return emitOpError() << "cannot broadcast "
                         << toString(ShapeStr{in.getShape()}) << " to "
                         << toString(ShapeStr{out.getShape()});
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  SmallVector<RankedTensorType> t;
  if (adaptor.getInputs().empty())
    return error("needs at least one input");
  if (failed(getRankedTypes(error, adaptor.getInputs(), t)))
    return failure();
  int64_t rank = t.front().getRank();
  int64_t axisAttr = static_cast<int64_t>(adaptor.getAxis());
  std::optional<int64_t> axis = normalizeAxis(axisAttr, rank);
  if (!axis)
    return axisError(error, "axis", axisAttr, rank);
  SmallVector<int64_t> shape(t.front().getShape());
  for (auto [i, ty] : llvm::enumerate(ArrayRef(t).drop_front())) {
    if (ty.getElementType() != t.front().getElementType())
      return error("input #", i + 1, " has element type ", ty.getElementType(),
                   " but input #0 has ", t.front().getElementType());
    if (ty.getRank() != rank)
      return error("input #", i + 1, " has rank ", ty.getRank(),
                   " but input #0 has rank ", rank);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = ty.getDimSize(d);
      if (d == *axis) {
        std::optional<int64_t> sum =
            ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(size)
                ? std::optional<int64_t>(ShapedType::kDynamic)
                : llvm::checkedAdd(shape[d], size);
        if (!sum)
          return error("concatenated size along axis ", *axis,
                       " overflows int64");
        shape[d] = *sum;
        continue;
      }
      // Sizes known so far (from any earlier input) must all agree.
      if (!dimsAgree(shape[d], size))
        return error("input #", i + 1, " shape ",
                     toString(ShapeStr{ty.getShape()}), " differs from ",
                     toString(ShapeStr{shape}),
                     " (the earlier inputs) outside the concatenation axis ",
                     *axis);
      if (ShapedType::isDynamic(shape[d]))
        shape[d] = size;
    }
  }
  inferred.push_back(RankedTensorType::get(shape, t.front().getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  auto in = rankedType(adaptor.getInput());
  if (!in)
    return error("expects a ranked tensor input");
  ArrayRef<int64_t> starts = adaptor.getStarts(), limits = adaptor.getLimits(),
                    strides = adaptor.getStrides();
  size_t rank = in.getRank();
  if (starts.size() != rank || limits.size() != rank || strides.size() != rank)
    return error("starts, limits and strides need one entry per dimension (",
                 rank, "), got ", starts.size(), ", ", limits.size(), " and ",
                 strides.size());
  SmallVector<int64_t> shape;
  for (size_t d = 0; d < rank; ++d) {
    int64_t size = in.getDimSize(d);
    if (strides[d] < 1)
      return error("stride ", strides[d], " in dimension ", d,
                   " must be >= 1");
    if (starts[d] > limits[d])
      return error("slice [", starts[d], ", ", limits[d], ") of dimension ", d,
                   " has its start after its limit");
    if (starts[d] < 0 || (!ShapedType::isDynamic(size) && limits[d] > size))
      return error("slice [", starts[d], ", ", limits[d], ") of dimension ", d,
                   " is out of bounds for size ",
                   ShapedType::isDynamic(size) ? std::string("?")
                                               : std::to_string(size));
    shape.push_back(llvm::divideCeil(limits[d] - starts[d], strides[d]));
  }
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  auto in = rankedType(adaptor.getInput());
  if (!in)
    return error("expects a ranked tensor input");
  int64_t axisAttr = static_cast<int64_t>(adaptor.getAxis());
  std::optional<int64_t> axis = normalizeAxis(axisAttr, in.getRank());
  if (!axis)
    return axisError(error, "axis", axisAttr, in.getRank());
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  if (sizes.empty())
    return error("sizes must not be empty");
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return error("split sizes must be non-negative, got ",
                   toString(ShapeStr{sizes}));
    std::optional<int64_t> sum = llvm::checkedAdd(total, s);
    if (!sum)
      return error("split sizes ", toString(ShapeStr{sizes}),
                   " overflow int64");
    total = *sum;
  }
  if (!dimsAgree(total, in.getDimSize(*axis)))
    return error("split sizes ", toString(ShapeStr{sizes}), " add up to ",
                 total, " but dimension ", *axis, " has size ",
                 in.getDimSize(*axis));
  for (int64_t s : sizes) {
    SmallVector<int64_t> shape(in.getShape());
    shape[*axis] = s;
    inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  }
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  SmallVector<RankedTensorType> t;
  if (failed(getRankedTypes(error, {adaptor.getInput(), adaptor.getIndices()},
                            t)))
    return failure();
  int64_t axisAttr = static_cast<int64_t>(adaptor.getAxis());
  std::optional<int64_t> axis = normalizeAxis(axisAttr, t[0].getRank());
  if (!axis)
    return axisError(error, "axis", axisAttr, t[0].getRank());
  SmallVector<int64_t> shape(t[0].getShape().take_front(*axis));
  llvm::append_range(shape, t[1].getShape());
  llvm::append_range(shape, t[0].getShape().drop_front(*axis + 1));
  inferred.push_back(RankedTensorType::get(shape, t[0].getElementType()));
  return success();
}

LogicalResult IotaOp::verify() {
  auto type = cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return emitOpError() << "must have a static shape, got " << type;
  int64_t dim = static_cast<int64_t>(getDimension());
  if (dim < 0 || dim >= type.getRank())
    return emitOpError() << "dimension " << dim << " is out of range for "
                         << type;
  double start = getStart().convertToDouble(),
         step = getStep().convertToDouble();
  if (!std::isfinite(start) || !std::isfinite(step))
    return emitOpError() << "start (" << formatNumber(start) << ") and step ("
                         << formatNumber(step) << ") must be finite";
  if (isa<IntegerType>(type.getElementType())) {
    // 2^63: the first double outside int64.
    constexpr double kLimit = 9223372036854775808.0;
    auto fits = [&](double v) {
      return v == std::trunc(v) && v >= -kLimit && v < kLimit;
    };
    if (!fits(start) || !fits(step))
      return emitOpError() << "start (" << formatNumber(start) << ") and step ("
                           << formatNumber(step)
                           << ") must be integers representable in int64 for "
                           << type;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getType().getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (!normalizeAxis(axis, rank))
    return emitOpError() << axisRangeMessage("axis", axis, rank);
  return success();
}

/// The result shape of reducing `in` over `axes` (validated, normalized).
static LogicalResult inferReduce(const ShapeErrors &error, Value input,
                                 ArrayRef<int64_t> axes, bool keepDims,
                                 Type resultElement,
                                 SmallVectorImpl<Type> &inferred) {
  auto in = rankedType(input);
  if (!in)
    return error("expects a ranked tensor input");
  if (axes.empty())
    return error("axes must not be empty");
  SmallVector<bool> reduced(in.getRank(), false);
  for (int64_t a : axes) {
    std::optional<int64_t> axis = normalizeAxis(a, in.getRank());
    if (!axis)
      return axisError(error, "axis", a, in.getRank());
    if (reduced[*axis])
      return error("axes ", toString(ShapeStr{axes}), " name dimension ",
                   *axis, " twice");
    reduced[*axis] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    if (!reduced[d])
      shape.push_back(in.getDimSize(d));
    else if (keepDims)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(
      shape, resultElement ? resultElement : in.getElementType()));
  return success();
}

#define TFM_DEFINE_REDUCE_INFERENCE(OP)                                        \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> location,         \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    TFM_SHAPE_ERRORS;                                                          \
    return inferReduce(error, adaptor.getInput(), adaptor.getAxes(),           \
                       adaptor.getKeepDims(), Type(), inferred);               \
  }
TFM_DEFINE_REDUCE_INFERENCE(ReduceSumOp)
TFM_DEFINE_REDUCE_INFERENCE(ReduceMeanOp)
TFM_DEFINE_REDUCE_INFERENCE(ReduceMaxOp)
#undef TFM_DEFINE_REDUCE_INFERENCE

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  TFM_SHAPE_ERRORS;
  auto in = rankedType(adaptor.getInput());
  if (in && in.getRank() < 1)
    return error("input must have rank >= 1");
  int64_t axis = static_cast<int64_t>(adaptor.getAxis());
  return inferReduce(error, adaptor.getInput(), {axis}, adaptor.getKeepDims(),
                     IntegerType::get(context, 64), inferred);
}

#define GET_OP_CLASSES
#include "Tfm/IR/TfmOps.cpp.inc"
