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
#define TFMRT_ABI_VERSION 2

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

/*===----------------------------------------------------------------------===*
 * Running a model: the API of `tfmc-compile --emit=lib` and of the
 * executable's own main.
 *===----------------------------------------------------------------------===*/

/* A tensor handed to tfmrt_run: dense, row-major, `data` aligned to its
 * element size (may be NULL only when the tensor has no elements). */
typedef struct tfmrt_tensor {
  int32_t dtype;         /* a tfmrt_dtype */
  int32_t rank;
  const int64_t *shape;  /* rank entries */
  void *data;
} tfmrt_tensor;

/* Results of tfmrt_run (also the executable's exit codes). */
typedef enum tfmrt_status {
  TFMRT_OK = 0,
  TFMRT_BAD_INPUT = 1,     /* a tensor or an index in it is wrong */
  TFMRT_RUNTIME_ERROR = 2, /* the run itself failed */
} tfmrt_status;

/* State for running `model`: one per thread that runs it. Contexts share
 * nothing, so separate contexts may run at the same time on separate
 * threads. Returns NULL only when out of memory. */
typedef struct tfmrt_context tfmrt_context;
tfmrt_context *tfmrt_create(const tfmrt_model *model);

/* Runs one forward pass: `inputs` holds num_inputs tensors and `outputs`
 * num_outputs, in the model's order; each must match its tensor_info
 * (dtype, shape) exactly, and integer inputs with an index_bound must hold
 * valid indices. Outputs are written in place. Returns a tfmrt_status; on
 * failure tfmrt_error describes it in one line. */
int tfmrt_run(tfmrt_context *ctx, const tfmrt_tensor *inputs,
              const tfmrt_tensor *outputs);

/* The last failure's message, or "" after a success. Valid until the next
 * call on `ctx`. */
const char *tfmrt_error(const tfmrt_context *ctx);

void tfmrt_destroy(tfmrt_context *ctx);

/* Called by generated code when an index (embedding id, gather index) lies
 * outside [lower, upper): [0, size) for embedding ids, [-size, size) for
 * gather indices, which may count from the end. `site` names the op and
 * its source location. The runtime keeps the first error of a run on the
 * calling thread; see tfmrt_take_error. */
void tfmrt_index_error(int64_t index, int64_t lower, int64_t upper,
                       const char *site);

/* Returns the first error message recorded on this thread since the last
 * call (NULL if none) and clears it. The string stays valid until the next
 * call on this thread. */
const char *tfmrt_take_error(void);

#ifdef __cplusplus
}
#endif

#endif /* TFMC_RUNTIME_TFMRT_H */
