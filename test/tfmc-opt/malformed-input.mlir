// A malformed or ill-typed file gets a located diagnostic and a non-zero
// exit from tfmc-opt, never a crash.
// RUN: not tfmc-opt %s -split-input-file 2>&1 | FileCheck %s

// CHECK: malformed-input.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: expected ':'
func.func @syntax(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tfm.relu %x
  return %y : tensor<4xf32>
}

// -----

// CHECK: malformed-input.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: custom op 'tfm.no_such_op' is unknown
func.func @unknown(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tfm.no_such_op %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// CHECK: malformed-input.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: 'tfm.add' op operand shapes [4] and [5] are not broadcast-compatible
func.func @ill_typed(%x: tensor<4xf32>, %z: tensor<5xf32>) -> tensor<4xf32> {
  %y = tfm.add %x, %z : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// CHECK: malformed-input.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: 'tfm.relu' op operand #0 must be ranked tensor of
func.func @bad_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  %y = tfm.relu %x : tensor<4xi32>
  return %y : tensor<4xi32>
}
