// RUN: tfmc-opt %s --tfmc-emulate-bf16 --split-input-file --verify-diagnostics | FileCheck %s

// Kernels read and write bf16 as i16 bits: extf is a shift into the upper
// half of an f32, truncf rounds to nearest even in integer arithmetic, and
// arithmetic on bf16 runs in f32. The host side (buffers, globals, the
// launch) and the kernel's signature agree on i16.

// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: memref.global "private" constant @table : memref<2xi16> = dense<[16256, -16384]>
// CHECK-LABEL: gpu.func @k(
// CHECK-SAME: %[[A:.*]]: memref<4xi16>, %[[B:.*]]: memref<4xi16>, %[[OUT:.*]]: memref<4xf32>
// CHECK: %[[X:.*]] = memref.load %[[A]][%{{.*}}] : memref<4xi16>
// CHECK: %[[XW:.*]] = arith.extui %[[X]] : i16 to i32
// CHECK: %[[XS:.*]] = arith.shli %[[XW]], %{{.*}} : i32
// CHECK: %[[XF:.*]] = arith.bitcast %[[XS]] : i32 to f32
// CHECK: %[[SUM:.*]] = arith.addf %[[XF]], %{{.*}} : f32
// CHECK-NOT: bf16
// CHECK: %[[ROUNDED:.*]] = arith.trunci %{{.*}} : i32 to i16
// CHECK: %[[BITS:.*]] = arith.select %{{.*}}, %c32704_i16, %[[ROUNDED]] : i16
// CHECK: memref.store %[[BITS]], %[[B]][%{{.*}}] : memref<4xi16>
// CHECK: memref.store %{{.*}}, %[[OUT]][%{{.*}}] : memref<4xf32>
// CHECK-LABEL: func.func @main(
// CHECK-SAME: %{{.*}}: memref<4xi16>
// CHECK: %[[BUF:.*]] = memref.alloc() : memref<4xi16>
// CHECK: %[[T:.*]] = memref.get_global @table : memref<2xi16>
// CHECK: gpu.launch_func @kernels::@k {{.*}} args(%{{.*}} : memref<4xi16>, %[[BUF]] : memref<4xi16>, %{{.*}} : memref<4xf32>)
module attributes {gpu.container_module} {
  memref.global "private" constant @table : memref<2xbf16> = dense<[1.0, -2.0]>
  gpu.module @kernels {
    gpu.func @k(%a: memref<4xbf16>, %b: memref<4xbf16>, %out: memref<4xf32>) kernel {
      %i = gpu.thread_id x
      %x = memref.load %a[%i] : memref<4xbf16>
      // Arithmetic on bf16: computed in f32, rounded once.
      %y = arith.addf %x, %x : bf16
      memref.store %y, %b[%i] : memref<4xbf16>
      %f = arith.extf %y : bf16 to f32
      memref.store %f, %out[%i] : memref<4xf32>
      gpu.return
    }
  }
  func.func @main(%a: memref<4xbf16>, %out: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %buf = memref.alloc() : memref<4xbf16>
    %t = memref.get_global @table : memref<2xbf16>
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%a : memref<4xbf16>, %buf : memref<4xbf16>, %out : memref<4xf32>)
    return
  }
}

// -----

// A math function on bf16 is not reinterpreted: it is refused.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: memref<4xbf16>) kernel {
      %i = gpu.thread_id x
      %x = memref.load %a[%i] : memref<4xbf16>
      // expected-error @+1 {{tfmc-emulate-bf16: cannot compute 'math.exp' on bf16 for --target=vulkan (only arith is emulated)}}
      %y = math.exp %x : bf16
      memref.store %y, %a[%i] : memref<4xbf16>
      gpu.return
    }
  }
}
