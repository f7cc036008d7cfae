// RUN: tfmc-opt %s -split-input-file --tfmc-map-reductions-to-subgroups="threads=32 rows-per-workgroup=4" --cse | FileCheck %s
// RUN: not tfmc-opt %s --tfmc-map-reductions-to-subgroups="threads=0" 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: tfmc-map-reductions-to-subgroups: threads, rows-per-workgroup and min-length must be positive

// Row sums of x² over [6, 5, 40]: 30 rows, 4 per workgroup (8 workgroups,
// the last one partial), each taken by one subgroup whose lanes stride
// along the row; one subgroup sum; lane 0 adds it to the output. The plain
// kernel stays as the fallback.
// CHECK-LABEL: func.func private @sum_squares(
// CHECK-SAME: tfmc.fallback = @sum_squares_fallback
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c8, {{.*}}) threads({{.*}}) in ({{.*}} = %c32,
// CHECK: %[[SG:.*]] = gpu.subgroup_id : index
// CHECK: %[[NSG:.*]] = gpu.num_subgroups : index
// CHECK: %[[LANE:.*]] = gpu.lane_id
// CHECK: %[[WIDTH:.*]] = gpu.subgroup_size : index
// CHECK: scf.for %{{.*}} = %[[SG]] to %c4 step %[[NSG]]
// CHECK: arith.cmpi ult, %{{.*}}, %c30
// CHECK: %[[PART:.*]] = scf.for %[[E:.*]] = %[[LANE]] to %c40 step %[[WIDTH]] iter_args(%[[ACC:.*]] = %cst{{.*}}) -> (f32)
// CHECK: %[[X:.*]] = memref.load %arg0[%{{.*}}, %{{.*}}, %[[E]]]
// CHECK: %[[SQ:.*]] = arith.mulf %[[X]], %[[X]]
// CHECK: arith.addf %[[ACC]], %[[SQ]]
// CHECK: %[[TOTAL:.*]] = gpu.subgroup_reduce add %[[PART]] : (f32) -> f32
// CHECK: arith.cmpi eq, %[[LANE]], %c0
// CHECK: %[[OLD:.*]] = memref.load %arg1
// CHECK: arith.addf %[[OLD]], %[[TOTAL]]
// CHECK: memref.store
// CHECK-LABEL: func.func private @sum_squares_fallback(
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
#in = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func private @sum_squares(%x: memref<6x5x40xf32>, %y: memref<6x5xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : memref<6x5x40xf32>) outs(%y : memref<6x5xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.mulf %a, %a : f32
    %r = arith.addf %acc, %s : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Row maxima keep NaNs: the subgroup's maxnum, and a count of NaN lanes.
// CHECK-LABEL: func.func private @row_max(
// CHECK: arith.maximumf
// CHECK: %[[MAX:.*]] = gpu.subgroup_reduce maxnumf
// CHECK: arith.cmpf uno
// CHECK: %[[NANS:.*]] = gpu.subgroup_reduce add
// CHECK: %[[ANY:.*]] = arith.cmpf ogt, %[[NANS]]
// CHECK: arith.select %[[ANY]], %{{.*}}, %[[MAX]]
// CHECK: arith.maximumf
#in2 = affine_map<(d0, d1) -> (d0, d1)>
#out2 = affine_map<(d0, d1) -> (d0)>
func.func private @row_max(%x: memref<16x64xf32>, %y: memref<16xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#in2, #out2], iterator_types = ["parallel", "reduction"]} ins(%x : memref<16x64xf32>) outs(%y : memref<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Left alone: rows shorter than min-length (32), a reduction that is not
// innermost, a product (no subgroup counterpart chosen).
// CHECK-LABEL: func.func private @short_rows(
// CHECK-NOT: gpu.launch
// CHECK-LABEL: func.func private @outer_reduction(
// CHECK-NOT: gpu.launch
// CHECK-LABEL: func.func private @product(
// CHECK-NOT: gpu.launch
#in3 = affine_map<(d0, d1) -> (d0, d1)>
#out3 = affine_map<(d0, d1) -> (d0)>
#out4 = affine_map<(d0, d1) -> (d1)>
func.func private @short_rows(%x: memref<16x16xf32>, %y: memref<16xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#in3, #out3], iterator_types = ["parallel", "reduction"]} ins(%x : memref<16x16xf32>) outs(%y : memref<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}
func.func private @outer_reduction(%x: memref<64x16xf32>, %y: memref<16xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#in3, #out4], iterator_types = ["reduction", "parallel"]} ins(%x : memref<64x16xf32>) outs(%y : memref<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}
func.func private @product(%x: memref<16x64xf32>, %y: memref<16xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#in3, #out3], iterator_types = ["parallel", "reduction"]} ins(%x : memref<16x64xf32>) outs(%y : memref<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.mulf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}
