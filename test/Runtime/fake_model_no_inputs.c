/*===- fake_model_no_inputs.c - constants under clashing names -----*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * No inputs, two i32 [2] outputs named "a/b" and "a:b": both sanitize to
 * a_b.npy, which --output-dir must refuse rather than overwrite.
 *
 *===----------------------------------------------------------------------===*/

#include "fake_model.h"

static const int64_t shape[] = {2};

static const tfmrt_tensor_info outputs[] = {
    {"a/b", TFMRT_I32, 1, shape, 0},
    {"a:b", TFMRT_I32, 1, shape, 0},
};

static void run(void **buffers) {
  fake_check_buffers(buffers, 2);
  int32_t *first = buffers[0], *second = buffers[1];
  first[0] = -3;
  first[1] = 7;
  second[0] = 1;
  second[1] = 2;
}

const tfmrt_model tfmc_model = {TFMRT_ABI_VERSION, "no_inputs", 0, 2,
                                NULL,              outputs,     run};
