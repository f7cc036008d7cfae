//===- Link.cpp - link a model object into an executable --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"
#include "tfmc/Driver/Driver.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace llvm;

std::string tfmc::findRuntimeLibrary() {
  std::string exe = sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&tfmc::linkExecutable));
  SmallString<256> candidate(sys::path::parent_path(sys::path::parent_path(exe)));
  sys::path::append(candidate, "lib", "libtfmrt.a");
  if (sys::fs::exists(candidate))
    return candidate.str().str();
  return TFMC_RUNTIME_LIBRARY;
}

int tfmc::linkExecutable(StringRef objectPath, StringRef outputPath,
                         bool openMP, bool vulkan) {
  std::string runtime = findRuntimeLibrary();
  if (!sys::fs::exists(runtime))
    return reportError("the runtime library '" + runtime + "' is missing");
  // The Vulkan runtime sits beside libtfmrt.a and calls into it.
  SmallString<256> vulkanRuntime(sys::path::parent_path(runtime));
  sys::path::append(vulkanRuntime, "libtfmrt_vulkan.a");
  if (vulkan && !sys::fs::exists(vulkanRuntime))
    return reportError("the Vulkan runtime library '" + vulkanRuntime +
                       "' is missing (tfmc was built without Vulkan's "
                       "headers: install libvulkan-dev and rebuild)");
  std::string linker = TFMC_LINKER_DRIVER;
  if (const char *env = std::getenv("TFMC_LINKER_DRIVER"))
    linker = env;
  SmallVector<StringRef> args = {linker, "-fuse-ld=lld", objectPath};
  if (vulkan)
    args.push_back(vulkanRuntime);
  args.append({runtime, "-lm"});
  if (openMP)
    args.push_back("-fopenmp=libomp");
  args.append({"-o", outputPath});
  std::string error;
  int status = sys::ExecuteAndWait(linker, args, std::nullopt, {}, 0, 0, &error);
  if (status != 0)
    return reportError("linking '" + outputPath + "' failed" +
                       (error.empty() ? "" : ": " + error) + " (ran " + linker +
                       ")");
  return ExitCode::Success;
}
