// RUN: tfmc-opt %s -split-input-file -convert-tfm-to-linalg -verify-diagnostics

// What convert-tfm-to-linalg rejects. A rejected op also gets the dialect
// conversion's "failed to legalize" error.

// Dynamic dimensions are valid tfm but not compiled yet.
func.func @dynamic_shape(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+2 {{'tfm.relu' op has dynamic shape 'tensor<?x4xf32>': dynamic dimensions are not supported yet}}
  // expected-error @+1 {{failed to legalize operation 'tfm.relu' that was explicitly marked illegal}}
  %0 = tfm.relu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A static op fed by a dynamic operand is rejected too.
func.func @dynamic_operand(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> {
  %c = tensor.cast %x : tensor<?x4xf32> to tensor<2x4xf32>
  %d = tensor.cast %c : tensor<2x4xf32> to tensor<?x4xf32>
  // expected-error @+2 {{'tfm.linear' op has dynamic shape 'tensor<?x4xf32>': dynamic dimensions are not supported yet}}
  // expected-error @+1 {{failed to legalize operation 'tfm.linear' that was explicitly marked illegal}}
  %y = tfm.linear %d, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  %s = tensor.cast %y : tensor<?x3xf32> to tensor<2x3xf32>
  return %s : tensor<2x3xf32>
}

// -----

// tfm.multi_head_attention has no lowering here: tfm-decompose-composites
// expands it first.
func.func @multi_head_attention(%x: tensor<1x2x4xf32>, %w: tensor<4x4xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{failed to legalize operation 'tfm.multi_head_attention' that was explicitly marked illegal}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %w, %w) {num_heads = 2 : i64}
      : (tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>,
         tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

// Two tfm.weight ops with one name must agree on type (tfm-verify-model
// reports this earlier, across the module).
func.func @weight_type_mismatch() -> (tensor<2xf32>, tensor<3xf32>) {
  %a = tfm.weight "w" : tensor<2xf32>
  // expected-error @+2 {{'tfm.weight' op weight 'w' has type 'tensor<3xf32>' here but 'tensor<2xf32>' elsewhere}}
  // expected-error @+1 {{failed to legalize operation 'tfm.weight' that was explicitly marked illegal}}
  %b = tfm.weight "w" : tensor<3xf32>
  return %a, %b : tensor<2xf32>, tensor<3xf32>
}
