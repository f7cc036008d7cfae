// RUN: tfmc-opt %s -tfmc-approximate-math | FileCheck %s
// RUN: tfmc-opt %s -tfmc-approximate-math=pow=true | FileCheck %s --check-prefix=POW

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

// tanh is exactly ±1 past |x| > 9.1 (where f32 rounds it so), whatever the
// polynomial gives there.
// CHECK-LABEL: func.func @tanh_saturates
// CHECK-SAME: (%[[X:.*]]: vector<4xf32>)
// CHECK-DAG: %[[LIMIT:.*]] = arith.constant dense<9.100000e+00> : vector<4xf32>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : vector<4xf32>
// CHECK-DAG: %[[LARGE:.*]] = arith.cmpf ogt, %{{.*}}, %[[LIMIT]] : vector<4xf32>
// CHECK-DAG: %[[SIGN:.*]] = math.copysign %[[ONE]], %[[X]] : vector<4xf32>
// CHECK: %[[R:.*]] = arith.select %[[LARGE]], %[[SIGN]], %{{.*}} : vector<4xi1>, vector<4xf32>
// CHECK: return %[[R]]
func.func @tanh_saturates(%x: vector<4xf32>) -> vector<4xf32> {
  %t = math.tanh %x : vector<4xf32>
  return %t : vector<4xf32>
}

// pow is left alone unless asked for; with pow=true it is exp(y·log|x|)
// with the sign and special-case selects, exact for y = 0, 1, 2 and x = 1.
// CHECK-LABEL: func.func @pow
// CHECK: math.powf
// POW-LABEL: func.func @pow
// POW-SAME: (%[[X:.*]]: f32, %[[Y:.*]]: f32)
// POW-NOT: math.powf
// POW-DAG: %[[FLOOR:.*]] = math.floor %[[Y]] : f32
// POW-DAG: arith.cmpf oeq, %[[FLOOR]], %[[Y]] : f32
// POW-DAG: arith.remf %[[Y]], %{{.*}} : f32
// POW-DAG: math.copysign %{{.*}}, %[[X]] : f32
// POW-DAG: arith.cmpf une, %{{.*}}, %[[Y]] : f32
// POW: %[[IS2:.*]] = arith.cmpf oeq, %[[Y]], %{{.*}} : f32
// POW: %[[SQUARE:.*]] = arith.mulf %[[X]], %[[X]] : f32
// POW: arith.select %[[IS2]], %[[SQUARE]], %{{.*}} : f32
// POW: %[[IS1:.*]] = arith.cmpf oeq, %[[Y]], %{{.*}} : f32
// POW: arith.select %[[IS1]], %[[X]], %{{.*}} : f32
// POW: %[[Y0:.*]] = arith.cmpf oeq, %[[Y]], %{{.*}} : f32
// POW: %[[X1:.*]] = arith.cmpf oeq, %[[X]], %{{.*}} : f32
// POW: %[[ONE:.*]] = arith.ori %[[Y0]], %[[X1]] : i1
// POW: %[[R:.*]] = arith.select %[[ONE]], %{{.*}}, %{{.*}} : f32
// POW: return %[[R]]
func.func @pow(%x: f32, %y: f32) -> f32 {
  %p = math.powf %x, %y : f32
  return %p : f32
}
