// RUN: tfmc-opt %s -split-input-file -tfmc-outline-kernels | FileCheck %s

// Each linalg op of the body becomes a noinline, internal kernel; constants
// are cloned into it, buffers passed.
// CHECK-LABEL: func.func private @__tfmc_kernel_0(
// CHECK-SAME: %[[OUT:.*]]: memref<4xf32>)
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"], tfmc.kernel}
// CHECK: %[[C:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: linalg.fill ins(%[[C]] : f32) outs(%[[OUT]] : memref<4xf32>)
// CHECK: func.func private @__tfmc_kernel_1(%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>)
// CHECK: linalg.generic
// CHECK-LABEL: func.func @main(
// CHECK-SAME: %[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>)
// CHECK: call @__tfmc_kernel_0(%[[B]]) : (memref<4xf32>) -> ()
// CHECK: call @__tfmc_kernel_1(%[[A]], %[[B]])
// CHECK-NOT: linalg.
#id = affine_map<(d0) -> (d0)>
func.func @main(%a: memref<4xf32>, %b: memref<4xf32>) {
  %c = arith.constant 1.0 : f32
  linalg.fill ins(%c : f32) outs(%b : memref<4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A strided view is recreated inside the kernel from its base buffer (kernels
// take identity-layout memrefs only); values captured by the body (a buffer
// read with memref.load, a site string) are passed or cloned.
// CHECK-LABEL: func.func private @__tfmc_kernel_0(
// CHECK-SAME: %[[BASE:.*]]: memref<4x8xf32>, %[[DST:.*]]: memref<4x2xf32>, %[[T:.*]]: memref<3xf32>)
// CHECK: %[[SV:.*]] = memref.subview %[[BASE]][0, 2] [4, 2] [1, 1]
// CHECK: llvm.mlir.addressof @site
// CHECK: linalg.generic {{.*}} ins(%[[SV]] : memref<4x2xf32, strided<[8, 1], offset: 2>>) outs(%[[DST]] : memref<4x2xf32>)
// CHECK: memref.load %[[T]]
// CHECK-LABEL: func.func @views(
// CHECK: memref.subview
// CHECK: call @__tfmc_kernel_0(
llvm.mlir.global private constant @site("s\00") {addr_space = 0 : i32}
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @views(%base: memref<4x8xf32>, %dst: memref<4x2xf32>, %table: memref<3xf32>) {
  %sv = memref.subview %base[0, 2] [4, 2] [1, 1] : memref<4x8xf32> to memref<4x2xf32, strided<[8, 1], offset: 2>>
  %p = llvm.mlir.addressof @site : !llvm.ptr
  %c0 = arith.constant 0 : index
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sv : memref<4x2xf32, strided<[8, 1], offset: 2>>) outs(%dst : memref<4x2xf32>) {
  ^bb0(%x: f32, %y: f32):
    %t = memref.load %table[%c0] : memref<3xf32>
    %keep = llvm.ptrtoint %p : !llvm.ptr to i64
    %s = arith.addf %x, %t : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A kernel with enough work is marked with the loop to run in parallel: the
// first loop of more than one iteration, when it is a parallel dimension.
// CHECK-LABEL: func.func private @__tfmc_kernel_0
// CHECK-SAME: tfmc.parallel_loop = 1 : i64
// CHECK: linalg.copy
// CHECK: func.func private @__tfmc_kernel_1
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"], tfmc.kernel} {
// CHECK: iterator_types = ["reduction", "parallel", "parallel"]
func.func @marks(%a: memref<1x512x512xf32>, %b: memref<1x512x512xf32>, %c: memref<2x512x512xf32>, %r: memref<512x512xf32>) {
  linalg.copy ins(%a : memref<1x512x512xf32>) outs(%b : memref<1x512x512xf32>)
  // A reduction outermost (two iterations): not parallelized.
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%c : memref<2x512x512xf32>) outs(%r : memref<512x512xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A body that calls out (an index-error report) is never run in parallel.
// CHECK-LABEL: func.func private @__tfmc_kernel_0
// CHECK-NOT: tfmc.parallel_loop
// CHECK-SAME: {
func.func private @report(i64)
func.func @calls(%ids: memref<65536x2xi64>, %out: memref<65536x2xi64>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%ids : memref<65536x2xi64>) outs(%out : memref<65536x2xi64>) {
  ^bb0(%x: i64, %y: i64):
    func.call @report(%x) : (i64) -> ()
    linalg.yield %x : i64
  }
  return
}

// -----

// Identical loop nests (the same op on buffers of the same types, as in
// every layer of a model) share one kernel.
// CHECK-LABEL: func.func private @__tfmc_kernel_0
// CHECK-NOT: func.func private @__tfmc_kernel_1
// CHECK-LABEL: func.func @layers
// CHECK: call @__tfmc_kernel_0(%{{.*}}, %{{.*}})
// CHECK: call @__tfmc_kernel_0(%{{.*}}, %{{.*}})
func.func @layers(%a: memref<8xf32>, %b: memref<8xf32>, %c: memref<8xf32>) {
  linalg.copy ins(%a : memref<8xf32>) outs(%b : memref<8xf32>)
  linalg.copy ins(%b : memref<8xf32>) outs(%c : memref<8xf32>)
  return
}

// -----

// Loop nests inside loops are kernels too; the loop's index is passed in.
// CHECK-LABEL: func.func private @__tfmc_kernel_0(
// CHECK-SAME: %{{.*}}: memref<4x8xf32>, %[[OFF:.*]]: index, %{{.*}}: memref<4xf32>)
// CHECK: memref.subview %{{.*}}[0, %[[OFF]]] [4, 1] [1, 1]
// CHECK-LABEL: func.func @in_loop
// CHECK: scf.for %[[I:.*]] =
// CHECK: call @__tfmc_kernel_0(%{{.*}}, %[[I]], %{{.*}})
func.func @in_loop(%a: memref<4x8xf32>, %b: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %col = memref.subview %a[0, %i] [4, 1] [1, 1] : memref<4x8xf32> to memref<4xf32, strided<[8], offset: ?>>
    linalg.copy ins(%col : memref<4xf32, strided<[8], offset: ?>>) outs(%b : memref<4xf32>)
  }
  return
}
