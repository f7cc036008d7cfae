// RUN: tfmc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(tfmc-parallelize-kernels))" | FileCheck %s

// The loop at the marked depth becomes a one-dimensional scf.parallel; the
// loops inside it keep their order.
// CHECK-LABEL: func.func @depth_one
// CHECK: scf.for %[[B:.*]] = %c0 to %c1 step %c1 {
// CHECK-NEXT: scf.parallel (%[[I:.*]]) = (%c0) to (%c512) step (%c1) {
// CHECK-NEXT: scf.for %[[J:.*]] = %c0 to %c512 step %c1 {
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[B]], %[[I]], %[[J]]]
func.func @depth_one(%out: memref<1x512x512xf32>) attributes {tfmc.parallel_loop = 1 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %zero = arith.constant 0.0 : f32
  scf.for %b = %c0 to %c1 step %c1 {
    scf.for %i = %c0 to %c512 step %c1 {
      scf.for %j = %c0 to %c512 step %c1 {
        memref.store %zero, %out[%b, %i, %j] : memref<1x512x512xf32>
      }
    }
  }
  return
}

// -----

// Without the attribute, or when the nest is not a single chain of loops
// at that depth, nothing changes.
// CHECK-LABEL: func.func @unmarked
// CHECK-NOT: scf.parallel
func.func @unmarked(%out: memref<512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c512 step %c1 {
    memref.store %zero, %out[%i] : memref<512xf32>
  }
  return
}

// -----

// CHECK-LABEL: func.func @two_nests
// CHECK-NOT: scf.parallel
func.func @two_nests(%out: memref<512xf32>) attributes {tfmc.parallel_loop = 0 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c512 step %c1 {
    memref.store %zero, %out[%i] : memref<512xf32>
  }
  scf.for %i = %c0 to %c512 step %c1 {
    memref.store %zero, %out[%i] : memref<512xf32>
  }
  return
}
