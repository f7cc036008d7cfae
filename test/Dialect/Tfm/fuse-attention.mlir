// RUN: tfmc-opt %s -split-input-file -tfm-fuse-attention | FileCheck %s

// Explicit Kᵀ transpose, scale multiplied onto the scores.
// CHECK-LABEL: func.func @transpose_and_mul
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x4x8xf32>, %[[K:.*]]: tensor<1x2x4x8xf32>, %[[V:.*]]: tensor<1x2x4x8xf32>)
// CHECK-NEXT: %[[O:.*]] = tfm.attention %[[Q]], %[[K]], %[[V]] {scale = 0.35355338454246521 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @transpose_and_mul(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %kt = tfm.transpose %k [0, 1, 3, 2] : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %s = tfm.matmul %q, %kt : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x4x4xf32>
  %c = tfm.constant dense<0.353553385> : tensor<f32>
  %ss = tfm.mul %s, %c : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %p = tfm.softmax %ss : tensor<1x2x4x4xf32>
  %o = tfm.matmul %p, %v : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// Transposed matmul, division by sqrt(d), constant on the left of a mul too.
// CHECK-LABEL: func.func @transpose_b_and_div
// CHECK: tfm.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 2.500000e-01 : f64}
// CHECK-NOT: tfm.softmax
func.func @transpose_b_and_div(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x3xf32>) -> tensor<2x4x3xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8xf32>, tensor<2x6x8xf32>) -> tensor<2x4x6xf32>
  %c = tfm.constant dense<2.0> : tensor<f32>
  %ss = tfm.div %s, %c : (tensor<2x4x6xf32>, tensor<f32>) -> tensor<2x4x6xf32>
  %h = tfm.constant dense<0.5> : tensor<1xf32>
  %sh = tfm.mul %h, %ss : (tensor<1xf32>, tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %p = tfm.softmax %sh {axis = 2 : i64} : tensor<2x4x6xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x6xf32>, tensor<2x6x3xf32>) -> tensor<2x4x3xf32>
  return %o : tensor<2x4x3xf32>
}

// -----

// What PyTorch 1.13 exports for nn.MultiheadAttention: [B·H, S, Dh] tensors,
// Q scaled by Div before the matmul, seq-first K transposed with one
// perm = [1, 2, 0], an additive mask.
// CHECK-LABEL: func.func @torch_mha_export
// CHECK-SAME: (%[[Q:.*]]: tensor<8x5x4xf32>, %[[K0:.*]]: tensor<5x8x4xf32>, %[[V:.*]]: tensor<8x5x4xf32>, %[[M:.*]]: tensor<5x5xf32>)
// CHECK: %[[K:.*]] = tfm.transpose %[[K0]] [1, 0, 2] : tensor<5x8x4xf32> -> tensor<8x5x4xf32>
// CHECK: tfm.attention %[[Q]], %[[K]], %[[V]], %[[M]] {scale = 5.000000e-01 : f64}
func.func @torch_mha_export(%q: tensor<8x5x4xf32>, %k: tensor<5x8x4xf32>, %v: tensor<8x5x4xf32>, %m: tensor<5x5xf32>) -> tensor<8x5x4xf32> {
  %c = tfm.constant dense<2.0> : tensor<f32>
  %qs = tfm.div %q, %c : (tensor<8x5x4xf32>, tensor<f32>) -> tensor<8x5x4xf32>
  %kt = tfm.transpose %k [1, 2, 0] : tensor<5x8x4xf32> -> tensor<8x4x5xf32>
  %s = tfm.matmul %qs, %kt : (tensor<8x5x4xf32>, tensor<8x4x5xf32>) -> tensor<8x5x5xf32>
  %sm = tfm.add %s, %m : (tensor<8x5x5xf32>, tensor<5x5xf32>) -> tensor<8x5x5xf32>
  %p = tfm.softmax %sm : tensor<8x5x5xf32>
  %o = tfm.matmul %p, %v : (tensor<8x5x5xf32>, tensor<8x5x4xf32>) -> tensor<8x5x4xf32>
  return %o : tensor<8x5x4xf32>
}

// -----

// GPT-style masked_fill with a constant lower-triangular [1, 1, T, T] mask:
// the causal flag. The fused op carries the chain's locations.
// CHECK-LABEL: func.func @gpt_causal_masked_fill
// CHECK: tfm.attention %{{.*}}, %{{.*}}, %{{.*}} {causal, scale = 1.000000e+00 : f64}
// CHECK-NOT: tfm.select
func.func @gpt_causal_masked_fill(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x3x4xf32>, %v: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %kt = tfm.transpose %k [0, 1, 3, 2] : tensor<1x2x3x4xf32> -> tensor<1x2x4x3xf32>
  %s = tfm.matmul %q, %kt : (tensor<1x2x3x4xf32>, tensor<1x2x4x3xf32>) -> tensor<1x2x3x3xf32>
  %tril = tfm.constant dense<[[[[true, false, false], [true, true, false], [true, true, true]]]]> : tensor<1x1x3x3xi1>
  %ninf = tfm.constant dense<0xFF800000> : tensor<f32>
  %f = tfm.select %tril, %s, %ninf : (tensor<1x1x3x3xi1>, tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %p = tfm.softmax %f : tensor<1x2x3x3xf32>
  %o = tfm.matmul %p, %v : (tensor<1x2x3x3xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  return %o : tensor<1x2x3x4xf32>
}

// -----

// The same with a finite fill (HF-style finfo.min) and the mask marking what
// to drop (upper triangle): still causal, since no row is fully masked.
// CHECK-LABEL: func.func @causal_finite_fill_drop_form
// CHECK: tfm.attention {{.*}} {causal
func.func @causal_finite_fill_drop_form(%q: tensor<2x3x4xf32>, %k: tensor<2x3x4xf32>, %v: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  %triu = tfm.constant dense<[[false, true, true], [false, false, true], [false, false, false]]> : tensor<3x3xi1>
  %min = tfm.constant dense<-3.40282347E+38> : tensor<f32>
  %f = tfm.select %triu, %min, %s : (tensor<3x3xi1>, tensor<f32>, tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
  %p = tfm.softmax %f : tensor<2x3x3xf32>
  %o = tfm.matmul %p, %v : (tensor<2x3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %o : tensor<2x3x4xf32>
}

// -----

// A causal constant additive mask (0 / -inf) is the causal flag too.
// CHECK-LABEL: func.func @causal_additive_constant
// CHECK: tfm.attention {{.*}} {causal
// CHECK-NOT: tfm.add
func.func @causal_additive_constant(%q: tensor<2x2x4xf32>, %k: tensor<2x2x4xf32>, %v: tensor<2x2x4xf32>) -> tensor<2x2x4xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x2x4xf32>, tensor<2x2x4xf32>) -> tensor<2x2x2xf32>
  %m = tfm.constant dense<[[0.0, 0xFF800000], [0.0, 0.0]]> : tensor<2x2xf32>
  %sm = tfm.add %m, %s : (tensor<2x2xf32>, tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %p = tfm.softmax %sm : tensor<2x2x2xf32>
  %o = tfm.matmul %p, %v : (tensor<2x2x2xf32>, tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  return %o : tensor<2x2x4xf32>
}

// -----

// Run-time padding masks: keep-form select uses the mask as is; drop-form
// (masked_fill(mask, -inf)) is inverted.
// CHECK-LABEL: func.func @padding_masks
// CHECK-SAME: %[[KEEP:[^:]*]]: tensor<2x1x1x5xi1>, %[[DROP:[^:]*]]: tensor<2x1x1x5xi1>
// CHECK-DAG: %[[FALSE:.*]] = tfm.constant dense<false> : tensor<i1>
// CHECK-DAG: %[[A:.*]] = tfm.attention %{{.*}}, %{{.*}}, %{{.*}}, %[[KEEP]]
// CHECK: %[[INV:.*]] = tfm.compare eq, %[[DROP]], %[[FALSE]]
// CHECK: tfm.attention %{{.*}}, %{{.*}}, %{{.*}}, %[[INV]]
func.func @padding_masks(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>,
                         %keep: tensor<2x1x1x5xi1>, %drop: tensor<2x1x1x5xi1>) -> (tensor<2x2x3x4xf32>, tensor<2x2x3x4xf32>) {
  %ninf = tfm.constant dense<0xFF800000> : tensor<f32>
  %s1 = tfm.matmul %q, %k {transpose_b} : (tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>) -> tensor<2x2x3x5xf32>
  %f1 = tfm.select %keep, %s1, %ninf : (tensor<2x1x1x5xi1>, tensor<2x2x3x5xf32>, tensor<f32>) -> tensor<2x2x3x5xf32>
  %p1 = tfm.softmax %f1 : tensor<2x2x3x5xf32>
  %o1 = tfm.matmul %p1, %v : (tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32>
  %s2 = tfm.matmul %q, %k {transpose_b} : (tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>) -> tensor<2x2x3x5xf32>
  %f2 = tfm.select %drop, %ninf, %s2 : (tensor<2x1x1x5xi1>, tensor<f32>, tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %p2 = tfm.softmax %f2 : tensor<2x2x3x5xf32>
  %o2 = tfm.matmul %p2, %v : (tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32>
  return %o1, %o2 : tensor<2x2x3x4xf32>, tensor<2x2x3x4xf32>
}

// -----

// Scales on Q and on Kᵀ combine.
// CHECK-LABEL: func.func @scale_on_q_and_k
// CHECK: tfm.attention {{.*}} {scale = 1.250000e-01 : f64}
func.func @scale_on_q_and_k(%q: tensor<3x4xf32>, %k: tensor<3x4xf32>, %v: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %c = tfm.constant dense<0.5> : tensor<f32>
  %d = tfm.constant dense<4.0> : tensor<f32>
  %qs = tfm.mul %q, %c : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %kt = tfm.transpose %k [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  %kts = tfm.div %kt, %d : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %s = tfm.matmul %qs, %kts : (tensor<3x4xf32>, tensor<4x3xf32>) -> tensor<3x3xf32>
  %p = tfm.softmax %s : tensor<3x3xf32>
  %o = tfm.matmul %p, %v : (tensor<3x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %o : tensor<3x4xf32>
}

// -----

// Two chains sharing one Kᵀ (CSE merges it when two layers have equal
// weights): both fuse.
// CHECK-LABEL: func.func @shared_key_transpose
// CHECK-COUNT-2: tfm.attention
// CHECK-NOT: tfm.softmax
func.func @shared_key_transpose(%q1: tensor<8x5x4xf32>, %q2: tensor<8x5x4xf32>, %k: tensor<5x8x4xf32>, %v: tensor<8x5x4xf32>) -> (tensor<8x5x4xf32>, tensor<8x5x4xf32>) {
  %kt = tfm.transpose %k [1, 2, 0] : tensor<5x8x4xf32> -> tensor<8x4x5xf32>
  %s1 = tfm.matmul %q1, %kt : (tensor<8x5x4xf32>, tensor<8x4x5xf32>) -> tensor<8x5x5xf32>
  %p1 = tfm.softmax %s1 : tensor<8x5x5xf32>
  %o1 = tfm.matmul %p1, %v : (tensor<8x5x5xf32>, tensor<8x5x4xf32>) -> tensor<8x5x4xf32>
  %s2 = tfm.matmul %q2, %kt : (tensor<8x5x4xf32>, tensor<8x4x5xf32>) -> tensor<8x5x5xf32>
  %p2 = tfm.softmax %s2 : tensor<8x5x5xf32>
  %o2 = tfm.matmul %p2, %v : (tensor<8x5x5xf32>, tensor<8x5x4xf32>) -> tensor<8x5x4xf32>
  return %o1, %o2 : tensor<8x5x4xf32>, tensor<8x5x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Not attention, or not provably the same computation: left alone
//===----------------------------------------------------------------------===//

// Softmax over the queries, not the keys.
// CHECK-LABEL: func.func @softmax_other_axis
// CHECK-NOT: tfm.attention
func.func @softmax_other_axis(%q: tensor<2x3x4xf32>, %k: tensor<2x3x4xf32>, %v: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  %p = tfm.softmax %s {axis = 1 : i64} : tensor<2x3x3xf32>
  %o = tfm.matmul %p, %v : (tensor<2x3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %o : tensor<2x3x4xf32>
}

// -----

// A finite fill with a run-time mask: a fully masked row would differ.
// CHECK-LABEL: func.func @finite_fill_runtime_mask
// CHECK-NOT: tfm.attention
func.func @finite_fill_runtime_mask(%q: tensor<2x3x4xf32>, %k: tensor<2x3x4xf32>, %v: tensor<2x3x4xf32>, %m: tensor<2x1x3xi1>) -> tensor<2x3x4xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  %fill = tfm.constant dense<-1.0e9> : tensor<f32>
  %f = tfm.select %m, %s, %fill : (tensor<2x1x3xi1>, tensor<2x3x3xf32>, tensor<f32>) -> tensor<2x3x3xf32>
  %p = tfm.softmax %f : tensor<2x3x3xf32>
  %o = tfm.matmul %p, %v : (tensor<2x3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %o : tensor<2x3x4xf32>
}

// -----

// A scale that differs between heads.
// CHECK-LABEL: func.func @per_head_scale
// CHECK-NOT: tfm.attention
func.func @per_head_scale(%q: tensor<2x3x4xf32>, %k: tensor<2x3x4xf32>, %v: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  %c = tfm.constant dense<[[[0.5]], [[0.25]]]> : tensor<2x1x1xf32>
  %ss = tfm.mul %s, %c : (tensor<2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<2x3x3xf32>
  %p = tfm.softmax %ss : tensor<2x3x3xf32>
  %o = tfm.matmul %p, %v : (tensor<2x3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %o : tensor<2x3x4xf32>
}

// -----

// The scores are also a model output.
// CHECK-LABEL: func.func @scores_used_elsewhere
// CHECK-NOT: tfm.attention
func.func @scores_used_elsewhere(%q: tensor<2x3x4xf32>, %k: tensor<2x3x4xf32>, %v: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x3xf32>) {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  %p = tfm.softmax %s : tensor<2x3x3xf32>
  %o = tfm.matmul %p, %v : (tensor<2x3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %o, %p : tensor<2x3x4xf32>, tensor<2x3x3xf32>
}

// -----

// A mask that enlarges the scores (broadcasts a batch dimension of 1).
// CHECK-LABEL: func.func @mask_enlarges_scores
// CHECK-NOT: tfm.attention
func.func @mask_enlarges_scores(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<2x3x4xf32>, %m: tensor<2x3x3xf32>) -> tensor<2x3x4xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x3xf32>
  %sm = tfm.add %s, %m : (tensor<1x3x3xf32>, tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
  %p = tfm.softmax %sm : tensor<2x3x3xf32>
  %o = tfm.matmul %p, %v : (tensor<2x3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %o : tensor<2x3x4xf32>
}

// -----

// Batch dimensions that broadcast (K shared by every batch entry).
// CHECK-LABEL: func.func @broadcast_batch
// CHECK-NOT: tfm.attention
func.func @broadcast_batch(%q: tensor<2x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x3x4xf32>, tensor<1x3x4xf32>) -> tensor<2x3x3xf32>
  %p = tfm.softmax %s : tensor<2x3x3xf32>
  %o = tfm.matmul %p, %v : (tensor<2x3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %o : tensor<2x3x4xf32>
}

// -----

// A causal-looking constant mask with a finite fill where queries outnumber
// keys: the first rows are fully masked, so the fill matters.
// CHECK-LABEL: func.func @finite_fill_rows_fully_masked
// CHECK-NOT: tfm.attention
func.func @finite_fill_rows_fully_masked(%q: tensor<3x4xf32>, %k: tensor<2x4xf32>, %v: tensor<2x4xf32>) -> tensor<3x4xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  %tril = tfm.constant dense<[[false, false], [true, false], [true, true]]> : tensor<3x2xi1>
  %fill = tfm.constant dense<-1.0e9> : tensor<f32>
  %f = tfm.select %tril, %s, %fill : (tensor<3x2xi1>, tensor<3x2xf32>, tensor<f32>) -> tensor<3x2xf32>
  %p = tfm.softmax %f : tensor<3x2xf32>
  %o = tfm.matmul %p, %v : (tensor<3x2xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return %o : tensor<3x4xf32>
}
