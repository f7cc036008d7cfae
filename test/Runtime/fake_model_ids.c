/*===- fake_model_ids.c - token ids, a boolean mask, a scalar ------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * Inputs: ids i64 [2,4] with index_bound 10 (a vocabulary of 10), mask i1
 * [2,4], offset i32 [] (no bound). The output echoes them so tests can see
 * exactly what the runtime passed: features[b,s,:] = (ids, offset, mask).
 *
 *===----------------------------------------------------------------------===*/

#include "fake_model.h"

static const int64_t ids_shape[] = {2, 4};
static const int64_t features_shape[] = {2, 4, 3};

static const tfmrt_tensor_info inputs[] = {
    {"ids", TFMRT_I64, 2, ids_shape, 10},
    {"mask", TFMRT_I1, 2, ids_shape, 0},
    {"offset", TFMRT_I32, 0, NULL, 0},
};

static const tfmrt_tensor_info outputs[] = {
    {"features", TFMRT_F32, 3, features_shape, 0},
};

static void run(void **buffers) {
  fake_check_buffers(buffers, 4);
  const int64_t *ids = buffers[0];
  const uint8_t *mask = buffers[1];
  const int32_t *offset = buffers[2];
  float *features = buffers[3];
  for (int i = 0; i < 8; ++i) {
    /* What generated code does: report, then clamp. The runtime checks ids
     * before the run, so this should never fire. */
    int64_t id = ids[i];
    if (id < 0 || id >= 10) {
      tfmrt_index_error(id, 0, 10, "tfm.embedding in fake_model_ids");
      id = id < 0 ? 0 : 9;
    }
    features[3 * i + 0] = (float)id;
    features[3 * i + 1] = (float)*offset;
    features[3 * i + 2] = (float)mask[i];
  }
}

const tfmrt_model tfmc_model = {TFMRT_ABI_VERSION, "ids", 3, 1,
                                inputs,            outputs, run};
