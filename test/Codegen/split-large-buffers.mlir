// RUN: tfmc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(spirv.module(tfmc-split-large-buffers{max-binding-bytes=64}))' | FileCheck %s
// RUN: not tfmc-opt %s --split-input-file --pass-pipeline='builtin.module(spirv.module(tfmc-split-large-buffers{max-binding-bytes=60}))' 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: tfmc-split-large-buffers: max-binding-bytes must be a positive multiple of 8, not 60

// A 100-byte buffer with 64-byte bindings: two variables (16 and 9
// floats) at bindings 1 and 2, the next operand renumbered to 3; each
// access selects its range's pointer. The schedule learns the ranges, the
// module the capability.
// CHECK-LABEL: spirv.module @k Logical GLSL450 requires #spirv.vce<v1.0, [Shader, VariablePointersStorageBuffer], [SPV_KHR_storage_buffer_storage_class, SPV_KHR_variable_pointers]>
// CHECK-SAME: tfmc.binding_ranges = [array<i64: 0, 0, 16>, array<i64: 1, 0, 64>, array<i64: 1, 64, 36>, array<i64: 2, 0, 16>]
// CHECK-DAG: spirv.GlobalVariable @small bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<4 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-DAG: spirv.GlobalVariable @big_part0 bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.array<16 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-DAG: spirv.GlobalVariable @big_part1 bind(0, 2) : !spirv.ptr<!spirv.struct<(!spirv.array<9 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-DAG: spirv.GlobalVariable @out bind(0, 3) : !spirv.ptr<!spirv.struct<(!spirv.array<4 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-NOT: @big bind
// CHECK-LABEL: spirv.func @f
// CHECK: %[[I:.*]] = spirv.Load "Input"
// CHECK-DAG: %[[SIXTEEN:.*]] = spirv.Constant 16 : i32
// CHECK-DAG: %[[CHUNK:.*]] = spirv.UDiv %[[I]], %[[SIXTEEN]] : i32
// CHECK-DAG: %[[INNER:.*]] = spirv.UMod %[[I]], %[[SIXTEEN]] : i32
// CHECK-DAG: %[[A0:.*]] = spirv.mlir.addressof @big_part0
// CHECK-DAG: %[[P0:.*]] = spirv.AccessChain %[[A0]][%{{.*}}, %[[INNER]]]
// CHECK-DAG: %[[A1:.*]] = spirv.mlir.addressof @big_part1
// CHECK-DAG: %[[P1:.*]] = spirv.AccessChain %[[A1]][%{{.*}}, %[[INNER]]]
// CHECK-DAG: %[[IS1:.*]] = spirv.IEqual %[[CHUNK]], %{{.*}} : i32
// CHECK: %[[P:.*]] = spirv.Select %[[IS1]], %[[P1]], %[[P0]] : i1, !spirv.ptr<f32, StorageBuffer>
// CHECK: spirv.Load "StorageBuffer" %[[P]] : f32
spirv.module @k Logical GLSL450 requires #spirv.vce<v1.0, [Shader], [SPV_KHR_storage_buffer_storage_class]> {
  spirv.GlobalVariable @id built_in("LocalInvocationId") : !spirv.ptr<i32, Input>
  spirv.GlobalVariable @small bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<4 x f32, stride=4> [0])>, StorageBuffer>
  spirv.GlobalVariable @big bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.array<25 x f32, stride=4> [0])>, StorageBuffer>
  spirv.GlobalVariable @out bind(0, 2) : !spirv.ptr<!spirv.struct<(!spirv.array<4 x f32, stride=4> [0])>, StorageBuffer>
  spirv.func @f() "None" {
    %idp = spirv.mlir.addressof @id : !spirv.ptr<i32, Input>
    %i = spirv.Load "Input" %idp : i32
    %c0 = spirv.Constant 0 : i32
    %b = spirv.mlir.addressof @big : !spirv.ptr<!spirv.struct<(!spirv.array<25 x f32, stride=4> [0])>, StorageBuffer>
    %p = spirv.AccessChain %b[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.array<25 x f32, stride=4> [0])>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    %x = spirv.Load "StorageBuffer" %p : f32
    %o = spirv.mlir.addressof @out : !spirv.ptr<!spirv.struct<(!spirv.array<4 x f32, stride=4> [0])>, StorageBuffer>
    %q = spirv.AccessChain %o[%c0, %c0] : !spirv.ptr<!spirv.struct<(!spirv.array<4 x f32, stride=4> [0])>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    spirv.Store "StorageBuffer" %q, %x : f32
    spirv.Return
  }
}

// -----

// Nothing larger than a binding: untouched, no ranges recorded.
// CHECK-LABEL: spirv.module @fits
// CHECK-NOT: tfmc.binding_ranges
// CHECK-NOT: VariablePointers
spirv.module @fits Logical GLSL450 requires #spirv.vce<v1.0, [Shader], [SPV_KHR_storage_buffer_storage_class]> {
  spirv.GlobalVariable @a bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<16 x f32, stride=4> [0])>, StorageBuffer>
}

// -----

// A large buffer used other than through element access chains is refused.
spirv.module @whole Logical GLSL450 requires #spirv.vce<v1.0, [Shader], [SPV_KHR_storage_buffer_storage_class]> {
  spirv.GlobalVariable @big bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<25 x f32, stride=4> [0])>, StorageBuffer>
  spirv.func @f() "None" {
    %c0 = spirv.Constant 0 : i32
    %b = spirv.mlir.addressof @big : !spirv.ptr<!spirv.struct<(!spirv.array<25 x f32, stride=4> [0])>, StorageBuffer>
    // expected-error @+1 {{tfmc-split-large-buffers: a buffer of 100 bytes is used other than by element access chains}}
    %p = spirv.AccessChain %b[%c0] : !spirv.ptr<!spirv.struct<(!spirv.array<25 x f32, stride=4> [0])>, StorageBuffer>, i32 -> !spirv.ptr<!spirv.array<25 x f32, stride=4>, StorageBuffer>
    spirv.Return
  }
}
