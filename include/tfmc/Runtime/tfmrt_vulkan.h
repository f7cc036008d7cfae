/*===- tfmrt_vulkan.h - the Vulkan part of the tfmc runtime ----------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * What a Vulkan executable needs from the device, in C11 with no Vulkan,
 * LLVM or MLIR link-time dependency: the Vulkan loader is opened at run time
 * (dlopen), so the executable starts where no loader exists and says so.
 *
 * The model runs as a static schedule: buffers are created once (weights
 * uploaded once, activations resident), kernels (SPIR-V compute shaders)
 * are created once, and the whole forward pass is recorded once into one
 * command buffer — every dispatch with its bindings, push constants and
 * the barriers between them — which each run replays.
 *
 * Every function that can fail returns a tfmrt_vk_status and, on failure,
 * leaves a message naming the problem in tfmrt_vk_last_error() (per
 * thread).
 *
 *===----------------------------------------------------------------------===*/

#ifndef TFMC_RUNTIME_TFMRT_VULKAN_H
#define TFMC_RUNTIME_TFMRT_VULKAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tfmrt_vk_status {
  TFMRT_VK_OK = 0,
  /* No Vulkan loader (libvulkan.so.1) could be opened. */
  TFMRT_VK_NO_LOADER = 1,
  /* The loader works but reports no physical device. */
  TFMRT_VK_NO_DEVICE = 2,
  /* --device N names no device. */
  TFMRT_VK_BAD_DEVICE_INDEX = 3,
  /* The device lacks a feature or limit the kernels need. */
  TFMRT_VK_UNSUPPORTED = 4,
  /* A Vulkan call failed (the message names it and its VkResult). */
  TFMRT_VK_ERROR = 5,
  /* Misuse of this API (a bad argument). */
  TFMRT_VK_INVALID = 6,
} tfmrt_vk_status;

/* The message of the calling thread's last failure ("" if none). */
const char *tfmrt_vk_last_error(void);

/* Features a model's kernels need; the device must have each one asked for. */
enum {
  TFMRT_VK_NEEDS_F16 = 1u << 0,             /* shaderFloat16 */
  TFMRT_VK_NEEDS_STORAGE_16BIT = 1u << 1,   /* storageBuffer16BitAccess */
  TFMRT_VK_NEEDS_STORAGE_8BIT = 1u << 2,    /* storageBuffer8BitAccess */
  TFMRT_VK_NEEDS_INT64 = 1u << 3,           /* shaderInt64 */
  TFMRT_VK_NEEDS_INT8 = 1u << 4,            /* shaderInt8 (i1/i8 arithmetic) */
  TFMRT_VK_NEEDS_INT16 = 1u << 5,           /* shaderInt16 */
  /* variablePointersStorageBuffer: kernels that bind a large tensor as
   * several ranges select among them. */
  TFMRT_VK_NEEDS_VARIABLE_POINTERS = 1u << 6,
  /* Subgroup arithmetic in compute shaders (a property, not a feature to
   * enable): asked per kernel, whose fallback runs on devices without it. */
  TFMRT_VK_NEEDS_SUBGROUP_ARITHMETIC = 1u << 7,
};

typedef struct tfmrt_vk_options {
  int device_index;      /* -1: the first discrete/integrated GPU, else the first */
  uint32_t needs;        /* TFMRT_VK_NEEDS_* */
  int validation;        /* enable VK_LAYER_KHRONOS_validation and count its messages */
  int profile;           /* a timestamp after every step (tfmrt_vk_schedule_step_ms) */
} tfmrt_vk_options;

/* One physical device, as listed by tfmrt_vk_list_devices. */
typedef struct tfmrt_vk_device_info {
  char name[256];
  const char *type;      /* "discrete GPU", "integrated GPU", "CPU", ... */
  uint32_t api_version;  /* VK_MAKE_API_VERSION */
  uint64_t max_storage_buffer_range;
  uint32_t max_shared_memory;
  uint32_t subgroup_size;
  /* Compute shaders have subgroup arithmetic (TFMRT_VULKAN_NO_SUBGROUPS=1
   * says they do not). */
  int subgroup_arithmetic;
} tfmrt_vk_device_info;

/* Fills up to `capacity` entries and sets *count to the number of devices. */
tfmrt_vk_status tfmrt_vk_list_devices(tfmrt_vk_device_info *infos,
                                      int capacity, int *count);

typedef struct tfmrt_vk tfmrt_vk;
typedef struct tfmrt_vk_buffer tfmrt_vk_buffer;
typedef struct tfmrt_vk_kernel tfmrt_vk_kernel;
typedef struct tfmrt_vk_schedule tfmrt_vk_schedule;

tfmrt_vk_status tfmrt_vk_create(const tfmrt_vk_options *options,
                                tfmrt_vk **out);
/* Destroys everything created from `vk` too. */
void tfmrt_vk_destroy(tfmrt_vk *vk);
const tfmrt_vk_device_info *tfmrt_vk_device(const tfmrt_vk *vk);
/* Validation-layer errors and warnings seen so far (0 without validation). */
int tfmrt_vk_validation_messages(const tfmrt_vk *vk);

/* A storage buffer of `bytes` in device memory (host-visible when the
 * device offers such memory, else written and read through staging). */
tfmrt_vk_status tfmrt_vk_buffer_create(tfmrt_vk *vk, uint64_t bytes,
                                       tfmrt_vk_buffer **out);
tfmrt_vk_status tfmrt_vk_buffer_write(tfmrt_vk *vk, tfmrt_vk_buffer *buffer,
                                      uint64_t offset, const void *data,
                                      uint64_t bytes);
tfmrt_vk_status tfmrt_vk_buffer_read(tfmrt_vk *vk, tfmrt_vk_buffer *buffer,
                                     uint64_t offset, void *data,
                                     uint64_t bytes);

/* A compute kernel: SPIR-V words, its entry point, `bindings` storage
 * buffers at set 0, bindings 0 .. bindings-1, and `push_bytes` of push
 * constants. */
tfmrt_vk_status tfmrt_vk_kernel_create(tfmrt_vk *vk, const uint32_t *spirv,
                                       size_t words, const char *entry,
                                       uint32_t bindings, uint32_t push_bytes,
                                       tfmrt_vk_kernel **out);

/* Kernels ask for IEEE signed zeros, infinities and NaNs to be kept
 * (SignedZeroInfNanPreserve, per float width). Vulkan 1.2 devices may not
 * offer it (shaderSignedZeroInfNanPreserveFloat16/32) and 1.1 devices need
 * an extension, so tfmrt_vk_kernel_create removes the request, where the
 * device cannot honour it, with this function: it deletes the execution
 * modes for widths outside `keep` (TFMRT_VK_FLOAT16 | TFMRT_VK_FLOAT32) and,
 * once none is left, the capability and extension, in place. Returns the
 * new number of words. */
enum { TFMRT_VK_FLOAT16 = 1u << 0, TFMRT_VK_FLOAT32 = 1u << 1 };
size_t tfmrt_vk_strip_float_controls(uint32_t *spirv, size_t words,
                                     uint32_t keep);

/* One storage-buffer binding: a range of a buffer. */
typedef struct tfmrt_vk_binding {
  tfmrt_vk_buffer *buffer;
  uint64_t offset;
  uint64_t range;
} tfmrt_vk_binding;

/* A schedule is built dispatch by dispatch, then recorded once (end) and
 * run any number of times. Each dispatch sees every write of the ones
 * before it. */
tfmrt_vk_status tfmrt_vk_schedule_create(tfmrt_vk *vk,
                                         tfmrt_vk_schedule **out);
tfmrt_vk_status tfmrt_vk_schedule_dispatch(
    tfmrt_vk_schedule *schedule, tfmrt_vk_kernel *kernel,
    const tfmrt_vk_binding *bindings, uint32_t binding_count,
    const void *push, uint32_t push_bytes, uint32_t groups_x,
    uint32_t groups_y, uint32_t groups_z);
/* A copy between buffer ranges of equal size (a step like a dispatch). */
tfmrt_vk_status tfmrt_vk_schedule_copy(tfmrt_vk_schedule *schedule,
                                       tfmrt_vk_binding from,
                                       tfmrt_vk_binding to);
tfmrt_vk_status tfmrt_vk_schedule_end(tfmrt_vk_schedule *schedule);
/* Submits the recorded schedule and waits for it; *device_ms (if not
 * null) gets its time on the device from timestamp queries, or -1 when the
 * queue has no timestamps. */
tfmrt_vk_status tfmrt_vk_schedule_run(tfmrt_vk_schedule *schedule,
                                      double *device_ms);

/* With options.profile: the device time of each step of the last run, in
 * ms (ms[i] for step i; count entries at most), or -1 without timestamps.
 * Returns the number of steps. */
uint32_t tfmrt_vk_schedule_step_ms(tfmrt_vk_schedule *schedule, double *ms,
                                   uint32_t count);

/*===----------------------------------------------------------------------===*
 * Programs: what tfmc-compile --target=vulkan emits for a model
 *===----------------------------------------------------------------------===*/

/* The ABI of the tables below; the compiler writes the one it was built with. */
#define TFMRT_VK_PROGRAM_VERSION 3

enum {
  TFMRT_VK_BUFFER_INTERMEDIATE = 0,
  TFMRT_VK_BUFFER_INPUT = 1,  /* filled from the run's input `index` */
  TFMRT_VK_BUFFER_OUTPUT = 2, /* read back into the run's output `index` */
  TFMRT_VK_BUFFER_WEIGHT = 3, /* uploaded once from `data` */
  /* The index-error record kernels write (zeroed before each run). */
  TFMRT_VK_BUFFER_INDEX_ERRORS = 4,
};

/* The index-error record: 32-bit words; 64-bit values as low, high. The
 * first out-of-range index of a run writes site, index and bounds; the
 * count says how many there were. */
enum {
  TFMRT_VK_INDEX_ERROR_COUNT = 0,
  TFMRT_VK_INDEX_ERROR_SITE = 1,  /* into tfmrt_vk_program.sites */
  TFMRT_VK_INDEX_ERROR_INDEX = 2,
  TFMRT_VK_INDEX_ERROR_LOWER = 4,
  TFMRT_VK_INDEX_ERROR_UPPER = 6,
  TFMRT_VK_INDEX_ERROR_WORDS = 8,
};

typedef struct tfmrt_vk_program_buffer {
  uint64_t bytes;
  int32_t kind;
  int32_t index;
  const void *data;
} tfmrt_vk_program_buffer;

typedef struct tfmrt_vk_program_kernel {
  const uint32_t *spirv;
  uint64_t words;
  const char *entry;
  uint32_t bindings;
  uint32_t shared_bytes; /* workgroup memory the kernel declares */
  uint32_t needs;        /* TFMRT_VK_NEEDS_SUBGROUP_ARITHMETIC or 0 */
} tfmrt_vk_program_kernel;

typedef struct tfmrt_vk_program_range {
  uint32_t buffer;
  uint64_t offset;
  uint64_t bytes;
} tfmrt_vk_program_range;

/* A dispatch of `kernel` (binding i is ranges[first_range + i]) or, with
 * kernel == UINT32_MAX, a copy of ranges[first_range] into
 * ranges[first_range + 1]. `fallback` (UINT32_MAX: none) indexes
 * fallback_steps: the same work as a variant for devices whose limits
 * (workgroup invocations and size, workgroup memory) the kernel exceeds. */
typedef struct tfmrt_vk_program_step {
  uint32_t kernel;
  uint32_t first_range;
  uint32_t groups[3];
  uint32_t fallback;
} tfmrt_vk_program_step;

typedef struct tfmrt_vk_program {
  uint32_t version;
  uint32_t needs; /* TFMRT_VK_NEEDS_* */
  uint32_t num_inputs; /* the run's buffers: inputs, then outputs */
  uint32_t buffer_count, kernel_count, range_count, step_count;
  const tfmrt_vk_program_buffer *buffers;
  const tfmrt_vk_program_kernel *kernels;
  const tfmrt_vk_program_range *ranges;
  const tfmrt_vk_program_step *steps;
  uint32_t site_count;
  const char *const *sites; /* the ops that check indices, for messages */
  uint32_t fallback_step_count;
  const tfmrt_vk_program_step *fallback_steps;
} tfmrt_vk_program;

/* Runs `program` once: `buffers` holds the run's input pointers then its
 * output pointers (the tfmrt_model run convention). The first call sets up
 * the device (the one tfmrt_vk_select_device named, else the default),
 * uploads the weights and records the schedule; later calls only copy
 * inputs in, replay and copy outputs out. A failure is recorded as the
 * run's error (exit code 2 in the executable). */
void tfmrt_vk_program_run(const tfmrt_vk_program *program, void **buffers);

/* The device later tfmrt_vk_program_run calls use (--device N); -1: default. */
void tfmrt_vk_select_device(int index);

/* Device time of the last run in ms, or -1 without timestamps. */
double tfmrt_vk_last_device_ms(void);

#ifdef __cplusplus
}
#endif

#endif /* TFMC_RUNTIME_TFMRT_VULKAN_H */
