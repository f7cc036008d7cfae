func.func @main(%x: tensor<2x4xf32> {tfm.name = "x"}) -> (tensor<2x3xf32> {tfm.name = "y"}) {
  %w = tfm.weight "w" : tensor<3x4xf32>
  %y = tfm.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
