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

Expected<std::string> tfmc::findVulkanRuntimeLibrary() {
  SmallString<256> path(sys::path::parent_path(findRuntimeLibrary()));
  sys::path::append(path, "libtfmrt_vulkan.a");
  if (!sys::fs::exists(path))
    return createStringError(inconvertibleErrorCode(),
                             "the Vulkan runtime library '" + path +
                                 "' is missing (tfmc was built without "
                                 "Vulkan's headers: install libvulkan-dev "
                                 "and rebuild)");
  return path.str().str();
}

int tfmc::linkExecutable(StringRef objectPath, StringRef outputPath,
                         bool openMP, bool vulkan) {
  std::string runtime = findRuntimeLibrary();
  if (!sys::fs::exists(runtime))
    return reportError("the runtime library '" + runtime + "' is missing");
  std::string vulkanRuntime;
  if (vulkan) {
    Expected<std::string> path = findVulkanRuntimeLibrary();
    if (!path)
      return reportError(toString(path.takeError()));
    vulkanRuntime = *path;
  }
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
