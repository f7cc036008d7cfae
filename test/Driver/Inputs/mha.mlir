func.func @main(%x: tensor<1x4x8xf32> {tfm.name = "x"}) -> (tensor<1x4x8xf32> {tfm.name = "y"}) {
  %w = tfm.weight "attn.w" : tensor<8x8xf32>
  %a = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %w, %w) {num_heads = 2 : i64, causal}
      : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>,
         tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  return %a : tensor<1x4x8xf32>
}
