//===- Driver.cpp - the tfmc compiler driver --------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// model.mlir (+ model.safetensors) → phases of the shared pipeline → LLVM IR
// with the runtime ABI → optimized object (in-process TargetMachine) →
// executable linked with libtfmrt.a.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Driver/Driver.h"
#include "DriverInternal.h"

#include "Tfm/IR/TfmOps.h"
#include "tfmc/Conversion/TfmToLinalg/TfmToLinalg.h"
#include "tfmc/Driver/WeightStore.h"
#include "tfmc/InitAllDialects.h"
#include "tfmc/Runtime/tfmrt.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Target/SPIRV/Serialization.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace tfmc;

std::optional<EmitKind> tfmc::parseEmitKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<EmitKind>>(name)
      .Case("exe", EmitKind::Exe)
      .Case("lib", EmitKind::Lib)
      .Case("obj", EmitKind::Obj)
      .Case("asm", EmitKind::Asm)
      .Case("llvm", EmitKind::LLVMIR)
      .Case("mlir", EmitKind::MLIR)
      .Case("spirv", EmitKind::SPIRV)
      .Default(std::nullopt);
}

void tfmc::registerDriverCLOptions() {
  registerMLIRContextCLOptions();
  registerAsmPrinterCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
}

int tfmc::reportError(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "tfmc-compile") << message << "\n";
  return ExitCode::BadInput;
}

//===----------------------------------------------------------------------===//
// Model description (from the graph phase)
//===----------------------------------------------------------------------===//

static std::optional<int32_t> getRuntimeDType(Type t) {
  if (t.isF32())
    return TFMRT_F32;
  if (t.isF16())
    return TFMRT_F16;
  if (t.isBF16())
    return TFMRT_BF16;
  if (t.isInteger(1))
    return TFMRT_I1;
  if (t.isInteger(32))
    return TFMRT_I32;
  if (t.isInteger(64))
    return TFMRT_I64;
  return std::nullopt;
}

static llvm::StringRef getSafetensorsDType(Type t) {
  if (t.isF32())
    return "F32";
  if (t.isF16())
    return "F16";
  if (t.isBF16())
    return "BF16";
  if (t.isInteger(1))
    return "BOOL";
  if (t.isInteger(32))
    return "I32";
  if (t.isInteger(64))
    return "I64";
  return "";
}

/// The largest exclusive bound every use of `arg` as embedding ids imposes.
static int64_t getIndexBound(BlockArgument arg) {
  int64_t bound = 0;
  for (Operation *user : arg.getUsers())
    if (auto embedding = dyn_cast<tfm::EmbeddingOp>(user);
        embedding && embedding.getIndices() == arg) {
      int64_t vocab = embedding.getTable().getType().getDimSize(0);
      bound = bound ? std::min(bound, vocab) : vocab;
    }
  return bound;
}

static TensorDesc describeTensor(Type type, DictionaryAttr attrs) {
  auto tensor = cast<RankedTensorType>(type);
  TensorDesc desc;
  desc.name = attrs.getAs<StringAttr>(tfm::TfmDialect::getNameAttrName())
                  .getValue()
                  .str();
  desc.dtype = *getRuntimeDType(tensor.getElementType());
  desc.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  return desc;
}

/// Reads inputs, outputs and weights off the verified graph-phase module and
/// checks every weight against the weights file.
static FailureOr<ModelDesc> describeModel(ModuleOp module,
                                          const CompileOptions &options,
                                          const WeightStore *store,
                                          llvm::StringRef weightsPath,
                                          bool weightsRequired) {
  ModelDesc desc;
  desc.name = llvm::sys::path::stem(options.inputPath).str();
  if (desc.name.empty() || options.inputPath == "-")
    desc.name = "model";
  for (char c : desc.name)
    desc.identifier += llvm::isAlnum(c) ? c : '_';
  if (llvm::isDigit(desc.identifier.front()))
    desc.identifier = "m" + desc.identifier;
  auto entry = module.lookupSymbol<func::FuncOp>(options.entryPoint);
  for (BlockArgument arg : entry.getArguments()) {
    TensorDesc t =
        describeTensor(arg.getType(), entry.getArgAttrDict(arg.getArgNumber()));
    t.indexBound = getIndexBound(arg);
    desc.inputs.push_back(std::move(t));
  }
  for (auto [i, type] : llvm::enumerate(entry.getResultTypes()))
    desc.outputs.push_back(describeTensor(type, entry.getResultAttrDict(i)));

  bool ok = true;
  llvm::StringSet<> seen;
  module.walk([&](tfm::WeightOp weight) {
    if (!seen.insert(weight.getName()).second)
      return;
    auto type = weight.getType();
    if (!store && !weightsRequired)
      return;
    if (!store) {
      weight.emitError() << "weight '" << weight.getName()
                         << "' needs a weights file, but none was found (looked for '"
                         << weightsPath << "'; pass --weights FILE)";
      ok = false;
      return;
    }
    llvm::StringRef dtype = getSafetensorsDType(type.getElementType());
    if (std::optional<ArrayAttr> parts = weight.getParts()) {
      // Every part: stored, of the weight's dtype and trailing shape; the
      // leading sizes add up to the weight's.
      int64_t rows = 0;
      WeightDesc w{weight.getName().str(),
                   getWeightSymbolName(weight.getName()), 0, 0, "", {},
                   std::vector<int64_t>(type.getShape().begin(), type.getShape().end()),
                   dtype.str()};
      for (auto part : parts->getAsValueRange<StringAttr>()) {
        const StoredTensor *stored = store->lookup(part);
        if (!stored || stored->dtype != dtype || stored->shape.empty() ||
            !llvm::equal(llvm::ArrayRef(stored->shape).drop_front(),
                         type.getShape().drop_front())) {
          weight.emitError() << "weight '" << weight.getName() << "': part '"
                             << part << "' is "
                             << (stored ? "not a " + dtype.str() +
                                              " tensor of the weight's shape "
                                              "but for dimension 0"
                                        : "not in " + store->getPath());
          ok = false;
          return;
        }
        rows += stored->shape[0];
        w.byteSize += stored->byteSize;
        w.parts.push_back(part.str());
      }
      if (rows != type.getDimSize(0)) {
        weight.emitError() << "weight '" << weight.getName() << "': its parts "
                           << "have " << rows << " rows, the weight "
                           << type.getDimSize(0);
        ok = false;
        return;
      }
      desc.weights.push_back(std::move(w));
      return;
    }
    const StoredTensor *stored = store->lookup(weight.getName());
    if (!stored) {
      weight.emitError() << "weight '" << weight.getName()
                         << "' is not in " << store->getPath();
      ok = false;
      return;
    }
    if (stored->dtype != dtype ||
        !llvm::equal(stored->shape, type.getShape())) {
      std::string shape;
      llvm::raw_string_ostream os(shape);
      llvm::interleave(stored->shape, os, "x");
      weight.emitError() << "weight '" << weight.getName() << "' is " << type
                         << " in the model but " << stored->dtype << " ["
                         << shape << "] in " << store->getPath();
      ok = false;
      return;
    }
    desc.weights.push_back(
        {weight.getName().str(), getWeightSymbolName(weight.getName()),
         stored->fileOffset, stored->byteSize, /*path=*/"", {},
         stored->shape, stored->dtype});
  });
  if (!ok)
    return failure();
  return desc;
}

//===----------------------------------------------------------------------===//
// Output helpers
//===----------------------------------------------------------------------===//

static std::string defaultOutputPath(const CompileOptions &options) {
  if (options.compileTo || options.emit == EmitKind::MLIR)
    return "-";
  llvm::StringRef stem = llvm::sys::path::stem(options.inputPath);
  std::string base = stem.empty() || options.inputPath == "-" ? "model"
                                                              : stem.str();
  switch (options.emit) {
  case EmitKind::Exe: return base;
  case EmitKind::Lib: return "lib" + base + ".a";
  case EmitKind::Obj: return base + ".o";
  case EmitKind::Asm: return base + ".s";
  case EmitKind::LLVMIR: return base + ".ll";
  case EmitKind::MLIR: return "-";
  case EmitKind::SPIRV: return base + ".spirv";
  }
  llvm_unreachable("unknown emit kind");
}

/// A file for a compile-time output beside `base` when `keep`, else a
/// temporary one that `removers` deletes.
static llvm::Expected<std::string>
newWeightFile(bool keep, llvm::StringRef base, llvm::StringRef symbol,
              std::vector<std::unique_ptr<llvm::FileRemover>> &removers) {
  llvm::SmallString<256> path;
  if (keep)
    path = (base + "." + symbol + ".bin").str();
  else if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
               "tfmc-weight", "bin", path))
    return llvm::createStringError(ec, "cannot create a temporary file: " +
                                           ec.message());
  if (!keep)
    removers.push_back(std::make_unique<llvm::FileRemover>(path));
  llvm::sys::fs::make_absolute(path);
  return path.str().str();
}

/// A weight's bytes: the stored tensor's, or for a weight with parts its
/// parts' bytes one after the other (kept in `assembled`).
static llvm::StringRef getWeightData(const WeightStore &store,
                                     const WeightDesc &w,
                                     std::string &assembled) {
  if (w.parts.empty())
    return store.getData(*store.lookup(w.name));
  assembled.clear();
  assembled.reserve(w.byteSize);
  for (const std::string &part : w.parts)
    assembled += store.getData(*store.lookup(part));
  return assembled;
}

/// Writes every weight the code reads packed (a global
/// `<weight symbol>_panels<P>` of `llvmModule`) into a file, and adds it to
/// `weights` to be embedded like the others: beside `base` when `keep`, else
/// a temporary file that `removers` deletes.
/// Weights with parts are assembled here too, and written as they are
/// only when the code also reads them unpacked.
static int
writePackedWeights(llvm::Module &llvmModule, const WeightStore &store,
                   bool keep, llvm::StringRef base,
                   std::vector<WeightDesc> &weights,
                   std::vector<std::unique_ptr<llvm::FileRemover>> &removers) {
  std::vector<WeightDesc> packed;
  std::string assembled;
  for (WeightDesc &w : weights) {
    llvm::StringRef data = getWeightData(store, w, assembled);
    if (!w.parts.empty()) {
      llvm::GlobalVariable *unpacked = llvmModule.getGlobalVariable(w.symbol);
      if (unpacked && !unpacked->use_empty()) {
        llvm::Expected<std::string> path =
            newWeightFile(keep, base, w.symbol, removers);
        if (!path)
          return reportError(llvm::toString(path.takeError()));
        std::error_code ec;
        llvm::raw_fd_ostream os(*path, ec, llvm::sys::fs::OF_None);
        if (ec)
          return reportError("cannot write '" + *path + "': " + ec.message());
        os << data;
        os.close();
        if (os.has_error())
          return reportError("cannot write '" + *path + "': " +
                             os.error().message());
        w.path = *path;
        w.fileOffset = 0;
      }
    }
    std::string prefix = w.symbol + "_panels";
    for (llvm::GlobalVariable &global : llvmModule.globals()) {
      llvm::StringRef symbol = global.getName();
      int64_t panel;
      if (!symbol.starts_with(prefix) ||
          symbol.drop_front(prefix.size()).getAsInteger(10, panel))
        continue;
      llvm::Expected<std::string> path =
          newWeightFile(keep, base, symbol, removers);
      if (!path)
        return reportError(llvm::toString(path.takeError()));
      StoredTensor tensor{w.name, w.dtype, w.shape, 0, w.byteSize};
      llvm::Expected<uint64_t> bytes =
          writePackedPanels(tensor, data, panel, *path);
      if (!bytes)
        return reportError(llvm::toString(bytes.takeError()));
      packed.push_back({w.name, symbol.str(), 0, *bytes, *path, {}, {}, ""});
    }
  }
  weights.insert(weights.end(), packed.begin(), packed.end());
  return ExitCode::Success;
}

/// Each spirv.module of `module` as DIR/<kernel>.spv (SPIR-V binary).
static int writeSPIRVKernels(ModuleOp module, llvm::StringRef dir) {
  if (dir.empty() || dir == "-")
    return reportError("--emit=spirv writes one file per kernel: give a "
                       "directory with -o");
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return reportError("cannot create '" + dir + "': " + ec.message());
  int kernels = 0;
  for (auto spirvModule : module.getOps<spirv::ModuleOp>()) {
    SmallVector<uint32_t, 0> words;
    if (failed(spirv::serialize(spirvModule, words)))
      return reportError("cannot serialize SPIR-V module " +
                         spirvModule.getName().value_or("<unnamed>"));
    std::string name = spirvModule.getName().value_or("kernel").str();
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name + ".spv");
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
    if (ec)
      return reportError("cannot write '" + path + "': " + ec.message());
    os.write(reinterpret_cast<const char *>(words.data()),
             words.size() * sizeof(uint32_t));
    ++kernels;
  }
  llvm::outs() << "tfmc-compile: wrote " << kernels << " SPIR-V kernel(s) to "
               << dir << "\n";
  return ExitCode::Success;
}

static int writeText(llvm::StringRef path,
                     llvm::function_ref<void(llvm::raw_ostream &)> write) {
  std::string error;
  auto output = openOutputFile(path, &error);
  if (!output)
    return reportError("cannot write '" + path + "': " + error);
  write(output->os());
  output->keep();
  return ExitCode::Success;
}

/// Writes the module after every pass to DIR/NNN-<phase>-<pass>.mlir, numbered
/// across all phases in pipeline order, so any two steps can be diffed.
class DumpToDirectory : public PassManager::IRPrinterConfig {
public:
  DumpToDirectory(llvm::StringRef dir, llvm::StringRef phase, unsigned &counter)
      : IRPrinterConfig(/*printModuleScope=*/true,
                        /*printAfterOnlyOnChange=*/false,
                        /*printAfterOnlyOnFailure=*/false,
                        // Every op shows the location it came from.
                        OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                          /*prettyForm=*/false)),
        dir(dir), phase(phase), counter(counter) {}

  void printAfterIfEnabled(Pass *pass, Operation *op,
                           PrintCallbackFn print) override {
    // Function passes also visit declarations: one file per pass is enough.
    if (auto func = dyn_cast<FunctionOpInterface>(op); func && func.isExternal())
      return;
    llvm::StringRef name = pass->getArgument();
    if (name.empty())
      name = pass->getName();
    dump((phase + "-" + name).str(), print);
  }

  /// Writes one numbered file; reports (once) if it cannot.
  void dump(const std::string &step, PrintCallbackFn print) {
    std::string file;
    llvm::raw_string_ostream fileName(file);
    fileName << llvm::format("%03u-", counter++);
    for (char c : step)
      fileName << (llvm::isAlnum(c) || c == '-' || c == '_' ? c : '-');
    fileName << ".mlir";
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, file);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
    if (ec) {
      reportError("cannot write '" + path + "': " + ec.message());
      return;
    }
    print(os);
  }

private:
  std::string dir, phase;
  unsigned &counter;
};

//===----------------------------------------------------------------------===//
// compile
//===----------------------------------------------------------------------===//

int tfmc::compile(const CompileOptions &options) {
  CpuPipelineOptions pipelineOptions;
  pipelineOptions.target = options.target;
  pipelineOptions.entryPoint = options.entryPoint;
  pipelineOptions.attentionLowering = options.attentionLowering;
  pipelineOptions.attentionBlock = options.attentionBlock;
  pipelineOptions.parallel = options.parallel;
  pipelineOptions.vulkanMaxBufferRange = options.vulkanMaxBufferRange;
  pipelineOptions.vulkanTiledMatmul = options.vulkanTiledMatmul;
  pipelineOptions.vulkanTarget = options.vulkanTarget;
  std::string optionError;
  if (failed(checkPipelineOptions(
          pipelineOptions, [&](const Twine &m) { optionError = m.str(); })))
    return reportError(optionError);

  DialectRegistry registry;
  registerAllDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string error;
  auto file = openInputFile(options.inputPath, &error);
  if (!file)
    return reportError("cannot read model '" + options.inputPath +
                       "': " + error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope rootTimer = timing.getRootScope();

  OwningOpRef<ModuleOp> module;
  {
    TimingScope parseTimer = rootTimer.nest("parse");
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  if (!module)
    return ExitCode::BadInput;

  unsigned dumpCounter = 0;
  if (!options.dumpIRDir.empty()) {
    if (std::error_code ec =
            llvm::sys::fs::create_directories(options.dumpIRDir))
      return reportError("cannot create --dump-ir-dir '" + options.dumpIRDir +
                         "': " + ec.message());
    // Module-scope printing from nested pass managers needs one thread.
    context.disableMultithreading();
    DumpToDirectory inputDump(options.dumpIRDir, "input", dumpCounter);
    inputDump.dump("input", [&](llvm::raw_ostream &os) {
      module->print(os, inputDump.getOpPrintingFlags());
    });
  }

  std::string outputPath = options.outputPath.empty()
                               ? defaultOutputPath(options)
                               : options.outputPath;
  bool vulkan = options.target == "vulkan";
  if (vulkan) {
    if (options.compileTo == Phase::LLVM)
      return reportError("--compile-to=llvm is the cpu target's last phase; "
                         "vulkan's is spirv");
  } else if (options.emit == EmitKind::SPIRV ||
             options.compileTo == Phase::SPIRV) {
    return reportError("SPIR-V is what --target=vulkan produces; the cpu "
                       "target ends in LLVM");
  }
  // The target decides the register tile of the generated matmuls.
  auto targetMachine = createTargetMachine(options.cpu, options.features);
  if (!targetMachine)
    return reportError(llvm::toString(targetMachine.takeError()));
  pipelineOptions.vectorBits = getVectorBits(**targetMachine);
  std::optional<Phase> stopAfter = options.compileTo;

  // Runs the passes of `phase` on the module, under its own timer.
  auto runPhase = [&](Phase phase) -> LogicalResult {
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    TimingScope phaseTimer = rootTimer.nest(getPhaseName(phase));
    pm.enableTiming(phaseTimer);
    if (!options.dumpIRDir.empty())
      pm.enableIRPrinting(std::make_unique<DumpToDirectory>(
          options.dumpIRDir, getPhaseName(phase), dumpCounter));
    buildPhase(pm, phase, pipelineOptions);
    return pm.run(*module);
  };

  if (stopAfter == Phase::Input)
    return writeText(outputPath, [&](llvm::raw_ostream &os) { module->print(os); });
  if (failed(runPhase(Phase::Graph)))
    return ExitCode::BadInput;
  if (stopAfter == Phase::Graph)
    return writeText(outputPath, [&](llvm::raw_ostream &os) { module->print(os); });

  // The model's interface and weights are fixed after the graph phase.
  std::string weightsPath = options.weightsPath;
  bool weightsGiven = !weightsPath.empty();
  if (!weightsGiven) {
    llvm::SmallString<256> beside(options.inputPath);
    llvm::sys::path::replace_extension(beside, ".safetensors");
    weightsPath = beside.str().str();
  }
  std::unique_ptr<WeightStore> store;
  bool needsWeights = false;
  module->walk([&](tfm::WeightOp) {
    needsWeights = true;
    return WalkResult::interrupt();
  });
  if (weightsGiven || (needsWeights && llvm::sys::fs::exists(weightsPath))) {
    TimingScope weightsTimer = rootTimer.nest("weights");
    auto opened = WeightStore::open(weightsPath);
    if (!opened)
      return reportError(llvm::toString(opened.takeError()));
    store = std::move(*opened);
  }
  // IR dumps need no weights; code does. A given file is checked either way.
  bool weightsRequired = !stopAfter && options.emit != EmitKind::MLIR &&
                         options.emit != EmitKind::SPIRV;
  FailureOr<ModelDesc> model = describeModel(*module, options, store.get(),
                                             weightsPath, weightsRequired);
  if (failed(model))
    return ExitCode::BadInput;

  for (Phase phase :
       {Phase::Linalg, Phase::Bufferized, getFinalPhase(pipelineOptions)}) {
    if (failed(runPhase(phase)))
      return ExitCode::BadInput;
    if (stopAfter == phase)
      return writeText(outputPath,
                       [&](llvm::raw_ostream &os) { module->print(os); });
  }
  if (options.emit == EmitKind::MLIR)
    return writeText(outputPath, [&](llvm::raw_ostream &os) { module->print(os); });
  if (options.emit == EmitKind::SPIRV)
    return writeSPIRVKernels(*module, outputPath);

  // LLVM IR, the runtime ABI, optimization, code generation.
  TimingScope llvmTimer = rootTimer.nest("LLVM");
  // The names are in the model descriptor; LLVM has no use for them.
  module->walk([](Operation *op) {
    if (auto func = dyn_cast<FunctionOpInterface>(op)) {
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        func.removeArgAttr(i, StringAttr::get(op->getContext(),
                                              tfm::TfmDialect::getNameAttrName()));
      for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
        func.removeResultAttr(i, StringAttr::get(op->getContext(),
                                                 tfm::TfmDialect::getNameAttrName()));
    }
  });
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
  if (vulkan) {
    // The host side is data: the schedule's tables and an entry point that
    // hands them to the Vulkan runtime.
    llvmModule = std::make_unique<llvm::Module>(model->name, llvmContext);
    if (llvm::Error err = addVulkanProgram(*module, *llvmModule, *model,
                                           options.entryPoint)) {
      llvm::consumeError(std::move(err));
      return ExitCode::BadInput; // the op at fault was reported
    }
  } else {
    llvmModule = translateModuleToLLVMIR(*module, llvmContext, model->name);
  }
  if (!llvmModule)
    return reportError("translation to LLVM IR failed");
  llvmModule->setDataLayout((*targetMachine)->createDataLayout());
  llvmModule->setTargetTriple((*targetMachine)->getTargetTriple());
  std::string absoluteWeights;
  if (store) {
    llvm::SmallString<256> abs(store->getPath());
    llvm::sys::fs::make_absolute(abs);
    absoluteWeights = abs.str().str();
  }
  // Objects and executables embed the packed weights and drop the files;
  // assembly and LLVM IR refer to them by name, so they stay beside the
  // output.
  bool keepPackedWeights =
      options.emit == EmitKind::Asm || options.emit == EmitKind::LLVMIR;
  std::vector<std::unique_ptr<llvm::FileRemover>> packedFiles;
  if (store) {
    std::string base = outputPath != "-"           ? outputPath
                       : options.inputPath != "-" ? options.inputPath
                                                  : std::string("model");
    if (int rc = writePackedWeights(*llvmModule, *store, keepPackedWeights,
                                    base, model->weights, packedFiles))
      return rc;
  }
  if (llvm::Error err = addModelABI(
          *llvmModule, *model, options.entryPoint, absoluteWeights,
          options.emit == EmitKind::Lib ? ABIKind::Library
                                        : ABIKind::Executable))
    return reportError(llvm::toString(std::move(err)));
  optimizeModule(*llvmModule, **targetMachine);

  switch (options.emit) {
  case EmitKind::LLVMIR:
    return writeText(outputPath,
                     [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); });
  case EmitKind::Asm:
  case EmitKind::Obj: {
    std::error_code ec;
    llvm::ToolOutputFile out(outputPath, ec,
                             options.emit == EmitKind::Asm
                                 ? llvm::sys::fs::OF_Text
                                 : llvm::sys::fs::OF_None);
    if (ec)
      return reportError("cannot write '" + outputPath + "': " + ec.message());
    if (llvm::Error err = emitCode(*llvmModule, **targetMachine,
                                   options.emit == EmitKind::Asm, out.os()))
      return reportError(llvm::toString(std::move(err)));
    out.keep();
    return ExitCode::Success;
  }
  case EmitKind::Lib: {
    llvm::SmallVector<char, 0> object;
    llvm::raw_svector_ostream os(object);
    if (llvm::Error err =
            emitCode(*llvmModule, **targetMachine, /*assembly=*/false, os))
      return reportError(llvm::toString(std::move(err)));
    if (int rc = writeLibrary(llvm::StringRef(object.data(), object.size()),
                              model->identifier + ".o", outputPath, vulkan))
      return rc;
    // lib<name>.a → lib<name>.h beside it.
    llvm::SmallString<256> headerPath(outputPath);
    if (llvm::sys::path::extension(headerPath) == ".a")
      llvm::sys::path::replace_extension(headerPath, ".h");
    else
      headerPath += ".h";
    return writeText(headerPath, [&](llvm::raw_ostream &os) {
      os << getLibraryHeader(*model);
    });
  }
  case EmitKind::Exe: {
    llvm::SmallString<128> objectPath;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "tfmc-" + model->name, "o", objectPath))
      return reportError("cannot create a temporary file: " + ec.message());
    llvm::FileRemover removeObject(objectPath);
    {
      std::error_code ec;
      llvm::raw_fd_ostream os(objectPath, ec, llvm::sys::fs::OF_None);
      if (ec)
        return reportError("cannot write '" + objectPath + "': " + ec.message());
      if (llvm::Error err =
              emitCode(*llvmModule, **targetMachine, /*assembly=*/false, os))
        return reportError(llvm::toString(std::move(err)));
    }
    TimingScope linkTimer = rootTimer.nest("link");
    // Parallel kernels call into the OpenMP runtime (libomp).
    bool usesOpenMP = llvmModule->getFunction("__kmpc_fork_call") != nullptr;
    return linkExecutable(objectPath, outputPath, usesOpenMP, vulkan);
  }
  case EmitKind::MLIR:
  case EmitKind::SPIRV:
    break;
  }
  llvm_unreachable("handled above");
}
