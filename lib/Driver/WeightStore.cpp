//===- WeightStore.cpp - validated view of a .safetensors file --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// safetensors: an 8-byte little-endian header length N, N bytes of JSON
// mapping tensor names to {dtype, shape, data_offsets: [begin, end)} relative
// to the data area that follows, and an optional "__metadata__" object. The
// file is untrusted input: every field is checked before any byte is used.
//
//===----------------------------------------------------------------------===//

#include "tfmc/Driver/WeightStore.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstring>

using namespace tfmc;
using llvm::StringRef;

WeightStore::~WeightStore() = default;

unsigned WeightStore::getElementSize(StringRef dtype) {
  return llvm::StringSwitch<unsigned>(dtype)
      .Cases({"F64", "I64", "U64"}, 8)
      .Cases({"F32", "I32", "U32"}, 4)
      .Cases({"F16", "BF16", "I16", "U16"}, 2)
      .Cases({"I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2"}, 1)
      .Default(0);
}

static llvm::Error fail(StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": " + message);
}

/// Reads a non-negative integer that fits in int64 from a JSON value.
static std::optional<int64_t> getCount(const llvm::json::Value &v) {
  std::optional<int64_t> i = v.getAsInteger();
  if (!i || *i < 0)
    return std::nullopt;
  return i;
}

llvm::Expected<std::unique_ptr<WeightStore>>
WeightStore::open(StringRef path) {
  auto bufferOr = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
  if (!bufferOr)
    return fail(path, "cannot open weights file: " +
                          bufferOr.getError().message());
  std::unique_ptr<WeightStore> store(new WeightStore());
  store->path = path.str();
  store->buffer = std::move(*bufferOr);
  StringRef file = store->buffer->getBuffer();
  if (file.size() < 8)
    return fail(path, "not a safetensors file: " + llvm::Twine(file.size()) +
                          " bytes, too short for the 8-byte header length");
  uint64_t headerSize =
      llvm::support::endian::read64le(file.data());
  if (headerSize > file.size() - 8)
    return fail(path, "not a safetensors file: header length " +
                          llvm::Twine(headerSize) + " exceeds the file size " +
                          llvm::Twine(file.size()));
  StringRef header = file.substr(8, headerSize);
  uint64_t dataStart = 8 + headerSize;
  uint64_t dataSize = file.size() - dataStart;

  llvm::Expected<llvm::json::Value> json = llvm::json::parse(header);
  if (!json)
    return fail(path, "malformed safetensors header (JSON): " +
                          llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  if (!root)
    return fail(path, "safetensors header is not a JSON object");

  std::vector<StoredTensor *> byOffset;
  for (const auto &[key, value] : *root) {
    StringRef name = key;
    if (name == "__metadata__")
      continue;
    auto tensorFail = [&](const llvm::Twine &what) {
      return fail(path, "tensor '" + name + "': " + what);
    };
    const llvm::json::Object *entry = value.getAsObject();
    if (!entry)
      return tensorFail("header entry is not an object");
    std::optional<StringRef> dtype = entry->getString("dtype");
    if (!dtype)
      return tensorFail("missing string field 'dtype'");
    unsigned elementSize = getElementSize(*dtype);
    if (!elementSize)
      return tensorFail("unknown dtype '" + *dtype + "'");
    const llvm::json::Array *shape = entry->getArray("shape");
    if (!shape)
      return tensorFail("missing array field 'shape'");
    StoredTensor tensor;
    tensor.name = name.str();
    tensor.dtype = dtype->str();
    uint64_t elements = 1;
    for (const llvm::json::Value &dim : *shape) {
      std::optional<int64_t> d = getCount(dim);
      if (!d)
        return tensorFail("shape entries must be non-negative integers");
      tensor.shape.push_back(*d);
      bool overflow = false;
      elements = llvm::SaturatingMultiply(elements, uint64_t(*d), &overflow);
      if (overflow)
        return tensorFail("shape is too large");
    }
    const llvm::json::Array *offsets = entry->getArray("data_offsets");
    if (!offsets || offsets->size() != 2)
      return tensorFail("'data_offsets' must be an array [begin, end]");
    std::optional<int64_t> begin = getCount((*offsets)[0]);
    std::optional<int64_t> end = getCount((*offsets)[1]);
    if (!begin || !end || *begin > *end)
      return tensorFail("'data_offsets' must be integers with 0 <= begin <= end");
    if (uint64_t(*end) > dataSize)
      return tensorFail("data_offsets [" + llvm::Twine(*begin) + ", " +
                        llvm::Twine(*end) + ") lie outside the data area (" +
                        llvm::Twine(dataSize) + " bytes): truncated file?");
    bool overflow = false;
    uint64_t expected =
        llvm::SaturatingMultiply(elements, uint64_t(elementSize), &overflow);
    if (overflow || expected != uint64_t(*end - *begin))
      return tensorFail("data_offsets [" + llvm::Twine(*begin) + ", " +
                        llvm::Twine(*end) + ") hold " +
                        llvm::Twine(*end - *begin) + " bytes, but the shape and " +
                        *dtype + " need " + llvm::Twine(expected));
    tensor.fileOffset = dataStart + *begin;
    tensor.byteSize = *end - *begin;
    auto [it, inserted] = store->tensors.try_emplace(name, std::move(tensor));
    if (!inserted)
      return tensorFail("appears twice in the header");
    byOffset.push_back(&it->second);
  }
  // Tensors must not share bytes: a write-once file format, and packing
  // transforms rely on each tensor owning its data.
  std::sort(byOffset.begin(), byOffset.end(),
            [](const StoredTensor *a, const StoredTensor *b) {
              return a->fileOffset < b->fileOffset;
            });
  for (size_t i = 1; i < byOffset.size(); ++i) {
    const StoredTensor *prev = byOffset[i - 1], *cur = byOffset[i];
    if (cur->byteSize && prev->fileOffset + prev->byteSize > cur->fileOffset)
      return fail(path, "tensors '" + prev->name + "' and '" + cur->name +
                            "' overlap in the data area");
  }
  return std::move(store);
}

const StoredTensor *WeightStore::lookup(StringRef name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? nullptr : &it->second;
}

StringRef WeightStore::getData(const StoredTensor &tensor) const {
  return buffer->getBuffer().substr(tensor.fileOffset, tensor.byteSize);
}

llvm::Expected<uint64_t> tfmc::writePackedPanels(const StoredTensor &tensor,
                                                 StringRef data, int64_t panel,
                                                 StringRef path) {
  using namespace llvm;
  unsigned element = WeightStore::getElementSize(tensor.dtype);
  if (tensor.shape.size() != 2 || element == 0 || panel < 1)
    return createStringError(inconvertibleErrorCode(),
                             "cannot pack weight '" + tensor.name +
                                 "': not a float matrix");
  int64_t n = tensor.shape[0], k = tensor.shape[1];
  if (data.size() != static_cast<uint64_t>(n) * k * element)
    return createStringError(inconvertibleErrorCode(),
                             "cannot pack weight '" + tensor.name +
                                 "': its data has the wrong size");
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, "cannot write '" + path + "': " +
                                     ec.message());
  // One panel at a time: read rows of the weight contiguously, write the
  // panel's columns (it stays in cache), then stream it out.
  std::vector<char> block(static_cast<size_t>(k) * panel * element);
  for (int64_t first = 0; first < n; first += panel) {
    std::fill(block.begin(), block.end(), 0);
    for (int64_t j = 0; j < panel && first + j < n; ++j) {
      const char *row = data.data() + (first + j) * k * element;
      for (int64_t i = 0; i < k; ++i)
        std::memcpy(&block[(i * panel + j) * element], row + i * element,
                    element);
    }
    os.write(block.data(), block.size());
  }
  os.close();
  if (os.has_error())
    return createStringError(os.error(), "cannot write '" + path + "': " +
                                             os.error().message());
  return static_cast<uint64_t>((n + panel - 1) / panel) * block.size();
}
