/*===- fake_model_gather.c - a gather that reports bad indices -----*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * positions i64 [3] (no index_bound recorded, so only the run can find a bad
 * one) gathers from a table of 5 values, wrapping negative indices as
 * tfm.gather does. Out-of-range indices go through tfmrt_index_error and are
 * clamped, as generated code does.
 *
 *===----------------------------------------------------------------------===*/

#include "fake_model.h"

static const int64_t shape[] = {3};

static const tfmrt_tensor_info inputs[] = {
    {"positions", TFMRT_I64, 1, shape, 0},
};

static const tfmrt_tensor_info outputs[] = {
    {"gathered", TFMRT_F32, 1, shape, 0},
};

static const float table[5] = {10, 20, 30, 40, 50};

static void run(void **buffers) {
  fake_check_buffers(buffers, 2);
  const int64_t *positions = buffers[0];
  float *gathered = buffers[1];
  for (int i = 0; i < 3; ++i) {
    int64_t p = positions[i];
    if (p < 0)
      p += 5;
    if (p < 0 || p >= 5) {
      tfmrt_index_error(positions[i], 0, 5, "tfm.gather at \"model.mlir\":7:10");
      p = p < 0 ? 0 : 4;
    }
    gathered[i] = table[p];
  }
}

const tfmrt_model tfmc_model = {TFMRT_ABI_VERSION, "gather", 1, 1,
                                inputs,            outputs,  run};
