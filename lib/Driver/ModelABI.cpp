//===- ModelABI.cpp - the runtime ABI in LLVM IR ----------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "tfmc/Runtime/tfmrt.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

using namespace llvm;
using tfmc::TensorDesc;
using tfmc::WeightDesc;
using tfmc::ModelDesc;

namespace {

/// Escapes a path for a double-quoted assembler string.
std::string quoteForAssembler(StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

Constant *globalString(Module &module, StringRef text, const Twine &name) {
  Constant *data = ConstantDataArray::getString(module.getContext(), text);
  auto *global = new GlobalVariable(module, data->getType(), /*isConstant=*/true,
                                    GlobalValue::PrivateLinkage, data, name);
  global->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return global;
}

/// tfmrt_tensor_info: { ptr name, i32 dtype, i32 rank, ptr shape, i64 bound }
Constant *tensorInfos(Module &module, StructType *infoType,
                      ArrayRef<TensorDesc> tensors, StringRef kind) {
  LLVMContext &ctx = module.getContext();
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);
  SmallVector<Constant *> infos;
  for (auto [i, t] : llvm::enumerate(tensors)) {
    SmallVector<uint64_t> dims(t.shape.begin(), t.shape.end());
    Constant *shapeData = ConstantDataArray::get(ctx, dims);
    auto *shape = new GlobalVariable(
        module, shapeData->getType(), true, GlobalValue::PrivateLinkage,
        shapeData, "__tfmc_" + kind + "_shape_" + Twine(i));
    infos.push_back(ConstantStruct::get(
        infoType,
        {globalString(module, t.name, "__tfmc_" + kind + "_name_" + Twine(i)),
         ConstantInt::get(i32, t.dtype), ConstantInt::get(i32, t.shape.size()),
         shape, ConstantInt::get(i64, t.indexBound)}));
  }
  auto *arrayType = ArrayType::get(infoType, infos.size());
  return new GlobalVariable(module, arrayType, true, GlobalValue::PrivateLinkage,
                            ConstantArray::get(arrayType, infos),
                            "__tfmc_" + kind + "s");
}

/// tfmc_<id>_{create,run,error,destroy,info}: typed, per-model names for
/// the runtime's context API, bound to this model's descriptor.
void addLibraryEntryPoints(Module &module, const ModelDesc &model,
                           GlobalVariable *descriptor) {
  LLVMContext &ctx = module.getContext();
  Type *ptr = PointerType::getUnqual(ctx);
  Type *i32 = Type::getInt32Ty(ctx);
  Type *voidType = Type::getVoidTy(ctx);
  std::string prefix = "tfmc_" + model.identifier + "_";
  // Each forwards its arguments to tfmrt_<what>, prepending the descriptor
  // where `withModel`.
  auto forward = [&](StringRef what, Type *result, ArrayRef<Type *> params,
                     bool withModel) {
    SmallVector<Type *> calleeParams;
    if (withModel)
      calleeParams.push_back(ptr);
    llvm::append_range(calleeParams, params);
    FunctionCallee callee = module.getOrInsertFunction(
        ("tfmrt_" + what).str(), FunctionType::get(result, calleeParams, false));
    Function *f = Function::Create(FunctionType::get(result, params, false),
                                   GlobalValue::ExternalLinkage,
                                   prefix + what.str(), module);
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    SmallVector<Value *> args;
    if (withModel)
      args.push_back(descriptor);
    for (Argument &arg : f->args())
      args.push_back(&arg);
    Value *call = b.CreateCall(callee, args);
    if (result->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(call);
  };
  forward("create", ptr, {}, true);
  forward("run", i32, {ptr, ptr, ptr}, false);
  forward("error", ptr, {ptr}, false);
  forward("destroy", voidType, {ptr}, false);
  Function *info = Function::Create(FunctionType::get(ptr, {}, false),
                                    GlobalValue::ExternalLinkage,
                                    prefix + "info", module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", info));
  b.CreateRet(descriptor);
}

} // namespace

Error tfmc::addModelABI(Module &module, const ModelDesc &model,
                        StringRef entryPoint, StringRef weightsPath,
                        ABIKind kind) {
  LLVMContext &ctx = module.getContext();
  Function *entry = module.getFunction(entryPoint);
  // The lowered entry point takes each buffer as an expanded memref
  // descriptor: allocated and aligned pointer, offset, sizes, strides.
  SmallVector<const TensorDesc *> buffers;
  size_t expectedArgs = 0;
  for (const auto *list : {&model.inputs, &model.outputs})
    for (const TensorDesc &t : *list) {
      buffers.push_back(&t);
      expectedArgs += 3 + 2 * t.shape.size();
    }
  if (!entry || entry->arg_size() != expectedArgs)
    return createStringError(inconvertibleErrorCode(),
                             "the lowered entry point @" + entryPoint +
                                 " does not take one memref descriptor per "
                                 "input and output (compiler bug)");
  // `main` would clash with the executable's own main.
  entry->setName("__tfmc_entry");
  entry->setLinkage(GlobalValue::InternalLinkage);

  // void run(void **buffers): buffer i is buffers[i], dense and row-major.
  Type *ptr = PointerType::getUnqual(ctx);
  Type *index = Type::getInt64Ty(ctx);
  auto *runType = FunctionType::get(Type::getVoidTy(ctx), {ptr}, false);
  Function *run = Function::Create(runType, GlobalValue::InternalLinkage,
                                   "__tfmc_run", module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", run));
  SmallVector<Value *> args;
  for (auto [i, t] : llvm::enumerate(buffers)) {
    Value *data = b.CreateLoad(
        ptr, b.CreateConstInBoundsGEP1_64(ptr, run->getArg(0), i));
    args.append({data, data, ConstantInt::get(index, 0)});
    for (int64_t d : t->shape)
      args.push_back(ConstantInt::get(index, d));
    int64_t stride = 1;
    SmallVector<int64_t> strides(t->shape.size());
    for (size_t d = t->shape.size(); d-- > 0;) {
      strides[d] = stride;
      stride *= t->shape[d];
    }
    for (int64_t s : strides)
      args.push_back(ConstantInt::get(index, s));
  }
  b.CreateCall(entry, args);
  b.CreateRetVoid();

  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);
  auto *infoType = StructType::create(ctx, {ptr, i32, i32, ptr, i64},
                                      "tfmrt_tensor_info");
  auto *modelType = StructType::create(ctx, {i32, ptr, i32, i32, ptr, ptr, ptr},
                                       "tfmrt_model");
  Constant *descriptor = ConstantStruct::get(
      modelType,
      {ConstantInt::get(i32, TFMRT_ABI_VERSION),
       globalString(module, model.name, "__tfmc_model_name"),
       ConstantInt::get(i32, model.inputs.size()),
       ConstantInt::get(i32, model.outputs.size()),
       tensorInfos(module, infoType, model.inputs, "input"),
       tensorInfos(module, infoType, model.outputs, "output"), run});
  bool isLibrary = kind == ABIKind::Library;
  // Libraries of several models link into one program: each keeps its
  // descriptor to itself and exports only its prefixed functions.
  auto *modelGlobal = new GlobalVariable(
      module, modelType, true,
      isLibrary ? GlobalValue::InternalLinkage : GlobalValue::ExternalLinkage,
      descriptor, isLibrary ? "__tfmc_model" : "tfmc_model");
  if (isLibrary)
    addLibraryEntryPoints(module, model, modelGlobal);

  // Weights: a raw section filled straight from the weights file by the
  // assembler; the data never becomes IR.
  if (model.weights.empty())
    return Error::success();
  std::string text = ".section .rodata.tfmc_weights,\"a\",@progbits\n";
  for (const WeightDesc &w : model.weights) {
    GlobalVariable *global = module.getGlobalVariable(w.symbol);
    // Nothing reads it (a weight only ever used in its packed form).
    if (!global || global->use_empty())
      continue;
    if (!w.parts.empty() && w.path.empty())
      return createStringError(inconvertibleErrorCode(),
                               "weight '" + w.name +
                                   "' has parts but was not assembled");
    global->setDSOLocal(true); // defined in this object: no GOT indirection
    text += ".p2align 6\n.hidden " + w.symbol + "\n.globl " + w.symbol +
            "\n.type " + w.symbol + ",@object\n.size " + w.symbol + ", " +
            std::to_string(w.byteSize) + "\n" + w.symbol + ":\n";
    if (w.byteSize)
      text += ".incbin " +
              quoteForAssembler(w.path.empty() ? weightsPath : w.path) + ", " +
              std::to_string(w.fileOffset) + ", " + std::to_string(w.byteSize) +
              "\n";
  }
  text += ".text\n";
  module.appendModuleInlineAsm(text);
  return Error::success();
}
