func.func @main(%x: tensor<3xf32> {tfm.name = "x"}) -> (tensor<3xf32> {tfm.name = "twice x"}) {
  %y = tfm.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
