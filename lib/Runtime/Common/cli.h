/*===- cli.h - the command line of a compiled model ----------------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * The executable that tfmc links around a model object: --info, --input,
 * --output/--output-dir, --random-inputs, --bench, --threads, --help, as
 * docs/executable.md describes. Kept apart from main.c so that a test or a
 * host program can drive it with any tfmrt_model.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TFMRT_COMMON_CLI_H
#define TFMRT_COMMON_CLI_H

#include "tfmc/Runtime/tfmrt.h"

/* Process exit statuses, part of the executable's contract. */
enum {
  TFMRT_EXIT_OK = 0,
  TFMRT_EXIT_BAD_INPUT = 1, /* bad usage or bad input data */
  TFMRT_EXIT_RUNTIME = 2,   /* the run failed (or the model object is bad) */
};

/* Runs the command line `argv` against `model`; returns the exit status.
 * Writes results to stdout and at most one "error: ..." line to stderr. */
int tfmrt_cli_main(const tfmrt_model *model, int argc, char **argv);

#endif /* TFMRT_COMMON_CLI_H */
