// Softmax and layer norm rows long enough for subgroup reductions.
func.func @main(%x: tensor<64x100xf32> {tfm.name = "x"}) -> (tensor<64x100xf32> {tfm.name = "s"}, tensor<64x100xf32> {tfm.name = "n"}) {
  %0 = tfm.softmax %x : tensor<64x100xf32>
  %1 = tfm.layer_norm %x : (tensor<64x100xf32>) -> tensor<64x100xf32>
  return %0, %1 : tensor<64x100xf32>, tensor<64x100xf32>
}
