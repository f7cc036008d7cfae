/*===- fake_model.h - helpers for hand-written model objects -------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * The fake_model_*.c files stand in for objects that tfmc-compile emits:
 * each defines `tfmc_model` and is linked with libtfmrt.a into an executable
 * that the CLI tests drive. They check what the runtime promises them.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TFMRT_TEST_FAKE_MODEL_H
#define TFMRT_TEST_FAKE_MODEL_H

#include "tfmc/Runtime/tfmrt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The runtime promises 64-byte aligned buffers; a stand-in that gets less
 * aborts, which the CLI tests see as a crash. */
static inline void fake_check_buffers(void **buffers, int n) {
  for (int i = 0; i < n; ++i)
    if (!buffers[i] || (uintptr_t)buffers[i] % 64 != 0) {
      fprintf(stderr, "fake model: buffer %d is not 64-byte aligned\n", i);
      abort();
    }
}

#endif /* TFMRT_TEST_FAKE_MODEL_H */
