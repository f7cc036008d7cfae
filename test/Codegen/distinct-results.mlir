// RUN: tfmc-opt %s --pass-pipeline="builtin.module(func.func(tfmc-distinct-results))" | FileCheck %s

// A value returned twice gets a copy for its repeat; other results stay.
// CHECK-LABEL: func.func @twice
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<2xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<3xf32>
// CHECK: %[[C:.*]] = linalg.copy ins(%[[X]] : tensor<3xf32>) outs(%[[E]] : tensor<3xf32>) -> tensor<3xf32>
// CHECK: return %[[X]], %[[Y]], %[[C]]
func.func @twice(%x: tensor<3xf32>, %y: tensor<2xf32>) -> (tensor<3xf32>, tensor<2xf32>, tensor<3xf32>) {
  return %x, %y, %x : tensor<3xf32>, tensor<2xf32>, tensor<3xf32>
}
