//===- tfmc-compile.cpp - model.mlir to executable --------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A thin main: parse the command line, hand a CompileOptions to lib/Driver.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Driver/Driver.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::OptionCategory category("tfmc-compile options");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.mlir>"),
                             cl::Required, cl::cat(category));
  cl::opt<std::string> output("o", cl::desc("Output file ('-' for stdout)"),
                              cl::value_desc("file"), cl::cat(category));
  cl::opt<std::string> weights(
      "weights",
      cl::desc("Weights file (default: the .safetensors beside the model)"),
      cl::value_desc("file"), cl::cat(category));
  cl::opt<std::string> target("target",
                              cl::desc("Target: cpu, or vulkan (SPIR-V "
                                       "kernels; executables not yet)"),
                              cl::init("cpu"), cl::cat(category));
  cl::opt<std::string> emit(
      "emit",
      cl::desc("What to write: exe (default), lib (static library + C "
               "header), obj, asm, llvm, mlir, spirv (vulkan: one .spv per "
               "kernel into the -o directory)"),
      cl::init("exe"), cl::cat(category));
  cl::opt<std::string> compileTo(
      "compile-to",
      cl::desc("Stop after a phase and write its IR: input, graph, linalg, "
               "bufferized, llvm (cpu) or spirv (vulkan)"),
      cl::cat(category));
  cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: the host)"),
                            cl::cat(category));
  cl::opt<std::string> mattr(
      "mattr", cl::desc("Target features to add or remove, e.g. -avx512f"),
      cl::cat(category));
  cl::opt<std::string> dumpIRDir(
      "dump-ir-dir",
      cl::desc("Write the IR after every pass into this directory, numbered "
               "in pipeline order (NNN-<phase>-<pass>.mlir)"),
      cl::value_desc("dir"), cl::cat(category));
  cl::opt<std::string> attention(
      "attention",
      cl::desc("How attention is lowered: auto (default: the online-softmax "
               "form when the keys span more than one block), flash, unfused"),
      cl::init("auto"), cl::cat(category));
  cl::opt<int64_t> attentionBlock(
      "attention-block", cl::desc("Keys per block of the flash form"),
      cl::init(64), cl::cat(category));
  cl::opt<bool> noThreads(
      "no-threads",
      cl::desc("Generate single-threaded code (no OpenMP, no libomp)"),
      cl::cat(category));
  cl::opt<int64_t> vulkanMaxBufferRange(
      "vulkan-max-buffer-range",
      cl::desc("--target=vulkan: bytes one storage-buffer binding may cover; "
               "larger tensors are bound as several ranges (default "
               "134217728, the 128 MiB every Vulkan device allows; a "
               "multiple of 256)"),
      cl::init(int64_t(1) << 27), cl::cat(category));
  cl::opt<std::string> vulkanTarget(
      "vulkan-target",
      cl::desc("--target=vulkan: the device class kernels are sized for: "
               "default (workgroups of 256 invocations: desktop GPUs, "
               "lavapipe; each with a 64-invocation variant the runtime "
               "picks on smaller devices) or small (only 64-invocation "
               "kernels)"),
      cl::init("default"), cl::cat(category));
  cl::opt<std::string> vulkanMatmul(
      "vulkan-matmul",
      cl::desc("--target=vulkan: how contractions run: tiled (default: "
               "workgroup tiles staged in shared memory) or naive (one "
               "thread per output; for comparison)"),
      cl::init("tiled"), cl::cat(category));
  cl::opt<std::string> entry("entry-point",
                             cl::desc("The model's entry function"),
                             cl::init("main"), cl::cat(category));
  tfmc::registerDriverCLOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "tfmc-compile: compile a tfm model (model.mlir + "
                              "model.safetensors) into an executable\n");

  auto fail = [](const llvm::Twine &message) {
    llvm::WithColor::error(llvm::errs(), "tfmc-compile") << message << "\n";
    return tfmc::ExitCode::BadInput;
  };
  tfmc::CompileOptions options;
  options.inputPath = input;
  options.outputPath = output;
  options.weightsPath = weights;
  options.cpu = mcpu;
  options.features = mattr;
  options.entryPoint = entry;
  options.dumpIRDir = dumpIRDir;
  // The pipeline's options are checked by the driver (the rules
  // tfmc-opt's pipelines use too).
  options.attentionLowering = attention;
  options.attentionBlock = attentionBlock;
  options.parallel = !noThreads;
  options.target = target;
  options.vulkanMaxBufferRange = vulkanMaxBufferRange;
  if (vulkanMatmul != "tiled" && vulkanMatmul != "naive")
    return fail("unknown --vulkan-matmul='" + vulkanMatmul +
                "' (expected tiled or naive)");
  options.vulkanTiledMatmul = vulkanMatmul == "tiled";
  options.vulkanTarget = vulkanTarget;
  std::optional<tfmc::EmitKind> kind = tfmc::parseEmitKind(emit);
  if (!kind)
    return fail("unknown --emit='" + emit +
                "' (expected exe, lib, obj, asm, llvm, mlir or spirv)");
  options.emit = *kind;
  if (!compileTo.empty()) {
    options.compileTo = tfmc::parsePhase(compileTo);
    if (!options.compileTo)
      return fail("unknown --compile-to='" + compileTo +
                  "' (expected input, graph, linalg, bufferized, llvm or "
                  "spirv)");
  }
  return tfmc::compile(options);
}
