func.func @forward(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
  return %x : tensor<4xf32>
}
