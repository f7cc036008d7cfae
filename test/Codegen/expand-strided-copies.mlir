// RUN: tfmc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(tfmc-expand-strided-copies))" | FileCheck %s

// A copy out of a strided view becomes linalg.copy (then loops), never a
// call to the runner utilities' memrefCopy.
// CHECK-LABEL: func.func @strided_source
// CHECK-SAME: (%[[A:.*]]: memref<2x3xf32, strided<[8, 1], offset: 4>>, %[[B:.*]]: memref<2x3xf32>)
// CHECK: linalg.copy ins(%[[A]] : memref<2x3xf32, strided<[8, 1], offset: 4>>) outs(%[[B]] : memref<2x3xf32>)
// CHECK-NOT: memref.copy
func.func @strided_source(%a: memref<2x3xf32, strided<[8, 1], offset: 4>>, %b: memref<2x3xf32>) {
  memref.copy %a, %b : memref<2x3xf32, strided<[8, 1], offset: 4>> to memref<2x3xf32>
  return
}

// -----

// CHECK-LABEL: func.func @strided_target
// CHECK: linalg.copy
func.func @strided_target(%a: memref<2x3xf32>, %b: memref<2x3xf32, strided<[1, 2]>>) {
  memref.copy %a, %b : memref<2x3xf32> to memref<2x3xf32, strided<[1, 2]>>
  return
}

// -----

// Contiguous copies stay (they lower to memcpy), offsets included.
// CHECK-LABEL: func.func @contiguous
// CHECK-COUNT-2: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<2x3xf32>, %b: memref<2x3xf32>, %c: memref<2x3xf32, strided<[3, 1], offset: 6>>) {
  memref.copy %a, %b : memref<2x3xf32> to memref<2x3xf32>
  memref.copy %a, %c : memref<2x3xf32> to memref<2x3xf32, strided<[3, 1], offset: 6>>
  return
}
