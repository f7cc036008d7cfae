//===- SplitLargeBuffers.cpp - tfmc-split-large-buffers ---------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "tfmc/Codegen/Passes.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"

namespace tfmc {
#define GEN_PASS_DEF_SPLITLARGEBUFFERSPASS
#include "tfmc/Codegen/Passes.h.inc"
} // namespace tfmc

using namespace mlir;

namespace {

/// A storage buffer variable as lower-abi-attrs leaves it:
/// ptr<struct<(array<N x T, stride=S>)>, StorageBuffer>.
struct BufferVariable {
  spirv::GlobalVariableOp var;
  spirv::ArrayType array;
  uint32_t binding;
  int64_t bytes() const {
    return int64_t(array.getNumElements()) * array.getArrayStride();
  }
};

std::optional<BufferVariable> getBufferVariable(spirv::GlobalVariableOp var) {
  auto ptr = dyn_cast<spirv::PointerType>(var.getType());
  if (!ptr || ptr.getStorageClass() != spirv::StorageClass::StorageBuffer ||
      !var.getBinding())
    return std::nullopt;
  auto st = dyn_cast<spirv::StructType>(ptr.getPointeeType());
  if (!st || st.getNumElements() != 1)
    return std::nullopt;
  auto array = dyn_cast<spirv::ArrayType>(st.getElementType(0));
  if (!array || !array.getArrayStride())
    return std::nullopt;
  return BufferVariable{var, array, *var.getBinding()};
}

struct SplitLargeBuffersPass
    : public tfmc::impl::SplitLargeBuffersPassBase<SplitLargeBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    spirv::ModuleOp module = getOperation();
    if (maxBindingBytes <= 0 || maxBindingBytes % 8) {
      module.emitError("tfmc-split-large-buffers: max-binding-bytes must be "
                       "a positive multiple of 8, not ")
          << static_cast<int64_t>(maxBindingBytes);
      return signalPassFailure();
    }
    SmallVector<BufferVariable> buffers;
    for (auto var : module.getOps<spirv::GlobalVariableOp>())
      if (std::optional<BufferVariable> buffer = getBufferVariable(var))
        buffers.push_back(*buffer);
    llvm::sort(buffers, [](const BufferVariable &a, const BufferVariable &b) {
      return a.binding < b.binding;
    });
    if (llvm::none_of(buffers, [&](const BufferVariable &b) {
          return b.bytes() > maxBindingBytes;
        }))
      return;

    // Bindings in order: each operand's ranges, renumbered.
    SmallVector<Attribute> ranges;
    uint32_t next = 0;
    for (auto [operand, buffer] : llvm::enumerate(buffers)) {
      if (buffer.binding != operand) {
        buffer.var.emitError("tfmc-split-large-buffers: bindings are not "
                             "0, 1, 2, ... in kernel operand order");
        return signalPassFailure();
      }
      int64_t bytes = buffer.bytes();
      if (bytes <= maxBindingBytes) {
        buffer.var.setBinding(next++);
        ranges.push_back(DenseI64ArrayAttr::get(
            &getContext(), {buffer.binding, 0, bytes}));
        continue;
      }
      if (failed(split(buffer, next, ranges)))
        return signalPassFailure();
    }
    module->setAttr(tfmc::kBindingRangesAttr,
                    ArrayAttr::get(&getContext(), ranges));
    requireVariablePointers(module);
  }

  /// Replaces `buffer` by variables of at most maxBindingBytes each.
  LogicalResult split(BufferVariable &buffer, uint32_t &next,
                      SmallVectorImpl<Attribute> &ranges) {
    MLIRContext *ctx = &getContext();
    spirv::GlobalVariableOp var = buffer.var;
    int64_t stride = buffer.array.getArrayStride();
    int64_t total = buffer.array.getNumElements();
    int64_t perChunk = maxBindingBytes / stride;
    int64_t chunks = (total + perChunk - 1) / perChunk;
    if (perChunk > std::numeric_limits<int32_t>::max())
      return var.emitError("tfmc-split-large-buffers: ranges of ")
             << perChunk << " elements overflow 32-bit indices";
    OpBuilder b(var);
    SmallVector<spirv::GlobalVariableOp> parts;
    for (int64_t c = 0; c < chunks; ++c) {
      int64_t count = std::min(perChunk, total - c * perChunk);
      auto array = spirv::ArrayType::get(buffer.array.getElementType(),
                                         count, stride);
      auto type = spirv::PointerType::get(
          spirv::StructType::get({array}, {0}),
          spirv::StorageClass::StorageBuffer);
      parts.push_back(spirv::GlobalVariableOp::create(
          b, var.getLoc(), type,
          (var.getSymName() + "_part" + Twine(c)).str(),
          var.getDescriptorSet().value_or(0), next++));
      ranges.push_back(DenseI64ArrayAttr::get(
          ctx, {buffer.binding, c * perChunk * stride, count * stride}));
    }

    // Each address of the variable is used by access chains [0, i].
    SmallVector<spirv::AddressOfOp> addresses;
    WalkResult walk = getOperation().walk([&](spirv::AddressOfOp address) {
      if (address.getVariable() != var.getSymName())
        return WalkResult::advance();
      addresses.push_back(address);
      for (Operation *user : address->getUsers()) {
        auto chain = dyn_cast<spirv::AccessChainOp>(user);
        if (!chain || chain.getIndices().size() != 2) {
          user->emitError("tfmc-split-large-buffers: a buffer of ")
              << buffer.bytes()
              << " bytes is used other than by element access chains";
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    for (spirv::AddressOfOp address : addresses) {
      for (Operation *user : llvm::make_early_inc_range(address->getUsers())) {
        auto chain = cast<spirv::AccessChainOp>(user);
        OpBuilder cb(chain);
        Location loc = chain.getLoc();
        Value index = chain.getIndices()[1];
        Type indexType = index.getType();
        auto constant = [&](int64_t v) -> Value {
          return spirv::ConstantOp::create(cb, loc, indexType,
                                           cb.getIntegerAttr(indexType, v));
        };
        Value rangeElements = constant(perChunk);
        Value chunk = spirv::UDivOp::create(cb, loc, index, rangeElements);
        Value inner = spirv::UModOp::create(cb, loc, index, rangeElements);
        Value pointer;
        for (auto [c, part] : llvm::enumerate(parts)) {
          Value base = spirv::AddressOfOp::create(cb, loc, part);
          Value element = spirv::AccessChainOp::create(
              cb, loc, base, ValueRange{chain.getIndices()[0], inner});
          pointer = c == 0 ? element
                           : spirv::SelectOp::create(
                                 cb, loc,
                                 spirv::IEqualOp::create(cb, loc, chunk,
                                                         constant(c)),
                                 element, pointer)
                                 .getResult();
        }
        chain.replaceAllUsesWith(pointer);
        chain.erase();
      }
      address.erase();
    }
    var.erase();
    return success();
  }

  void requireVariablePointers(spirv::ModuleOp module) {
    MLIRContext *ctx = &getContext();
    std::optional<spirv::VerCapExtAttr> vce = module.getVceTriple();
    if (!vce)
      return;
    SmallVector<spirv::Capability> caps(vce->getCapabilities());
    SmallVector<spirv::Extension> exts(vce->getExtensions());
    if (!llvm::is_contained(caps,
                            spirv::Capability::VariablePointersStorageBuffer))
      caps.push_back(spirv::Capability::VariablePointersStorageBuffer);
    if (!llvm::is_contained(exts, spirv::Extension::SPV_KHR_variable_pointers))
      exts.push_back(spirv::Extension::SPV_KHR_variable_pointers);
    module.setVceTripleAttr(
        spirv::VerCapExtAttr::get(vce->getVersion(), caps, exts, ctx));
  }
};

} // namespace
