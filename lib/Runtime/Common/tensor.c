/*===- tensor.c - dtype names, sizes, shapes, half floats ----------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*/

#include "tensor.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *tfmrt_dtype_name(int32_t dtype) {
  switch (dtype) {
  case TFMRT_F32: return "f32";
  case TFMRT_F16: return "f16";
  case TFMRT_BF16: return "bf16";
  case TFMRT_I1: return "i1";
  case TFMRT_I32: return "i32";
  case TFMRT_I64: return "i64";
  default: return NULL;
  }
}

const char *tfmrt_dtype_descr(int32_t dtype) {
  switch (dtype) {
  case TFMRT_F32: return "<f4";
  case TFMRT_F16: return "<f2";
  case TFMRT_BF16: return "<u2"; /* numpy has no bf16: its bit patterns */
  case TFMRT_I1: return "|b1";
  case TFMRT_I32: return "<i4";
  case TFMRT_I64: return "<i8";
  default: return NULL;
  }
}

size_t tfmrt_dtype_size(int32_t dtype) {
  switch (dtype) {
  case TFMRT_F32: return 4;
  case TFMRT_F16: return 2;
  case TFMRT_BF16: return 2;
  case TFMRT_I1: return 1;
  case TFMRT_I32: return 4;
  case TFMRT_I64: return 8;
  default: return 0;
  }
}

int tfmrt_dtype_is_float(int32_t dtype) {
  return dtype == TFMRT_F32 || dtype == TFMRT_F16 || dtype == TFMRT_BF16;
}

int tfmrt_shape_size(int32_t rank, const int64_t *shape, size_t itemsize,
                     uint64_t *num_elements, uint64_t *num_bytes) {
  if (rank < 0 || rank > TFMRT_MAX_RANK || (rank > 0 && !shape))
    return -1;
  /* Negative dimensions first: a zero elsewhere must not hide them. */
  int has_zero = 0;
  for (int32_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return -1;
    has_zero |= shape[i] == 0;
  }
  uint64_t n = has_zero ? 0 : 1;
  for (int32_t i = 0; i < rank && !has_zero; ++i) {
    uint64_t d = (uint64_t)shape[i];
    if (n > (uint64_t)INT64_MAX / d)
      return -2;
    n *= d;
  }
  if (itemsize != 0 && n > (uint64_t)INT64_MAX / itemsize)
    return -2;
  if (num_elements)
    *num_elements = n;
  if (num_bytes)
    *num_bytes = n * itemsize;
  return 0;
}

void tfmrt_format_shape(char *buf, size_t size, int32_t rank,
                        const int64_t *shape) {
  if (size == 0)
    return;
  size_t pos = 0;
  buf[0] = '\0';
  int n = snprintf(buf, size, "[");
  pos = n > 0 ? (size_t)n : 0;
  for (int32_t i = 0; i < rank && pos < size; ++i) {
    n = snprintf(buf + pos, size - pos, "%s%lld", i ? "," : "",
                 (long long)shape[i]);
    if (n < 0)
      return;
    pos += (size_t)n;
  }
  if (pos < size)
    snprintf(buf + pos, size - pos, "]");
}

void tfmrt_format_index(char *buf, size_t size, int32_t rank,
                        const int64_t *shape, uint64_t flat) {
  int64_t index[TFMRT_MAX_RANK];
  if (rank < 0 || rank > TFMRT_MAX_RANK)
    rank = 0;
  /* Row-major: the last dimension varies fastest. */
  for (int32_t i = rank - 1; i >= 0; --i) {
    uint64_t d = shape[i] > 0 ? (uint64_t)shape[i] : 1;
    index[i] = (int64_t)(flat % d);
    flat /= d;
  }
  tfmrt_format_shape(buf, size, rank, index);
}

static uint32_t float_bits(float f) {
  uint32_t x;
  memcpy(&x, &f, sizeof x);
  return x;
}

static float bits_float(uint32_t x) {
  float f;
  memcpy(&f, &x, sizeof f);
  return f;
}

float tfmrt_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) /* inf or nan: keep the payload */
    return bits_float(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0) /* normal: rebias 15 -> 127 */
    return bits_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
  /* zero or subnormal: mantissa * 2^-24, exact in f32 */
  float magnitude = ldexpf((float)mantissa, -24);
  return sign ? -magnitude : magnitude;
}

uint16_t tfmrt_f32_to_f16(float f) {
  uint32_t x = float_bits(f);
  uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
  uint32_t magnitude = x & 0x7fffffffu;
  if (magnitude > 0x7f800000u) /* nan: quiet, keep the top payload bits */
    return (uint16_t)(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  /* 65520 (halfway between 65504, the largest half, and 2^16) and above
   * round to infinity under round-to-nearest-even. */
  if (magnitude >= 0x477ff000u)
    return (uint16_t)(sign | 0x7c00u);
  if (magnitude >= 0x38800000u) { /* normal half: >= 2^-14 */
    uint32_t rebiased = magnitude - 0x38000000u;
    rebiased += 0xfffu + ((rebiased >> 13) & 1u); /* ties to even */
    return (uint16_t)(sign | (rebiased >> 13));
  }
  /* Subnormal half (or zero): round |f| * 2^24 to an integer, which the
   * default rounding mode does to nearest even. 1024 is the smallest normal,
   * whose encoding is exactly 0x400. */
  float scaled = fabsf(f) * 16777216.0f;
  return (uint16_t)(sign | (uint16_t)lrintf(scaled));
}

float tfmrt_bf16_to_f32(uint16_t b) { return bits_float((uint32_t)b << 16); }

uint16_t tfmrt_f32_to_bf16(float f) {
  uint32_t x = float_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) /* nan: keep it a (quiet) nan */
    return (uint16_t)((x >> 16) | 0x40u);
  x += 0x7fffu + ((x >> 16) & 1u); /* ties to even; overflow gives inf */
  return (uint16_t)(x >> 16);
}
