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

def PlanBuffersPass : Pass<"tfmc-plan-buffers", "::mlir::func::FuncOp"> {
  let summary = "Place a function's temporary buffers in one arena, reusing memory";
  let description = [{
    Static memory planning after bufferization. Every `memref.alloc` in the
    function's top-level block with a static shape and identity layout gets
    a live range: from the allocation to the last op that uses it, or any
    view of it (`memref.dealloc` excepted). Buffers are then packed into one
    64-byte-aligned arena, largest first at the lowest offset that no buffer
    with an overlapping live range occupies, so buffers that are never live
    together share memory. Each alloc becomes a `memref.view` of the arena
    and its dealloc disappears; the arena is freed before the function
    returns. Buffers that escape (returned, or used by an op the pass cannot
    see through) are left alone.

    The function gets a `tfmc.arena_bytes` attribute: the peak memory of its
    intermediates.

    ```mlir
    %a = memref.alloc() : memref<16xf32>   // live [0, 2]
    %b = memref.alloc() : memref<16xf32>   // live [1, 3]
    %c = memref.alloc() : memref<16xf32>   // live [4, 5]: reuses %a's bytes
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // TFMC_CODEGEN_PASSES_TD
