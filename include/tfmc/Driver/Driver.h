//===- Driver.h - the tfmc compiler driver ----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_DRIVER_DRIVER_H
#define TFMC_DRIVER_DRIVER_H

#include "tfmc/Pipelines/Pipelines.h"

#include <optional>
#include <string>

namespace tfmc {

/// What tfmc-compile writes.
enum class EmitKind { Exe, Lib, Obj, Asm, LLVMIR, MLIR, SPIRV };

std::optional<EmitKind> parseEmitKind(llvm::StringRef name);

struct CompileOptions {
  std::string inputPath;        ///< model.mlir ("-" for stdin)
  std::string outputPath;       ///< "-" for stdout (text outputs only)
  std::string weightsPath;      ///< empty: <input stem>.safetensors beside it
  EmitKind emit = EmitKind::Exe;
  std::optional<Phase> compileTo; ///< stop after this phase, write its IR
  std::string cpu;              ///< empty: the host CPU
  std::string features;         ///< extra target features ("+avx2,-avx512f")
  std::string entryPoint = "main";
  std::string dumpIRDir;        ///< if set: the IR after every pass, numbered
  std::string attentionLowering = "auto"; ///< auto, flash or unfused
  int64_t attentionBlock = 64;  ///< keys per block of the flash form
  bool parallel = true;         ///< large kernels on several threads (OpenMP)
  std::string target = "cpu";   ///< cpu or vulkan
  /// vulkan: largest range one storage-buffer binding covers.
  int64_t vulkanMaxBufferRange = int64_t(1) << 27;
  /// vulkan: the device class kernels are sized for (default or small).
  std::string vulkanTarget = "default";
  /// vulkan: contractions as tiled kernels (false: one thread per output).
  bool vulkanTiledMatmul = true;
};

/// Process exit codes of the driver.
enum ExitCode : int { Success = 0, BadInput = 1, InternalFailure = 2 };

/// Compiles a model as `options` says. Diagnostics go to stderr with the
/// location of the op, file or tensor at fault. Returns an ExitCode.
int compile(const CompileOptions &options);

/// Registers the MLIR command-line options the driver honours
/// (--mlir-timing, --mlir-print-ir-after-all, …). Call before parsing.
void registerDriverCLOptions();

} // namespace tfmc

#endif // TFMC_DRIVER_DRIVER_H
