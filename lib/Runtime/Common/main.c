/*===- main.c - main() of an executable built by tfmc-compile ------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * Alone in its object file on purpose: the linker takes main.o out of
 * libtfmrt.a only when nothing else defines main, so an executable gets this
 * command line while a host program that links libtfmrt.a keeps its own
 * main and never needs a tfmc_model.
 *
 *===----------------------------------------------------------------------===*/

#include "cli.h"

#include "tfmc/Runtime/tfmrt.h"

int main(int argc, char **argv) {
  return tfmrt_cli_main(&tfmc_model, argc, argv);
}
