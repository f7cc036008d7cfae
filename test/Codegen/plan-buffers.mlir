// RUN: tfmc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(tfmc-plan-buffers))" | FileCheck %s

// %a dies at the op that %c's first use follows: %c reuses %a's bytes; %b
// overlaps both and gets its own. Sizes round up to 64 bytes.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: attributes {tfmc.arena_bytes = 128 : i64}
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%[[OA:.*]]][] : memref<128xi8> to memref<16xf32>
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%[[OB:.*]]][] : memref<128xi8> to memref<16xf32>
// CHECK: linalg.copy ins(%[[A]] : memref<16xf32>) outs(%[[B]] : memref<16xf32>)
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%[[OA2:.*]]][] : memref<128xi8> to memref<16xf32>
// CHECK: linalg.copy ins(%[[B]] : memref<16xf32>) outs(%[[C]] : memref<16xf32>)
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return
func.func @reuse(%in: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%in : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%b : memref<16xf32>)
  %c = memref.alloc() : memref<16xf32>
  linalg.copy ins(%b : memref<16xf32>) outs(%c : memref<16xf32>)
  linalg.copy ins(%c : memref<16xf32>) outs(%out : memref<16xf32>)
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<16xf32>
  memref.dealloc %c : memref<16xf32>
  return
}

// -----

// A use through a view (collapse_shape) keeps the buffer alive: the second
// buffer may not take its place while the view is read.
// CHECK-LABEL: func.func @through_views
// CHECK-SAME: tfmc.arena_bytes = 128
func.func @through_views(%in: memref<2x8xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<2x8xf32>
  linalg.copy ins(%in : memref<2x8xf32>) outs(%a : memref<2x8xf32>)
  %v = memref.collapse_shape %a [[0, 1]] : memref<2x8xf32> into memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  linalg.copy ins(%v : memref<16xf32>) outs(%b : memref<16xf32>)
  linalg.copy ins(%b : memref<16xf32>) outs(%out : memref<16xf32>)
  memref.dealloc %a : memref<2x8xf32>
  memref.dealloc %b : memref<16xf32>
  return
}

// -----

// Returned buffers and dynamic shapes are not planned; the largest buffer is
// placed first. i1 takes a byte per element.
// CHECK-LABEL: func.func @not_planned
// CHECK-SAME: tfmc.arena_bytes = 64
// CHECK-DAG: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-DAG: memref.alloc() : memref<4xf32>
// CHECK-DAG: memref.view {{.*}} to memref<10xi1>
// CHECK: return
func.func @not_planned(%n: index) -> memref<4xf32> {
  %d = memref.alloc(%n) : memref<?xf32>
  %bits = memref.alloc() : memref<10xi1>
  %r = memref.alloc() : memref<4xf32>
  memref.dealloc %d : memref<?xf32>
  memref.dealloc %bits : memref<10xi1>
  return %r : memref<4xf32>
}
