/*===- check.h - the runtime unit tests' CHECK -----------------------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * CHECK(cond) reports a failed condition with its place and counts it in
 * `failures`, so a test goes on and lists every failed check.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TFMRT_TEST_CHECK_H
#define TFMRT_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

#endif /* TFMRT_TEST_CHECK_H */
