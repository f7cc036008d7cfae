// RUN: tfmc-opt %s --tfmc-set-spirv-entry-points | FileCheck %s

// The outlined kernel's block size becomes its compute shader's LocalSize.
// CHECK: gpu.func @k(%{{.*}}: memref<4xf32>) kernel attributes {known_block_size = array<i32: 64, 1, 1>, spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [64, 1, 1]>}
module attributes {gpu.container_module} {
  gpu.module @m {
    gpu.func @k(%x: memref<4xf32>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      gpu.return
    }
  }
}
