func.func @main(%x: tensor<512x512xf32> {tfm.name = "x"}) -> (tensor<512x512xf32> {tfm.name = "y"}) {
  %y = tfm.relu %x : tensor<512x512xf32>
  return %y : tensor<512x512xf32>
}
