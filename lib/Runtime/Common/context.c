/*===- context.c - running a model through tfmrt_context -----------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * The one way a compiled model is run, by the executable's main and by
 * programs linking `--emit=lib` libraries: tensors are checked against the
 * model's description before the generated code sees a pointer, and an
 * index error met during the run becomes the run's status.
 *
 *===----------------------------------------------------------------------===*/

#include "error.h"
#include "tensor.h"

#include "tfmc/Runtime/tfmrt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tfmrt_context {
  const tfmrt_model *model;
  void **buffers; /* inputs then outputs, as model->run takes them */
  char error[TFMRT_ERROR_MAX];
};

__attribute__((format(printf, 2, 3))) static int
fail(tfmrt_context *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->error, sizeof ctx->error, fmt, ap);
  va_end(ap);
  return TFMRT_BAD_INPUT;
}

tfmrt_context *tfmrt_create(const tfmrt_model *model) {
  tfmrt_context *ctx = calloc(1, sizeof *ctx);
  if (!ctx)
    return NULL;
  ctx->model = model;
  int n = model ? model->num_inputs + model->num_outputs : 0;
  ctx->buffers = calloc((size_t)(n > 0 ? n : 1), sizeof(void *));
  if (!ctx->buffers) {
    free(ctx);
    return NULL;
  }
  return ctx;
}

void tfmrt_destroy(tfmrt_context *ctx) {
  if (!ctx)
    return;
  free(ctx->buffers);
  free(ctx);
}

const char *tfmrt_error(const tfmrt_context *ctx) {
  return ctx ? ctx->error : "no context";
}

/* `t` matches `info` exactly; the data pointer is usable. */
static int check_tensor(tfmrt_context *ctx, const char *kind,
                        const tfmrt_tensor_info *info, const tfmrt_tensor *t) {
  char want[TFMRT_SHAPE_STR_SIZE], got[TFMRT_SHAPE_STR_SIZE];
  if (t->dtype != info->dtype) {
    const char *name = tfmrt_dtype_name(t->dtype);
    return fail(ctx, "%s '%s': dtype %s%s does not match the model's %s", kind,
                info->name, name ? "" : "code ",
                name ? name : (snprintf(got, sizeof got, "%d", t->dtype), got),
                tfmrt_dtype_name(info->dtype));
  }
  int same = t->rank == info->rank && (t->rank == 0 || t->shape);
  for (int32_t d = 0; same && d < t->rank; ++d)
    same = t->shape[d] == info->shape[d];
  if (!same) {
    tfmrt_format_shape(want, sizeof want, info->rank, info->shape);
    if (t->rank < 0 || t->rank > TFMRT_MAX_RANK || (t->rank && !t->shape))
      snprintf(got, sizeof got, "of rank %d", t->rank);
    else
      tfmrt_format_shape(got, sizeof got, t->rank, t->shape);
    return fail(ctx, "%s '%s': shape %s does not match the model's %s", kind,
                info->name, got, want);
  }
  uint64_t elements = 0, bytes = 0;
  tfmrt_shape_size(info->rank, info->shape, tfmrt_dtype_size(info->dtype),
                   &elements, &bytes);
  if (elements && !t->data)
    return fail(ctx, "%s '%s': data pointer is NULL", kind, info->name);
  size_t align = tfmrt_dtype_size(info->dtype);
  if (align > 1 && (uintptr_t)t->data % align)
    return fail(ctx, "%s '%s': data is not aligned to its %zu-byte elements",
                kind, info->name, align);
  return TFMRT_OK;
}

/* Token ids must lie in [0, index_bound): checked before the run so the
 * message can name the input and the position. */
static int check_indices(tfmrt_context *ctx, const tfmrt_tensor_info *info,
                         const tfmrt_tensor *t) {
  if (info->index_bound <= 0 ||
      (info->dtype != TFMRT_I32 && info->dtype != TFMRT_I64))
    return TFMRT_OK;
  uint64_t elements = 0, bytes = 0;
  tfmrt_shape_size(info->rank, info->shape, tfmrt_dtype_size(info->dtype),
                   &elements, &bytes);
  for (uint64_t i = 0; i < elements; ++i) {
    int64_t v = info->dtype == TFMRT_I32 ? ((const int32_t *)t->data)[i]
                                         : ((const int64_t *)t->data)[i];
    if (v < 0 || v >= info->index_bound) {
      char where[TFMRT_SHAPE_STR_SIZE];
      tfmrt_format_index(where, sizeof where, info->rank, info->shape, i);
      return fail(ctx, "input '%s': value %lld at index %s is out of range "
                       "[0, %lld)",
                  info->name, (long long)v, where,
                  (long long)info->index_bound);
    }
  }
  return TFMRT_OK;
}

int tfmrt_run(tfmrt_context *ctx, const tfmrt_tensor *inputs,
              const tfmrt_tensor *outputs) {
  if (!ctx)
    return TFMRT_RUNTIME_ERROR;
  ctx->error[0] = '\0';
  const tfmrt_model *m = ctx->model;
  if (!m || m->abi_version != TFMRT_ABI_VERSION || !m->run) {
    snprintf(ctx->error, sizeof ctx->error,
             "the model was compiled for runtime ABI %u, this runtime is %u",
             m ? m->abi_version : 0u, (unsigned)TFMRT_ABI_VERSION);
    return TFMRT_RUNTIME_ERROR;
  }
  if ((m->num_inputs && !inputs) || (m->num_outputs && !outputs))
    return fail(ctx, "%s array is NULL", !inputs ? "inputs" : "outputs");
  int rc;
  for (int32_t i = 0; i < m->num_inputs; ++i) {
    if ((rc = check_tensor(ctx, "input", &m->inputs[i], &inputs[i])) ||
        (rc = check_indices(ctx, &m->inputs[i], &inputs[i])))
      return rc;
    ctx->buffers[i] = inputs[i].data;
  }
  for (int32_t i = 0; i < m->num_outputs; ++i) {
    if ((rc = check_tensor(ctx, "output", &m->outputs[i], &outputs[i])))
      return rc;
    ctx->buffers[m->num_inputs + i] = outputs[i].data;
  }

  tfmrt_take_error(); /* a stale record from code run outside a context */
  m->run(ctx->buffers);

  tfmrt_error_kind kind;
  uint64_t dropped;
  const char *msg = tfmrt_take_error_ex(&kind, &dropped);
  if (!msg)
    return TFMRT_OK;
  if (dropped)
    snprintf(ctx->error, sizeof ctx->error, "%s (and %llu more error%s in "
             "this run)", msg, (unsigned long long)dropped,
             dropped == 1 ? "" : "s");
  else
    snprintf(ctx->error, sizeof ctx->error, "%s", msg);
  /* Index errors come from the input data (an id the model cannot embed). */
  return kind == TFMRT_ERROR_INDEX ? TFMRT_BAD_INPUT : TFMRT_RUNTIME_ERROR;
}
