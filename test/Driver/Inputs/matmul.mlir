// A matmul large enough for the tiled Vulkan kernel.
func.func @main(%a: tensor<256x64xf32> {tfm.name = "a"}, %b: tensor<64x128xf32> {tfm.name = "b"}) -> (tensor<256x128xf32> {tfm.name = "c"}) {
  %c = tfm.matmul %a, %b : (tensor<256x64xf32>, tensor<64x128xf32>) -> tensor<256x128xf32>
  return %c : tensor<256x128xf32>
}
