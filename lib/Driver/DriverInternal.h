//===- DriverInternal.h - pieces of the driver ------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_LIB_DRIVER_DRIVERINTERNAL_H
#define TFMC_LIB_DRIVER_DRIVERINTERNAL_H

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace llvm {
class Module;
class TargetMachine;
class Twine;
class raw_pwrite_stream;
} // namespace llvm

namespace tfmc {

/// A model input or output as the runtime sees it (tfmrt_tensor_info).
struct TensorDesc {
  std::string name;
  int32_t dtype = 0;
  std::vector<int64_t> shape;
  int64_t indexBound = 0;
};

/// A weight's place in the weights file.
struct WeightDesc {
  std::string name;
  std::string symbol;
  uint64_t fileOffset = 0;
  uint64_t byteSize = 0;
  /// The file holding the bytes when it is not the weights file (weights
  /// packed or assembled at compile time).
  std::string path;
  /// A weight with parts (tfm.weight ... parts [...]): the stored tensors
  /// whose bytes, one after the other, are its bytes (concatenation along
  /// dimension 0 of row-major tensors).
  std::vector<std::string> parts;
  std::vector<int64_t> shape;
  std::string dtype;
};

struct ModelDesc {
  std::string name;       ///< the input file's stem
  std::string identifier; ///< `name` as a C identifier (library symbols)
  std::vector<TensorDesc> inputs, outputs;
  std::vector<WeightDesc> weights;
};

/// Prints "tfmc-compile: error: <message>" and returns the bad-input code.
int reportError(const llvm::Twine &message);

/// How the model object presents itself.
enum class ABIKind {
  Executable, ///< defines `tfmc_model`, which the runtime's main runs
  Library,    ///< defines tfmc_<model>_create/_run/_error/_destroy/_info
};

/// Adds what the runtime links against (tfmrt.h): the model descriptor, a
/// uniform `run(void **buffers)` wrapper around the lowered entry function,
/// the library entry points for ABIKind::Library, and the weight data as a
/// raw read-only section included from `weightsPath` (never as LLVM
/// constants).
llvm::Error addModelABI(llvm::Module &module, const ModelDesc &model,
                        llvm::StringRef entryPoint, llvm::StringRef weightsPath,
                        ABIKind kind);

/// Writes the C header of a model library (tfmc_<model>_*, API version 1).
std::string getLibraryHeader(const ModelDesc &model);

/// Writes a static library holding `object` and the runtime's members
/// (without its main), and the Vulkan runtime's for a Vulkan model.
/// Returns an ExitCode.
int writeLibrary(llvm::StringRef object, llvm::StringRef objectName,
                 llvm::StringRef outputPath, bool vulkan);

/// libtfmrt.a beside the tool's installation, else the build tree's.
std::string findRuntimeLibrary();

/// libtfmrt_vulkan.a, beside libtfmrt.a (it calls into it); an error
/// message instead when tfmc was built without it.
llvm::Expected<std::string> findVulkanRuntimeLibrary();

/// Vulkan: the model's static dispatch schedule (from the host function of
/// `module` after the spirv phase) as tfmrt_vk_program tables in
/// `llvmModule`, and the entry point `entryPoint` (the CPU target's
/// signature) that runs it through the Vulkan runtime.
llvm::Error addVulkanProgram(mlir::ModuleOp module, llvm::Module &llvmModule,
                             const ModelDesc &model,
                             llvm::StringRef entryPoint);

/// The width in bits of the widest vector registers `machine` has.
int64_t getVectorBits(const llvm::TargetMachine &machine);

/// A TargetMachine for the host (or `cpu`/`features`), PIC, -O3.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(llvm::StringRef cpu, llvm::StringRef features);

/// LLVM's -O3 module pipeline.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine);

/// Writes an object file (or assembly) for `module`.
llvm::Error emitCode(llvm::Module &module, llvm::TargetMachine &machine,
                     bool assembly, llvm::raw_pwrite_stream &os);

/// Links `objectPath` with the runtime (and libomp when `openMP`, the
/// Vulkan runtime when `vulkan`) into an executable. Returns an ExitCode.
int linkExecutable(llvm::StringRef objectPath, llvm::StringRef outputPath,
                   bool openMP, bool vulkan = false);

} // namespace tfmc

#endif // TFMC_LIB_DRIVER_DRIVERINTERNAL_H
