// RUN: tfmc-opt %s -split-input-file --tfmc-configure-lowering | FileCheck %s
// RUN: tfmc-opt %s -split-input-file --tfmc-configure-lowering="attention=unfused weight-panel=32" | FileCheck %s --check-prefix=PACK
// RUN: tfmc-opt %s -split-input-file --tfmc-configure-lowering="target=vulkan" | FileCheck %s --check-prefix=VULKAN
// RUN: not tfmc-opt %s -split-input-file --tfmc-configure-lowering="target=tpu" 2>&1 | FileCheck %s --check-prefix=BADTARGET
// BADTARGET: tfmc-configure-lowering: unknown target='tpu' (expected cpu or vulkan)
// RUN: not tfmc-opt %s -split-input-file --tfmc-configure-lowering="attention=fast" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not tfmc-opt %s -split-input-file --tfmc-configure-lowering="attention-block=0" 2>&1 | FileCheck %s --check-prefix=BADBLOCK
// BADBLOCK: tfmc-configure-lowering: attention-block must be >= 1, got 0
// RUN: not tfmc-opt %s -split-input-file --tfmc-configure-lowering="weight-panel=-1" 2>&1 | FileCheck %s --check-prefix=BADPANEL
// BADPANEL: tfmc-configure-lowering: weight-panel must be >= 0, got -1

// auto: flash once the keys span more than one block (64 by default), the
// plain form otherwise; a choice already on the op stands.
// CHECK-LABEL: func.func @attention
// CHECK: tfm.attention {{.*}}tfmc.attention_lowering = "unfused"{{.*}}tensor<1x64x8xf32>
// CHECK: tfm.attention {{.*}}tfmc.attention_lowering = "flash", tfmc.kv_block = 64 : i64{{.*}}tensor<1x65x8xf32>
// CHECK: tfm.attention {{.*}}tfmc.attention_lowering = "unfused"{{.*}}tensor<1x200x8xf32>
// On Vulkan the flash form is the GPU kernel (no key block: the kernel
// picks it), for any length, but only for heads whose D + Dv <= 512.
// VULKAN-LABEL: func.func @attention
// VULKAN: tfm.attention {{.*}}{tfmc.attention_lowering = "gpu-flash"}{{.*}}tensor<1x64x8xf32>
// VULKAN: tfm.attention {{.*}}{tfmc.attention_lowering = "gpu-flash"}{{.*}}tensor<1x65x8xf32>
// VULKAN: tfm.attention {{.*}}tfmc.attention_lowering = "unfused"{{.*}}tensor<1x200x8xf32>
// VULKAN: tfm.attention {{.*}}tfmc.attention_lowering = "unfused"{{.*}}tensor<1x65x300xf32>
// PACK-LABEL: func.func @attention
// PACK-COUNT-3: tfmc.attention_lowering = "unfused"
// BAD: unknown attention='fast' (expected auto, flash or unfused)
func.func @attention(%a: tensor<1x64x8xf32>, %b: tensor<1x65x8xf32>, %c: tensor<1x200x8xf32>, %d: tensor<1x65x300xf32>)
    -> (tensor<1x64x8xf32>, tensor<1x65x8xf32>, tensor<1x200x8xf32>, tensor<1x65x300xf32>) {
  %0 = tfm.attention %a, %a, %a : (tensor<1x64x8xf32>, tensor<1x64x8xf32>, tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
  %1 = tfm.attention %b, %b, %b : (tensor<1x65x8xf32>, tensor<1x65x8xf32>, tensor<1x65x8xf32>) -> tensor<1x65x8xf32>
  %2 = tfm.attention %c, %c, %c {tfmc.attention_lowering = "unfused"} : (tensor<1x200x8xf32>, tensor<1x200x8xf32>, tensor<1x200x8xf32>) -> tensor<1x200x8xf32>
  %3 = tfm.attention %d, %d, %d : (tensor<1x65x300xf32>, tensor<1x65x300xf32>, tensor<1x65x300xf32>) -> tensor<1x65x300xf32>
  return %0, %1, %2, %3 : tensor<1x64x8xf32>, tensor<1x65x8xf32>, tensor<1x200x8xf32>, tensor<1x65x300xf32>
}

// -----

// weight-panel=P: weights used only as linear layers' weights are stored
// packed; one also used otherwise (here as a matmul operand), or an integer
// one, is not. Without the option nothing is packed.
// CHECK-LABEL: func.func @weights
// CHECK-NOT: tfmc.weight_panel
// PACK-LABEL: func.func @weights
// PACK: tfm.weight "fc1" {tfmc.weight_panel = 32 : i64}
// PACK: tfm.weight "shared" :
// PACK: tfm.weight "ids" :
func.func @weights(%x: tensor<2x8xf32>) -> (tensor<2x16xf32>, tensor<2x16xf32>, tensor<8x16xf32>, tensor<4x4xi64>) {
  %w = tfm.weight "fc1" : tensor<16x8xf32>
  %s = tfm.weight "shared" : tensor<16x8xf32>
  %i = tfm.weight "ids" : tensor<4x4xi64>
  %y = tfm.linear %x, %w : (tensor<2x8xf32>, tensor<16x8xf32>) -> tensor<2x16xf32>
  %z = tfm.linear %x, %s : (tensor<2x8xf32>, tensor<16x8xf32>) -> tensor<2x16xf32>
  %t = tfm.transpose %s [1, 0] : tensor<16x8xf32> -> tensor<8x16xf32>
  return %y, %z, %t, %i : tensor<2x16xf32>, tensor<2x16xf32>, tensor<8x16xf32>, tensor<4x4xi64>
}
