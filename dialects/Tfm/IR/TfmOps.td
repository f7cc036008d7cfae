//===- TfmOps.td - tfm dialect operations ------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFM_IR_TFMOPS_TD
#define TFM_IR_TFMOPS_TD

include "Tfm/IR/TfmBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def Tfm_WeightOp : Tfm_Op<"weight", [Pure]> {
  let summary = "named model parameter, resolved from the weights file";
  let description = [{
    A trained parameter, named as in the model's `.safetensors` file. The
    data never enters the IR: the op stays symbolic until code generation,
    where the weight store supplies the bytes. Two `tfm.weight` ops with the
    same name denote the same tensor (tied weights) and must agree on type
    (checked across the module by `tfm-verify-model`). Weights have static
    shapes.

    ```mlir
    %w = tfm.weight "encoder.layers.0.linear1.weight" : tensor<2048x512xf32>
    ```

    With `parts`, the weight is the concatenation along dimension 0 of the
    stored tensors named there (each the result's shape but for dimension
    0, whose sizes add up), assembled when the model is compiled;
    `tfm-merge-projections` creates such weights, with the parts' names
    joined by `+` as the name.

    ```mlir
    %qkv = tfm.weight "q.weight+k.weight+v.weight" parts ["q.weight", "k.weight", "v.weight"]
        : tensor<1536x512xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, OptionalAttr<StrArrayAttr>:$parts);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat = "$name (`parts` $parts^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Tfm_ConstantOp : Tfm_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "small literal tensor (masks, shapes, scalars)";
  let description = [{
    A literal kept in the IR so graph passes can see it, e.g. a causal mask
    exported as a constant, or shape arithmetic. Non-splat constants are
    limited to 65536 elements: parameters belong in `tfm.weight`, whose data
    never passes through MLIR attributes.

    ```mlir
    %shape = tfm.constant dense<[2, 16, 8, 8]> : tensor<4xi64>
    %eps = tfm.constant dense<1.0e-05> : tensor<f32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Input
//===----------------------------------------------------------------------===//

def Tfm_EmbeddingOp : Tfm_Op<"embedding", [Pure, Tfm_InferResultTypes]> {
  let summary = "token embedding lookup (ids -> vectors)";
  let description = [{
    Looks up each id of `indices` in the rows of `table` (`[vocab, dim]`),
    as `torch.nn.Embedding` does. The result has shape
    `indices.shape + [dim]`. An id outside `[0, vocab)` is a run-time error,
    never an out-of-bounds read.

    ```mlir
    %x = tfm.embedding %ids, %table
        : (tensor<2x16xi64>, tensor<1000x64xf32>) -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Tfm_IndexTensor:$indices, Tfm_FloatTensor:$table);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat =
      "$indices `,` $table attr-dict `:` functional-type(operands, results)";
}

def Tfm_PositionalEncodingOp : Tfm_Op<"positional_encoding",
    [Pure, SameOperandsAndResultType]> {
  let summary = "add the sinusoidal positional encoding of the original paper";
  let description = [{
    Returns `input + PE`, where for position `p = offset + s` (`s` the index
    along dimension `rank - 2`) and feature `j` of `d = input.shape[-1]`:

    ```
    PE[p, 2i]   = sin(p / base^(2i / d))
    PE[p, 2i+1] = cos(p / base^(2i / d))
    ```

    `base` is 10000 in "Attention Is All You Need". `offset` shifts the
    positions (e.g. for incremental decoding). Learned positional embeddings
    are a `tfm.weight` plus `tfm.add` instead.

    ```mlir
    %y = tfm.positional_encoding %x {offset = 0 : i64} : tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "0">:$offset,
                       DefaultValuedAttr<F64Attr, "10000.0">:$base);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Tfm_LinearOp : Tfm_Op<"linear", [Pure, Tfm_InferResultTypes]> {
  let summary = "affine map x·Wᵀ + b with W in PyTorch's [out, in] layout";
  let description = [{
    `torch.nn.Linear`: `input` is `[..., in]`, `weight` is `[out, in]`, the
    optional `bias` is `[out]`, and the result is `[..., out]`.

    ```mlir
    %y = tfm.linear %x, %w, %b
        : (tensor<2x16x64xf32>, tensor<256x64xf32>, tensor<256xf32>)
        -> tensor<2x16x256xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Tfm_FloatTensor:$weight,
                       Optional<Tfm_FloatTensor>:$bias);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Tfm_MatmulOp : Tfm_Op<"matmul", [Pure, Tfm_InferResultTypes]> {
  let summary = "batched matrix product with optional transposes";
  let description = [{
    `numpy.matmul` on operands of rank >= 2: the last two dimensions are the
    matrices (`[M, K]` and `[K, N]`, or `[K, M]` / `[N, K]` when
    `transpose_a` / `transpose_b` is set) and the leading dimensions
    broadcast with numpy's rules.

    ```mlir
    %s = tfm.matmul %q, %k {transpose_b}
        : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x16xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$lhs, Tfm_FloatTensor:$rhs,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Tfm_AttentionOp : Tfm_Op<"attention", [Pure, Tfm_InferResultTypes]> {
  let summary = "fused scaled dot-product attention";
  let description = [{
    `softmax(scale · Q·Kᵀ + mask) · V` on `query` `[..., Hq, Sq, D]`, `key`
    `[..., Hkv, Sk, D]` and `value` `[..., Hkv, Sk, Dv]`; the result is
    `[..., Hq, Sq, Dv]`.

    - `scale` defaults to `1/sqrt(D)`.
    - Leading dimensions of key and value equal those of the query, except
      the head dimension (`rank - 3`): the query may have a multiple of the
      key/value heads (grouped-query attention; query head `h` uses
      key/value head `h / (Hq / Hkv)`).
    - `causal`: query `i` attends key `j` only if `j <= i + (Sk - Sq)`, i.e.
      the causal diagonal is aligned bottom-right when `Sq != Sk`, as in
      PyTorch's `scaled_dot_product_attention` for incremental decoding.
    - `mask` is broadcastable (numpy rules) to `[..., Hq, Sq, Sk]`. An `i1`
      mask keeps the positions that are `true`; a float mask (the query's
      element type) is added to the scaled scores.
    - A query row whose keys are all masked out yields zeros (not NaN).

    Softmax is evaluated with f32 accumulation whatever the element type.

    ```mlir
    %o = tfm.attention %q, %k, %v {causal}
        : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>)
        -> tensor<2x8x16x64xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$query, Tfm_FloatTensor:$key,
                       Tfm_FloatTensor:$value,
                       Optional<Tfm_MaskTensor>:$mask,
                       OptionalAttr<F64Attr>:$scale, UnitAttr:$causal);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`,` $mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_MultiHeadAttentionOp : Tfm_Op<"multi_head_attention",
    [Pure, AttrSizedOperandSegments, Tfm_InferResultTypes]> {
  let summary = "multi-head attention with its projections (composite)";
  let description = [{
    `torch.nn.MultiheadAttention` in batch-first form, as one op:

    ```
    Q = linear(query, q_weight, q_bias)  -> split into num_heads heads of Dh
    K = linear(key, k_weight, k_bias)    -> split into Hkv heads of Dh
    V = linear(value, v_weight, v_bias)  -> split into Hkv heads of Dv
    O = attention(Q, K, V, mask, scale, causal)  (merged back to [.., H·Dv])
    result = linear(O, out_weight, out_bias)
    ```

    `query` is `[..., Sq, Eq]`, `key` `[..., Sk, Ek]`, `value`
    `[..., Sk, Ev]` (same leading dimensions). `q_weight` is `[H·Dh, Eq]`,
    `k_weight` `[Hkv·Dh, Ek]`, `v_weight` `[Hkv·Dv, Ev]`, `out_weight`
    `[Eo, H·Dv]`; `Hkv` (inferred from `k_weight`) must divide `H`. Biases are
    all present or all absent. `mask`, `scale` and `causal` are as for
    `tfm.attention`, with the mask broadcastable to `[..., H, Sq, Sk]`.
    Self-attention passes the same value as query, key and value.

    ```mlir
    %y = tfm.multi_head_attention %x, %x, %x
        weights(%wq, %wk, %wv, %wo) biases(%bq, %bk, %bv, %bo)
        {num_heads = 8 : i64, causal}
        : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>,
           tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>,
           tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
        -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$query, Tfm_FloatTensor:$key,
                       Tfm_FloatTensor:$value,
                       Tfm_FloatTensor:$q_weight, Tfm_FloatTensor:$k_weight,
                       Tfm_FloatTensor:$v_weight, Tfm_FloatTensor:$out_weight,
                       Optional<Tfm_FloatTensor>:$q_bias,
                       Optional<Tfm_FloatTensor>:$k_bias,
                       Optional<Tfm_FloatTensor>:$v_bias,
                       Optional<Tfm_FloatTensor>:$out_bias,
                       Optional<Tfm_MaskTensor>:$mask,
                       I64Attr:$num_heads, OptionalAttr<F64Attr>:$scale,
                       UnitAttr:$causal);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value
    `weights` `(` $q_weight `,` $k_weight `,` $v_weight `,` $out_weight `)`
    (`biases` `(` $q_bias^ `,` $k_bias `,` $v_bias `,` $out_bias `)`)?
    (`mask` `(` $mask^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Tfm_LayerNormOp : Tfm_Op<"layer_norm",
    [Pure, AttrSizedOperandSegments, Tfm_InferResultTypes]> {
  let summary = "layer normalization over the trailing dimensions";
  let description = [{
    `torch.nn.LayerNorm` / ONNX `LayerNormalization`: normalizes over the
    dimensions `[axis, rank)` to zero mean and unit (biased) variance, with
    `epsilon` added to the variance, then multiplies by `scale` and adds
    `bias` when present. Both have the shape of the normalized dimensions.
    Statistics are accumulated in f32.

    ```mlir
    %y = tfm.layer_norm %x scale(%g) bias(%b) {epsilon = 1.0e-05 : f64}
        : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input,
                       Optional<Tfm_FloatTensor>:$scale,
                       Optional<Tfm_FloatTensor>:$bias,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` `(` $scale^ `)`)? (`bias` `(` $bias^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Tfm_RmsNormOp : Tfm_Op<"rms_norm",
    [Pure, Tfm_InferResultTypes]> {
  let summary = "root-mean-square normalization over the trailing dimensions";
  let description = [{
    `x / sqrt(mean(x², dims [axis, rank)) + epsilon) · scale`, as
    `torch.nn.RMSNorm` and LLaMA-style models define it; `scale` (optional)
    has the shape of the normalized dimensions. Accumulates in f32.

    ```mlir
    %y = tfm.rms_norm %x scale(%g) {epsilon = 1.0e-06 : f64}
        : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input,
                       Optional<Tfm_FloatTensor>:$scale,
                       DefaultValuedAttr<F64Attr, "1.0e-6">:$epsilon,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` `(` $scale^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise, binary (numpy broadcasting)
//===----------------------------------------------------------------------===//

class Tfm_BinaryOp<string mnemonic, Type operandType, string expr,
                   list<Trait> traits = []>
    : Tfm_Op<mnemonic, !listconcat([Pure, Tfm_InferResultTypes], traits)> {
  let summary = "elementwise " # expr # " with numpy broadcasting";
  let description = [{
    Computes `}] # expr # [{` elementwise. Both operands have the same
    element type; their shapes broadcast with numpy's rules (dimensions
    aligned from the right, a size-1 dimension stretches).

    ```mlir
    %r = tfm.}] # mnemonic # [{ %a, %b
        : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Tfm_AddOp : Tfm_BinaryOp<"add", Tfm_NumericTensor, "lhs + rhs", [Commutative]>;
def Tfm_SubOp : Tfm_BinaryOp<"sub", Tfm_NumericTensor, "lhs - rhs">;
def Tfm_MulOp : Tfm_BinaryOp<"mul", Tfm_NumericTensor, "lhs * rhs", [Commutative]>;
def Tfm_DivOp : Tfm_BinaryOp<"div", Tfm_NumericTensor,
    "lhs / rhs (integers: truncating, as C)">;
def Tfm_PowOp : Tfm_BinaryOp<"pow", Tfm_FloatTensor, "lhs ^ rhs">;
def Tfm_MinOp : Tfm_BinaryOp<"min", Tfm_NumericTensor, "min(lhs, rhs)", [Commutative]>;
def Tfm_MaxOp : Tfm_BinaryOp<"max", Tfm_NumericTensor, "max(lhs, rhs)", [Commutative]>;

def Tfm_CompareOp : Tfm_Op<"compare", [Pure, Tfm_InferResultTypes]> {
  let summary = "elementwise comparison with numpy broadcasting";
  let description = [{
    Compares `lhs` and `rhs` (same element type, shapes broadcast) with one
    of `eq ne lt le gt ge`, giving an `i1` tensor. Integers compare as
    signed, `i1` as `false < true`; float comparisons are ordered (false on
    NaN) except `ne`.

    ```mlir
    %m = tfm.compare lt, %i, %j
        : (tensor<16x1xi64>, tensor<1x16xi64>) -> tensor<16x16xi1>
    ```
  }];
  let arguments = (ins Tfm_ComparePredicate:$predicate,
                       Tfm_Tensor:$lhs, Tfm_Tensor:$rhs);
  let results = (outs RankedTensorOf<[I1]>:$result);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Tfm_SelectOp : Tfm_Op<"select", [Pure, Tfm_InferResultTypes]> {
  let summary = "elementwise choice (where) with numpy broadcasting";
  let description = [{
    `condition ? true_value : false_value` elementwise, as `numpy.where`,
    ONNX `Where` and `torch.masked_fill`; the three shapes broadcast.

    ```mlir
    %s = tfm.select %causal, %scores, %neg_inf
        : (tensor<16x16xi1>, tensor<2x8x16x16xf32>, tensor<f32>)
        -> tensor<2x8x16x16xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I1]>:$condition,
                       Tfm_Tensor:$true_value, Tfm_Tensor:$false_value);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $true_value `,` $false_value attr-dict `:`
    functional-type(operands, results)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise, unary
//===----------------------------------------------------------------------===//

class Tfm_UnaryOp<string mnemonic, Type operandType, string expr,
                  list<Trait> traits = []>
    : Tfm_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType], traits)> {
  let summary = "elementwise " # expr;
  let description = [{
    Computes `}] # expr # [{` for every element.

    ```mlir
    %y = tfm.}] # mnemonic # [{ %x : tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Tfm_NegOp : Tfm_UnaryOp<"neg", Tfm_NumericTensor, "-x"> {
  let hasFolder = 1;
}
def Tfm_ReluOp : Tfm_UnaryOp<"relu", Tfm_FloatTensor, "max(x, 0)">;
def Tfm_SiluOp : Tfm_UnaryOp<"silu", Tfm_FloatTensor, "x · sigmoid(x)">;
def Tfm_SigmoidOp : Tfm_UnaryOp<"sigmoid", Tfm_FloatTensor, "1 / (1 + exp(-x))">;
def Tfm_TanhOp : Tfm_UnaryOp<"tanh", Tfm_FloatTensor, "tanh(x)">;
def Tfm_ExpOp : Tfm_UnaryOp<"exp", Tfm_FloatTensor, "exp(x)">;
def Tfm_LogOp : Tfm_UnaryOp<"log", Tfm_FloatTensor, "the natural logarithm ln(x)">;
def Tfm_SqrtOp : Tfm_UnaryOp<"sqrt", Tfm_FloatTensor, "sqrt(x)">;
def Tfm_ErfOp : Tfm_UnaryOp<"erf", Tfm_FloatTensor, "the error function erf(x)">;

def Tfm_GeluOp : Tfm_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise GELU, exact or tanh-approximated";
  let description = [{
    `x · Φ(x)` with `Φ` the standard normal CDF. `approximation = none`
    (default) uses `Φ(x) = (1 + erf(x / √2)) / 2`; `tanh` uses
    `(1 + tanh(√(2/π) · (x + 0.044715 x³))) / 2`, as
    `torch.nn.GELU(approximate="tanh")` and GPT-2 do.

    ```mlir
    %y = tfm.gelu %x : tensor<2x16x64xf32>
    %z = tfm.gelu %x approximation = tanh : tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input,
                       DefaultValuedAttr<Tfm_GeluApproximation,
                         "::mlir::tfm::GeluApproximation::none">:$approximation);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`approximation` `=` $approximation^)? attr-dict `:` type($input)
  }];
}

def Tfm_CastOp : Tfm_Op<"cast", [Pure]> {
  let summary = "element type conversion";
  let description = [{
    Converts every element to the result's element type; the shape is kept.
    Float to integer truncates toward zero (as C and PyTorch); integer and
    float to `i1` is `x != 0`; `i1` to numbers is 0 or 1.

    ```mlir
    %h = tfm.cast %x : tensor<2x16xf32> -> tensor<2x16xf16>
    ```
  }];
  let arguments = (ins Tfm_Tensor:$input);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Shape
//===----------------------------------------------------------------------===//

def Tfm_ReshapeOp : Tfm_Op<"reshape", [Pure]> {
  let summary = "reinterpret a tensor's elements (row-major) in a new shape";
  let description = [{
    The result has the input's elements in row-major order and the shape of
    the result type, which has the same number of elements.

    ```mlir
    %h = tfm.reshape %x : tensor<2x16x64xf32> -> tensor<2x16x8x8xf32>
    ```
  }];
  let arguments = (ins Tfm_Tensor:$input);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// Whether `input` can be reshaped to `result` (the verifier's rule).
    static ::llvm::LogicalResult verifyShapes(::mlir::RankedTensorType input,
                                              ::mlir::RankedTensorType result);
  }];
}

def Tfm_TransposeOp : Tfm_Op<"transpose", [Pure, Tfm_InferResultTypes]> {
  let summary = "permute dimensions";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]` (numpy's
    `transpose(axes)`, ONNX `Transpose perm`).

    ```mlir
    %t = tfm.transpose %x [0, 2, 1, 3] : tensor<2x16x8x8xf32> -> tensor<2x8x16x8xf32>
    ```
  }];
  let arguments = (ins Tfm_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Tfm_BroadcastToOp : Tfm_Op<"broadcast_to", [Pure]> {
  let summary = "broadcast to a larger shape with numpy's rules";
  let description = [{
    `numpy.broadcast_to` / ONNX `Expand` to the result type's shape: input
    dimensions are aligned from the right and each is 1 or equal to the
    result's.

    ```mlir
    %b = tfm.broadcast_to %x : tensor<1x16xf32> -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Tfm_Tensor:$input);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// Whether `input` broadcasts to `result` (the verifier's rule).
    static bool isBroadcastableTo(::mlir::RankedTensorType input,
                                  ::mlir::RankedTensorType result);
  }];
}

def Tfm_ConcatOp : Tfm_Op<"concat", [Pure, Tfm_InferResultTypes]> {
  let summary = "join tensors along a dimension";
  let description = [{
    Concatenates the inputs (same element type, same rank, equal sizes in
    every dimension but `axis`) along `axis` (negative counts from the end).

    ```mlir
    %c = tfm.concat %a, %b {axis = 1 : i64}
        : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Tfm_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasFolder = 1;
}

def Tfm_SliceOp : Tfm_Op<"slice", [Pure, Tfm_InferResultTypes]> {
  let summary = "strided slice with static bounds";
  let description = [{
    Takes `input[starts[i] : limits[i] : strides[i]]` in every dimension `i`
    (one entry per dimension, `0 <= start <= limit <= size`, stride >= 1).
    Result size `i` is `ceil((limits[i] - starts[i]) / strides[i])`.

    ```mlir
    %s = tfm.slice %x {starts = array<i64: 0, 4>, limits = array<i64: 2, 8>,
                       strides = array<i64: 1, 2>}
        : tensor<2x16xf32> -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Tfm_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$limits, DenseI64ArrayAttr:$strides);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Tfm_SplitOp : Tfm_Op<"split", [Pure, Tfm_InferResultTypes]> {
  let summary = "split a tensor into consecutive pieces along a dimension";
  let description = [{
    Splits `input` along `axis` into pieces of the given `sizes`, which add
    up to the dimension's size (ONNX `Split`, `torch.split`).

    ```mlir
    %q, %k, %v = tfm.split %qkv {axis = -1 : i64, sizes = array<i64: 64, 64, 64>}
        : tensor<2x16x192xf32> -> tensor<2x16x64xf32>, tensor<2x16x64xf32>,
          tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Tfm_Tensor:$input, I64Attr:$axis,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<Tfm_Tensor>:$results);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($results)";
}

def Tfm_GatherOp : Tfm_Op<"gather", [Pure, Tfm_InferResultTypes]> {
  let summary = "take elements along an axis by index";
  let description = [{
    `numpy.take(input, indices, axis)` / ONNX `Gather`: the result shape is
    `input.shape[:axis] + indices.shape + input.shape[axis+1:]`. Negative
    indices count from the end; an index outside `[-size, size)` is a
    run-time error, never an out-of-bounds read.

    ```mlir
    %g = tfm.gather %x, %idx {axis = 0 : i64}
        : (tensor<100x64xf32>, tensor<4xi64>) -> tensor<4x64xf32>
    ```
  }];
  let arguments = (ins Tfm_Tensor:$input, Tfm_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Tfm_Tensor:$result);
  let assemblyFormat =
      "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Tfm_IotaOp : Tfm_Op<"iota", [Pure]> {
  let summary = "arithmetic sequence along one dimension";
  let description = [{
    Element `[i0, …, in]` is `start + step · i_dimension` (ONNX `Range` and
    position ids). For integer results `start` and `step` must be integral.

    ```mlir
    %pos = tfm.iota {dimension = 0 : i64} : tensor<16xi64>
    %r = tfm.iota {dimension = 1 : i64, start = 0.5 : f64, step = 2.0 : f64}
        : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins I64Attr:$dimension,
                       DefaultValuedAttr<F64Attr, "0.0">:$start,
                       DefaultValuedAttr<F64Attr, "1.0">:$step);
  let results = (outs Tfm_NumericTensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and output
//===----------------------------------------------------------------------===//

def Tfm_SoftmaxOp : Tfm_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (negative counts
    from the end), evaluated max-subtracted with f32 accumulation.

    ```mlir
    %p = tfm.softmax %scores {axis = -1 : i64} : tensor<2x8x16x16xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

class Tfm_ReduceOp<string mnemonic, Type operandType, string what>
    : Tfm_Op<mnemonic, [Pure, Tfm_InferResultTypes]> {
  let summary = what # " over a set of axes";
  let description = [{
    Reduces `input` over `axes` (non-empty, distinct, negative counts from
    the end) by taking the }] # what # [{. Reduced dimensions are removed,
    or kept with size 1 when `keep_dims` is set.

    ```mlir
    %r = tfm.}] # mnemonic # [{ %x {axes = array<i64: -1>, keep_dims = true}
        : tensor<2x16x64xf32> -> tensor<2x16x1xf32>
    ```
  }];
  let arguments = (ins operandType:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keep_dims);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Tfm_ReduceSumOp : Tfm_ReduceOp<"reduce_sum", Tfm_NumericTensor, "sum">;
def Tfm_ReduceMeanOp : Tfm_ReduceOp<"reduce_mean", Tfm_FloatTensor, "mean">;
def Tfm_ReduceMaxOp : Tfm_ReduceOp<"reduce_max", Tfm_NumericTensor, "maximum">;

def Tfm_ArgmaxOp : Tfm_Op<"argmax", [Pure, Tfm_InferResultTypes]> {
  let summary = "index of the largest element along an axis";
  let description = [{
    The `i64` index of the maximum along `axis`; ties give the first index
    (as PyTorch and ONNX with `select_last_index = 0`), and a NaN counts as
    the maximum (as in PyTorch). The axis is removed,
    or kept with size 1 when `keep_dims` is set.

    ```mlir
    %tok = tfm.argmax %logits {axis = -1 : i64}
        : tensor<2x16x1000xf32> -> tensor<2x16xi64>
    ```
  }];
  let arguments = (ins Tfm_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keep_dims);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

#endif // TFM_IR_TFMOPS_TD
