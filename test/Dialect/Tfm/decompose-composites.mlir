// RUN: tfmc-opt %s -split-input-file -tfm-decompose-composites | FileCheck %s
// RUN: tfmc-opt %s -split-input-file -tfm-decompose-composites -mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// Self-attention with biases and the causal flag: three projections, heads
// split by reshape+transpose, one tfm.attention, heads merged, output
// projection. The composite's location is kept on every new op.
// CHECK-LABEL: func.func @self_attention
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x64xf32>, %[[WQ:.*]]: tensor<64x64xf32>, %[[WK:.*]]: tensor<64x64xf32>, %[[WV:.*]]: tensor<64x64xf32>, %[[WO:.*]]: tensor<64x64xf32>, %[[BQ:.*]]: tensor<64xf32>, %[[BK:.*]]: tensor<64xf32>, %[[BV:.*]]: tensor<64xf32>, %[[BO:.*]]: tensor<64xf32>)
// CHECK: %[[Q:.*]] = tfm.linear %[[X]], %[[WQ]], %[[BQ]]
// CHECK: %[[K:.*]] = tfm.linear %[[X]], %[[WK]], %[[BK]]
// CHECK: %[[V:.*]] = tfm.linear %[[X]], %[[WV]], %[[BV]]
// CHECK: %[[QR:.*]] = tfm.reshape %[[Q]] : tensor<2x16x64xf32> -> tensor<2x16x8x8xf32>
// CHECK: %[[QT:.*]] = tfm.transpose %[[QR]] [0, 2, 1, 3] : tensor<2x16x8x8xf32> -> tensor<2x8x16x8xf32>
// CHECK: %[[KT:.*]] = tfm.transpose {{.*}} [0, 2, 1, 3]
// CHECK: %[[VT:.*]] = tfm.transpose {{.*}} [0, 2, 1, 3]
// CHECK: %[[A:.*]] = tfm.attention %[[QT]], %[[KT]], %[[VT]] {causal} : {{.*}} -> tensor<2x8x16x8xf32>
// CHECK: %[[AT:.*]] = tfm.transpose %[[A]] [0, 2, 1, 3] : tensor<2x8x16x8xf32> -> tensor<2x16x8x8xf32>
// CHECK: %[[AR:.*]] = tfm.reshape %[[AT]] : tensor<2x16x8x8xf32> -> tensor<2x16x64xf32>
// CHECK: %[[O:.*]] = tfm.linear %[[AR]], %[[WO]], %[[BO]]
// CHECK: return %[[O]]
// CHECK-NOT: tfm.multi_head_attention
// LOC-LABEL: func.func @self_attention
// LOC-COUNT-13: loc(#[[LOC:loc[0-9]+]])
// LOC: #[[LOC]] = loc("mha.mlir":1:1)
func.func @self_attention(%x: tensor<2x16x64xf32>,
    %wq: tensor<64x64xf32>, %wk: tensor<64x64xf32>, %wv: tensor<64x64xf32>, %wo: tensor<64x64xf32>,
    %bq: tensor<64xf32>, %bk: tensor<64xf32>, %bv: tensor<64xf32>, %bo: tensor<64xf32>) -> tensor<2x16x64xf32> {
  %y = tfm.multi_head_attention %x, %x, %x weights(%wq, %wk, %wv, %wo) biases(%bq, %bk, %bv, %bo)
      {num_heads = 8 : i64, causal}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>,
         tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32> loc("mha.mlir":1:1)
  return %y : tensor<2x16x64xf32>
}

// -----

// Cross-attention with grouped-query heads (8 query heads of 8, 2 key/value
// heads), a mask and a scale; no biases.
// CHECK-LABEL: func.func @cross_attention_gqa
// CHECK-SAME: %[[MASK:[^:]*]]: tensor<2x1x16x10xi1>
// CHECK: tfm.linear %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64x64xf32>) -> tensor<2x16x64xf32>
// CHECK: tfm.linear %{{.*}}, %{{.*}} : (tensor<2x10x32xf32>, tensor<16x32xf32>) -> tensor<2x10x16xf32>
// CHECK: tfm.reshape %{{.*}} : tensor<2x10x16xf32> -> tensor<2x10x2x8xf32>
// CHECK: tfm.attention %{{.*}}, %{{.*}}, %{{.*}}, %[[MASK]] {scale = 5.000000e-01 : f64} : (tensor<2x8x16x8xf32>, tensor<2x2x10x8xf32>, tensor<2x2x10x8xf32>, tensor<2x1x16x10xi1>) -> tensor<2x8x16x8xf32>
func.func @cross_attention_gqa(%x: tensor<2x16x64xf32>, %mem: tensor<2x10x32xf32>,
    %wq: tensor<64x64xf32>, %wk: tensor<16x32xf32>, %wv: tensor<16x32xf32>, %wo: tensor<64x64xf32>,
    %mask: tensor<2x1x16x10xi1>) -> tensor<2x16x64xf32> {
  %y = tfm.multi_head_attention %x, %mem, %mem weights(%wq, %wk, %wv, %wo) mask(%mask)
      {num_heads = 8 : i64, scale = 0.5 : f64}
      : (tensor<2x16x64xf32>, tensor<2x10x32xf32>, tensor<2x10x32xf32>,
         tensor<64x64xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<64x64xf32>,
         tensor<2x1x16x10xi1>) -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

// Rank 2 (no batch dimension): heads become the leading dimension.
// CHECK-LABEL: func.func @unbatched
// CHECK: tfm.reshape %{{.*}} : tensor<5x12xf32> -> tensor<5x3x4xf32>
// CHECK: tfm.transpose %{{.*}} [1, 0, 2] : tensor<5x3x4xf32> -> tensor<3x5x4xf32>
// CHECK: tfm.attention {{.*}} -> tensor<3x5x4xf32>
// CHECK: tfm.transpose %{{.*}} [1, 0, 2] : tensor<3x5x4xf32> -> tensor<5x3x4xf32>
func.func @unbatched(%x: tensor<5x12xf32>, %w: tensor<12x12xf32>) -> tensor<5x12xf32> {
  %y = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %w, %w) {num_heads = 3 : i64}
      : (tensor<5x12xf32>, tensor<5x12xf32>, tensor<5x12xf32>,
         tensor<12x12xf32>, tensor<12x12xf32>, tensor<12x12xf32>, tensor<12x12xf32>) -> tensor<5x12xf32>
  return %y : tensor<5x12xf32>
}
