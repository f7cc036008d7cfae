/*===- error.c - errors recorded while a model runs ----------------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * One slot per thread holds the first error of a run: generated code runs
 * on the thread that called it, so contexts running on separate threads
 * never see each other's errors. The slot is still claimed with a
 * compare-exchange (the winner formats its message, later reporters only
 * count themselves), which keeps it correct should generated code ever
 * report from helper threads of the same run. A report costs one atomic
 * operation on the error path and nothing on the normal path.
 *
 *===----------------------------------------------------------------------===*/

#include "error.h"

#include "tfmc/Runtime/tfmrt.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

enum { SLOT_EMPTY, SLOT_WRITING, SLOT_FULL, SLOT_TAKING };

static _Thread_local atomic_int slot_state; /* zero: SLOT_EMPTY */
static _Thread_local atomic_uint_fast64_t dropped_count;
static _Thread_local char pending[TFMRT_ERROR_MAX]; /* owned by the state's mover */
static _Thread_local tfmrt_error_kind pending_kind;
static _Thread_local char taken[TFMRT_ERROR_MAX]; /* what the last take returned */

void tfmrt_record_error(tfmrt_error_kind kind, const char *fmt, ...) {
  int expected = SLOT_EMPTY;
  if (!atomic_compare_exchange_strong_explicit(&slot_state, &expected,
                                               SLOT_WRITING,
                                               memory_order_acquire,
                                               memory_order_relaxed)) {
    atomic_fetch_add_explicit(&dropped_count, 1, memory_order_relaxed);
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pending, sizeof pending, fmt, ap);
  va_end(ap);
  pending_kind = kind;
  atomic_store_explicit(&slot_state, SLOT_FULL, memory_order_release);
}

void tfmrt_index_error(int64_t index, int64_t lower, int64_t upper,
                       const char *site) {
  tfmrt_record_error(TFMRT_ERROR_INDEX,
                     "index %lld out of range [%lld, %lld) in %s",
                     (long long)index, (long long)lower, (long long)upper,
                     site && *site ? site : "an unnamed op");
}

const char *tfmrt_take_error_ex(tfmrt_error_kind *kind, uint64_t *dropped) {
  if (kind)
    *kind = TFMRT_ERROR_NONE;
  if (dropped)
    *dropped = 0;
  for (;;) {
    int state = SLOT_FULL;
    if (atomic_compare_exchange_weak_explicit(&slot_state, &state,
                                              SLOT_TAKING,
                                              memory_order_acquire,
                                              memory_order_relaxed))
      break;
    /* Empty, or another thread is taking it: nothing for us. While a
     * reporter is still formatting (SLOT_WRITING) wait, it is brief. */
    if (state == SLOT_EMPTY || state == SLOT_TAKING)
      return NULL;
  }
  memcpy(taken, pending, sizeof taken);
  if (kind)
    *kind = pending_kind;
  uint64_t lost = atomic_exchange_explicit(&dropped_count, 0,
                                           memory_order_relaxed);
  if (dropped)
    *dropped = lost;
  atomic_store_explicit(&slot_state, SLOT_EMPTY, memory_order_release);
  return taken;
}

const char *tfmrt_take_error(void) { return tfmrt_take_error_ex(NULL, NULL); }
