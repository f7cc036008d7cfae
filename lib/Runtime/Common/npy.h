/*===- npy.h - reading and writing .npy files ----------------------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * The .npy format (numpy.lib.format): the magic "\x93NUMPY", a version byte
 * pair, a little-endian header length (u16 for 1.0, u32 for 2.0 and 3.0), a
 * Python-literal dict {'descr': ..., 'fortran_order': ..., 'shape': (...)},
 * then the raw data. Input files come from users, so the reader trusts
 * nothing: every length is checked before it is used and every failure is
 * reported as one sentence naming the file.
 *
 * Reading is split in steps so that a caller can compare dtype and shape
 * with what it expects before it allocates anything:
 *   tfmrt_npy_read_header -> tfmrt_npy_check_size -> tfmrt_npy_read_data.
 *
 * Functions return 0 on success and -1 on failure, with a message (no
 * "error: " prefix, no newline) in `err`.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TFMRT_COMMON_NPY_H
#define TFMRT_COMMON_NPY_H

#include "tensor.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* numpy itself refuses headers above 10000 bytes by default; ours only
 * bounds what a hostile u32 length can make us allocate. */
#define TFMRT_NPY_MAX_HEADER_LEN (1u << 20)

/* Room for any message these functions write, file names included. */
#define TFMRT_NPY_ERR_SIZE 8192

typedef struct tfmrt_npy_header {
  uint8_t major, minor;  /* format version */
  char descr[64];        /* as written ("<f4"); longer ones end in "..." */
  int32_t dtype;         /* the tfmrt_dtype of descr, or -1 */
  int fortran_order;
  int32_t rank;
  int64_t shape[TFMRT_MAX_RANK];
  uint64_t data_offset;  /* bytes before the data: preamble + header */
} tfmrt_npy_header;

/* The tfmrt_dtype a descr stands for, or -1. Any byte order but '>' (big
 * endian) for multi-byte types: '<', '=' and '|' (which numpy reads as
 * native) mean little-endian here. Any byte order for booleans. */
int32_t tfmrt_dtype_from_descr(const char *descr);

/* Parses the header dict `text[0, len)` (not NUL-terminated; may contain
 * anything). Fills descr, dtype, fortran_order, rank and shape. */
int tfmrt_npy_parse_dict(const char *text, size_t len, tfmrt_npy_header *h,
                         char *err, size_t err_size);

/* Reads magic, version and header from `f` (positioned at its start);
 * `path` only names the file in messages. Leaves `f` at the data. */
int tfmrt_npy_read_header(FILE *f, const char *path, tfmrt_npy_header *h,
                          char *err, size_t err_size);

/* When `f` is a regular file, checks that exactly `data_bytes` follow the
 * header, so that a truncated file is reported before its buffer is
 * allocated. Other streams (pipes) are checked by tfmrt_npy_read_data. */
int tfmrt_npy_check_size(FILE *f, const char *path, const tfmrt_npy_header *h,
                         uint64_t data_bytes, char *err, size_t err_size);

/* Reads exactly `data_bytes` into `dst` and checks that nothing follows. */
int tfmrt_npy_read_data(FILE *f, const char *path, uint64_t data_bytes,
                        void *dst, char *err, size_t err_size);

/* Formats a version 1.0 preamble and header (2.0 if the header would not
 * fit in a u16), padded with spaces and ended by '\n' so the data starts at
 * a multiple of 64 bytes, as numpy writes it. Fails if `size` is too small;
 * *len receives the byte count. */
int tfmrt_npy_format_header(int32_t dtype, int32_t rank, const int64_t *shape,
                            char *buf, size_t size, size_t *len);

/* Writes a whole .npy file to an open stream; `path` names it in messages. */
int tfmrt_npy_write_stream(FILE *f, const char *path, int32_t dtype,
                           int32_t rank, const int64_t *shape,
                           const void *data, char *err, size_t err_size);

/* Creates (or truncates) `path` and writes a .npy file to it. */
int tfmrt_npy_write(const char *path, int32_t dtype, int32_t rank,
                    const int64_t *shape, const void *data, char *err,
                    size_t err_size);

#endif /* TFMRT_COMMON_NPY_H */
