// RUN: tfmc-opt %s -canonicalize="test-convergence" -split-input-file | FileCheck %s

// Folds (TfmFolds.cpp) and canonicalization patterns (TfmCanonicalize.td) of
// the tfm dialect: one function per case. Cases named *_no_fold check that a
// fold which would be wrong (inexact, broadcasting, out of range, too large)
// does not happen.

//===----------------------------------------------------------------------===//
// tfm.add identities
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @add_zero_i32
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi32>)
// CHECK-NOT: tfm.add
// CHECK: return %[[X]] : tensor<2x3xi32>
func.func @add_zero_i32(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %zero = tfm.constant dense<0> : tensor<2x3xi32>
  %0 = tfm.add %x, %zero : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// A scalar zero that x absorbs when broadcasting is still the identity.
// CHECK-LABEL: func.func @add_scalar_zero_i64
// CHECK-SAME: (%[[X:.*]]: tensor<4xi64>)
// CHECK-NOT: tfm.add
// CHECK: return %[[X]] : tensor<4xi64>
func.func @add_scalar_zero_i64(%x: tensor<4xi64>) -> tensor<4xi64> {
  %zero = tfm.constant dense<0> : tensor<i64>
  %0 = tfm.add %x, %zero : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @add_zero_lhs_i32
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NOT: tfm.add
// CHECK: return %[[X]] : tensor<4xi32>
func.func @add_zero_lhs_i32(%x: tensor<4xi32>) -> tensor<4xi32> {
  %zero = tfm.constant dense<0> : tensor<4xi32>
  %0 = tfm.add %zero, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// -0.0 + +0.0 = +0.0, so adding +0.0 is not the identity for floats.
// CHECK-LABEL: func.func @add_pos_zero_f32_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ZERO:.*]] = tfm.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[R:.*]] = tfm.add %[[X]], %[[ZERO]]
// CHECK: return %[[R]]
func.func @add_pos_zero_f32_no_fold(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = tfm.constant dense<0.0> : tensor<4xf32>
  %0 = tfm.add %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @add_pos_zero_lhs_f32_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ZERO:.*]] = tfm.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[R:.*]] = tfm.add %[[X]], %[[ZERO]]
// CHECK: return %[[R]]
func.func @add_pos_zero_lhs_f32_no_fold(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = tfm.constant dense<0.0> : tensor<4xf32>
  %0 = tfm.add %zero, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// x + (-0.0) == x exactly, including for x = +0.0 and x = -0.0.
// CHECK-LABEL: func.func @add_neg_zero_f32
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: tfm.add
// CHECK: return %[[X]] : tensor<4xf32>
func.func @add_neg_zero_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = tfm.constant dense<-0.0> : tensor<4xf32>
  %0 = tfm.add %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @add_neg_zero_lhs_f16
// CHECK-SAME: (%[[X:.*]]: tensor<4xf16>)
// CHECK-NOT: tfm.add
// CHECK: return %[[X]] : tensor<4xf16>
func.func @add_neg_zero_lhs_f16(%x: tensor<4xf16>) -> tensor<4xf16> {
  %zero = tfm.constant dense<-0.0> : tensor<f16>
  %0 = tfm.add %zero, %x : (tensor<f16>, tensor<4xf16>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @add_neg_zero_bf16
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xbf16>)
// CHECK-NOT: tfm.add
// CHECK: return %[[X]] : tensor<2x4xbf16>
func.func @add_neg_zero_bf16(%x: tensor<2x4xbf16>) -> tensor<2x4xbf16> {
  %zero = tfm.constant dense<-0.0> : tensor<4xbf16>
  %0 = tfm.add %x, %zero : (tensor<2x4xbf16>, tensor<4xbf16>) -> tensor<2x4xbf16>
  return %0 : tensor<2x4xbf16>
}

// -----

// The zero broadcasts x to a larger shape: the add is not x.
// CHECK-LABEL: func.func @add_zero_broadcasting_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK: %[[ZERO:.*]] = tfm.constant dense<0> : tensor<2x4xi32>
// CHECK: %[[R:.*]] = tfm.add %[[X]], %[[ZERO]] : (tensor<4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
// CHECK: return %[[R]]
func.func @add_zero_broadcasting_no_fold(%x: tensor<4xi32>) -> tensor<2x4xi32> {
  %zero = tfm.constant dense<0> : tensor<2x4xi32>
  %0 = tfm.add %x, %zero : (tensor<4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

// Same with x of size 1 and the zero on the left.
// CHECK-LABEL: func.func @add_zero_lhs_broadcasting_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<1xf32>)
// CHECK: %[[ZERO:.*]] = tfm.constant dense<-0.000000e+00> : tensor<3xf32>
// CHECK: %[[R:.*]] = tfm.add %[[X]], %[[ZERO]] : (tensor<1xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: return %[[R]]
func.func @add_zero_lhs_broadcasting_no_fold(%x: tensor<1xf32>) -> tensor<3xf32> {
  %zero = tfm.constant dense<-0.0> : tensor<3xf32>
  %0 = tfm.add %zero, %x : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A non-zero constant is no identity.
// CHECK-LABEL: func.func @add_one_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK: %[[ONE:.*]] = tfm.constant dense<1> : tensor<4xi32>
// CHECK: %[[R:.*]] = tfm.add %[[X]], %[[ONE]]
// CHECK: return %[[R]]
func.func @add_one_no_fold(%x: tensor<4xi32>) -> tensor<4xi32> {
  %one = tfm.constant dense<1> : tensor<4xi32>
  %0 = tfm.add %x, %one : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

//===----------------------------------------------------------------------===//
// tfm.sub identities
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @sub_zero_i32
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NOT: tfm.sub
// CHECK: return %[[X]] : tensor<4xi32>
func.func @sub_zero_i32(%x: tensor<4xi32>) -> tensor<4xi32> {
  %zero = tfm.constant dense<0> : tensor<i32>
  %0 = tfm.sub %x, %zero : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// x - (+0.0) == x exactly (-0.0 - 0.0 = -0.0).
// CHECK-LABEL: func.func @sub_pos_zero_f32
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: tfm.sub
// CHECK: return %[[X]] : tensor<4xf32>
func.func @sub_pos_zero_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = tfm.constant dense<0.0> : tensor<4xf32>
  %0 = tfm.sub %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// -0.0 - (-0.0) = +0.0: subtracting -0.0 is not the identity.
// CHECK-LABEL: func.func @sub_neg_zero_f32_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ZERO:.*]] = tfm.constant dense<-0.000000e+00> : tensor<4xf32>
// CHECK: %[[R:.*]] = tfm.sub %[[X]], %[[ZERO]]
// CHECK: return %[[R]]
func.func @sub_neg_zero_f32_no_fold(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = tfm.constant dense<-0.0> : tensor<4xf32>
  %0 = tfm.sub %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// 0 - x is -x, not x.
// CHECK-LABEL: func.func @sub_zero_lhs_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK: %[[ZERO:.*]] = tfm.constant dense<0> : tensor<4xi32>
// CHECK: %[[R:.*]] = tfm.sub %[[ZERO]], %[[X]]
// CHECK: return %[[R]]
func.func @sub_zero_lhs_no_fold(%x: tensor<4xi32>) -> tensor<4xi32> {
  %zero = tfm.constant dense<0> : tensor<4xi32>
  %0 = tfm.sub %zero, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @sub_zero_broadcasting_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xi32>)
// CHECK: %[[ZERO:.*]] = tfm.constant dense<0> : tensor<3x1xi32>
// CHECK: %[[R:.*]] = tfm.sub %[[X]], %[[ZERO]] : (tensor<1x4xi32>, tensor<3x1xi32>) -> tensor<3x4xi32>
// CHECK: return %[[R]]
func.func @sub_zero_broadcasting_no_fold(%x: tensor<1x4xi32>) -> tensor<3x4xi32> {
  %zero = tfm.constant dense<0> : tensor<3x1xi32>
  %0 = tfm.sub %x, %zero : (tensor<1x4xi32>, tensor<3x1xi32>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}

//===----------------------------------------------------------------------===//
// tfm.mul identities
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @mul_one_f32
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>)
// CHECK-NOT: tfm.mul
// CHECK: return %[[X]] : tensor<2x4xf32>
func.func @mul_one_f32(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %one = tfm.constant dense<1.0> : tensor<f32>
  %0 = tfm.mul %x, %one : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @mul_one_lhs_i64
// CHECK-SAME: (%[[X:.*]]: tensor<4xi64>)
// CHECK-NOT: tfm.mul
// CHECK: return %[[X]] : tensor<4xi64>
func.func @mul_one_lhs_i64(%x: tensor<4xi64>) -> tensor<4xi64> {
  %one = tfm.constant dense<1> : tensor<4xi64>
  %0 = tfm.mul %one, %x : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// x * 0.0 is not 0.0 for NaN, Inf or negative x: no fold.
// CHECK-LABEL: func.func @mul_zero_f32_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ZERO:.*]] = tfm.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[R:.*]] = tfm.mul %[[X]], %[[ZERO]]
// CHECK: return %[[R]]
func.func @mul_zero_f32_no_fold(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = tfm.constant dense<0.0> : tensor<4xf32>
  %0 = tfm.mul %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @mul_one_broadcasting_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ONE:.*]] = tfm.constant dense<1.000000e+00> : tensor<2x4xf32>
// CHECK: %[[R:.*]] = tfm.mul %[[X]], %[[ONE]] : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[R]]
func.func @mul_one_broadcasting_no_fold(%x: tensor<4xf32>) -> tensor<2x4xf32> {
  %one = tfm.constant dense<1.0> : tensor<2x4xf32>
  %0 = tfm.mul %one, %x : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

//===----------------------------------------------------------------------===//
// tfm.div identities
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @div_one_f32
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: tfm.div
// CHECK: return %[[X]] : tensor<4xf32>
func.func @div_one_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = tfm.constant dense<1.0> : tensor<4xf32>
  %0 = tfm.div %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @div_one_i32
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NOT: tfm.div
// CHECK: return %[[X]] : tensor<4xi32>
func.func @div_one_i32(%x: tensor<4xi32>) -> tensor<4xi32> {
  %one = tfm.constant dense<1> : tensor<i32>
  %0 = tfm.div %x, %one : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// 1 / x is not x.
// CHECK-LABEL: func.func @div_one_lhs_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ONE:.*]] = tfm.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[R:.*]] = tfm.div %[[ONE]], %[[X]]
// CHECK: return %[[R]]
func.func @div_one_lhs_no_fold(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = tfm.constant dense<1.0> : tensor<4xf32>
  %0 = tfm.div %one, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @div_one_broadcasting_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK: %[[ONE:.*]] = tfm.constant dense<1> : tensor<3x4xi32>
// CHECK: %[[R:.*]] = tfm.div %[[X]], %[[ONE]] : (tensor<4xi32>, tensor<3x4xi32>) -> tensor<3x4xi32>
// CHECK: return %[[R]]
func.func @div_one_broadcasting_no_fold(%x: tensor<4xi32>) -> tensor<3x4xi32> {
  %one = tfm.constant dense<1> : tensor<3x4xi32>
  %0 = tfm.div %x, %one : (tensor<4xi32>, tensor<3x4xi32>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}

//===----------------------------------------------------------------------===//
// tfm.pow identities
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @pow_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: tfm.pow
// CHECK: return %[[X]] : tensor<4xf32>
func.func @pow_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = tfm.constant dense<1.0> : tensor<f32>
  %0 = tfm.pow %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// 1 ^ x is not x.
// CHECK-LABEL: func.func @pow_one_lhs_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ONE:.*]] = tfm.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[R:.*]] = tfm.pow %[[ONE]], %[[X]]
// CHECK: return %[[R]]
func.func @pow_one_lhs_no_fold(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = tfm.constant dense<1.0> : tensor<4xf32>
  %0 = tfm.pow %one, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @pow_one_broadcasting_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<1xf16>)
// CHECK: %[[ONE:.*]] = tfm.constant dense<1.000000e+00> : tensor<8xf16>
// CHECK: %[[R:.*]] = tfm.pow %[[X]], %[[ONE]] : (tensor<1xf16>, tensor<8xf16>) -> tensor<8xf16>
// CHECK: return %[[R]]
func.func @pow_one_broadcasting_no_fold(%x: tensor<1xf16>) -> tensor<8xf16> {
  %one = tfm.constant dense<1.0> : tensor<8xf16>
  %0 = tfm.pow %x, %one : (tensor<1xf16>, tensor<8xf16>) -> tensor<8xf16>
  return %0 : tensor<8xf16>
}

//===----------------------------------------------------------------------===//
// tfm.min / tfm.max of one value
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @min_same
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: tfm.min
// CHECK: return %[[X]] : tensor<4xf32>
func.func @min_same(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.min %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @max_same
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi64>)
// CHECK-NOT: tfm.max
// CHECK: return %[[X]] : tensor<2x3xi64>
func.func @max_same(%x: tensor<2x3xi64>) -> tensor<2x3xi64> {
  %0 = tfm.max %x, %x : (tensor<2x3xi64>, tensor<2x3xi64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @min_different_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK: %[[R:.*]] = tfm.min %[[X]], %[[Y]]
// CHECK: return %[[R]]
func.func @min_different_no_fold(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.min %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// tfm.select
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @select_same_branches
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: tfm.select
// CHECK: return %[[X]] : tensor<4xf32>
func.func @select_same_branches(%c: tensor<4xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.select %c, %x, %x : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The condition broadcasts the result to a larger shape than x.
// CHECK-LABEL: func.func @select_same_branches_broadcasting_no_fold
// CHECK-SAME: (%[[C:.*]]: tensor<2x4xi1>, %[[X:.*]]: tensor<4xf32>)
// CHECK: %[[R:.*]] = tfm.select %[[C]], %[[X]], %[[X]] : (tensor<2x4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[R]]
func.func @select_same_branches_broadcasting_no_fold(%c: tensor<2x4xi1>, %x: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = tfm.select %c, %x, %x : (tensor<2x4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @select_splat_true
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NOT: tfm.select
// CHECK: return %[[X]] : tensor<4xf32>
func.func @select_splat_true(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %c = tfm.constant dense<true> : tensor<4xi1>
  %0 = tfm.select %c, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @select_splat_false
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xi64>, %[[Y:.*]]: tensor<2x4xi64>)
// CHECK-NOT: tfm.select
// CHECK: return %[[Y]] : tensor<2x4xi64>
func.func @select_splat_false(%x: tensor<2x4xi64>, %y: tensor<2x4xi64>) -> tensor<2x4xi64> {
  %c = tfm.constant dense<false> : tensor<i1>
  %0 = tfm.select %c, %x, %y : (tensor<i1>, tensor<2x4xi64>, tensor<2x4xi64>) -> tensor<2x4xi64>
  return %0 : tensor<2x4xi64>
}

// -----

// The chosen value (x) is smaller than the result: no fold.
// CHECK-LABEL: func.func @select_splat_broadcasting_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<2x4xf32>)
// CHECK: %[[C:.*]] = tfm.constant dense<true> : tensor<4xi1>
// CHECK: %[[R:.*]] = tfm.select %[[C]], %[[X]], %[[Y]] : (tensor<4xi1>, tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[R]]
func.func @select_splat_broadcasting_no_fold(%x: tensor<4xf32>, %y: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %c = tfm.constant dense<true> : tensor<4xi1>
  %0 = tfm.select %c, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A constant but non-splat condition with non-constant values stays.
// CHECK-LABEL: func.func @select_non_splat_condition_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>, %[[Y:.*]]: tensor<2xf32>)
// CHECK: %[[C:.*]] = tfm.constant dense<[true, false]> : tensor<2xi1>
// CHECK: %[[R:.*]] = tfm.select %[[C]], %[[X]], %[[Y]]
// CHECK: return %[[R]]
func.func @select_non_splat_condition_no_fold(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  %c = tfm.constant dense<[true, false]> : tensor<2xi1>
  %0 = tfm.select %c, %x, %y : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

//===----------------------------------------------------------------------===//
// tfm.neg, tfm.cast
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: tfm.neg
// CHECK: return %[[X]] : tensor<4xf32>
func.func @neg_neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.neg %x : tensor<4xf32>
  %1 = tfm.neg %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Three negations leave one.
// CHECK-LABEL: func.func @neg_neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK: %[[R:.*]] = tfm.neg %[[X]] : tensor<4xi32>
// CHECK-NOT: tfm.neg
// CHECK: return %[[R]] : tensor<4xi32>
func.func @neg_neg_neg(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = tfm.neg %x : tensor<4xi32>
  %1 = tfm.neg %0 : tensor<4xi32>
  %2 = tfm.neg %1 : tensor<4xi32>
  return %2 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @cast_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf16>)
// CHECK-NOT: tfm.cast
// CHECK: return %[[X]] : tensor<2x3xf16>
func.func @cast_same_type(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %0 = tfm.cast %x : tensor<2x3xf16> -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// CHECK-LABEL: func.func @cast_other_type_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf16>)
// CHECK: %[[R:.*]] = tfm.cast %[[X]] : tensor<2x3xf16> -> tensor<2x3xf32>
// CHECK: return %[[R]]
func.func @cast_other_type_no_fold(%x: tensor<2x3xf16>) -> tensor<2x3xf32> {
  %0 = tfm.cast %x : tensor<2x3xf16> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

//===----------------------------------------------------------------------===//
// tfm.reshape (fold and ReshapeOfReshape)
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @reshape_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: tfm.reshape
// CHECK: return %[[X]] : tensor<2x3xf32>
func.func @reshape_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tfm.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[R:.*]] = tfm.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NOT: tfm.reshape
// CHECK: return %[[R]] : tensor<4x6xf32>
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = tfm.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = tfm.reshape %0 : tensor<24xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A chain of three collapses to one reshape.
// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xi64>)
// CHECK: %[[R:.*]] = tfm.reshape %[[X]] : tensor<2x3x4xi64> -> tensor<3x8xi64>
// CHECK-NOT: tfm.reshape
// CHECK: return %[[R]] : tensor<3x8xi64>
func.func @reshape_chain(%x: tensor<2x3x4xi64>) -> tensor<3x8xi64> {
  %0 = tfm.reshape %x : tensor<2x3x4xi64> -> tensor<6x4xi64>
  %1 = tfm.reshape %0 : tensor<6x4xi64> -> tensor<24xi64>
  %2 = tfm.reshape %1 : tensor<24xi64> -> tensor<3x8xi64>
  return %2 : tensor<3x8xi64>
}

// -----

// A chain back to the input's shape disappears.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: tfm.reshape
// CHECK: return %[[X]] : tensor<2x3xf32>
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tfm.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %1 = tfm.reshape %0 : tensor<6xf32> -> tensor<3x2xf32>
  %2 = tfm.reshape %1 : tensor<3x2xf32> -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// -----

// The inner reshape keeps its other use; the outer one reads x directly.
// CHECK-LABEL: func.func @reshape_of_reshape_multi_use
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[A:.*]] = tfm.reshape %[[X]] : tensor<2x3xf32> -> tensor<6xf32>
// CHECK-DAG: %[[B:.*]] = tfm.reshape %[[X]] : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK: return %[[A]], %[[B]] : tensor<6xf32>, tensor<3x2xf32>
func.func @reshape_of_reshape_multi_use(%x: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<3x2xf32>) {
  %0 = tfm.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %1 = tfm.reshape %0 : tensor<6xf32> -> tensor<3x2xf32>
  return %0, %1 : tensor<6xf32>, tensor<3x2xf32>
}

//===----------------------------------------------------------------------===//
// tfm.transpose
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NOT: tfm.transpose
// CHECK: return %[[X]] : tensor<2x3x4xf32>
func.func @transpose_identity(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = tfm.transpose %x [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A non-identity permutation that keeps the type (equal sizes) stays.
// CHECK-LABEL: func.func @transpose_square_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<3x3xf32>)
// CHECK: %[[R:.*]] = tfm.transpose %[[X]] [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
// CHECK: return %[[R]]
func.func @transpose_square_no_fold(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = tfm.transpose %x [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// transpose(transpose(x, p1), p2) = transpose(x, [p1[p2[i]]]):
// [1, 2, 0] after [1, 2, 0] is [2, 0, 1].
// CHECK-LABEL: func.func @transpose_of_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[R:.*]] = tfm.transpose %[[X]] [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NOT: tfm.transpose
// CHECK: return %[[R]] : tensor<4x2x3xf32>
func.func @transpose_of_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = tfm.transpose %x [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = tfm.transpose %0 [1, 2, 0] : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// Order matters: [0, 2, 1, 3] then [1, 0, 2, 3] is [2, 0, 1, 3], not
// [1, 2, 0, 3] (the composition taken the other way round).
// CHECK-LABEL: func.func @transpose_of_transpose_order
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x5xf32>)
// CHECK: %[[R:.*]] = tfm.transpose %[[X]] [2, 0, 1, 3] : tensor<2x3x4x5xf32> -> tensor<4x2x3x5xf32>
// CHECK-NOT: tfm.transpose
// CHECK: return %[[R]] : tensor<4x2x3x5xf32>
func.func @transpose_of_transpose_order(%x: tensor<2x3x4x5xf32>) -> tensor<4x2x3x5xf32> {
  %0 = tfm.transpose %x [0, 2, 1, 3] : tensor<2x3x4x5xf32> -> tensor<2x4x3x5xf32>
  %1 = tfm.transpose %0 [1, 0, 2, 3] : tensor<2x4x3x5xf32> -> tensor<4x2x3x5xf32>
  return %1 : tensor<4x2x3x5xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_of_transpose_cancels
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: tfm.transpose
// CHECK: return %[[X]] : tensor<2x3xf32>
func.func @transpose_of_transpose_cancels(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tfm.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = tfm.transpose %0 [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// [2, 0, 1] undoes [1, 2, 0].
// CHECK-LABEL: func.func @transpose_of_transpose_cancels_3d
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xi32>)
// CHECK-NOT: tfm.transpose
// CHECK: return %[[X]] : tensor<2x3x4xi32>
func.func @transpose_of_transpose_cancels_3d(%x: tensor<2x3x4xi32>) -> tensor<2x3x4xi32> {
  %0 = tfm.transpose %x [1, 2, 0] : tensor<2x3x4xi32> -> tensor<3x4x2xi32>
  %1 = tfm.transpose %0 [2, 0, 1] : tensor<3x4x2xi32> -> tensor<2x3x4xi32>
  return %1 : tensor<2x3x4xi32>
}

// -----

// Three transposes: ([1, 2, 0] after [1, 2, 0]) then [2, 1, 0] is [1, 0, 2].
// CHECK-LABEL: func.func @transpose_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[R:.*]] = tfm.transpose %[[X]] [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
// CHECK-NOT: tfm.transpose
// CHECK: return %[[R]] : tensor<3x2x4xf32>
func.func @transpose_chain(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  %0 = tfm.transpose %x [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = tfm.transpose %0 [1, 2, 0] : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  %2 = tfm.transpose %1 [2, 1, 0] : tensor<4x2x3xf32> -> tensor<3x2x4xf32>
  return %2 : tensor<3x2x4xf32>
}

// -----

// The inner transpose keeps its other use.
// CHECK-LABEL: func.func @transpose_of_transpose_multi_use
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[A:.*]] = tfm.transpose %[[X]] [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
// CHECK-DAG: %[[B:.*]] = tfm.transpose %[[X]] [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK: return %[[B]], %[[A]] : tensor<4x2x3xf32>, tensor<3x4x2xf32>
func.func @transpose_of_transpose_multi_use(%x: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<3x4x2xf32>) {
  %0 = tfm.transpose %x [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = tfm.transpose %0 [1, 2, 0] : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1, %0 : tensor<4x2x3xf32>, tensor<3x4x2xf32>
}

//===----------------------------------------------------------------------===//
// tfm.broadcast_to (fold and BroadcastOfBroadcast)
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @broadcast_to_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: tfm.broadcast_to
// CHECK: return %[[X]] : tensor<2x3xf32>
func.func @broadcast_to_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tfm.broadcast_to %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_of_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<1x3xf32>)
// CHECK: %[[R:.*]] = tfm.broadcast_to %[[X]] : tensor<1x3xf32> -> tensor<5x4x3xf32>
// CHECK-NOT: tfm.broadcast_to
// CHECK: return %[[R]] : tensor<5x4x3xf32>
func.func @broadcast_of_broadcast(%x: tensor<1x3xf32>) -> tensor<5x4x3xf32> {
  %0 = tfm.broadcast_to %x : tensor<1x3xf32> -> tensor<4x3xf32>
  %1 = tfm.broadcast_to %0 : tensor<4x3xf32> -> tensor<5x4x3xf32>
  return %1 : tensor<5x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_chain
// CHECK-SAME: (%[[X:.*]]: tensor<3xi1>)
// CHECK: %[[R:.*]] = tfm.broadcast_to %[[X]] : tensor<3xi1> -> tensor<2x4x3xi1>
// CHECK-NOT: tfm.broadcast_to
// CHECK: return %[[R]] : tensor<2x4x3xi1>
func.func @broadcast_chain(%x: tensor<3xi1>) -> tensor<2x4x3xi1> {
  %0 = tfm.broadcast_to %x : tensor<3xi1> -> tensor<1x3xi1>
  %1 = tfm.broadcast_to %0 : tensor<1x3xi1> -> tensor<4x3xi1>
  %2 = tfm.broadcast_to %1 : tensor<4x3xi1> -> tensor<2x4x3xi1>
  return %2 : tensor<2x4x3xi1>
}

// -----

// The inner broadcast keeps its other use.
// CHECK-LABEL: func.func @broadcast_of_broadcast_multi_use
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[A:.*]] = tfm.broadcast_to %[[X]] : tensor<3xf32> -> tensor<4x3xf32>
// CHECK-DAG: %[[B:.*]] = tfm.broadcast_to %[[X]] : tensor<3xf32> -> tensor<2x4x3xf32>
// CHECK: return %[[A]], %[[B]] : tensor<4x3xf32>, tensor<2x4x3xf32>
func.func @broadcast_of_broadcast_multi_use(%x: tensor<3xf32>) -> (tensor<4x3xf32>, tensor<2x4x3xf32>) {
  %0 = tfm.broadcast_to %x : tensor<3xf32> -> tensor<4x3xf32>
  %1 = tfm.broadcast_to %0 : tensor<4x3xf32> -> tensor<2x4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<2x4x3xf32>
}

//===----------------------------------------------------------------------===//
// tfm.concat, tfm.slice
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @concat_single_input
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: tfm.concat
// CHECK: return %[[X]] : tensor<2x3xf32>
func.func @concat_single_input(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tfm.concat %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat_two_inputs_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[R:.*]] = tfm.concat %[[X]], %[[X]] {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK: return %[[R]]
func.func @concat_two_inputs_no_fold(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = tfm.concat %x, %x {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @slice_full
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: tfm.slice
// CHECK: return %[[X]] : tensor<2x3xf32>
func.func @slice_full(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tfm.slice %x {starts = array<i64: 0, 0>, limits = array<i64: 2, 3>, strides = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @slice_partial_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[R:.*]] = tfm.slice %[[X]]
// CHECK-SAME: starts = array<i64: 0, 1>
// CHECK: return %[[R]]
func.func @slice_partial_no_fold(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %0 = tfm.slice %x {starts = array<i64: 0, 1>, limits = array<i64: 2, 3>, strides = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

//===----------------------------------------------------------------------===//
// Trivial reductions (only size-1 dimensions, kept)
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @reduce_sum_trivial
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x3xf32>)
// CHECK-NOT: tfm.reduce_sum
// CHECK: return %[[X]] : tensor<2x1x3xf32>
func.func @reduce_sum_trivial(%x: tensor<2x1x3xf32>) -> tensor<2x1x3xf32> {
  %0 = tfm.reduce_sum %x {axes = array<i64: 1>, keep_dims = true} : tensor<2x1x3xf32> -> tensor<2x1x3xf32>
  return %0 : tensor<2x1x3xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_mean_trivial
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x1xf32>)
// CHECK-NOT: tfm.reduce_mean
// CHECK: return %[[X]] : tensor<1x4x1xf32>
func.func @reduce_mean_trivial(%x: tensor<1x4x1xf32>) -> tensor<1x4x1xf32> {
  %0 = tfm.reduce_mean %x {axes = array<i64: 0, -1>, keep_dims = true} : tensor<1x4x1xf32> -> tensor<1x4x1xf32>
  return %0 : tensor<1x4x1xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_max_trivial
// CHECK-SAME: (%[[X:.*]]: tensor<3x1xi32>)
// CHECK-NOT: tfm.reduce_max
// CHECK: return %[[X]] : tensor<3x1xi32>
func.func @reduce_max_trivial(%x: tensor<3x1xi32>) -> tensor<3x1xi32> {
  %0 = tfm.reduce_max %x {axes = array<i64: -1>, keep_dims = true} : tensor<3x1xi32> -> tensor<3x1xi32>
  return %0 : tensor<3x1xi32>
}

// -----

// Reducing a dimension of size 4 is a real reduction.
// CHECK-LABEL: func.func @reduce_sum_non_trivial_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>)
// CHECK: %[[R:.*]] = tfm.reduce_sum %[[X]]
// CHECK: return %[[R]]
func.func @reduce_sum_non_trivial_no_fold(%x: tensor<1x4xf32>) -> tensor<1x1xf32> {
  %0 = tfm.reduce_sum %x {axes = array<i64: 0, 1>, keep_dims = true} : tensor<1x4xf32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// Without keep_dims the size-1 dimension goes away: the type changes.
// CHECK-LABEL: func.func @reduce_max_drop_dim_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<3x1xf32>)
// CHECK: %[[R:.*]] = tfm.reduce_max %[[X]] {axes = array<i64: 1>} : tensor<3x1xf32> -> tensor<3xf32>
// CHECK: return %[[R]]
func.func @reduce_max_drop_dim_no_fold(%x: tensor<3x1xf32>) -> tensor<3xf32> {
  %0 = tfm.reduce_max %x {axes = array<i64: 1>} : tensor<3x1xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

//===----------------------------------------------------------------------===//
// Constant folding: elementwise binary ops
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @fold_add_i32
// CHECK: %[[C:.*]] = tfm.constant dense<[11, 22, 33]> : tensor<3xi32>
// CHECK-NOT: tfm.add
// CHECK: return %[[C]]
func.func @fold_add_i32() -> tensor<3xi32> {
  %a = tfm.constant dense<[1, 2, 3]> : tensor<3xi32>
  %b = tfm.constant dense<[10, 20, 30]> : tensor<3xi32>
  %0 = tfm.add %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// [[1], [2]] + [10, 20, 30] broadcasts to 2x3.
// CHECK-LABEL: func.func @fold_add_broadcast
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[11, 21, 31], [12, 22, 32]]> : tensor<2x3xi32>
// CHECK-NOT: tfm.add
// CHECK: return %[[C]]
func.func @fold_add_broadcast() -> tensor<2x3xi32> {
  %a = tfm.constant dense<[[1], [2]]> : tensor<2x1xi32>
  %b = tfm.constant dense<[10, 20, 30]> : tensor<3xi32>
  %0 = tfm.add %a, %b : (tensor<2x1xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// Splat operands fold to a splat of the result shape.
// CHECK-LABEL: func.func @fold_add_splat_f32
// CHECK: %[[C:.*]] = tfm.constant dense<2.500000e+00> : tensor<2x3xf32>
// CHECK-NOT: tfm.add
// CHECK: return %[[C]]
func.func @fold_add_splat_f32() -> tensor<2x3xf32> {
  %a = tfm.constant dense<1.5> : tensor<3xf32>
  %b = tfm.constant dense<1.0> : tensor<2x1xf32>
  %0 = tfm.add %a, %b : (tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A splat result is not limited in size (only non-splat constants are).
// CHECK-LABEL: func.func @fold_add_large_splat
// CHECK: %[[C:.*]] = tfm.constant dense<3> : tensor<1024x1024xi64>
// CHECK-NOT: tfm.add
// CHECK: return %[[C]]
func.func @fold_add_large_splat() -> tensor<1024x1024xi64> {
  %a = tfm.constant dense<1> : tensor<1024x1024xi64>
  %b = tfm.constant dense<2> : tensor<1024xi64>
  %0 = tfm.add %a, %b : (tensor<1024x1024xi64>, tensor<1024xi64>) -> tensor<1024x1024xi64>
  return %0 : tensor<1024x1024xi64>
}

// -----

// Constant + constant folds even when one operand is +0.0 (plain IEEE sum).
// CHECK-LABEL: func.func @fold_add_f32
// CHECK: %[[C:.*]] = tfm.constant dense<[1.750000e+00, 0.000000e+00, -2.000000e+00]> : tensor<3xf32>
// CHECK-NOT: tfm.add
// CHECK: return %[[C]]
func.func @fold_add_f32() -> tensor<3xf32> {
  %a = tfm.constant dense<[1.5, -0.0, -3.0]> : tensor<3xf32>
  %b = tfm.constant dense<[0.25, 0.0, 1.0]> : tensor<3xf32>
  %0 = tfm.add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A scalar minus a vector.
// CHECK-LABEL: func.func @fold_sub
// CHECK: %[[C:.*]] = tfm.constant dense<[4, 7, -2]> : tensor<3xi64>
// CHECK-NOT: tfm.sub
// CHECK: return %[[C]]
func.func @fold_sub() -> tensor<3xi64> {
  %a = tfm.constant dense<5> : tensor<i64>
  %b = tfm.constant dense<[1, -2, 7]> : tensor<3xi64>
  %0 = tfm.sub %a, %b : (tensor<i64>, tensor<3xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @fold_mul
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[2.000000e+00, -4.000000e+00], [1.500000e+00, -3.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: tfm.mul
// CHECK: return %[[C]]
func.func @fold_mul() -> tensor<2x2xf32> {
  %a = tfm.constant dense<[[4.0], [3.0]]> : tensor<2x1xf32>
  %b = tfm.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %0 = tfm.mul %a, %b : (tensor<2x1xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Integer division truncates toward zero: -7 / 2 = -3.
// CHECK-LABEL: func.func @fold_div_i32
// CHECK: %[[C:.*]] = tfm.constant dense<[-3, 3, -3, 3]> : tensor<4xi32>
// CHECK-NOT: tfm.div
// CHECK: return %[[C]]
func.func @fold_div_i32() -> tensor<4xi32> {
  %a = tfm.constant dense<[-7, 7, 7, -7]> : tensor<4xi32>
  %b = tfm.constant dense<[2, 2, -2, -2]> : tensor<4xi32>
  %0 = tfm.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Integer division by zero is left to run time.
// CHECK-LABEL: func.func @fold_div_i32_by_zero_no_fold
// CHECK-DAG: %[[A:.*]] = tfm.constant dense<[4, 6]> : tensor<2xi32>
// CHECK-DAG: %[[B:.*]] = tfm.constant dense<[2, 0]> : tensor<2xi32>
// CHECK: %[[R:.*]] = tfm.div %[[A]], %[[B]]
// CHECK: return %[[R]]
func.func @fold_div_i32_by_zero_no_fold() -> tensor<2xi32> {
  %a = tfm.constant dense<[4, 6]> : tensor<2xi32>
  %b = tfm.constant dense<[2, 0]> : tensor<2xi32>
  %0 = tfm.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// The same with splat operands (the all-splat path).
// CHECK-LABEL: func.func @fold_div_i64_by_splat_zero_no_fold
// CHECK-DAG: %[[A:.*]] = tfm.constant dense<5> : tensor<3xi64>
// CHECK-DAG: %[[B:.*]] = tfm.constant dense<0> : tensor<i64>
// CHECK: %[[R:.*]] = tfm.div %[[A]], %[[B]]
// CHECK: return %[[R]]
func.func @fold_div_i64_by_splat_zero_no_fold() -> tensor<3xi64> {
  %a = tfm.constant dense<5> : tensor<3xi64>
  %b = tfm.constant dense<0> : tensor<i64>
  %0 = tfm.div %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// INT_MIN / -1 overflows: left to run time.
// CHECK-LABEL: func.func @fold_div_int_min_by_minus_one_no_fold
// CHECK-DAG: %[[A:.*]] = tfm.constant dense<-2147483648> : tensor<i32>
// CHECK-DAG: %[[B:.*]] = tfm.constant dense<-1> : tensor<i32>
// CHECK: %[[R:.*]] = tfm.div %[[A]], %[[B]]
// CHECK: return %[[R]]
func.func @fold_div_int_min_by_minus_one_no_fold() -> tensor<i32> {
  %a = tfm.constant dense<-2147483648> : tensor<i32>
  %b = tfm.constant dense<-1> : tensor<i32>
  %0 = tfm.div %a, %b : (tensor<i32>, tensor<i32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// Float division by zero is IEEE: +-inf.
// CHECK-LABEL: func.func @fold_div_f32_by_zero
// CHECK: %[[C:.*]] = tfm.constant dense<[0x7F800000, 0xFF800000, 2.500000e-01]> : tensor<3xf32>
// CHECK-NOT: tfm.div
// CHECK: return %[[C]]
func.func @fold_div_f32_by_zero() -> tensor<3xf32> {
  %a = tfm.constant dense<[1.0, -1.0, 1.0]> : tensor<3xf32>
  %b = tfm.constant dense<[0.0, 0.0, 4.0]> : tensor<3xf32>
  %0 = tfm.div %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Signed comparison: min(-1, 1) = -1.
// CHECK-LABEL: func.func @fold_min_max_i32
// CHECK-DAG: %[[MIN:.*]] = tfm.constant dense<[-1, 2, -5]> : tensor<3xi32>
// CHECK-DAG: %[[MAX:.*]] = tfm.constant dense<[1, 3, 0]> : tensor<3xi32>
// CHECK-NOT: tfm.min
// CHECK-NOT: tfm.max
// CHECK: return %[[MIN]], %[[MAX]]
func.func @fold_min_max_i32() -> (tensor<3xi32>, tensor<3xi32>) {
  %a = tfm.constant dense<[-1, 3, 0]> : tensor<3xi32>
  %b = tfm.constant dense<[1, 2, -5]> : tensor<3xi32>
  %0 = tfm.min %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %1 = tfm.max %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0, %1 : tensor<3xi32>, tensor<3xi32>
}

// -----

// As torch.minimum/maximum: NaN propagates and -0.0 < +0.0.
// CHECK-LABEL: func.func @fold_min_max_f32
// CHECK-DAG: %[[MIN:.*]] = tfm.constant dense<[-0.000000e+00, 0x7FC00000, 1.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[MAX:.*]] = tfm.constant dense<[0.000000e+00, 0x7FC00000, 2.000000e+00]> : tensor<3xf32>
// CHECK-NOT: tfm.min
// CHECK-NOT: tfm.max
// CHECK: return %[[MIN]], %[[MAX]]
func.func @fold_min_max_f32() -> (tensor<3xf32>, tensor<3xf32>) {
  %a = tfm.constant dense<[-0.0, 0x7FC00000, 1.0]> : tensor<3xf32>
  %b = tfm.constant dense<[0.0, 1.0, 2.0]> : tensor<3xf32>
  %0 = tfm.min %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tfm.max %b, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_compare_i64
// CHECK-DAG: %[[EQ:.*]] = tfm.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK-DAG: %[[NE:.*]] = tfm.constant dense<[true, false, true]> : tensor<3xi1>
// CHECK-DAG: %[[LT:.*]] = tfm.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG: %[[LE:.*]] = tfm.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-DAG: %[[GT:.*]] = tfm.constant dense<[false, false, true]> : tensor<3xi1>
// CHECK-DAG: %[[GE:.*]] = tfm.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-NOT: tfm.compare
// CHECK: return %[[EQ]], %[[NE]], %[[LT]], %[[LE]], %[[GT]], %[[GE]]
func.func @fold_compare_i64() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %a = tfm.constant dense<[-1, 2, 3]> : tensor<3xi64>
  %b = tfm.constant dense<2> : tensor<i64>
  %0 = tfm.compare eq, %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %1 = tfm.compare ne, %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %2 = tfm.compare lt, %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %3 = tfm.compare le, %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %4 = tfm.compare gt, %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %5 = tfm.compare ge, %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// A causal mask from a column and a row of positions (broadcast to 3x3).
// CHECK-LABEL: func.func @fold_compare_causal_mask
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[true, false, false], [true, true, false], [true, true, true]]> : tensor<3x3xi1>
// CHECK-NOT: tfm.compare
// CHECK: return %[[C]]
func.func @fold_compare_causal_mask() -> tensor<3x3xi1> {
  %i = tfm.constant dense<[[0], [1], [2]]> : tensor<3x1xi64>
  %j = tfm.constant dense<[[0, 1, 2]]> : tensor<1x3xi64>
  %0 = tfm.compare le, %j, %i : (tensor<1x3xi64>, tensor<3x1xi64>) -> tensor<3x3xi1>
  return %0 : tensor<3x3xi1>
}

// -----

// Ordered float comparisons are false on NaN, `ne` is true; -0.0 == +0.0.
// CHECK-LABEL: func.func @fold_compare_f32_nan
// CHECK-DAG: %[[EQ:.*]] = tfm.constant dense<[false, true, false, false]> : tensor<4xi1>
// CHECK-DAG: %[[NE:.*]] = tfm.constant dense<[true, false, true, true]> : tensor<4xi1>
// CHECK-DAG: %[[LT:.*]] = tfm.constant dense<[false, false, true, false]> : tensor<4xi1>
// CHECK-DAG: %[[LE:.*]] = tfm.constant dense<[false, true, true, false]> : tensor<4xi1>
// CHECK-DAG: %[[GT:.*]] = tfm.constant dense<[false, false, false, true]> : tensor<4xi1>
// CHECK-DAG: %[[GE:.*]] = tfm.constant dense<[false, true, false, true]> : tensor<4xi1>
// CHECK-NOT: tfm.compare
// CHECK: return %[[EQ]], %[[NE]], %[[LT]], %[[LE]], %[[GT]], %[[GE]]
func.func @fold_compare_f32_nan() -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %a = tfm.constant dense<[0x7FC00000, -0.0, 1.0, 3.0]> : tensor<4xf32>
  %b = tfm.constant dense<[1.0, 0.0, 2.0, 2.0]> : tensor<4xf32>
  %0 = tfm.compare eq, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = tfm.compare ne, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = tfm.compare lt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %3 = tfm.compare le, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %4 = tfm.compare gt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %5 = tfm.compare ge, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @fold_select
// CHECK: %[[C:.*]] = tfm.constant dense<[1, 20, 3]> : tensor<3xi32>
// CHECK-NOT: tfm.select
// CHECK: return %[[C]]
func.func @fold_select() -> tensor<3xi32> {
  %c = tfm.constant dense<[true, false, true]> : tensor<3xi1>
  %t = tfm.constant dense<[1, 2, 3]> : tensor<3xi32>
  %f = tfm.constant dense<[10, 20, 30]> : tensor<3xi32>
  %0 = tfm.select %c, %t, %f : (tensor<3xi1>, tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// masked_fill-like: condition 2x1, values 2 and scalar -inf, result 2x2.
// CHECK-LABEL: func.func @fold_select_broadcast
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [0xFF800000, 0xFF800000]]> : tensor<2x2xf32>
// CHECK-NOT: tfm.select
// CHECK: return %[[C]]
func.func @fold_select_broadcast() -> tensor<2x2xf32> {
  %c = tfm.constant dense<[[true], [false]]> : tensor<2x1xi1>
  %t = tfm.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %f = tfm.constant dense<0xFF800000> : tensor<f32>
  %0 = tfm.select %c, %t, %f : (tensor<2x1xi1>, tensor<2xf32>, tensor<f32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// A splat condition picks a constant branch that already has the result type.
// CHECK-LABEL: func.func @fold_select_splat_condition_constant_branch
// CHECK: %[[C:.*]] = tfm.constant dense<[7, 8]> : tensor<2xi64>
// CHECK-NOT: tfm.select
// CHECK: return %[[C]]
func.func @fold_select_splat_condition_constant_branch(%x: tensor<2xi64>) -> tensor<2xi64> {
  %c = tfm.constant dense<false> : tensor<2xi1>
  %f = tfm.constant dense<[7, 8]> : tensor<2xi64>
  %0 = tfm.select %c, %x, %f : (tensor<2xi1>, tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

//===----------------------------------------------------------------------===//
// Constant folding: elementwise unary ops
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @fold_neg
// CHECK-DAG: %[[I:.*]] = tfm.constant dense<[-1, 0, 5]> : tensor<3xi32>
// CHECK-DAG: %[[F:.*]] = tfm.constant dense<[-1.500000e+00, -0.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-NOT: tfm.neg
// CHECK: return %[[I]], %[[F]]
func.func @fold_neg() -> (tensor<3xi32>, tensor<3xf32>) {
  %a = tfm.constant dense<[1, 0, -5]> : tensor<3xi32>
  %b = tfm.constant dense<[1.5, 0.0, -0.0]> : tensor<3xf32>
  %0 = tfm.neg %a : tensor<3xi32>
  %1 = tfm.neg %b : tensor<3xf32>
  return %0, %1 : tensor<3xi32>, tensor<3xf32>
}

// -----

// Float to integer truncates toward zero.
// CHECK-LABEL: func.func @fold_cast_f32_to_i32
// CHECK: %[[C:.*]] = tfm.constant dense<[2, -2, 0, 7]> : tensor<4xi32>
// CHECK-NOT: tfm.cast
// CHECK: return %[[C]]
func.func @fold_cast_f32_to_i32() -> tensor<4xi32> {
  %a = tfm.constant dense<[2.9, -2.9, -0.5, 7.0]> : tensor<4xf32>
  %0 = tfm.cast %a : tensor<4xf32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Out of the integer range or NaN: not folded.
// CHECK-LABEL: func.func @fold_cast_f32_to_i32_out_of_range_no_fold
// CHECK-DAG: %[[A:.*]] = tfm.constant dense<[1.000000e+10, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[B:.*]] = tfm.constant dense<0x7FC00000> : tensor<2xf32>
// CHECK-DAG: %[[RA:.*]] = tfm.cast %[[A]] : tensor<2xf32> -> tensor<2xi32>
// CHECK-DAG: %[[RB:.*]] = tfm.cast %[[B]] : tensor<2xf32> -> tensor<2xi64>
// CHECK: return %[[RA]], %[[RB]]
func.func @fold_cast_f32_to_i32_out_of_range_no_fold() -> (tensor<2xi32>, tensor<2xi64>) {
  %a = tfm.constant dense<[1.0e10, 1.0]> : tensor<2xf32>
  %0 = tfm.cast %a : tensor<2xf32> -> tensor<2xi32>
  %b = tfm.constant dense<0x7FC00000> : tensor<2xf32>
  %1 = tfm.cast %b : tensor<2xf32> -> tensor<2xi64>
  return %0, %1 : tensor<2xi32>, tensor<2xi64>
}

// -----

// To i1 is x != 0 (NaN is true, -0.0 false); from i1 is 0 or 1 (not -1).
// CHECK-LABEL: func.func @fold_cast_bool
// CHECK-DAG: %[[TO_BOOL:.*]] = tfm.constant dense<[false, false, true, true]> : tensor<4xi1>
// CHECK-DAG: %[[INT_TO_BOOL:.*]] = tfm.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-DAG: %[[FROM_BOOL:.*]] = tfm.constant dense<[1, 0]> : tensor<2xi64>
// CHECK-DAG: %[[FROM_BOOL_F:.*]] = tfm.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-NOT: tfm.cast
// CHECK: return %[[TO_BOOL]], %[[INT_TO_BOOL]], %[[FROM_BOOL]], %[[FROM_BOOL_F]]
func.func @fold_cast_bool() -> (tensor<4xi1>, tensor<3xi1>, tensor<2xi64>, tensor<2xf32>) {
  %f = tfm.constant dense<[0.0, -0.0, 0x7FC00000, 0.5]> : tensor<4xf32>
  %0 = tfm.cast %f : tensor<4xf32> -> tensor<4xi1>
  %i = tfm.constant dense<[0, 5, -1]> : tensor<3xi32>
  %1 = tfm.cast %i : tensor<3xi32> -> tensor<3xi1>
  %b = tfm.constant dense<[true, false]> : tensor<2xi1>
  %2 = tfm.cast %b : tensor<2xi1> -> tensor<2xi64>
  %3 = tfm.cast %b : tensor<2xi1> -> tensor<2xf32>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<3xi1>, tensor<2xi64>, tensor<2xf32>
}

// -----

// i64 -> i32 wraps, i32 -> f32 rounds to nearest even (2^24 + 1 -> 2^24),
// f32 -> f16 underflows to 0 and overflows to inf.
// CHECK-LABEL: func.func @fold_cast_numbers
// CHECK-DAG: %[[TRUNC:.*]] = tfm.constant dense<[1, -1]> : tensor<2xi32>
// CHECK-DAG: %[[TO_F32:.*]] = tfm.constant dense<[0x4B800000, -3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[TO_F16:.*]] = tfm.constant dense<[0.000000e+00, 0x7C00, 1.000000e+00]> : tensor<3xf16>
// CHECK-DAG: %[[TO_I64:.*]] = tfm.constant dense<[-3, 1000]> : tensor<2xi64>
// CHECK-NOT: tfm.cast
// CHECK: return %[[TRUNC]], %[[TO_F32]], %[[TO_F16]], %[[TO_I64]]
func.func @fold_cast_numbers() -> (tensor<2xi32>, tensor<2xf32>, tensor<3xf16>, tensor<2xi64>) {
  %a = tfm.constant dense<[4294967297, -1]> : tensor<2xi64>
  %0 = tfm.cast %a : tensor<2xi64> -> tensor<2xi32>
  %b = tfm.constant dense<[16777217, -3]> : tensor<2xi32>
  %1 = tfm.cast %b : tensor<2xi32> -> tensor<2xf32>
  %c = tfm.constant dense<[1.0e-8, 65520.0, 1.0]> : tensor<3xf32>
  %2 = tfm.cast %c : tensor<3xf32> -> tensor<3xf16>
  %d = tfm.constant dense<[-3, 1000]> : tensor<2xi32>
  %3 = tfm.cast %d : tensor<2xi32> -> tensor<2xi64>
  return %0, %1, %2, %3 : tensor<2xi32>, tensor<2xf32>, tensor<3xf16>, tensor<2xi64>
}

//===----------------------------------------------------------------------===//
// Constant folding: shape ops
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @fold_reshape
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi32>
// CHECK-NOT: tfm.reshape
// CHECK: return %[[C]]
func.func @fold_reshape() -> tensor<3x2xi32> {
  %a = tfm.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %0 = tfm.reshape %a : tensor<2x3xi32> -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}

// -----

// CHECK-LABEL: func.func @fold_transpose
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi32>
// CHECK-NOT: tfm.transpose
// CHECK: return %[[C]]
func.func @fold_transpose() -> tensor<3x2xi32> {
  %a = tfm.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %0 = tfm.transpose %a [1, 0] : tensor<2x3xi32> -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}

// -----

// result[k][i][j] = input[i][j][k].
// CHECK-LABEL: func.func @fold_transpose_3d
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}{{\[}}[0, 4, 8], [12, 16, 20]], {{\[}}[1, 5, 9], [13, 17, 21]], {{\[}}[2, 6, 10], [14, 18, 22]], {{\[}}[3, 7, 11], [15, 19, 23]]]> : tensor<4x2x3xi32>
// CHECK-NOT: tfm.transpose
// CHECK: return %[[C]]
func.func @fold_transpose_3d() -> tensor<4x2x3xi32> {
  %a = tfm.constant dense<[[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]],
                           [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]]> : tensor<2x3x4xi32>
  %0 = tfm.transpose %a [2, 0, 1] : tensor<2x3x4xi32> -> tensor<4x2x3xi32>
  return %0 : tensor<4x2x3xi32>
}

// -----

// CHECK-LABEL: func.func @fold_transpose_splat
// CHECK: %[[C:.*]] = tfm.constant dense<1.000000e+00> : tensor<3x2xbf16>
// CHECK-NOT: tfm.transpose
// CHECK: return %[[C]]
func.func @fold_transpose_splat() -> tensor<3x2xbf16> {
  %a = tfm.constant dense<1.0> : tensor<2x3xbf16>
  %0 = tfm.transpose %a [1, 0] : tensor<2x3xbf16> -> tensor<3x2xbf16>
  return %0 : tensor<3x2xbf16>
}

// -----

// CHECK-LABEL: func.func @fold_broadcast_to_splat
// CHECK: %[[C:.*]] = tfm.constant dense<0xFF800000> : tensor<2x16x16xf32>
// CHECK-NOT: tfm.broadcast_to
// CHECK: return %[[C]]
func.func @fold_broadcast_to_splat() -> tensor<2x16x16xf32> {
  %a = tfm.constant dense<0xFF800000> : tensor<1x16xf32>
  %0 = tfm.broadcast_to %a : tensor<1x16xf32> -> tensor<2x16x16xf32>
  return %0 : tensor<2x16x16xf32>
}

// -----

// CHECK-LABEL: func.func @fold_concat_last_axis
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[1, 2, 5, 6, 7], [3, 4, 8, 9, 10]]> : tensor<2x5xi32>
// CHECK-NOT: tfm.concat
// CHECK: return %[[C]]
func.func @fold_concat_last_axis() -> tensor<2x5xi32> {
  %a = tfm.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %b = tfm.constant dense<[[5, 6, 7], [8, 9, 10]]> : tensor<2x3xi32>
  %0 = tfm.concat %a, %b {axis = -1 : i64} : (tensor<2x2xi32>, tensor<2x3xi32>) -> tensor<2x5xi32>
  return %0 : tensor<2x5xi32>
}

// -----

// Axis 0 with a splat input.
// CHECK-LABEL: func.func @fold_concat_first_axis_splat
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[1, 2], [3, 4], [0, 0], [0, 0]]> : tensor<4x2xi64>
// CHECK-NOT: tfm.concat
// CHECK: return %[[C]]
func.func @fold_concat_first_axis_splat() -> tensor<4x2xi64> {
  %a = tfm.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %b = tfm.constant dense<0> : tensor<2x2xi64>
  %0 = tfm.concat %a, %b {axis = 0 : i64} : (tensor<2x2xi64>, tensor<2x2xi64>) -> tensor<4x2xi64>
  return %0 : tensor<4x2xi64>
}

// -----

// Axis 1 of three: blocks are [axis, rank) of each input.
// CHECK-LABEL: func.func @fold_concat_middle_axis
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}{{\[}}[1, 2], [9, 9]], {{\[}}[3, 4], [9, 9]]]> : tensor<2x2x2xi32>
// CHECK-NOT: tfm.concat
// CHECK: return %[[C]]
func.func @fold_concat_middle_axis() -> tensor<2x2x2xi32> {
  %a = tfm.constant dense<[[[1, 2]], [[3, 4]]]> : tensor<2x1x2xi32>
  %b = tfm.constant dense<9> : tensor<2x1x2xi32>
  %0 = tfm.concat %a, %b {axis = 1 : i64} : (tensor<2x1x2xi32>, tensor<2x1x2xi32>) -> tensor<2x2x2xi32>
  return %0 : tensor<2x2x2xi32>
}

// -----

// A non-constant input stops constant folding.
// CHECK-LABEL: func.func @fold_concat_non_constant_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<2xi32>)
// CHECK: %[[A:.*]] = tfm.constant dense<[1, 2]> : tensor<2xi32>
// CHECK: %[[R:.*]] = tfm.concat %[[A]], %[[X]]
// CHECK: return %[[R]]
func.func @fold_concat_non_constant_no_fold(%x: tensor<2xi32>) -> tensor<4xi32> {
  %a = tfm.constant dense<[1, 2]> : tensor<2xi32>
  %0 = tfm.concat %a, %x {axis = 0 : i64} : (tensor<2xi32>, tensor<2xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @fold_slice
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[1, 3], [5, 7]]> : tensor<2x2xi32>
// CHECK-NOT: tfm.slice
// CHECK: return %[[C]]
func.func @fold_slice() -> tensor<2x2xi32> {
  %a = tfm.constant dense<[[0, 1, 2, 3], [4, 5, 6, 7]]> : tensor<2x4xi32>
  %0 = tfm.slice %a {starts = array<i64: 0, 1>, limits = array<i64: 2, 4>, strides = array<i64: 1, 2>} : tensor<2x4xi32> -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func.func @fold_slice_rows
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[6.000000e+00, 7.000000e+00, 8.000000e+00]]> : tensor<1x3xf32>
// CHECK-NOT: tfm.slice
// CHECK: return %[[C]]
func.func @fold_slice_rows() -> tensor<1x3xf32> {
  %a = tfm.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]> : tensor<3x3xf32>
  %0 = tfm.slice %a {starts = array<i64: 2, 0>, limits = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<3x3xf32> -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_gather_axis0
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}[5, 6], [1, 2], [5, 6]]> : tensor<3x2xi64>
// CHECK-NOT: tfm.gather
// CHECK: return %[[C]]
func.func @fold_gather_axis0() -> tensor<3x2xi64> {
  %a = tfm.constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
  %i = tfm.constant dense<[2, 0, -1]> : tensor<3xi64>
  %0 = tfm.gather %a, %i {axis = 0 : i64} : (tensor<3x2xi64>, tensor<3xi64>) -> tensor<3x2xi64>
  return %0 : tensor<3x2xi64>
}

// -----

// Negative axis and index, 2-D indices: result[i][j][k] = a[i][idx[j][k]].
// CHECK-LABEL: func.func @fold_gather_last_axis_2d_indices
// CHECK: %[[C:.*]] = tfm.constant dense<{{\[}}{{\[}}[3, 1], [2, 2]], {{\[}}[6, 4], [5, 5]]]> : tensor<2x2x2xi32>
// CHECK-NOT: tfm.gather
// CHECK: return %[[C]]
func.func @fold_gather_last_axis_2d_indices() -> tensor<2x2x2xi32> {
  %a = tfm.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %i = tfm.constant dense<[[-1, 0], [1, 1]]> : tensor<2x2xi32>
  %0 = tfm.gather %a, %i {axis = -1 : i64} : (tensor<2x3xi32>, tensor<2x2xi32>) -> tensor<2x2x2xi32>
  return %0 : tensor<2x2x2xi32>
}

// -----

// A scalar index removes the axis.
// CHECK-LABEL: func.func @fold_gather_scalar_index
// CHECK: %[[C:.*]] = tfm.constant dense<[2.000000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK-NOT: tfm.gather
// CHECK: return %[[C]]
func.func @fold_gather_scalar_index() -> tensor<2xf32> {
  %a = tfm.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %i = tfm.constant dense<1> : tensor<i64>
  %0 = tfm.gather %a, %i {axis = 1 : i64} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Index 3 of a size-3 axis: a run-time error, never folded away.
// CHECK-LABEL: func.func @fold_gather_index_too_large_no_fold
// CHECK-DAG: %[[A:.*]] = tfm.constant dense<[1, 2, 3]> : tensor<3xi32>
// CHECK-DAG: %[[I:.*]] = tfm.constant dense<[0, 3]> : tensor<2xi64>
// CHECK: %[[R:.*]] = tfm.gather %[[A]], %[[I]]
// CHECK: return %[[R]]
func.func @fold_gather_index_too_large_no_fold() -> tensor<2xi32> {
  %a = tfm.constant dense<[1, 2, 3]> : tensor<3xi32>
  %i = tfm.constant dense<[0, 3]> : tensor<2xi64>
  %0 = tfm.gather %a, %i {axis = 0 : i64} : (tensor<3xi32>, tensor<2xi64>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Index -4 of a size-3 axis, and a splat input (which would be trivial to
// fold): still not folded.
// CHECK-LABEL: func.func @fold_gather_index_too_small_no_fold
// CHECK-DAG: %[[A:.*]] = tfm.constant dense<7> : tensor<3x2xi32>
// CHECK-DAG: %[[I:.*]] = tfm.constant dense<-4> : tensor<1xi32>
// CHECK: %[[R:.*]] = tfm.gather %[[A]], %[[I]]
// CHECK: return %[[R]]
func.func @fold_gather_index_too_small_no_fold() -> tensor<1x2xi32> {
  %a = tfm.constant dense<7> : tensor<3x2xi32>
  %i = tfm.constant dense<-4> : tensor<1xi32>
  %0 = tfm.gather %a, %i {axis = 0 : i64} : (tensor<3x2xi32>, tensor<1xi32>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

// Constant indices into a non-constant input: nothing to fold.
// CHECK-LABEL: func.func @fold_gather_non_constant_input_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[I:.*]] = tfm.constant dense<[1, 2]> : tensor<2xi64>
// CHECK: %[[R:.*]] = tfm.gather %[[X]], %[[I]]
// CHECK: return %[[R]]
func.func @fold_gather_non_constant_input_no_fold(%x: tensor<4x8xf32>) -> tensor<2x8xf32> {
  %i = tfm.constant dense<[1, 2]> : tensor<2xi64>
  %0 = tfm.gather %x, %i {axis = 0 : i64} : (tensor<4x8xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

//===----------------------------------------------------------------------===//
// Constant size limit (65536 elements for non-splat constants)
//===----------------------------------------------------------------------===//

// -----

// 32768 x 2 = 65536 non-splat elements: exactly at the limit, folded.
// CHECK-LABEL: func.func @fold_add_at_limit
// CHECK: %[[C:.*]] = tfm.constant dense<"0x0800000009000000{{[0-9A-F]*}}"> : tensor<32768x2xi32>
// CHECK-NOT: tfm.add
// CHECK: return %[[C]]
func.func @fold_add_at_limit() -> tensor<32768x2xi32> {
  %a = tfm.constant dense<7> : tensor<32768x1xi32>
  %b = tfm.constant dense<[1, 2]> : tensor<2xi32>
  %0 = tfm.add %a, %b : (tensor<32768x1xi32>, tensor<2xi32>) -> tensor<32768x2xi32>
  return %0 : tensor<32768x2xi32>
}

// -----

// 32769 x 2 = 65538 non-splat elements: over the limit, not folded.
// CHECK-LABEL: func.func @fold_add_over_limit_no_fold
// CHECK-DAG: %[[A:.*]] = tfm.constant dense<7> : tensor<32769x1xi32>
// CHECK-DAG: %[[B:.*]] = tfm.constant dense<[1, 2]> : tensor<2xi32>
// CHECK: %[[R:.*]] = tfm.add %[[A]], %[[B]]
// CHECK: return %[[R]]
func.func @fold_add_over_limit_no_fold() -> tensor<32769x2xi32> {
  %a = tfm.constant dense<7> : tensor<32769x1xi32>
  %b = tfm.constant dense<[1, 2]> : tensor<2xi32>
  %0 = tfm.add %a, %b : (tensor<32769x1xi32>, tensor<2xi32>) -> tensor<32769x2xi32>
  return %0 : tensor<32769x2xi32>
}

// -----

// CHECK-LABEL: func.func @fold_compare_over_limit_no_fold
// CHECK-DAG: %[[A:.*]] = tfm.constant dense<{{\[}}[0], [1]]> : tensor<2x1xi64>
// CHECK-DAG: %[[B:.*]] = tfm.constant dense<7> : tensor<40000xi64>
// CHECK: %[[R:.*]] = tfm.compare lt, %[[A]], %[[B]]
// CHECK: return %[[R]]
func.func @fold_compare_over_limit_no_fold() -> tensor<2x40000xi1> {
  %a = tfm.constant dense<[[0], [1]]> : tensor<2x1xi64>
  %b = tfm.constant dense<7> : tensor<40000xi64>
  %0 = tfm.compare lt, %a, %b : (tensor<2x1xi64>, tensor<40000xi64>) -> tensor<2x40000xi1>
  return %0 : tensor<2x40000xi1>
}

// -----

// Two splats concatenated give 65537 non-splat elements: not folded.
// CHECK-LABEL: func.func @fold_concat_over_limit_no_fold
// CHECK-DAG: %[[A:.*]] = tfm.constant dense<1> : tensor<32768xi32>
// CHECK-DAG: %[[B:.*]] = tfm.constant dense<2> : tensor<32769xi32>
// CHECK: %[[R:.*]] = tfm.concat %[[A]], %[[B]]
// CHECK: return %[[R]]
func.func @fold_concat_over_limit_no_fold() -> tensor<65537xi32> {
  %a = tfm.constant dense<1> : tensor<32768xi32>
  %b = tfm.constant dense<2> : tensor<32769xi32>
  %0 = tfm.concat %a, %b {axis = 0 : i64} : (tensor<32768xi32>, tensor<32769xi32>) -> tensor<65537xi32>
  return %0 : tensor<65537xi32>
}

//===----------------------------------------------------------------------===//
// Folds that must not fire through sizes unknown at compile time
//===----------------------------------------------------------------------===//

// A partial slice may have its input's (dynamic) type: it is not the input.
// CHECK-LABEL: func.func @slice_dynamic_partial
// CHECK: tfm.slice
func.func @slice_dynamic_partial(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tfm.slice %x {starts = array<i64: 0>, limits = array<i64: 5>, strides = array<i64: 1>} : tensor<?xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// If x has one element at run time, x + zeros<4> has four.
// CHECK-LABEL: func.func @add_zero_dynamic
// CHECK: tfm.add
func.func @add_zero_dynamic(%x: tensor<?xi32>) -> tensor<?xi32> {
  %c = tfm.constant dense<0> : tensor<4xi32>
  %0 = tfm.add %x, %c : (tensor<?xi32>, tensor<4xi32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// CHECK-LABEL: func.func @mul_one_dynamic
// CHECK: tfm.mul
func.func @mul_one_dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c = tfm.constant dense<1.0> : tensor<3x4xf32>
  %0 = tfm.mul %x, %c : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @select_same_dynamic
// CHECK: tfm.select
func.func @select_same_dynamic(%c: tensor<4xi1>, %x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tfm.select %c, %x, %x : (tensor<4xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @select_splat_dynamic
// CHECK: tfm.select
func.func @select_splat_dynamic(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %c = tfm.constant dense<true> : tensor<4xi1>
  %0 = tfm.select %c, %x, %y : (tensor<4xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// The ends of these chains disagree (the `?` in the middle hid it from the
// verifier): canonicalization must not build an invalid op from them.
// CHECK-LABEL: func.func @reshape_chain_mismatch
// CHECK: tfm.reshape
// CHECK: tfm.reshape
func.func @reshape_chain_mismatch(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  %0 = tfm.reshape %x : tensor<2x3xf32> -> tensor<?xf32>
  %1 = tfm.reshape %0 : tensor<?xf32> -> tensor<7xf32>
  return %1 : tensor<7xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_chain_mismatch
// CHECK: tfm.broadcast_to
// CHECK: tfm.broadcast_to
func.func @broadcast_chain_mismatch(%x: tensor<3xf32>) -> tensor<1xf32> {
  %0 = tfm.broadcast_to %x : tensor<3xf32> -> tensor<?xf32>
  %1 = tfm.broadcast_to %0 : tensor<?xf32> -> tensor<1xf32>
  return %1 : tensor<1xf32>
}

// -----

// i1 orders false < true, as PyTorch's bool.
// CHECK-LABEL: func.func @compare_bool_order
// CHECK-DAG: %[[T:.*]] = tfm.constant dense<true> : tensor<i1>
// CHECK-DAG: %[[F:.*]] = tfm.constant dense<false> : tensor<i1>
// CHECK: return %[[T]], %[[F]]
func.func @compare_bool_order() -> (tensor<i1>, tensor<i1>) {
  %t = tfm.constant dense<true> : tensor<i1>
  %f = tfm.constant dense<false> : tensor<i1>
  %gt = tfm.compare gt, %t, %f : (tensor<i1>, tensor<i1>) -> tensor<i1>
  %lt = tfm.compare lt, %t, %f : (tensor<i1>, tensor<i1>) -> tensor<i1>
  return %gt, %lt : tensor<i1>, tensor<i1>
}
