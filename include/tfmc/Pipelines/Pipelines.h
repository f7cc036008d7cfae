//===- Pipelines.h - tfmc pass pipelines ------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every pipeline is built here, once, and shared by tfmc-opt (registered by
// name) and the tfmc-compile driver (phase by phase, for --compile-to).
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_PIPELINES_PIPELINES_H
#define TFMC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace tfmc {

/// The phases of a compilation, in order (ARCHITECTURE "Phases"). Each names
/// the IR after it has run.
enum class Phase { Input, Graph, Linalg, Bufferized, LLVM, SPIRV };

/// Parses "input", "graph", "linalg", "bufferized", "llvm".
std::optional<Phase> parsePhase(llvm::StringRef name);
llvm::StringRef getPhaseName(Phase phase);

struct CpuPipelineOptions
    : public mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> entryPoint{*this, "entry-point",
                                 llvm::cl::desc("The model's entry function"),
                                 llvm::cl::init("main")};
  Option<std::string> attentionLowering{
      *this, "attention",
      llvm::cl::desc("Attention lowering: auto, flash or unfused"),
      llvm::cl::init("auto")};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run large kernels on several threads (OpenMP)"),
      llvm::cl::init(true)};
  Option<int64_t> attentionBlock{
      *this, "attention-block",
      llvm::cl::desc("Keys per block of the flash attention form"),
      llvm::cl::init(64)};
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("cpu (ends in the LLVM dialect) or vulkan (ends in "
                     "SPIR-V kernels)"),
      llvm::cl::init("cpu")};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Width of the target's vector registers (512: AVX-512, "
                     "256: AVX2, 128: SSE/NEON); sizes the matmul register "
                     "tile"),
      llvm::cl::init(512)};
  Option<int64_t> vulkanMaxBufferRange{
      *this, "vulkan-max-buffer-range",
      llvm::cl::desc("vulkan: largest storage-buffer range one binding "
                     "covers; larger tensors are bound as several (default "
                     "128 MiB, what every Vulkan device allows)"),
      llvm::cl::init(int64_t(1) << 27)};
  Option<std::string> vulkanTarget{
      *this, "vulkan-target",
      llvm::cl::desc("vulkan: the device class kernels are sized for: "
                     "default (256-invocation workgroups: desktop GPUs, "
                     "lavapipe; each with a 64-invocation variant the "
                     "runtime picks on smaller devices) or small (only "
                     "64-invocation kernels)"),
      llvm::cl::init("default")};
  Option<bool> vulkanTiledMatmul{
      *this, "vulkan-tiled-matmul",
      llvm::cl::desc("vulkan: contractions as shared-memory tiled kernels "
                     "(false: one thread per output, for comparison)"),
      llvm::cl::init(true)};
};

/// input → graph: check the model, decompose composites, fold, CSE, fuse
/// every attention chain into tfm.attention.
void buildGraphPipeline(mlir::OpPassManager &pm,
                        const CpuPipelineOptions &options);
/// graph → linalg: the configuration step (lowering choices as attributes),
/// then every tfm op lowered to linalg/tensor/arith/math.
void buildLinalgPipeline(mlir::OpPassManager &pm,
                         const CpuPipelineOptions &options);
/// linalg → bufferized: one-shot bufferization with a destination-passing
/// entry point (outputs are written into caller buffers) and a static
/// memory plan (intermediates share one arena by live range).
void buildBufferizePipeline(mlir::OpPassManager &pm,
                            const CpuPipelineOptions &options);
/// bufferized → llvm: loops, then the LLVM dialect with a bare-pointer
/// calling convention for the entry point.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const CpuPipelineOptions &options);

/// Appends the passes that take IR from the phase before `phase` to it.
void buildPhase(mlir::OpPassManager &pm, Phase phase,
                const CpuPipelineOptions &options);

/// bufferized → spirv (Vulkan): every linalg op a kernel, one GPU thread
/// per parallel iteration, converted to a spirv.module per kernel; the host
/// function calls the kernels.
void buildLowerToSPIRVPipeline(mlir::OpPassManager &pm,
                               const CpuPipelineOptions &options);

/// Checks the values the options allow (the string options' words, the
/// numbers' ranges), calling `emitError` with a message naming the option
/// and value for the first that is not: tfmc-opt's pipelines and
/// tfmc-compile share the rules.
mlir::LogicalResult
checkPipelineOptions(const CpuPipelineOptions &options,
                     llvm::function_ref<void(const llvm::Twine &)> emitError);

/// The last phase of `options.target`: LLVM for cpu, SPIRV for vulkan.
Phase getFinalPhase(const CpuPipelineOptions &options);

/// The whole CPU pipeline: tfm → LLVM dialect.
void buildTfmToLLVMPipeline(mlir::OpPassManager &pm,
                            const CpuPipelineOptions &options);

/// Registers tfmc-graph-pipeline and tfmc-cpu-pipeline for tfmc-opt.
void registerTfmcPipelines();

} // namespace tfmc

#endif // TFMC_PIPELINES_PIPELINES_H
