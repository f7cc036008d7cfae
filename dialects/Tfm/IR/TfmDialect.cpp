//===- TfmDialect.cpp - tfm dialect registration and hooks ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Tfm/IR/TfmDialect.h"
#include "Tfm/IR/TfmOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::tfm;

#include "Tfm/IR/TfmOpsDialect.cpp.inc"
#include "Tfm/IR/TfmEnums.cpp.inc"

void TfmDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "Tfm/IR/TfmOps.cpp.inc"
      >();
}

Operation *TfmDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

/// `tfm.name` on a function argument or result names a model input or output:
/// it must be a non-empty string.
static LogicalResult verifyNameAttr(Operation *op, NamedAttribute attr,
                                    StringRef what, unsigned index) {
  if (attr.getName() != TfmDialect::getNameAttrName())
    return op->emitOpError() << "has unknown tfm attribute '"
                             << attr.getName().getValue() << "' on " << what
                             << " #" << index << " (only 'tfm.name' is defined)";
  auto name = dyn_cast<StringAttr>(attr.getValue());
  if (!name || name.getValue().empty())
    return op->emitOpError() << "'tfm.name' of " << what << " #" << index
                             << " must be a non-empty string";
  return success();
}

LogicalResult TfmDialect::verifyRegionArgAttribute(Operation *op,
                                                   unsigned /*regionIndex*/,
                                                   unsigned argIndex,
                                                   NamedAttribute attr) {
  return verifyNameAttr(op, attr, "argument", argIndex);
}

LogicalResult TfmDialect::verifyRegionResultAttribute(Operation *op,
                                                      unsigned /*regionIndex*/,
                                                      unsigned resultIndex,
                                                      NamedAttribute attr) {
  return verifyNameAttr(op, attr, "result", resultIndex);
}
