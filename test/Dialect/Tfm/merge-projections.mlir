// RUN: tfmc-opt %s --tfm-merge-projections --split-input-file | FileCheck %s

// Q, K and V of self-attention: one linear over the concatenated weights
// and biases (weights with parts, named by joining the parts' names), one
// slice of its result per projection, in order.
// CHECK-LABEL: func.func @qkv
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x64xf32>)
// CHECK: %[[W:.*]] = tfm.weight "wq+wk+wv" parts ["wq", "wk", "wv"] : tensor<160x64xf32>
// CHECK: %[[B:.*]] = tfm.weight "bq+bk+bv" parts ["bq", "bk", "bv"] : tensor<160xf32>
// CHECK: %[[Y:.*]] = tfm.linear %[[X]], %[[W]], %[[B]] : (tensor<2x16x64xf32>, tensor<160x64xf32>, tensor<160xf32>) -> tensor<2x16x160xf32>
// CHECK: %[[Q:.*]] = tfm.slice %[[Y]] {limits = array<i64: 2, 16, 64>, starts = array<i64: 0, 0, 0>, strides = array<i64: 1, 1, 1>} : tensor<2x16x160xf32> -> tensor<2x16x64xf32>
// CHECK: %[[K:.*]] = tfm.slice %[[Y]] {limits = array<i64: 2, 16, 128>, starts = array<i64: 0, 0, 64>, strides = array<i64: 1, 1, 1>} : tensor<2x16x160xf32> -> tensor<2x16x64xf32>
// CHECK: %[[V:.*]] = tfm.slice %[[Y]] {limits = array<i64: 2, 16, 160>, starts = array<i64: 0, 0, 128>, strides = array<i64: 1, 1, 1>} : tensor<2x16x160xf32> -> tensor<2x16x32xf32>
// CHECK-NOT: tfm.linear
// CHECK: return %[[Q]], %[[K]], %[[V]]
func.func @qkv(%x: tensor<2x16x64xf32>) -> (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x32xf32>) {
  %wq = tfm.weight "wq" : tensor<64x64xf32>
  %bq = tfm.weight "bq" : tensor<64xf32>
  %wk = tfm.weight "wk" : tensor<64x64xf32>
  %bk = tfm.weight "bk" : tensor<64xf32>
  %wv = tfm.weight "wv" : tensor<32x64xf32>
  %bv = tfm.weight "bv" : tensor<32xf32>
  %q = tfm.linear %x, %wq, %bq : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %k = tfm.linear %x, %wk, %bk : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %v = tfm.linear %x, %wv, %bv : (tensor<2x16x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<2x16x32xf32>
  return %q, %k, %v : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x32xf32>
}

// -----

// Left alone: different inputs (cross-attention's K, V merge with each
// other but not with Q), a weight that is a model input, a bias on one
// linear only.
// CHECK-LABEL: func.func @cross
// CHECK: %[[Q:.*]] = tfm.linear %arg0, %{{.*}} :
// CHECK: tfm.weight "wk+wv" parts ["wk", "wv"]
// CHECK: tfm.linear %arg1
// CHECK-COUNT-2: tfm.slice
func.func @cross(%x: tensor<4x8xf32>, %m: tensor<6x8xf32>) -> (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>) {
  %wq = tfm.weight "wq" : tensor<8x8xf32>
  %wk = tfm.weight "wk" : tensor<8x8xf32>
  %wv = tfm.weight "wv" : tensor<8x8xf32>
  %q = tfm.linear %x, %wq : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %k = tfm.linear %m, %wk : (tensor<6x8xf32>, tensor<8x8xf32>) -> tensor<6x8xf32>
  %v = tfm.linear %m, %wv : (tensor<6x8xf32>, tensor<8x8xf32>) -> tensor<6x8xf32>
  return %q, %k, %v : tensor<4x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>
}

// -----

// CHECK-LABEL: func.func @not_mergeable
// CHECK-NOT: parts
// CHECK-COUNT-2: tfm.linear
// CHECK-NOT: tfm.slice
func.func @not_mergeable(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %wk = tfm.weight "wk" : tensor<8x8xf32>
  %bk = tfm.weight "bk" : tensor<8xf32>
  %a = tfm.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %b = tfm.linear %x, %wk, %bk : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @bias_on_one
// CHECK-NOT: parts
func.func @bias_on_one(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %wq = tfm.weight "wq" : tensor<8x8xf32>
  %bq = tfm.weight "bq" : tensor<8xf32>
  %wk = tfm.weight "wk" : tensor<8x8xf32>
  %a = tfm.linear %x, %wq, %bq : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %b = tfm.linear %x, %wk : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}
