// RUN: tfmc-opt %s -split-input-file --pass-pipeline="builtin.module(tfmc-tile-contractions,cse)" | FileCheck %s
// RUN: tfmc-opt %s -split-input-file --pass-pipeline="builtin.module(tfmc-tile-contractions{lanes=8 rows=6},cse)" | FileCheck %s --check-prefix=AVX2
// RUN: not tfmc-opt %s -split-input-file --pass-pipeline="builtin.module(tfmc-tile-contractions{lanes=0})" 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: tfmc-tile-contractions: lanes, rows, vectors and k-block must be positive

#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>

// A linear layer (B as [N, K]) whose sizes divide no tile: 20 rows = two
// 8-row tiles + a 4-row tile; 40 columns = a full 32-column panel + one
// masked to 8; 300 reduction steps = 256 + 44. In a kernel marked parallel,
// the panel loop is the parallel one and each of its iterations packs into
// its own heap buffer.
// CHECK-LABEL: func.func @linear_remainders
// CHECK-SAME: tfmc.parallel_loop = 0
// CHECK: scf.for %[[N:.*]] = %c0 to %c40 step %c32
// CHECK: %[[MASK0:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: %[[MASK1:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: %[[PANEL:.*]] = memref.alloc() {alignment = 64 : i64} : memref<256x32xf32>
// CHECK: scf.for %[[K0:.*]] = %c0 to %c300 step %c256
// CHECK: %[[KW:.*]] = arith.minsi
// Packing: rows of B read along k, zero columns past N.
// CHECK: scf.for %[[J:.*]] = %c0 to %[[W:.*]] step %c1
// CHECK: scf.for %[[KK:.*]] = %c0 to %[[KW]] step %c1
// CHECK: %[[BV:.*]] = memref.load %arg1[{{.*}}] : memref<40x300xf32>
// CHECK: memref.store %[[BV]], %[[PANEL]][%[[KK]], %[[J]]]
// CHECK: scf.for %{{.*}} = %[[W]] to %c32 step %c1
// CHECK: memref.store %{{.*}}, %[[PANEL]]
// Full 8x32 register tiles: 16 accumulators loaded masked from C.
// CHECK: scf.for %[[M:.*]] = %c0 to %c16 step %c8
// CHECK-COUNT-16: vector.maskedload %arg2
// CHECK: %[[ACC:.*]]:16 = scf.for %[[KK2:.*]] = %c0 to %[[KW]] step %c1 iter_args(
// CHECK: vector.load %[[PANEL]][%[[KK2]], %c0{{.*}}] : memref<256x32xf32>, vector<16xf32>
// CHECK: vector.load %[[PANEL]][%[[KK2]], %c16{{.*}}] : memref<256x32xf32>, vector<16xf32>
// CHECK: %[[A:.*]] = memref.load %arg0[
// CHECK: %[[AB:.*]] = vector.broadcast %[[A]] : f32 to vector<16xf32>
// CHECK: vector.fma %[[AB]]
// CHECK-COUNT-16: vector.maskedstore %arg2
// The 4-row remainder tile: 8 accumulators.
// CHECK: scf.for %{{.*}} = %c0 to %[[KW]] step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-8: vector.maskedstore %arg2
// CHECK: memref.dealloc %[[PANEL]]
// CHECK-NOT: linalg.generic
// AVX2-LABEL: func.func @linear_remainders
// AVX2: memref.alloc() {alignment = 64 : i64} : memref<256x16xf32>
// AVX2: scf.for %{{.*}} = %c0 to %c18 step %c6
// AVX2-COUNT-12: vector.maskedload %arg2{{.*}} vector<8xf32>
func.func @linear_remainders(%x: memref<20x300xf32>, %w: memref<40x300xf32>, %y: memref<20x40xf32>)
    attributes {tfmc.parallel_loop = 0 : i64} {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<20x300xf32>, memref<40x300xf32>) outs(%y : memref<20x40xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q fastmath<contract> : f32
    %s = arith.addf %acc, %m fastmath<contract> : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(b, m, n, k) -> (0, m, k)>
#b = affine_map<(b, m, n, k) -> (b, k, n)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>

// B as [K, N] (f16, rows contiguous along n, 4 KiB): small enough to be
// read in place, converted to f32 in the register tile's loop; a broadcast
// batch dimension of A reads index 0. Tiles divide the shape: no masks.
// CHECK-LABEL: func.func @batched_f16
// CHECK-NOT: memref.alloca
// CHECK: scf.for %[[B:.*]] = %c0 to %c3 step %c1
// CHECK-NOT: vector.create_mask
// CHECK: vector.load %arg2[%[[B]],
// CHECK: scf.for %[[K:.*]] = %c0 to %c64 step %c1 iter_args(
// CHECK: %[[ROW:.*]] = vector.load %arg1[%[[B]], %{{.*}}, %{{.*}}] : memref<3x64x32xf16>, vector<16xf16>
// CHECK: %[[ROW32:.*]] = arith.extf %[[ROW]] : vector<16xf16> to vector<16xf32>
// CHECK: memref.load %arg0[%c0{{.*}}, {{.*}}] : memref<1x16x64xf16>
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: vector.fma {{.*}}, %[[ROW32]]
// CHECK: vector.store {{.*}}, %arg2[%[[B]],
// CHECK-NOT: linalg.generic
func.func @batched_f16(%x: memref<1x16x64xf16>, %w: memref<3x64x32xf16>, %y: memref<3x16x32xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<1x16x64xf16>, memref<3x64x32xf16>) outs(%y : memref<3x16x32xf32>) {
  ^bb0(%p: f16, %q: f16, %acc: f32):
    %pe = arith.extf %p : f16 to f32
    %qe = arith.extf %q : f16 to f32
    %m = arith.mulf %pe, %qe : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>

// Left alone: a matrix-vector product against [N, K] weights (fewer rows
// than a register tile: the dot-product order streams the weights once),
// an integer contraction, and a generic that is not a contraction.
// CHECK-LABEL: func.func @not_tiled
// CHECK-COUNT-3: linalg.generic
func.func @not_tiled(%x: memref<1x64xf32>, %w: memref<64x64xf32>, %y: memref<1x64xf32>,
                     %xi: memref<16x64xi32>, %wi: memref<64x64xi32>, %yi: memref<16x64xi32>) {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<1x64xf32>, memref<64x64xf32>) outs(%y : memref<1x64xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xi, %wi : memref<16x64xi32>, memref<64x64xi32>) outs(%yi : memref<16x64xi32>) {
  ^bb0(%p: i32, %q: i32, %acc: i32):
    %m = arith.muli %p, %q : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  }
  // max instead of add: not a contraction.
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<1x64xf32>, memref<64x64xf32>) outs(%y : memref<1x64xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.maximumf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// B as [K, N] too large to read in place (512x64 f32 = 128 KiB): packed
// with vector loads into one stack buffer at the function's entry (not a
// parallel kernel).
// CHECK-LABEL: func.func @large_b_packed
// CHECK: %[[PANEL:.*]] = memref.alloca() {alignment = 64 : i64} : memref<256x32xf32>
// CHECK: scf.for %[[N:.*]] = %c0 to %c64 step %c32
// CHECK: scf.for %[[K0:.*]] = %c0 to %c512 step %c256
// CHECK: scf.for %[[KK:.*]] = %c0 to %c256 step %c1
// CHECK: %[[ROW:.*]] = vector.load %arg1[{{.*}}] : memref<512x64xf32>, vector<16xf32>
// CHECK: vector.store %[[ROW]], %[[PANEL]][%[[KK]], %c0]
// CHECK: vector.load %[[PANEL]]
func.func @large_b_packed(%x: memref<16x512xf32>, %w: memref<512x64xf32>, %y: memref<16x64xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<16x512xf32>, memref<512x64xf32>) outs(%y : memref<16x64xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#p = affine_map<(m, n, k) -> (n floordiv 32, k, n mod 32)>
#c = affine_map<(m, n, k) -> (m, n)>

// Weights packed at compile time into 32-column panels: read in place, one
// panel row per step, even for fewer rows than a register tile; no packing.
// CHECK-LABEL: func.func @prepacked
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[N:.*]] = %c0 to %c40 step %c32
// CHECK: %[[P:.*]] = arith.divui %[[N]], %c32
// CHECK: vector.load %arg1[%[[P]], %{{.*}}, %c0{{.*}}] : memref<2x8x32xbf16>, vector<16xbf16>
// CHECK: vector.load %arg1[%[[P]], %{{.*}}, %c16{{.*}}] : memref<2x8x32xbf16>, vector<16xbf16>
// CHECK-NOT: linalg.generic
// A panel width other than the register tile's is left to the loops.
// AVX2-LABEL: func.func @prepacked
// AVX2: linalg.generic
func.func @prepacked(%x: memref<3x8xf32>, %w: memref<2x8x32xbf16>, %y: memref<3x40xf32>) {
  linalg.generic {indexing_maps = [#a, #p, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<3x8xf32>, memref<2x8x32xbf16>) outs(%y : memref<3x40xf32>) {
  ^bb0(%in: f32, %q: bf16, %acc: f32):
    %qe = arith.extf %q : bf16 to f32
    %m = arith.mulf %in, %qe : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
#id2 = affine_map<(m, n) -> (m, n)>
#id3 = affine_map<(u, m, n) -> (u, m, n)>

// The host step: a bias broadcast before a linear layer and a ReLU after
// it (reading C through a reshape that adds a unit dimension, writing the
// function's output) become one kernel; C (an arena slot nothing reads
// afterwards) is then only written between reduction blocks. The first
// block starts from the bias, the last applies the ReLU and stores to D.
// CHECK-LABEL: func.func private @mm_fused0(
// CHECK-SAME: %[[BIAS:[^:]*]]: memref<40xf32>, %[[C:[^:]*]]: memref<20x40xf32>, %[[X:[^:]*]]: memref<20x300xf32>, %[[W:[^:]*]]: memref<40x300xf32>, %[[D:[^:]*]]: memref<1x20x40xf32>)
// CHECK-SAME: tfmc.fused_neighbours, tfmc.kernel
// CHECK-SAME: tfmc.parallel_loop = 0
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[K0:.*]] = %c0 to %c300 step %c256
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[K0]], %c0
// CHECK: %[[INIT:.*]]:16 = scf.if %[[FIRST]]
// CHECK: vector.maskedload %[[BIAS]]
// CHECK: } else {
// CHECK: vector.maskedload %[[C]]
// CHECK: scf.for {{.*}} iter_args
// CHECK: vector.fma
// CHECK: %[[LAST:.*]] = arith.cmpi sge
// CHECK: scf.if %[[LAST]] {
// CHECK: %[[R:.*]] = arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: vector.maskedstore %[[D]][%c0, {{.*}}], %{{.*}}, %[[R]]
// CHECK: } else {
// CHECK: vector.maskedstore %[[C]]
// CHECK-LABEL: func.func @linear_bias_relu(
// CHECK: call @mm_fused0(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %arg3)
// CHECK-NOT: call
// CHECK: return
// The three kernels are not compiled any more.
// CHECK-NOT: func.func private @bias
// CHECK-NOT: func.func private @relu
func.func private @bias(%b: memref<40xf32>, %y: memref<20x40xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#row, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%b : memref<40xf32>) outs(%y : memref<20x40xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  return
}
func.func private @mm(%x: memref<20x300xf32>, %w: memref<40x300xf32>, %y: memref<20x40xf32>)
    attributes {tfmc.kernel, tfmc.parallel_loop = 0 : i64} {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<20x300xf32>, memref<40x300xf32>) outs(%y : memref<20x40xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q fastmath<contract> : f32
    %s = arith.addf %acc, %m fastmath<contract> : f32
    linalg.yield %s : f32
  }
  return
}
func.func private @relu(%y: memref<1x20x40xf32>, %z: memref<1x20x40xf32>) attributes {tfmc.kernel} {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y : memref<1x20x40xf32>) outs(%z : memref<1x20x40xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  return
}
func.func @linear_bias_relu(%x: memref<20x300xf32>, %w: memref<40x300xf32>, %b: memref<40xf32>,
                            %out: memref<1x20x40xf32>) {
  %arena = memref.alloc() {alignment = 64 : i64} : memref<3200xi8>
  %c0 = arith.constant 0 : index
  %y = memref.view %arena[%c0][] : memref<3200xi8> to memref<20x40xf32>
  call @bias(%b, %y) : (memref<40xf32>, memref<20x40xf32>) -> ()
  call @mm(%x, %w, %y) : (memref<20x300xf32>, memref<40x300xf32>, memref<20x40xf32>) -> ()
  %y3 = memref.expand_shape %y [[0, 1], [2]] output_shape [1, 20, 40] : memref<20x40xf32> into memref<1x20x40xf32>
  call @relu(%y3, %out) : (memref<1x20x40xf32>, memref<1x20x40xf32>) -> ()
  memref.dealloc %arena : memref<3200xi8>
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
#id2 = affine_map<(m, n) -> (m, n)>
#tr = affine_map<(m, n) -> (n, m)>

// Epilogues the host step leaves alone (one reduction block: no scf.if).
// A residual add in place (C += R) is fused; one writing another buffer
// while C is read afterwards is not, nor one writing over the
// contraction's input A, nor one reading an operand across n (no vector
// along the columns), nor one whose C is read in a loop after it.
// CHECK-LABEL: func.func private @mm_fused0(
// CHECK-NOT: scf.if
// CHECK: arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-LABEL: func.func @epilogue_refusals(
// CHECK-NEXT: %[[ARENA:.*]] = memref.alloc
// CHECK: call @mm_fused0(
// CHECK-NEXT: call @mm(
// CHECK-NEXT: call @add(
// CHECK-NEXT: call @add(
// CHECK: call @mm(
// CHECK-NEXT: call @add(
// CHECK-NEXT: call @mm(
// CHECK-NEXT: call @add_across(
// CHECK-NEXT: call @mm(
// CHECK-NEXT: call @add(
// CHECK: scf.for
func.func private @mm(%x: memref<16x64xf32>, %w: memref<32x64xf32>, %y: memref<16x32xf32>)
    attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<16x64xf32>, memref<32x64xf32>) outs(%y : memref<16x32xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q fastmath<contract> : f32
    %s = arith.addf %acc, %m fastmath<contract> : f32
    linalg.yield %s : f32
  }
  return
}
func.func private @add(%y: memref<16x32xf32>, %r: memref<16x32xf32>, %z: memref<16x32xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y, %r : memref<16x32xf32>, memref<16x32xf32>) outs(%z : memref<16x32xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    linalg.yield %s : f32
  }
  return
}
func.func private @add_across(%y: memref<16x32xf32>, %r: memref<32x16xf32>, %z: memref<16x32xf32>) attributes {tfmc.kernel} {
  linalg.generic {indexing_maps = [#id2, #tr, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y, %r : memref<16x32xf32>, memref<32x16xf32>) outs(%z : memref<16x32xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    linalg.yield %s : f32
  }
  return
}
func.func @epilogue_refusals(%x: memref<16x64xf32>, %w: memref<32x64xf32>, %r: memref<16x32xf32>,
                             %rt: memref<32x16xf32>, %out: memref<16x32xf32>, %out2: memref<16x32xf32>) {
  %arena = memref.alloc() {alignment = 64 : i64} : memref<8192xi8>
  %c0 = arith.constant 0 : index
  %c4096 = arith.constant 4096 : index
  %y = memref.view %arena[%c0][] : memref<8192xi8> to memref<16x32xf32>
  %a = memref.view %arena[%c4096][] : memref<8192xi8> to memref<16x64xf32>
  // In place: fused.
  call @mm(%x, %w, %y) : (memref<16x64xf32>, memref<32x64xf32>, memref<16x32xf32>) -> ()
  call @add(%y, %r, %y) : (memref<16x32xf32>, memref<16x32xf32>, memref<16x32xf32>) -> ()
  // C read again after the epilogue.
  call @mm(%x, %w, %y) : (memref<16x64xf32>, memref<32x64xf32>, memref<16x32xf32>) -> ()
  call @add(%y, %r, %out) : (memref<16x32xf32>, memref<16x32xf32>, memref<16x32xf32>) -> ()
  call @add(%y, %r, %out2) : (memref<16x32xf32>, memref<16x32xf32>, memref<16x32xf32>) -> ()
  // D is (the first half of) the contraction's input A.
  %d = memref.view %arena[%c4096][] : memref<8192xi8> to memref<16x32xf32>
  call @mm(%a, %w, %y) : (memref<16x64xf32>, memref<32x64xf32>, memref<16x32xf32>) -> ()
  call @add(%y, %r, %d) : (memref<16x32xf32>, memref<16x32xf32>, memref<16x32xf32>) -> ()
  // The residual read across the columns.
  call @mm(%x, %w, %y) : (memref<16x64xf32>, memref<32x64xf32>, memref<16x32xf32>) -> ()
  call @add_across(%y, %rt, %out) : (memref<16x32xf32>, memref<32x16xf32>, memref<16x32xf32>) -> ()
  // C read inside a loop after the epilogue.
  call @mm(%x, %w, %y) : (memref<16x64xf32>, memref<32x64xf32>, memref<16x32xf32>) -> ()
  call @add(%y, %r, %out) : (memref<16x32xf32>, memref<16x32xf32>, memref<16x32xf32>) -> ()
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c2 step %c1 {
    func.call @add(%y, %r, %out2) : (memref<16x32xf32>, memref<16x32xf32>, memref<16x32xf32>) -> ()
  }
  memref.dealloc %arena : memref<8192xi8>
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
#id2 = affine_map<(m, n) -> (m, n)>

// Only kernels the host step fused (tfmc.fused_neighbours) have their ops
// applied around the tiles: in any other function, ops next to a
// contraction keep their own loops (here the ReLU writing another buffer
// must still see C stored in full).
// CHECK-LABEL: func.func private @not_fused_by_host
// CHECK: scf.for
// CHECK: vector.fma
// CHECK-NOT: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: linalg.generic
// CHECK: arith.maximumf {{.*}} : f32
func.func private @not_fused_by_host(%x: memref<16x64xf32>, %w: memref<32x64xf32>, %y: memref<16x32xf32>, %z: memref<16x32xf32>)
    attributes {tfmc.kernel} {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<16x64xf32>, memref<32x64xf32>) outs(%y : memref<16x32xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q fastmath<contract> : f32
    %s = arith.addf %acc, %m fastmath<contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y : memref<16x32xf32>) outs(%z : memref<16x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  return
}
