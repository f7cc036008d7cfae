//===- VerifyModel.cpp - tfm-verify-model -----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Checks the contract between a model and the rest of tfmc (entry point,
// names, static shapes, consistent weights) once, up front, so later phases
// can assume it and users get located errors instead of a failed lowering.
//
//===----------------------------------------------------------------------===//

#include "Tfm/IR/TfmOps.h"
#include "Tfm/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMVERIFYMODELPASS
#include "Tfm/Transforms/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using namespace mlir::tfm;

namespace {

bool isSupportedElementType(Type t) {
  return t.isF32() || t.isF16() || t.isBF16() || t.isInteger(1) ||
         t.isInteger(32) || t.isInteger(64);
}

/// Checks one argument or result of the entry point.
LogicalResult checkBoundaryTensor(func::FuncOp entry, Type type,
                                  DictionaryAttr attrs, StringRef what,
                                  unsigned index,
                                  llvm::StringMap<std::string> &names) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !isSupportedElementType(tensor.getElementType()))
    return entry.emitOpError()
           << what << " #" << index << " of @" << entry.getSymName()
           << " has type " << type
           << "; model inputs and outputs must be ranked tensors of f32, f16, "
              "bf16, i1, i32 or i64";
  if (!tensor.hasStaticShape())
    return entry.emitOpError()
           << what << " #" << index << " of @" << entry.getSymName()
           << " has a dynamic shape (" << type
           << "): dynamic dimensions are not supported yet";
  auto name = attrs ? attrs.getAs<StringAttr>(TfmDialect::getNameAttrName())
                    : StringAttr();
  if (!name)
    return entry.emitOpError()
           << what << " #" << index << " of @" << entry.getSymName()
           << " has no 'tfm.name' attribute (every model input and output "
              "needs a name)";
  std::string self = (what + " #" + Twine(index)).str();
  auto [it, inserted] = names.try_emplace(name.getValue(), self);
  if (!inserted)
    return entry.emitOpError() << "name '" << name.getValue() << "' of "
                               << self << " is already used by "
                               << it->second;
  return success();
}

struct TfmVerifyModelPass
    : public tfm::impl::TfmVerifyModelPassBase<TfmVerifyModelPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto entry = module.lookupSymbol<func::FuncOp>(entryPoint);
    if (!entry || entry.isExternal()) {
      module.emitError() << "the model has no entry point: expected a "
                            "function body named @"
                         << entryPoint;
      return signalPassFailure();
    }
    bool ok = true;
    if (!entry.isPublic()) {
      entry.emitOpError() << "entry point @" << entryPoint
                          << " must be public";
      ok = false;
    }
    llvm::StringMap<std::string> names;
    for (auto [i, type] : llvm::enumerate(entry.getArgumentTypes()))
      ok &= succeeded(checkBoundaryTensor(entry, type, entry.getArgAttrDict(i),
                                          "argument", i, names));
    for (auto [i, type] : llvm::enumerate(entry.getResultTypes()))
      ok &= succeeded(checkBoundaryTensor(
          entry, type, entry.getResultAttrDict(i), "result", i, names));

    for (auto func : module.getOps<func::FuncOp>())
      if (func != entry && func.isPublic()) {
        func.emitOpError() << "@" << func.getSymName()
                           << " is public; only the entry point @"
                           << entryPoint << " may be";
        ok = false;
      }

    auto isDynamic = [](Type t) {
      auto shaped = dyn_cast<ShapedType>(t);
      return shaped && !shaped.hasStaticShape();
    };
    llvm::StringMap<WeightOp> weights;
    module.walk([&](Operation *op) {
      for (Type t : op->getResultTypes())
        if (isDynamic(t)) {
          op->emitOpError() << "result type " << t
                            << " has a dynamic shape: dynamic dimensions are "
                               "not supported yet";
          ok = false;
        }
      // Other functions' signatures (declarations included) and block
      // arguments; the entry point's were checked above.
      auto func = dyn_cast<FunctionOpInterface>(op);
      if (func && op != entry.getOperation()) {
        for (Type t : llvm::concat<const Type>(func.getArgumentTypes(),
                                               func.getResultTypes()))
          if (isDynamic(t)) {
            func.emitOpError() << "signature type " << t
                               << " has a dynamic shape: dynamic dimensions "
                                  "are not supported yet";
            ok = false;
            break;
          }
      }
      for (Region &region : op->getRegions())
        for (Block &block : region)
          if (!isa<FunctionOpInterface>(op))
            for (BlockArgument arg : block.getArguments())
              if (isDynamic(arg.getType())) {
                op->emitOpError() << "block argument type " << arg.getType()
                                  << " has a dynamic shape: dynamic "
                                     "dimensions are not supported yet";
                ok = false;
              }
      auto weight = dyn_cast<WeightOp>(op);
      if (!weight)
        return;
      auto [it, inserted] = weights.try_emplace(weight.getName(), weight);
      if (!inserted && it->second.getType() != weight.getType()) {
        weight.emitOpError()
                .append("weight '", weight.getName(), "' has type ",
                        weight.getType(), " here but ",
                        it->second.getType(), " elsewhere")
                .attachNote(it->second.getLoc())
            << "first use here";
        ok = false;
      }
    });
    if (!ok)
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};

} // namespace
