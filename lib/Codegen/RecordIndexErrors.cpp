//===- RecordIndexErrors.cpp - tfmc-record-index-errors ---------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "tfmc/Conversion/TfmToLinalg/TfmToLinalg.h"
#include "tfmc/Runtime/tfmrt_vulkan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

namespace tfmc {
#define GEN_PASS_DEF_RECORDINDEXERRORSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

struct RecordIndexErrorsPass
    : public tfmc::impl::RecordIndexErrorsPassBase<RecordIndexErrorsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto recordType =
        MemRefType::get({TFMRT_VK_INDEX_ERROR_WORDS}, IntegerType::get(ctx, 32));
    SymbolTable symbols(module);
    SmallVector<Attribute> sites;
    llvm::StringMap<int32_t> siteIds;

    for (auto kernel : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (!kernel->hasAttr("tfmc.kernel") || kernel.isExternal())
        continue;
      SmallVector<func::CallOp> checks;
      kernel.walk([&](func::CallOp call) {
        if (call.getCallee() == tfmc::kIndexErrorFunction)
          checks.push_back(call);
      });
      if (checks.empty())
        continue;
      if (!symbols.lookup(tfmc::kIndexErrorsGlobal)) {
        OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
        auto global = memref::GlobalOp::create(
            b, module.getLoc(), tfmc::kIndexErrorsGlobal,
            b.getStringAttr("private"), recordType, Attribute(),
            /*constant=*/false, IntegerAttr());
        symbols.insert(global);
      }
      unsigned argNumber = kernel.getNumArguments();
      if (failed(kernel.insertArgument(argNumber, recordType, {},
                                       kernel.getLoc())))
        return signalPassFailure();
      Value record = kernel.getArgument(argNumber);
      for (func::CallOp check : checks) {
        FailureOr<int32_t> site = getSiteId(check, sites, siteIds);
        if (failed(site))
          return signalPassFailure();
        writeRecord(check, record, *site);
        check.erase();
      }
      // Every caller passes the record.
      std::optional<SymbolTable::UseRange> uses =
          SymbolTable::getSymbolUses(kernel, module);
      for (SymbolTable::SymbolUse use : *uses) {
        auto call = dyn_cast<func::CallOp>(use.getUser());
        if (!call) {
          use.getUser()->emitError("tfmc-record-index-errors: a kernel "
                                   "that checks indices is used other than "
                                   "by a call");
          return signalPassFailure();
        }
        OpBuilder b(call);
        Value global = memref::GetGlobalOp::create(
            b, call.getLoc(), recordType, tfmc::kIndexErrorsGlobal);
        call->insertOperands(call.getNumOperands(), global);
      }
    }
    if (sites.empty())
      return;
    module->setAttr(tfmc::kIndexErrorSitesAttr, ArrayAttr::get(ctx, sites));
    eraseUnusedSiteStrings(module);
  }

  /// The site's number: the text of the string constant the call passes.
  FailureOr<int32_t> getSiteId(func::CallOp check,
                               SmallVectorImpl<Attribute> &sites,
                               llvm::StringMap<int32_t> &siteIds) {
    std::string text = "an unnamed op";
    if (check.getNumOperands() != 4)
      return check.emitError("tfmc-record-index-errors: expected ")
             << tfmc::kIndexErrorFunction << "(index, lower, upper, site)";
    if (auto address =
            check.getOperand(3).getDefiningOp<LLVM::AddressOfOp>()) {
      auto global = SymbolTable::lookupNearestSymbolFrom<LLVM::GlobalOp>(
          check, address.getGlobalNameAttr());
      if (auto value =
              global ? dyn_cast_or_null<StringAttr>(global.getValueOrNull())
                     : StringAttr())
        text = value.getValue().split('\0').first.str();
    }
    auto [it, isNew] = siteIds.try_emplace(text, sites.size());
    if (isNew)
      sites.push_back(StringAttr::get(check.getContext(), text));
    return it->second;
  }

  /// The check's arguments into the record, by the run's first error only.
  void writeRecord(func::CallOp check, Value record, int32_t site) {
    OpBuilder b(check);
    Location loc = check.getLoc();
    Type i32 = b.getI32Type(), i64 = b.getI64Type();
    auto word = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(b, loc, i32, v);
    };
    auto at = [&](int64_t i) -> Value {
      return arith::ConstantIndexOp::create(b, loc, i);
    };
    Value previous = memref::AtomicRMWOp::create(
        b, loc, arith::AtomicRMWKind::addi, word(1), record,
        ValueRange{at(TFMRT_VK_INDEX_ERROR_COUNT)});
    Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        previous, word(0));
    auto ifFirst = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
    b.setInsertionPoint(ifFirst.thenBlock()->getTerminator());
    memref::StoreOp::create(b, loc, word(site), record,
                            ValueRange{at(TFMRT_VK_INDEX_ERROR_SITE)});
    int64_t slots[] = {TFMRT_VK_INDEX_ERROR_INDEX, TFMRT_VK_INDEX_ERROR_LOWER,
                       TFMRT_VK_INDEX_ERROR_UPPER};
    for (auto [operand, slot] : llvm::zip(check.getOperands().take_front(3),
                                          slots)) {
      Value value = operand;
      if (value.getType() != i64)
        value = arith::ExtSIOp::create(b, loc, i64, value);
      Value low = arith::TruncIOp::create(b, loc, i32, value);
      Value high = arith::TruncIOp::create(
          b, loc, i32,
          arith::ShRUIOp::create(
              b, loc, value, arith::ConstantIntOp::create(b, loc, i64, 32)));
      memref::StoreOp::create(b, loc, low, record, ValueRange{at(slot)});
      memref::StoreOp::create(b, loc, high, record, ValueRange{at(slot + 1)});
    }
  }

  /// The site strings and the runtime function only the checks used.
  void eraseUnusedSiteStrings(ModuleOp module) {
    module.walk([](LLVM::AddressOfOp address) {
      if (address->use_empty())
        address.erase();
    });
    for (auto global : llvm::to_vector(module.getOps<LLVM::GlobalOp>()))
      if (global.getLinkage() == LLVM::Linkage::Private &&
          SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
    if (auto decl =
            module.lookupSymbol<func::FuncOp>(tfmc::kIndexErrorFunction))
      if (SymbolTable::symbolKnownUseEmpty(decl, module))
        decl.erase();
  }
};

} // namespace
