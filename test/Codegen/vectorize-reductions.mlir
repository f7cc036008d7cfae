// RUN: tfmc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(tfmc-vectorize-reductions,cse))" | FileCheck %s
// RUN: not tfmc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(tfmc-vectorize-reductions{lanes=0}))" 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: tfmc-vectorize-reductions: lanes must be positive

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Row max over 40 elements: two full vectors of 16, then a masked tail of 8
// whose other lanes contribute -inf; one horizontal reduction per row,
// combined with the output's previous value. The parallel loop keeps its
// place (depth 0), so the kernel's parallel_loop attribute stays valid.
// CHECK-LABEL: func.func @row_max
// CHECK: scf.for %[[I:.*]] = %c0 to %c8 step %c1 {
// CHECK: %[[NEG:.*]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK: %[[V:.*]] = scf.for %[[R:.*]] = %c0 to %c32 step %c16 iter_args(%[[ACC:.*]] = %[[NEG]]) -> (vector<16xf32>) {
// CHECK: %[[X:.*]] = vector.load %arg0[%[[I]], %[[R]]] : memref<8x40xf32>, vector<16xf32>
// CHECK: %[[M:.*]] = arith.maximumf %[[ACC]], %[[X]] : vector<16xf32>
// CHECK: scf.yield %[[M]]
// CHECK: %[[MASK:.*]] = vector.create_mask %c8 : vector<16xi1>
// CHECK: %[[T:.*]] = vector.maskedload %arg0[%[[I]], %c32]
// CHECK: %[[TS:.*]] = arith.select %[[MASK]], %[[T]], %[[NEG]]
// CHECK: %[[ALL:.*]] = arith.maximumf %[[V]], %[[TS]]
// The lanes combined by halves (a vector.reduction of maximumf becomes a
// serial scalar chain in LLVM).
// CHECK: %[[L8:.*]] = vector.extract_strided_slice %[[ALL]] {offsets = [0], sizes = [8], strides = [1]} : vector<16xf32> to vector<8xf32>
// CHECK: %[[H8:.*]] = vector.extract_strided_slice %[[ALL]] {offsets = [8], sizes = [8], strides = [1]}
// CHECK: %[[M8:.*]] = arith.maximumf %[[L8]], %[[H8]] : vector<8xf32>
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : vector<4xf32>
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : vector<2xf32>
// CHECK: %[[M1:.*]] = arith.maximumf %{{.*}}, %{{.*}} : vector<1xf32>
// CHECK: %[[RED:.*]] = vector.extract %[[M1]][0] : f32 from vector<1xf32>
// CHECK: %[[OLD:.*]] = memref.load %arg1[%[[I]]]
// CHECK: %[[NEW:.*]] = arith.maximumf %[[OLD]], %[[RED]] : f32
// CHECK: memref.store %[[NEW]], %arg1[%[[I]]]
// CHECK-NOT: linalg.generic
func.func @row_max(%x: memref<8x40xf32>, %m: memref<8xf32>) {
  linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x40xf32>) outs(%m : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %in, %out : f32
    linalg.yield %v : f32
  }
  return
}

// -----

#x = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>

// A sum of exp(x - max) (softmax's denominator) with an f16 input: the body
// is vectorized as is, the per-row max is broadcast to every lane.
// CHECK-LABEL: func.func @sum_exp
// CHECK: scf.for %[[I:.*]] = %c0 to %c4 step %c1 {
// CHECK: scf.for
// CHECK: %[[H:.*]] = vector.load %arg0[%[[I]], %{{.*}}] : memref<4x64xf16>, vector<16xf16>
// CHECK: %[[MAX:.*]] = memref.load %arg1[%[[I]]] : memref<4xf32>
// CHECK: %[[MAXV:.*]] = vector.broadcast %[[MAX]] : f32 to vector<16xf32>
// CHECK: %[[E:.*]] = arith.extf %[[H]] : vector<16xf16> to vector<16xf32>
// CHECK: %[[D:.*]] = arith.subf %[[E]], %[[MAXV]] : vector<16xf32>
// CHECK: math.exp %[[D]] : vector<16xf32>
// CHECK: arith.addf
// CHECK: vector.reduction <add>
// CHECK-NOT: vector.maskedload
func.func @sum_exp(%x: memref<4x64xf16>, %max: memref<4xf32>, %sum: memref<4xf32>) {
  linalg.generic {indexing_maps = [#x, #r, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x, %max : memref<4x64xf16>, memref<4xf32>) outs(%sum : memref<4xf32>) {
  ^bb0(%in: f16, %mx: f32, %out: f32):
    %e = arith.extf %in : f16 to f32
    %d = arith.subf %e, %mx : f32
    %p = math.exp %d : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#x = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>
#r = affine_map<(d0, d1) -> (d0)>

// Left alone: a reduction over a non-contiguous dimension, a row shorter
// than a vector, a boolean input read along the row (a byte per element in
// memory, a bit per lane in a vector), and an integer sum.
// CHECK-LABEL: func.func @not_vectorized
// CHECK-COUNT-4: linalg.generic
func.func @not_vectorized(%x: memref<64x64xf32>, %s: memref<64xf32>, %short: memref<64x8xf32>,
                          %b: memref<64x64xi1>, %i: memref<64x64xi32>, %is: memref<64xi32>) {
  linalg.generic {indexing_maps = [#t, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x64xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %in, %out : f32
    linalg.yield %v : f32
  }
  linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
      ins(%short : memref<64x8xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %in, %out : f32
    linalg.yield %v : f32
  }
  linalg.generic {indexing_maps = [#x, #x, #r], iterator_types = ["parallel", "reduction"]}
      ins(%b, %x : memref<64x64xi1>, memref<64x64xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%c: i1, %in: f32, %out: f32):
    %z = arith.constant 0.0 : f32
    %v = arith.select %c, %in, %z : f32
    %a = arith.addf %v, %out : f32
    linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
      ins(%i : memref<64x64xi32>) outs(%is : memref<64xi32>) {
  ^bb0(%in: i32, %out: i32):
    %v = arith.addi %in, %out : i32
    linalg.yield %v : i32
  }
  return
}
