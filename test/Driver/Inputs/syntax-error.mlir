func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> tensor<4xf32> {
  %y = tfm.relu %x
