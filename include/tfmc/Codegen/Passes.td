//===- Passes.td - tfmc code generation passes -------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_CODEGEN_PASSES_TD
#define TFMC_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExpandStridedCopiesPass
    : Pass<"tfmc-expand-strided-copies", "::mlir::func::FuncOp"> {
  let summary = "Turn copies between non-contiguous buffers into loops";
  let description = [{
    `memref.copy` between buffers that are not both contiguous (views made
    by bufferizing `tensor.insert_slice`/`extract_slice` with strides)
    would otherwise lower to a call into MLIR's C runner utilities
    (`memrefCopy`), which the standalone executables do not link. This pass
    rewrites such copies to `linalg.copy`, which becomes plain loops;
    contiguous copies are left alone (they become `memcpy`).

    ```mlir
    memref.copy %a, %b : memref<2x3xf32, strided<[8, 1], offset: 4>> to memref<2x3xf32>
    // becomes
    linalg.copy ins(%a : memref<2x3xf32, strided<[8, 1], offset: 4>>) outs(%b : memref<2x3xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // TFMC_CODEGEN_PASSES_TD
