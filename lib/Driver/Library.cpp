//===- Library.cpp - --emit=lib: static library and C header ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"
#include "tfmc/Driver/Driver.h"

#include "tfmc/Runtime/tfmrt.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace llvm;

namespace {
/// The runtime ABI header's text, so generated headers are self-contained
/// without a second copy of the declarations in this repository.
#include "TfmrtHeader.inc"

const char *dtypeName(int32_t dtype) {
  switch (dtype) {
  case TFMRT_F32: return "f32";
  case TFMRT_F16: return "f16";
  case TFMRT_BF16: return "bf16";
  case TFMRT_I1: return "i1";
  case TFMRT_I32: return "i32";
  case TFMRT_I64: return "i64";
  }
  return "?";
}

/// A tensor name as it may appear inside a C comment.
std::string forComment(StringRef name) {
  std::string out;
  for (char c : name)
    out += isPrint(c) ? c : '?';
  size_t pos;
  while ((pos = out.find("*/")) != std::string::npos)
    out.replace(pos, 2, "*_/");
  return out;
}

/// A name as the tail of a C identifier: [A-Za-z0-9_].
std::string forIdentifier(StringRef name) {
  std::string out;
  for (char c : name)
    out += isAlnum(c) ? toUpper(c) : '_';
  return out;
}
} // namespace

std::string tfmc::getLibraryHeader(const ModelDesc &model) {
  std::string id = model.identifier;
  std::string ID = forIdentifier(id);
  std::string text;
  raw_string_ostream os(text);
  os << "/* " << forComment(model.name)
     << ": C API of a model compiled by tfmc-compile --emit=lib.\n"
     << " *\n"
     << " * Link the program with the library beside this header and -lm.\n"
     << " * Several model libraries can be linked into one program. */\n\n"
     << "#ifndef TFMC_" << ID << "_H\n#define TFMC_" << ID << "_H\n\n"
     << "/* The runtime ABI (tfmrt.h, ABI version " << TFMRT_ABI_VERSION
     << "). */\n"
     << kTfmrtHeader << "\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "#define TFMC_" << ID << "_API_VERSION 1\n\n"
     << "/* Tensors, in the order tfmc_" << id
     << "_run takes them (as the executable's --info prints them):\n";
  auto describe = [&](StringRef kind, const TensorDesc &t) {
    os << " *   " << kind << " " << forComment(t.name) << " "
       << dtypeName(t.dtype) << " [";
    llvm::interleave(t.shape, os, ",");
    os << "]";
    if (t.indexBound)
      os << "  (values in [0, " << t.indexBound << "))";
    os << "\n";
  };
  for (const TensorDesc &t : model.inputs)
    describe("input", t);
  for (const TensorDesc &t : model.outputs)
    describe("output", t);
  os << " */\nenum {\n"
     << "  TFMC_" << ID << "_NUM_INPUTS = " << model.inputs.size() << ",\n"
     << "  TFMC_" << ID << "_NUM_OUTPUTS = " << model.outputs.size() << ",\n";
  // Index constants per tensor name, unless two names would collide.
  std::set<std::string> used;
  auto indexConstant = [&](StringRef kind, const TensorDesc &t, size_t i) {
    std::string name = "TFMC_" + ID + "_" + kind.str() + "_" +
                       forIdentifier(t.name);
    if (used.insert(name).second)
      os << "  " << name << " = " << i << ",\n";
  };
  for (auto [i, t] : llvm::enumerate(model.inputs))
    indexConstant("INPUT", t, i);
  for (auto [i, t] : llvm::enumerate(model.outputs))
    indexConstant("OUTPUT", t, i);
  os << "};\n\n"
     << "/* A context for running the model; one per thread that runs it\n"
     << " * (contexts share nothing). NULL only when out of memory. */\n"
     << "tfmrt_context *tfmc_" << id << "_create(void);\n\n"
     << "/* One forward pass: TFMC_" << ID << "_NUM_INPUTS inputs and TFMC_"
     << ID << "_NUM_OUTPUTS\n"
     << " * outputs, each matching the model's dtype and shape exactly.\n"
     << " * Returns TFMRT_OK, TFMRT_BAD_INPUT or TFMRT_RUNTIME_ERROR. */\n"
     << "int tfmc_" << id
     << "_run(tfmrt_context *ctx, const tfmrt_tensor *inputs,\n"
     << "    const tfmrt_tensor *outputs);\n\n"
     << "/* The last failure of `ctx` in one line (\"\" after a success). */\n"
     << "const char *tfmc_" << id << "_error(const tfmrt_context *ctx);\n\n"
     << "void tfmc_" << id << "_destroy(tfmrt_context *ctx);\n\n"
     << "/* The model's description: names, dtypes, shapes. */\n"
     << "const tfmrt_model *tfmc_" << id << "_info(void);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* TFMC_" << ID << "_H */\n";
  return text;
}

int tfmc::writeLibrary(StringRef object, StringRef objectName,
                       StringRef outputPath, bool vulkan) {
  std::vector<std::string> runtimePaths = {findRuntimeLibrary()};
  if (vulkan) {
    Expected<std::string> path = findVulkanRuntimeLibrary();
    if (!path)
      return reportError(toString(path.takeError()));
    runtimePaths.push_back(*path);
  }
  std::vector<NewArchiveMember> members;
  members.emplace_back(MemoryBufferRef(object, objectName));
  // The members point into the archives' buffers, kept until written.
  std::vector<std::unique_ptr<MemoryBuffer>> buffers;
  std::vector<std::unique_ptr<object::Archive>> archives;
  for (const std::string &runtimePath : runtimePaths) {
    auto runtimeBuffer = MemoryBuffer::getFile(runtimePath);
    if (!runtimeBuffer)
      return reportError("cannot read the runtime library '" + runtimePath +
                         "': " + runtimeBuffer.getError().message());
    buffers.push_back(std::move(*runtimeBuffer));
    Expected<std::unique_ptr<object::Archive>> runtime =
        object::Archive::create(buffers.back()->getMemBufferRef());
    if (!runtime)
      return reportError("'" + runtimePath + "' is not an archive: " +
                         toString(runtime.takeError()));
    archives.push_back(std::move(*runtime));
    Error err = Error::success();
    for (const object::Archive::Child &child : archives.back()->children(err)) {
      Expected<StringRef> name = child.getName();
      Expected<MemoryBufferRef> data = child.getMemoryBufferRef();
      if (!name || !data) {
        consumeError(name.takeError());
        consumeError(data.takeError());
        return reportError("cannot read the members of '" + runtimePath + "'");
      }
      // A library serves the user's program, which has its own main.
      if (name->starts_with("main."))
        continue;
      members.emplace_back(*data);
    }
    if (err)
      return reportError("cannot read '" + runtimePath +
                         "': " + toString(std::move(err)));
  }
  if (Error e = writeArchive(outputPath, members, SymtabWritingMode::NormalSymtab,
                             object::Archive::K_GNU, /*Deterministic=*/true,
                             /*Thin=*/false))
    return reportError("cannot write '" + outputPath + "': " +
                       toString(std::move(e)));
  return ExitCode::Success;
}
