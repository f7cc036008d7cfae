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
