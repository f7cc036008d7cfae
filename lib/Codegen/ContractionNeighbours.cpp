//===- ContractionNeighbours.cpp - fuse kernels around a contraction ------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "ContractionNeighbours.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <map>

using namespace mlir;

namespace tfmc {

bool isElementwiseOver(linalg::GenericOp op, int64_t rank) {
  if (!op || op.getNumDpsInits() != 1 || !op.hasPureBufferSemantics() ||
      op.hasIndexSemantics() || op.getNumLoops() != rank ||
      op.getNumReductionLoops() != 0 ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  for (OpOperand *in : op.getDpsInputOperands())
    for (AffineExpr e : op.getMatchingIndexingMap(in).getResults()) {
      auto constant = dyn_cast<AffineConstantExpr>(e);
      if (!isa<AffineDimExpr>(e) && !(constant && constant.getValue() == 0))
        return false;
    }
  return true;
}

linalg::LinalgOp getSingleOp(func::FuncOp f) {
  if (!f || !f->hasAttr("tfmc.kernel") || f.isExternal())
    return {};
  SmallVector<linalg::LinalgOp> ops;
  f.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
  if (ops.size() != 1 || ops[0]->getParentOp() != f)
    return {};
  return ops[0];
}

std::optional<SmallVector<int64_t>> getUnitReshapeDims(Value v, Value c) {
  auto shape = [](Value x) { return cast<MemRefType>(x.getType()).getShape(); };
  SmallVector<int64_t> dims; // v's dimensions as dimensions of `current`
  for (int64_t d = 0, e = shape(v).size(); d < e; ++d)
    dims.push_back(d);
  Value current = v;
  while (current != c) {
    Operation *def = current.getDefiningOp();
    SmallVector<ReassociationIndices> groups;
    Value source;
    bool expands;
    if (auto expand = dyn_cast_or_null<memref::ExpandShapeOp>(def)) {
      groups = expand.getReassociationIndices();
      source = expand.getSrc();
      expands = true;
    } else if (auto collapse = dyn_cast_or_null<memref::CollapseShapeOp>(def)) {
      groups = collapse.getReassociationIndices();
      source = collapse.getSrc();
      expands = false;
    } else {
      return std::nullopt;
    }
    // Each group joins at most one non-unit dimension to one dimension of
    // the other side.
    ArrayRef<int64_t> wide = expands ? shape(current) : shape(source);
    SmallVector<int64_t> currentToSource(shape(current).size(), -1);
    for (auto [g, group] : llvm::enumerate(groups)) {
      SmallVector<int64_t> nonUnit;
      for (int64_t d : group)
        if (wide[d] != 1)
          nonUnit.push_back(d);
      if (nonUnit.size() > 1)
        return std::nullopt;
      if (nonUnit.empty())
        continue;
      if (expands)
        currentToSource[nonUnit[0]] = g;
      else
        currentToSource[g] = nonUnit[0];
    }
    for (int64_t &d : dims)
      if (d >= 0)
        d = currentToSource[d];
    current = source;
  }
  int64_t last = shape(c).size() - 1;
  if (dims.empty() || (shape(c)[last] != 1 && dims.back() != last))
    return std::nullopt;
  return dims;
}

namespace {

/// The buffer a view's memory belongs to, and the bytes of it the view
/// spans when known statically.
struct Extent {
  Value root;
  std::optional<std::pair<int64_t, int64_t>> bytes;
};

Extent getExtent(Value v) {
  auto type = cast<MemRefType>(v.getType());
  int64_t shift = 0;
  bool known = true;
  Value current = v;
  while (Operation *def = current.getDefiningOp()) {
    if (auto view = dyn_cast<memref::ViewOp>(def)) {
      std::optional<int64_t> byteShift =
          getConstantIntValue(view.getByteShift());
      known &= byteShift.has_value();
      shift += byteShift.value_or(0);
      current = view.getSource();
      // Offsets of the views below would have to be added too.
      known &= !current.getDefiningOp<ViewLikeOpInterface>();
      continue;
    }
    auto viewLike = dyn_cast<ViewLikeOpInterface>(def);
    if (!viewLike)
      break;
    current = viewLike.getViewSource();
  }
  Extent extent{current, std::nullopt};
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!known || !type.hasStaticShape() ||
      failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, ShapedType::isDynamic) ||
      !type.getElementType().isIntOrFloat())
    return extent;
  int64_t elementBytes = (type.getElementTypeBitWidth() + 7) / 8;
  int64_t last = offset;
  for (auto [size, stride] : llvm::zip(type.getShape(), strides)) {
    if (size == 0)
      return {current, std::make_pair(shift, shift)};
    last += (size - 1) * stride;
  }
  extent.bytes = {shift + offset * elementBytes,
                  shift + (last + 1) * elementBytes};
  return extent;
}

/// Distinct buffers (allocations, globals, the host function's arguments)
/// never overlap.
bool mayOverlap(Value x, Value y) {
  Extent ex = getExtent(x), ey = getExtent(y);
  if (ex.root != ey.root)
    return false;
  if (!ex.bytes || !ey.bytes)
    return true;
  return ex.bytes->first < ey.bytes->second &&
         ey.bytes->first < ex.bytes->second;
}

bool isReshape(Operation *op) {
  return isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp>(
      op);
}

/// A host op the neighbour search may look past: it has no effect.
bool isPureHostOp(Operation *op) {
  return op->getNumRegions() == 0 && isMemoryEffectFree(op) &&
         !isa<func::CallOp>(op);
}

class NeighbourFusion {
public:
  NeighbourFusion(ModuleOp module, const NeighbourFusionOptions &options)
      : module(module), options(options) {}

  void run();

private:
  func::FuncOp calleeOf(func::CallOp call) {
    return module.lookupSymbol<func::FuncOp>(call.getCallee());
  }

  /// The host value a kernel's operand is (null for values made inside).
  Value hostValue(func::CallOp call, Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner()->getParentOp() != calleeOf(call))
      return {};
    return call.getOperand(arg.getArgNumber());
  }

  /// The elementwise generic of a called kernel the tiler can fuse.
  linalg::GenericOp elementwiseOf(func::CallOp call) {
    linalg::LinalgOp op = call ? getSingleOp(calleeOf(call)) : nullptr;
    auto generic =
        op ? dyn_cast<linalg::GenericOp>(op.getOperation()) : nullptr;
    if (!generic || !isElementwiseOver(generic, generic.getNumLoops()) ||
        (options.isFusable && !options.isFusable(generic)))
      return {};
    return generic;
  }

  /// The call next to `call` (before or after it), looking past pure host
  /// ops when allowed.
  func::CallOp neighbour(func::CallOp call, bool after) {
    Operation *op = call;
    do
      op = after ? op->getNextNode() : op->getPrevNode();
    while (op && options.throughReshapes && isPureHostOp(op));
    return dyn_cast_or_null<func::CallOp>(op);
  }

  bool isC(Value v, Value c) {
    return v == c || (options.throughReshapes && v &&
                      getUnitReshapeDims(v, c).has_value());
  }

  bool isDeadAfter(Value c, func::CallOp last);
  bool overwritesWithoutReading(func::CallOp call, unsigned operand);
  void fuse(func::CallOp call);

  ModuleOp module;
  const NeighbourFusionOptions &options;
  std::map<std::string, func::FuncOp> fusedByKey;
  SetVector<func::FuncOp> fusedKernels;
  /// Calls fused so far (not to be looked at again).
  DenseSet<Operation *> erased;
  unsigned counter = 0;
};

bool NeighbourFusion::overwritesWithoutReading(func::CallOp call,
                                               unsigned operand) {
  func::FuncOp callee = calleeOf(call);
  linalg::LinalgOp op = getSingleOp(callee);
  if (!op || op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 0)
    return false;
  BlockArgument arg = callee.getArgument(operand);
  OpOperand *init = op.getDpsInitOperand(0);
  return init->get() == arg && arg.hasOneUse() &&
         op.getMatchingIndexingMap(init).isPermutation() &&
         !op.payloadUsesValueFromOperand(init);
}

/// No op after `last` reads the product C: the next op that uses it (or a
/// reshape of it) is a kernel overwriting all of it, or none does and C is
/// not the host function's argument.
bool NeighbourFusion::isDeadAfter(Value c, func::CallOp last) {
  // The buffer slot C is: C up through reshapes; it must be all of an
  // allocation or of a view of the arena.
  Value slot = c;
  while (Operation *def = slot.getDefiningOp()) {
    if (!isReshape(def))
      break;
    slot = def->getOperand(0);
  }
  if (!slot.getDefiningOp<memref::ViewOp>() &&
      !slot.getDefiningOp<memref::AllocOp>())
    return false;
  // Whole aliases (reshapes) and partial ones (other views).
  DenseSet<Value> whole{slot}, partial;
  SmallVector<Value> work{slot};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (Operation *user : v.getUsers()) {
      auto viewLike = dyn_cast<ViewLikeOpInterface>(user);
      if (!viewLike || viewLike.getViewSource() != v)
        continue;
      for (Value r : user->getResults()) {
        bool isWhole = whole.contains(v) && isReshape(user);
        if ((isWhole ? whole : partial).insert(r).second)
          work.push_back(r);
      }
    }
  }
  for (Operation *op = last->getNextNode(); op; op = op->getNextNode()) {
    if (isa<ViewLikeOpInterface, memref::DeallocOp>(op))
      continue;
    // A use inside a loop or branch after it: taken as a read.
    bool nestedUse = false;
    for (Region &region : op->getRegions())
      region.walk([&](Operation *inner) {
        nestedUse |= llvm::any_of(inner->getOperands(), [&](Value v) {
          return whole.contains(v) || partial.contains(v);
        });
      });
    if (nestedUse)
      return false;
    bool uses = false, overwrites = true;
    for (OpOperand &operand : op->getOpOperands()) {
      if (partial.contains(operand.get()))
        return false;
      if (!whole.contains(operand.get()))
        continue;
      uses = true;
      auto call = dyn_cast<func::CallOp>(op);
      overwrites &=
          call && overwritesWithoutReading(call, operand.getOperandNumber());
    }
    if (uses)
      return overwrites;
  }
  return true;
}

void NeighbourFusion::fuse(func::CallOp call) {
  func::FuncOp kernel = calleeOf(call);
  linalg::LinalgOp op = getSingleOp(kernel);
  if (!op || op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1 ||
      !options.isTileable(op))
    return;
  Value c = hostValue(call, op.getDpsInitOperand(0)->get());
  if (!c)
    return;
  func::CallOp prev = neighbour(call, /*after=*/false),
               next = neighbour(call, /*after=*/true);
  func::CallOp prologue, epilogue;
  if (linalg::GenericOp g = elementwiseOf(prev)) {
    bool ok = isC(hostValue(prev, g.getDpsInitOperand(0)->get()), c) &&
              g.getRegionOutputArgs()[0].use_empty();
    for (Value in : g.getDpsInputs()) {
      Value v = hostValue(prev, in);
      ok &= v && !mayOverlap(v, c);
    }
    if (ok)
      prologue = prev;
  }
  if (linalg::GenericOp g = elementwiseOf(next)) {
    Value d = hostValue(next, g.getDpsInitOperand(0)->get());
    int readsC = 0;
    bool ok = d && g.getRegionOutputArgs()[0].use_empty();
    for (OpOperand *in : g.getDpsInputOperands()) {
      Value v = hostValue(next, in->get());
      ok &= static_cast<bool>(v);
      if (isC(v, c)) {
        ++readsC;
        ok &= g.getMatchingIndexingMap(in).isIdentity();
      } else if (v) {
        ok &= !mayOverlap(v, c);
      }
    }
    ok &= readsC == 1;
    // Tiles store D while others still read the contraction's (and
    // prologue's) inputs: D must overlap none of them.
    for (func::CallOp reader : {call, prologue})
      if (ok && reader)
        for (Value v : reader.getOperands())
          ok &= isC(v, c) || !mayOverlap(v, d);
    // Unless the epilogue writes C in place, the product itself must be
    // dead after it: C is not written at all.
    if (ok && !isC(d, c))
      ok = !mayOverlap(d, c) && isDeadAfter(c, next);
    if (ok)
      epilogue = next;
  }
  if (!prologue && !epilogue)
    return;

  SmallVector<func::CallOp> parts;
  for (func::CallOp part : {prologue, call, epilogue})
    if (part)
      parts.push_back(part);
  // The fused kernel's operands: the parts' host values, each once;
  // reshapes of C are made again inside.
  SmallVector<Value> operands;
  DenseMap<Value, unsigned> position;
  SetVector<Value> reshapesOfC;
  std::string key;
  for (func::CallOp part : parts) {
    key += part.getCallee().str() + "(";
    for (Value v : part.getOperands()) {
      if (v != c && isC(v, c)) {
        reshapesOfC.insert(v);
        std::string type;
        llvm::raw_string_ostream os(type);
        os << v.getType();
        key += "C as " + type + ",";
        continue;
      }
      auto [it, isNew] = position.try_emplace(v, operands.size());
      if (isNew)
        operands.push_back(v);
      key += std::to_string(it->second) + ",";
    }
    key += ")";
  }
  // Every layer of a model fuses the same kernels the same way.
  func::FuncOp &fused = fusedByKey[key];
  if (!fused) {
    OpBuilder b(kernel);
    b.setInsertionPointAfter(kernel);
    std::string name;
    do
      name = (kernel.getSymName() + "_fused" + Twine(counter++)).str();
    while (module.lookupSymbol(name));
    fused = func::FuncOp::create(
        b, kernel.getLoc(), name,
        b.getFunctionType(ValueRange(operands).getTypes(), {}));
    fused.setPrivate();
    for (NamedAttribute attr : kernel->getDiscardableAttrs())
      fused->setAttr(attr.getName(), attr.getValue());
    fused->setAttr(kFusedNeighboursAttr, b.getUnitAttr());
    Block *entry = fused.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockBegin(entry);
    IRMapping hostToKernel;
    for (auto [v, i] : position)
      hostToKernel.map(v, entry->getArgument(i));
    for (Value v : reshapesOfC) {
      SmallVector<Operation *> chain;
      for (Value x = v; x != c; x = x.getDefiningOp()->getOperand(0))
        chain.push_back(x.getDefiningOp());
      for (Operation *reshape : llvm::reverse(chain))
        if (!hostToKernel.contains(reshape->getResult(0)))
          fb.clone(*reshape, hostToKernel);
    }
    for (func::CallOp part : parts) {
      func::FuncOp callee = calleeOf(part);
      IRMapping mapping;
      for (auto [i, arg] : llvm::enumerate(callee.getArguments()))
        mapping.map(arg, hostToKernel.lookup(part.getOperand(i)));
      for (Operation &o : callee.getBody().front().without_terminator())
        fb.clone(o, mapping);
    }
    func::ReturnOp::create(fb, kernel.getLoc());
  }
  // After the last part: every operand is defined there.
  OpBuilder b(parts.back());
  b.setInsertionPointAfter(parts.back());
  func::CallOp::create(b, call.getLoc(), fused, operands);
  for (func::CallOp part : parts) {
    fusedKernels.insert(calleeOf(part));
    erased.insert(part);
    part.erase();
  }
}

void NeighbourFusion::run() {
  for (auto host : llvm::to_vector(module.getOps<func::FuncOp>())) {
    if (host->hasAttr("tfmc.kernel") || host.isExternal())
      continue;
    for (func::CallOp call : llvm::to_vector(host.getOps<func::CallOp>()))
      if (!erased.contains(call))
        fuse(call);
  }
  // Kernels whose every call was fused: not compiled at all.
  for (func::FuncOp kernel : fusedKernels)
    if (kernel.isPrivate() && SymbolTable::symbolKnownUseEmpty(kernel, module))
      kernel.erase();
}

} // namespace

void fuseContractionNeighbours(ModuleOp module,
                               const NeighbourFusionOptions &options) {
  NeighbourFusion(module, options).run();
}

} // namespace tfmc
