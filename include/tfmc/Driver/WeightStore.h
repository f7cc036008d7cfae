//===- WeightStore.h - validated view of a .safetensors file ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_DRIVER_WEIGHTSTORE_H
#define TFMC_DRIVER_WEIGHTSTORE_H

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class MemoryBuffer;
} // namespace llvm

namespace tfmc {

/// One tensor of a .safetensors file.
struct StoredTensor {
  std::string name;
  std::string dtype;           ///< safetensors name: F32, F16, BF16, I64, …
  std::vector<int64_t> shape;
  uint64_t fileOffset = 0;     ///< absolute offset of the data in the file
  uint64_t byteSize = 0;
};

/// A memory-mapped .safetensors file whose header has been fully validated:
/// JSON syntax, known dtypes, non-negative shapes, offsets inside the data
/// area, sizes that match shape × dtype, and no two tensors overlapping.
class WeightStore {
public:
  static llvm::Expected<std::unique_ptr<WeightStore>> open(llvm::StringRef path);
  ~WeightStore();

  llvm::StringRef getPath() const { return path; }
  const StoredTensor *lookup(llvm::StringRef name) const;
  /// The bytes of `tensor` (a view of the mapped file).
  llvm::StringRef getData(const StoredTensor &tensor) const;

  /// Bytes per element of a safetensors dtype, or 0 if unknown.
  static unsigned getElementSize(llvm::StringRef dtype);

private:
  WeightStore() = default;
  std::string path;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  llvm::StringMap<StoredTensor> tensors;
};

/// Writes the [N, K] matrix `tensor` (its bytes: `data`) as
/// [ceil(N/panel), K, panel] panels (row k of panel p holds columns
/// p·panel … p·panel+panel-1 of row k of the transposed matrix; zeros past
/// N) to `path`. Returns the number of bytes written.
llvm::Expected<uint64_t> writePackedPanels(const StoredTensor &tensor,
                                           llvm::StringRef data, int64_t panel,
                                           llvm::StringRef path);

} // namespace tfmc

#endif // TFMC_DRIVER_WEIGHTSTORE_H
