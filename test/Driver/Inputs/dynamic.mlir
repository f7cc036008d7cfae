func.func @main(%x: tensor<?x4xf32> {tfm.name = "x"}) -> (tensor<?x4xf32> {tfm.name = "y"}) {
  %y = tfm.relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
