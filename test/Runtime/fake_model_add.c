/*===- fake_model_add.c - two f32 [2,3] inputs, their sum ----------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*/

#include "fake_model.h"

static const int64_t shape[] = {2, 3};

static const tfmrt_tensor_info inputs[] = {
    {"a", TFMRT_F32, 2, shape, 0},
    {"b", TFMRT_F32, 2, shape, 0},
};

static const tfmrt_tensor_info outputs[] = {
    {"sum", TFMRT_F32, 2, shape, 0},
};

static void run(void **buffers) {
  fake_check_buffers(buffers, 3);
  const float *a = buffers[0], *b = buffers[1];
  float *sum = buffers[2];
  for (int i = 0; i < 6; ++i)
    sum[i] = a[i] + b[i];
}

const tfmrt_model tfmc_model = {TFMRT_ABI_VERSION, "add", 2, 1,
                                inputs,            outputs, run};
