/*===- program.c - running a compiled model on a Vulkan device -------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * A tfmrt_vk_program (the tables tfmc-compile --target=vulkan emits) is set
 * up on the first run — device, buffers, weights uploaded once, kernels,
 * one recorded schedule — and every run after that copies the inputs in,
 * replays the schedule and copies the outputs out.
 *
 *===----------------------------------------------------------------------===*/

#include "tfmc/Runtime/tfmrt.h"
#include "tfmc/Runtime/tfmrt_vulkan.h"

#include "error.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct program_state {
  const tfmrt_vk_program *program;
  tfmrt_vk *vk;
  tfmrt_vk_buffer **buffers;
  tfmrt_vk_kernel **kernels;
  tfmrt_vk_schedule *schedule;
  /* Per step: its kernel on this device (the step's own or its fallback's). */
  uint32_t *step_kernels;
  /* Why the last kernel could not run on this device. */
  char why[512];
  /* set_up recorded its failure itself. */
  int recorded;
  /* TFMRT_VULKAN_PROFILE=1: device time summed per step over the runs. */
  double *step_ms;
  uint32_t runs;
} program_state;

static int selected_device = -1;
static double last_device_ms = -1;
/* One program per executable; a handful per program that links several. */
static program_state states[8];

void tfmrt_vk_select_device(int index) { selected_device = index; }

double tfmrt_vk_last_device_ms(void) { return last_device_ms; }

static void record_failure(void) {
  tfmrt_record_error(TFMRT_ERROR_RUNTIME, "Vulkan: %s", tfmrt_vk_last_error());
}

static int64_t word64(const uint32_t *w, int at) {
  return (int64_t)((uint64_t)w[at] | (uint64_t)w[at + 1] << 32);
}

/* The first out-of-range index the kernels recorded (tfmrt_vulkan.h), as
 * the CPU target reports it. */
static tfmrt_vk_status report_index_errors(program_state *st,
                                           uint32_t buffer) {
  uint32_t w[TFMRT_VK_INDEX_ERROR_WORDS];
  tfmrt_vk_status status =
      tfmrt_vk_buffer_read(st->vk, st->buffers[buffer], 0, w, sizeof w);
  if (status != TFMRT_VK_OK || w[TFMRT_VK_INDEX_ERROR_COUNT] == 0)
    return status;
  uint32_t site = w[TFMRT_VK_INDEX_ERROR_SITE];
  tfmrt_index_error(word64(w, TFMRT_VK_INDEX_ERROR_INDEX),
                    word64(w, TFMRT_VK_INDEX_ERROR_LOWER),
                    word64(w, TFMRT_VK_INDEX_ERROR_UPPER),
                    site < st->program->site_count ? st->program->sites[site]
                                                    : NULL);
  return TFMRT_VK_OK;
}

static int env_flag(const char *name) {
  const char *v = getenv(name);
  return v && *v == '1';
}

/* One line per kernel, the most expensive first: where the device time of
 * the runs went (TFMRT_VULKAN_PROFILE=1), on stderr at exit. */
static void print_profile(void) {
  for (size_t i = 0; i < sizeof states / sizeof *states; ++i) {
    program_state *st = &states[i];
    if (!st->program || !st->step_ms || !st->runs)
      continue;
    const tfmrt_vk_program *p = st->program;
    /* Sum the steps per kernel (copies as one entry, index kernel_count). */
    double *per_kernel = calloc(p->kernel_count + 1, sizeof *per_kernel);
    uint32_t *dispatches = calloc(p->kernel_count + 1, sizeof *dispatches);
    if (!per_kernel || !dispatches) {
      free(per_kernel);
      free(dispatches);
      return;
    }
    double total = 0;
    for (uint32_t s = 0; s < p->step_count; ++s) {
      uint32_t k = st->step_kernels[s] == UINT32_MAX ? p->kernel_count
                                                       : st->step_kernels[s];
      per_kernel[k] += st->step_ms[s] / st->runs;
      dispatches[k] += 1;
      total += st->step_ms[s] / st->runs;
    }
    fprintf(stderr, "tfmrt: Vulkan profile, device ms per run (%u runs, "
                    "%.3f ms in all):\n", st->runs, total);
    for (;;) {
      uint32_t best = UINT32_MAX;
      for (uint32_t k = 0; k <= p->kernel_count; ++k)
        if (dispatches[k] &&
            (best == UINT32_MAX || per_kernel[k] > per_kernel[best]))
          best = k;
      if (best == UINT32_MAX)
        break;
      fprintf(stderr, "  %10.3f ms %5.1f %%  %3u x  %s\n", per_kernel[best],
              total > 0 ? 100 * per_kernel[best] / total : 0.0,
              dispatches[best],
              best == p->kernel_count ? "(buffer copies)"
                                      : p->kernels[best].entry);
      dispatches[best] = 0;
    }
    free(per_kernel);
    free(dispatches);
  }
}

static void register_profile_report(void) {
  static int registered;
  if (!registered++)
    atexit(print_profile);
}

/* Kernel `index`, created on first use (a fallback variant is only built
 * when needed); on failure st->why says why. */
static tfmrt_vk_status get_kernel(program_state *st, uint32_t index) {
  if (st->kernels[index])
    return TFMRT_VK_OK;
  const tfmrt_vk_program_kernel *k = &st->program->kernels[index];
  const tfmrt_vk_device_info *info = tfmrt_vk_device(st->vk);
  if ((k->needs & TFMRT_VK_NEEDS_SUBGROUP_ARITHMETIC) &&
      !info->subgroup_arithmetic) {
    snprintf(st->why, sizeof st->why,
             "kernel '%s' uses subgroup arithmetic, which Vulkan device '%s' "
             "does not offer in compute shaders",
             k->entry, info->name);
    return TFMRT_VK_UNSUPPORTED;
  }
  if (k->shared_bytes > info->max_shared_memory) {
    snprintf(st->why, sizeof st->why,
             "kernel '%s' uses %u bytes of workgroup memory; Vulkan device "
             "'%s' allows %u: compile with --vulkan-target=small",
             k->entry, k->shared_bytes, info->name, info->max_shared_memory);
    return TFMRT_VK_UNSUPPORTED;
  }
  tfmrt_vk_status status = tfmrt_vk_kernel_create(
      st->vk, k->spirv, k->words, k->entry, k->bindings, 0,
      &st->kernels[index]);
  if (status)
    snprintf(st->why, sizeof st->why, "%s", tfmrt_vk_last_error());
  return status;
}

/* Records a set-up failure with its own message (not the Vulkan layer's
 * last error). */
static tfmrt_vk_status set_up_error(program_state *st, tfmrt_vk_status status,
                                    const char *message) {
  tfmrt_record_error(TFMRT_ERROR_RUNTIME, "%s", message);
  st->recorded = 1;
  return status;
}

static tfmrt_vk_status malformed(program_state *st, uint32_t step) {
  snprintf(st->why, sizeof st->why,
           "the model's Vulkan program is malformed (step %u)", step);
  return set_up_error(st, TFMRT_VK_INVALID, st->why);
}

static tfmrt_vk_status set_up(program_state *st) {
  const tfmrt_vk_program *p = st->program;
  if (p->version != TFMRT_VK_PROGRAM_VERSION) {
    snprintf(st->why, sizeof st->why,
             "the model's Vulkan program has version %u; this runtime runs "
             "version %u",
             p->version, TFMRT_VK_PROGRAM_VERSION);
    return set_up_error(st, TFMRT_VK_INVALID, st->why);
  }
  tfmrt_vk_options options = {.device_index = selected_device,
                              .needs = p->needs,
                              .validation = env_flag("TFMRT_VULKAN_VALIDATION"),
                              .profile = env_flag("TFMRT_VULKAN_PROFILE")};
  if (options.profile) {
    st->step_ms = calloc(p->step_count ? p->step_count : 1, sizeof *st->step_ms);
    if (!st->step_ms)
      return TFMRT_VK_ERROR;
    register_profile_report();
  }
  tfmrt_vk_status status = tfmrt_vk_create(&options, &st->vk);
  if (status != TFMRT_VK_OK)
    return status;
  st->buffers = calloc(p->buffer_count ? p->buffer_count : 1,
                       sizeof *st->buffers);
  st->kernels = calloc(p->kernel_count ? p->kernel_count : 1,
                       sizeof *st->kernels);
  st->step_kernels = calloc(p->step_count ? p->step_count : 1,
                            sizeof *st->step_kernels);
  if (!st->buffers || !st->kernels || !st->step_kernels)
    return TFMRT_VK_ERROR;
  for (uint32_t i = 0; i < p->buffer_count; ++i) {
    const tfmrt_vk_program_buffer *b = &p->buffers[i];
    if ((status = tfmrt_vk_buffer_create(st->vk, b->bytes, &st->buffers[i])))
      return status;
    if (b->kind == TFMRT_VK_BUFFER_WEIGHT &&
        (status = tfmrt_vk_buffer_write(st->vk, st->buffers[i], 0, b->data,
                                        b->bytes)))
      return status;
  }
  if ((status = tfmrt_vk_schedule_create(st->vk, &st->schedule)))
    return status;
  for (uint32_t i = 0; i < p->step_count; ++i) {
    const tfmrt_vk_program_step *step = &p->steps[i];
    if (step->kernel != UINT32_MAX) {
      if (step->kernel >= p->kernel_count)
        return malformed(st, i);
      status = get_kernel(st, step->kernel);
      /* Beyond this device's limits: the variant for smaller devices. */
      if (status == TFMRT_VK_UNSUPPORTED && step->fallback != UINT32_MAX) {
        if (step->fallback >= p->fallback_step_count ||
            p->fallback_steps[step->fallback].kernel >= p->kernel_count)
          return malformed(st, i);
        step = &p->fallback_steps[step->fallback];
        status = get_kernel(st, step->kernel);
      }
      if (status) {
        char message[sizeof st->why + 16];
        snprintf(message, sizeof message, "Vulkan: %s", st->why);
        return set_up_error(st, status, message);
      }
    }
    st->step_kernels[i] = step->kernel;
    uint32_t n = step->kernel == UINT32_MAX ? 2
                                            : p->kernels[step->kernel].bindings;
    tfmrt_vk_binding bindings[64];
    if (n > 64 || step->first_range + n > p->range_count)
      return malformed(st, i);
    for (uint32_t r = 0; r < n; ++r) {
      const tfmrt_vk_program_range *range = &p->ranges[step->first_range + r];
      bindings[r] = (tfmrt_vk_binding){st->buffers[range->buffer],
                                       range->offset, range->bytes};
    }
    status = step->kernel == UINT32_MAX
                 ? tfmrt_vk_schedule_copy(st->schedule, bindings[0],
                                          bindings[1])
                 : tfmrt_vk_schedule_dispatch(
                       st->schedule, st->kernels[step->kernel], bindings, n,
                       NULL, 0, step->groups[0], step->groups[1],
                       step->groups[2]);
    if (status)
      return status;
  }
  return tfmrt_vk_schedule_end(st->schedule);
}

static program_state *state_of(const tfmrt_vk_program *program) {
  for (size_t i = 0; i < sizeof states / sizeof *states; ++i) {
    if (states[i].program == program)
      return &states[i];
    if (!states[i].program) {
      states[i].program = program;
      if (set_up(&states[i]) != TFMRT_VK_OK) {
        if (!states[i].recorded)
          record_failure();
        tfmrt_vk_destroy(states[i].vk);
        free(states[i].buffers);
        free(states[i].kernels);
        free(states[i].step_kernels);
        free(states[i].step_ms);
        memset(&states[i], 0, sizeof states[i]);
        return NULL;
      }
      return &states[i];
    }
  }
  tfmrt_record_error(TFMRT_ERROR_RUNTIME, "too many Vulkan models in one "
                                          "process");
  return NULL;
}

/* Runs are serialized: a program's buffers and recorded schedule are
 * shared by every thread (model libraries allow a context per thread). */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static void run_locked(const tfmrt_vk_program *program, void **buffers);

void tfmrt_vk_program_run(const tfmrt_vk_program *program, void **buffers) {
  pthread_mutex_lock(&run_lock);
  run_locked(program, buffers);
  pthread_mutex_unlock(&run_lock);
}

static void run_locked(const tfmrt_vk_program *program, void **buffers) {
  program_state *st = state_of(program);
  if (!st)
    return;
  const tfmrt_vk_program *p = program;
  for (uint32_t i = 0; i < p->buffer_count; ++i) {
    const tfmrt_vk_program_buffer *b = &p->buffers[i];
    if (b->kind == TFMRT_VK_BUFFER_INPUT &&
        tfmrt_vk_buffer_write(st->vk, st->buffers[i], 0, buffers[b->index],
                              b->bytes) != TFMRT_VK_OK)
      return record_failure();
  }
  static const uint32_t no_errors[TFMRT_VK_INDEX_ERROR_WORDS];
  for (uint32_t i = 0; i < p->buffer_count; ++i)
    if (p->buffers[i].kind == TFMRT_VK_BUFFER_INDEX_ERRORS &&
        tfmrt_vk_buffer_write(st->vk, st->buffers[i], 0, no_errors,
                              sizeof no_errors) != TFMRT_VK_OK)
      return record_failure();
  if (tfmrt_vk_schedule_run(st->schedule, &last_device_ms) != TFMRT_VK_OK)
    return record_failure();
  if (st->step_ms) {
    double *ms = malloc((p->step_count ? p->step_count : 1) * sizeof *ms);
    if (ms) {
      tfmrt_vk_schedule_step_ms(st->schedule, ms, p->step_count);
      for (uint32_t i = 0; i < p->step_count; ++i)
        st->step_ms[i] += ms[i] > 0 ? ms[i] : 0;
      ++st->runs;
      free(ms);
    }
  }
  for (uint32_t i = 0; i < p->buffer_count; ++i)
    if (p->buffers[i].kind == TFMRT_VK_BUFFER_INDEX_ERRORS &&
        report_index_errors(st, i) != TFMRT_VK_OK)
      return record_failure();
  for (uint32_t i = 0; i < p->buffer_count; ++i) {
    const tfmrt_vk_program_buffer *b = &p->buffers[i];
    if (b->kind == TFMRT_VK_BUFFER_OUTPUT &&
        tfmrt_vk_buffer_read(st->vk, st->buffers[i], 0,
                             buffers[p->num_inputs + b->index],
                             b->bytes) != TFMRT_VK_OK)
      return record_failure();
  }
  int messages = tfmrt_vk_validation_messages(st->vk);
  if (messages)
    tfmrt_record_error(TFMRT_ERROR_RUNTIME,
                       "Vulkan: the validation layer reported %d problem(s) "
                       "(above)", messages);
}
