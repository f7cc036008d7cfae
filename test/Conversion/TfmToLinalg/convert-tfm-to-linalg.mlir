// RUN: tfmc-opt %s -split-input-file -convert-tfm-to-linalg | FileCheck %s

// One case per tfm op (tfm.multi_head_attention is expanded by
// tfm-decompose-composites before this pass; see
// convert-tfm-to-linalg-invalid.mlir), with the variants whose lowering
// differs: f16/bf16 computed in f32, integer forms, broadcasting, rank-0
// and keep_dims shapes.

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

// A weight becomes an external, read-only memref.global (no initializer: the
// driver supplies the bytes) seen through a restrict to_tensor. Tied weights
// (same name) share one global (a second one would be a symbol
// redefinition, which the verifier rejects). The symbol keeps ASCII letters,
// digits and '.', doubles '_' and writes any other byte as '_' plus two
// lowercase hex digits, so distinct names give distinct symbols.

// CHECK-DAG: memref.global "public" constant @__tfmc_weight_decoder.embed__tokens.weight : memref<2x3xf32> {alignment = 64 : i64, tfm.weight = "decoder.embed_tokens.weight"}
// CHECK-DAG: memref.global "public" constant @__tfmc_weight_layers.0_2fattn_20q_2dproj : memref<4xbf16> {alignment = 64 : i64, tfm.weight = "layers.0/attn q-proj"}
// CHECK-LABEL: func.func @weight(
// CHECK:         %[[G0:.*]] = memref.get_global @__tfmc_weight_decoder.embed__tokens.weight : memref<2x3xf32>
// CHECK:         %[[A:.*]] = bufferization.to_tensor %[[G0]] restrict : memref<2x3xf32> to tensor<2x3xf32>
// CHECK:         %[[G1:.*]] = memref.get_global @__tfmc_weight_decoder.embed__tokens.weight : memref<2x3xf32>
// CHECK:         %[[B:.*]] = bufferization.to_tensor %[[G1]] restrict : memref<2x3xf32> to tensor<2x3xf32>
// CHECK:         %[[G2:.*]] = memref.get_global @__tfmc_weight_layers.0_2fattn_20q_2dproj : memref<4xbf16>
// CHECK:         %[[C:.*]] = bufferization.to_tensor %[[G2]] restrict : memref<4xbf16> to tensor<4xbf16>
// CHECK:         return %[[A]], %[[B]], %[[C]]
func.func @weight() -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xbf16>) {
  %a = tfm.weight "decoder.embed_tokens.weight" : tensor<2x3xf32>
  %b = tfm.weight "decoder.embed_tokens.weight" : tensor<2x3xf32>
  %c = tfm.weight "layers.0/attn q-proj" : tensor<4xbf16>
  return %a, %b, %c : tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xbf16>
}

// -----

// CHECK-LABEL: func.func @constant(
// CHECK-DAG:     %[[A:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     %[[B:.*]] = arith.constant dense<{{\[}}[true, false], [false, true]]> : tensor<2x2xi1>
// CHECK-DAG:     %[[C:.*]] = arith.constant dense<7> : tensor<i64>
// CHECK:         return %[[A]], %[[B]], %[[C]]
func.func @constant() -> (tensor<2xf32>, tensor<2x2xi1>, tensor<i64>) {
  %a = tfm.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = tfm.constant dense<[[true, false], [false, true]]> : tensor<2x2xi1>
  %c = tfm.constant dense<7> : tensor<i64>
  return %a, %b, %c : tensor<2xf32>, tensor<2x2xi1>, tensor<i64>
}

// -----

//===----------------------------------------------------------------------===//
// Input
//===----------------------------------------------------------------------===//

// Ids are checked first (reported to tfmrt_index_error with the op's site,
// then clamped to 0), and only the checked ids are used to read the table.
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[IDS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: llvm.mlir.global private constant @__tfmc_site_0("tfm.embedding at {{.*}}convert-tfm-to-linalg.mlir:[[#@LINE+32]]:8\00")
// CHECK-DAG: func.func private @tfmrt_index_error(i64, i64, i64, !llvm.ptr)
// CHECK-LABEL: func.func @embedding(
// CHECK-SAME:      %[[IDS_ARG:.*]]: tensor<2x3xi32>, %[[TABLE:.*]]: tensor<10x4xf16>) -> tensor<2x3x4xf16>
// CHECK:         %[[SITE:.*]] = llvm.mlir.addressof @__tfmc_site_0 : !llvm.ptr
// CHECK:         %[[E0:.*]] = tensor.empty() : tensor<2x3xi64>
// CHECK:         %[[CHECKED:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[IDS_ARG]] : tensor<2x3xi32>) outs(%[[E0]] : tensor<2x3xi64>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: i32, %{{.*}}: i64):
// CHECK:           %[[ID:.*]] = arith.extsi %[[IN]] : i32 to i64
// CHECK-DAG:       %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG:       %[[VOCAB:.*]] = arith.constant 10 : i64
// CHECK:           %[[GE:.*]] = arith.cmpi sge, %[[ID]], %[[ZERO]] : i64
// CHECK:           %[[LT:.*]] = arith.cmpi slt, %[[ID]], %[[VOCAB]] : i64
// CHECK:           %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK:           %[[TRUE:.*]] = arith.constant true
// CHECK:           %[[BAD:.*]] = arith.xori %[[OK]], %[[TRUE]] : i1
// CHECK:           scf.if %[[BAD]] {
// CHECK:             %[[LOWER:.*]] = arith.constant 0 : i64
// CHECK:             %[[WIDE:.*]] = arith.extsi %[[IN]] : i32 to i64
// CHECK:             func.call @tfmrt_index_error(%[[WIDE]], %[[LOWER]], %[[VOCAB]], %[[SITE]]) : (i64, i64, i64, !llvm.ptr) -> ()
// CHECK:           }
// CHECK:           %[[CLAMPED:.*]] = arith.select %[[OK]], %[[ID]], %[[ZERO]] : i64
// CHECK:           linalg.yield %[[CLAMPED]] : i64
// CHECK:         %[[E1:.*]] = tensor.empty() : tensor<2x3x4xf16>
// CHECK:         %[[RES:.*]] = linalg.generic {indexing_maps = [#[[IDS]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[CHECKED]] : tensor<2x3xi64>) outs(%[[E1]] : tensor<2x3x4xf16>)
// CHECK-NEXT:    ^bb0(%[[ROW_ID:.*]]: i64, %{{.*}}: f16):
// CHECK:           %[[ROW:.*]] = arith.index_cast %[[ROW_ID]] : i64 to index
// CHECK:           %[[COL:.*]] = linalg.index 2 : index
// CHECK:           %[[V:.*]] = tensor.extract %[[TABLE]][%[[ROW]], %[[COL]]] : tensor<10x4xf16>
// CHECK:           linalg.yield %[[V]] : f16
// CHECK:         return %[[RES]]
func.func @embedding(%ids: tensor<2x3xi32>, %table: tensor<10x4xf16>) -> tensor<2x3x4xf16> {
  %0 = tfm.embedding %ids, %table : (tensor<2x3xi32>, tensor<10x4xf16>) -> tensor<2x3x4xf16>
  return %0 : tensor<2x3x4xf16>
}

// -----

// PE[p, j] with p = offset + index(rank - 2): sin for even j, cos for odd j,
// of p · exp((j - j mod 2) · -ln(base) / d); -ln(10000) / 4 = -2.3025851.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @positional_encoding(
// CHECK-SAME:      %[[X:.*]]: tensor<1x2x4xf32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<1x2x4xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<1x2x4xf32>) outs(%[[E]] : tensor<1x2x4xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[S:.*]] = linalg.index 1 : index
// CHECK:           %[[S64:.*]] = arith.index_cast %[[S]] : index to i64
// CHECK:           %[[OFFSET:.*]] = arith.constant 3 : i64
// CHECK:           %[[POS:.*]] = arith.addi %[[S64]], %[[OFFSET]] : i64
// CHECK:           %[[J:.*]] = linalg.index 2 : index
// CHECK:           %[[J64:.*]] = arith.index_cast %[[J]] : index to i64
// CHECK:           %[[ONE:.*]] = arith.constant 1 : i64
// CHECK:           %[[PARITY:.*]] = arith.andi %[[J64]], %[[ONE]] : i64
// CHECK:           %[[EVEN:.*]] = arith.subi %[[J64]], %[[PARITY]] : i64
// CHECK:           %[[EVENF:.*]] = arith.sitofp %[[EVEN]] : i64 to f32
// CHECK:           %[[COEF:.*]] = arith.constant -2.30258512 : f32
// CHECK:           %[[EXPONENT:.*]] = arith.mulf %[[EVENF]], %[[COEF]] : f32
// CHECK:           %[[POSF:.*]] = arith.sitofp %[[POS]] : i64 to f32
// CHECK:           %[[FREQ:.*]] = math.exp %[[EXPONENT]] : f32
// CHECK:           %[[ANGLE:.*]] = arith.mulf %[[POSF]], %[[FREQ]] : f32
// CHECK:           %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:           %[[IS_EVEN:.*]] = arith.cmpi eq, %[[PARITY]], %[[ZERO]] : i64
// CHECK:           %[[SIN:.*]] = math.sin %[[ANGLE]] : f32
// CHECK:           %[[COS:.*]] = math.cos %[[ANGLE]] : f32
// CHECK:           %[[PE:.*]] = arith.select %[[IS_EVEN]], %[[SIN]], %[[COS]] : f32
// CHECK:           %[[SUM:.*]] = arith.addf %[[IN]], %[[PE]] : f32
// CHECK:           linalg.yield %[[SUM]] : f32
// CHECK:         return %[[R]]
func.func @positional_encoding(%x: tensor<1x2x4xf32>) -> tensor<1x2x4xf32> {
  %0 = tfm.positional_encoding %x {offset = 3 : i64} : tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

// f16 input, rank 2 (positions along dimension 0), base 100:
// -ln(100) / 4 = -1.1512925.

// CHECK-LABEL: func.func @positional_encoding_f16(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f16, %{{.*}}: f16):
// CHECK:           linalg.index 0 : index
// CHECK:           linalg.index 1 : index
// CHECK:           arith.constant -1.15129256 : f32
// CHECK:           %[[PE:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK:           %[[WIDE:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK:           %[[SUM:.*]] = arith.addf %[[WIDE]], %[[PE]] : f32
// CHECK:           %[[NARROW:.*]] = arith.truncf %[[SUM]] : f32 to f16
// CHECK:           linalg.yield %[[NARROW]] : f16
// CHECK:         } -> tensor<2x4xf16>
func.func @positional_encoding_f16(%x: tensor<2x4xf16>) -> tensor<2x4xf16> {
  %0 = tfm.positional_encoding %x {base = 100.0 : f64} : tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

// A rank-3 input is flattened to [M, K]; the bias, broadcast over the rows,
// is the accumulator's initial value; the result is reshaped back.

// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear_bias_rank3(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x4xf32>, %[[W:.*]]: tensor<5x4xf32>, %[[B:.*]]: tensor<5xf32>)
// CHECK:         %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK:         %[[X2:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<6x5xf32>
// CHECK:         %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[BIAS]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[B]] : tensor<5xf32>) outs(%[[E]] : tensor<6x5xf32>)
// CHECK-NEXT:    ^bb0(%[[BIN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[BIN]] : f32
// CHECK:         %[[Y:.*]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X2]], %[[W]] : tensor<6x4xf32>, tensor<5x4xf32>) outs(%[[INIT]] : tensor<6x5xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f32, %[[WI:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[P:.*]] = arith.mulf %[[XI]], %[[WI]] {{.*}}: f32
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[ACC]], %[[P]] {{.*}}: f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK:         %[[YFLAT:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0, 1]] : tensor<6x5xf32> into tensor<30xf32>
// CHECK:         %[[R:.*]] = tensor.expand_shape %[[YFLAT]] {{\[}}[0, 1, 2]] output_shape [2, 3, 5] : tensor<30xf32> into tensor<2x3x5xf32>
// CHECK:         return %[[R]]
func.func @linear_bias_rank3(%x: tensor<2x3x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>) -> tensor<2x3x5xf32> {
  %0 = tfm.linear %x, %w, %b : (tensor<2x3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Without bias the f32 accumulator starts from a zero fill; f16 operands are
// widened in the contraction and the result rounded once.

// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @linear_f16(
// CHECK-SAME:      %[[X:.*]]: tensor<3x4xf16>, %[[W:.*]]: tensor<5x4xf16>)
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<3x5xf32>
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<3x5xf32>) -> tensor<3x5xf32>
// CHECK:         %[[Y:.*]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[W]] : tensor<3x4xf16>, tensor<5x4xf16>) outs(%[[INIT]] : tensor<3x5xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f16, %[[WI:.*]]: f16, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[XI]] : f16 to f32
// CHECK-NEXT:      %[[WW:.*]] = arith.extf %[[WI]] : f16 to f32
// CHECK-NEXT:      %[[P:.*]] = arith.mulf %[[XW]], %[[WW]] {{.*}}: f32
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[ACC]], %[[P]] {{.*}}: f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[Y]] : tensor<3x5xf32>) outs(%{{.*}} : tensor<3x5xf16>)
// CHECK-NEXT:    ^bb0(%[[YI:.*]]: f32, %{{.*}}: f16):
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[YI]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[T]] : f16
// CHECK:         return %[[R]]
func.func @linear_f16(%x: tensor<3x4xf16>, %w: tensor<5x4xf16>) -> tensor<3x5xf16> {
  %0 = tfm.linear %x, %w : (tensor<3x4xf16>, tensor<5x4xf16>) -> tensor<3x5xf16>
  return %0 : tensor<3x5xf16>
}

// -----

// transpose_b reads rhs as [N, K]; its size-1 batch dimension broadcasts.

// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d2, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_transpose_b(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<1x5x4xf32>)
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[A]], %[[B]] : tensor<2x3x4xf32>, tensor<1x5x4xf32>) outs(%[[INIT]] : tensor<2x3x5xf32>)
// CHECK-NEXT:    ^bb0(%[[AI:.*]]: f32, %[[BI:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[P:.*]] = arith.mulf %[[AI]], %[[BI]] {{.*}}: f32
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[ACC]], %[[P]] {{.*}}: f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK:         return %[[R]]
func.func @matmul_transpose_b(%a: tensor<2x3x4xf32>, %b: tensor<1x5x4xf32>) -> tensor<2x3x5xf32> {
  %0 = tfm.matmul %a, %b {transpose_b} : (tensor<2x3x4xf32>, tensor<1x5x4xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// transpose_a reads lhs as [K, M]; the rank-2 rhs is shared by the batch;
// bf16 accumulates in f32.

// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_transpose_a_bf16(
// CHECK-SAME:      %[[A:.*]]: tensor<2x4x3xbf16>, %[[B:.*]]: tensor<4x5xbf16>)
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
// CHECK:         %[[Y:.*]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%[[A]], %[[B]] : tensor<2x4x3xbf16>, tensor<4x5xbf16>) outs(%[[INIT]] : tensor<2x3x5xf32>)
// CHECK-NEXT:    ^bb0(%[[AI:.*]]: bf16, %[[BI:.*]]: bf16, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[AW:.*]] = arith.extf %[[AI]] : bf16 to f32
// CHECK-NEXT:      %[[BW:.*]] = arith.extf %[[BI]] : bf16 to f32
// CHECK-NEXT:      %[[P:.*]] = arith.mulf %[[AW]], %[[BW]] {{.*}}: f32
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[ACC]], %[[P]] {{.*}}: f32
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[Y]] : tensor<2x3x5xf32>) outs(%{{.*}} : tensor<2x3x5xbf16>)
// CHECK:           arith.truncf %{{.*}} : f32 to bf16
// CHECK:         return %[[R]]
func.func @matmul_transpose_a_bf16(%a: tensor<2x4x3xbf16>, %b: tensor<4x5xbf16>) -> tensor<2x3x5xbf16> {
  %0 = tfm.matmul %a, %b {transpose_a} : (tensor<2x4x3xbf16>, tensor<4x5xbf16>) -> tensor<2x3x5xbf16>
  return %0 : tensor<2x3x5xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

// Grouped-query (4 query heads, 2 key/value heads: head h reads h floordiv 2),
// boolean padding mask and causal rule (Sq = 2, Sk = 3: key j is visible to
// query i iff j <= i + 1), default scale 1/sqrt(2), masked softmax (a row
// whose max is -inf, i.e. fully masked, gives zeros), then probabilities · V.

// CHECK-DAG: #[[REPEAT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 floordiv 2, d2, d3)>
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[QK_Q:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[QK_K:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
// CHECK-DAG: #[[OUT5:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[MASK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @attention_causal_gqa(
// CHECK-SAME:      %[[Q:.*]]: tensor<1x4x2x2xf32>, %[[K:.*]]: tensor<1x2x3x2xf32>, %[[V:.*]]: tensor<1x2x3x2xf32>, %[[M:.*]]: tensor<1x1x1x3xi1>)
// CHECK:         %[[KR:.*]] = linalg.generic {indexing_maps = [#[[REPEAT]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[K]] : tensor<1x2x3x2xf32>) outs(%{{.*}} : tensor<1x4x3x2xf32>)
// CHECK:         %[[VR:.*]] = linalg.generic {indexing_maps = [#[[REPEAT]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[V]] : tensor<1x2x3x2xf32>) outs(%{{.*}} : tensor<1x4x3x2xf32>)
// CHECK:         %[[S0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x2x3xf32>)
// CHECK:         %[[QK:.*]] = linalg.generic {indexing_maps = [#[[QK_Q]], #[[QK_K]], #[[OUT5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[Q]], %[[KR]] : tensor<1x4x2x2xf32>, tensor<1x4x3x2xf32>) outs(%[[S0]] : tensor<1x4x2x3xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         %[[SCORES:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[MASK]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[QK]], %[[M]] : tensor<1x4x2x3xf32>, tensor<1x1x1x3xi1>) outs(%{{.*}} : tensor<1x4x2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[SI:.*]]: f32, %[[MI:.*]]: i1, %{{.*}}: f32):
// CHECK:           %[[SCALE:.*]] = arith.constant 0.707106769 : f32
// CHECK:           %[[SCALED:.*]] = arith.mulf %[[SI]], %[[SCALE]] : f32
// CHECK:           %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:           %[[MASKED:.*]] = arith.select %[[MI]], %[[SCALED]], %[[NEG_INF]] : f32
// CHECK:           %[[I:.*]] = linalg.index 2 : index
// CHECK:           %[[J:.*]] = linalg.index 3 : index
// CHECK:           %[[SHIFT:.*]] = arith.constant 1 : index
// CHECK:           %[[LIMIT:.*]] = arith.addi %[[I]], %[[SHIFT]] : index
// CHECK:           %[[VISIBLE:.*]] = arith.cmpi sle, %[[J]], %[[LIMIT]] : index
// CHECK:           %[[CAUSAL:.*]] = arith.select %[[VISIBLE]], %[[MASKED]], %[[NEG_INF]] : f32
// CHECK:           linalg.yield %[[CAUSAL]] : f32
// CHECK:         %[[MAX0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x2xf32>)
// CHECK:         %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[SCORES]] : tensor<1x4x2x3xf32>) outs(%[[MAX0]] : tensor<1x4x2xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[EXPS:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ROW]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[SCORES]], %[[MAX]] : tensor<1x4x2x3xf32>, tensor<1x4x2xf32>) outs(%{{.*}} : tensor<1x4x2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %[[XMAX:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[NEG_INF2:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT:      %[[ALL_MASKED:.*]] = arith.cmpf oeq, %[[XMAX]], %[[NEG_INF2]] : f32
// CHECK-NEXT:      %[[DIFF:.*]] = arith.subf %[[X]], %[[XMAX]] : f32
// CHECK-NEXT:      %[[EXP:.*]] = math.exp %[[DIFF]] : f32
// CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[E:.*]] = arith.select %[[ALL_MASKED]], %[[ZERO]], %[[EXP]] : f32
// CHECK-NEXT:      linalg.yield %[[E]] : f32
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[EXPS]] : tensor<1x4x2x3xf32>)
// CHECK:           arith.addf
// CHECK:         %[[PROBS:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ROW]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[EXPS]], %[[SUM]] : tensor<1x4x2x3xf32>, tensor<1x4x2xf32>)
// CHECK-NEXT:    ^bb0(%[[EI:.*]]: f32, %[[SUMI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[ZERO2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[EMPTY_ROW:.*]] = arith.cmpf oeq, %[[SUMI]], %[[ZERO2]] : f32
// CHECK-NEXT:      %[[P:.*]] = arith.divf %[[EI]], %[[SUMI]] : f32
// CHECK-NEXT:      %[[PSEL:.*]] = arith.select %[[EMPTY_ROW]], %[[ZERO2]], %[[P]] : f32
// CHECK-NEXT:      linalg.yield %[[PSEL]] : f32
// CHECK:         %[[O0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x2x2xf32>)
// CHECK:         %[[O:.*]] = linalg.generic {indexing_maps = [#[[OUT5]], #[[QK_K]], #[[QK_Q]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%[[PROBS]], %[[VR]] : tensor<1x4x2x3xf32>, tensor<1x4x3x2xf32>) outs(%[[O0]] : tensor<1x4x2x2xf32>)
// CHECK:         return %[[O]]
func.func @attention_causal_gqa(%q: tensor<1x4x2x2xf32>, %k: tensor<1x2x3x2xf32>, %v: tensor<1x2x3x2xf32>,
                                %mask: tensor<1x1x1x3xi1>) -> tensor<1x4x2x2xf32> {
  %0 = tfm.attention %q, %k, %v, %mask {causal} : (tensor<1x4x2x2xf32>, tensor<1x2x3x2xf32>, tensor<1x2x3x2xf32>, tensor<1x1x1x3xi1>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

// f16, rank 2, explicit scale, additive mask (widened and added after the
// scale); no head repetition, no causal rule; scores and probabilities stay
// f32 and only the output is rounded.

// CHECK-DAG: #[[QK_Q:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[QK_K:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @attention_additive_f16(
// CHECK-SAME:      %[[Q:.*]]: tensor<2x2xf16>, %[[K:.*]]: tensor<3x2xf16>, %[[V:.*]]: tensor<3x4xf16>, %[[M:.*]]: tensor<2x3xf16>)
// CHECK-NOT:     floordiv
// CHECK:         %[[QK:.*]] = linalg.generic {indexing_maps = [#[[QK_Q]], #[[QK_K]], #[[OUT3]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Q]], %[[K]] : tensor<2x2xf16>, tensor<3x2xf16>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK:           arith.extf
// CHECK:           arith.extf
// CHECK:         %[[SCORES:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[QK]], %[[M]] : tensor<2x3xf32>, tensor<2x3xf16>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[SI:.*]]: f32, %[[MI:.*]]: f16, %{{.*}}: f32):
// CHECK:           %[[SCALE:.*]] = arith.constant 5.000000e-01 : f32
// CHECK:           %[[SCALED:.*]] = arith.mulf %[[SI]], %[[SCALE]] : f32
// CHECK:           %[[MW:.*]] = arith.extf %[[MI]] : f16 to f32
// CHECK:           %[[SUM:.*]] = arith.addf %[[SCALED]], %[[MW]] : f32
// CHECK-NEXT:      linalg.yield %[[SUM]] : f32
// CHECK:         arith.maximumf
// CHECK:         math.exp
// CHECK:         arith.divf
// CHECK:         %[[O:.*]] = linalg.generic {indexing_maps = [#[[OUT3]], #[[QK_K]], #[[QK_Q]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}}, %[[V]] : tensor<2x3xf32>, tensor<3x4xf16>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} ins(%[[O]] : tensor<2x4xf32>) outs(%{{.*}} : tensor<2x4xf16>)
// CHECK:           arith.truncf %{{.*}} : f32 to f16
// CHECK:         return %[[R]]
func.func @attention_additive_f16(%q: tensor<2x2xf16>, %k: tensor<3x2xf16>, %v: tensor<3x4xf16>,
                                  %mask: tensor<2x3xf16>) -> tensor<2x4xf16> {
  %0 = tfm.attention %q, %k, %v, %mask {scale = 0.5 : f64} : (tensor<2x2xf16>, tensor<3x2xf16>, tensor<3x4xf16>, tensor<2x3xf16>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

// Two passes: mean = Σx / n, then invStd = rsqrt(Σ(x - mean)² / n + eps),
// then (x - mean) · invStd · scale + bias.

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[PARAM:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm(
// CHECK-SAME:      %[[X:.*]]: tensor<2x4xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-DAG:     %[[INV_N:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[SUM0:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x4xf32>) outs(%[[SUM0]] : tensor<2xf32>)
// CHECK:           arith.addf
// CHECK:         %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<2xf32>)
// CHECK:           arith.mulf %{{.*}}, %[[INV_N]] : f32
// CHECK:         %[[SQ0:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK:         %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<2x4xf32>, tensor<2xf32>) outs(%[[SQ0]] : tensor<2xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f32, %[[MI:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[D:.*]] = arith.subf %[[XI]], %[[MI]] : f32
// CHECK-NEXT:      %[[D2:.*]] = arith.mulf %[[D]], %[[D]] : f32
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[ACC]], %[[D2]] : f32
// CHECK:         %[[INV_STD:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[SQ]] : tensor<2xf32>)
// CHECK-NEXT:    ^bb0(%[[SQI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[VAR:.*]] = arith.mulf %[[SQI]], %[[INV_N]] : f32
// CHECK-NEXT:      %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK-NEXT:      %[[VE:.*]] = arith.addf %[[VAR]], %[[EPS]] : f32
// CHECK-NEXT:      %[[RS:.*]] = math.rsqrt %[[VE]] : f32
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ROW]], #[[PARAM]], #[[PARAM]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[INV_STD]], %[[MEAN]], %[[G]], %[[B]] : tensor<2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<4xf32>, tensor<4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI2:.*]]: f32, %[[IS:.*]]: f32, %[[MI2:.*]]: f32, %[[GI:.*]]: f32, %[[BI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[C:.*]] = arith.subf %[[XI2]], %[[MI2]] : f32
// CHECK-NEXT:      %[[N:.*]] = arith.mulf %[[C]], %[[IS]] : f32
// CHECK-NEXT:      %[[SC:.*]] = arith.mulf %[[N]], %[[GI]] : f32
// CHECK-NEXT:      %[[Y:.*]] = arith.addf %[[SC]], %[[BI]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
// CHECK:         return %[[R]]
func.func @layer_norm(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = tfm.layer_norm %x scale(%g) bias(%b) {epsilon = 1.0e-05 : f64} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// axis = 1 normalizes over [3, 4] (two reduction dimensions, n = 12); f16
// statistics accumulate in f32; no scale or bias.

// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[STAT:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func.func @layer_norm_axis(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x4xf16>)
// CHECK-DAG:     arith.constant 0.0833333358 : f32
// CHECK:         linalg.generic {indexing_maps = [#[[ID3]], #[[STAT]]], iterator_types = ["parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<2x3x4xf16>) outs(%{{.*}} : tensor<2xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f16, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[XI]] : f16 to f32
// CHECK-NEXT:      arith.addf %[[XW]], %[[ACC]] : f32
// CHECK:         linalg.generic {indexing_maps = [#[[ID3]], #[[STAT]], #[[STAT]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK:           arith.subf
// CHECK:         math.rsqrt
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[STAT]], #[[STAT]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %{{.*}}, %{{.*}} : tensor<2x3x4xf16>, tensor<2xf32>, tensor<2xf32>) outs(%{{.*}} : tensor<2x3x4xf16>)
// CHECK:           arith.extf
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK-NEXT:      linalg.yield %[[T]] : f16
// CHECK:         return %[[R]]
func.func @layer_norm_axis(%x: tensor<2x3x4xf16>) -> tensor<2x3x4xf16> {
  %0 = tfm.layer_norm %x {axis = 1 : i64} : (tensor<2x3x4xf16>) -> tensor<2x3x4xf16>
  return %0 : tensor<2x3x4xf16>
}

// -----

// No mean: invRms = rsqrt(Σx² / n + eps), then x · invRms · scale, in f32.

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[PARAM:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @rms_norm(
// CHECK-SAME:      %[[X:.*]]: tensor<2x4xbf16>, %[[G:.*]]: tensor<4xbf16>)
// CHECK-DAG:     %[[INV_N:.*]] = arith.constant 2.500000e-01 : f32
// CHECK:         %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x4xbf16>) outs(%{{.*}} : tensor<2xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: bf16, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[XI]] : bf16 to f32
// CHECK-NEXT:      %[[X2:.*]] = arith.mulf %[[XW]], %[[XW]] : f32
// CHECK-NEXT:      arith.addf %[[ACC]], %[[X2]] : f32
// CHECK:         %[[INV:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[SQ]] : tensor<2xf32>)
// CHECK:           arith.mulf %{{.*}}, %[[INV_N]] : f32
// CHECK:           arith.constant 9.99999997E-7 : f32
// CHECK:           math.rsqrt
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[PARAM]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[INV]], %[[G]] : tensor<2x4xbf16>, tensor<2xf32>, tensor<4xbf16>) outs(%{{.*}} : tensor<2x4xbf16>)
// CHECK-NEXT:    ^bb0(%[[XI2:.*]]: bf16, %[[IR:.*]]: f32, %[[GI:.*]]: bf16, %{{.*}}: bf16):
// CHECK-NEXT:      %[[XW2:.*]] = arith.extf %[[XI2]] : bf16 to f32
// CHECK-NEXT:      %[[N:.*]] = arith.mulf %[[XW2]], %[[IR]] : f32
// CHECK-NEXT:      %[[GW:.*]] = arith.extf %[[GI]] : bf16 to f32
// CHECK-NEXT:      %[[Y:.*]] = arith.mulf %[[N]], %[[GW]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[Y]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[T]] : bf16
// CHECK:         return %[[R]]
func.func @rms_norm(%x: tensor<2x4xbf16>, %g: tensor<4xbf16>) -> tensor<2x4xbf16> {
  %0 = tfm.rms_norm %x scale(%g) {epsilon = 1.0e-06 : f64} : (tensor<2x4xbf16>, tensor<4xbf16>) -> tensor<2x4xbf16>
  return %0 : tensor<2x4xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise, binary
//===----------------------------------------------------------------------===//

// numpy broadcasting: operands align right; a size-1 dimension that
// stretches reads index 0.

// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @add(
// CHECK-SAME:      %[[A:.*]]: tensor<2x1x4xf32>, %[[B:.*]]: tensor<3x1xf32>) -> tensor<2x3x4xf32>
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[A]], %[[B]] : tensor<2x1x4xf32>, tensor<3x1xf32>) outs(%[[E]] : tensor<2x3x4xf32>)
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK:         return %[[R]]
func.func @add(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = tfm.add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @sub_f16(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf16>, %[[B:.*]]: tensor<3xf16>)
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[RHS]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[A]], %[[B]] : tensor<2x3xf16>, tensor<3xf16>) outs(%{{.*}} : tensor<2x3xf16>)
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f16, %[[Y:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK-NEXT:      %[[YW:.*]] = arith.extf %[[Y]] : f16 to f32
// CHECK-NEXT:      %[[D:.*]] = arith.subf %[[XW]], %[[YW]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[D]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[T]] : f16
// CHECK:         return %[[R]]
func.func @sub_f16(%a: tensor<2x3xf16>, %b: tensor<3xf16>) -> tensor<2x3xf16> {
  %0 = tfm.sub %a, %b : (tensor<2x3xf16>, tensor<3xf16>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @mul_i32(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xi32>, %[[B:.*]]: tensor<2x1xi32>)
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[A]], %[[B]] : tensor<2x3xi32>, tensor<2x1xi32>) outs(%{{.*}} : tensor<2x3xi32>)
// CHECK-NEXT:    ^bb0(%[[X:.*]]: i32, %[[Y:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT:      %[[P:.*]] = arith.muli %[[X]], %[[Y]] : i32
// CHECK-NEXT:      linalg.yield %[[P]] : i32
// CHECK:         return %[[R]]
func.func @mul_i32(%a: tensor<2x3xi32>, %b: tensor<2x1xi32>) -> tensor<2x3xi32> {
  %0 = tfm.mul %a, %b : (tensor<2x3xi32>, tensor<2x1xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// Integer division truncates (divsi); a rank-0 operand broadcasts with the
// empty map.

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @div(
// CHECK-SAME:      %[[A:.*]]: tensor<4xi64>, %[[B:.*]]: tensor<4xi64>, %[[X:.*]]: tensor<4xbf16>, %[[Y:.*]]: tensor<bf16>)
// CHECK:         %[[Q:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[A]], %[[B]] : tensor<4xi64>, tensor<4xi64>)
// CHECK-NEXT:    ^bb0(%[[AI:.*]]: i64, %[[BI:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT:      %[[D:.*]] = arith.divsi %[[AI]], %[[BI]] : i64
// CHECK-NEXT:      linalg.yield %[[D]] : i64
// CHECK:         %[[F:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[SCALAR]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[X]], %[[Y]] : tensor<4xbf16>, tensor<bf16>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: bf16, %[[YI:.*]]: bf16, %{{.*}}: bf16):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[XI]] : bf16 to f32
// CHECK-NEXT:      %[[YW:.*]] = arith.extf %[[YI]] : bf16 to f32
// CHECK-NEXT:      %[[DF:.*]] = arith.divf %[[XW]], %[[YW]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[DF]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[T]] : bf16
// CHECK:         return %[[Q]], %[[F]]
func.func @div(%a: tensor<4xi64>, %b: tensor<4xi64>, %x: tensor<4xbf16>, %y: tensor<bf16>) -> (tensor<4xi64>, tensor<4xbf16>) {
  %0 = tfm.div %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %1 = tfm.div %x, %y : (tensor<4xbf16>, tensor<bf16>) -> tensor<4xbf16>
  return %0, %1 : tensor<4xi64>, tensor<4xbf16>
}

// -----

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW0:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @pow(
// CHECK-SAME:      %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<1x3xf32>)
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW0]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<1x3xf32>)
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[P:.*]] = math.powf %[[X]], %[[Y]] : f32
// CHECK-NEXT:      linalg.yield %[[P]] : f32
// CHECK:         return %[[R]]
func.func @pow(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %0 = tfm.pow %a, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Float min/max propagate NaN (minimumf/maximumf, as torch.minimum);
// integers compare signed.

// CHECK-LABEL: func.func @min(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[M:.*]] = arith.minimumf %[[X]], %[[Y]] : f32
// CHECK-NEXT:      linalg.yield %[[M]] : f32
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[I:.*]]: i32, %[[J:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT:      %[[MI:.*]] = arith.minsi %[[I]], %[[J]] : i32
// CHECK-NEXT:      linalg.yield %[[MI]] : i32
func.func @min(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<4xi32>, %j: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = tfm.min %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = tfm.min %i, %j : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @max(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f16, %[[Y:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK-NEXT:      %[[YW:.*]] = arith.extf %[[Y]] : f16 to f32
// CHECK-NEXT:      %[[M:.*]] = arith.maximumf %[[XW]], %[[YW]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[M]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[T]] : f16
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[I:.*]]: i64, %[[J:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT:      %[[MI:.*]] = arith.maxsi %[[I]], %[[J]] : i64
// CHECK-NEXT:      linalg.yield %[[MI]] : i64
func.func @max(%a: tensor<4xf16>, %b: tensor<4xf16>, %i: tensor<4xi64>, %j: tensor<4xi64>) -> (tensor<4xf16>, tensor<4xi64>) {
  %0 = tfm.max %a, %b : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  %1 = tfm.max %i, %j : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf16>, tensor<4xi64>
}

// -----

// Float comparisons are ordered except ne, which is unordered (true on NaN).

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @compare_float(
// CHECK:         linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>) outs(%{{.*}} : tensor<4xi1>)
// CHECK:           arith.cmpf oeq, %{{.*}}, %{{.*}} : f32
// CHECK:         linalg.generic
// CHECK:           arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK:         linalg.generic
// CHECK:           arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK:         linalg.generic
// CHECK:           arith.cmpf ole, %{{.*}}, %{{.*}} : f32
// CHECK:         linalg.generic
// CHECK:           arith.cmpf ogt, %{{.*}}, %{{.*}} : f32
// CHECK:         linalg.generic
// CHECK:           arith.cmpf oge, %{{.*}}, %{{.*}} : f32
func.func @compare_float(%a: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = tfm.compare eq, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = tfm.compare ne, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = tfm.compare lt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %3 = tfm.compare le, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %4 = tfm.compare gt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %5 = tfm.compare ge, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Integers compare signed, i1 unsigned (false < true); f16 compares in f32.

// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @compare_int(
// CHECK:         linalg.generic {indexing_maps = [#[[COL]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<3x1xi64>, tensor<1x2xi64>) outs(%{{.*}} : tensor<3x2xi1>)
// CHECK:           arith.cmpi slt, %{{.*}}, %{{.*}} : i64
// CHECK:         linalg.generic
// CHECK:           arith.cmpi ne, %{{.*}}, %{{.*}} : i64
// CHECK:         linalg.generic
// CHECK:           arith.cmpi ult, %{{.*}}, %{{.*}} : i1
// CHECK:         linalg.generic
// CHECK:           arith.cmpi uge, %{{.*}}, %{{.*}} : i1
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f16, %[[Y:.*]]: f16, %{{.*}}: i1):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK-NEXT:      %[[YW:.*]] = arith.extf %[[Y]] : f16 to f32
// CHECK-NEXT:      %[[C:.*]] = arith.cmpf ogt, %[[XW]], %[[YW]] : f32
// CHECK-NEXT:      linalg.yield %[[C]] : i1
func.func @compare_int(%i: tensor<3x1xi64>, %j: tensor<1x2xi64>, %p: tensor<2xi1>, %q: tensor<2xi1>, %h: tensor<2xf16>)
    -> (tensor<3x2xi1>, tensor<3x2xi1>, tensor<2xi1>, tensor<2xi1>, tensor<2xi1>) {
  %0 = tfm.compare lt, %i, %j : (tensor<3x1xi64>, tensor<1x2xi64>) -> tensor<3x2xi1>
  %1 = tfm.compare ne, %i, %j : (tensor<3x1xi64>, tensor<1x2xi64>) -> tensor<3x2xi1>
  %2 = tfm.compare lt, %p, %q : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  %3 = tfm.compare ge, %p, %q : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  %4 = tfm.compare gt, %h, %h : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xi1>
  return %0, %1, %2, %3, %4 : tensor<3x2xi1>, tensor<3x2xi1>, tensor<2xi1>, tensor<2xi1>, tensor<2xi1>
}

// -----

// All three operands broadcast (a rank-0 false value reads the empty map).

// CHECK-DAG: #[[COND:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @select(
// CHECK-SAME:      %[[C:.*]]: tensor<2x1xi1>, %[[T:.*]]: tensor<2x3xf32>, %[[F:.*]]: tensor<f32>)
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[COND]], #[[ID2]], #[[SCALAR]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[C]], %[[T]], %[[F]] : tensor<2x1xi1>, tensor<2x3xf32>, tensor<f32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[CI:.*]]: i1, %[[TI:.*]]: f32, %[[FI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[S:.*]] = arith.select %[[CI]], %[[TI]], %[[FI]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK:         return %[[R]]
func.func @select(%c: tensor<2x1xi1>, %t: tensor<2x3xf32>, %f: tensor<f32>) -> tensor<2x3xf32> {
  %0 = tfm.select %c, %t, %f : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise, unary
//===----------------------------------------------------------------------===//

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @neg(
// CHECK-SAME:      %[[X:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xi32>)
// CHECK:         linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[X]] : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[N:.*]] = arith.negf %[[XI]] : f32
// CHECK-NEXT:      linalg.yield %[[N]] : f32
// CHECK:         linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[I]] : tensor<4xi32>)
// CHECK-NEXT:    ^bb0(%[[II:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:      %[[NI:.*]] = arith.subi %[[ZERO]], %[[II]] : i32
// CHECK-NEXT:      linalg.yield %[[NI]] : i32
func.func @neg(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = tfm.neg %x : tensor<4xf32>
  %1 = tfm.neg %i : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @relu(
// CHECK-SAME:      %[[X:.*]]: tensor<4xf32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[X]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[M:.*]] = arith.maximumf %[[XI]], %[[ZERO]] : f32
// CHECK-NEXT:      linalg.yield %[[M]] : f32
// CHECK:         return %[[R]]
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// silu(x) = x · 1 / (1 + exp(-x)).

// CHECK-LABEL: func.func @silu(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[N:.*]] = arith.negf %[[X]] : f32
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[N]] : f32
// CHECK-NEXT:      %[[D:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK-NEXT:      %[[S:.*]] = arith.divf %[[ONE]], %[[D]] : f32
// CHECK-NEXT:      %[[R:.*]] = arith.mulf %[[X]], %[[S]] : f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
func.func @silu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.silu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @sigmoid(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: bf16, %{{.*}}: bf16):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[X]] : bf16 to f32
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[N:.*]] = arith.negf %[[XW]] : f32
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[N]] : f32
// CHECK-NEXT:      %[[D:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK-NEXT:      %[[S:.*]] = arith.divf %[[ONE]], %[[D]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[S]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[T]] : bf16
func.func @sigmoid(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = tfm.sigmoid %x : tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// CHECK-LABEL: func.func @tanh(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[R:.*]] = math.tanh %[[X]] : f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
func.func @tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.tanh %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @exp(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[XW]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[E]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[T]] : f16
func.func @exp(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = tfm.exp %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @log(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[R:.*]] = math.log %[[X]] : f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
func.func @log(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.log %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @sqrt(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[R:.*]] = math.sqrt %[[X]] : f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
func.func @sqrt(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.sqrt %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @erf(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[R:.*]] = math.erf %[[X]] : f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
func.func @erf(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.erf %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Exact GELU: 0.5 · x · (1 + erf(x · 1/√2)).

// CHECK-LABEL: func.func @gelu(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG:       %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:       %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:       %[[RSQRT2:.*]] = arith.constant 0.707106769 : f32
// CHECK:           %[[S:.*]] = arith.mulf %[[X]], %[[RSQRT2]] : f32
// CHECK:           %[[ERF:.*]] = math.erf %[[S]] : f32
// CHECK:           %[[CDF:.*]] = arith.addf %[[ONE]], %[[ERF]] : f32
// CHECK:           %[[HX:.*]] = arith.mulf %[[HALF]], %[[X]] : f32
// CHECK:           %[[R:.*]] = arith.mulf %[[HX]], %[[CDF]] : f32
// CHECK:           linalg.yield %[[R]] : f32
func.func @gelu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tfm.gelu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// tanh GELU: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))), in f32.

// CHECK-LABEL: func.func @gelu_tanh(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[XH:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT:      %[[X:.*]] = arith.extf %[[XH]] : f16 to f32
// CHECK-DAG:       %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:       %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:           %[[X2:.*]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK:           %[[X3:.*]] = arith.mulf %[[X]], %[[X2]] : f32
// CHECK:           %[[C:.*]] = arith.constant 4.471500e-02 : f32
// CHECK:           %[[CX3:.*]] = arith.mulf %[[C]], %[[X3]] : f32
// CHECK:           %[[INNER:.*]] = arith.addf %[[X]], %[[CX3]] : f32
// CHECK:           %[[K:.*]] = arith.constant 0.797884583 : f32
// CHECK:           %[[SCALED:.*]] = arith.mulf %[[K]], %[[INNER]] : f32
// CHECK:           %[[TANH:.*]] = math.tanh %[[SCALED]] : f32
// CHECK:           %[[CDF:.*]] = arith.addf %[[ONE]], %[[TANH]] : f32
// CHECK:           %[[HX:.*]] = arith.mulf %[[HALF]], %[[X]] : f32
// CHECK:           %[[R:.*]] = arith.mulf %[[HX]], %[[CDF]] : f32
// CHECK:           %[[T:.*]] = arith.truncf %[[R]] : f32 to f16
// CHECK:           linalg.yield %[[T]] : f16
func.func @gelu_tanh(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = tfm.gelu %x approximation = tanh : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// Float to float: truncf, extf, or through f32 between f16 and bf16.

// CHECK-LABEL: func.func @cast_float_float(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[A:.*]]: f32, %{{.*}}: f16):
// CHECK-NEXT:      %[[AT:.*]] = arith.truncf %[[A]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[AT]] : f16
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[B:.*]]: f16, %{{.*}}: f32):
// CHECK-NEXT:      %[[BE:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT:      linalg.yield %[[BE]] : f32
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[C:.*]]: f16, %{{.*}}: bf16):
// CHECK-NEXT:      %[[CE:.*]] = arith.extf %[[C]] : f16 to f32
// CHECK-NEXT:      %[[CT:.*]] = arith.truncf %[[CE]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[CT]] : bf16
func.func @cast_float_float(%x: tensor<4xf32>, %h: tensor<4xf16>) -> (tensor<4xf16>, tensor<4xf32>, tensor<4xbf16>) {
  %0 = tfm.cast %x : tensor<4xf32> -> tensor<4xf16>
  %1 = tfm.cast %h : tensor<4xf16> -> tensor<4xf32>
  %2 = tfm.cast %h : tensor<4xf16> -> tensor<4xbf16>
  return %0, %1, %2 : tensor<4xf16>, tensor<4xf32>, tensor<4xbf16>
}

// -----

// Float to integer truncates toward zero (fptosi); integers convert signed,
// i1 unsigned (0 or 1).

// CHECK-LABEL: func.func @cast_float_int(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[A:.*]]: f32, %{{.*}}: i32):
// CHECK-NEXT:      %[[AI:.*]] = arith.fptosi %[[A]] : f32 to i32
// CHECK-NEXT:      linalg.yield %[[AI]] : i32
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[B:.*]]: f16, %{{.*}}: i64):
// CHECK-NEXT:      %[[BW:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT:      %[[BI:.*]] = arith.fptosi %[[BW]] : f32 to i64
// CHECK-NEXT:      linalg.yield %[[BI]] : i64
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[C:.*]]: i32, %{{.*}}: f32):
// CHECK-NEXT:      %[[CF:.*]] = arith.sitofp %[[C]] : i32 to f32
// CHECK-NEXT:      linalg.yield %[[CF]] : f32
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[D:.*]]: i1, %{{.*}}: f32):
// CHECK-NEXT:      %[[DF:.*]] = arith.uitofp %[[D]] : i1 to f32
// CHECK-NEXT:      linalg.yield %[[DF]] : f32
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[E:.*]]: i1, %{{.*}}: bf16):
// CHECK-NEXT:      %[[EF:.*]] = arith.uitofp %[[E]] : i1 to f32
// CHECK-NEXT:      %[[ET:.*]] = arith.truncf %[[EF]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[ET]] : bf16
func.func @cast_float_int(%x: tensor<4xf32>, %h: tensor<4xf16>, %i: tensor<4xi32>, %b: tensor<4xi1>)
    -> (tensor<4xi32>, tensor<4xi64>, tensor<4xf32>, tensor<4xf32>, tensor<4xbf16>) {
  %0 = tfm.cast %x : tensor<4xf32> -> tensor<4xi32>
  %1 = tfm.cast %h : tensor<4xf16> -> tensor<4xi64>
  %2 = tfm.cast %i : tensor<4xi32> -> tensor<4xf32>
  %3 = tfm.cast %b : tensor<4xi1> -> tensor<4xf32>
  %4 = tfm.cast %b : tensor<4xi1> -> tensor<4xbf16>
  return %0, %1, %2, %3, %4 : tensor<4xi32>, tensor<4xi64>, tensor<4xf32>, tensor<4xf32>, tensor<4xbf16>
}

// -----

// To i1 is x != 0 (une for floats: NaN is true).

// CHECK-LABEL: func.func @cast_to_i1(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[A:.*]]: f32, %{{.*}}: i1):
// CHECK-NEXT:      %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[AB:.*]] = arith.cmpf une, %[[A]], %[[Z]] : f32
// CHECK-NEXT:      linalg.yield %[[AB]] : i1
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[B:.*]]: bf16, %{{.*}}: i1):
// CHECK-NEXT:      %[[BW:.*]] = arith.extf %[[B]] : bf16 to f32
// CHECK-NEXT:      %[[Z2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[BB:.*]] = arith.cmpf une, %[[BW]], %[[Z2]] : f32
// CHECK-NEXT:      linalg.yield %[[BB]] : i1
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[C:.*]]: i64, %{{.*}}: i1):
// CHECK-NEXT:      %[[Z3:.*]] = arith.constant 0 : i64
// CHECK-NEXT:      %[[CB:.*]] = arith.cmpi ne, %[[C]], %[[Z3]] : i64
// CHECK-NEXT:      linalg.yield %[[CB]] : i1
func.func @cast_to_i1(%x: tensor<4xf32>, %h: tensor<4xbf16>, %i: tensor<4xi64>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = tfm.cast %x : tensor<4xf32> -> tensor<4xi1>
  %1 = tfm.cast %h : tensor<4xbf16> -> tensor<4xi1>
  %2 = tfm.cast %i : tensor<4xi64> -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Integer widening is signed (extsi) except from i1 (extui); narrowing is
// trunci.

// CHECK-LABEL: func.func @cast_int_int(
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[A:.*]]: i32, %{{.*}}: i64):
// CHECK-NEXT:      %[[AW:.*]] = arith.extsi %[[A]] : i32 to i64
// CHECK-NEXT:      linalg.yield %[[AW]] : i64
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[B:.*]]: i64, %{{.*}}: i32):
// CHECK-NEXT:      %[[BN:.*]] = arith.trunci %[[B]] : i64 to i32
// CHECK-NEXT:      linalg.yield %[[BN]] : i32
// CHECK:         linalg.generic
// CHECK-NEXT:    ^bb0(%[[C:.*]]: i1, %{{.*}}: i32):
// CHECK-NEXT:      %[[CW:.*]] = arith.extui %[[C]] : i1 to i32
// CHECK-NEXT:      linalg.yield %[[CW]] : i32
func.func @cast_int_int(%i: tensor<4xi32>, %l: tensor<4xi64>, %b: tensor<4xi1>) -> (tensor<4xi64>, tensor<4xi32>, tensor<4xi32>) {
  %0 = tfm.cast %i : tensor<4xi32> -> tensor<4xi64>
  %1 = tfm.cast %l : tensor<4xi64> -> tensor<4xi32>
  %2 = tfm.cast %b : tensor<4xi1> -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xi64>, tensor<4xi32>, tensor<4xi32>
}

// -----

//===----------------------------------------------------------------------===//
// Shape
//===----------------------------------------------------------------------===//

// Row-major reshape: collapse to 1-D, then expand (each step skipped when
// one side already is 1-D).

// CHECK-LABEL: func.func @reshape(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<6xi32>, %[[Z:.*]]: tensor<2x3xi1>)
// CHECK:         %[[XF:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK:         %[[A:.*]] = tensor.expand_shape %[[XF]] {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK:         %[[B:.*]] = tensor.expand_shape %[[Y]] {{\[}}[0, 1]] output_shape [2, 3] : tensor<6xi32> into tensor<2x3xi32>
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[Z]] {{\[}}[0, 1]] : tensor<2x3xi1> into tensor<6xi1>
// CHECK:         return %[[A]], %[[B]], %[[C]]
func.func @reshape(%x: tensor<2x3xf32>, %y: tensor<6xi32>, %z: tensor<2x3xi1>) -> (tensor<3x2xf32>, tensor<2x3xi32>, tensor<6xi1>) {
  %0 = tfm.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = tfm.reshape %y : tensor<6xi32> -> tensor<2x3xi32>
  %2 = tfm.reshape %z : tensor<2x3xi1> -> tensor<6xi1>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<2x3xi32>, tensor<6xi1>
}

// -----

// To and from rank 0: an empty reassociation.

// CHECK-LABEL: func.func @reshape_rank0(
// CHECK-SAME:      %[[S:.*]]: tensor<f32>, %[[T:.*]]: tensor<1x1xi64>, %[[U:.*]]: tensor<1xf16>)
// CHECK:         %[[A:.*]] = tensor.expand_shape %[[S]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
// CHECK:         %[[B:.*]] = tensor.collapse_shape %[[T]] [] : tensor<1x1xi64> into tensor<i64>
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[U]] [] : tensor<1xf16> into tensor<f16>
// CHECK:         return %[[A]], %[[B]], %[[C]]
func.func @reshape_rank0(%s: tensor<f32>, %t: tensor<1x1xi64>, %u: tensor<1xf16>) -> (tensor<1x1xf32>, tensor<i64>, tensor<f16>) {
  %0 = tfm.reshape %s : tensor<f32> -> tensor<1x1xf32>
  %1 = tfm.reshape %t : tensor<1x1xi64> -> tensor<i64>
  %2 = tfm.reshape %u : tensor<1xf16> -> tensor<f16>
  return %0, %1, %2 : tensor<1x1xf32>, tensor<i64>, tensor<f16>
}

// -----

// CHECK-LABEL: func.func @transpose(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x4xf32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<3x4x2xf32>
// CHECK:         %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[E]] : tensor<3x4x2xf32>) permutation = [1, 2, 0]
// CHECK:         return %[[T]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = tfm.transpose %x [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  return %0 : tensor<3x4x2xf32>
}

// -----

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast_to(
// CHECK-SAME:      %[[X:.*]]: tensor<3x1xf32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<3x1xf32>) outs(%[[E]] : tensor<2x3x4xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[XI]] : f32
// CHECK:         return %[[R]]
func.func @broadcast_to(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = tfm.broadcast_to %x : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @concat(
// CHECK-SAME:      %[[A:.*]]: tensor<2x2xf32>, %[[B:.*]]: tensor<2x3xf32>, %[[C:.*]]: tensor<2x1xf32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x6xf32>
// CHECK:         %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 2] [1, 1] : tensor<2x2xf32> into tensor<2x6xf32>
// CHECK:         %[[I1:.*]] = tensor.insert_slice %[[B]] into %[[I0]][0, 2] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x6xf32>
// CHECK:         %[[I2:.*]] = tensor.insert_slice %[[C]] into %[[I1]][0, 5] [2, 1] [1, 1] : tensor<2x1xf32> into tensor<2x6xf32>
// CHECK:         return %[[I2]]
func.func @concat(%a: tensor<2x2xf32>, %b: tensor<2x3xf32>, %c: tensor<2x1xf32>) -> tensor<2x6xf32> {
  %0 = tfm.concat %a, %b, %c {axis = -1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// CHECK-LABEL: func.func @slice(
// CHECK-SAME:      %[[X:.*]]: tensor<4x8xf32>)
// CHECK:         %[[S:.*]] = tensor.extract_slice %[[X]][1, 2] [2, 3] [1, 2] : tensor<4x8xf32> to tensor<2x3xf32>
// CHECK:         return %[[S]]
func.func @slice(%x: tensor<4x8xf32>) -> tensor<2x3xf32> {
  %0 = tfm.slice %x {starts = array<i64: 1, 2>, limits = array<i64: 3, 8>, strides = array<i64: 1, 2>} : tensor<4x8xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @split(
// CHECK-SAME:      %[[X:.*]]: tensor<2x6xf32>)
// CHECK:         %[[A:.*]] = tensor.extract_slice %[[X]][0, 0] [2, 1] [1, 1] : tensor<2x6xf32> to tensor<2x1xf32>
// CHECK:         %[[B:.*]] = tensor.extract_slice %[[X]][0, 1] [2, 2] [1, 1] : tensor<2x6xf32> to tensor<2x2xf32>
// CHECK:         %[[C:.*]] = tensor.extract_slice %[[X]][0, 3] [2, 3] [1, 1] : tensor<2x6xf32> to tensor<2x3xf32>
// CHECK:         return %[[A]], %[[B]], %[[C]]
func.func @split(%x: tensor<2x6xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x3xf32>) {
  %0:3 = tfm.split %x {axis = -1 : i64, sizes = array<i64: 1, 2, 3>} : tensor<2x6xf32> -> tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x3xf32>
  return %0#0, %0#1, %0#2 : tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x3xf32>
}

// -----

// Gather along axis 1 (negative indices wrap by the axis size before the
// check), then along axis -2 with a rank-0 i32 index; a named location
// names the site.

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[SCALAR0:.*]] = affine_map<() -> ()>
// CHECK-DAG: #[[SCALAR1:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: llvm.mlir.global private constant @__tfmc_site_0("tfm.gather at {{.*}}convert-tfm-to-linalg.mlir:[[#@LINE+46]]:8\00")
// CHECK-DAG: llvm.mlir.global private constant @__tfmc_site_1("tfm.gather 'blk0.take'\00")
// CHECK-DAG: func.func private @tfmrt_index_error(i64, i64, i64, !llvm.ptr)
// CHECK-LABEL: func.func @gather(
// CHECK-SAME:      %[[X:.*]]: tensor<2x5x3xf32>, %[[IDX_ARG:.*]]: tensor<4xi64>, %[[Y:.*]]: tensor<6x2xi32>, %[[I:.*]]: tensor<i32>)
// CHECK:         %[[SITE0:.*]] = llvm.mlir.addressof @__tfmc_site_0 : !llvm.ptr
// CHECK:         %[[CHK0:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[IDX_ARG]] : tensor<4xi64>) outs(%{{.*}} : tensor<4xi64>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: i64, %{{.*}}: i64):
// CHECK-DAG:       %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG:       %[[SIZE:.*]] = arith.constant 5 : i64
// CHECK:           %[[NEG:.*]] = arith.cmpi slt, %[[IN]], %[[ZERO]] : i64
// CHECK:           %[[WRAPPED:.*]] = arith.addi %[[IN]], %[[SIZE]] : i64
// CHECK:           %[[NORM:.*]] = arith.select %[[NEG]], %[[WRAPPED]], %[[IN]] : i64
// CHECK:           %[[GE:.*]] = arith.cmpi sge, %[[NORM]], %[[ZERO]] : i64
// CHECK:           %[[LT:.*]] = arith.cmpi slt, %[[NORM]], %[[SIZE]] : i64
// CHECK:           %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK:           %[[BAD:.*]] = arith.xori %[[OK]], %{{.*}} : i1
// CHECK:           scf.if %[[BAD]] {
// CHECK-NEXT:        %[[LOWER:.*]] = arith.constant -5 : i64
// CHECK-NEXT:        func.call @tfmrt_index_error(%[[IN]], %[[LOWER]], %[[SIZE]], %[[SITE0]]) : (i64, i64, i64, !llvm.ptr) -> ()
// CHECK:           %[[CLAMPED:.*]] = arith.select %[[OK]], %[[NORM]], %[[ZERO]] : i64
// CHECK:           linalg.yield %[[CLAMPED]] : i64
// CHECK:         %[[G0:.*]] = linalg.generic {indexing_maps = [#[[IDX]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[CHK0]] : tensor<4xi64>) outs(%{{.*}} : tensor<2x4x3xf32>)
// CHECK-NEXT:    ^bb0(%[[J:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT:      %[[D0:.*]] = linalg.index 0 : index
// CHECK-NEXT:      %[[D1:.*]] = arith.index_cast %[[J]] : i64 to index
// CHECK-NEXT:      %[[D2:.*]] = linalg.index 2 : index
// CHECK-NEXT:      %[[V0:.*]] = tensor.extract %[[X]][%[[D0]], %[[D1]], %[[D2]]] : tensor<2x5x3xf32>
// CHECK-NEXT:      linalg.yield %[[V0]] : f32
// CHECK:         %[[SITE1:.*]] = llvm.mlir.addressof @__tfmc_site_1 : !llvm.ptr
// CHECK:         %[[CHK1:.*]] = linalg.generic {indexing_maps = [#[[SCALAR0]], #[[SCALAR0]]], iterator_types = []} ins(%[[I]] : tensor<i32>) outs(%{{.*}} : tensor<i64>)
// CHECK-NEXT:    ^bb0(%[[IN1:.*]]: i32, %{{.*}}: i64):
// CHECK:           arith.constant 6 : i64
// CHECK:           scf.if
// CHECK-NEXT:        arith.constant -6 : i64
// CHECK-NEXT:        %[[WIDE:.*]] = arith.extsi %[[IN1]] : i32 to i64
// CHECK-NEXT:        func.call @tfmrt_index_error(%[[WIDE]], %{{.*}}, %{{.*}}, %[[SITE1]])
// CHECK:         %[[G1:.*]] = linalg.generic {indexing_maps = [#[[SCALAR1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[CHK1]] : tensor<i64>) outs(%{{.*}} : tensor<2xi32>)
// CHECK-NEXT:    ^bb0(%[[K:.*]]: i64, %{{.*}}: i32):
// CHECK-NEXT:      %[[R:.*]] = arith.index_cast %[[K]] : i64 to index
// CHECK-NEXT:      %[[C:.*]] = linalg.index 0 : index
// CHECK-NEXT:      %[[V1:.*]] = tensor.extract %[[Y]][%[[R]], %[[C]]] : tensor<6x2xi32>
// CHECK-NEXT:      linalg.yield %[[V1]] : i32
// CHECK:         return %[[G0]], %[[G1]]
func.func @gather(%x: tensor<2x5x3xf32>, %idx: tensor<4xi64>, %y: tensor<6x2xi32>, %i: tensor<i32>)
    -> (tensor<2x4x3xf32>, tensor<2xi32>) {
  %0 = tfm.gather %x, %idx {axis = 1 : i64} : (tensor<2x5x3xf32>, tensor<4xi64>) -> tensor<2x4x3xf32>
  %1 = tfm.gather %y, %i {axis = -2 : i64} : (tensor<6x2xi32>, tensor<i32>) -> tensor<2xi32> loc("blk0.take")
  return %0, %1 : tensor<2x4x3xf32>, tensor<2xi32>
}

// -----

// start + step · index(dimension): integers in i64 (then trunci), floats in
// f32 (then truncf).

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @iota(
// CHECK:         %[[A:.*]] = linalg.generic {indexing_maps = [#[[ID1]]], iterator_types = ["parallel"]} outs(%{{.*}} : tensor<4xi64>)
// CHECK-NEXT:    ^bb0(%{{.*}}: i64):
// CHECK-NEXT:      %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT:      %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT:      %[[START:.*]] = arith.constant 0 : i64
// CHECK-NEXT:      %[[STEP:.*]] = arith.constant 1 : i64
// CHECK-NEXT:      %[[M:.*]] = arith.muli %[[I64]], %[[STEP]] : i64
// CHECK-NEXT:      %[[V:.*]] = arith.addi %[[START]], %[[M]] : i64
// CHECK-NEXT:      linalg.yield %[[V]] : i64
// CHECK:         %[[B:.*]] = linalg.generic {indexing_maps = [#[[ID2]]], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<2x3xi32>)
// CHECK-NEXT:    ^bb0(%{{.*}}: i32):
// CHECK-NEXT:      %[[J:.*]] = linalg.index 1 : index
// CHECK-NEXT:      %[[J64:.*]] = arith.index_cast %[[J]] : index to i64
// CHECK-NEXT:      %[[START2:.*]] = arith.constant 2 : i64
// CHECK-NEXT:      %[[STEP3:.*]] = arith.constant 3 : i64
// CHECK-NEXT:      %[[M2:.*]] = arith.muli %[[J64]], %[[STEP3]] : i64
// CHECK-NEXT:      %[[V2:.*]] = arith.addi %[[START2]], %[[M2]] : i64
// CHECK-NEXT:      %[[T2:.*]] = arith.trunci %[[V2]] : i64 to i32
// CHECK-NEXT:      linalg.yield %[[T2]] : i32
// CHECK:         %[[C:.*]] = linalg.generic {indexing_maps = [#[[ID2]]], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%{{.*}}: f32):
// CHECK-NEXT:      %[[K:.*]] = linalg.index 0 : index
// CHECK-NEXT:      %[[K64:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK-NEXT:      %[[FSTART:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT:      %[[KF:.*]] = arith.sitofp %[[K64]] : i64 to f32
// CHECK-NEXT:      %[[FSTEP:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT:      %[[FM:.*]] = arith.mulf %[[KF]], %[[FSTEP]] : f32
// CHECK-NEXT:      %[[FV:.*]] = arith.addf %[[FSTART]], %[[FM]] : f32
// CHECK-NEXT:      linalg.yield %[[FV]] : f32
// CHECK:         %[[D:.*]] = linalg.generic {indexing_maps = [#[[ID1]]], iterator_types = ["parallel"]} outs(%{{.*}} : tensor<3xf16>)
// CHECK:           %[[HV:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:      %[[HT:.*]] = arith.truncf %[[HV]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[HT]] : f16
// CHECK:         return %[[A]], %[[B]], %[[C]], %[[D]]
func.func @iota() -> (tensor<4xi64>, tensor<2x3xi32>, tensor<2x3xf32>, tensor<3xf16>) {
  %0 = tfm.iota {dimension = 0 : i64} : tensor<4xi64>
  %1 = tfm.iota {dimension = 1 : i64, start = 2.0 : f64, step = 3.0 : f64} : tensor<2x3xi32>
  %2 = tfm.iota {dimension = 0 : i64, start = 0.5 : f64, step = 2.0 : f64} : tensor<2x3xf32>
  %3 = tfm.iota {dimension = 0 : i64} : tensor<3xf16>
  return %0, %1, %2, %3 : tensor<4xi64>, tensor<2x3xi32>, tensor<2x3xf32>, tensor<3xf16>
}

// -----

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// max (from -inf), exp(x - max), sum, divide; axis 0 here, so the reduced
// dimension is the first.

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3xf32>)
// CHECK:         %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[MAX0:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<3xf32>) -> tensor<3xf32>
// CHECK:         %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]]], iterator_types = ["reduction", "parallel"]} ins(%[[X]] : tensor<2x3xf32>) outs(%[[MAX0]] : tensor<3xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[M:.*]] = arith.maximumf %[[XI]], %[[ACC]] : f32
// CHECK-NEXT:      linalg.yield %[[M]] : f32
// CHECK:         %[[EXPS:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]] : tensor<2x3xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[XI2:.*]]: f32, %[[MI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[D:.*]] = arith.subf %[[XI2]], %[[MI]] : f32
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[D]] : f32
// CHECK-NEXT:      linalg.yield %[[E]] : f32
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[SUM0:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<3xf32>) -> tensor<3xf32>
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]]], iterator_types = ["reduction", "parallel"]} ins(%[[EXPS]] : tensor<2x3xf32>) outs(%[[SUM0]] : tensor<3xf32>)
// CHECK-NEXT:    ^bb0(%[[EI:.*]]: f32, %[[ACC2:.*]]: f32):
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[EI]], %[[ACC2]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[EXPS]], %[[SUM]] : tensor<2x3xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[EI2:.*]]: f32, %[[SI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[P:.*]] = arith.divf %[[EI2]], %[[SI]] : f32
// CHECK-NEXT:      linalg.yield %[[P]] : f32
// CHECK:         return %[[R]]
func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tfm.softmax %x {axis = 0 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// f16: widened in the max and exp passes, exps and sums kept in f32, the
// quotient rounded once.

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax_f16(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3xf16>)
// CHECK:         %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x3xf16>) outs(%{{.*}} : tensor<2xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f16, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[XI]] : f16 to f32
// CHECK-NEXT:      arith.maximumf %[[XW]], %[[ACC]] : f32
// CHECK:         %[[EXPS:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]] : tensor<2x3xf16>, tensor<2xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[XI2:.*]]: f16, %[[MI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[XW2:.*]] = arith.extf %[[XI2]] : f16 to f32
// CHECK-NEXT:      %[[D:.*]] = arith.subf %[[XW2]], %[[MI]] : f32
// CHECK-NEXT:      math.exp %[[D]] : f32
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[EXPS]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[EXPS]], %[[SUM]] : tensor<2x3xf32>, tensor<2xf32>) outs(%{{.*}} : tensor<2x3xf16>)
// CHECK-NEXT:    ^bb0(%[[EI:.*]]: f32, %[[SI:.*]]: f32, %{{.*}}: f16):
// CHECK-NEXT:      %[[P:.*]] = arith.divf %[[EI]], %[[SI]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[P]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[T]] : f16
// CHECK:         return %[[R]]
func.func @softmax_f16(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %0 = tfm.softmax %x : tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// Non-adjacent axes (one negative), an integer sum from 0, and a reduction
// over every axis to rank 0.

// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[MID:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @reduce_sum(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x4xi32>, %[[Y:.*]]: tensor<2x3xf32>)
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : i32) outs(%{{.*}} : tensor<3xi32>) -> tensor<3xi32>
// CHECK:         %[[A:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[MID]]], iterator_types = ["reduction", "parallel", "reduction"]} ins(%[[X]] : tensor<2x3x4xi32>) outs(%[[INIT]] : tensor<3xi32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: i32, %[[ACC:.*]]: i32):
// CHECK-NEXT:      %[[S:.*]] = arith.addi %[[XI]], %[[ACC]] : i32
// CHECK-NEXT:      linalg.yield %[[S]] : i32
// CHECK:         %[[FZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[FINIT:.*]] = linalg.fill ins(%[[FZERO]] : f32) outs(%{{.*}} : tensor<f32>) -> tensor<f32>
// CHECK:         %[[B:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[SCALAR]]], iterator_types = ["reduction", "reduction"]} ins(%[[Y]] : tensor<2x3xf32>) outs(%[[FINIT]] : tensor<f32>)
// CHECK:           arith.addf
// CHECK:         return %[[A]], %[[B]]
func.func @reduce_sum(%x: tensor<2x3x4xi32>, %y: tensor<2x3xf32>) -> (tensor<3xi32>, tensor<f32>) {
  %0 = tfm.reduce_sum %x {axes = array<i64: 0, -1>} : tensor<2x3x4xi32> -> tensor<3xi32>
  %1 = tfm.reduce_sum %y {axes = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<f32>
  return %0, %1 : tensor<3xi32>, tensor<f32>
}

// -----

// Sum in f32, times 1/n, rounded, then keep_dims restores the size-1
// dimension with expand_shape.

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @reduce_mean(
// CHECK-SAME:      %[[X:.*]]: tensor<2x4xf16>)
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x4xf16>) outs(%{{.*}} : tensor<2xf32>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f16, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[XW:.*]] = arith.extf %[[XI]] : f16 to f32
// CHECK-NEXT:      arith.addf %[[XW]], %[[ACC]] : f32
// CHECK:         %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<2xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK-NEXT:    ^bb0(%[[SI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[INV_N:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT:      arith.mulf %[[SI]], %[[INV_N]] : f32
// CHECK:         %[[ROUNDED:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[MEAN]] : tensor<2xf32>) outs(%{{.*}} : tensor<2xf16>)
// CHECK:           arith.truncf %{{.*}} : f32 to f16
// CHECK:         %[[R:.*]] = tensor.expand_shape %[[ROUNDED]] {{\[}}[0, 1]] output_shape [2, 1] : tensor<2xf16> into tensor<2x1xf16>
// CHECK:         return %[[R]]
func.func @reduce_mean(%x: tensor<2x4xf16>) -> tensor<2x1xf16> {
  %0 = tfm.reduce_mean %x {axes = array<i64: -1>, keep_dims = true} : tensor<2x4xf16> -> tensor<2x1xf16>
  return %0 : tensor<2x1xf16>
}

// -----

// Float max starts from -inf (maximumf), integer max from the smallest
// signed value (maxsi).

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @reduce_max(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3xf32>, %[[I:.*]]: tensor<2x3xi64>)
// CHECK:         %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[FINIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<3xf32>) -> tensor<3xf32>
// CHECK:         %[[A:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]]], iterator_types = ["reduction", "parallel"]} ins(%[[X]] : tensor<2x3xf32>) outs(%[[FINIT]] : tensor<3xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[AK:.*]] = tensor.expand_shape %[[A]] {{\[}}[0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK:         %[[MIN:.*]] = arith.constant -9223372036854775808 : i64
// CHECK:         %[[IINIT:.*]] = linalg.fill ins(%[[MIN]] : i64) outs(%{{.*}} : tensor<2xi64>) -> tensor<2xi64>
// CHECK:         %[[B:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[I]] : tensor<2x3xi64>) outs(%[[IINIT]] : tensor<2xi64>)
// CHECK-NEXT:    ^bb0(%[[II:.*]]: i64, %[[ACC:.*]]: i64):
// CHECK-NEXT:      %[[M:.*]] = arith.maxsi %[[II]], %[[ACC]] : i64
// CHECK-NEXT:      linalg.yield %[[M]] : i64
// CHECK:         return %[[AK]], %[[B]]
func.func @reduce_max(%x: tensor<2x3xf32>, %i: tensor<2x3xi64>) -> (tensor<1x3xf32>, tensor<2xi64>) {
  %0 = tfm.reduce_max %x {axes = array<i64: 0>, keep_dims = true} : tensor<2x3xf32> -> tensor<1x3xf32>
  %1 = tfm.reduce_max %i {axes = array<i64: 1>} : tensor<2x3xi64> -> tensor<2xi64>
  return %0, %1 : tensor<1x3xf32>, tensor<2xi64>
}

// -----

// One generic with two results (best value, its index); a strictly greater
// element replaces both, so ties keep the first index; a NaN replaces a
// number (NaN is the maximum, as in PyTorch).

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @argmax(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3xf32>) -> tensor<2xi64>
// CHECK:         %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[BEST0:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<2xf32>) -> tensor<2xf32>
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:         %[[IDX0:.*]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.*}} : tensor<2xi64>) -> tensor<2xi64>
// CHECK:         %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x3xf32>) outs(%[[BEST0]], %[[IDX0]] : tensor<2xf32>, tensor<2xi64>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: f32, %[[BEST:.*]]: f32, %[[BEST_IDX:.*]]: i64):
// CHECK-NEXT:      %[[OGT:.*]] = arith.cmpf ogt, %[[XI]], %[[BEST]] : f32
// CHECK-NEXT:      %[[XNAN:.*]] = arith.cmpf uno, %[[XI]], %[[XI]] : f32
// CHECK-NEXT:      %[[BNUM:.*]] = arith.cmpf ord, %[[BEST]], %[[BEST]] : f32
// CHECK-NEXT:      %[[NANWINS:.*]] = arith.andi %[[XNAN]], %[[BNUM]] : i1
// CHECK-NEXT:      %[[GT:.*]] = arith.ori %[[OGT]], %[[NANWINS]] : i1
// CHECK-NEXT:      %[[J:.*]] = linalg.index 1 : index
// CHECK-NEXT:      %[[J64:.*]] = arith.index_cast %[[J]] : index to i64
// CHECK-NEXT:      %[[NB:.*]] = arith.select %[[GT]], %[[XI]], %[[BEST]] : f32
// CHECK-NEXT:      %[[NI:.*]] = arith.select %[[GT]], %[[J64]], %[[BEST_IDX]] : i64
// CHECK-NEXT:      linalg.yield %[[NB]], %[[NI]] : f32, i64
// CHECK:         return %[[R]]#1
func.func @argmax(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %0 = tfm.argmax %x {axis = -1 : i64} : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Integer input (signed comparison, start from the smallest i32) along
// axis 0, with keep_dims.

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @argmax_keep_dims_i32(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3xi32>) -> tensor<1x3xi64>
// CHECK:         %[[MIN:.*]] = arith.constant -2147483648 : i32
// CHECK:         %[[BEST0:.*]] = linalg.fill ins(%[[MIN]] : i32) outs(%{{.*}} : tensor<3xi32>) -> tensor<3xi32>
// CHECK:         %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[COL]]], iterator_types = ["reduction", "parallel"]} ins(%[[X]] : tensor<2x3xi32>) outs(%[[BEST0]], %{{.*}} : tensor<3xi32>, tensor<3xi64>)
// CHECK-NEXT:    ^bb0(%[[XI:.*]]: i32, %[[BEST:.*]]: i32, %[[BEST_IDX:.*]]: i64):
// CHECK-NEXT:      %[[GT:.*]] = arith.cmpi sgt, %[[XI]], %[[BEST]] : i32
// CHECK-NEXT:      %[[I:.*]] = linalg.index 0 : index
// CHECK:           arith.select %[[GT]], %{{.*}}, %[[BEST_IDX]] : i64
// CHECK:         %[[K:.*]] = tensor.expand_shape %[[R]]#1 {{\[}}[0, 1]] output_shape [1, 3] : tensor<3xi64> into tensor<1x3xi64>
// CHECK:         return %[[K]]
func.func @argmax_keep_dims_i32(%x: tensor<2x3xi32>) -> tensor<1x3xi64> {
  %0 = tfm.argmax %x {axis = 0 : i64, keep_dims = true} : tensor<2x3xi32> -> tensor<1x3xi64>
  return %0 : tensor<1x3xi64>
}

// -----

// An empty table: every id is reported and nothing is read (the lookup
// yields 0 instead of touching the table).
// CHECK-LABEL: func.func @embedding_empty_table
// CHECK: func.call @tfmrt_index_error
// CHECK: linalg.generic
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield %{{.*}} : f32
func.func @embedding_empty_table(%ids: tensor<3xi64>, %table: tensor<0x4xf32>) -> tensor<3x4xf32> {
  %0 = tfm.embedding %ids, %table : (tensor<3xi64>, tensor<0x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Weights that do not stay in cache (2048x64 f32 = 512 KiB) against a few
// rows of activations: rows of the weight matrix are the outermost loop, so
// each is read once against all of x.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2) -> (d1, d0)>
// CHECK-LABEL: func.func @linear_large_weights
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "reduction"]}
func.func @linear_large_weights(%x: tensor<4x64xf32>, %w: tensor<2048x64xf32>) -> tensor<4x2048xf32> {
  %0 = tfm.linear %x, %w : (tensor<4x64xf32>, tensor<2048x64xf32>) -> tensor<4x2048xf32>
  return %0 : tensor<4x2048xf32>
}

// -----

// The flash form, causal: its own function; independent tasks (scf.forall)
// over heads × blocks of queries, each on the 2-D matrices of its head,
// visiting key blocks only up to its diagonal (a bound computed per query
// block), the remainder key block under an scf.if; the rows that do not
// fill a query block are a second forall.
// CHECK-LABEL: func.func private @__tfmc_attention_0(
// CHECK-SAME: %{{.*}}: tensor<1x5x4xf32>, %{{.*}}: tensor<1x5x4xf32>, %{{.*}}: tensor<1x5x4xf32>) -> tensor<1x5x4xf32>
// CHECK: %[[FULL:.*]] = scf.forall (%[[H:.*]], %[[QB:.*]]) in (1, 2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x5x4xf32>)
// CHECK: %[[QH:.*]] = tensor.extract_slice %arg0[%[[H]], 0, 0] [1, 5, 4] [1, 1, 1] : tensor<1x5x4xf32> to tensor<5x4xf32>
// CHECK: %[[QOFF:.*]] = arith.muli %[[QB]]
// CHECK: tensor.extract_slice %[[QH]][%{{.*}}, 0] [2, 4] [1, 1] : tensor<5x4xf32> to tensor<2x4xf32>
// CHECK: arith.ceildivsi
// CHECK: scf.for %[[KOFF:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK: math.exp
// CHECK: scf.if
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[H]], %{{.*}}, 0] [1, 2, 4] [1, 1, 1] : tensor<2x4xf32> into tensor<1x5x4xf32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (1, 1) shared_outs(%{{.*}} = %[[FULL]])
// CHECK: tensor.parallel_insert_slice %{{.*}} : tensor<1x4xf32> into tensor<1x5x4xf32>
// CHECK-LABEL: func.func @attention_flash_causal
// CHECK: %[[R:.*]] = call @__tfmc_attention_0(
// CHECK: return %[[R]]
func.func @attention_flash_causal(%q: tensor<1x5x4xf32>) -> tensor<1x5x4xf32> {
  %0 = tfm.attention %q, %q, %q {causal, tfmc.attention_lowering = "flash", tfmc.kv_block = 2 : i64} : (tensor<1x5x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>) -> tensor<1x5x4xf32>
  return %0 : tensor<1x5x4xf32>
}

// -----

// Head-split transposes around the flash form fold into its function: it
// takes the [B, S, H, D] tensors (bufferized as strided views: any strides,
// contiguous rows), slices a head's [S, D] matrix out of them (grouped K/V
// heads: head / 2), builds Kᵀ from [B, S, H, D] directly and writes its
// result as [B, S, H, D]; a transpose back to heads is left for the
// user's transpose to cancel (canonicalization removes both, and the
// transposes of the operands, now unused).
// CHECK-LABEL: func.func private @__tfmc_attention_0(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x6x4x8xf32> {bufferization.buffer_layout = strided<[?, ?, ?, 1], offset: ?>}
// CHECK-SAME: %[[K:[^:]*]]: tensor<1x6x2x8xf32> {bufferization.buffer_layout = strided<[?, ?, ?, 1], offset: ?>}
// CHECK-SAME: %[[V:[^:]*]]: tensor<1x6x2x8xf32> {bufferization.buffer_layout = strided<[?, ?, ?, 1], offset: ?>}
// CHECK-SAME: -> tensor<1x6x4x8xf32>
// CHECK: linalg.transpose ins(%[[K]] : tensor<1x6x2x8xf32>) outs(%{{.*}} : tensor<1x2x8x6xf32>) permutation = [0, 2, 3, 1]
// CHECK: scf.forall (%{{[a-z0-9]+}}, %[[H:[a-z0-9]+]], %{{[a-z0-9]+}}) in (1, 4, 2)
// CHECK: tensor.extract_slice %[[Q]][%{{.*}}, 0, %[[H]], 0] [1, 6, 1, 8] [1, 1, 1, 1] : tensor<1x6x4x8xf32> to tensor<6x8xf32>
// CHECK: arith.divui %[[H]], %c2
// CHECK: tensor.extract_slice %[[V]][%{{.*}}, 0, %{{.*}}, 0] [1, 6, 1, 8] [1, 1, 1, 1] : tensor<1x6x2x8xf32> to tensor<6x8xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %[[H]], 0] [1, 3, 1, 8] [1, 1, 1, 1] : tensor<3x8xf32> into tensor<1x6x4x8xf32>
// CHECK-LABEL: func.func @attention_flash_head_transposes
// CHECK: %[[R:.*]] = call @__tfmc_attention_0(%arg0, %arg1, %arg2)
// CHECK: %[[BACK:.*]] = linalg.transpose ins(%[[R]] : tensor<1x6x4x8xf32>) outs(%{{.*}} : tensor<1x4x6x8xf32>) permutation = [0, 2, 1, 3]
// CHECK: linalg.transpose ins(%[[BACK]] : tensor<1x4x6x8xf32>) outs(%{{.*}} : tensor<1x6x4x8xf32>) permutation = [0, 2, 1, 3]
func.func @attention_flash_head_transposes(%q: tensor<1x6x4x8xf32>, %k: tensor<1x6x2x8xf32>, %v: tensor<1x6x2x8xf32>) -> tensor<1x6x4x8xf32> {
  %qh = tfm.transpose %q [0, 2, 1, 3] : tensor<1x6x4x8xf32> -> tensor<1x4x6x8xf32>
  %kh = tfm.transpose %k [0, 2, 1, 3] : tensor<1x6x2x8xf32> -> tensor<1x2x6x8xf32>
  %vh = tfm.transpose %v [0, 2, 1, 3] : tensor<1x6x2x8xf32> -> tensor<1x2x6x8xf32>
  %a = tfm.attention %qh, %kh, %vh {tfmc.attention_lowering = "flash", tfmc.kv_block = 3 : i64} : (tensor<1x4x6x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) -> tensor<1x4x6x8xf32>
  %y = tfm.transpose %a [0, 2, 1, 3] : tensor<1x4x6x8xf32> -> tensor<1x6x4x8xf32>
  return %y : tensor<1x6x4x8xf32>
}

// -----

// The GPU flash form: the operands as buffers (read-only), the result in a
// new buffer, a call of a declaration that tfmc-lower-gpu-attention
// defines. Attentions with the same types and attributes share it; a
// different mask type does not.
// CHECK-LABEL: func.func private @__tfmc_attention_0(memref<2x6x4xf32>, memref<2x6x4xf32>, memref<2x6x4xf32>, memref<6x6xi1>, memref<2x6x4xf32>) attributes {tfmc.attention = {causal, scale = 2.500000e-01 : f64}}
// CHECK-LABEL: func.func private @__tfmc_attention_1(memref<2x6x4xf32>, memref<2x6x4xf32>, memref<2x6x4xf32>, memref<6x6xf32>, memref<2x6x4xf32>) attributes {tfmc.attention = {causal, scale = 2.500000e-01 : f64}}
// CHECK-LABEL: func.func @attention_gpu_flash
// CHECK: %[[Q:.*]] = bufferization.to_buffer %arg0 read_only : tensor<2x6x4xf32> to memref<2x6x4xf32>
// CHECK: %[[M:.*]] = bufferization.to_buffer %arg1 read_only : tensor<6x6xi1> to memref<6x6xi1>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x6x4xf32>
// CHECK: call @__tfmc_attention_0(%[[Q]], %{{.*}}, %{{.*}}, %[[M]], %[[OUT]])
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: call @__tfmc_attention_0(
// CHECK: call @__tfmc_attention_1(
func.func @attention_gpu_flash(%q: tensor<2x6x4xf32>, %m: tensor<6x6xi1>, %a: tensor<6x6xf32>) -> (tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>) {
  %0 = tfm.attention %q, %q, %q, %m {causal, scale = 0.25 : f64, tfmc.attention_lowering = "gpu-flash"} : (tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<6x6xi1>) -> tensor<2x6x4xf32>
  %1 = tfm.attention %0, %q, %q, %m {causal, scale = 0.25 : f64, tfmc.attention_lowering = "gpu-flash"} : (tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<6x6xi1>) -> tensor<2x6x4xf32>
  %2 = tfm.attention %q, %q, %q, %a {causal, scale = 0.25 : f64, tfmc.attention_lowering = "gpu-flash"} : (tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<6x6xf32>) -> tensor<2x6x4xf32>
  return %0, %1, %2 : tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>
}

// -----

// A weight the configuration step stored packed: the linear layer reads the
// [ceil(N/32), K, 32] panels global (n floordiv 32, k, n mod 32); the
// [N, K] global is never declared.
// CHECK-DAG: #[[PACKED:.*]] = affine_map<(d0, d1, d2) -> (d1 floordiv 32, d2, d1 mod 32)>
// CHECK-LABEL: memref.global "public" constant @__tfmc_weight_fc_panels32 : memref<2x8x32xf32> {alignment = 64 : i64, tfm.weight = "fc"}
// CHECK-NOT: memref.global {{.*}}@__tfmc_weight_fc :
// CHECK-LABEL: func.func @linear_packed
// CHECK: memref.get_global @__tfmc_weight_fc_panels32 : memref<2x8x32xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[PACKED]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
func.func @linear_packed(%x: tensor<3x8xf32>) -> tensor<3x40xf32> {
  %w = tfm.weight "fc" {tfmc.weight_panel = 32 : i64} : tensor<40x8xf32>
  %0 = tfm.linear %x, %w : (tensor<3x8xf32>, tensor<40x8xf32>) -> tensor<3x40xf32>
  return %0 : tensor<3x40xf32>
}
