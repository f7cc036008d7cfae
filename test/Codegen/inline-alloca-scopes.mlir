// RUN: tfmc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(tfmc-inline-alloca-scopes))" | FileCheck %s

func.func private @kernel(memref<4xf32>)

// A scope around calls (what convert-scf-to-openmp leaves around a task
// that calls kernels) is inlined; one holding its own stack allocation is
// kept (the scope nested in it allocates nothing: inlined).
// CHECK-LABEL: func.func @scopes
// CHECK-NEXT: call @kernel(%arg0)
// CHECK-NEXT: memref.alloca_scope {
// CHECK-NEXT: %[[A:.*]] = memref.alloca() : memref<4xf32>
// CHECK-NEXT: call @kernel(%[[A]])
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @scopes(%m: memref<4xf32>) {
  memref.alloca_scope {
    func.call @kernel(%m) : (memref<4xf32>) -> ()
  }
  memref.alloca_scope {
    %a = memref.alloca() : memref<4xf32>
    memref.alloca_scope {
      func.call @kernel(%a) : (memref<4xf32>) -> ()
    }
  }
  return
}
