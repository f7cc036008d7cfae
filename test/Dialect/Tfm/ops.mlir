// RUN: tfmc-opt %s | tfmc-opt | FileCheck %s
// RUN: tfmc-opt %s --mlir-print-op-generic | tfmc-opt | FileCheck %s

// Round trip of every tfm op in its custom syntax (and through the generic
// form), with every optional operand and attribute spelled both ways.

// CHECK-LABEL: func.func @main
// CHECK-SAME: {tfm.name = "ids"}
// CHECK-SAME: -> (tensor<2x16x64xf32> {tfm.name = "out"})
func.func @main(%ids: tensor<2x16xi64> {tfm.name = "ids"})
    -> (tensor<2x16x64xf32> {tfm.name = "out"}) {
  // CHECK: %[[T:.*]] = tfm.weight "embed.weight" : tensor<1000x64xf32>
  %table = tfm.weight "embed.weight" : tensor<1000x64xf32>
  // CHECK: tfm.embedding %{{.*}}, %[[T]] : (tensor<2x16xi64>, tensor<1000x64xf32>) -> tensor<2x16x64xf32>
  %x = tfm.embedding %ids, %table : (tensor<2x16xi64>, tensor<1000x64xf32>) -> tensor<2x16x64xf32>
  return %x : tensor<2x16x64xf32>
}

// CHECK-LABEL: func.func @parameters
func.func @parameters() -> (tensor<4xi64>, tensor<f32>, tensor<2x2xi1>, tensor<3xbf16>) {
  // CHECK: tfm.constant dense<[2, 16, 8, 8]> : tensor<4xi64>
  %shape = tfm.constant dense<[2, 16, 8, 8]> : tensor<4xi64>
  // CHECK: tfm.constant dense<9.99999974E-6> : tensor<f32>
  %eps = tfm.constant dense<1.0e-05> : tensor<f32>
  // CHECK: tfm.constant dense<{{\[}}[true, false], [true, true]]> : tensor<2x2xi1>
  %mask = tfm.constant dense<[[true, false], [true, true]]> : tensor<2x2xi1>
  // CHECK: tfm.weight "w.bf16" : tensor<3xbf16>
  %w = tfm.weight "w.bf16" : tensor<3xbf16>
  return %shape, %eps, %mask, %w : tensor<4xi64>, tensor<f32>, tensor<2x2xi1>, tensor<3xbf16>
}

// CHECK-LABEL: func.func @input
func.func @input(%ids: tensor<3xi32>, %table: tensor<10x4xf16>, %x: tensor<2x16x64xf32>)
    -> (tensor<3x4xf16>, tensor<2x16x64xf32>, tensor<2x16x64xf32>) {
  // CHECK: tfm.embedding %{{.*}}, %{{.*}} : (tensor<3xi32>, tensor<10x4xf16>) -> tensor<3x4xf16>
  %e = tfm.embedding %ids, %table : (tensor<3xi32>, tensor<10x4xf16>) -> tensor<3x4xf16>
  // CHECK: tfm.positional_encoding %{{.*}} : tensor<2x16x64xf32>
  %p = tfm.positional_encoding %x : tensor<2x16x64xf32>
  // CHECK: tfm.positional_encoding %{{.*}} {base = 5.000000e+02 : f64, offset = 7 : i64} : tensor<2x16x64xf32>
  %q = tfm.positional_encoding %x {offset = 7 : i64, base = 500.0 : f64} : tensor<2x16x64xf32>
  return %e, %p, %q : tensor<3x4xf16>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
}

// CHECK-LABEL: func.func @linear_algebra
func.func @linear_algebra(%x: tensor<2x16x64xf32>, %w: tensor<256x64xf32>, %b: tensor<256xf32>,
                          %q: tensor<2x8x16x64xf32>, %k: tensor<8x16x64xf32>, %m: tensor<64x16xf32>)
    -> (tensor<2x16x256xf32>, tensor<2x16x256xf32>, tensor<2x8x16x16xf32>, tensor<2x8x64x16xf32>, tensor<2x8x16x16xf32>) {
  // CHECK: tfm.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<2x16x256xf32>
  %y = tfm.linear %x, %w, %b : (tensor<2x16x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<2x16x256xf32>
  // CHECK: tfm.linear %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<256x64xf32>) -> tensor<2x16x256xf32>
  %z = tfm.linear %x, %w : (tensor<2x16x64xf32>, tensor<256x64xf32>) -> tensor<2x16x256xf32>
  // CHECK: tfm.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<2x8x16x64xf32>, tensor<8x16x64xf32>) -> tensor<2x8x16x16xf32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x8x16x64xf32>, tensor<8x16x64xf32>) -> tensor<2x8x16x16xf32>
  // CHECK: tfm.matmul %{{.*}}, %{{.*}} {transpose_a} : (tensor<2x8x16x64xf32>, tensor<2x8x16x16xf32>) -> tensor<2x8x64x16xf32>
  %t = tfm.matmul %q, %s {transpose_a} : (tensor<2x8x16x64xf32>, tensor<2x8x16x16xf32>) -> tensor<2x8x64x16xf32>
  // CHECK: tfm.matmul %{{.*}}, %{{.*}} : (tensor<2x8x16x64xf32>, tensor<64x16xf32>) -> tensor<2x8x16x16xf32>
  %u = tfm.matmul %q, %m : (tensor<2x8x16x64xf32>, tensor<64x16xf32>) -> tensor<2x8x16x16xf32>
  return %y, %z, %s, %t, %u : tensor<2x16x256xf32>, tensor<2x16x256xf32>, tensor<2x8x16x16xf32>, tensor<2x8x64x16xf32>, tensor<2x8x16x16xf32>
}

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x48xf32>,
                     %pad: tensor<2x1x1x32xi1>, %bias: tensor<16x32xf32>)
    -> (tensor<2x8x16x48xf32>, tensor<2x8x16x48xf32>, tensor<2x8x16x48xf32>) {
  // CHECK: tfm.attention %{{.*}}, %{{.*}}, %{{.*}} {causal} : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x48xf32>) -> tensor<2x8x16x48xf32>
  %a = tfm.attention %q, %k, %v {causal} : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x48xf32>) -> tensor<2x8x16x48xf32>
  // CHECK: tfm.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.250000e-01 : f64} : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x48xf32>, tensor<2x1x1x32xi1>) -> tensor<2x8x16x48xf32>
  %b = tfm.attention %q, %k, %v, %pad {scale = 0.125 : f64} : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x48xf32>, tensor<2x1x1x32xi1>) -> tensor<2x8x16x48xf32>
  // CHECK: tfm.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : ({{.*}}, tensor<16x32xf32>) -> tensor<2x8x16x48xf32>
  %c = tfm.attention %q, %k, %v, %bias : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x48xf32>, tensor<16x32xf32>) -> tensor<2x8x16x48xf32>
  return %a, %b, %c : tensor<2x8x16x48xf32>, tensor<2x8x16x48xf32>, tensor<2x8x16x48xf32>
}

// CHECK-LABEL: func.func @multi_head_attention
func.func @multi_head_attention(%x: tensor<2x16x64xf32>, %mem: tensor<2x10x32xf32>,
    %wq: tensor<64x64xf32>, %wk: tensor<64x64xf32>, %wv: tensor<64x64xf32>, %wo: tensor<64x64xf32>,
    %bq: tensor<64xf32>, %bk: tensor<64xf32>, %bv: tensor<64xf32>, %bo: tensor<64xf32>,
    %wkx: tensor<16x32xf32>, %wvx: tensor<16x32xf32>, %mask: tensor<2x1x16x10xi1>)
    -> (tensor<2x16x64xf32>, tensor<2x16x64xf32>) {
  // CHECK: tfm.multi_head_attention %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) biases(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {causal, num_heads = 8 : i64}
  %self = tfm.multi_head_attention %x, %x, %x weights(%wq, %wk, %wv, %wo) biases(%bq, %bk, %bv, %bo)
      {num_heads = 8 : i64, causal}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>,
         tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // Cross-attention with grouped-query heads (8 query heads, 2 key/value
  // heads of size 8) and a padding mask.
  // CHECK: tfm.multi_head_attention %{{.*}}, %{{.*}}, %{{.*}} weights(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) mask(%{{.*}}) {num_heads = 8 : i64, scale = 5.000000e-01 : f64}
  %cross = tfm.multi_head_attention %x, %mem, %mem weights(%wq, %wkx, %wvx, %wo) mask(%mask)
      {num_heads = 8 : i64, scale = 0.5 : f64}
      : (tensor<2x16x64xf32>, tensor<2x10x32xf32>, tensor<2x10x32xf32>,
         tensor<64x64xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<64x64xf32>,
         tensor<2x1x16x10xi1>) -> tensor<2x16x64xf32>
  return %self, %cross : tensor<2x16x64xf32>, tensor<2x16x64xf32>
}

// CHECK-LABEL: func.func @normalization
func.func @normalization(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %g2: tensor<16x64xf32>)
    -> (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>) {
  // CHECK: tfm.layer_norm %{{.*}} scale(%{{.*}}) bias(%{{.*}}) : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %a = tfm.layer_norm %x scale(%g) bias(%b) : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // CHECK: tfm.layer_norm %{{.*}} {epsilon = 9.9999999999999998E-13 : f64} : (tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  %c = tfm.layer_norm %x {epsilon = 1.0e-12 : f64} : (tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  // CHECK: tfm.layer_norm %{{.*}} scale(%{{.*}}) {axis = -2 : i64} : (tensor<2x16x64xf32>, tensor<16x64xf32>) -> tensor<2x16x64xf32>
  %d = tfm.layer_norm %x scale(%g2) {axis = -2 : i64} : (tensor<2x16x64xf32>, tensor<16x64xf32>) -> tensor<2x16x64xf32>
  // CHECK: tfm.rms_norm %{{.*}} scale(%{{.*}}) : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %e = tfm.rms_norm %x scale(%g) : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // CHECK: tfm.rms_norm %{{.*}} {epsilon = 1.000000e-05 : f64} : (tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  %f = tfm.rms_norm %x {epsilon = 1.0e-5 : f64} : (tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return %a, %c, %d, %e, %f : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
}

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<2x16x64xf32>, %b: tensor<64xf32>, %i: tensor<4x1xi64>, %j: tensor<3xi64>) {
  // CHECK: tfm.add %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %0 = tfm.add %a, %b : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // CHECK: tfm.sub %{{.*}}, %{{.*}} : (tensor<64xf32>, tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  %1 = tfm.sub %b, %a : (tensor<64xf32>, tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  // CHECK: tfm.mul %{{.*}}, %{{.*}} : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4x3xi64>
  %2 = tfm.mul %i, %j : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4x3xi64>
  // CHECK: tfm.div %{{.*}}, %{{.*}} : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4x3xi64>
  %3 = tfm.div %i, %j : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4x3xi64>
  // CHECK: tfm.pow %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %4 = tfm.pow %a, %b : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // CHECK: tfm.min %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %5 = tfm.min %a, %b : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // CHECK: tfm.max %{{.*}}, %{{.*}} : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4x3xi64>
  %6 = tfm.max %i, %j : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4x3xi64>
  // CHECK: tfm.compare eq, %{{.*}}, %{{.*}} : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4x3xi1>
  %7 = tfm.compare eq, %i, %j : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4x3xi1>
  // CHECK: tfm.compare ne,
  %8 = tfm.compare ne, %i, %j : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4x3xi1>
  // CHECK: tfm.compare lt,
  %9 = tfm.compare lt, %a, %b : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xi1>
  // CHECK: tfm.compare le,
  %10 = tfm.compare le, %a, %b : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xi1>
  // CHECK: tfm.compare gt,
  %11 = tfm.compare gt, %a, %b : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xi1>
  // CHECK: tfm.compare ge,
  %12 = tfm.compare ge, %a, %b : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xi1>
  // CHECK: tfm.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x16x64xi1>, tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %13 = tfm.select %12, %a, %b : (tensor<2x16x64xi1>, tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return
}

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<2x16xf32>, %h: tensor<2x16xf16>, %i: tensor<2x16xi32>) {
  // CHECK: tfm.neg %{{.*}} : tensor<2x16xi32>
  %0 = tfm.neg %i : tensor<2x16xi32>
  // CHECK: tfm.relu %{{.*}} : tensor<2x16xf32>
  %1 = tfm.relu %x : tensor<2x16xf32>
  // CHECK: tfm.gelu %{{.*}} : tensor<2x16xf32>
  %2 = tfm.gelu %x : tensor<2x16xf32>
  // CHECK: tfm.gelu %{{.*}} approximation = tanh : tensor<2x16xf16>
  %3 = tfm.gelu %h approximation = tanh : tensor<2x16xf16>
  // CHECK: tfm.silu %{{.*}} : tensor<2x16xf32>
  %4 = tfm.silu %x : tensor<2x16xf32>
  // CHECK: tfm.sigmoid %{{.*}} : tensor<2x16xf32>
  %5 = tfm.sigmoid %x : tensor<2x16xf32>
  // CHECK: tfm.tanh %{{.*}} : tensor<2x16xf32>
  %6 = tfm.tanh %x : tensor<2x16xf32>
  // CHECK: tfm.exp %{{.*}} : tensor<2x16xf32>
  %7 = tfm.exp %x : tensor<2x16xf32>
  // CHECK: tfm.log %{{.*}} : tensor<2x16xf32>
  %8 = tfm.log %x : tensor<2x16xf32>
  // CHECK: tfm.sqrt %{{.*}} : tensor<2x16xf32>
  %9 = tfm.sqrt %x : tensor<2x16xf32>
  // CHECK: tfm.erf %{{.*}} : tensor<2x16xf32>
  %10 = tfm.erf %x : tensor<2x16xf32>
  // CHECK: tfm.cast %{{.*}} : tensor<2x16xf32> -> tensor<2x16xbf16>
  %11 = tfm.cast %x : tensor<2x16xf32> -> tensor<2x16xbf16>
  // CHECK: tfm.cast %{{.*}} : tensor<2x16xi32> -> tensor<2x16xi1>
  %12 = tfm.cast %i : tensor<2x16xi32> -> tensor<2x16xi1>
  return
}

// CHECK-LABEL: func.func @shape
func.func @shape(%x: tensor<2x16x64xf32>, %y: tensor<2x4x64xf32>, %idx: tensor<3x2xi64>, %r: tensor<1x64xf32>) {
  // CHECK: tfm.reshape %{{.*}} : tensor<2x16x64xf32> -> tensor<2x16x8x8xf32>
  %0 = tfm.reshape %x : tensor<2x16x64xf32> -> tensor<2x16x8x8xf32>
  // CHECK: tfm.transpose %{{.*}} [0, 2, 1, 3] : tensor<2x16x8x8xf32> -> tensor<2x8x16x8xf32>
  %1 = tfm.transpose %0 [0, 2, 1, 3] : tensor<2x16x8x8xf32> -> tensor<2x8x16x8xf32>
  // CHECK: tfm.broadcast_to %{{.*}} : tensor<1x64xf32> -> tensor<3x16x64xf32>
  %2 = tfm.broadcast_to %r : tensor<1x64xf32> -> tensor<3x16x64xf32>
  // CHECK: tfm.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x16x64xf32>, tensor<2x4x64xf32>) -> tensor<2x20x64xf32>
  %3 = tfm.concat %x, %y {axis = 1 : i64} : (tensor<2x16x64xf32>, tensor<2x4x64xf32>) -> tensor<2x20x64xf32>
  // CHECK: tfm.slice %{{.*}} {limits = array<i64: 2, 16, 64>, starts = array<i64: 0, 3, 0>, strides = array<i64: 1, 4, 2>} : tensor<2x16x64xf32> -> tensor<2x4x32xf32>
  %4 = tfm.slice %x {starts = array<i64: 0, 3, 0>, limits = array<i64: 2, 16, 64>, strides = array<i64: 1, 4, 2>} : tensor<2x16x64xf32> -> tensor<2x4x32xf32>
  // CHECK: %{{.*}}:3 = tfm.split %{{.*}} {axis = -1 : i64, sizes = array<i64: 16, 16, 32>} : tensor<2x16x64xf32> -> tensor<2x16x16xf32>, tensor<2x16x16xf32>, tensor<2x16x32xf32>
  %5:3 = tfm.split %x {axis = -1 : i64, sizes = array<i64: 16, 16, 32>} : tensor<2x16x64xf32> -> tensor<2x16x16xf32>, tensor<2x16x16xf32>, tensor<2x16x32xf32>
  // CHECK: tfm.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x16x64xf32>, tensor<3x2xi64>) -> tensor<2x3x2x64xf32>
  %6 = tfm.gather %x, %idx {axis = 1 : i64} : (tensor<2x16x64xf32>, tensor<3x2xi64>) -> tensor<2x3x2x64xf32>
  // CHECK: tfm.iota {dimension = 0 : i64} : tensor<16xi64>
  %7 = tfm.iota {dimension = 0 : i64} : tensor<16xi64>
  // CHECK: tfm.iota {dimension = 1 : i64, start = 5.000000e-01 : f64, step = 2.000000e+00 : f64} : tensor<4x8xf32>
  %8 = tfm.iota {dimension = 1 : i64, start = 0.5 : f64, step = 2.0 : f64} : tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x16x64xf32>, %i: tensor<4x5xi32>) {
  // CHECK: tfm.softmax %{{.*}} : tensor<2x16x64xf32>
  %0 = tfm.softmax %x : tensor<2x16x64xf32>
  // CHECK: tfm.softmax %{{.*}} {axis = 1 : i64} : tensor<2x16x64xf32>
  %1 = tfm.softmax %x {axis = 1 : i64} : tensor<2x16x64xf32>
  // CHECK: tfm.reduce_sum %{{.*}} {axes = array<i64: 0, 2>} : tensor<2x16x64xf32> -> tensor<16xf32>
  %2 = tfm.reduce_sum %x {axes = array<i64: 0, 2>} : tensor<2x16x64xf32> -> tensor<16xf32>
  // CHECK: tfm.reduce_mean %{{.*}} {axes = array<i64: -1>, keep_dims = true} : tensor<2x16x64xf32> -> tensor<2x16x1xf32>
  %3 = tfm.reduce_mean %x {axes = array<i64: -1>, keep_dims = true} : tensor<2x16x64xf32> -> tensor<2x16x1xf32>
  // CHECK: tfm.reduce_max %{{.*}} {axes = array<i64: 1>} : tensor<4x5xi32> -> tensor<4xi32>
  %4 = tfm.reduce_max %i {axes = array<i64: 1>} : tensor<4x5xi32> -> tensor<4xi32>
  // CHECK: tfm.argmax %{{.*}} {axis = -1 : i64} : tensor<2x16x64xf32> -> tensor<2x16xi64>
  %5 = tfm.argmax %x {axis = -1 : i64} : tensor<2x16x64xf32> -> tensor<2x16xi64>
  // CHECK: tfm.argmax %{{.*}} {axis = 0 : i64, keep_dims = true} : tensor<4x5xi32> -> tensor<1x5xi64>
  %6 = tfm.argmax %i {axis = 0 : i64, keep_dims = true} : tensor<4x5xi32> -> tensor<1x5xi64>
  return
}

// Dynamic dimensions are part of the dialect (passes that cannot compile
// them yet reject them).
// CHECK-LABEL: func.func @dynamic
func.func @dynamic(%x: tensor<?x16x64xf32>, %w: tensor<32x64xf32>) -> tensor<?x16x32xf32> {
  // CHECK: tfm.linear %{{.*}}, %{{.*}} : (tensor<?x16x64xf32>, tensor<32x64xf32>) -> tensor<?x16x32xf32>
  %y = tfm.linear %x, %w : (tensor<?x16x64xf32>, tensor<32x64xf32>) -> tensor<?x16x32xf32>
  return %y : tensor<?x16x32xf32>
}
