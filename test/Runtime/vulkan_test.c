/*===- vulkan_test.c - the Vulkan runtime on a real device -----------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * vulkan_test ADD.spv: runs the add kernel (Inputs/add.spvasm) on the first
 * Vulkan device (lavapipe here) with the Khronos validation layer on:
 * a schedule of two dependent dispatches recorded once and replayed with
 * new inputs, a remainder workgroup, an offset binding, timestamps, and
 * the errors for bad use. Exits 77 (ctest: skipped) with the reason when
 * the machine has no Vulkan loader or device.
 *
 * vulkan_test --has-device: exits 0 when a Vulkan device exists, else 77
 * (lit's vulkan-device feature).
 * vulkan_test --no-loader: the loader named by TFMRT_VULKAN_LOADER does
 * not exist; creating a device must say so, with TFMRT_VK_NO_LOADER.
 * vulkan_test --no-device: the loader finds no driver (VK_ICD_FILENAMES
 * names none): TFMRT_VK_NO_DEVICE.
 *
 *===----------------------------------------------------------------------===*/

#include "tfmc/Runtime/tfmrt_vulkan.h"

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t *read_spirv(const char *path, size_t *words) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint32_t *data = malloc(size > 0 ? (size_t)size : 4);
  if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *words = (size_t)size / 4;
  return data;
}

static int no_loader(void) {
  tfmrt_vk_options options = {.device_index = -1};
  tfmrt_vk *vk = NULL;
  CHECK(tfmrt_vk_create(&options, &vk) == TFMRT_VK_NO_LOADER);
  CHECK(vk == NULL);
  CHECK(strstr(tfmrt_vk_last_error(), "no Vulkan loader") != NULL);
  int count = -1;
  tfmrt_vk_device_info info;
  CHECK(tfmrt_vk_list_devices(&info, 1, &count) == TFMRT_VK_NO_LOADER);
  CHECK(count == 0);
  return failures ? 1 : 0;
}

static int no_device(void) {
  tfmrt_vk_options options = {.device_index = -1};
  tfmrt_vk *vk = NULL;
  tfmrt_vk_status status = tfmrt_vk_create(&options, &vk);
  if (status == TFMRT_VK_NO_LOADER) {
    printf("skipped: %s\n", tfmrt_vk_last_error());
    return 77;
  }
  CHECK(status == TFMRT_VK_NO_DEVICE);
  CHECK(vk == NULL);
  CHECK(strstr(tfmrt_vk_last_error(), "no Vulkan device") != NULL);
  printf("%s\n", tfmrt_vk_last_error());
  return failures ? 1 : 0;
}

int main(int argc, char **argv) {
  /* Whether this machine has a Vulkan device (lit's vulkan-device). */
  if (argc == 2 && strcmp(argv[1], "--has-device") == 0) {
    int count = 0;
    tfmrt_vk_device_info info;
    return tfmrt_vk_list_devices(&info, 1, &count) == TFMRT_VK_OK && count > 0
               ? 0
               : 77;
  }
  if (argc == 2 && strcmp(argv[1], "--no-loader") == 0)
    return no_loader();
  if (argc == 2 && strcmp(argv[1], "--no-device") == 0)
    return no_device();
  if (argc != 2) {
    fprintf(stderr, "usage: vulkan_test ADD.spv | --no-loader | --no-device\n");
    return 2;
  }

  tfmrt_vk_device_info infos[8];
  int count = 0;
  tfmrt_vk_status status = tfmrt_vk_list_devices(infos, 8, &count);
  if (status == TFMRT_VK_NO_LOADER || status == TFMRT_VK_NO_DEVICE) {
    printf("skipped: %s\n", tfmrt_vk_last_error());
    return 77;
  }
  CHECK(status == TFMRT_VK_OK && count > 0);
  for (int i = 0; i < count && i < 8; ++i)
    printf("device %d: %s (%s, Vulkan %u.%u, maxStorageBufferRange %llu, "
           "shared memory %u, subgroup %u)\n",
           i, infos[i].name, infos[i].type, infos[i].api_version >> 22,
           (infos[i].api_version >> 12) & 0x3ff,
           (unsigned long long)infos[i].max_storage_buffer_range,
           infos[i].max_shared_memory, infos[i].subgroup_size);

  /* A device index past the last one is refused by name. */
  tfmrt_vk_options bad = {.device_index = count};
  tfmrt_vk *none = NULL;
  CHECK(tfmrt_vk_create(&bad, &none) == TFMRT_VK_BAD_DEVICE_INDEX);
  CHECK(strstr(tfmrt_vk_last_error(), "--device") != NULL);

  tfmrt_vk_options options = {.device_index = -1, .validation = 1,
                              .profile = 1};
  tfmrt_vk *vk = NULL;
  status = tfmrt_vk_create(&options, &vk);
  if (status == TFMRT_VK_UNSUPPORTED &&
      strstr(tfmrt_vk_last_error(), "validation")) {
    printf("skipped: %s\n", tfmrt_vk_last_error());
    return 77;
  }
  CHECK(status == TFMRT_VK_OK);
  if (!vk) {
    fprintf(stderr, "%s\n", tfmrt_vk_last_error());
    return 1;
  }
  printf("running on %s\n", tfmrt_vk_device(vk)->name);

  size_t words = 0;
  uint32_t *spirv = read_spirv(argv[1], &words);
  CHECK(spirv != NULL);
  if (!spirv)
    return 1;
  tfmrt_vk_kernel *add = NULL;
  CHECK(tfmrt_vk_kernel_create(vk, spirv, words, "main", 3, 4, &add) ==
        TFMRT_VK_OK);
  /* The float-controls request: kept for f32, or stripped whole (mode,
   * capability, extension: 4 + 2 + 7 words) where a device cannot honour
   * it; the stripped kernel is valid too (it runs below). */
  uint32_t *stripped = malloc(words * sizeof *stripped);
  CHECK(stripped != NULL);
  if (!stripped)
    return 1;
  memcpy(stripped, spirv, words * sizeof *stripped);
  CHECK(tfmrt_vk_strip_float_controls(stripped, words, TFMRT_VK_FLOAT32) ==
        words);
  CHECK(memcmp(stripped, spirv, words * sizeof *stripped) == 0);
  size_t stripped_words =
      tfmrt_vk_strip_float_controls(stripped, words, TFMRT_VK_FLOAT16);
  CHECK(stripped_words == words - 13);
  CHECK(tfmrt_vk_strip_float_controls(stripped, stripped_words, 0) ==
        stripped_words);
  tfmrt_vk_kernel *add_stripped = NULL;
  CHECK(tfmrt_vk_kernel_create(vk, stripped, stripped_words, "main", 3, 4,
                               &add_stripped) == TFMRT_VK_OK);
  /* A workgroup larger than the device allows (LocalSize 64 -> 65536):
   * refused with the limit, before the driver sees it. */
  for (size_t at = 5; at < words;) {
    uint32_t count = spirv[at] >> 16;
    if (count == 0)
      break;
    if ((spirv[at] & 0xffffu) == 16 && count == 6 && spirv[at + 2] == 17) {
      uint32_t saved = spirv[at + 3];
      spirv[at + 3] = 65536;
      tfmrt_vk_kernel *too_big = NULL;
      CHECK(tfmrt_vk_kernel_create(vk, spirv, words, "main", 3, 4,
                                   &too_big) == TFMRT_VK_UNSUPPORTED);
      CHECK(strstr(tfmrt_vk_last_error(), "65536 x 1 x 1") != NULL);
      spirv[at + 3] = saved;
    }
    at += count;
  }
  /* Not SPIR-V: refused before the driver sees it. */
  uint32_t junk[4] = {1, 2, 3, 4};
  tfmrt_vk_kernel *bad_kernel = NULL;
  CHECK(tfmrt_vk_kernel_create(vk, junk, 4, "main", 3, 4, &bad_kernel) ==
        TFMRT_VK_INVALID);

  /* n not a multiple of the workgroup size; y lives at an offset. */
  enum { n = 1000 };
  const uint64_t bytes = n * sizeof(float), y_offset = 4096;
  tfmrt_vk_buffer *x = NULL, *w = NULL, *y = NULL;
  CHECK(tfmrt_vk_buffer_create(vk, bytes, &x) == TFMRT_VK_OK);
  CHECK(tfmrt_vk_buffer_create(vk, bytes, &w) == TFMRT_VK_OK);
  CHECK(tfmrt_vk_buffer_create(vk, y_offset + 2 * bytes, &y) == TFMRT_VK_OK);
  if (!add || !x || !w || !y)
    return 1;

  /* y0 = x + w; y1 = y0 + x: the second dispatch reads the first's output. */
  tfmrt_vk_schedule *schedule = NULL;
  CHECK(tfmrt_vk_schedule_create(vk, &schedule) == TFMRT_VK_OK);
  uint32_t push = n, groups = (n + 63) / 64;
  tfmrt_vk_binding first[3] = {{x, 0, bytes}, {w, 0, bytes},
                               {y, y_offset, bytes}};
  tfmrt_vk_binding second[3] = {{y, y_offset, bytes}, {x, 0, bytes},
                                {y, y_offset + bytes, bytes}};
  CHECK(tfmrt_vk_schedule_dispatch(schedule, add, first, 3, &push, 4, groups,
                                   1, 1) == TFMRT_VK_OK);
  CHECK(tfmrt_vk_schedule_dispatch(schedule, add_stripped, second, 3, &push,
                                   4, groups, 1, 1) == TFMRT_VK_OK);
  /* A range past the buffer's end is refused. */
  tfmrt_vk_binding outside[3] = {{x, 4, bytes}, {w, 0, bytes}, {y, 0, bytes}};
  CHECK(tfmrt_vk_schedule_dispatch(schedule, add, outside, 3, &push, 4,
                                   groups, 1, 1) == TFMRT_VK_INVALID);
  CHECK(tfmrt_vk_schedule_end(schedule) == TFMRT_VK_OK);
  CHECK(tfmrt_vk_schedule_dispatch(schedule, add, first, 3, &push, 4, groups,
                                   1, 1) == TFMRT_VK_INVALID);

  float *xs = malloc(bytes), *ws = malloc(bytes), *ys = malloc(2 * bytes);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < n; ++i) {
      xs[i] = (float)(i * (round + 1));
      ws[i] = 0.5f * (float)i - (float)round;
    }
    CHECK(tfmrt_vk_buffer_write(vk, x, 0, xs, bytes) == TFMRT_VK_OK);
    CHECK(tfmrt_vk_buffer_write(vk, w, 0, ws, bytes) == TFMRT_VK_OK);
    double ms = 0;
    CHECK(tfmrt_vk_schedule_run(schedule, &ms) == TFMRT_VK_OK);
    /* Profiling: each step's device time, together at most the run's. */
    double step_ms[2] = {-2, -2};
    CHECK(tfmrt_vk_schedule_step_ms(schedule, step_ms, 2) == 2);
    CHECK(ms < 0 || (step_ms[0] >= 0 && step_ms[1] >= 0 &&
                     step_ms[0] + step_ms[1] <= ms * 1.0001));
    CHECK(tfmrt_vk_buffer_read(vk, y, y_offset, ys, 2 * bytes) == TFMRT_VK_OK);
    int wrong = 0;
    for (int i = 0; i < n; ++i)
      wrong += ys[i] != xs[i] + ws[i] || ys[n + i] != ys[i] + xs[i];
    CHECK(wrong == 0);
    printf("round %d: %d wrong of %d; device time %.3f ms\n", round, wrong,
           2 * n, ms);
  }
  /* Reads past the end are refused. */
  CHECK(tfmrt_vk_buffer_read(vk, x, 8, xs, bytes) == TFMRT_VK_INVALID);

  int messages = tfmrt_vk_validation_messages(vk);
  CHECK(messages == 0);
  printf("validation messages: %d\n", messages);
  tfmrt_vk_destroy(vk);
  free(xs);
  free(ws);
  free(ys);
  free(spirv);
  free(stripped);
  return failures ? 1 : 0;
}
