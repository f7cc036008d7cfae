// Tests of -tfm-verify-model. The file is cut by split-file into three
// inputs, each run its own way:
//   valid.mlir        models the pass accepts; it must print them unchanged
//   invalid.mlir      one -split-input-file case per error the pass reports
//   entry-point.mlir  the entry-point= option
//
// RUN: split-file %s %t
// RUN: tfmc-opt %t/valid.mlir -split-input-file -tfm-verify-model | FileCheck %t/valid.mlir
// RUN: tfmc-opt %t/invalid.mlir -split-input-file -tfm-verify-model -verify-diagnostics
// RUN: tfmc-opt %t/entry-point.mlir -split-input-file -tfm-verify-model="entry-point=forward" -verify-diagnostics | FileCheck %t/entry-point.mlir

//--- valid.mlir

// A complete model: named inputs and outputs, a private helper, tied weights
// (the same name twice, with the same type). The pass changes nothing.
// CHECK-LABEL: func.func @main(
// CHECK-SAME: %[[IDS:.*]]: tensor<2x8xi64> {tfm.name = "input_ids"}, %[[MASK:.*]]: tensor<2x1x8x8xi1> {tfm.name = "attention_mask"})
// CHECK-SAME: -> (tensor<2x8x16xf32> {tfm.name = "logits"}, tensor<2x8xi64> {tfm.name = "next_tokens"})
// CHECK-NEXT: %[[TABLE:.*]] = tfm.weight "embed.weight" : tensor<16x32xf32>
// CHECK-NEXT: %[[X:.*]] = tfm.embedding %[[IDS]], %[[TABLE]] : (tensor<2x8xi64>, tensor<16x32xf32>) -> tensor<2x8x32xf32>
// CHECK-NEXT: %[[POS:.*]] = tfm.positional_encoding %[[X]] : tensor<2x8x32xf32>
// CHECK-NEXT: %[[H:.*]] = call @attention_block(%[[POS]], %[[MASK]]) : (tensor<2x8x32xf32>, tensor<2x1x8x8xi1>) -> tensor<2x8x32xf32>
// CHECK-NEXT: %[[TIED:.*]] = tfm.weight "embed.weight" : tensor<16x32xf32>
// CHECK-NEXT: %[[LOGITS:.*]] = tfm.linear %[[H]], %[[TIED]] : (tensor<2x8x32xf32>, tensor<16x32xf32>) -> tensor<2x8x16xf32>
// CHECK-NEXT: %[[NEXT:.*]] = tfm.argmax %[[LOGITS]] {axis = -1 : i64} : tensor<2x8x16xf32> -> tensor<2x8xi64>
// CHECK-NEXT: return %[[LOGITS]], %[[NEXT]] : tensor<2x8x16xf32>, tensor<2x8xi64>
// CHECK-NEXT: }
// CHECK-LABEL: func.func private @attention_block(
// CHECK-SAME: %[[BX:.*]]: tensor<2x8x32xf32>, %[[BMASK:.*]]: tensor<2x1x8x8xi1>) -> tensor<2x8x32xf32>
// CHECK-NEXT: %[[WQKV:.*]] = tfm.weight "layer.qkv.weight" : tensor<96x32xf32>
// CHECK-NEXT: %[[BQKV:.*]] = tfm.weight "layer.qkv.bias" : tensor<96xf32>
// CHECK-NEXT: %[[QKV:.*]] = tfm.linear %[[BX]], %[[WQKV]], %[[BQKV]]
// CHECK-NEXT: %[[SPLIT:.*]]:3 = tfm.split %[[QKV]] {axis = -1 : i64, sizes = array<i64: 32, 32, 32>}
// CHECK-NEXT: %[[Q4:.*]] = tfm.reshape %[[SPLIT]]#0 : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
// CHECK-NEXT: %[[K4:.*]] = tfm.reshape %[[SPLIT]]#1 : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
// CHECK-NEXT: %[[V4:.*]] = tfm.reshape %[[SPLIT]]#2 : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
// CHECK-NEXT: %[[Q:.*]] = tfm.transpose %[[Q4]] [0, 2, 1, 3]
// CHECK-NEXT: %[[K:.*]] = tfm.transpose %[[K4]] [0, 2, 1, 3]
// CHECK-NEXT: %[[V:.*]] = tfm.transpose %[[V4]] [0, 2, 1, 3]
// CHECK-NEXT: %[[O:.*]] = tfm.attention %[[Q]], %[[K]], %[[V]], %[[BMASK]] {causal}
// CHECK-NEXT: %[[OT:.*]] = tfm.transpose %[[O]] [0, 2, 1, 3]
// CHECK-NEXT: %[[O3:.*]] = tfm.reshape %[[OT]] : tensor<2x8x4x8xf32> -> tensor<2x8x32xf32>
// CHECK-NEXT: %[[R:.*]] = tfm.add %[[BX]], %[[O3]]
// CHECK-NEXT: %[[S:.*]] = tfm.weight "layer.norm.weight" : tensor<32xf32>
// CHECK-NEXT: %[[Y:.*]] = tfm.rms_norm %[[R]] scale(%[[S]])
// CHECK-NEXT: return %[[Y]] : tensor<2x8x32xf32>
module {
  func.func @main(%ids: tensor<2x8xi64> {tfm.name = "input_ids"},
                  %mask: tensor<2x1x8x8xi1> {tfm.name = "attention_mask"})
      -> (tensor<2x8x16xf32> {tfm.name = "logits"},
          tensor<2x8xi64> {tfm.name = "next_tokens"}) {
    %table = tfm.weight "embed.weight" : tensor<16x32xf32>
    %x = tfm.embedding %ids, %table : (tensor<2x8xi64>, tensor<16x32xf32>) -> tensor<2x8x32xf32>
    %pos = tfm.positional_encoding %x : tensor<2x8x32xf32>
    %h = call @attention_block(%pos, %mask) : (tensor<2x8x32xf32>, tensor<2x1x8x8xi1>) -> tensor<2x8x32xf32>
    %tied = tfm.weight "embed.weight" : tensor<16x32xf32>
    %logits = tfm.linear %h, %tied : (tensor<2x8x32xf32>, tensor<16x32xf32>) -> tensor<2x8x16xf32>
    %next = tfm.argmax %logits {axis = -1 : i64} : tensor<2x8x16xf32> -> tensor<2x8xi64>
    return %logits, %next : tensor<2x8x16xf32>, tensor<2x8xi64>
  }

  func.func private @attention_block(%x: tensor<2x8x32xf32>, %mask: tensor<2x1x8x8xi1>) -> tensor<2x8x32xf32> {
    %wqkv = tfm.weight "layer.qkv.weight" : tensor<96x32xf32>
    %bqkv = tfm.weight "layer.qkv.bias" : tensor<96xf32>
    %qkv = tfm.linear %x, %wqkv, %bqkv : (tensor<2x8x32xf32>, tensor<96x32xf32>, tensor<96xf32>) -> tensor<2x8x96xf32>
    %q, %k, %v = tfm.split %qkv {axis = -1 : i64, sizes = array<i64: 32, 32, 32>}
        : tensor<2x8x96xf32> -> tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>
    %q4 = tfm.reshape %q : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
    %k4 = tfm.reshape %k : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
    %v4 = tfm.reshape %v : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
    %qh = tfm.transpose %q4 [0, 2, 1, 3] : tensor<2x8x4x8xf32> -> tensor<2x4x8x8xf32>
    %kh = tfm.transpose %k4 [0, 2, 1, 3] : tensor<2x8x4x8xf32> -> tensor<2x4x8x8xf32>
    %vh = tfm.transpose %v4 [0, 2, 1, 3] : tensor<2x8x4x8xf32> -> tensor<2x4x8x8xf32>
    %o = tfm.attention %qh, %kh, %vh, %mask {causal}
        : (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<2x1x8x8xi1>)
        -> tensor<2x4x8x8xf32>
    %ot = tfm.transpose %o [0, 2, 1, 3] : tensor<2x4x8x8xf32> -> tensor<2x8x4x8xf32>
    %o3 = tfm.reshape %ot : tensor<2x8x4x8xf32> -> tensor<2x8x32xf32>
    %r = tfm.add %x, %o3 : (tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
    %s = tfm.weight "layer.norm.weight" : tensor<32xf32>
    %y = tfm.rms_norm %r scale(%s) : (tensor<2x8x32xf32>, tensor<32xf32>) -> tensor<2x8x32xf32>
    return %y : tensor<2x8x32xf32>
  }
}

// -----

// Every supported boundary element type; a model without inputs; an external
// private declaration (only the entry point has to be public).
// CHECK-LABEL: func.func private @external_helper(tensor<4xf32>) -> tensor<4xf32>
// CHECK-LABEL: func.func @main(
// CHECK-SAME: %{{.*}}: tensor<4xf32> {tfm.name = "f32"}, %{{.*}}: tensor<4xf16> {tfm.name = "f16"}, %{{.*}}: tensor<4xbf16> {tfm.name = "bf16"}, %{{.*}}: tensor<4xi1> {tfm.name = "i1"}, %{{.*}}: tensor<4xi32> {tfm.name = "i32"}, %{{.*}}: tensor<i64> {tfm.name = "i64"})
// CHECK-SAME: -> (tensor<4xf32> {tfm.name = "out"})
// CHECK-NEXT: return %{{.*}} : tensor<4xf32>
module {
  func.func private @external_helper(tensor<4xf32>) -> tensor<4xf32>
  func.func @main(%a: tensor<4xf32> {tfm.name = "f32"}, %b: tensor<4xf16> {tfm.name = "f16"},
                  %c: tensor<4xbf16> {tfm.name = "bf16"}, %d: tensor<4xi1> {tfm.name = "i1"},
                  %e: tensor<4xi32> {tfm.name = "i32"}, %f: tensor<i64> {tfm.name = "i64"})
      -> (tensor<4xf32> {tfm.name = "out"}) {
    return %a : tensor<4xf32>
  }
}

// -----

// CHECK-LABEL: func.func @main() -> (tensor<3xi64> {tfm.name = "constant"})
// CHECK-NEXT: %[[C:.*]] = tfm.constant dense<[1, 2, 3]> : tensor<3xi64>
// CHECK-NEXT: return %[[C]] : tensor<3xi64>
module {
  func.func @main() -> (tensor<3xi64> {tfm.name = "constant"}) {
    %c = tfm.constant dense<[1, 2, 3]> : tensor<3xi64>
    return %c : tensor<3xi64>
  }
}

//--- invalid.mlir

// expected-error @+1 {{the model has no entry point: expected a function body named @main}}
module {
}

// -----

// Only @forward: not the default entry point (and, since there is no entry
// point at all, nothing else is checked).
// expected-error @+1 {{the model has no entry point: expected a function body named @main}}
module {
  func.func @forward(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    return %x : tensor<4xf32>
  }
}

// -----

// A declaration is not an entry point.
// expected-error @+1 {{the model has no entry point: expected a function body named @main}}
module {
  func.func private @main(tensor<4xf32>) -> tensor<4xf32>
}

// -----

module {
  // expected-error @+1 {{'func.func' op entry point @main must be public}}
  func.func private @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    return %x : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{'func.func' op argument #0 of @main has type 'f32'; model inputs and outputs must be ranked tensors of f32, f16, bf16, i1, i32 or i64}}
  func.func @main(%x: f32 {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    %0 = tfm.constant dense<1.0> : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{argument #1 of @main has type 'tensor<4xf64>'; model inputs and outputs must be ranked tensors}}
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}, %y: tensor<4xf64> {tfm.name = "y"}) -> (tensor<4xf32> {tfm.name = "out"}) {
    return %x : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{argument #0 of @main has type 'tensor<4xi8>'; model inputs and outputs must be ranked tensors}}
  func.func @main(%x: tensor<4xi8> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    %0 = tfm.constant dense<1.0> : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{argument #0 of @main has type 'tensor<*xf32>'; model inputs and outputs must be ranked tensors}}
  func.func @main(%x: tensor<*xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    %0 = tfm.constant dense<1.0> : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{argument #0 of @main has type 'memref<4xf32>'; model inputs and outputs must be ranked tensors}}
  func.func @main(%x: memref<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    %0 = tfm.constant dense<1.0> : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{'func.func' op result #0 of @main has type 'i64'; model inputs and outputs must be ranked tensors of f32, f16, bf16, i1, i32 or i64}}
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (i64 {tfm.name = "y"}) {
    %0 = arith.constant 0 : i64
    return %0 : i64
  }
}

// -----

module {
  // expected-error-re @+1 {{'func.func' op argument #0 of @main has a dynamic shape ('tensor<?x16xi64>'): dynamic dimensions are not supported yet}}
  func.func @main(%ids: tensor<?x16xi64> {tfm.name = "ids"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    %0 = tfm.constant dense<1.0> : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

// A dynamic result (the op producing it is reported as well).
module {
  // expected-error-re @+1 {{'func.func' op result #1 of @main has a dynamic shape ('tensor<2x?xf32>'): dynamic dimensions are not supported yet}}
  func.func @main(%x: tensor<2x3xf32> {tfm.name = "x"}) -> (tensor<2x3xf32> {tfm.name = "a"}, tensor<2x?xf32> {tfm.name = "b"}) {
    %0 = tfm.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
    // expected-error @+1 {{'tfm.reshape' op result type 'tensor<2x?xf32>' has a dynamic shape}}
    %1 = tfm.reshape %0 : tensor<6xf32> -> tensor<2x?xf32>
    return %x, %1 : tensor<2x3xf32>, tensor<2x?xf32>
  }
}

// -----

// A dynamic argument returned as a dynamic result: both are reported.
module {
  // expected-error @+2 {{argument #0 of @main has a dynamic shape}}
  // expected-error @+1 {{result #0 of @main has a dynamic shape}}
  func.func @main(%x: tensor<?xf32> {tfm.name = "x"}) -> (tensor<?xf32> {tfm.name = "y"}) {
    return %x : tensor<?xf32>
  }
}

// -----

module {
  // expected-error @+1 {{'func.func' op argument #1 of @main has no 'tfm.name' attribute (every model input and output needs a name)}}
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}, %y: tensor<4xf32>) -> (tensor<4xf32> {tfm.name = "out"}) {
    return %x : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{'func.func' op result #0 of @main has no 'tfm.name' attribute (every model input and output needs a name)}}
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{'func.func' op name 'x' of argument #1 is already used by argument #0}}
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}, %y: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "out"}) {
    return %x : tensor<4xf32>
  }
}

// -----

// Arguments and results share one namespace.
module {
  // expected-error @+1 {{'func.func' op name 'hidden' of result #0 is already used by argument #1}}
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}, %h: tensor<4xf32> {tfm.name = "hidden"}) -> (tensor<4xf32> {tfm.name = "hidden"}) {
    return %x : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @+1 {{'func.func' op name 'out' of result #1 is already used by result #0}}
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "out"}, tensor<4xf32> {tfm.name = "out"}) {
    return %x, %x : tensor<4xf32>, tensor<4xf32>
  }
}

// -----

module {
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    %0 = call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
  // expected-error @+1 {{'func.func' op @helper is public; only the entry point @main may be}}
  func.func @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
    %0 = tfm.relu %x : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

module {
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    // expected-error @+1 {{'tfm.reshape' op result type 'tensor<?xf32>' has a dynamic shape: dynamic dimensions are not supported yet}}
    %0 = tfm.reshape %x : tensor<4xf32> -> tensor<?xf32>
    %1 = tfm.reshape %0 : tensor<?xf32> -> tensor<4xf32>
    return %1 : tensor<4xf32>
  }
}

// -----

// Private functions are checked too; a less static declared result type
// (allowed by the op) is still dynamic.
module {
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    return %x : tensor<4xf32>
  }
  // expected-error @+1 {{'func.func' op signature type 'tensor<?xf32>' has a dynamic shape}}
  func.func private @unused(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<?xf32> {
    // expected-error @+1 {{'tfm.add' op result type 'tensor<?xf32>' has a dynamic shape}}
    %0 = tfm.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
    return %0 : tensor<?xf32>
  }
}

// -----

module {
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    // expected-note @+1 {{first use here}}
    %w = tfm.weight "shared.weight" : tensor<4xf32>
    // expected-error @+1 {{'tfm.weight' op weight 'shared.weight' has type 'tensor<4x1xf32>' here but 'tensor<4xf32>' elsewhere}}
    %v = tfm.weight "shared.weight" : tensor<4x1xf32>
    %0 = tfm.add %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

// Weights are one namespace across functions; the element type counts too.
module {
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    // expected-note @+1 {{first use here}}
    %w = tfm.weight "scale" : tensor<4xf32>
    %0 = tfm.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
  func.func private @half(%x: tensor<4xf16>) -> tensor<4xf16> {
    // expected-error @+1 {{weight 'scale' has type 'tensor<4xf16>' here but 'tensor<4xf32>' elsewhere}}
    %w = tfm.weight "scale" : tensor<4xf16>
    %0 = tfm.mul %x, %w : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
    return %0 : tensor<4xf16>
  }
}

// -----

// Every violation is reported, not only the first.
module {
  // expected-error @+4 {{entry point @main must be public}}
  // expected-error @+3 {{argument #0 of @main has type 'i32'}}
  // expected-error @+2 {{argument #1 of @main has no 'tfm.name' attribute}}
  // expected-error @+1 {{result #0 of @main has no 'tfm.name' attribute}}
  func.func private @main(%a: i32 {tfm.name = "a"}, %b: tensor<2xi32>) -> tensor<2xi32> {
    // expected-error @+1 {{'tfm.reshape' op result type 'tensor<?xi32>' has a dynamic shape}}
    %0 = tfm.reshape %b : tensor<2xi32> -> tensor<?xi32>
    %1 = tfm.reshape %0 : tensor<?xi32> -> tensor<2xi32>
    return %1 : tensor<2xi32>
  }
  // expected-error @+1 {{'func.func' op @other is public; only the entry point @main may be}}
  func.func @other() {
    return
  }
}

// -----

// Dynamic shapes anywhere in the model are reported, not only in @main.
module {
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    return %x : tensor<4xf32>
  }
  // expected-error @+1 {{'func.func' op signature type 'tensor<?xf32>' has a dynamic shape: dynamic dimensions are not supported yet}}
  func.func private @helper(%x: tensor<?xf32>) -> tensor<?xf32> {
    return %x : tensor<?xf32>
  }
  // expected-error @+1 {{'func.func' op signature type 'tensor<?xf32>' has a dynamic shape}}
  func.func private @decl(tensor<?xf32>) -> tensor<*xf32>
}

//--- entry-point.mlir

// With entry-point=forward, @forward is the model and @main is an ordinary
// function that must be private.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"})
// CHECK-NEXT: %[[R:.*]] = call @main(%[[X]])
// CHECK-NEXT: return %[[R]]
// CHECK-LABEL: func.func private @main(
module {
  func.func @forward(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    %0 = call @main(%x) : (tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
  func.func private @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{the model has no entry point: expected a function body named @forward}}
module {
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    return %x : tensor<4xf32>
  }
}

// -----

module {
  func.func @forward(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    return %x : tensor<4xf32>
  }
  // expected-error @+1 {{'func.func' op @main is public; only the entry point @forward may be}}
  func.func @main(%x: tensor<4xf32> {tfm.name = "x"}) -> (tensor<4xf32> {tfm.name = "y"}) {
    return %x : tensor<4xf32>
  }
}

// -----

// Messages name the chosen entry point.
module {
  // expected-error @+2 {{'func.func' op entry point @forward must be public}}
  // expected-error @+1 {{'func.func' op argument #0 of @forward has no 'tfm.name' attribute}}
  func.func private @forward(%x: tensor<4xf32>) -> (tensor<4xf32> {tfm.name = "y"}) {
    return %x : tensor<4xf32>
  }
}
