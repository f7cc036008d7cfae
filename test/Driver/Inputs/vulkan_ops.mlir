func.func @main(%x: tensor<2x8x16xf32> {tfm.name = "x"}, %w: tensor<24x16xf32> {tfm.name = "w"},
                %g: tensor<16xf32> {tfm.name = "g"}) -> (tensor<2x8x24xf32> {tfm.name = "y"}, tensor<2x16xf32> {tfm.name = "m"}) {
  %n = tfm.layer_norm %x scale(%g) : (tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  %l = tfm.linear %n, %w : (tensor<2x8x16xf32>, tensor<24x16xf32>) -> tensor<2x8x24xf32>
  %a = tfm.gelu %l : tensor<2x8x24xf32>
  %y = tfm.softmax %a {axis = -1 : i64} : tensor<2x8x24xf32>
  %m = tfm.reduce_max %x {axes = array<i64: 1>} : tensor<2x8x16xf32> -> tensor<2x16xf32>
  return %y, %m : tensor<2x8x24xf32>, tensor<2x16xf32>
}
