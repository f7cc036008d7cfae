/*===- error_test.c - unit tests of tfmrt_index_error/take_error ---*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * The ABI promises: the first error of a run is kept, take clears it, and
 * each thread has its own record (contexts running on separate threads
 * never see each other's errors). The threaded case runs many reporters at
 * once and checks that each thread takes exactly its own first message,
 * intact, with the rest of its reports counted.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L /* pthreads */

#include "check.h"
#include "error.h"

#include "tfmc/Runtime/tfmrt.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { THREADS = 8, REPORTS_PER_THREAD = 2000 };

static void *reporter(void *arg) {
  int id = (int)(intptr_t)arg;
  char site[64];
  snprintf(site, sizeof site, "tfm.gather in thread %d", id);
  for (int i = 0; i < REPORTS_PER_THREAD; ++i)
    tfmrt_index_error(1000 + i, 0, 10, site);
  tfmrt_error_kind kind;
  uint64_t dropped;
  const char *msg = tfmrt_take_error_ex(&kind, &dropped);
  int thread_id = -1;
  int ok = msg &&
           sscanf(msg, "index 1000 out of range [0, 10) in tfm.gather in "
                       "thread %d",
                  &thread_id) == 1 &&
           thread_id == id && kind == TFMRT_ERROR_INDEX &&
           dropped == REPORTS_PER_THREAD - 1 && tfmrt_take_error() == NULL;
  return (void *)(intptr_t)ok;
}

int main(void) {
  CHECK(tfmrt_take_error() == NULL);

  tfmrt_index_error(1200, 0, 1000, "tfm.embedding at \"model.mlir\":3:7");
  const char *msg = tfmrt_take_error();
  CHECK(msg && strcmp(msg, "index 1200 out of range [0, 1000) in "
                           "tfm.embedding at \"model.mlir\":3:7") == 0);
  CHECK(tfmrt_take_error() == NULL); /* taking clears */

  /* The first error wins; later ones are only counted. */
  tfmrt_index_error(-1, 0, 5, "first");
  tfmrt_index_error(9, 0, 5, "second");
  tfmrt_index_error(8, 0, 5, "third");
  tfmrt_error_kind kind;
  uint64_t dropped;
  msg = tfmrt_take_error_ex(&kind, &dropped);
  CHECK(msg && strcmp(msg, "index -1 out of range [0, 5) in first") == 0);
  CHECK(kind == TFMRT_ERROR_INDEX && dropped == 2);
  msg = tfmrt_take_error_ex(&kind, &dropped);
  CHECK(msg == NULL && kind == TFMRT_ERROR_NONE && dropped == 0);

  tfmrt_index_error(3, 0, 2, NULL);
  msg = tfmrt_take_error();
  CHECK(msg && strcmp(msg, "index 3 out of range [0, 2) in an unnamed op") ==
                   0);

  /* Runtime failures carry their own kind. */
  tfmrt_record_error(TFMRT_ERROR_RUNTIME, "device lost after %d dispatches",
                     12);
  msg = tfmrt_take_error_ex(&kind, NULL);
  CHECK(msg && strcmp(msg, "device lost after 12 dispatches") == 0 &&
        kind == TFMRT_ERROR_RUNTIME);

  /* An overlong site is cut, never overflowed. */
  static char long_site[3 * TFMRT_ERROR_MAX];
  memset(long_site, 'x', sizeof long_site - 1);
  tfmrt_index_error(1, 0, 0, long_site);
  msg = tfmrt_take_error();
  CHECK(msg && strlen(msg) == TFMRT_ERROR_MAX - 1);

  /* Concurrent reporters, each with its own record; none leaks here. */
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; ++t)
    CHECK(pthread_create(&threads[t], NULL, reporter, (void *)(intptr_t)t) ==
          0);
  for (int t = 0; t < THREADS; ++t) {
    void *ok = NULL;
    pthread_join(threads[t], &ok);
    CHECK(ok == (void *)(intptr_t)1);
  }
  CHECK(tfmrt_take_error() == NULL);

  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("all error checks passed\n");
  return 0;
}
