// RUN: tfmc-opt %s -split-input-file --tfmc-lower-gpu-attention="rows=2 threads=2 workgroup-memory=false" --canonicalize --cse | FileCheck %s
// RUN: tfmc-opt %s -split-input-file --tfmc-lower-gpu-attention="rows=2 threads=2 key-block=4" --canonicalize --cse | FileCheck %s --check-prefix=STAGED

// Q, K, V [2, 3, 8, 4]: a grid of 2 query blocks (2 threads × 2 rows) × 6
// heads; each thread loads its 2 scaled query rows once, then carries 2 × 4
// accumulators, 2 maxima and 2 sums through the loop over the 8 keys, each
// key element read once for both rows.
// CHECK-LABEL: func.func private @plain(
// CHECK-SAME: attributes {tfmc.kernel}
// CHECK-NOT: tfmc.attention
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}} = %c6, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c2, {{.*}} = %c1, {{.*}} = %c1)
// CHECK-COUNT-8: memref.load %arg0
// CHECK: %[[STATE:.*]]:12 = scf.for %[[KEY:.*]] = %c0 to %c8 step %c1 iter_args(
// CHECK: %[[K0:.*]] = memref.load %arg1[{{.*}}, %[[KEY]], %c0]
// CHECK-NEXT: arith.mulf %{{.*}}, %[[K0]]
// CHECK-NEXT: arith.mulf %{{.*}}, %[[K0]]
// CHECK-COUNT-6: math.fma
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.exp
// CHECK: %[[V0:.*]] = memref.load %arg2[{{.*}}, %[[KEY]], %c0]
// CHECK-NEXT: math.fma %{{.*}}, %[[V0]]
// CHECK-NEXT: math.fma %{{.*}}, %[[V0]]
// CHECK: scf.yield
// Normalized once, zeros for rows that saw only masked keys.
// CHECK: arith.cmpf oeq, %[[STATE]]#10, %cst
// CHECK: arith.divf %[[STATE]]#0, %[[STATE]]#10
// CHECK: memref.store %{{.*}}, %arg3
// CHECK-NOT: gpu.barrier
// CHECK: gpu.terminator

// By default K and V go through workgroup memory, 4 keys (key-block) at a
// time, each row of 4 values as one 4-vector.
// STAGED-LABEL: func.func private @plain(
// STAGED: %[[KT:.*]] = memref.alloc() : memref<4x1xvector<4xf32>, 3>
// STAGED: %[[VT:.*]] = memref.alloc() : memref<4x1xvector<4xf32>, 3>
// STAGED: scf.for %{{.*}} = %c0 to %c8 step %c4
// STAGED: vector.from_elements
// STAGED: memref.store %{{.*}}, %[[KT]]
// STAGED: gpu.barrier
// STAGED: scf.for
// STAGED: %[[K:.*]] = memref.load %[[KT]]
// STAGED: vector.extract %[[K]][0]
// STAGED: gpu.barrier
func.func private @plain(memref<2x3x8x4xf32>, memref<2x3x8x4xf32>, memref<2x3x8x4xf32>, memref<2x3x8x4xf32>) attributes {tfmc.attention = {scale = 5.000000e-01 : f64}}

// -----

// Causal, a boolean padding mask [2, 1, 1, 7] shared by all rows, 4 query
// heads over 2 key/value heads, 5 queries over 7 keys (the last query
// block is partial), f16 operands.
// CHECK-LABEL: func.func private @causal_masked_grouped(
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}} = %c8, {{.*}} = %c1)
// The key/value head: query head / 2.
// CHECK: %[[KVH:.*]] = arith.divui %{{.*}}, %c2
// Rows past the 5 queries compute on the last one.
// CHECK: arith.minui %{{.*}}, %c4
// CHECK: arith.extf
// Keys past the last row's diagonal (j <= i + 7 - 5) are not visited.
// CHECK: %[[END:.*]] = arith.minsi %{{.*}}, %c7
// CHECK: scf.for %[[KEY:.*]] = %c0 to %[[END]] step %c1 iter_args(
// CHECK: memref.load %arg1[%{{.*}}, %[[KVH]], %[[KEY]], %c0] : memref<2x2x7x4xf16>
// CHECK: %[[M:.*]] = memref.load %arg3[%{{.*}}, %c0, %c0, %[[KEY]]] : memref<2x1x1x7xi1>
// CHECK: arith.select %[[M]]
// CHECK: arith.cmpi ule
// CHECK: arith.select
// CHECK: memref.load %arg2[%{{.*}}, %[[KVH]], %[[KEY]], %c0] : memref<2x2x7x4xf16>
// CHECK: scf.yield
// The partial block's rows are not stored.
// CHECK: scf.if
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: memref.store %{{.*}}, %arg4
func.func private @causal_masked_grouped(memref<2x4x5x4xf16>, memref<2x2x7x4xf16>, memref<2x2x7x4xf16>, memref<2x1x1x7xi1>, memref<2x4x5x4xf16>) attributes {tfmc.attention = {causal, scale = 5.000000e-01 : f64}}

// -----

// A float mask per query row, rank 2 ([Sq, Sk], broadcast over the heads),
// added to the scaled scores.
// CHECK-LABEL: func.func private @additive(
// CHECK: scf.for
// CHECK: %[[M:.*]] = memref.load %arg3[%{{.*}}, %{{.*}}] : memref<8x8xf32>
// CHECK: arith.addf %{{.*}}, %[[M]]
func.func private @additive(memref<1x2x8x4xf32>, memref<1x2x8x4xf32>, memref<1x2x8x4xf32>, memref<8x8xf32>, memref<1x2x8x4xf32>) attributes {tfmc.attention = {scale = 5.000000e-01 : f64}}

// -----

// Functions without the attribute, or with a body, are left alone.
// CHECK-LABEL: func.func private @other(memref<4xf32>)
// CHECK-NOT: gpu.launch
func.func private @other(memref<4xf32>)
