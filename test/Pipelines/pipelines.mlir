// The registered pipelines, as tfmc-compile runs them phase by phase.
// RUN: tfmc-opt %s --tfmc-graph-pipeline | FileCheck %s --check-prefix=GRAPH
// RUN: tfmc-opt %s --tfmc-cpu-pipeline | FileCheck %s --check-prefix=CPU
// RUN: not tfmc-opt %s --tfmc-graph-pipeline="entry-point=forward" 2>&1 | FileCheck %s --check-prefix=ENTRY
// Option values are checked (the rules tfmc-compile's flags follow too).
// RUN: not tfmc-opt %s --tfmc-cpu-pipeline="target=vulcan" 2>&1 | FileCheck %s --check-prefix=BADTARGET
// RUN: not tfmc-opt %s --tfmc-cpu-pipeline="attention=fast" 2>&1 | FileCheck %s --check-prefix=BADATTN
// RUN: not tfmc-opt %s --tfmc-cpu-pipeline="vulkan-target=tiny" 2>&1 | FileCheck %s --check-prefix=BADVK
// RUN: not tfmc-opt %s --tfmc-graph-pipeline="attention-block=0" 2>&1 | FileCheck %s --check-prefix=BADBLOCK
// RUN: not tfmc-opt %s --tfmc-cpu-pipeline="vector-bits=100" 2>&1 | FileCheck %s --check-prefix=BADBITS
// RUN: not tfmc-opt %s --tfmc-cpu-pipeline="vulkan-max-buffer-range=1000" 2>&1 | FileCheck %s --check-prefix=BADRANGE
// BADTARGET: error: tfmc-cpu-pipeline: unknown target='vulcan' (expected cpu or vulkan)
// BADATTN: error: tfmc-cpu-pipeline: unknown attention='fast' (expected auto, flash or unfused)
// BADVK: error: tfmc-cpu-pipeline: unknown vulkan-target='tiny' (expected default or small)
// BADBLOCK: error: tfmc-graph-pipeline: attention-block must be >= 1, got 0
// BADBITS: error: tfmc-cpu-pipeline: vector-bits must be a positive multiple of 32, got 100
// BADRANGE: error: tfmc-cpu-pipeline: vulkan-max-buffer-range must be a positive multiple of 256, got 1000

// graph: composites decomposed, constants folded, CSE (the two identical
// weight reads become one), names kept.
// GRAPH-LABEL: func.func @main
// GRAPH-SAME: {tfm.name = "x"}
// GRAPH-COUNT-1: tfm.weight "w"
// GRAPH-NOT: tfm.multi_head_attention
// GRAPH: tfm.attention
// GRAPH-NOT: tfm.add

// cpu: the LLVM dialect, destination-passing: the result is an out-param
// (memref descriptors: pointers, offset, sizes, strides),
// weights are external globals (linear layers' packed in 32-column panels
// for the default AVX-512 register tile), nothing from the runner utilities.
// CPU-DAG: llvm.mlir.global external constant @__tfmc_weight_w_panels32() {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<1 x array<8 x array<32 x f32>>>
// CPU-DAG: llvm.func @main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64,
// CPU-NOT: memrefCopy
// CPU-NOT: tfm.

// ENTRY: error: the model has no entry point: expected a function body named @forward

func.func @main(%x: tensor<1x4x8xf32> {tfm.name = "x"}) -> (tensor<1x4x8xf32> {tfm.name = "y"}) {
  %w1 = tfm.weight "w" : tensor<8x8xf32>
  %w2 = tfm.weight "w" : tensor<8x8xf32>
  %zero = tfm.constant dense<-0.0> : tensor<8xf32>
  %a = tfm.multi_head_attention %x, %x, %x weights(%w1, %w2, %w1, %w2) {num_heads = 2 : i64}
      : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>,
         tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %y = tfm.add %a, %zero : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}
