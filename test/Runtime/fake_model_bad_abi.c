/*===- fake_model_bad_abi.c - an object from a mismatched compiler -*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * Claims the next ABI version: the runtime must refuse to touch it (exit 2)
 * instead of misreading its tables.
 *
 *===----------------------------------------------------------------------===*/

#include "fake_model.h"

static const int64_t shape[] = {1};

static const tfmrt_tensor_info tensors[] = {
    {"x", TFMRT_F32, 1, shape, 0},
};

static void run(void **buffers) {
  (void)buffers;
  fprintf(stderr, "fake model: run() of a mismatched ABI was called\n");
  abort();
}

const tfmrt_model tfmc_model = {TFMRT_ABI_VERSION + 1, "bad_abi", 1, 1,
                                tensors,               tensors,   run};
