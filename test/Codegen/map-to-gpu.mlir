// RUN: tfmc-opt %s -split-input-file --tfmc-map-to-gpu --cse -verify-diagnostics | FileCheck %s
// RUN: not tfmc-opt %s --tfmc-map-to-gpu="workgroup-size=0" 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: tfmc-map-to-gpu: workgroup-size must be positive

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// A column sum (reduction outermost in the op): the parallel dimension
// becomes the threads (40: one workgroup of 40), the reduction a loop in
// each thread; the module is made a GPU container with a Vulkan target.
// CHECK: module attributes {gpu.container_module, spirv.target_env = #spirv.target_env<
// CHECK-LABEL: func.func private @column_sum
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %c1, %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c40, %{{.*}} = %c1, %{{.*}} = %c1)
// CHECK: %[[ID:.*]] = arith.addi %{{.*}}, %[[TX]] : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[ID]], %c40
// CHECK: scf.if %[[IN]]
// CHECK: scf.for %[[R:.*]] = %c0 to %c4 step %c1
// CHECK: memref.load %arg0
// CHECK: memref.store
// CHECK: gpu.terminator
func.func private @column_sum(%x: memref<4x40xf32>, %s: memref<40xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<4x40xf32>) outs(%s : memref<40xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %in, %out : f32
    linalg.yield %v : f32
  }
  return
}

// -----

// 3 x 100 x 7 = 2100 iterations: 33 workgroups of 64; the linear index is
// delinearized innermost first; the named op is generalized.
// CHECK-LABEL: func.func private @copy3d
// CHECK: gpu.launch {{.*}} in (%{{.*}} = %c33, %{{.*}} = %c1, %{{.*}} = %c1) threads({{.*}}) in (%{{.*}} = %c64,
// CHECK: arith.cmpi ult, %{{.*}}, %c2100
// CHECK: arith.remui %{{.*}}, %c7
// CHECK: arith.divui %{{.*}}, %c7
// CHECK: arith.remui %{{.*}}, %c100
// CHECK: arith.divui %{{.*}}, %c100
func.func private @copy3d(%x: memref<3x100x7xf32>, %y: memref<3x100x7xf32>) attributes {tfmc.kernel} {
  linalg.copy ins(%x : memref<3x100x7xf32>) outs(%y : memref<3x100x7xf32>)
  return
}

// -----

// Functions that are not kernels are left alone.
// CHECK-LABEL: func.func @host
// CHECK-NOT: gpu.launch
// CHECK: call @k
func.func private @k(memref<4xf32>)
func.func @host(%x: memref<4xf32>) {
  call @k(%x) : (memref<4xf32>) -> ()
  return
}

// -----

// A kernel cannot call the host (tfmc-record-index-errors rewrites the
// only calls tfmc generates in kernels).
func.func private @host_function(i64)
func.func private @calls_host(%i: i64) attributes {tfmc.kernel} {
  // expected-error @+1 {{tfmc-map-to-gpu: a GPU kernel cannot call the host function host_function}}
  call @host_function(%i) : (i64) -> ()
  return
}
