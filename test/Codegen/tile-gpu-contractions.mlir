// RUN: tfmc-opt %s -split-input-file --tfmc-tile-gpu-contractions="tile-m=64 tile-n=64 tile-k=16 thread-m=4 thread-n=4" | FileCheck %s
// RUN: tfmc-opt %s -split-input-file --tfmc-tile-gpu-contractions | FileCheck %s --check-prefix=DEFAULT
// RUN: tfmc-opt %s -split-input-file --tfmc-tile-gpu-contractions="fallback-tile=64" | FileCheck %s --check-prefix=FALLBACK
// RUN: tfmc-opt %s -split-input-file --tfmc-tile-gpu-contractions | FileCheck %s --check-prefix=FUSE
// RUN: not tfmc-opt %s --tfmc-tile-gpu-contractions="tile-m=62" 2>&1 | FileCheck %s --check-prefix=BADOPT
// RUN: not tfmc-opt %s --tfmc-tile-gpu-contractions="fallback-tile=60" 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: tfmc-tile-gpu-contractions: tile sizes must be positive and divisible by the thread tile
// Tiles that need more workgroup memory than Vulkan guarantees (16 KiB):
// 64-deep slices of the first kernel's 64 x 64 f32 tiles are 32 KiB.
// RUN: not tfmc-opt %s -split-input-file --tfmc-tile-gpu-contractions="tile-k=64" 2>&1 | FileCheck %s --check-prefix=SHARED
// SHARED: error: tfmc-tile-gpu-contractions: the tiles need 32768 bytes of workgroup memory; Vulkan guarantees 16384

// 100 x 70 x 40: a grid of 2 x 2 workgroups of 16 x 16 threads, A and B
// slices of 16 x 64 in workgroup memory, 16 accumulators per thread carried
// through the K loop, the last K slice shorter (min), edges guarded.
// CHECK-LABEL: func.func private @matmul
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %[[BZ:.*]]) in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %[[TY:.*]], %{{.*}}) in (%{{.*}} = %c16{{.*}}, %{{.*}} = %c16{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK: %[[AT:.*]] = memref.alloc() : memref<16x16xvector<4xf32>, 3>
// CHECK: %[[BT:.*]] = memref.alloc() : memref<16x16xvector<4xf32>, 3>
// CHECK-COUNT-16: memref.load %arg2
// CHECK: %[[K:.*]]:16 = scf.for %[[K0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK: memref.load %arg0
// CHECK: vector.from_elements
// CHECK: memref.store %{{.*}}, %[[AT]]
// CHECK: memref.load %arg1
// CHECK: vector.from_elements
// CHECK: memref.store %{{.*}}, %[[BT]]
// CHECK: gpu.barrier
// CHECK: %[[KN:.*]] = arith.minui
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[KN]] step %{{.*}} iter_args(
// f32 tiles hold 4-vectors: each thread's 4 rows (columns) are
// neighbours, read with one load.
// CHECK: %[[AV:.*]] = memref.load %[[AT]]
// CHECK-COUNT-4: vector.extract %[[AV]]
// CHECK: %[[BV:.*]] = memref.load %[[BT]]
// CHECK-COUNT-4: vector.extract %[[BV]]
// CHECK-COUNT-16: arith.mulf
// CHECK: scf.yield
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK-COUNT-16: memref.store %[[K]]#{{[0-9]+}}, %arg2
// CHECK-NOT: linalg.
func.func private @matmul(%a: memref<100x40xf32>, %b: memref<40x70xf32>, %c: memref<100x70xf32>) attributes {tfmc.kernel} {
  linalg.matmul ins(%a, %b : memref<100x40xf32>, memref<40x70xf32>) outs(%c : memref<100x70xf32>)
  return
}

// -----

// Batched, B transposed ([N, K]) and shared across the batch, f16 inputs
// accumulated in f32 (the body's casts kept): the batch is grid z.
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#bt = affine_map<(b, m, n, k) -> (n, k)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
// CHECK-LABEL: func.func private @batched_bt
// (M = 32, N = 24: the 64-wide tiles halve to 32 and 16.)
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c3{{.*}}) threads({{.*}}) in (%{{.*}} = %c4{{.*}}, %{{.*}} = %c8{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK: memref.alloc() : memref<16x32xf16, 3>
// CHECK: memref.alloc() : memref<16x16xf16, 3>
// CHECK: arith.remui %[[BZ:.*]], %c3
// CHECK: arith.extf {{.*}} : f16 to f32
func.func private @batched_bt(%a: memref<3x32x20xf16>, %b: memref<24x20xf16>, %c: memref<3x32x24xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<3x32x20xf16>, memref<24x20xf16>) outs(%c : memref<3x32x24xf32>) {
  ^bb0(%x: f16, %y: f16, %acc: f32):
    %xf = arith.extf %x : f16 to f32
    %yf = arith.extf %y : f16 to f32
    %p = arith.mulf %xf, %yf : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Too small to fill a workgroup (a matrix-vector product), or not a
// contraction: left to tfmc-map-to-gpu.
// CHECK-LABEL: func.func private @matvec
// CHECK-NOT: gpu.launch
// CHECK: linalg.matmul
func.func private @matvec(%a: memref<100x40xf32>, %b: memref<40x1xf32>, %c: memref<100x1xf32>) attributes {tfmc.kernel} {
  linalg.matmul ins(%a, %b : memref<100x40xf32>, memref<40x1xf32>) outs(%c : memref<100x1xf32>)
  return
}

// -----

// The defaults: 128 x 128 tiles of 8 x 8 per thread, 8-deep slices, halved
// to 64 along a dimension of 100 (8 x 16 threads).
// fallback-tile=64: a kernel whose (fitted) tiles exceed 64 also gets a
// variant with 64 x 64 tiles, named in tfmc.fallback; the smaller ones
// (already 64 x 64 after fitting) do not.
// FALLBACK-LABEL: func.func private @matmul(
// FALLBACK-NOT: tfmc.fallback
// FALLBACK-LABEL: func.func private @defaults(
// FALLBACK-SAME: tfmc.fallback = @defaults_fallback
// FALLBACK: gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}} = %c2{{.*}}, {{.*}} = %c1{{.*}}) threads({{.*}}) in ({{.*}} = %c16, {{.*}} = %c8, {{.*}} = %c1{{.*}})
// FALLBACK: memref.alloc() : memref<8x16xvector<4xf32>, 3>
// FALLBACK: memref.alloc() : memref<8x32xvector<4xf32>, 3>
// FALLBACK-LABEL: func.func private @defaults_fallback(
// FALLBACK-NOT: tfmc.fallback
// FALLBACK: gpu.launch blocks({{.*}}) in ({{.*}} = %c4, {{.*}} = %c2, {{.*}} = %c1{{.*}}) threads({{.*}}) in ({{.*}} = %c8, {{.*}} = %c8{{.*}}, {{.*}} = %c1{{.*}})
// FALLBACK: memref.alloc() : memref<8x16xvector<4xf32>, 3>
// FALLBACK: memref.alloc() : memref<8x16xvector<4xf32>, 3>
// DEFAULT-LABEL: func.func private @defaults
// DEFAULT: gpu.launch blocks({{.*}}) in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c16{{.*}}, %{{.*}} = %c8{{.*}}, %{{.*}} = %c1{{.*}})
// DEFAULT: memref.alloc() : memref<8x16xvector<4xf32>, 3>
// DEFAULT: memref.alloc() : memref<8x32xvector<4xf32>, 3>
// DEFAULT: scf.for {{.*}} iter_args(
// DEFAULT-COUNT-64: arith.mulf
func.func private @defaults(%a: memref<100x64xf32>, %b: memref<64x256xf32>, %c: memref<100x256xf32>) attributes {tfmc.kernel} {
  linalg.matmul ins(%a, %b : memref<100x64xf32>, memref<64x256xf32>) outs(%c : memref<100x256xf32>)
  return
}

// -----

// A host function's bias broadcast (prologue), matmul and GELU-like
// epilogue in place: one fused kernel, whose accumulators start at the bias
// and whose only store is the epilogue's value; the kernels that were
// fused away are gone.
// FUSE-LABEL: func.func private @linear_mm_fused0(
// FUSE-SAME: %[[BIAS:.*]]: memref<128xf32>, %[[C:.*]]: memref<64x128xf32>, %[[A:.*]]: memref<64x32xf32>, %[[B:.*]]: memref<32x128xf32>)
// FUSE: gpu.launch
// FUSE: memref.load %[[BIAS]]
// FUSE-NOT: memref.load %[[C]]
// FUSE: scf.for
// FUSE: arith.maximumf
// FUSE: memref.store %{{.*}}, %[[C]]
// FUSE-NOT: func.func private @bias(
// FUSE-NOT: func.func private @linear_mm(
// FUSE-NOT: func.func private @relu(
// FUSE-LABEL: func.func @host
// FUSE-NEXT: call @linear_mm_fused0(%arg2, %arg3, %arg0, %arg1)
// FUSE-NEXT: return
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func private @bias(%b: memref<128xf32>, %c: memref<64x128xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]} ins(%b : memref<128xf32>) outs(%c : memref<64x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
func.func private @linear_mm(%a: memref<64x32xf32>, %b: memref<32x128xf32>, %c: memref<64x128xf32>) attributes {tfmc.kernel} {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x128xf32>) outs(%c : memref<64x128xf32>)
  return
}
func.func private @relu(%x: memref<64x128xf32>, %y: memref<64x128xf32>) attributes {tfmc.kernel} {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<64x128xf32>) outs(%y : memref<64x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}
func.func @host(%a: memref<64x32xf32>, %b: memref<32x128xf32>, %bias: memref<128xf32>, %c: memref<64x128xf32>) {
  call @bias(%bias, %c) : (memref<128xf32>, memref<64x128xf32>) -> ()
  call @linear_mm(%a, %b, %c) : (memref<64x32xf32>, memref<32x128xf32>, memref<64x128xf32>) -> ()
  call @relu(%c, %c) : (memref<64x128xf32>, memref<64x128xf32>) -> ()
  return
}

// -----

// Not fused: a prologue that reads C (scale_c); an epilogue into another
// buffer while the product is still read afterwards (the first copy, which
// is instead the second matmul's prologue: it writes all of %d without
// reading it); an epilogue that reads C transposed.
// FUSE-LABEL: func.func @unfusable
// FUSE-NEXT: call @scale_c(%arg2, %arg2)
// FUSE-NEXT: call @matmul2(%arg0, %arg1, %arg2)
// FUSE-NEXT: call @matmul2_fused0(%arg2, %arg3, %arg0, %arg1)
// FUSE-NEXT: call @transpose(%arg3, %arg4)
// FUSE-NEXT: call @copy(%arg2, %arg4)
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#t2 = affine_map<(d0, d1) -> (d1, d0)>
func.func private @matmul2(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) attributes {tfmc.kernel} {
  linalg.matmul ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}
func.func private @scale_c(%x: memref<64x64xf32>, %y: memref<64x64xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : memref<64x64xf32>) outs(%y : memref<64x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %in : f32
    linalg.yield %r : f32
  }
  return
}
func.func private @copy(%x: memref<64x64xf32>, %y: memref<64x64xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : memref<64x64xf32>) outs(%y : memref<64x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
func.func private @transpose(%x: memref<64x64xf32>, %y: memref<64x64xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#t2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : memref<64x64xf32>) outs(%y : memref<64x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
func.func @unfusable(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>, %d: memref<64x64xf32>, %e: memref<64x64xf32>) {
  call @scale_c(%c, %c) : (memref<64x64xf32>, memref<64x64xf32>) -> ()
  call @matmul2(%a, %b, %c) : (memref<64x64xf32>, memref<64x64xf32>, memref<64x64xf32>) -> ()
  call @copy(%c, %d) : (memref<64x64xf32>, memref<64x64xf32>) -> ()
  call @matmul2(%a, %b, %d) : (memref<64x64xf32>, memref<64x64xf32>, memref<64x64xf32>) -> ()
  call @transpose(%d, %e) : (memref<64x64xf32>, memref<64x64xf32>) -> ()
  call @copy(%c, %e) : (memref<64x64xf32>, memref<64x64xf32>) -> ()
  return
}
