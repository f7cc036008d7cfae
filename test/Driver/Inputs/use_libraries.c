/* Links two model libraries into one program and runs them from two
 * threads at once, each on its own context; checks the numbers and the
 * errors the API reports. */
#include "liblinear.h"
#include "libdouble.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(c)                                                              \
  do {                                                                        \
    if (!(c)) {                                                               \
      fprintf(stderr, "line %d: CHECK failed: %s\n", __LINE__, #c);           \
      ++failures;                                                             \
    }                                                                         \
  } while (0)

static void *run_linear(void *arg) {
  (void)arg;
  tfmrt_context *ctx = tfmc_linear_create();
  static const int64_t xs[] = {2, 4}, ys[] = {2, 3};
  float x[8], y[6];
  for (int i = 0; i < 8; ++i)
    x[i] = (float)i;
  tfmrt_tensor in = {TFMRT_F32, 2, xs, x}, out = {TFMRT_F32, 2, ys, y};
  int ok = 1;
  for (int iter = 0; iter < 200; ++iter) {
    memset(y, 0, sizeof y);
    ok &= tfmc_linear_run(ctx, &in, &out) == TFMRT_OK;
    /* w = arange(12).reshape(3, 4); y = x @ w.T */
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 3; ++c) {
        float want = 0;
        for (int k = 0; k < 4; ++k)
          want += x[r * 4 + k] * (float)(c * 4 + k);
        ok &= y[r * 3 + c] == want;
      }
  }
  tfmc_linear_destroy(ctx);
  return (void *)(long)ok;
}

static void *run_double(void *arg) {
  (void)arg;
  tfmrt_context *ctx = tfmc_double_create();
  static const int64_t s[] = {3};
  float x[3] = {1, -2, 3.5f}, y[3];
  tfmrt_tensor in = {TFMRT_F32, 1, s, x}, out = {TFMRT_F32, 1, s, y};
  int ok = 1;
  for (int iter = 0; iter < 200; ++iter)
    ok &= tfmc_double_run(ctx, &in, &out) == TFMRT_OK && y[0] == 2 &&
          y[1] == -4 && y[2] == 7;
  tfmc_double_destroy(ctx);
  return (void *)(long)ok;
}

int main(void) {
  CHECK(TFMC_LINEAR_API_VERSION == 1 && TFMC_LINEAR_NUM_INPUTS == 1);
  CHECK(TFMC_LINEAR_INPUT_X == 0 && TFMC_DOUBLE_OUTPUT_TWICE_X == 0);
  const tfmrt_model *info = tfmc_double_info();
  CHECK(info->num_outputs == 1 && strcmp(info->outputs[0].name, "twice x") == 0);
  CHECK(info->inputs[0].dtype == TFMRT_F32 && info->inputs[0].shape[0] == 3);

  pthread_t a, b;
  void *ra, *rb;
  pthread_create(&a, NULL, run_linear, NULL);
  pthread_create(&b, NULL, run_double, NULL);
  pthread_join(a, &ra);
  pthread_join(b, &rb);
  CHECK(ra == (void *)1L);
  CHECK(rb == (void *)1L);

  /* Mismatched tensors are refused with a message, never run. */
  tfmrt_context *ctx = tfmc_double_create();
  static const int64_t wrong[] = {4};
  float x[4] = {0}, y[4];
  tfmrt_tensor in = {TFMRT_F32, 1, wrong, x}, out = {TFMRT_F32, 1, wrong, y};
  CHECK(tfmc_double_run(ctx, &in, &out) == TFMRT_BAD_INPUT);
  printf("%s\n", tfmc_double_error(ctx));
  in.dtype = TFMRT_I32;
  CHECK(tfmc_double_run(ctx, &in, &out) == TFMRT_BAD_INPUT);
  printf("%s\n", tfmc_double_error(ctx));
  tfmc_double_destroy(ctx);

  if (failures)
    return 1;
  printf("ok\n");
  return 0;
}
