//===- Passes.td - tfm graph passes ------------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFM_TRANSFORMS_PASSES_TD
#define TFM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

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
