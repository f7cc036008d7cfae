// RUN: tfmc-opt %s --split-input-file --pass-pipeline='builtin.module(spirv.module(tfmc-preserve-float-specials))' | FileCheck %s

// Every entry point of a kernel using f32 and f16 asks for both widths.
// CHECK-LABEL: spirv.module @both
// CHECK: spirv.EntryPoint "GLCompute" @k
// CHECK-NEXT: spirv.ExecutionMode @k "SignedZeroInfNanPreserve", 16
// CHECK-NEXT: spirv.ExecutionMode @k "SignedZeroInfNanPreserve", 32
// CHECK-NEXT: spirv.ExecutionMode @k "LocalSize", 64, 1, 1
spirv.module @both Logical GLSL450 {
  spirv.GlobalVariable @buf bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<4 x f16, stride=2> [0])>, StorageBuffer>
  spirv.func @k() "None" {
    %a = spirv.Constant 1.0 : f32
    %b = spirv.FAdd %a, %a : f32
    spirv.Return
  }
  spirv.EntryPoint "GLCompute" @k
  spirv.ExecutionMode @k "LocalSize", 64, 1, 1
}

// -----

// A kernel without floats (an index computation) asks for nothing.
// CHECK-LABEL: spirv.module @ints
// CHECK-NOT: SignedZeroInfNanPreserve
spirv.module @ints Logical GLSL450 {
  spirv.func @k() "None" {
    %a = spirv.Constant 1 : i32
    %b = spirv.IAdd %a, %a : i32
    spirv.Return
  }
  spirv.EntryPoint "GLCompute" @k
  spirv.ExecutionMode @k "LocalSize", 64, 1, 1
}
