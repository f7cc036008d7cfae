// RUN: tfmc-opt %s -split-input-file -verify-diagnostics

// Every diagnostic of the tfm dialect's verifiers, shape functions and
// argument/result attribute hooks, one case each. A failing shape function
// (inferReturnTypes) is followed by MLIR's "failed to infer returned types".

//===----------------------------------------------------------------------===//
// tfm.name on function arguments and results
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'func.func' op has unknown tfm attribute 'tfm.label' on argument #1 (only 'tfm.name' is defined)}}
func.func @unknown_arg_attr(%a: tensor<2xf32>, %b: tensor<2xf32> {tfm.label = "b"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op has unknown tfm attribute 'tfm.label' on result #0 (only 'tfm.name' is defined)}}
func.func @unknown_result_attr(%a: tensor<2xf32>) -> (tensor<2xf32> {tfm.label = "out"}) {
  return %a : tensor<2xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'tfm.name' of argument #0 must be a non-empty string}}
func.func @name_not_a_string(%a: tensor<2xf32> {tfm.name = 1 : i64}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'tfm.name' of result #0 must be a non-empty string}}
func.func @name_empty(%a: tensor<2xf32>) -> (tensor<2xf32> {tfm.name = ""}) {
  return %a : tensor<2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.weight
//===----------------------------------------------------------------------===//

func.func @weight_empty_name() {
  // expected-error @+1 {{'tfm.weight' op name must not be empty}}
  %0 = tfm.weight "" : tensor<4x4xf32>
  return
}

// -----

func.func @weight_dynamic_shape() {
  // expected-error @+1 {{weight 'w' must have a static shape, got 'tensor<?x4xf32>'}}
  %0 = tfm.weight "w" : tensor<?x4xf32>
  return
}

// -----

func.func @weight_one_part() {
  // expected-error @+1 {{weight 'a' must have at least two parts}}
  %0 = tfm.weight "a" parts ["a"] : tensor<4x4xf32>
  return
}

// -----

func.func @weight_parts_scalar() {
  // expected-error @+1 {{weight 'a+b' has parts, concatenated along dimension 0, so it must have rank >= 1}}
  %0 = tfm.weight "a+b" parts ["a", "b"] : tensor<f32>
  return
}

// -----

func.func @weight_part_empty_name() {
  // expected-error @+1 {{weight 'a+' has a part with an empty name}}
  %0 = tfm.weight "a+" parts ["a", ""] : tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.constant
//===----------------------------------------------------------------------===//

func.func @constant_dynamic_shape() {
  // expected-error @+1 {{'tfm.constant' op must have a static shape}}
  %0 = tfm.constant dense_resource<blob> : tensor<?xf32>
  return
}

// -----

func.func @constant_too_large() {
  // expected-error @+1 {{holds 65537 elements; constants are limited to 65536 (use tfm.weight for parameters)}}
  %0 = tfm.constant sparse<[[0]], [1.0]> : tensor<65537xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.embedding
//===----------------------------------------------------------------------===//

func.func @embedding_table_rank(%ids: tensor<2x16xi64>, %t: tensor<1000xf32>) {
  // expected-error @+2 {{table must have rank 2 ([vocab, dim]), got [1000]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.embedding %ids, %t : (tensor<2x16xi64>, tensor<1000xf32>) -> tensor<2x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.positional_encoding
//===----------------------------------------------------------------------===//

func.func @positional_encoding_rank(%x: tensor<64xf32>) {
  // expected-error @+1 {{input must have rank >= 2 ([..., seq, dim]), got 'tensor<64xf32>'}}
  %0 = tfm.positional_encoding %x : tensor<64xf32>
  return
}

// -----

func.func @positional_encoding_offset(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{offset must be non-negative, got -1}}
  %0 = tfm.positional_encoding %x {offset = -1 : i64} : tensor<16x64xf32>
  return
}

// -----

func.func @positional_encoding_base(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{base must be a finite number > 1, got 1}}
  %0 = tfm.positional_encoding %x {base = 1.0 : f64} : tensor<16x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.linear
//===----------------------------------------------------------------------===//

func.func @linear_weight_element_type(%x: tensor<2x64xf32>, %w: tensor<32x64xf16>) {
  // expected-error @+2 {{'tfm.linear' op weight has element type 'f16' but 'f32' is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.linear %x, %w : (tensor<2x64xf32>, tensor<32x64xf16>) -> tensor<2x32xf32>
  return
}

// -----

func.func @linear_input_rank(%x: tensor<f32>, %w: tensor<32x1xf32>) {
  // expected-error @+2 {{'tfm.linear' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.linear %x, %w : (tensor<f32>, tensor<32x1xf32>) -> tensor<32xf32>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<2x64xf32>, %w: tensor<64xf32>) {
  // expected-error @+2 {{weight must have rank 2 ([out, in]), got [64]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.linear %x, %w : (tensor<2x64xf32>, tensor<64xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @linear_feature_size(%x: tensor<2x48xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+2 {{input feature size 48 does not match weight [out, in] = [32, 64]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.linear %x, %w : (tensor<2x48xf32>, tensor<32x64xf32>) -> tensor<2x32xf32>
  return
}

// -----

func.func @linear_bias_element_type(%x: tensor<2x64xf32>, %w: tensor<32x64xf32>, %b: tensor<32xbf16>) {
  // expected-error @+2 {{'tfm.linear' op bias has element type 'bf16' but 'f32' is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.linear %x, %w, %b : (tensor<2x64xf32>, tensor<32x64xf32>, tensor<32xbf16>) -> tensor<2x32xf32>
  return
}

// -----

func.func @linear_bias_shape(%x: tensor<2x64xf32>, %w: tensor<32x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+2 {{bias shape [64] must be [32] (the weight's out size)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.linear %x, %w, %b : (tensor<2x64xf32>, tensor<32x64xf32>, tensor<64xf32>) -> tensor<2x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_element_type(%a: tensor<4x8xf32>, %b: tensor<8x2xf16>) {
  // expected-error @+2 {{'tfm.matmul' op rhs has element type 'f16' but 'f32' is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.matmul %a, %b : (tensor<4x8xf32>, tensor<8x2xf16>) -> tensor<4x2xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{operands must have rank >= 2, got [4, 8] and [8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.matmul %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<2x8xf32>) {
  // expected-error @+2 {{contraction sizes differ: lhs [4, 8] gives K = 8, rhs [2, 8] gives K = 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.matmul %a, %b : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<3x4x8xf32>, %b: tensor<2x8x2xf32>) {
  // expected-error @+2 {{batch dimensions [3] and [2] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.matmul %a, %b : (tensor<3x4x8xf32>, tensor<2x8x2xf32>) -> tensor<3x4x2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.attention
//===----------------------------------------------------------------------===//

func.func @attention_key_element_type(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf16>, %v: tensor<2x16x8xf32>) {
  // expected-error @+2 {{'tfm.attention' op key has element type 'f16' but 'f32' is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %k, %v : (tensor<2x16x8xf32>, tensor<2x16x8xf16>, tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

func.func @attention_value_element_type(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf32>, %v: tensor<2x16x8xbf16>) {
  // expected-error @+2 {{'tfm.attention' op value has element type 'bf16' but 'f32' is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %k, %v : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x16x8xbf16>) -> tensor<2x16x8xf32>
  return
}

// -----

func.func @attention_rank(%q: tensor<2x16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>) {
  // expected-error @+2 {{query, key and value must have the same rank >= 2 ([..., seq, dim]), got [2, 16, 8], [16, 8], [16, 8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %k, %v : (tensor<2x16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

func.func @attention_head_size(%q: tensor<16x8xf32>, %k: tensor<16x4xf32>, %v: tensor<16x8xf32>) {
  // expected-error @+2 {{query head size 8 differs from key head size 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %k, %v : (tensor<16x8xf32>, tensor<16x4xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return
}

// -----

func.func @attention_key_value_length(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<12x8xf32>) {
  // expected-error @+2 {{key length 16 differs from value length 12}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %k, %v : (tensor<16x8xf32>, tensor<16x8xf32>, tensor<12x8xf32>) -> tensor<16x8xf32>
  return
}

// -----

func.func @attention_key_value_dims(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+2 {{key and value differ in dimension 1: 4 vs 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %k, %v : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x2x16x8xf32>) -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @attention_grouped_heads(%q: tensor<2x6x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x8xf32>) {
  // expected-error @+2 {{query heads (6) must be a multiple of key/value heads (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %k, %v : (tensor<2x6x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) -> tensor<2x6x16x8xf32>
  return
}

// -----

func.func @attention_batch(%q: tensor<3x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x8xf32>) {
  // expected-error @+2 {{query and key differ in batch dimension 0: 3 vs 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %k, %v : (tensor<3x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) -> tensor<3x4x16x8xf32>
  return
}

// -----

func.func @attention_mask_element_type(%q: tensor<16x8xf32>, %m: tensor<16x16xf16>) {
  // expected-error @+2 {{mask element type 'f16' must be i1 (boolean mask) or 'f32' (additive mask, the query's element type)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %q, %q, %m : (tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x16xf16>) -> tensor<16x8xf32>
  return
}

// -----

func.func @attention_mask_shape(%q: tensor<2x16x8xf32>, %k: tensor<2x12x8xf32>, %m: tensor<16x16xi1>) {
  // expected-error @+2 {{mask shape [16, 16] does not broadcast to the attention scores' shape [2, 16, 12]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.attention %q, %k, %k, %m : (tensor<2x16x8xf32>, tensor<2x12x8xf32>, tensor<2x12x8xf32>, tensor<16x16xi1>) -> tensor<2x16x8xf32>
  return
}

// -----

func.func @attention_scale(%q: tensor<16x8xf32>) {
  // expected-error @+1 {{'tfm.attention' op scale must be a finite positive number, got 0}}
  %0 = tfm.attention %q, %q, %q {scale = 0.0 : f64} : (tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.multi_head_attention
//===----------------------------------------------------------------------===//

func.func @mha_element_type(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %wk: tensor<64x64xf16>) {
  // expected-error @+2 {{'tfm.multi_head_attention' op k_weight has element type 'f16' but 'f32' is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %wk, %w, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf16>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_rank(%x: tensor<2x16x64xf32>, %kv: tensor<16x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+2 {{query, key and value must have the same rank >= 2 ([..., seq, embed]), got [2, 16, 64], [16, 64], [16, 64]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %kv, %kv weights(%w, %w, %w, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_batch(%x: tensor<2x16x64xf32>, %kv: tensor<3x16x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+2 {{query, key and value differ in batch dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %kv, %kv weights(%w, %w, %w, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<3x16x64xf32>, tensor<3x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_key_value_length(%x: tensor<2x16x64xf32>, %v: tensor<2x12x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+2 {{key length 16 differs from value length 12}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %v weights(%w, %w, %w, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x12x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_weight_static_rank2(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %wv: tensor<?x64xf32>) {
  // expected-error @+2 {{v_weight must be a static rank-2 tensor, got 'tensor<?x64xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %wv, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<?x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_num_heads(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+2 {{num_heads must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %w, %w) {num_heads = 0 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_q_weight_rows(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+2 {{q_weight rows (64) must be a multiple of num_heads (6)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %w, %w) {num_heads = 6 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_k_weight_rows(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %wk: tensor<20x64xf32>) {
  // expected-error @+2 {{k_weight rows (20) must be a multiple of the head size (8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %wk, %w, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<20x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_kv_heads(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %wk: tensor<24x64xf32>) {
  // expected-error @+2 {{key/value heads (3, from k_weight) must divide num_heads (8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %wk, %w, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<24x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_v_weight_rows(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %wk: tensor<32x64xf32>, %wv: tensor<30x64xf32>) {
  // expected-error @+2 {{v_weight rows (30) must be a multiple of the key/value heads (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %wk, %wv, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<32x64xf32>, tensor<30x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_query_features(%x: tensor<2x16x48xf32>, %kv: tensor<2x16x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+2 {{query feature size 48 does not match q_weight [64, 64]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %kv, %kv weights(%w, %w, %w, %w) {num_heads = 8 : i64}
      : (tensor<2x16x48xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_key_features(%x: tensor<2x16x64xf32>, %k: tensor<2x16x48xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+2 {{key feature size 48 does not match k_weight [64, 64]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %k, %x weights(%w, %w, %w, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x48xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_value_features(%x: tensor<2x16x64xf32>, %v: tensor<2x16x48xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+2 {{value feature size 48 does not match v_weight [64, 64]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %v weights(%w, %w, %w, %w) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x48xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_out_weight_columns(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %wo: tensor<64x32xf32>) {
  // expected-error @+2 {{out_weight [64, 32] must have 64 columns (num_heads x value head size)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %w, %wo) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x32xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

// The custom syntax takes all four biases or none; the generic form can
// pass some.
func.func @mha_partial_biases(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+2 {{biases must be all present or all absent}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "tfm.multi_head_attention"(%x, %x, %x, %w, %w, %w, %w, %b)
      <{num_heads = 8 : i64,
        operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0>}>
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>,
         tensor<64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_bias_element_type(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %b: tensor<64xf32>, %bv: tensor<64xf16>) {
  // expected-error @+2 {{'tfm.multi_head_attention' op v_bias has element type 'f16' but 'f32' is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %w, %w) biases(%b, %b, %bv, %b) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>,
         tensor<64xf32>, tensor<64xf32>, tensor<64xf16>, tensor<64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_bias_shape(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %wk: tensor<32x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+2 {{k_bias shape [64] must be [32]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %wk, %wk, %w) biases(%b, %b, %b, %b) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<64x64xf32>,
         tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_mask_shape(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>, %m: tensor<4x16x16xi1>) {
  // expected-error @+2 {{mask shape [4, 16, 16] does not broadcast to the attention scores' shape [2, 8, 16, 16]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %w, %w) mask(%m) {num_heads = 8 : i64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>,
         tensor<4x16x16xi1>)
      -> tensor<2x16x64xf32>
  return
}

// -----

func.func @mha_scale(%x: tensor<2x16x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+1 {{'tfm.multi_head_attention' op scale must be a finite positive number, got -1}}
  %0 = tfm.multi_head_attention %x, %x, %x weights(%w, %w, %w, %w) {num_heads = 8 : i64, scale = -1.0 : f64}
      : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
         tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<2x16x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.layer_norm
//===----------------------------------------------------------------------===//

func.func @layer_norm_input_rank(%x: tensor<f32>) {
  // expected-error @+2 {{'tfm.layer_norm' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.layer_norm %x : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x16x64xf32>) {
  // expected-error @+2 {{'tfm.layer_norm' op axis 3 is out of range for rank 3 (expected in [-3, 3))}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.layer_norm %x {axis = 3 : i64} : (tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x16x64xf32>) {
  // expected-error @+2 {{epsilon must be a finite non-negative number, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.layer_norm %x {epsilon = -1.0 : f64} : (tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @layer_norm_bias_element_type(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf16>) {
  // expected-error @+2 {{'tfm.layer_norm' op bias has element type 'f16' but 'f32' is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.layer_norm %x scale(%g) bias(%b) : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf16>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+2 {{scale shape [64] must equal the normalized shape [16, 64]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.layer_norm %x scale(%g) {axis = -2 : i64} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.rms_norm
//===----------------------------------------------------------------------===//

func.func @rms_norm_axis(%x: tensor<2x16x64xf32>) {
  // expected-error @+2 {{'tfm.rms_norm' op axis -4 is out of range for rank 3 (expected in [-3, 3))}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.rms_norm %x {axis = -4 : i64} : (tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @rms_norm_scale_element_type(%x: tensor<2x16x64xf32>, %g: tensor<64xbf16>) {
  // expected-error @+2 {{'tfm.rms_norm' op scale has element type 'bf16' but 'f32' is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.rms_norm %x scale(%g) : (tensor<2x16x64xf32>, tensor<64xbf16>) -> tensor<2x16x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Binary elementwise ops (tfm.add ... tfm.max)
//===----------------------------------------------------------------------===//

func.func @add_element_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+2 {{'tfm.add' op operand element types differ: 'f32' vs 'f16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @sub_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'tfm.sub' op operand shapes [2, 3] and [4] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.sub %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

// The generic InferTypeOpInterface check: the declared result type disagrees
// with the one inferred from the operands.
func.func @add_wrong_result_shape(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'tfm.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.compare
//===----------------------------------------------------------------------===//

func.func @compare_element_types(%a: tensor<4xi64>, %b: tensor<4xi32>) {
  // expected-error @+2 {{'tfm.compare' op operand element types differ: 'i64' vs 'i32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.compare lt, %a, %b : (tensor<4xi64>, tensor<4xi32>) -> tensor<4xi1>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.select
//===----------------------------------------------------------------------===//

func.func @select_value_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+2 {{true and false values have different element types: 'f32' vs 'f16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @select_broadcast(%c: tensor<16x16xi1>, %a: tensor<2x16x16xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{operand shapes [16, 16] and [2, 16, 16] and [8] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.select %c, %a, %b : (tensor<16x16xi1>, tensor<2x16x16xf32>, tensor<8xf32>) -> tensor<2x16x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.cast
//===----------------------------------------------------------------------===//

func.func @cast_shape(%x: tensor<2x16xf32>) {
  // expected-error @+1 {{changes the shape from [2, 16] to [16, 2] (cast only converts element types)}}
  %0 = tfm.cast %x : tensor<2x16xf32> -> tensor<16x2xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.reshape
//===----------------------------------------------------------------------===//

func.func @reshape_element_type(%x: tensor<2x16xf32>) {
  // expected-error @+1 {{'tfm.reshape' op changes the element type from 'f32' to 'f16'}}
  %0 = tfm.reshape %x : tensor<2x16xf32> -> tensor<32xf16>
  return
}

// -----

func.func @reshape_element_count(%x: tensor<2x16xf32>) {
  // expected-error @+1 {{cannot reshape [2, 16] (32 elements) to [4, 4] (16 elements)}}
  %0 = tfm.reshape %x : tensor<2x16xf32> -> tensor<4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.transpose
//===----------------------------------------------------------------------===//

func.func @transpose_length(%x: tensor<2x16x64xf32>) {
  // expected-error @+2 {{permutation has 2 entries but the input has rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.transpose %x [1, 0] : tensor<2x16x64xf32> -> tensor<16x2x64xf32>
  return
}

// -----

func.func @transpose_not_a_permutation(%x: tensor<2x16x64xf32>) {
  // expected-error @+2 {{permutation [0, 2, 2] is not a permutation of [0, 3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.transpose %x [0, 2, 2] : tensor<2x16x64xf32> -> tensor<2x64x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.broadcast_to
//===----------------------------------------------------------------------===//

func.func @broadcast_to_element_type(%x: tensor<1x16xf32>) {
  // expected-error @+1 {{'tfm.broadcast_to' op changes the element type from 'f32' to 'bf16'}}
  %0 = tfm.broadcast_to %x : tensor<1x16xf32> -> tensor<8x16xbf16>
  return
}

// -----

func.func @broadcast_to_shape(%x: tensor<2x16xf32>) {
  // expected-error @+1 {{cannot broadcast [2, 16] to [8, 16]}}
  %0 = tfm.broadcast_to %x : tensor<2x16xf32> -> tensor<8x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.concat
//===----------------------------------------------------------------------===//

func.func @concat_no_inputs() {
  // expected-error @+2 {{'tfm.concat' op needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) {
  // expected-error @+2 {{'tfm.concat' op axis 2 is out of range for rank 2 (expected in [-2, 2))}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.concat %a, %b {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @concat_element_types(%a: tensor<2x3xf32>, %b: tensor<2x5xf16>) {
  // expected-error @+2 {{input #1 has element type 'f16' but input #0 has 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf16>) -> tensor<2x8xf32>
  return
}

// -----

func.func @concat_ranks(%a: tensor<2x3xf32>, %b: tensor<2x5x1xf32>) {
  // expected-error @+2 {{input #1 has rank 3 but input #0 has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5x1xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @concat_shapes(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{input #1 shape [4, 5] differs from [2, 3] (the earlier inputs) outside the concatenation axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.concat %a, %b {axis = -1 : i64} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.slice
//===----------------------------------------------------------------------===//

func.func @slice_entries(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{starts, limits and strides need one entry per dimension (2), got 2, 2 and 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.slice %x {starts = array<i64: 0, 0>, limits = array<i64: 2, 8>, strides = array<i64: 1>} : tensor<2x16xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @slice_stride(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{stride 0 in dimension 1 must be >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.slice %x {starts = array<i64: 0, 0>, limits = array<i64: 2, 8>, strides = array<i64: 1, 0>} : tensor<2x16xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @slice_bounds(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{slice [4, 20) of dimension 1 is out of bounds for size 16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.slice %x {starts = array<i64: 0, 4>, limits = array<i64: 2, 20>, strides = array<i64: 1, 1>} : tensor<2x16xf32> -> tensor<2x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.split
//===----------------------------------------------------------------------===//

func.func @split_axis(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{'tfm.split' op axis -3 is out of range for rank 2 (expected in [-2, 2))}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = tfm.split %x {axis = -3 : i64, sizes = array<i64: 8, 8>} : tensor<2x16xf32> -> tensor<2x8xf32>, tensor<2x8xf32>
  return
}

// -----

// The custom syntax cannot spell zero results; the generic form can.
func.func @split_no_sizes(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{'tfm.split' op sizes must not be empty}}
  // expected-error @+1 {{failed to infer returned types}}
  "tfm.split"(%x) <{axis = 1 : i64, sizes = array<i64>}> : (tensor<2x16xf32>) -> ()
  return
}

// -----

func.func @split_negative_size(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{split sizes must be non-negative, got [20, -4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = tfm.split %x {axis = 1 : i64, sizes = array<i64: 20, -4>} : tensor<2x16xf32> -> tensor<2x20xf32>, tensor<2x?xf32>
  return
}

// -----

func.func @split_total(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{split sizes [8, 4] add up to 12 but dimension 1 has size 16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = tfm.split %x {axis = 1 : i64, sizes = array<i64: 8, 4>} : tensor<2x16xf32> -> tensor<2x8xf32>, tensor<2x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.gather
//===----------------------------------------------------------------------===//

func.func @gather_axis(%x: tensor<100x64xf32>, %i: tensor<4xi64>) {
  // expected-error @+2 {{'tfm.gather' op axis 2 is out of range for rank 2 (expected in [-2, 2))}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.gather %x, %i {axis = 2 : i64} : (tensor<100x64xf32>, tensor<4xi64>) -> tensor<4x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.iota
//===----------------------------------------------------------------------===//

func.func @iota_dimension() {
  // expected-error @+1 {{'tfm.iota' op dimension 1 is out of range for 'tensor<16xi64>'}}
  %0 = tfm.iota {dimension = 1 : i64} : tensor<16xi64>
  return
}

// -----

func.func @iota_integral() {
  // expected-error @+1 {{start (0.5) and step (1) must be integers representable in int64 for 'tensor<16xi64>'}}
  %0 = tfm.iota {dimension = 0 : i64, start = 0.5 : f64} : tensor<16xi64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.softmax
//===----------------------------------------------------------------------===//

func.func @softmax_axis(%x: tensor<2x16xf32>) {
  // expected-error @+1 {{'tfm.softmax' op axis 2 is out of range for rank 2}}
  %0 = tfm.softmax %x {axis = 2 : i64} : tensor<2x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.reduce_sum, tfm.reduce_mean, tfm.reduce_max
//===----------------------------------------------------------------------===//

func.func @reduce_sum_no_axes(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{'tfm.reduce_sum' op axes must not be empty}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.reduce_sum %x {axes = array<i64>} : tensor<2x16xf32> -> tensor<2x16xf32>
  return
}

// -----

func.func @reduce_mean_axis(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{'tfm.reduce_mean' op axis 2 is out of range for rank 2 (expected in [-2, 2))}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.reduce_mean %x {axes = array<i64: 2>} : tensor<2x16xf32> -> tensor<2xf32>
  return
}

// -----

func.func @reduce_max_duplicate_axes(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{'tfm.reduce_max' op axes [1, -1] name dimension 1 twice}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.reduce_max %x {axes = array<i64: 1, -1>} : tensor<2x16xf32> -> tensor<2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tfm.argmax
//===----------------------------------------------------------------------===//

func.func @argmax_rank(%x: tensor<f32>) {
  // expected-error @+2 {{'tfm.argmax' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.argmax %x {axis = 0 : i64} : tensor<f32> -> tensor<i64>
  return
}

// -----

func.func @argmax_axis(%x: tensor<2x16xf32>) {
  // expected-error @+2 {{'tfm.argmax' op axis -3 is out of range for rank 2 (expected in [-2, 2))}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.argmax %x {axis = -3 : i64} : tensor<2x16xf32> -> tensor<2xi64>
  return
}

//===----------------------------------------------------------------------===//
// Unknown and overflowing sizes
//===----------------------------------------------------------------------===//

// -----

// A `?` in input #0 does not hide a conflict between later inputs.
func.func @concat_dynamic_conflict(%a: tensor<?x2xf32>, %b: tensor<3x2xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+2 {{'tfm.concat' op input #2 shape [4, 2] differs from [3, 4] (the earlier inputs) outside the concatenation axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.concat %a, %b, %c {axis = 1 : i64} : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<4x2xf32>) -> tensor<?x6xf32>
  return
}

// -----

func.func @concat_overflow(%a: tensor<9223372036854775807xf32>, %b: tensor<1xf32>) {
  // expected-error @+2 {{'tfm.concat' op concatenated size along axis 0 overflows int64}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.concat %a, %b {axis = 0 : i64} : (tensor<9223372036854775807xf32>, tensor<1xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @split_overflow(%x: tensor<16xf32>) {
  // expected-error @+2 {{'tfm.split' op split sizes [9223372036854775807, 1] overflow int64}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = tfm.split %x {axis = 0 : i64, sizes = array<i64: 9223372036854775807, 1>} : tensor<16xf32> -> tensor<?xf32>, tensor<1xf32>
  return
}

// -----

func.func @reshape_partly_dynamic(%x: tensor<6xf32>) {
  // expected-error @+1 {{'tfm.reshape' op cannot reshape [6] (6 elements) to [?, 4]}}
  %0 = tfm.reshape %x : tensor<6xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @reshape_overflow(%x: tensor<4294967296x4294967296xf32>) {
  // expected-error @+1 {{'tfm.reshape' op element count of [4294967296, 4294967296] overflows int64}}
  %0 = tfm.reshape %x : tensor<4294967296x4294967296xf32> -> tensor<1xf32>
  return
}

// -----

func.func @slice_reversed(%x: tensor<16xf32>) {
  // expected-error @+2 {{'tfm.slice' op slice [8, 4) of dimension 0 has its start after its limit}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.slice %x {starts = array<i64: 8>, limits = array<i64: 4>, strides = array<i64: 1>} : tensor<16xf32> -> tensor<0xf32>
  return
}

// -----

func.func @iota_dynamic() {
  // expected-error @+1 {{'tfm.iota' op must have a static shape, got 'tensor<?xi64>'}}
  %0 = tfm.iota {dimension = 0 : i64} : tensor<?xi64>
  return
}

// -----

func.func @iota_not_finite() {
  // expected-error @+1 {{'tfm.iota' op start (nan) and step (1) must be finite}}
  %0 = tfm.iota {dimension = 0 : i64, start = 0x7FF8000000000000 : f64} : tensor<4xf32>
  return
}

// -----

func.func @iota_int_out_of_range() {
  // expected-error @+1 {{'tfm.iota' op start (1e+30) and step (1) must be integers representable in int64}}
  %0 = tfm.iota {dimension = 0 : i64, start = 1.0e30 : f64} : tensor<4xi64>
  return
}

// -----

func.func @gather_rank0(%x: tensor<f32>, %i: tensor<1xi64>) {
  // expected-error @+2 {{'tfm.gather' op axis 0 is out of range: the input has rank 0 (no axes)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tfm.gather %x, %i {axis = 0 : i64} : (tensor<f32>, tensor<1xi64>) -> tensor<1xf32>
  return
}
