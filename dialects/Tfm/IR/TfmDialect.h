//===- TfmDialect.h - tfm dialect -------------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFM_IR_TFMDIALECT_H
#define TFM_IR_TFMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "Tfm/IR/TfmOpsDialect.h.inc"

#endif // TFM_IR_TFMDIALECT_H
