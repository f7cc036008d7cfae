// RUN: tfmc-opt %s -split-input-file -verify-diagnostics --tfmc-lower-gpu-attention
// RUN: not tfmc-opt %s -split-input-file --tfmc-lower-gpu-attention="rows=0" 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: tfmc-lower-gpu-attention: threads, rows, key-block and chunk must be positive

// expected-error @+1 {{tfmc-lower-gpu-attention: @args: expected buffers (query, key, value[, mask], result) and no results}}
func.func private @args(memref<1x4x8xf32>, memref<1x4x8xf32>, memref<1x4x8xf32>) attributes {tfmc.attention = {scale = 1.0 : f64}}

// -----

// expected-error @+1 {{tfmc-lower-gpu-attention: @layout: every operand must be a static buffer with the identity layout}}
func.func private @layout(memref<1x4x8xf32, strided<[64, 16, 1]>>, memref<1x4x8xf32>, memref<1x4x8xf32>, memref<1x4x8xf32>) attributes {tfmc.attention = {scale = 1.0 : f64}}

// -----

// expected-error @+1 {{tfmc-lower-gpu-attention: @shapes: shapes do not form an attention (query [.., Sq, D], key [.., Sk, D], value [.., Sk, Dv], result [.., Sq, Dv])}}
func.func private @shapes(memref<1x4x8xf32>, memref<1x6x4xf32>, memref<1x6x8xf32>, memref<1x4x8xf32>) attributes {tfmc.attention = {scale = 1.0 : f64}}

// -----

// expected-error @+1 {{tfmc-lower-gpu-attention: @heads: leading dimensions of query, key and value do not match the result's}}
func.func private @heads(memref<3x4x8xf32>, memref<2x4x8xf32>, memref<3x4x8xf32>, memref<3x4x8xf32>) attributes {tfmc.attention = {scale = 1.0 : f64}}

// -----

// expected-error @+1 {{tfmc-lower-gpu-attention: @mask: the mask does not broadcast to the scores}}
func.func private @mask(memref<1x4x8xf32>, memref<1x6x8xf32>, memref<1x6x8xf32>, memref<4x5xi1>, memref<1x4x8xf32>) attributes {tfmc.attention = {scale = 1.0 : f64}}

// -----

// expected-error @+1 {{tfmc-lower-gpu-attention: @scale: tfmc.attention needs a float 'scale'}}
func.func private @scale(memref<1x4x8xf32>, memref<1x4x8xf32>, memref<1x4x8xf32>, memref<1x4x8xf32>) attributes {tfmc.attention = {causal}}

// -----

// expected-error @+1 {{tfmc-lower-gpu-attention: @huge: heads of 768 + 768 values exceed the kernel's register budget (1024); use the plain form (--attention=unfused)}}
func.func private @huge(memref<1x4x768xf32>, memref<1x4x768xf32>, memref<1x4x768xf32>, memref<1x4x768xf32>) attributes {tfmc.attention = {scale = 1.0 : f64}}
