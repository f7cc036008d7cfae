// RUN: tfmc-opt %s -tfmc-approximate-math | FileCheck %s

// exp, log, tanh and erf become arithmetic (vectorizable); sin and cos stay.
// CHECK-LABEL: func.func @approximate
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK: math.sin
// CHECK: math.cos
func.func @approximate(%x: f32, %v: vector<16xf32>) -> (f32, f32, vector<16xf32>, f32, f32, f32) {
  %e = math.exp %x : f32
  %l = math.log %x : f32
  %t = math.tanh %v : vector<16xf32>
  %r = math.erf %x : f32
  %s = math.sin %x : f32
  %c = math.cos %x : f32
  return %e, %l, %t, %r, %s, %c : f32, f32, vector<16xf32>, f32, f32, f32
}
