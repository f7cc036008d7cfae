/*===- cli.c - the command line of a compiled model ----------------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * Order of work: parse the flags, check the model object, resolve and load
 * every input (checking dtype, shape and index ranges), prepare the output
 * paths, and only then run. Everything a user can get wrong is therefore
 * reported before a possibly long run, as one "error: " line naming the
 * flag, tensor or file.
 *
 *===----------------------------------------------------------------------===*/

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime, mkdir, stat, access */
#endif

#include "cli.h"

#include "error.h"
#include "npy.h"
#include "tensor.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Generous bounds that keep every count and allocation sane. */
#define MAX_TENSORS (1 << 16)
#define MAX_BENCH_RUNS 10000000u
#define MAX_THREADS 65536u
#define BUFFER_ALIGN 64

/*===----------------------------------------------------------------------===*
 * Messages
 *===----------------------------------------------------------------------===*/

/* Replaces control characters (a newline in a file name, say) so that every
 * message stays on one line. */
static void make_printable(char *s) {
  for (; *s; ++s)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      *s = '?';
}

__attribute__((format(printf, 1, 2))) static void report(const char *fmt,
                                                         ...) {
  char msg[TFMRT_NPY_ERR_SIZE + 1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  make_printable(msg);
  fprintf(stderr, "error: %s\n", msg);
  fflush(stderr);
}

/* A tensor name for printing: the model's, with control characters made
 * visible. Returns `buf`. */
static const char *printable(const char *s, char *buf, size_t size) {
  snprintf(buf, size, "%s", s);
  make_printable(buf);
  return buf;
}

/* Defined when the model's kernels run in parallel and libomp is linked;
 * NULL (weak) for single-threaded models, which need no OpenMP runtime. */
extern void omp_set_num_threads(int) __attribute__((weak));

/* Defined when the model runs on Vulkan (libtfmrt_vulkan is linked). */
extern void tfmrt_vk_select_device(int) __attribute__((weak));
extern double tfmrt_vk_last_device_ms(void) __attribute__((weak));

/*===----------------------------------------------------------------------===*
 * State
 *===----------------------------------------------------------------------===*/

typedef struct tensor {
  const tfmrt_tensor_info *info;
  const char *name;       /* info->name, or fallback_name */
  char fallback_name[32]; /* "input3" when the model gives no name */
  size_t itemsize;
  uint64_t count, bytes;
  void *data;             /* BUFFER_ALIGN-aligned, exactly `bytes` long */
  const char *path;       /* --input file or output file; NULL if none */
  char *owned_path;       /* path when we built it (--output-dir) */
} tensor;

typedef struct options {
  int info, random_inputs, have_seed, have_bench, have_threads, have_device;
  uint64_t seed, bench_runs, threads, device;
  const char *output_file, *output_dir;
  const char **input_specs; /* "NAME=FILE" as given */
  int num_input_specs;
} options;

typedef struct cli {
  const tfmrt_model *model;
  const char *model_name;
  options opt;
  tensor *inputs, *outputs;
  int num_inputs, num_outputs;
  tfmrt_tensor *views; /* inputs then outputs, as tfmrt_run takes them */
  tfmrt_context *ctx;
  double *samples;
} cli;

static void free_tensors(tensor *t, int n) {
  for (int i = 0; t && i < n; ++i) {
    free(t[i].data);
    free(t[i].owned_path);
  }
  free(t);
}

static void cli_free(cli *c) {
  free_tensors(c->inputs, c->num_inputs);
  free_tensors(c->outputs, c->num_outputs);
  free(c->views);
  tfmrt_destroy(c->ctx);
  free(c->samples);
  free(c->opt.input_specs);
}

static void *alloc_buffer(uint64_t bytes) {
  void *p = NULL;
  /* posix_memalign rather than aligned_alloc: C11 requires aligned_alloc's
   * size to be a multiple of the alignment, and buffers are sized exactly.
   * A zero-sized tensor still gets a valid, aligned pointer. */
  if (bytes > SIZE_MAX ||
      posix_memalign(&p, BUFFER_ALIGN, bytes ? (size_t)bytes : BUFFER_ALIGN))
    return NULL;
  return p;
}

/*===----------------------------------------------------------------------===*
 * Usage and flags
 *===----------------------------------------------------------------------===*/

static void print_usage(const cli *c, const char *prog) {
  printf(
      "usage: %s [options]\n"
      "Runs the compiled model '%s' on .npy inputs, describes it, or times "
      "it.\n"
      "\n"
      "  --info                  print one line per tensor: \"input NAME DTYPE "
      "[SHAPE]\"\n"
      "                          or \"output NAME DTYPE [SHAPE]\", and exit\n"
      "  --input NAME=FILE.npy   give input NAME (repeat for each input)\n"
      "  --random-inputs         draw every input not given with --input\n"
      "  --seed N                seed of --random-inputs (default 0)\n"
      "  --output FILE.npy       write the output (single-output models)\n"
      "  --output-dir DIR        write each output to DIR/NAME.npy, creating "
      "DIR\n"
      "  --bench N               time N runs after one warm-up; prints\n"
      "                          latency_ms min=.. median=.. max=.. runs=N\n"
      "                          (Vulkan models: then device_ms, the same\n"
      "                          from the device's timestamps)\n"
      "  --threads N             threads for parallel kernels (default: all\n"
      "                          cores, or OMP_NUM_THREADS)\n"
      "  --device N              the Vulkan device to run on (Vulkan models;\n"
      "                          default: the first GPU)\n"
      "  --help                  print this text\n"
      "\n"
      "Without --output or --output-dir a run prints one line per output:\n"
      "  output NAME DTYPE [SHAPE] min=.. max=.. mean=..\n"
      "dtypes: f32 f16 bf16 i1 i32 i64; .npy descr <f4 <f2 <u2 (bf16 bit "
      "patterns) |b1 <i4 <i8.\n"
      "Exit status: 0 success, 1 bad usage or bad input, 2 runtime failure.\n",
      prog, c->model_name);
}

/* Decimal digits only (no sign, no spaces), within [min, max]. */
static int parse_uint(const char *s, uint64_t min, uint64_t max,
                      uint64_t *out) {
  if (!*s)
    return -1;
  uint64_t v = 0;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9')
      return -1;
    uint64_t digit = (uint64_t)(*s - '0');
    if (v > (UINT64_MAX - digit) / 10)
      return -1;
    v = v * 10 + digit;
  }
  if (v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

enum flag_id {
  FLAG_INFO, FLAG_INPUT, FLAG_OUTPUT, FLAG_OUTPUT_DIR, FLAG_RANDOM, FLAG_SEED,
  FLAG_BENCH, FLAG_THREADS, FLAG_DEVICE, FLAG_HELP
};

static const struct flag {
  const char *name;
  enum flag_id id;
  const char *value; /* how the value is written in messages; NULL: none */
} flags[] = {
    {"--info", FLAG_INFO, NULL},
    {"--input", FLAG_INPUT, "NAME=FILE.npy"},
    {"--output", FLAG_OUTPUT, "FILE.npy"},
    {"--output-dir", FLAG_OUTPUT_DIR, "DIR"},
    {"--random-inputs", FLAG_RANDOM, NULL},
    {"--seed", FLAG_SEED, "N"},
    {"--bench", FLAG_BENCH, "N"},
    {"--threads", FLAG_THREADS, "N"},
    {"--device", FLAG_DEVICE, "N"},
    {"--help", FLAG_HELP, NULL},
    {"-h", FLAG_HELP, NULL},
};

/* Parses argv into c->opt. Returns -1 after printing usage for --help, 0 to
 * go on, or an exit status (after reporting). */
static int parse_args(cli *c, int argc, char **argv) {
  options *o = &c->opt;
  o->input_specs = calloc((size_t)(argc > 0 ? argc : 1), sizeof(char *));
  if (!o->input_specs) {
    report("out of memory");
    return TFMRT_EXIT_RUNTIME;
  }
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (arg[0] != '-') {
      report("unexpected argument '%s' (inputs are given as --input "
             "NAME=FILE.npy; see --help)",
             arg);
      return TFMRT_EXIT_BAD_INPUT;
    }
    /* --flag=value or --flag value */
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct flag *flag = NULL;
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; ++k)
      if (strlen(flags[k].name) == name_len &&
          strncmp(flags[k].name, arg, name_len) == 0)
        flag = &flags[k];
    if (!flag) {
      report("unknown flag '%.*s' (see --help)", (int)name_len, arg);
      return TFMRT_EXIT_BAD_INPUT;
    }
    const char *value = NULL;
    if (flag->value) {
      if (eq) {
        value = eq + 1;
      } else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
        value = argv[++i];
      } else {
        report("flag '%s' needs a value (%s %s)", flag->name, flag->name,
               flag->value);
        return TFMRT_EXIT_BAD_INPUT;
      }
    } else if (eq) {
      report("flag '%s' takes no value, got '%s'", flag->name, arg);
      return TFMRT_EXIT_BAD_INPUT;
    }

    switch (flag->id) {
    case FLAG_HELP:
      return -1;
    case FLAG_INFO:
      o->info = 1;
      break;
    case FLAG_RANDOM:
      o->random_inputs = 1;
      break;
    case FLAG_INPUT:
      o->input_specs[o->num_input_specs++] = value;
      break;
    case FLAG_OUTPUT:
    case FLAG_OUTPUT_DIR: {
      const char **slot =
          flag->id == FLAG_OUTPUT ? &o->output_file : &o->output_dir;
      if (*slot) {
        report("flag '%s' is given twice", flag->name);
        return TFMRT_EXIT_BAD_INPUT;
      }
      if (!*value) {
        report("flag '%s' needs a non-empty %s", flag->name, flag->value);
        return TFMRT_EXIT_BAD_INPUT;
      }
      *slot = value;
      break;
    }
    case FLAG_SEED:
    case FLAG_BENCH:
    case FLAG_THREADS:
    case FLAG_DEVICE: {
      int *have = flag->id == FLAG_SEED      ? &o->have_seed
                  : flag->id == FLAG_BENCH   ? &o->have_bench
                  : flag->id == FLAG_THREADS ? &o->have_threads
                                             : &o->have_device;
      uint64_t *dst = flag->id == FLAG_SEED      ? &o->seed
                      : flag->id == FLAG_BENCH   ? &o->bench_runs
                      : flag->id == FLAG_THREADS ? &o->threads
                                                 : &o->device;
      uint64_t min = flag->id == FLAG_SEED || flag->id == FLAG_DEVICE ? 0 : 1;
      uint64_t max = flag->id == FLAG_SEED      ? UINT64_MAX
                     : flag->id == FLAG_BENCH   ? MAX_BENCH_RUNS
                     : flag->id == FLAG_THREADS ? MAX_THREADS
                                                : 1023;
      if (*have) {
        report("flag '%s' is given twice", flag->name);
        return TFMRT_EXIT_BAD_INPUT;
      }
      if (parse_uint(value, min, max, dst) != 0) {
        report("flag '%s' expects an integer between %llu and %llu, got '%s'",
               flag->name, (unsigned long long)min, (unsigned long long)max,
               value);
        return TFMRT_EXIT_BAD_INPUT;
      }
      *have = 1;
      break;
    }
    }
  }
  if (o->output_file && o->output_dir) {
    report("flags '--output' and '--output-dir' cannot be combined");
    return TFMRT_EXIT_BAD_INPUT;
  }
  if (o->have_seed && !o->random_inputs) {
    report("flag '--seed' only applies with --random-inputs");
    return TFMRT_EXIT_BAD_INPUT;
  }
  return 0;
}

/*===----------------------------------------------------------------------===*
 * The model object
 *===----------------------------------------------------------------------===*/

/* Checks what the compiler promised, so that a stale or corrupt object gives
 * a clear message instead of a crash. Fills c->inputs and c->outputs. */
static int setup_tensors(cli *c, const char *kind, int32_t n,
                         const tfmrt_tensor_info *infos, tensor **out) {
  if (n < 0 || n > MAX_TENSORS || (n > 0 && !infos)) {
    report("model '%s' is invalid: it declares %d %ss", c->model_name, (int)n,
           kind);
    return TFMRT_EXIT_RUNTIME;
  }
  *out = calloc((size_t)(n > 0 ? n : 1), sizeof(tensor));
  if (!*out) {
    report("out of memory");
    return TFMRT_EXIT_RUNTIME;
  }
  for (int32_t i = 0; i < n; ++i) {
    tensor *t = &(*out)[i];
    t->info = &infos[i];
    if (t->info->name && *t->info->name) {
      t->name = t->info->name;
    } else {
      snprintf(t->fallback_name, sizeof t->fallback_name, "%s%d", kind,
               (int)i);
      t->name = t->fallback_name;
    }
    t->itemsize = tfmrt_dtype_size(t->info->dtype);
    if (t->itemsize == 0) {
      report("model '%s' is invalid: %s '%s' has unknown dtype code %d",
             c->model_name, kind, t->name, (int)t->info->dtype);
      return TFMRT_EXIT_RUNTIME;
    }
    int rc = tfmrt_shape_size(t->info->rank, t->info->shape, t->itemsize,
                              &t->count, &t->bytes);
    if (rc == -1) {
      report("model '%s' is invalid: %s '%s' has rank %d or a negative "
             "dimension (this runtime supports ranks 0 to %d)",
             c->model_name, kind, t->name, (int)t->info->rank,
             TFMRT_MAX_RANK);
      return TFMRT_EXIT_RUNTIME;
    }
    if (rc == -2) {
      report("model '%s' is invalid: %s '%s' is larger than 2^63 bytes",
             c->model_name, kind, t->name);
      return TFMRT_EXIT_RUNTIME;
    }
  }
  return 0;
}

static int check_model(cli *c) {
  const tfmrt_model *m = c->model;
  if (m->abi_version != TFMRT_ABI_VERSION) {
    report("model '%s' was compiled for runtime ABI version %lu, but this "
           "runtime implements version %d: compile and link with the same "
           "tfmc",
           c->model_name, (unsigned long)m->abi_version, TFMRT_ABI_VERSION);
    return TFMRT_EXIT_RUNTIME;
  }
  if (!m->run) {
    report("model '%s' is invalid: it has no run function", c->model_name);
    return TFMRT_EXIT_RUNTIME;
  }
  int rc = setup_tensors(c, "input", m->num_inputs, m->inputs, &c->inputs);
  if (rc)
    return rc;
  c->num_inputs = m->num_inputs;
  rc = setup_tensors(c, "output", m->num_outputs, m->outputs, &c->outputs);
  if (rc)
    return rc;
  c->num_outputs = m->num_outputs;
  return 0;
}

static void print_tensor_line(const char *kind, const tensor *t) {
  char name[1024], shape[TFMRT_SHAPE_STR_SIZE];
  tfmrt_format_shape(shape, sizeof shape, t->info->rank, t->info->shape);
  printf("%s %s %s %s", kind, printable(t->name, name, sizeof name),
         tfmrt_dtype_name(t->info->dtype), shape);
}

static void print_info(const cli *c) {
  for (int i = 0; i < c->num_inputs; ++i) {
    print_tensor_line("input", &c->inputs[i]);
    putchar('\n');
  }
  for (int i = 0; i < c->num_outputs; ++i) {
    print_tensor_line("output", &c->outputs[i]);
    putchar('\n');
  }
}

/* "a, b, c" (or "none") into a malloc'ed string; NULL if out of memory. */
static char *join_names(const tensor *t, int n) {
  size_t len = 5;
  for (int i = 0; i < n; ++i)
    len += strlen(t[i].name) + 2;
  char *s = malloc(len);
  if (!s)
    return NULL;
  strcpy(s, n ? "" : "none");
  for (int i = 0; i < n; ++i) {
    if (i)
      strcat(s, ", ");
    strcat(s, t[i].name);
  }
  return s;
}

/*===----------------------------------------------------------------------===*
 * Inputs
 *===----------------------------------------------------------------------===*/

static int find_input(const cli *c, const char *name, size_t len) {
  for (int i = 0; i < c->num_inputs; ++i)
    if (strlen(c->inputs[i].name) == len &&
        strncmp(c->inputs[i].name, name, len) == 0)
      return i;
  return -1;
}

/* Matches each --input NAME=FILE to a model input. A name may itself hold
 * '=': the first split whose left side names an input wins. */
static int resolve_inputs(cli *c) {
  for (int s = 0; s < c->opt.num_input_specs; ++s) {
    const char *spec = c->opt.input_specs[s];
    const char *first_eq = strchr(spec, '=');
    if (!first_eq) {
      report("flag '--input' expects NAME=FILE.npy, got '%s'", spec);
      return TFMRT_EXIT_BAD_INPUT;
    }
    int index = -1;
    const char *eq = first_eq;
    for (; eq; eq = strchr(eq + 1, '='))
      if ((index = find_input(c, spec, (size_t)(eq - spec))) >= 0)
        break;
    if (index < 0) {
      char *names = join_names(c->inputs, c->num_inputs);
      report("unknown input name '%.*s' (the model's inputs are: %s)",
             (int)(first_eq - spec), spec, names ? names : "?");
      free(names);
      return TFMRT_EXIT_BAD_INPUT;
    }
    tensor *t = &c->inputs[index];
    if (!eq[1]) {
      report("flag '--input %s' has no file name after '='", spec);
      return TFMRT_EXIT_BAD_INPUT;
    }
    if (t->path) {
      report("input '%s' is given twice (--input %s=%s and --input %s)",
             t->name, t->name, t->path, spec);
      return TFMRT_EXIT_BAD_INPUT;
    }
    t->path = eq + 1;
  }
  if (c->opt.random_inputs)
    return 0;
  int missing = 0, first = -1;
  size_t len = 1;
  for (int i = 0; i < c->num_inputs; ++i)
    if (!c->inputs[i].path) {
      if (missing++ == 0)
        first = i;
      len += strlen(c->inputs[i].name) + 4;
    }
  if (missing == 1) {
    report("missing input '%s' (give --input %s=FILE.npy or --random-inputs)",
           c->inputs[first].name, c->inputs[first].name);
    return TFMRT_EXIT_BAD_INPUT;
  }
  if (missing > 1) {
    char *names = malloc(len);
    if (names) {
      names[0] = '\0';
      for (int i = 0; i < c->num_inputs; ++i)
        if (!c->inputs[i].path) {
          strcat(names, *names ? ", '" : "'");
          strcat(names, c->inputs[i].name);
          strcat(names, "'");
        }
    }
    report("missing inputs %s (give --input NAME=FILE.npy for each, or "
           "--random-inputs)",
           names ? names : "?");
    free(names);
    return TFMRT_EXIT_BAD_INPUT;
  }
  return 0;
}

/* Fortran order is only a different layout when two dimensions exceed 1. */
static int layout_differs_in_fortran_order(const tfmrt_npy_header *h) {
  int big = 0;
  for (int32_t i = 0; i < h->rank; ++i)
    big += h->shape[i] > 1;
  return big > 1;
}

static int shapes_equal(const tfmrt_npy_header *h,
                        const tfmrt_tensor_info *info) {
  if (h->rank != info->rank)
    return 0;
  for (int32_t i = 0; i < h->rank; ++i)
    if (h->shape[i] != info->shape[i])
      return 0;
  return 1;
}

static int load_input(tensor *t) {
  char err[TFMRT_NPY_ERR_SIZE];
  FILE *f = fopen(t->path, "rb");
  if (!f) {
    report("input '%s': cannot open '%s': %s", t->name, t->path,
           strerror(errno));
    return TFMRT_EXIT_BAD_INPUT;
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    report("input '%s': '%s' is a directory, not a .npy file", t->name,
           t->path);
    return TFMRT_EXIT_BAD_INPUT;
  }
  tfmrt_npy_header h;
  int rc = TFMRT_EXIT_BAD_INPUT;
  if (tfmrt_npy_read_header(f, t->path, &h, err, sizeof err) != 0) {
    report("%s", err);
    goto done;
  }
  int32_t want = t->info->dtype;
  if (h.dtype != want) {
    report("input '%s': file '%s' has dtype %s but the model expects %s "
           "('%s'%s)",
           t->name, t->path, h.descr, tfmrt_dtype_name(want),
           tfmrt_dtype_descr(want),
           want == TFMRT_BF16 ? ", bf16 bit patterns stored as uint16" : "");
    goto done;
  }
  if (!shapes_equal(&h, t->info)) {
    char got[TFMRT_SHAPE_STR_SIZE], expected[TFMRT_SHAPE_STR_SIZE];
    tfmrt_format_shape(got, sizeof got, h.rank, h.shape);
    tfmrt_format_shape(expected, sizeof expected, t->info->rank,
                       t->info->shape);
    report("input '%s': shape %s does not match the model's %s (file '%s')",
           t->name, got, expected, t->path);
    goto done;
  }
  if (h.fortran_order && layout_differs_in_fortran_order(&h)) {
    report("input '%s': '%s' is stored in Fortran (column-major) order; save "
           "a C-ordered array (numpy.ascontiguousarray) instead",
           t->name, t->path);
    goto done;
  }
  /* The shape equals the model's, whose byte size was checked already. */
  if (tfmrt_npy_check_size(f, t->path, &h, t->bytes, err, sizeof err) != 0) {
    report("%s", err);
    goto done;
  }
  t->data = alloc_buffer(t->bytes);
  if (!t->data) {
    report("out of memory: cannot allocate %llu bytes for input '%s'",
           (unsigned long long)t->bytes, t->name);
    rc = TFMRT_EXIT_RUNTIME;
    goto done;
  }
  if (tfmrt_npy_read_data(f, t->path, t->bytes, t->data, err, sizeof err) !=
      0) {
    report("%s", err);
    goto done;
  }
  rc = 0;
done:
  fclose(f);
  return rc;
}

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for
 * test inputs; identical on every platform, unlike rand(). */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t next_random(uint64_t *state) {
  return mix64(*state += 0x9e3779b97f4a7c15ull);
}

/* Uniform in [0, bound) without modulo bias: reject the few draws in the
 * incomplete last block of 2^64 mod bound values. */
static uint64_t random_below(uint64_t *state, uint64_t bound) {
  uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    uint64_t x = next_random(state);
    if (x >= threshold)
      return x % bound;
  }
}

/* Each input has its own stream, derived from the seed and its position, so
 * giving one input from a file does not change the others' values. Float
 * values are drawn on a grid the dtype represents exactly, so rounding can
 * never produce 1.0. */
static void fill_random(tensor *t, uint64_t seed, int position) {
  uint64_t state = mix64(seed ^ mix64((uint64_t)position + 1));
  int64_t bound = t->info->index_bound;
  for (uint64_t i = 0; i < t->count; ++i) {
    switch (t->info->dtype) {
    case TFMRT_F32: /* k * 2^-23 - 1 for k in [0, 2^24) */
      ((float *)t->data)[i] =
          (float)(next_random(&state) >> 40) * 0x1p-23f - 1.0f;
      break;
    case TFMRT_F16: /* grid 2^-10 */
      ((uint16_t *)t->data)[i] = tfmrt_f32_to_f16(
          (float)(next_random(&state) >> 53) * 0x1p-10f - 1.0f);
      break;
    case TFMRT_BF16: /* grid 2^-7 */
      ((uint16_t *)t->data)[i] = tfmrt_f32_to_bf16(
          (float)(next_random(&state) >> 56) * 0x1p-7f - 1.0f);
      break;
    case TFMRT_I1:
      ((uint8_t *)t->data)[i] = (uint8_t)(next_random(&state) >> 63);
      break;
    case TFMRT_I32: {
      uint64_t n = bound > 0 ? (uint64_t)bound : 100;
      if (n > (uint64_t)INT32_MAX + 1)
        n = (uint64_t)INT32_MAX + 1;
      ((int32_t *)t->data)[i] = (int32_t)random_below(&state, n);
      break;
    }
    case TFMRT_I64: {
      uint64_t n = bound > 0 ? (uint64_t)bound : 100;
      ((int64_t *)t->data)[i] = (int64_t)random_below(&state, n);
      break;
    }
    default:
      break;
    }
  }
}

/* Index inputs must lie in [0, index_bound) and booleans be 0 or 1: the
 * generated code would otherwise clamp silently or read garbage. */
static int check_input_values(const tensor *t) {
  int32_t dtype = t->info->dtype;
  int64_t bound = t->info->index_bound;
  int is_index = (dtype == TFMRT_I32 || dtype == TFMRT_I64) && bound > 0;
  if (!is_index && dtype != TFMRT_I1)
    return 0;
  for (uint64_t i = 0; i < t->count; ++i) {
    int64_t v = dtype == TFMRT_I32   ? ((const int32_t *)t->data)[i]
                : dtype == TFMRT_I64 ? ((const int64_t *)t->data)[i]
                                     : ((const uint8_t *)t->data)[i];
    int bad = dtype == TFMRT_I1 ? v > 1 : (v < 0 || v >= bound);
    if (!bad)
      continue;
    char where[TFMRT_SHAPE_STR_SIZE], file[64 + 4096];
    tfmrt_format_index(where, sizeof where, t->info->rank, t->info->shape, i);
    if (t->path)
      snprintf(file, sizeof file, " (file '%s')", t->path);
    else
      file[0] = '\0';
    if (dtype == TFMRT_I1)
      report("input '%s': value %lld at index %s is not a boolean (0 or 1)%s",
             t->name, (long long)v, where, file);
    else
      report("input '%s': value %lld at index %s is out of range [0, %lld)%s",
             t->name, (long long)v, where, (long long)bound, file);
    return TFMRT_EXIT_BAD_INPUT;
  }
  return 0;
}

static int prepare_inputs(cli *c) {
  for (int i = 0; i < c->num_inputs; ++i) {
    tensor *t = &c->inputs[i];
    if (t->path) {
      int rc = load_input(t);
      if (rc)
        return rc;
    } else {
      t->data = alloc_buffer(t->bytes);
      if (!t->data) {
        report("out of memory: cannot allocate %llu bytes for input '%s'",
               (unsigned long long)t->bytes, t->name);
        return TFMRT_EXIT_RUNTIME;
      }
      fill_random(t, c->opt.seed, i);
    }
    int rc = check_input_values(t);
    if (rc)
      return rc;
  }
  return 0;
}

/*===----------------------------------------------------------------------===*
 * Outputs
 *===----------------------------------------------------------------------===*/

/* mkdir -p: creates each missing component; existing directories are fine. */
static int make_dirs(const char *dir) {
  char *path = malloc(strlen(dir) + 1);
  if (!path) {
    errno = ENOMEM;
    return -1;
  }
  strcpy(path, dir);
  int rc = 0, saved_errno = 0;
  for (char *p = path + 1;; ++p) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(path, 0777) != 0) {
      int e = errno;
      struct stat st;
      if (e != EEXIST || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        saved_errno = e == EEXIST ? ENOTDIR : e;
        rc = -1;
        break;
      }
    }
    *p = saved;
    if (!saved)
      break;
    while (p[1] == '/') /* "a//b" */
      ++p;
    if (!p[1]) /* trailing slash */
      break;
  }
  free(path);
  if (rc)
    errno = saved_errno;
  return rc;
}

/* Checks --output FILE before the run, so a typo does not cost a run. */
static int check_output_file(const char *file) {
  struct stat st;
  if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
    report("flag '--output': '%s' is a directory (use --output-dir for a "
           "directory)",
           file);
    return TFMRT_EXIT_BAD_INPUT;
  }
  const char *slash = strrchr(file, '/');
  size_t len = slash ? (size_t)(slash - file) : 0;
  char *dir = malloc(len + 2);
  if (!dir) {
    report("out of memory");
    return TFMRT_EXIT_RUNTIME;
  }
  if (!slash)
    strcpy(dir, ".");
  else if (len == 0)
    strcpy(dir, "/");
  else {
    memcpy(dir, file, len);
    dir[len] = '\0';
  }
  int rc = 0;
  if (stat(dir, &st) != 0) {
    report("flag '--output': cannot write '%s': directory '%s': %s", file, dir,
           strerror(errno));
    rc = TFMRT_EXIT_BAD_INPUT;
  } else if (!S_ISDIR(st.st_mode)) {
    report("flag '--output': cannot write '%s': '%s' is not a directory",
           file, dir);
    rc = TFMRT_EXIT_BAD_INPUT;
  } else if (access(dir, W_OK | X_OK) != 0) {
    report("flag '--output': cannot write '%s' in directory '%s': %s", file,
           dir, strerror(errno));
    rc = TFMRT_EXIT_BAD_INPUT;
  }
  free(dir);
  return rc;
}

static int prepare_outputs(cli *c) {
  const options *o = &c->opt;
  if (o->output_file) {
    if (c->num_outputs != 1) {
      char *names = join_names(c->outputs, c->num_outputs);
      report("flag '--output' needs a single-output model, but this model "
             "has %d outputs (%s): use --output-dir DIR",
             c->num_outputs, names ? names : "?");
      free(names);
      return TFMRT_EXIT_BAD_INPUT;
    }
    c->outputs[0].path = o->output_file;
  }
  if (o->output_dir) {
    size_t dir_len = strlen(o->output_dir);
    int slash = o->output_dir[dir_len - 1] != '/';
    for (int i = 0; i < c->num_outputs; ++i) {
      tensor *t = &c->outputs[i];
      size_t name_len = strlen(t->name);
      t->owned_path = malloc(dir_len + (size_t)slash + name_len + 5);
      if (!t->owned_path) {
        report("out of memory");
        return TFMRT_EXIT_RUNTIME;
      }
      char *p = t->owned_path;
      memcpy(p, o->output_dir, dir_len);
      p += dir_len;
      if (slash)
        *p++ = '/';
      /* Only portable file-name characters; '/' can never escape DIR. */
      for (size_t k = 0; k < name_len; ++k) {
        char ch = t->name[k];
        int keep = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                   (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
                   ch == '-';
        *p++ = keep ? ch : '_';
      }
      strcpy(p, ".npy");
      t->path = t->owned_path;
      for (int j = 0; j < i; ++j)
        if (strcmp(c->outputs[j].path, t->path) == 0) {
          report("outputs '%s' and '%s' would both be written to '%s'",
                 c->outputs[j].name, t->name, t->path);
          return TFMRT_EXIT_BAD_INPUT;
        }
    }
    if (make_dirs(o->output_dir) != 0) {
      report("cannot create output directory '%s': %s", o->output_dir,
             strerror(errno));
      return TFMRT_EXIT_BAD_INPUT;
    }
  } else if (o->output_file) {
    int rc = check_output_file(o->output_file);
    if (rc)
      return rc;
  }
  for (int i = 0; i < c->num_outputs; ++i) {
    tensor *t = &c->outputs[i];
    t->data = alloc_buffer(t->bytes);
    if (!t->data) {
      report("out of memory: cannot allocate %llu bytes for output '%s'",
             (unsigned long long)t->bytes, t->name);
      return TFMRT_EXIT_RUNTIME;
    }
    /* Deterministic contents even if generated code skipped an element. */
    memset(t->data, 0, t->bytes ? (size_t)t->bytes : BUFFER_ALIGN);
  }
  return 0;
}

static double element_as_double(const tensor *t, uint64_t i) {
  switch (t->info->dtype) {
  case TFMRT_F32: return ((const float *)t->data)[i];
  case TFMRT_F16: return tfmrt_f16_to_f32(((const uint16_t *)t->data)[i]);
  case TFMRT_BF16: return tfmrt_bf16_to_f32(((const uint16_t *)t->data)[i]);
  case TFMRT_I1: return ((const uint8_t *)t->data)[i];
  case TFMRT_I32: return ((const int32_t *)t->data)[i];
  case TFMRT_I64: return (double)((const int64_t *)t->data)[i];
  default: return 0;
  }
}

static int64_t element_as_int(const tensor *t, uint64_t i) {
  switch (t->info->dtype) {
  case TFMRT_I1: return ((const uint8_t *)t->data)[i];
  case TFMRT_I32: return ((const int32_t *)t->data)[i];
  case TFMRT_I64: return ((const int64_t *)t->data)[i];
  default: return 0;
  }
}

/* "output NAME DTYPE [SHAPE] min=.. max=.. mean=..": NaN anywhere makes all
 * three nan (as numpy's min/max/mean would), so NaN is never hidden. */
static void print_summary(const tensor *t) {
  print_tensor_line("output", t);
  if (t->count == 0) {
    printf(" min=nan max=nan mean=nan\n");
    return;
  }
  double sum = 0;
  if (tfmrt_dtype_is_float(t->info->dtype)) {
    double lo = INFINITY, hi = -INFINITY;
    int has_nan = 0;
    for (uint64_t i = 0; i < t->count; ++i) {
      double v = element_as_double(t, i);
      if (isnan(v)) {
        has_nan = 1;
        break;
      }
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      sum += v;
    }
    if (has_nan)
      printf(" min=nan max=nan mean=nan\n");
    else
      printf(" min=%.6g max=%.6g mean=%.6g\n", lo, hi,
             sum / (double)t->count);
    return;
  }
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (uint64_t i = 0; i < t->count; ++i) {
    int64_t v = element_as_int(t, i);
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    sum += (double)v;
  }
  printf(" min=%lld max=%lld mean=%.6g\n", (long long)lo, (long long)hi,
         sum / (double)t->count);
}

static int write_outputs(const cli *c) {
  char err[TFMRT_NPY_ERR_SIZE];
  for (int i = 0; i < c->num_outputs; ++i) {
    const tensor *t = &c->outputs[i];
    if (tfmrt_npy_write(t->path, t->info->dtype, t->info->rank,
                        t->info->shape, t->data, err, sizeof err) != 0) {
      report("output '%s': %s", t->name, err);
      return TFMRT_EXIT_BAD_INPUT;
    }
  }
  return 0;
}

/*===----------------------------------------------------------------------===*
 * Running
 *===----------------------------------------------------------------------===*/

/* One forward pass through the same API programs linking a model library
 * use; its failure message becomes the executable's one-line error. */
static int run_once(cli *c) {
  int rc = tfmrt_run(c->ctx, c->views, c->views + c->num_inputs);
  if (rc)
    report("%s", tfmrt_error(c->ctx));
  return rc;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* "NAME min=.. median=.. max=.. runs=N" of `runs` times (sorts them). */
static void print_times(const char *name, double *times, uint64_t runs) {
  qsort(times, (size_t)runs, sizeof(double), compare_doubles);
  double median = runs % 2 ? times[runs / 2]
                           : (times[runs / 2 - 1] + times[runs / 2]) / 2;
  printf("%s min=%.3f median=%.3f max=%.3f runs=%llu\n", name, times[0],
         median, times[runs - 1], (unsigned long long)runs);
}

static int run_model(cli *c) {
  int n = c->num_inputs + c->num_outputs;
  c->views = calloc((size_t)(n > 0 ? n : 1), sizeof *c->views);
  c->ctx = tfmrt_create(c->model);
  if (!c->views || !c->ctx) {
    report("out of memory");
    return TFMRT_EXIT_RUNTIME;
  }
  for (int i = 0; i < n; ++i) {
    const tensor *t = i < c->num_inputs ? &c->inputs[i]
                                        : &c->outputs[i - c->num_inputs];
    c->views[i] = (tfmrt_tensor){t->info->dtype, t->info->rank,
                                 t->info->shape, t->data};
  }

  if (!c->opt.have_bench)
    return run_once(c);

  uint64_t runs = c->opt.bench_runs;
  c->samples = malloc((size_t)runs * sizeof(double));
  if (!c->samples) {
    report("out of memory: cannot record %llu bench runs",
           (unsigned long long)runs);
    return TFMRT_EXIT_RUNTIME;
  }
  int rc = run_once(c); /* warm-up: caches, page faults, lazy init */
  if (rc)
    return rc;
  /* Vulkan models also report the device's own time (timestamp queries). */
  double *device = tfmrt_vk_last_device_ms
                       ? malloc((size_t)runs * sizeof(double))
                       : NULL;
  int device_times = device != NULL;
  for (uint64_t i = 0; i < runs; ++i) {
    double start = now_ms();
    if ((rc = run_once(c))) {
      free(device);
      return rc;
    }
    c->samples[i] = now_ms() - start;
    if (device) {
      device[i] = tfmrt_vk_last_device_ms();
      device_times &= device[i] >= 0;
    }
  }
  print_times("latency_ms", c->samples, runs);
  if (device && device_times)
    print_times("device_ms", device, runs);
  free(device);
  return 0;
}

/*===----------------------------------------------------------------------===*
 * Entry
 *===----------------------------------------------------------------------===*/

static int cli_run(cli *c, int argc, char **argv) {
  const char *prog = argc > 0 && argv[0] ? argv[0] : "model";
  int rc = parse_args(c, argc, argv);
  if (rc == -1) {
    print_usage(c, prog);
    return 0;
  }
  if (rc)
    return rc;
  if ((rc = check_model(c)))
    return rc;
  if (c->opt.info) {
    print_info(c);
    return 0;
  }
  if (c->opt.have_device) {
    if (!tfmrt_vk_select_device) {
      report("--device: model '%s' runs on the CPU, not on a Vulkan device",
             c->model_name);
      return TFMRT_EXIT_BAD_INPUT;
    }
    tfmrt_vk_select_device((int)c->opt.device);
  }
  if (c->opt.have_threads) {
    if (omp_set_num_threads)
      omp_set_num_threads((int)c->opt.threads);
    else if (c->opt.threads > 1)
      fprintf(stderr, "note: this model was compiled without threading; "
                      "running on 1 thread\n");
  }
  if ((rc = resolve_inputs(c)) || (rc = prepare_inputs(c)) ||
      (rc = prepare_outputs(c)) || (rc = run_model(c)))
    return rc;
  if (c->opt.output_file || c->opt.output_dir)
    return write_outputs(c);
  if (!c->opt.have_bench) /* --bench prints exactly its one line */
    for (int i = 0; i < c->num_outputs; ++i)
      print_summary(&c->outputs[i]);
  return 0;
}

int tfmrt_cli_main(const tfmrt_model *model, int argc, char **argv) {
  cli c;
  memset(&c, 0, sizeof c);
  c.model = model;
  c.model_name = model->name && *model->name ? model->name : "model";
  int rc = cli_run(&c, argc, argv);
  cli_free(&c);
  /* Results on a full disk or a closed pipe must not pass for success. */
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (rc == 0) {
      report("cannot write to standard output: %s", strerror(errno));
      rc = TFMRT_EXIT_RUNTIME;
    }
  }
  return rc;
}
