/*===- tfmrt.h - tfmc runtime: the ABI of generated models ---------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * The contract between code that tfmc-compile generates and the runtime
 * (lib/Runtime, C11, no LLVM/MLIR dependency). A compiled model object
 * defines `tfmc_model`; the runtime's executable main (or a host program)
 * reads its tensor descriptions and calls `run`.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TFMC_RUNTIME_TFMRT_H
#define TFMC_RUNTIME_TFMRT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a struct below changes layout or meaning. */
#define TFMRT_ABI_VERSION 1

/* Element types. Tensors are dense, row-major, without padding; i1 takes one
 * byte per element (0 or 1); bf16 travels as its uint16 bit pattern. */
typedef enum tfmrt_dtype {
  TFMRT_F32 = 0,
  TFMRT_F16 = 1,
  TFMRT_BF16 = 2,
  TFMRT_I1 = 3,
  TFMRT_I32 = 4,
  TFMRT_I64 = 5,
} tfmrt_dtype;

/* One model input or output. */
typedef struct tfmrt_tensor_info {
  const char *name;      /* the model's own name (tfm.name) */
  int32_t dtype;         /* a tfmrt_dtype */
  int32_t rank;
  const int64_t *shape;  /* rank entries, all static */
  /* For integer inputs used as indices (token ids): values must lie in
   * [0, index_bound). 0 when the model records no bound. */
  int64_t index_bound;
} tfmrt_tensor_info;

typedef struct tfmrt_model {
  uint32_t abi_version;  /* TFMRT_ABI_VERSION of the compiler */
  const char *name;      /* model name (the input file's stem) */
  int32_t num_inputs;
  int32_t num_outputs;
  const tfmrt_tensor_info *inputs;
  const tfmrt_tensor_info *outputs;
  /* Runs one forward pass. `buffers` holds num_inputs input pointers then
   * num_outputs output pointers, each at least 64-byte aligned and sized as
   * its tensor_info says. Weights are already in the object. An index error
   * met during the run is reported through tfmrt_index_error (the generated
   * code then continues with a clamped index, never reading out of bounds). */
  void (*run)(void **buffers);
} tfmrt_model;

/* Defined by every object that tfmc-compile emits for an executable. */
extern const tfmrt_model tfmc_model;

/* Called by generated code when an index (embedding id, gather index) lies
 * outside [0, bound) (after wrapping negative gather indices). `site` names
 * the op and its source location. The runtime keeps the first error of a
 * run; see tfmrt_take_error. Thread-safe. */
void tfmrt_index_error(int64_t index, int64_t bound, const char *site);

/* Returns the first error message recorded since the last call (NULL if
 * none) and clears it. The string stays valid until the next call. */
const char *tfmrt_take_error(void);

#ifdef __cplusplus
}
#endif

#endif /* TFMC_RUNTIME_TFMRT_H */
