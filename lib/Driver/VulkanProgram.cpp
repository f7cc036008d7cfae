//===- VulkanProgram.cpp - the static dispatch schedule of a model -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// After the spirv phase the host function is straight-line: buffers
// (intermediates, weights, the caller's inputs and outputs), copies, and
// calls of kernels that each launch one SPIR-V compute shader. That is the
// whole forward pass as a static schedule: it becomes constant tables
// (tfmrt_vk_program, tfmrt_vulkan.h) that the runtime records once into a
// command buffer and replays; the entry point hands them the run's
// buffers. Anything else in the host function is refused, naming the op.
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "tfmc/Codegen/Passes.h"
#include "tfmc/Runtime/tfmrt_vulkan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Target/SPIRV/Serialization.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

using namespace mlir;
using tfmc::TensorDesc;

namespace {

struct BufferRef {
  unsigned buffer;
  uint64_t offset, bytes;
};

struct ProgramBuffer {
  uint64_t bytes;
  int32_t kind, index;
  std::string weightSymbol;  ///< weights: defined by the weight section
  std::vector<char> constant; ///< constants folded into the model
};

/// The bytes of a constant as the kernels read them (booleans one per byte).
std::vector<char> getConstantBytes(DenseElementsAttr value) {
  Type element = value.getElementType();
  std::vector<char> bytes;
  if (element.isInteger(1)) {
    for (bool b : value.getValues<bool>())
      bytes.push_back(b ? 1 : 0);
    return bytes;
  }
  ArrayRef<char> raw = value.getRawData();
  if (!value.isSplat())
    return std::vector<char>(raw.begin(), raw.end());
  for (int64_t i = 0, e = value.getNumElements(); i < e; ++i)
    bytes.insert(bytes.end(), raw.begin(), raw.end());
  return bytes;
}

struct ProgramKernel {
  SmallVector<uint32_t, 0> words;
  std::string entry;
  unsigned bindings;
  uint32_t sharedBytes = 0; ///< Workgroup variables' bytes
  uint32_t needs = 0;       ///< Per-kernel needs (subgroup arithmetic)
  /// Per binding: the launch operand and the byte range of it it binds
  /// (tfmc-split-large-buffers); empty: binding i is all of operand i.
  SmallVector<std::array<int64_t, 3>> ranges;
};

struct ProgramStep {
  uint32_t kernel; // UINT32_MAX: copy
  uint32_t firstRange;
  uint32_t groups[3];
  uint32_t fallback = UINT32_MAX; // into Program::fallbackSteps
};

struct Program {
  uint32_t needs = 0;
  std::vector<std::string> sites; ///< tfmc-record-index-errors' sites
  std::vector<ProgramBuffer> buffers;
  std::vector<ProgramKernel> kernels;
  std::vector<BufferRef> ranges;
  std::vector<ProgramStep> steps;
  /// Variants of steps for devices with smaller limits.
  std::vector<ProgramStep> fallbackSteps;
};

FailureOr<uint64_t> getBytes(Operation *at, Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape())
    return at->emitError("Vulkan schedule: a buffer of type ")
           << type << " (only static shapes are supported)";
  unsigned bits = memref.getElementTypeBitWidth();
  // Booleans are stored as bytes, on the CPU and in the kernels alike.
  uint64_t elementBytes = bits == 1 ? 1 : bits / 8;
  return memref.getNumElements() * elementBytes;
}

/// Bytes of a workgroup variable's type (arrays of scalars or vectors in
/// structs, as convert-gpu-to-spirv makes them; no padding).
std::optional<uint64_t> getWorkgroupBytes(Type type) {
  if (type.isIntOrFloat())
    return (type.getIntOrFloatBitWidth() + 7) / 8;
  if (auto vector = dyn_cast<VectorType>(type)) {
    std::optional<uint64_t> element = getWorkgroupBytes(vector.getElementType());
    return element ? std::optional<uint64_t>(*element * vector.getNumElements())
                   : std::nullopt;
  }
  if (auto array = dyn_cast<spirv::ArrayType>(type)) {
    std::optional<uint64_t> element = getWorkgroupBytes(array.getElementType());
    uint64_t stride = array.getArrayStride();
    if (!element)
      return std::nullopt;
    return std::max<uint64_t>(stride, *element) * array.getNumElements();
  }
  if (auto structType = dyn_cast<spirv::StructType>(type)) {
    uint64_t bytes = 0;
    for (Type member : structType.getElementTypes()) {
      std::optional<uint64_t> size = getWorkgroupBytes(member);
      if (!size)
        return std::nullopt;
      bytes += *size;
    }
    return bytes;
  }
  return std::nullopt;
}

/// The capabilities a kernel needs, as device features.
uint32_t getNeeds(spirv::ModuleOp module) {
  uint32_t needs = 0;
  std::optional<spirv::VerCapExtAttr> vce = module.getVceTriple();
  if (!vce)
    return needs;
  for (spirv::Capability cap : vce->getCapabilities()) {
    switch (cap) {
    case spirv::Capability::Float16: needs |= TFMRT_VK_NEEDS_F16; break;
    case spirv::Capability::Int64: needs |= TFMRT_VK_NEEDS_INT64; break;
    case spirv::Capability::Int8: needs |= TFMRT_VK_NEEDS_INT8; break;
    case spirv::Capability::Int16: needs |= TFMRT_VK_NEEDS_INT16; break;
    case spirv::Capability::StorageBuffer16BitAccess:
      needs |= TFMRT_VK_NEEDS_STORAGE_16BIT;
      break;
    case spirv::Capability::StorageBuffer8BitAccess:
      needs |= TFMRT_VK_NEEDS_STORAGE_8BIT;
      break;
    case spirv::Capability::VariablePointersStorageBuffer:
      needs |= TFMRT_VK_NEEDS_VARIABLE_POINTERS;
      break;
    case spirv::Capability::GroupNonUniformArithmetic:
      needs |= TFMRT_VK_NEEDS_SUBGROUP_ARITHMETIC;
      break;
    default: break;
    }
  }
  return needs;
}

FailureOr<Program> buildProgram(ModuleOp module, func::FuncOp entry,
                                const tfmc::ModelDesc &model) {
  Program program;
  llvm::StringMap<unsigned> kernelIndex;
  for (auto spirvModule : module.getOps<spirv::ModuleOp>()) {
    ProgramKernel kernel;
    if (failed(spirv::serialize(spirvModule, kernel.words)))
      return spirvModule.emitError("cannot serialize this SPIR-V module");
    spirvModule.walk([&](spirv::EntryPointOp ep) {
      kernel.entry = ep.getFn().str();
    });
    kernel.bindings = 0;
    WalkResult sized = spirvModule.walk([&](spirv::GlobalVariableOp var) {
      if (var.getBindingAttr())
        ++kernel.bindings;
      auto pointer = cast<spirv::PointerType>(var.getType());
      if (pointer.getStorageClass() != spirv::StorageClass::Workgroup)
        return WalkResult::advance();
      std::optional<uint64_t> bytes = getWorkgroupBytes(pointer.getPointeeType());
      if (!bytes)
        return WalkResult::interrupt();
      kernel.sharedBytes += *bytes;
      return WalkResult::advance();
    });
    if (sized.wasInterrupted())
      return emitError(spirvModule.getLoc(), "Vulkan schedule: a workgroup "
                                             "variable of unknown size");
    if (auto ranges =
            spirvModule->getAttrOfType<ArrayAttr>(tfmc::kBindingRangesAttr))
      for (auto range : ranges.getAsRange<DenseI64ArrayAttr>()) {
        if (range.size() != 3)
          return spirvModule.emitError("Vulkan schedule: malformed ")
                 << tfmc::kBindingRangesAttr;
        kernel.ranges.push_back({range[0], range[1], range[2]});
      }
    // Subgroup arithmetic is checked per kernel (a kernel that needs it
    // has a fallback); the other needs are features the device enables.
    uint32_t needs = getNeeds(spirvModule);
    kernel.needs = needs & TFMRT_VK_NEEDS_SUBGROUP_ARITHMETIC;
    program.needs |= needs & ~TFMRT_VK_NEEDS_SUBGROUP_ARITHMETIC;
    kernelIndex[spirvModule.getName().value_or("")] = program.kernels.size();
    program.kernels.push_back(std::move(kernel));
  }

  if (auto sites = module->getAttrOfType<ArrayAttr>(tfmc::kIndexErrorSitesAttr))
    for (auto site : sites.getAsValueRange<StringAttr>())
      program.sites.push_back(site.str());

  DenseMap<Value, BufferRef> refs;
  auto newBuffer = [&](Value v, uint64_t bytes, int32_t kind, int32_t index,
                       std::string symbol = "") {
    refs[v] = {static_cast<unsigned>(program.buffers.size()), 0, bytes};
    program.buffers.push_back({bytes, kind, index, std::move(symbol), {}});
  };
  unsigned numInputs = model.inputs.size();
  if (entry.getNumArguments() != numInputs + model.outputs.size())
    return entry.emitError("Vulkan schedule: the entry point does not take "
                           "one buffer per input and output");
  for (BlockArgument arg : entry.getArguments()) {
    FailureOr<uint64_t> bytes = getBytes(entry, arg.getType());
    if (failed(bytes))
      return failure();
    bool isInput = arg.getArgNumber() < numInputs;
    newBuffer(arg, *bytes,
              isInput ? TFMRT_VK_BUFFER_INPUT : TFMRT_VK_BUFFER_OUTPUT,
              isInput ? arg.getArgNumber() : arg.getArgNumber() - numInputs);
  }
  llvm::StringMap<Value> weights;
  auto lookup = [&](Operation *user, Value v) -> FailureOr<BufferRef> {
    auto it = refs.find(v);
    if (it == refs.end())
      return user->emitError("Vulkan schedule: this op uses a buffer the "
                             "schedule cannot place");
    return it->second;
  };

  /// One dispatch of `kernelFunc` (a tfmc.kernel function with one launch)
  /// for `call`'s operands: its kernel, workgroup counts and bindings.
  auto buildDispatch = [&](func::CallOp call,
                           func::FuncOp kernelFunc) -> FailureOr<ProgramStep> {
    Operation &op = *call;
    gpu::LaunchFuncOp launch;
    kernelFunc.walk([&](gpu::LaunchFuncOp l) { launch = l; });
    if (!launch)
      return kernelFunc.emitError("Vulkan schedule: kernel without a launch");
    std::string spirvName = "__spv__" + launch.getKernelModuleName().str();
    auto kernel = kernelIndex.find(spirvName);
    if (kernel == kernelIndex.end())
      return launch.emitError("Vulkan schedule: no SPIR-V module ")
             << spirvName;
    ProgramStep step{kernel->second,
                     static_cast<uint32_t>(program.ranges.size()),
                     {0, 0, 0}};
    Value grid[3] = {launch.getGridSizeX(), launch.getGridSizeY(),
                     launch.getGridSizeZ()};
    for (int d = 0; d < 3; ++d) {
      std::optional<int64_t> size = getConstantIntValue(grid[d]);
      if (!size)
        return launch.emitError("Vulkan schedule: the grid must be static");
      step.groups[d] = static_cast<uint32_t>(*size);
    }
    SmallVector<BufferRef> operands;
    for (Value operand : launch.getKernelOperands()) {
      auto arg = dyn_cast<BlockArgument>(operand);
      if (!arg || arg.getOwner()->getParentOp() != kernelFunc ||
          !isa<MemRefType>(arg.getType()))
        return launch.emitError("Vulkan schedule: kernel operands must be "
                                "the kernel's buffers");
      FailureOr<BufferRef> ref =
          lookup(&op, call.getOperand(arg.getArgNumber()));
      if (failed(ref))
        return failure();
      operands.push_back(*ref);
    }
    const ProgramKernel &programKernel = program.kernels[kernel->second];
    if (programKernel.ranges.empty()) {
      llvm::append_range(program.ranges, operands);
    } else {
      for (auto [operand, offset, bytes] : programKernel.ranges) {
        if (operand < 0 || operand >= int64_t(operands.size()) ||
            offset < 0 || offset + bytes > int64_t(operands[operand].bytes))
          return launch.emitError("Vulkan schedule: a binding range outside "
                                  "its operand");
        BufferRef ref = operands[operand];
        program.ranges.push_back({ref.buffer, ref.offset + uint64_t(offset),
                                  uint64_t(bytes)});
      }
    }
    size_t bound = program.ranges.size() - step.firstRange;
    if (bound != programKernel.bindings)
      return launch.emitError("Vulkan schedule: the kernel binds ")
             << programKernel.bindings << " buffers but is launched with "
             << bound;
    return step;
  };

  // Views the kernels recreated from their base buffers, and anything else
  // without effects whose results nothing live uses.
  llvm::SmallPtrSet<Operation *, 16> dead;
  for (Operation &op : llvm::reverse(entry.getBody().front()))
    if (!isa<func::ReturnOp>(op) && isMemoryEffectFree(&op) &&
        llvm::all_of(op.getUsers(),
                     [&](Operation *user) { return dead.contains(user); }))
      dead.insert(&op);
  for (Operation &op : entry.getBody().front()) {
    if (dead.contains(&op) ||
        isa<arith::ConstantOp, memref::DeallocOp, func::ReturnOp>(op))
      continue;
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      FailureOr<uint64_t> bytes = getBytes(&op, alloc.getType());
      if (failed(bytes))
        return failure();
      newBuffer(alloc, *bytes, TFMRT_VK_BUFFER_INTERMEDIATE, 0);
      continue;
    }
    if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
      FailureOr<uint64_t> bytes = getBytes(&op, global.getType());
      if (failed(bytes))
        return failure();
      auto [it, isNew] = weights.try_emplace(global.getName(), global);
      if (!isNew) {
        refs[global] = refs[it->second];
        continue;
      }
      if (global.getName() == tfmc::kIndexErrorsGlobal) {
        newBuffer(global, *bytes, TFMRT_VK_BUFFER_INDEX_ERRORS, 0);
        continue;
      }
      auto definition = module.lookupSymbol<memref::GlobalOp>(global.getName());
      auto value = definition ? dyn_cast_or_null<DenseElementsAttr>(
                                    definition.getInitialValueAttr())
                              : DenseElementsAttr();
      newBuffer(global, *bytes, TFMRT_VK_BUFFER_WEIGHT, 0,
                value ? "" : global.getName().str());
      if (value)
        program.buffers.back().constant = getConstantBytes(value);
      continue;
    }
    // Views that keep the data where it is: the same bytes of the buffer.
    if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp>(
            op)) {
      FailureOr<BufferRef> source = lookup(&op, op.getOperand(0));
      if (failed(source))
        return failure();
      refs[op.getResult(0)] = *source;
      continue;
    }
    // A contiguous part of a buffer (a concatenation's slot): its bytes.
    if (auto subview = dyn_cast<memref::SubViewOp>(op)) {
      MemRefType type = subview.getType();
      SmallVector<int64_t> strides;
      int64_t offset;
      FailureOr<BufferRef> source = lookup(&op, subview.getSource());
      FailureOr<uint64_t> bytes = getBytes(&op, type);
      if (failed(source) || failed(bytes))
        return failure();
      if (!memref::isStaticShapeAndContiguousRowMajor(type) ||
          failed(type.getStridesAndOffset(strides, offset)) ||
          ShapedType::isDynamic(offset))
        return op.emitError("Vulkan schedule: a strided view in the host "
                            "function is not supported on --target=vulkan yet");
      // The layout's offset counts from the start of the allocation, which
      // is the start of its buffer.
      uint64_t elementBytes =
          *bytes / std::max<int64_t>(type.getNumElements(), 1);
      refs[subview] = {source->buffer, offset * elementBytes, *bytes};
      continue;
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      FailureOr<BufferRef> from = lookup(&op, copy.getSource()),
                           to = lookup(&op, copy.getTarget());
      if (failed(from) || failed(to))
        return failure();
      program.steps.push_back(
          {UINT32_MAX, static_cast<uint32_t>(program.ranges.size()), {0, 0, 0}});
      program.ranges.push_back(*from);
      program.ranges.push_back(*to);
      continue;
    }
    auto call = dyn_cast<func::CallOp>(op);
    auto kernelFunc =
        call ? module.lookupSymbol<func::FuncOp>(call.getCallee()) : nullptr;
    if (!kernelFunc || !kernelFunc->hasAttr("tfmc.kernel"))
      return op.emitError("Vulkan schedule: '")
             << op.getName() << "' in the host function is not supported on "
                                "--target=vulkan yet";
    FailureOr<ProgramStep> step = buildDispatch(call, kernelFunc);
    if (failed(step))
      return failure();
    // The variant for devices with smaller limits, picked by the runtime.
    if (auto fallback =
            kernelFunc->getAttrOfType<FlatSymbolRefAttr>(tfmc::kFallbackKernelAttr)) {
      auto fallbackFunc = module.lookupSymbol<func::FuncOp>(fallback);
      if (!fallbackFunc)
        return kernelFunc.emitError("Vulkan schedule: no fallback kernel ")
               << fallback;
      FailureOr<ProgramStep> alternative = buildDispatch(call, fallbackFunc);
      if (failed(alternative))
        return failure();
      step->fallback = program.fallbackSteps.size();
      program.fallbackSteps.push_back(*alternative);
    }
    program.steps.push_back(*step);
  }
  return program;
}


} // namespace

llvm::Error tfmc::addVulkanProgram(ModuleOp module, llvm::Module &llvmModule,
                                   const ModelDesc &model,
                                   llvm::StringRef entryPoint) {
  auto entry = module.lookupSymbol<func::FuncOp>(entryPoint);
  if (!entry)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no entry point @" + entryPoint);
  FailureOr<Program> built = buildProgram(module, entry, model);
  if (failed(built))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot build the Vulkan schedule");
  Program &program = *built;

  llvm::LLVMContext &ctx = llvmModule.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx), *i64 = llvm::Type::getInt64Ty(ctx);
  auto u32 = [&](uint64_t v) { return llvm::ConstantInt::get(i32, v); };
  auto u64 = [&](uint64_t v) { return llvm::ConstantInt::get(i64, v); };
  auto privateConstant = [&](llvm::Constant *init, const llvm::Twine &name) {
    return new llvm::GlobalVariable(llvmModule, init->getType(), true,
                                    llvm::GlobalValue::PrivateLinkage, init,
                                    name);
  };
  auto tableOf = [&](llvm::StructType *type,
                     ArrayRef<llvm::Constant *> rows,
                     const llvm::Twine &name) -> llvm::Constant * {
    auto *array = llvm::ArrayType::get(type, rows.size());
    return privateConstant(llvm::ConstantArray::get(array, rows), name);
  };

  auto *bufferType = llvm::StructType::create(ctx, {i64, i32, i32, ptr},
                                              "tfmrt_vk_program_buffer");
  SmallVector<llvm::Constant *> buffers;
  for (const ProgramBuffer &b : program.buffers) {
    llvm::Constant *data = llvm::ConstantPointerNull::get(
        llvm::PointerType::getUnqual(ctx));
    if (!b.constant.empty()) {
      auto *init = llvm::ConstantDataArray::get(
          ctx, llvm::ArrayRef<uint8_t>(
                   reinterpret_cast<const uint8_t *>(b.constant.data()),
                   b.constant.size()));
      auto *global = privateConstant(init, "__tfmc_vk_constant");
      global->setAlignment(llvm::Align(64));
      data = global;
    } else if (!b.weightSymbol.empty()) {
      // Defined by the weight section (ModelABI), like the CPU target's.
      llvm::GlobalVariable *weight =
          llvmModule.getGlobalVariable(b.weightSymbol);
      if (!weight)
        weight = new llvm::GlobalVariable(
            llvmModule, llvm::ArrayType::get(llvm::Type::getInt8Ty(ctx), b.bytes),
            true, llvm::GlobalValue::ExternalLinkage, nullptr, b.weightSymbol);
      data = weight;
    }
    buffers.push_back(llvm::ConstantStruct::get(
        bufferType, {u64(b.bytes), u32(b.kind), u32(b.index), data}));
  }
  auto *kernelType = llvm::StructType::create(
      ctx, {ptr, i64, ptr, i32, i32, i32}, "tfmrt_vk_program_kernel");
  SmallVector<llvm::Constant *> kernels;
  for (auto [i, k] : llvm::enumerate(program.kernels)) {
    auto *words = privateConstant(
        llvm::ConstantDataArray::get(ctx, ArrayRef<uint32_t>(k.words)),
        "__tfmc_spirv_" + llvm::Twine(i));
    words->setAlignment(llvm::Align(4));
    auto *entryName = privateConstant(
        llvm::ConstantDataArray::getString(ctx, k.entry),
        "__tfmc_spirv_entry_" + llvm::Twine(i));
    kernels.push_back(llvm::ConstantStruct::get(
        kernelType, {words, u64(k.words.size()), entryName, u32(k.bindings),
                     u32(k.sharedBytes), u32(k.needs)}));
  }
  auto *rangeType = llvm::StructType::create(ctx, {i32, i64, i64},
                                             "tfmrt_vk_program_range");
  SmallVector<llvm::Constant *> ranges;
  for (const BufferRef &r : program.ranges)
    ranges.push_back(llvm::ConstantStruct::get(
        rangeType, {u32(r.buffer), u64(r.offset), u64(r.bytes)}));
  auto *groupsType = llvm::ArrayType::get(i32, 3);
  auto *stepType = llvm::StructType::create(ctx, {i32, i32, groupsType, i32},
                                            "tfmrt_vk_program_step");
  auto stepsOf = [&](ArrayRef<ProgramStep> list) {
    SmallVector<llvm::Constant *> rows;
    for (const ProgramStep &s : list)
      rows.push_back(llvm::ConstantStruct::get(
          stepType, {u32(s.kernel), u32(s.firstRange),
                     llvm::ConstantArray::get(
                         groupsType, {u32(s.groups[0]), u32(s.groups[1]),
                                      u32(s.groups[2])}),
                     u32(s.fallback)}));
    return rows;
  };
  SmallVector<llvm::Constant *> steps = stepsOf(program.steps);
  SmallVector<llvm::Constant *> fallbackSteps = stepsOf(program.fallbackSteps);
  SmallVector<llvm::Constant *> sites;
  for (auto [i, site] : llvm::enumerate(program.sites))
    sites.push_back(privateConstant(
        llvm::ConstantDataArray::getString(ctx, site),
        "__tfmc_vk_site_" + llvm::Twine(i)));
  auto *sitesArray = llvm::ArrayType::get(ptr, sites.size());
  auto *programType = llvm::StructType::create(
      ctx,
      {i32, i32, i32, i32, i32, i32, i32, ptr, ptr, ptr, ptr, i32, ptr, i32,
       ptr},
      "tfmrt_vk_program");
  auto *programGlobal = privateConstant(
      llvm::ConstantStruct::get(
          programType,
          {u32(TFMRT_VK_PROGRAM_VERSION), u32(program.needs),
           u32(model.inputs.size()), u32(buffers.size()), u32(kernels.size()),
           u32(ranges.size()), u32(steps.size()),
           tableOf(bufferType, buffers, "__tfmc_vk_buffers"),
           tableOf(kernelType, kernels, "__tfmc_vk_kernels"),
           tableOf(rangeType, ranges, "__tfmc_vk_ranges"),
           tableOf(stepType, steps, "__tfmc_vk_steps"), u32(sites.size()),
           privateConstant(llvm::ConstantArray::get(sitesArray, sites),
                           "__tfmc_vk_sites"),
           u32(fallbackSteps.size()),
           tableOf(stepType, fallbackSteps, "__tfmc_vk_fallback_steps")}),
      "__tfmc_vk_program");

  // The entry point with the CPU target's signature (one expanded memref
  // descriptor per input and output, what the model ABI wraps): it hands
  // the aligned data pointers to the runtime.
  SmallVector<llvm::Type *> params;
  for (const auto *list : {&model.inputs, &model.outputs})
    for (const TensorDesc &t : *list) {
      params.append({ptr, ptr, i64});
      params.append(2 * t.shape.size(), i64);
    }
  auto *function = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), params, false),
      llvm::GlobalValue::ExternalLinkage, entryPoint, llvmModule);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", function));
  size_t count = model.inputs.size() + model.outputs.size();
  llvm::Value *array = b.CreateAlloca(ptr, u32(std::max<size_t>(count, 1)));
  unsigned arg = 0, i = 0;
  for (const auto *list : {&model.inputs, &model.outputs})
    for (const TensorDesc &t : *list) {
      b.CreateStore(function->getArg(arg + 1),
                    b.CreateConstInBoundsGEP1_64(ptr, array, i++));
      arg += 3 + 2 * t.shape.size();
    }
  llvm::FunctionCallee run = llvmModule.getOrInsertFunction(
      "tfmrt_vk_program_run",
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, ptr}, false));
  b.CreateCall(run, {programGlobal, array});
  b.CreateRetVoid();
  return llvm::Error::success();
}
