// A weight assembled from stored tensors (tfm.weight ... parts): w twice.
func.func @main(%x: tensor<2x4xf32> {tfm.name = "x"}) -> (tensor<2x6xf32> {tfm.name = "y"}) {
  %w = tfm.weight "w+w" parts ["w", "w"] : tensor<6x4xf32>
  %y = tfm.linear %x, %w : (tensor<2x4xf32>, tensor<6x4xf32>) -> tensor<2x6xf32>
  return %y : tensor<2x6xf32>
}
