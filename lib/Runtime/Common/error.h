/*===- error.h - errors recorded while a model runs ----------------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * The runtime-internal side of tfmrt_index_error/tfmrt_take_error: errors
 * carry a kind, because the executable exits 1 for errors caused by the
 * input data (an out-of-range token id) and 2 for failures of the run
 * itself (a device lost, say), and tfmrt_take_error's string alone cannot
 * tell them apart.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TFMRT_COMMON_ERROR_H
#define TFMRT_COMMON_ERROR_H

#include <stdint.h>

typedef enum tfmrt_error_kind {
  TFMRT_ERROR_NONE = 0,
  TFMRT_ERROR_INDEX = 1,   /* bad input data: an index out of range */
  TFMRT_ERROR_RUNTIME = 2, /* the run itself failed */
} tfmrt_error_kind;

/* Longest message kept, terminating NUL included; longer ones are cut. */
#define TFMRT_ERROR_MAX 1024

/* Records an error unless one is already pending (the first one wins, as
 * it is usually the cause of the rest). Thread-safe and lock-free. */
__attribute__((format(printf, 2, 3))) void
tfmrt_record_error(tfmrt_error_kind kind, const char *fmt, ...);

/* tfmrt_take_error with extras: *kind receives the pending error's kind
 * and *dropped how many later errors were not recorded (either may be
 * NULL). Returns NULL, kind NONE and 0 dropped when nothing is pending. */
const char *tfmrt_take_error_ex(tfmrt_error_kind *kind, uint64_t *dropped);

#endif /* TFMRT_COMMON_ERROR_H */
