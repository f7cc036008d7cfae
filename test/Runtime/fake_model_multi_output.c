/*===- fake_model_multi_output.c - f16/bf16 in, three outputs ------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * Inputs: x f16 [3], y bf16 [2,2]. Outputs: "x/doubled" f16 [3] = 2x,
 * "y negated" bf16 [2,2] = -y, "total" f32 [] = sum(x) + sum(y). The names
 * need sanitizing in --output-dir; rank 0 and the half types go both ways.
 *
 *===----------------------------------------------------------------------===*/

#include "fake_model.h"

#include <math.h>
#include <string.h>

static const int64_t x_shape[] = {3};
static const int64_t y_shape[] = {2, 2};

static const tfmrt_tensor_info inputs[] = {
    {"x", TFMRT_F16, 1, x_shape, 0},
    {"y", TFMRT_BF16, 2, y_shape, 0},
};

static const tfmrt_tensor_info outputs[] = {
    {"x/doubled", TFMRT_F16, 1, x_shape, 0},
    {"y negated", TFMRT_BF16, 2, y_shape, 0},
    {"total", TFMRT_F32, 0, NULL, 0},
};

static float half_to_float(uint16_t h) {
  int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float v = exponent == 0    ? ldexpf((float)mantissa, -24)
            : exponent == 31 ? (mantissa ? NAN : INFINITY)
                             : ldexpf((float)(mantissa | 0x400), exponent - 25);
  return h & 0x8000 ? -v : v;
}

static float bf16_to_float(uint16_t b) {
  uint32_t bits = (uint32_t)b << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static void run(void **buffers) {
  fake_check_buffers(buffers, 5);
  const uint16_t *x = buffers[0], *y = buffers[1];
  uint16_t *doubled = buffers[2], *negated = buffers[3];
  float *total = buffers[4];
  float sum = 0;
  for (int i = 0; i < 3; ++i) {
    /* 2x is exact in f16 for finite x below 32768: bump the exponent (or
     * shift a subnormal's mantissa). */
    uint16_t h = x[i], exponent = (h >> 10) & 0x1f;
    doubled[i] = exponent == 0 ? (uint16_t)((h & 0x8000) | ((h & 0x7fff) << 1))
                               : (uint16_t)(h + 0x400);
    sum += half_to_float(h);
  }
  for (int i = 0; i < 4; ++i) {
    negated[i] = y[i] ^ 0x8000;
    sum += bf16_to_float(y[i]);
  }
  *total = sum;
}

const tfmrt_model tfmc_model = {TFMRT_ABI_VERSION, "multi_output", 2, 3,
                                inputs,            outputs,        run};
