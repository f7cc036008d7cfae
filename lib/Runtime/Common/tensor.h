/*===- tensor.h - dtype names, sizes, shapes, half floats ----------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * Small helpers that the .npy reader/writer and the executable's main share.
 * Internal to libtfmrt; every symbol carries the tfmrt_ prefix because the
 * archive is linked into users' programs.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TFMRT_COMMON_TENSOR_H
#define TFMRT_COMMON_TENSOR_H

#include "tfmc/Runtime/tfmrt.h"

#include <stddef.h>
#include <stdint.h>

/* numpy 2's NPY_MAXDIMS; also bounds every shape string we format. */
#define TFMRT_MAX_RANK 64

/* Enough for "[" + TFMRT_MAX_RANK dims of up to 20 characters + "]". */
#define TFMRT_SHAPE_STR_SIZE (TFMRT_MAX_RANK * 21 + 4)

/* "f32", "f16", "bf16", "i1", "i32", "i64"; NULL outside tfmrt_dtype. */
const char *tfmrt_dtype_name(int32_t dtype);

/* The .npy descr the writer uses: "<f4", "<f2", "<u2", "|b1", "<i4", "<i8";
 * NULL outside tfmrt_dtype. */
const char *tfmrt_dtype_descr(int32_t dtype);

/* Bytes per element; 0 outside tfmrt_dtype. */
size_t tfmrt_dtype_size(int32_t dtype);

/* Nonzero for f32, f16, bf16. */
int tfmrt_dtype_is_float(int32_t dtype);

/* Element count and byte size of a dense tensor. Returns 0 on success, -1 if
 * the rank is outside [0, TFMRT_MAX_RANK] or a dimension is negative, -2 if
 * the byte size would exceed INT64_MAX (so it also fits size_t and off_t). */
int tfmrt_shape_size(int32_t rank, const int64_t *shape, size_t itemsize,
                     uint64_t *num_elements, uint64_t *num_bytes);

/* Writes "[2,16,64]" ("[]" for rank 0). `size` >= TFMRT_SHAPE_STR_SIZE never
 * truncates for a rank <= TFMRT_MAX_RANK. */
void tfmrt_format_shape(char *buf, size_t size, int32_t rank,
                        const int64_t *shape);

/* Writes the multi-index of element `flat` of a row-major tensor: "[0,3]". */
void tfmrt_format_index(char *buf, size_t size, int32_t rank,
                        const int64_t *shape, uint64_t flat);

/* IEEE half and bfloat16 conversions; float -> half rounds to nearest even. */
float tfmrt_f16_to_f32(uint16_t h);
uint16_t tfmrt_f32_to_f16(float f);
float tfmrt_bf16_to_f32(uint16_t b);
uint16_t tfmrt_f32_to_bf16(float f);

#endif /* TFMRT_COMMON_TENSOR_H */
