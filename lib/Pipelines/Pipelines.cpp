//===- Pipelines.cpp - tfmc pass pipelines ----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "tfmc/Pipelines/Pipelines.h"

#include "Tfm/Transforms/Passes.h"
#include "tfmc/Codegen/Passes.h"
#include "tfmc/Conversion/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/GPUToSPIRV/GPUToSPIRVPass.h"
#include "mlir/Conversion/MathToSPIRV/MathToSPIRVPass.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/Transforms/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

std::optional<tfmc::Phase> tfmc::parsePhase(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("input", Phase::Input)
      .Case("graph", Phase::Graph)
      .Case("linalg", Phase::Linalg)
      .Case("bufferized", Phase::Bufferized)
      .Case("llvm", Phase::LLVM)
      .Case("spirv", Phase::SPIRV)
      .Default(std::nullopt);
}

llvm::StringRef tfmc::getPhaseName(Phase phase) {
  switch (phase) {
  case Phase::Input: return "input";
  case Phase::Graph: return "graph";
  case Phase::Linalg: return "linalg";
  case Phase::Bufferized: return "bufferized";
  case Phase::LLVM: return "llvm";
  case Phase::SPIRV: return "spirv";
  }
  llvm_unreachable("unknown phase");
}

void tfmc::buildGraphPipeline(OpPassManager &pm,
                              const CpuPipelineOptions &options) {
  tfm::TfmVerifyModelPassOptions verify;
  verify.entryPoint = options.entryPoint;
  pm.addPass(tfm::createTfmVerifyModelPass(verify));
  pm.addPass(tfm::createTfmDecomposeCompositesPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // After folding, so constant scales and masks are literals.
  pm.addPass(tfm::createTfmFuseAttentionPass());
  // After fusion, which matches the projections' users, not the projections.
  pm.addPass(tfm::createTfmMergeProjectionsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// The register tile fills most of the vector registers: 16 of AVX-512's
/// 32, 12 of AVX2's (or SSE's) 16, leaving room for the B vectors and the
/// broadcast of A.
static tfmc::TileContractionsPassOptions getTileOptions(int64_t vectorBits) {
  tfmc::TileContractionsPassOptions tile;
  tile.lanes = std::max<int64_t>(vectorBits / 32, 1);
  tile.rows = vectorBits >= 512 ? 8 : 6;
  tile.vectors = 2;
  return tile;
}

void tfmc::buildLinalgPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options) {
  bool vulkan = options.target == "vulkan";
  ConfigureLoweringPassOptions configure;
  // Vulkan: weights as given (GPU kernels read them unpacked).
  configure.attention = options.attentionLowering.getValue();
  configure.target = vulkan ? "vulkan" : "cpu";
  configure.attentionBlock = options.attentionBlock;
  tfmc::TileContractionsPassOptions tile = getTileOptions(options.vectorBits);
  configure.weightPanel = vulkan ? 0 : tile.lanes * tile.vectors;
  pm.addPass(createConfigureLoweringPass(configure));
  pm.addPass(createConvertTfmToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Chains of elementwise ops become one loop nest: no intermediate is
  // written to memory and read back.
  pm.addPass(createFuseElementwisePass());
  pm.addPass(createCSEPass());
  // After CSE, which may merge results (e.g. empty tensors).
  pm.addNestedPass<func::FuncOp>(createDistinctResultsPass());
}

void tfmc::buildBufferizePipeline(OpPassManager &pm,
                                  const CpuPipelineOptions &options) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // The flash attention loop carries new tensors from block to block.
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Destination-passing entry point: results become caller-provided output
  // buffers, and the allocations that produced them are replaced by those.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  // CSE before canonicalize: the other order can leave a self-copy that
  // lowers to a call into MLIR's runner utilities.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Static memory plan: intermediates share one arena by live range. (On
  // Vulkan each intermediate stays a buffer of its own for now: kernels
  // bind whole typed buffers.)
  if (options.target != "vulkan")
    pm.addNestedPass<func::FuncOp>(createPlanBuffersPass());
}

void tfmc::buildLowerToLLVMPipeline(OpPassManager &pm,
                                    const CpuPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createExpandStridedCopiesPass());
  // Independent tasks (the flash attention's heads × query blocks).
  if (options.parallel)
    pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  else
    pm.addNestedPass<func::FuncOp>(createForallToForLoopPass());
  // One function per loop nest keeps LLVM's loop passes linear in model size.
  pm.addPass(createOutlineKernelsPass());
  pm.addPass(createTileContractionsPass(getTileOptions(options.vectorBits)));
  tfmc::VectorizeReductionsPassOptions reductions;
  reductions.lanes = std::max<int64_t>(options.vectorBits / 32, 1);
  pm.addNestedPass<func::FuncOp>(createVectorizeReductionsPass(reductions));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  if (options.parallel) {
    pm.addNestedPass<func::FuncOp>(createParallelizeKernelsPass());
    pm.addPass(createConvertSCFToOpenMPPass());
    // Drops the memref.alloca_scope it wraps loop bodies in (they allocate
    // nothing), which would otherwise hold several blocks after scf-to-cf.
    pm.addPass(createCanonicalizerPass());
    pm.addNestedPass<func::FuncOp>(createInlineAllocaScopesPass());
  }
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // bf16 ↔ f32 conversions as integer ops: no soft-float library needed.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createApproximateMathPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  if (options.parallel)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void tfmc::buildLowerToSPIRVPipeline(OpPassManager &pm,
                                     const CpuPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createExpandStridedCopiesPass());
  pm.addPass(createOutlineKernelsPass());
  pm.addPass(createRecordIndexErrorsPass());
  // The online-softmax attention kernels (the "gpu-flash" lowering; their
  // 32-thread workgroups suit both profiles).
  pm.addPass(createLowerGPUAttentionPass());
  if (options.vulkanTiledMatmul) {
    // The profiles' matmul tiles (tfmc-tile-gpu-contractions).
    TileGPUContractionsPassOptions tiles;
    // Default: 256-invocation kernels, each with a 64-invocation variant
    // the runtime picks on devices that allow fewer (Vulkan's minimum is
    // 128); small: only the latter.
    if (options.vulkanTarget == "small")
      tiles.tileM = tiles.tileN = 64;
    else
      tiles.fallbackTile = 64;
    pm.addPass(createTileGPUContractionsPass(tiles));
  }
  pm.addPass(createMapReductionsToSubgroupsPass());
  pm.addPass(createMapToGPUPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createEmulateBF16Pass());
  pm.addPass(createSetSPIRVEntryPointsPass());
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  // Views become index arithmetic on the bound buffers.
  kernels.addPass(memref::createFoldMemRefAliasOpsPass());
  kernels.addPass(createLowerAffinePass());
  // Integer ops on 32 bits wherever the values' ranges allow (GPUs are
  // slow at 64-bit arithmetic). It also keeps Mesa 22's lavapipe correct:
  // it gets signed compares of a sign-extended value with a constant wrong
  // (test_compare_widened_with_constant).
  kernels.addPass(arith::createIntRangeOptimizationsPass());
  kernels.addPass(arith::createArithIntRangeNarrowing(
      arith::ArithIntRangeNarrowingOptions{/*bitwidthsSupported=*/{32}}));
  // floordivsi/ceildivsi (from affine maps) have no SPIR-V counterpart.
  kernels.addPass(arith::createArithExpandOpsPass());
  // exp, log, tanh, erf as polynomials (SPIR-V has no erf; the others match
  // the CPU target's numerics).
  kernels.addPass(createApproximateMathPass(ApproximateMathPassOptions{
      /*expandPow=*/true}));
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createConvertMathToSPIRVPass());
  pm.addPass(createConvertGPUToSPIRVPass());
  OpPassManager &spirvModules = pm.nest<spirv::ModuleOp>();
  spirvModules.addPass(spirv::createSPIRVLowerABIAttributesPass());
  spirvModules.addPass(createPreserveFloatSpecialsPass());
  spirvModules.addPass(spirv::createSPIRVUpdateVCEPass());
  spirvModules.addPass(createSplitLargeBuffersPass(
      SplitLargeBuffersPassOptions{options.vulkanMaxBufferRange}));
}

tfmc::Phase tfmc::getFinalPhase(const CpuPipelineOptions &options) {
  return options.target == "vulkan" ? Phase::SPIRV : Phase::LLVM;
}

void tfmc::buildPhase(OpPassManager &pm, Phase phase,
                      const CpuPipelineOptions &options) {
  switch (phase) {
  case Phase::Input: return;
  case Phase::Graph: return buildGraphPipeline(pm, options);
  case Phase::Linalg: return buildLinalgPipeline(pm, options);
  case Phase::Bufferized: return buildBufferizePipeline(pm, options);
  case Phase::LLVM: return buildLowerToLLVMPipeline(pm, options);
  case Phase::SPIRV: return buildLowerToSPIRVPipeline(pm, options);
  }
}

void tfmc::buildTfmToLLVMPipeline(OpPassManager &pm,
                                  const CpuPipelineOptions &options) {
  for (Phase phase : {Phase::Graph, Phase::Linalg, Phase::Bufferized,
                      getFinalPhase(options)})
    buildPhase(pm, phase, options);
}

LogicalResult tfmc::checkPipelineOptions(
    const CpuPipelineOptions &options,
    function_ref<void(const Twine &)> emitError) {
  auto oneOf = [&](StringRef name, StringRef value,
                   ArrayRef<StringRef> allowed) {
    if (llvm::is_contained(allowed, value))
      return true;
    emitError("unknown " + name + "='" + value + "' (expected " +
              llvm::join(allowed.drop_back(), ", ") + " or " +
              allowed.back() + ")");
    return false;
  };
  auto atLeast = [&](StringRef name, int64_t value, int64_t least,
                     int64_t multiple) {
    if (value >= least && value % multiple == 0)
      return true;
    emitError(name + " must be " +
              (multiple > 1 ? "a positive multiple of " + Twine(multiple)
                            : ">= " + Twine(least)) +
              ", got " + Twine(value));
    return false;
  };
  bool ok =
      oneOf("target", options.target, {"cpu", "vulkan"}) &&
      oneOf("attention", options.attentionLowering,
            {"auto", "flash", "unfused"}) &&
      oneOf("vulkan-target", options.vulkanTarget, {"default", "small"}) &&
      atLeast("attention-block", options.attentionBlock, 1, 1) &&
      atLeast("vector-bits", options.vectorBits, 32, 32) &&
      // Ranges start at multiples of it: 256 is the largest offset
      // alignment (minStorageBufferOffsetAlignment) Vulkan lets a device
      // ask for.
      atLeast("vulkan-max-buffer-range", options.vulkanMaxBufferRange, 256,
              256);
  return success(ok);
}

/// Registers `name` with CpuPipelineOptions checked before `build` runs.
static void registerPipeline(
    StringRef name, StringRef description,
    void (*build)(OpPassManager &, const tfmc::CpuPipelineOptions &)) {
  registerPassPipeline(
      name, description,
      [name, build](OpPassManager &pm, StringRef text,
                    function_ref<LogicalResult(const Twine &)> errorHandler) {
        tfmc::CpuPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        bool ok = succeeded(tfmc::checkPipelineOptions(options, [&](const Twine &m) {
          (void)errorHandler(name + ": " + m);
        }));
        if (!ok)
          return failure();
        build(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(tfmc::CpuPipelineOptions());
      });
}

void tfmc::registerTfmcPipelines() {
  registerPipeline(
      "tfmc-graph-pipeline",
      "The graph phase: check the model, decompose composites, fold, CSE",
      buildGraphPipeline);
  registerPipeline(
      "tfmc-cpu-pipeline",
      "Compile a tfm model to the LLVM dialect for CPUs (every phase)",
      buildTfmToLLVMPipeline);
}
