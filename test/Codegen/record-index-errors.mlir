// RUN: tfmc-opt %s --tfmc-record-index-errors --split-input-file --verify-diagnostics | FileCheck %s

// A kernel's index check becomes a write of the record: the first error of
// the run (atomic count 0 -> 1) stores site, index and bounds as 32-bit
// words; the kernel takes the record as a new last argument, every caller
// passes it, and the site strings move to the module.

// CHECK-LABEL: module attributes {tfmc.index_error_sites = ["tfm.gather at a.mlir:3:5", "tfm.embedding at b.mlir:9:1"]}
// CHECK: memref.global "private" @__tfmc_index_errors : memref<8xi32>
// CHECK-NOT: llvm.mlir.global
// CHECK-NOT: @tfmrt_index_error
// CHECK-LABEL: func.func private @gather_ids(
// CHECK-SAME: %[[I:.*]]: i64, %[[REC:.*]]: memref<8xi32>)
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : i32
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[N:.*]] = memref.atomic_rmw addi %[[C1]], %[[REC]][%[[C0]]] : (i32, memref<8xi32>) -> i32
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[N]], %{{.*}} : i32
// CHECK: scf.if %[[FIRST]] {
// CHECK:   %[[SITE:.*]] = arith.constant 0 : i32
// CHECK:   memref.store %[[SITE]], %[[REC]][%{{.*}}]
// CHECK:   %[[LO:.*]] = arith.trunci %[[I]] : i64 to i32
// CHECK:   %[[SHIFTED:.*]] = arith.shrui %[[I]], %{{.*}} : i64
// CHECK:   %[[HI:.*]] = arith.trunci %[[SHIFTED]] : i64 to i32
// CHECK:   memref.store %[[LO]], %[[REC]][%c2]
// CHECK:   memref.store %[[HI]], %[[REC]][%c3]
// CHECK-COUNT-4: memref.store
// CHECK: }
// CHECK-NOT: call
// CHECK-LABEL: func.func private @embedding_ids(
// CHECK-SAME: %{{.*}}: memref<8xi32>)
// CHECK: memref.atomic_rmw
// CHECK: scf.if
// CHECK-NEXT: %[[S1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: arith.constant 1 : index
// CHECK-NEXT: memref.store %[[S1]]
// CHECK: memref.atomic_rmw
// CHECK: scf.if
// CHECK-NEXT: %[[S0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: arith.constant 1 : index
// CHECK-NEXT: memref.store %[[S0]]
// CHECK-LABEL: func.func private @no_checks(%{{.*}}: memref<4xf32>)
// CHECK-LABEL: func.func @main(
// CHECK: %[[G1:.*]] = memref.get_global @__tfmc_index_errors : memref<8xi32>
// CHECK: call @gather_ids(%{{.*}}, %[[G1]])
// CHECK: %[[G2:.*]] = memref.get_global @__tfmc_index_errors : memref<8xi32>
// CHECK: call @gather_ids(%{{.*}}, %[[G2]])
// CHECK: call @embedding_ids(%{{.*}}, %{{.*}}) : (i64, memref<8xi32>) -> ()
// CHECK: call @no_checks(%{{.*}}) : (memref<4xf32>) -> ()
module {
  llvm.mlir.global private constant @__tfmc_site_0("tfm.gather at a.mlir:3:5\00") {addr_space = 0 : i32}
  llvm.mlir.global private constant @__tfmc_site_1("tfm.embedding at b.mlir:9:1\00") {addr_space = 0 : i32}
  func.func private @tfmrt_index_error(i64, i64, i64, !llvm.ptr)
  func.func private @gather_ids(%i: i64) attributes {tfmc.kernel} {
    %lower = arith.constant -7 : i64
    %upper = arith.constant 7 : i64
    %site = llvm.mlir.addressof @__tfmc_site_0 : !llvm.ptr
    call @tfmrt_index_error(%i, %lower, %upper, %site) : (i64, i64, i64, !llvm.ptr) -> ()
    return
  }
  func.func private @embedding_ids(%i: i64) attributes {tfmc.kernel} {
    %lower = arith.constant 0 : i64
    %upper = arith.constant 10 : i64
    %site1 = llvm.mlir.addressof @__tfmc_site_1 : !llvm.ptr
    %site0 = llvm.mlir.addressof @__tfmc_site_0 : !llvm.ptr
    call @tfmrt_index_error(%i, %lower, %upper, %site1) : (i64, i64, i64, !llvm.ptr) -> ()
    // The same site again: the same number.
    call @tfmrt_index_error(%i, %lower, %upper, %site0) : (i64, i64, i64, !llvm.ptr) -> ()
    return
  }
  func.func private @no_checks(%x: memref<4xf32>) attributes {tfmc.kernel} {
    return
  }
  func.func @main(%i: i64, %x: memref<4xf32>) {
    %site = llvm.mlir.addressof @__tfmc_site_0 : !llvm.ptr
    call @gather_ids(%i) : (i64) -> ()
    call @gather_ids(%i) : (i64) -> ()
    call @embedding_ids(%i) : (i64) -> ()
    call @no_checks(%x) : (memref<4xf32>) -> ()
    return
  }
}

// -----

// A kernel that checks indices must be called, not referenced otherwise.
func.func private @tfmrt_index_error(i64, i64, i64, !llvm.ptr)
func.func private @checks(%i: i64) attributes {tfmc.kernel} {
  %site = llvm.mlir.zero : !llvm.ptr
  call @tfmrt_index_error(%i, %i, %i, %site) : (i64, i64, i64, !llvm.ptr) -> ()
  return
}
func.func @main() {
  // expected-error @+1 {{tfmc-record-index-errors: a kernel that checks indices is used other than by a call}}
  %f = func.constant @checks : (i64) -> ()
  return
}
