/*===- npy_test.c - unit tests of the .npy reader and writer -------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * Edge cases of lib/Runtime/Common/npy.c and tensor.c that are awkward to
 * reach through the executable: every header spelling numpy and other
 * writers produce, every malformed header, truncation and corruption at
 * every byte, size overflow, and half-precision rounding. Streams come from
 * fmemopen/open_memstream so no file is written.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L /* fmemopen, open_memstream */

#include "check.h"
#include "npy.h"
#include "tensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*===----------------------------------------------------------------------===*
 * Header dicts
 *===----------------------------------------------------------------------===*/

static int parse(const char *text, tfmrt_npy_header *h, char *err,
                 size_t err_size) {
  return tfmrt_npy_parse_dict(text, strlen(text), h, err, err_size);
}

static void expect_dict(int line, const char *text, int32_t dtype,
                        int fortran, int32_t rank, const int64_t *shape) {
  tfmrt_npy_header h;
  char err[TFMRT_NPY_ERR_SIZE] = "";
  int rc = parse(text, &h, err, sizeof err);
  int ok = rc == 0 && h.dtype == dtype && h.fortran_order == fortran &&
           h.rank == rank;
  for (int32_t i = 0; ok && i < rank; ++i)
    ok = h.shape[i] == shape[i];
  if (!ok) {
    fprintf(stderr, "%s:%d: header %s: rc=%d dtype=%d fortran=%d rank=%d %s\n",
            __FILE__, line, text, rc, (int)h.dtype, h.fortran_order,
            (int)h.rank, err);
    ++failures;
  }
}

static void expect_dict_error(int line, const char *text, size_t len,
                              const char *needle) {
  tfmrt_npy_header h;
  char err[TFMRT_NPY_ERR_SIZE] = "";
  int rc = tfmrt_npy_parse_dict(text, len, &h, err, sizeof err);
  if (rc == 0 || !strstr(err, needle)) {
    fprintf(stderr, "%s:%d: header %.*s: rc=%d, message '%s' lacks '%s'\n",
            __FILE__, line, (int)len, text, rc, err, needle);
    ++failures;
  }
}

#define EXPECT_DICT(text, dtype, fortran, rank, ...)                           \
  do {                                                                         \
    static const int64_t shape_[] = {0, __VA_ARGS__};                          \
    expect_dict(__LINE__, text, dtype, fortran, rank, shape_ + 1);             \
  } while (0)
#define EXPECT_DICT_ERROR(text, needle)                                        \
  expect_dict_error(__LINE__, text, strlen(text), needle)

static void test_dict_spellings(void) {
  /* What numpy writes. */
  EXPECT_DICT("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
              TFMRT_F32, 0, 2, 2, 3);
  /* Any key order, double quotes, no trailing comma, odd spacing, newlines
   * and the space-and-newline padding writers add. */
  EXPECT_DICT("{ \"shape\" : ( 5 , ) ,\"fortran_order\":True,'descr':'<i8'}",
              TFMRT_I64, 1, 1, 5);
  EXPECT_DICT("{'fortran_order': False,\n 'shape': (2,3,),\t'descr': '<i4'}  "
              "      \n",
              TFMRT_I32, 0, 2, 2, 3);
  EXPECT_DICT("  {'descr':'|b1','fortran_order':False,'shape':()}\n",
              TFMRT_I1, 0, 0, 0);
  /* Python 2 wrote longs with an L suffix. */
  EXPECT_DICT("{'descr': '<f2', 'fortran_order': False, 'shape': (3L, 4L), }",
              TFMRT_F16, 0, 2, 3, 4);
  EXPECT_DICT("{'descr': '<u2', 'fortran_order': False, 'shape': (0, 7), }",
              TFMRT_BF16, 0, 2, 0, 7);
  EXPECT_DICT("{'descr': '<f4', 'fortran_order': False, 'shape': (+4,), }",
              TFMRT_F32, 0, 1, 4);
  /* Unsupported dtypes still parse: the caller reports them by name. */
  EXPECT_DICT("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", -1,
              0, 1, 1);
  EXPECT_DICT("{'descr': '>f4', 'fortran_order': False, 'shape': (1,)}", -1,
              0, 1, 1);

  tfmrt_npy_header h;
  char err[256];
  char text[512];
  snprintf(text, sizeof text,
           "{'descr': '<%0100d', 'fortran_order': False, 'shape': ()}", 4);
  CHECK(parse(text, &h, err, sizeof err) == 0);
  CHECK(h.dtype == -1);
  CHECK(strlen(h.descr) == sizeof h.descr - 1);
  CHECK(strcmp(h.descr + sizeof h.descr - 4, "...") == 0);
}

static void test_dict_errors(void) {
  EXPECT_DICT_ERROR("", "expected '{'");
  EXPECT_DICT_ERROR("descr", "expected '{'");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False}",
                    "no 'shape' key");
  EXPECT_DICT_ERROR("{'shape': (), 'fortran_order': False}", "no 'descr' key");
  EXPECT_DICT_ERROR("{'shape': (), 'descr': '<f4'}", "no 'fortran_order' key");
  EXPECT_DICT_ERROR("{}", "no 'descr' key");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'descr': '<f4', 'fortran_order': "
                    "False, 'shape': ()}",
                    "key 'descr' appears twice");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': (), "
                    "'foo': 1}",
                    "unexpected key 'foo'");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': (5)}",
                    "not a tuple");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': [5]}",
                    "tuple, not a list");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': 5}",
                    "expected '('");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
                    "negative dimension -1");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, "
                    "'shape': (99999999999999999999,)}",
                    "does not fit in 64 bits");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}",
                    "expected ',' or ')'");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': (,)}",
                    "expected an integer");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': (2,",
                    "expected an integer");
  EXPECT_DICT_ERROR("{'descr': [('a', '<f4')], 'fortran_order': False, "
                    "'shape': ()}",
                    "structured dtype");
  EXPECT_DICT_ERROR("{'descr': <f4, 'fortran_order': False, 'shape': ()}",
                    "expected 'descr' as a quoted string");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': 1, 'shape': ()}",
                    "must be True or False");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': Truex, 'shape': ()}",
                    "must be True or False");
  EXPECT_DICT_ERROR("{'descr': '<f4", "unterminated string");
  EXPECT_DICT_ERROR("{'descr': '<f\\x34', 'fortran_order': False, "
                    "'shape': ()}",
                    "escape sequence");
  EXPECT_DICT_ERROR("{'descr' '<f4', 'fortran_order': False, 'shape': ()}",
                    "expected ':' after a key");
  EXPECT_DICT_ERROR("{'descr': '<f4' 'fortran_order': False, 'shape': ()}",
                    "expected ',' or '}' after the value of 'descr'");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': ()} x",
                    "unexpected 'x' after the header dict");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': ()}}",
                    "after the header dict");
  EXPECT_DICT_ERROR("{'descr': '<f4', 'fortran_order': False, 'shape': ()",
                    "expected ',' or '}'");
  EXPECT_DICT_ERROR("{descr: '<f4'}", "expected a key as a quoted string");
  /* A NUL inside a string must not end it early ("<f4\0junk" is no "<f4"). */
  static const char with_nul[] =
      "{'descr': '<f4\0x', 'fortran_order': False, 'shape': ()}";
  expect_dict_error(__LINE__, with_nul, sizeof with_nul - 1,
                    "control character");
  /* A non-printable byte is named by its code. */
  EXPECT_DICT_ERROR("\x01{}", "byte 0x01");

  /* numpy 2 allows 64 dimensions; 65 is refused before overflowing. */
  char text[1024];
  size_t n = (size_t)snprintf(text, sizeof text,
                              "{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (");
  for (int i = 0; i < 65; ++i)
    n += (size_t)snprintf(text + n, sizeof text - n, "1,");
  snprintf(text + n, sizeof text - n, ")}");
  EXPECT_DICT_ERROR(text, "more than 64 dimensions");
  text[n - 2] = ')'; /* the 65th "1," becomes ")}": 64 dims */
  text[n - 1] = '}';
  text[n] = '\0';
  tfmrt_npy_header h;
  char err[256];
  CHECK(parse(text, &h, err, sizeof err) == 0 && h.rank == 64);
}

static void test_descrs(void) {
  CHECK(tfmrt_dtype_from_descr("<f4") == TFMRT_F32);
  CHECK(tfmrt_dtype_from_descr("=f4") == TFMRT_F32);
  CHECK(tfmrt_dtype_from_descr("f4") == TFMRT_F32);
  CHECK(tfmrt_dtype_from_descr(">f4") == -1);
  CHECK(tfmrt_dtype_from_descr("|f4") == TFMRT_F32); /* numpy: native */
  CHECK(tfmrt_dtype_from_descr(">i8") == -1);
  CHECK(tfmrt_dtype_from_descr(">b1") == TFMRT_I1);
  CHECK(tfmrt_dtype_from_descr("<f2") == TFMRT_F16);
  CHECK(tfmrt_dtype_from_descr("<u2") == TFMRT_BF16);
  CHECK(tfmrt_dtype_from_descr("|b1") == TFMRT_I1);
  CHECK(tfmrt_dtype_from_descr("<b1") == TFMRT_I1);
  CHECK(tfmrt_dtype_from_descr("<i4") == TFMRT_I32);
  CHECK(tfmrt_dtype_from_descr("<i8") == TFMRT_I64);
  CHECK(tfmrt_dtype_from_descr("<f8") == -1);
  CHECK(tfmrt_dtype_from_descr("|u1") == -1);
  CHECK(tfmrt_dtype_from_descr("<i4 ") == -1);
  CHECK(tfmrt_dtype_from_descr("") == -1);
  for (int32_t d = TFMRT_F32; d <= TFMRT_I64; ++d)
    CHECK(tfmrt_dtype_from_descr(tfmrt_dtype_descr(d)) == d);
  CHECK(tfmrt_dtype_name(6) == NULL && tfmrt_dtype_size(-1) == 0);
}

/*===----------------------------------------------------------------------===*
 * Sizes and shapes
 *===----------------------------------------------------------------------===*/

static void test_sizes(void) {
  uint64_t n = 99, bytes = 99;
  CHECK(tfmrt_shape_size(0, NULL, 4, &n, &bytes) == 0 && n == 1 &&
        bytes == 4);
  const int64_t s23[] = {2, 3};
  CHECK(tfmrt_shape_size(2, s23, 8, &n, &bytes) == 0 && n == 6 &&
        bytes == 48);
  const int64_t huge[] = {(int64_t)1 << 62, 4};
  CHECK(tfmrt_shape_size(2, huge, 1, &n, &bytes) == -2);
  const int64_t fits_elems_not_bytes[] = {(int64_t)1 << 62};
  CHECK(tfmrt_shape_size(1, fits_elems_not_bytes, 1, &n, &bytes) == 0);
  CHECK(tfmrt_shape_size(1, fits_elems_not_bytes, 2, &n, &bytes) == -2);
  const int64_t zero[] = {INT64_MAX, 0, INT64_MAX};
  CHECK(tfmrt_shape_size(3, zero, 8, &n, &bytes) == 0 && n == 0 &&
        bytes == 0);
  const int64_t negative_after_zero[] = {0, -1};
  CHECK(tfmrt_shape_size(2, negative_after_zero, 4, &n, &bytes) == -1);
  CHECK(tfmrt_shape_size(-1, NULL, 4, &n, &bytes) == -1);
  CHECK(tfmrt_shape_size(TFMRT_MAX_RANK + 1, zero, 4, &n, &bytes) == -1);

  char buf[TFMRT_SHAPE_STR_SIZE];
  const int64_t s3[] = {2, 16, 64};
  tfmrt_format_shape(buf, sizeof buf, 3, s3);
  CHECK(strcmp(buf, "[2,16,64]") == 0);
  tfmrt_format_shape(buf, sizeof buf, 0, NULL);
  CHECK(strcmp(buf, "[]") == 0);
  const int64_t s24[] = {2, 4};
  tfmrt_format_index(buf, sizeof buf, 2, s24, 3);
  CHECK(strcmp(buf, "[0,3]") == 0);
  tfmrt_format_index(buf, sizeof buf, 2, s24, 7);
  CHECK(strcmp(buf, "[1,3]") == 0);
  tfmrt_format_index(buf, sizeof buf, 0, NULL, 0);
  CHECK(strcmp(buf, "[]") == 0);
  char small[5];
  tfmrt_format_shape(small, sizeof small, 3, s3); /* cut, still terminated */
  CHECK(strlen(small) == 4);
}

/*===----------------------------------------------------------------------===*
 * Whole files in memory
 *===----------------------------------------------------------------------===*/

typedef struct blob {
  char *data;
  size_t size;
} blob;

static blob write_to_memory(int32_t dtype, int32_t rank, const int64_t *shape,
                            const void *data) {
  blob b = {NULL, 0};
  FILE *f = open_memstream(&b.data, &b.size);
  char err[TFMRT_NPY_ERR_SIZE];
  int rc = tfmrt_npy_write_stream(f, "mem.npy", dtype, rank, shape, data, err,
                                  sizeof err);
  fclose(f);
  CHECK(rc == 0);
  return b;
}

/* Reads a whole .npy image; returns 0 and the data in *out (malloc'ed). */
static int read_from_memory(const void *bytes, size_t size,
                            tfmrt_npy_header *h, void **out, char *err,
                            size_t err_size) {
  *out = NULL;
  /* fmemopen rejects size 0; a one-byte buffer opened for 0 bytes is not
   * portable either, so an empty image is a closed stream of /dev/null. */
  FILE *f = size ? fmemopen((void *)(uintptr_t)bytes, size, "rb")
                 : fopen("/dev/null", "rb");
  if (!f)
    return -2;
  int rc = tfmrt_npy_read_header(f, "mem.npy", h, err, err_size);
  uint64_t data_bytes = 0;
  if (rc == 0 && h->dtype < 0) {
    snprintf(err, err_size, "unsupported descr");
    rc = -1;
  }
  if (rc == 0 && tfmrt_shape_size(h->rank, h->shape,
                                  tfmrt_dtype_size(h->dtype), NULL,
                                  &data_bytes) != 0) {
    snprintf(err, err_size, "too large");
    rc = -1;
  }
  if (rc == 0 && data_bytes > ((uint64_t)1 << 24)) {
    snprintf(err, err_size, "larger than this test reads");
    rc = -1;
  }
  if (rc == 0)
    rc = tfmrt_npy_check_size(f, "mem.npy", h, data_bytes, err, err_size);
  if (rc == 0) {
    *out = malloc(data_bytes ? data_bytes : 1);
    rc = tfmrt_npy_read_data(f, "mem.npy", data_bytes, *out, err, err_size);
  }
  fclose(f);
  if (rc) {
    free(*out);
    *out = NULL;
  }
  return rc;
}

static void expect_read_error(int line, const void *bytes, size_t size,
                              const char *needle) {
  tfmrt_npy_header h;
  void *data;
  char err[TFMRT_NPY_ERR_SIZE] = "";
  int rc = read_from_memory(bytes, size, &h, &data, err, sizeof err);
  if (rc == 0 || !strstr(err, needle)) {
    fprintf(stderr, "%s:%d: rc=%d, message '%s' lacks '%s'\n", __FILE__, line,
            rc, err, needle);
    ++failures;
  }
  free(data);
}

static void test_write_format(void) {
  const int64_t shapes[][3] = {{0, 0, 0}, {5, 0, 0}, {2, 3, 0}, {2, 3, 4}};
  const int32_t ranks[] = {0, 1, 2, 3};
  for (int32_t d = TFMRT_F32; d <= TFMRT_I64; ++d)
    for (int s = 0; s < 4; ++s) {
      char buf[4096];
      size_t len;
      CHECK(tfmrt_npy_format_header(d, ranks[s], shapes[s], buf, sizeof buf,
                                    &len) == 0);
      CHECK(len % 64 == 0);
      CHECK(memcmp(buf, "\x93NUMPY\x01\x00", 8) == 0);
      CHECK((size_t)((unsigned char)buf[8] | (unsigned char)buf[9] << 8) ==
            len - 10);
      CHECK(buf[len - 1] == '\n');
      tfmrt_npy_header h;
      char err[256];
      CHECK(tfmrt_npy_parse_dict(buf + 10, len - 10, &h, err, sizeof err) ==
            0);
      CHECK(h.dtype == d && h.rank == ranks[s] && !h.fortran_order);
      for (int32_t i = 0; i < ranks[s]; ++i)
        CHECK(h.shape[i] == shapes[s][i]);
    }
  /* numpy's spelling exactly, including "(5,)" and "()". */
  char buf[256];
  size_t len;
  const int64_t five[] = {5};
  CHECK(tfmrt_npy_format_header(TFMRT_F32, 1, five, buf, sizeof buf, &len) ==
        0);
  CHECK(strncmp(buf + 10,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }",
                57) == 0);
  CHECK(tfmrt_npy_format_header(TFMRT_I1, 0, NULL, buf, sizeof buf, &len) ==
        0);
  CHECK(strncmp(buf + 10,
                "{'descr': '|b1', 'fortran_order': False, 'shape': (), }",
                55) == 0);
  /* Too small a buffer, a bad dtype, a negative dimension: refused. */
  CHECK(tfmrt_npy_format_header(TFMRT_F32, 1, five, buf, 32, &len) == -1);
  CHECK(tfmrt_npy_format_header(9, 1, five, buf, sizeof buf, &len) == -1);
  const int64_t negative[] = {-5};
  CHECK(tfmrt_npy_format_header(TFMRT_F32, 1, negative, buf, sizeof buf,
                                &len) == -1);
  /* The largest header (64 dims of 19 digits) still fits and parses. */
  int64_t big[TFMRT_MAX_RANK];
  for (int i = 0; i < TFMRT_MAX_RANK; ++i)
    big[i] = INT64_MAX;
  char large[TFMRT_SHAPE_STR_SIZE + 256];
  CHECK(tfmrt_npy_format_header(TFMRT_I64, TFMRT_MAX_RANK, big, large,
                                sizeof large, &len) == 0);
  tfmrt_npy_header h;
  char err[256];
  CHECK(tfmrt_npy_parse_dict(large + 10, len - 10, &h, err, sizeof err) == 0 &&
        h.rank == TFMRT_MAX_RANK && h.shape[63] == INT64_MAX);
}

static void test_round_trip(void) {
  const int64_t shape[] = {2, 3};
  const float values[6] = {1.5f, -2.0f, 0.0f, 3.25f, -0.5f, 1e30f};
  blob b = write_to_memory(TFMRT_F32, 2, shape, values);
  tfmrt_npy_header h;
  void *data;
  char err[TFMRT_NPY_ERR_SIZE];
  CHECK(read_from_memory(b.data, b.size, &h, &data, err, sizeof err) == 0);
  CHECK(h.dtype == TFMRT_F32 && h.rank == 2 && h.shape[0] == 2 &&
        h.shape[1] == 3 && h.data_offset % 64 == 0);
  CHECK(data && memcmp(data, values, sizeof values) == 0);
  free(data);

  /* Rank 0 and an empty tensor. */
  const int64_t scalar_value = -7;
  blob s = write_to_memory(TFMRT_I64, 0, NULL, &scalar_value);
  CHECK(read_from_memory(s.data, s.size, &h, &data, err, sizeof err) == 0);
  CHECK(h.rank == 0 && data && *(int64_t *)data == -7);
  free(data);
  const int64_t empty_shape[] = {3, 0};
  blob e = write_to_memory(TFMRT_I1, 2, empty_shape, NULL);
  CHECK(read_from_memory(e.data, e.size, &h, &data, err, sizeof err) == 0);
  CHECK(h.rank == 2 && h.shape[1] == 0);
  free(data);
  free(s.data);
  free(e.data);

  /* Every strict prefix of a valid file fails cleanly, naming truncation or
   * (for the first bytes) the missing magic. */
  for (size_t cut = 0; cut < b.size; ++cut) {
    tfmrt_npy_header h2;
    void *d2;
    char e2[TFMRT_NPY_ERR_SIZE] = "";
    int rc = read_from_memory(b.data, cut, &h2, &d2, e2, sizeof e2);
    CHECK(rc == -1);
    CHECK(strstr(e2, "truncated") || strstr(e2, "is empty") ||
          strstr(e2, "malformed") || strstr(e2, "bad .npy header"));
    free(d2);
  }
  /* Corrupting any byte never crashes or reads out of bounds (run this
   * under ASan); it either fails with a message or reads a valid array. */
  static const unsigned char probes[] = {0x00, 0xff, '(', ')', ',', '\'',
                                         ' ',  '9',  '}', '{', ':', '-'};
  char *copy = malloc(b.size + 64);
  for (size_t pos = 0; pos < b.size; ++pos)
    for (size_t k = 0; k < sizeof probes; ++k) {
      memcpy(copy, b.data, b.size);
      copy[pos] = (char)probes[k];
      tfmrt_npy_header h2;
      void *d2;
      char e2[TFMRT_NPY_ERR_SIZE] = "";
      int rc = read_from_memory(copy, b.size, &h2, &d2, e2, sizeof e2);
      CHECK(rc == 0 || (rc == -1 && e2[0] != '\0'));
      free(d2);
    }
  /* A trailing byte is an error, not ignored. */
  memcpy(copy, b.data, b.size);
  copy[b.size] = 0;
  expect_read_error(__LINE__, copy, b.size + 1,
                    "has 1 unexpected bytes after its data: header promises "
                    "24 bytes of data");
  free(copy);
  expect_read_error(__LINE__, b.data, b.size - 4,
                    "'mem.npy' is truncated: header promises 24 bytes of "
                    "data, file has 20");
  free(b.data);
}

/* Builds a file image by hand: version, declared header length, header
 * text, then `data_len` zero bytes. */
static size_t make_image(char *out, size_t size, int major, int minor,
                         uint32_t declared_len, const char *header,
                         size_t data_len) {
  size_t n = 0;
  memcpy(out, "\x93NUMPY", 6);
  out[6] = (char)major;
  out[7] = (char)minor;
  n = 8;
  out[n++] = (char)(declared_len & 0xff);
  out[n++] = (char)((declared_len >> 8) & 0xff);
  if (major >= 2) {
    out[n++] = (char)((declared_len >> 16) & 0xff);
    out[n++] = (char)((declared_len >> 24) & 0xff);
  }
  size_t hl = strlen(header);
  CHECK(n + hl + data_len <= size);
  memcpy(out + n, header, hl);
  n += hl;
  memset(out + n, 0, data_len);
  return n + data_len;
}

static void test_read_errors_and_versions(void) {
  char img[4096];
  const char *hdr = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,)}";
  uint32_t hl = (uint32_t)strlen(hdr);
  tfmrt_npy_header h;
  void *data;
  char err[TFMRT_NPY_ERR_SIZE];

  /* Versions 2.0 and 3.0 have a u32 header length. */
  for (int major = 1; major <= 3; ++major) {
    size_t n = make_image(img, sizeof img, major, 0, hl, hdr, 12);
    CHECK(read_from_memory(img, n, &h, &data, err, sizeof err) == 0);
    CHECK(h.major == major && h.dtype == TFMRT_I32 && h.rank == 1 &&
          h.shape[0] == 3 && h.data_offset == (major == 1 ? 10u : 12u) + hl);
    free(data);
  }
  expect_read_error(__LINE__, "", 0, "'mem.npy' is empty, not a .npy file");
  expect_read_error(__LINE__, "\x93NUM", 4, "ends inside the .npy preamble");
  expect_read_error(__LINE__, "hello world, not numpy", 22,
                    "'mem.npy' is not a .npy file (bad magic)");
  expect_read_error(__LINE__, "PK\x03\x04", 4, "not a .npy file (bad magic)");
  size_t n = make_image(img, sizeof img, 4, 0, hl, hdr, 12);
  expect_read_error(__LINE__, img, n, "format version 4.0");
  n = make_image(img, sizeof img, 1, 1, hl, hdr, 12);
  expect_read_error(__LINE__, img, n, "format version 1.1");
  n = make_image(img, sizeof img, 2, 0, 0xffffffffu, hdr, 12);
  expect_read_error(__LINE__, img, n, "declares a .npy header of 4294967295");
  n = make_image(img, sizeof img, 1, 0, hl + 100, hdr, 12);
  expect_read_error(__LINE__, img, n, "truncated: its preamble promises");
  n = make_image(img, sizeof img, 1, 0, hl, hdr, 0);
  expect_read_error(__LINE__, img, n,
                    "truncated: header promises 12 bytes of data, file has 0");
  n = make_image(img, sizeof img, 1, 0, hl, hdr, 20);
  expect_read_error(__LINE__, img, n, "8 unexpected bytes after its data");
  const char *bad = "{'descr': '<i4', 'fortran_order': False}";
  n = make_image(img, sizeof img, 1, 0, (uint32_t)strlen(bad), bad, 0);
  expect_read_error(__LINE__, img, n,
                    "'mem.npy' has a bad .npy header: the header dict has no "
                    "'shape' key");
  /* A huge promised size is reported without trying to allocate it. */
  const char *huge = "{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (4611686018427387904,)}";
  n = make_image(img, sizeof img, 1, 0, (uint32_t)strlen(huge), huge, 0);
  expect_read_error(__LINE__, img, n, "too large");

  /* check_size on a real file reports truncation before any read. */
  FILE *f = tmpfile();
  CHECK(f != NULL);
  if (f) {
    n = make_image(img, sizeof img, 1, 0, hl, hdr, 8);
    CHECK(fwrite(img, 1, n, f) == n);
    rewind(f);
    CHECK(tfmrt_npy_read_header(f, "t.npy", &h, err, sizeof err) == 0);
    CHECK(tfmrt_npy_check_size(f, "t.npy", &h, 12, err, sizeof err) == -1);
    CHECK(strcmp(err, "'t.npy' is truncated: header promises 12 bytes of "
                      "data, file has 8") == 0);
    CHECK(tfmrt_npy_check_size(f, "t.npy", &h, 4, err, sizeof err) == -1);
    CHECK(strstr(err, "has 4 unexpected bytes after its data") != NULL);
    CHECK(tfmrt_npy_check_size(f, "t.npy", &h, 8, err, sizeof err) == 0);
    fclose(f);
  }
}

/*===----------------------------------------------------------------------===*
 * Half precision
 *===----------------------------------------------------------------------===*/

static void test_half_floats(void) {
  CHECK(tfmrt_f32_to_f16(1.0f) == 0x3c00);
  CHECK(tfmrt_f32_to_f16(-2.0f) == 0xc000);
  CHECK(tfmrt_f32_to_f16(65504.0f) == 0x7bff);
  CHECK(tfmrt_f32_to_f16(65519.0f) == 0x7bff);
  CHECK(tfmrt_f32_to_f16(65520.0f) == 0x7c00); /* tie rounds to even: inf */
  CHECK(tfmrt_f32_to_f16(1e10f) == 0x7c00);
  CHECK(tfmrt_f32_to_f16(-INFINITY) == 0xfc00);
  CHECK(tfmrt_f32_to_f16(0x1p-24f) == 0x0001);
  CHECK(tfmrt_f32_to_f16(0x1p-25f) == 0x0000);     /* tie to even: 0 */
  CHECK(tfmrt_f32_to_f16(0x3p-25f) == 0x0002);     /* tie to even: 2 */
  CHECK(tfmrt_f32_to_f16(0x1.ffcp-15f) == 0x0400); /* rounds up to normal */
  CHECK(tfmrt_f32_to_f16(1.0f + 0x1p-11f) == 0x3c00); /* tie to even */
  CHECK(tfmrt_f32_to_f16(1.0f + 0x3p-11f) == 0x3c02);
  CHECK(tfmrt_f32_to_f16(-0.0f) == 0x8000);
  uint16_t nan16 = tfmrt_f32_to_f16(NAN);
  CHECK((nan16 & 0x7c00) == 0x7c00 && (nan16 & 0x3ff) != 0);
  CHECK(isnan(tfmrt_f16_to_f32(0x7e00)));
  CHECK(tfmrt_f16_to_f32(0x0001) == 0x1p-24f);
  CHECK(tfmrt_f16_to_f32(0x8001) == -0x1p-24f);
  CHECK(tfmrt_f16_to_f32(0x3555) == 0x1.554p-2f);

  CHECK(tfmrt_f32_to_bf16(1.0f) == 0x3f80);
  CHECK(tfmrt_f32_to_bf16(1.0f + 0x1p-8f) == 0x3f80); /* tie to even */
  CHECK(tfmrt_f32_to_bf16(1.0f + 0x3p-8f) == 0x3f82);
  CHECK(tfmrt_f32_to_bf16(-3.0f) == 0xc040);
  CHECK(tfmrt_f32_to_bf16(3.4e38f) == 0x7f80); /* rounds past the max */
  uint16_t nanb = tfmrt_f32_to_bf16(NAN);
  CHECK((nanb & 0x7f80) == 0x7f80 && (nanb & 0x7f) != 0);
  CHECK(tfmrt_bf16_to_f32(0xc040) == -3.0f);

  /* Every non-NaN half and bfloat16 survives the trip through f32. */
  int bad16 = 0, badb = 0;
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    uint16_t b = (uint16_t)bits;
    if ((b & 0x7c00) != 0x7c00 || (b & 0x3ff) == 0)
      bad16 += tfmrt_f32_to_f16(tfmrt_f16_to_f32(b)) != b;
    if ((b & 0x7f80) != 0x7f80 || (b & 0x7f) == 0)
      badb += tfmrt_f32_to_bf16(tfmrt_bf16_to_f32(b)) != b;
  }
  CHECK(bad16 == 0);
  CHECK(badb == 0);
}

int main(void) {
  test_dict_spellings();
  test_dict_errors();
  test_descrs();
  test_sizes();
  test_write_format();
  test_round_trip();
  test_read_errors_and_versions();
  test_half_floats();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("all npy checks passed\n");
  return 0;
}
