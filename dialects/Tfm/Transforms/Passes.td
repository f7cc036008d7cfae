//===- Passes.td - tfm graph passes ------------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFM_TRANSFORMS_PASSES_TD
#define TFM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TfmDecomposeCompositesPass : Pass<"tfm-decompose-composites"> {
  let summary = "Expand composite ops (multi_head_attention) into primitive tfm ops";
  let description = [{
    Rewrites `tfm.multi_head_attention` into the ops it is made of, so that
    graph passes and lowerings see plain linear algebra and one
    `tfm.attention` per head group:

    ```
    q = linear(query, q_weight, q_bias) -> reshape [.., Sq, H, Dh] -> transpose [.., H, Sq, Dh]
    k, v likewise with the key/value head count
    o = attention(q, k, v, mask) {scale, causal} -> transpose -> reshape [.., Sq, H·Dv]
    result = linear(o, out_weight, out_bias)
    ```

    Locations are kept: every new op carries the composite's location.
  }];
}

def TfmFuseAttentionPass : Pass<"tfm-fuse-attention"> {
  let summary = "Recover tfm.attention from unfused QKᵀ → softmax → ·V chains";
  let description = [{
    Finds the chain exports produce for attention,

    ```
    matmul(Q, Kᵀ) → [scale] → [+ mask | select(mask, ·, -inf)] →
    softmax(last axis) → matmul(·, V)
    ```

    and replaces it by one `tfm.attention`, whatever the spelling: Kᵀ as a
    transposed matmul or an explicit `tfm.transpose` (any permutation that
    amounts to Kᵀ, e.g. PyTorch's `[1, 2, 0]` on seq-first keys), the scale
    as a multiplication or division by a splat constant on the scores or
    pre-applied to Q or K (several combine), an additive mask, a boolean
    mask selecting the scores or the fill (`masked_fill`), and a constant
    lower-triangular mask, which becomes the `causal` flag. The new op
    carries the fused locations of the whole chain.

    It fuses only what is provably the same computation and leaves
    everything else alone: softmax over another axis, a scale that is not a
    splat (e.g. differs between heads), a fill other than -inf (except for
    a causal constant mask, where no row is fully masked), a mask that
    enlarges the scores, an intermediate used elsewhere, or operands whose
    batch dimensions broadcast.

    ```mlir
    %kt = tfm.transpose %k [0, 1, 3, 2] : ...
    %s = tfm.matmul %q, %kt : ...
    %c = tfm.constant dense<0.125> : tensor<f32>
    %ss = tfm.mul %s, %c : ...
    %p = tfm.softmax %ss : ...
    %o = tfm.matmul %p, %v : ...
    // becomes
    %o = tfm.attention %q, %k, %v {scale = 1.250000e-01 : f64} : ...
    ```
  }];
}

def TfmMergeProjectionsPass : Pass<"tfm-merge-projections"> {
  let summary = "Merge tfm.linear ops that share their input into one";
  let description = [{
    The Q, K and V projections of self-attention (and any other group of
    `tfm.linear` ops reading the same input in one block) become one
    `tfm.linear` whose weight is the concatenation of theirs along the
    output features — a `tfm.weight` with `parts`, assembled from the
    stored tensors when the model is compiled, so it is packed like any
    weight — followed by a `tfm.slice` per original result. Merged are
    linears whose weights are `tfm.weight`s (without parts) of one element
    type and input width, and whose biases are all absent or all
    `tfm.weight`s; the others are left alone. One matmul over `[.., ΣN]`
    instead of several reads the input once and runs one kernel.

    ```mlir
    %q = tfm.linear %x, %wq, %bq : ... -> tensor<16x64xf32>
    %k = tfm.linear %x, %wk, %bk : ... -> tensor<16x64xf32>
    // becomes
    %w = tfm.weight "wq+wk" parts ["wq", "wk"] : tensor<128x64xf32>
    %b = tfm.weight "bq+bk" parts ["bq", "bk"] : tensor<128xf32>
    %qk = tfm.linear %x, %w, %b : ... -> tensor<16x128xf32>
    %q = tfm.slice %qk {starts = [0, 0], limits = [16, 64], ...}
    %k = tfm.slice %qk {starts = [0, 64], limits = [16, 128], ...}
    ```
  }];
}

def TfmVerifyModelPass : Pass<"tfm-verify-model", "ModuleOp"> {
  let summary = "Check that a module is a model tfmc can compile";
  let description = [{
    Checks the model contract that every later phase relies on, and reports
    each violation at its location:

    - the module has a public `func.func @main` (the entry point); other
      functions are private;
    - every argument and result of `@main` is a ranked tensor of a supported
      element type and carries a unique, non-empty `tfm.name`;
    - every tensor in the model has a static shape (dynamic dimensions are
      part of the dialect but not compiled yet);
    - `tfm.weight` ops that share a name agree on the type.

    The pass changes nothing. Example of a rejected model:

    ```mlir
    // error: 'func.func' op argument #0 of @main has a dynamic shape
    //        ('tensor<?x16xi64>'): dynamic dimensions are not supported yet
    func.func @main(%ids: tensor<?x16xi64> {tfm.name = "ids"}) -> ...
    ```
  }];
  let options = [
    Option<"entryPoint", "entry-point", "std::string", /*default=*/"\"main\"",
           "Name of the model's entry function">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // TFM_TRANSFORMS_PASSES_TD
