/*===- npy.c - reading and writing .npy files ----------------------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * See npy.h. The header dict is parsed by a small recursive-descent parser
 * for exactly the Python literals numpy writes (strings, True/False, tuples
 * of integers), because a file may come from any numpy version or from a
 * hand-written tool: key order, spacing, quotes and trailing commas vary.
 *
 *===----------------------------------------------------------------------===*/

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */
#endif

#include "npy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* .npy data is little-endian and we copy it unchanged. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libtfmrt assumes a little-endian host"
#endif

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

__attribute__((format(printf, 3, 4))) static int
fail(char *err, size_t err_size, const char *fmt, ...) {
  if (err && err_size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
  }
  return -1;
}

int32_t tfmrt_dtype_from_descr(const char *descr) {
  static const struct {
    const char *code;
    int32_t dtype;
  } codes[] = {{"f4", TFMRT_F32}, {"f2", TFMRT_F16}, {"u2", TFMRT_BF16},
               {"b1", TFMRT_I1},  {"i4", TFMRT_I32}, {"i8", TFMRT_I64}};
  char order = '=';
  if (*descr == '<' || *descr == '>' || *descr == '=' || *descr == '|')
    order = *descr++;
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
    if (strcmp(descr, codes[i].code) != 0)
      continue;
    if (codes[i].dtype == TFMRT_I1)
      return TFMRT_I1; /* one byte: any byte order means the same */
    /* '=' is native, which is little-endian here, and numpy reads '|'
     * ("not applicable") as native too; only '>' is other data. */
    return order == '>' ? -1 : codes[i].dtype;
  }
  return -1;
}

/*===----------------------------------------------------------------------===*
 * The header dict
 *===----------------------------------------------------------------------===*/

typedef struct parser {
  const char *begin, *p, *end;
  char *err;
  size_t err_size;
} parser;

__attribute__((format(printf, 2, 3))) static int
parse_error(parser *ps, const char *fmt, ...) {
  char detail[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  return fail(ps->err, ps->err_size, "%s (at byte %zu of the header)", detail,
              (size_t)(ps->p - ps->begin));
}

static int at_end(const parser *ps) { return ps->p >= ps->end; }

static char peek(const parser *ps) { return at_end(ps) ? '\0' : *ps->p; }

static void skip_space(parser *ps) {
  while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
                         *ps->p == '\r' || *ps->p == '\f' || *ps->p == '\v'))
    ++ps->p;
}

/* A character for messages: printable ASCII as itself, the rest as a code. */
static const char *describe_char(const parser *ps, char *buf, size_t size) {
  if (at_end(ps))
    snprintf(buf, size, "the end of the header");
  else if (*ps->p >= 0x20 && *ps->p < 0x7f)
    snprintf(buf, size, "'%c'", *ps->p);
  else
    snprintf(buf, size, "byte 0x%02x", (unsigned)(unsigned char)*ps->p);
  return buf;
}

static int expect(parser *ps, char c, const char *context) {
  char seen[32];
  if (peek(ps) != c)
    return parse_error(ps, "expected '%c' %s, found %s", c, context,
                       describe_char(ps, seen, sizeof seen));
  ++ps->p;
  return 0;
}

/* A quoted string without escapes (no descr or key numpy writes has one).
 * Longer strings than `size` - 1 are cut and end in "...", for messages. */
static int parse_string(parser *ps, char *out, size_t size, const char *what) {
  char seen[32];
  char quote = peek(ps);
  if (quote != '\'' && quote != '"')
    return parse_error(ps, "expected %s as a quoted string, found %s", what,
                       describe_char(ps, seen, sizeof seen));
  ++ps->p;
  size_t n = 0;
  int cut = 0;
  for (;;) {
    if (at_end(ps))
      return parse_error(ps, "unterminated string in %s", what);
    char c = *ps->p;
    if (c == quote)
      break;
    if (c == '\\' || c == '\n' || c == '\r' || c == '\0')
      return parse_error(ps, "unsupported %s in the string of %s",
                         c == '\\' ? "escape sequence" : "control character",
                         what);
    if (n + 1 < size)
      out[n++] = c;
    else
      cut = 1;
    ++ps->p;
  }
  ++ps->p;
  out[n] = '\0';
  if (cut && size >= 4)
    memcpy(out + size - 4, "...", 4);
  return 0;
}

static int is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

static int parse_bool(parser *ps, int *value) {
  const char *start = ps->p;
  while (!at_end(ps) && is_ident_char(*ps->p))
    ++ps->p;
  size_t n = (size_t)(ps->p - start);
  if (n == 4 && memcmp(start, "True", 4) == 0) {
    *value = 1;
    return 0;
  }
  if (n == 5 && memcmp(start, "False", 5) == 0) {
    *value = 0;
    return 0;
  }
  ps->p = start;
  return parse_error(ps, "'fortran_order' must be True or False");
}

static int parse_dim(parser *ps, int64_t *value) {
  int negative = 0;
  if (peek(ps) == '-' || peek(ps) == '+') {
    negative = peek(ps) == '-';
    ++ps->p;
  }
  if (!(peek(ps) >= '0' && peek(ps) <= '9')) {
    char seen[32];
    return parse_error(ps, "expected an integer in 'shape', found %s",
                       describe_char(ps, seen, sizeof seen));
  }
  uint64_t v = 0;
  while (peek(ps) >= '0' && peek(ps) <= '9') {
    uint64_t digit = (uint64_t)(*ps->p - '0');
    if (v > ((uint64_t)INT64_MAX - digit) / 10)
      return parse_error(ps, "dimension in 'shape' does not fit in 64 bits");
    v = v * 10 + digit;
    ++ps->p;
  }
  if (peek(ps) == 'L' || peek(ps) == 'l') /* Python 2's long suffix */
    ++ps->p;
  if (negative && v != 0)
    return parse_error(ps, "negative dimension -%llu in 'shape'",
                       (unsigned long long)v);
  *value = (int64_t)v;
  return 0;
}

/* A tuple of integers: (), (5,), (2, 3), (2, 3,). */
static int parse_shape(parser *ps, tfmrt_npy_header *h) {
  char seen[32];
  if (peek(ps) == '[')
    return parse_error(ps, "'shape' must be a tuple, not a list");
  if (expect(ps, '(', "to start 'shape'"))
    return -1;
  h->rank = 0;
  skip_space(ps);
  if (peek(ps) == ')') {
    ++ps->p;
    return 0;
  }
  for (;;) {
    if (h->rank == TFMRT_MAX_RANK)
      return parse_error(ps, "'shape' has more than %d dimensions",
                         TFMRT_MAX_RANK);
    if (parse_dim(ps, &h->shape[h->rank]))
      return -1;
    ++h->rank;
    skip_space(ps);
    if (peek(ps) == ')') {
      /* Python reads (5) as the integer 5, not a 1-tuple. */
      if (h->rank == 1)
        return parse_error(ps, "'shape' (n) is not a tuple; a 1-tuple is "
                               "written (n,)");
      ++ps->p;
      return 0;
    }
    if (peek(ps) != ',')
      return parse_error(ps, "expected ',' or ')' in 'shape', found %s",
                         describe_char(ps, seen, sizeof seen));
    ++ps->p;
    skip_space(ps);
    if (peek(ps) == ')') {
      ++ps->p;
      return 0;
    }
  }
}

int tfmrt_npy_parse_dict(const char *text, size_t len, tfmrt_npy_header *h,
                         char *err, size_t err_size) {
  parser ps = {text, text, text + len, err, err_size};
  int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
  char seen[32];
  h->descr[0] = '\0';
  h->dtype = -1;
  h->fortran_order = 0;
  h->rank = 0;

  skip_space(&ps);
  if (expect(&ps, '{', "at the start of the header dict"))
    return -1;
  for (;;) {
    skip_space(&ps);
    if (peek(&ps) == '}') { /* empty dict, or a trailing comma */
      ++ps.p;
      break;
    }
    char key[32];
    const char *key_start = ps.p;
    if (parse_string(&ps, key, sizeof key, "a key"))
      return -1;
    int *flag = strcmp(key, "descr") == 0           ? &seen_descr
                : strcmp(key, "fortran_order") == 0 ? &seen_fortran
                : strcmp(key, "shape") == 0         ? &seen_shape
                                                    : NULL;
    if (!flag) {
      ps.p = key_start;
      return parse_error(&ps, "unexpected key '%s' (a .npy header has "
                              "exactly 'descr', 'fortran_order' and 'shape')",
                         key);
    }
    if (*flag) {
      ps.p = key_start;
      return parse_error(&ps, "key '%s' appears twice", key);
    }
    *flag = 1;
    skip_space(&ps);
    if (expect(&ps, ':', "after a key"))
      return -1;
    skip_space(&ps);
    if (flag == &seen_descr) {
      if (peek(&ps) == '[')
        return parse_error(&ps, "'descr' is a list of fields (a structured "
                                "dtype); only plain arrays are supported");
      /* Keep the whole descr for the dtype lookup; h->descr may be cut. */
      char full[256];
      if (parse_string(&ps, full, sizeof full, "'descr'"))
        return -1;
      h->dtype = tfmrt_dtype_from_descr(full);
      snprintf(h->descr, sizeof h->descr, "%s", full);
      if (strlen(full) >= sizeof h->descr)
        memcpy(h->descr + sizeof h->descr - 4, "...", 4);
    } else if (flag == &seen_fortran) {
      if (parse_bool(&ps, &h->fortran_order))
        return -1;
    } else if (parse_shape(&ps, h)) {
      return -1;
    }
    skip_space(&ps);
    if (peek(&ps) == ',') {
      ++ps.p;
      continue;
    }
    if (peek(&ps) == '}') {
      ++ps.p;
      break;
    }
    return parse_error(&ps, "expected ',' or '}' after the value of '%s', "
                            "found %s",
                       key, describe_char(&ps, seen, sizeof seen));
  }
  skip_space(&ps);
  if (!at_end(&ps))
    return parse_error(&ps, "unexpected %s after the header dict",
                       describe_char(&ps, seen, sizeof seen));
  if (!seen_descr || !seen_fortran || !seen_shape)
    return fail(err, err_size, "the header dict has no '%s' key",
                !seen_descr ? "descr" : !seen_fortran ? "fortran_order"
                                                      : "shape");
  return 0;
}

/*===----------------------------------------------------------------------===*
 * Reading
 *===----------------------------------------------------------------------===*/

int tfmrt_npy_read_header(FILE *f, const char *path, tfmrt_npy_header *h,
                          char *err, size_t err_size) {
  unsigned char pre[12];
  size_t got = fread(pre, 1, 8, f);
  if (got < 8) {
    if (ferror(f))
      return fail(err, err_size, "cannot read '%s': %s", path,
                  strerror(errno));
    if (got == 0)
      return fail(err, err_size, "'%s' is empty, not a .npy file", path);
    if (memcmp(pre, npy_magic, got < 6 ? got : 6) != 0)
      return fail(err, err_size, "'%s' is not a .npy file (bad magic)", path);
    return fail(err, err_size,
                "'%s' is truncated: it ends inside the .npy preamble "
                "(after %zu bytes)",
                path, got);
  }
  if (memcmp(pre, npy_magic, 6) != 0)
    return fail(err, err_size, "'%s' is not a .npy file (bad magic)", path);
  h->major = pre[6];
  h->minor = pre[7];
  if (h->major < 1 || h->major > 3 || h->minor != 0)
    return fail(err, err_size,
                "'%s' has .npy format version %u.%u; supported versions are "
                "1.0, 2.0 and 3.0",
                path, (unsigned)h->major, (unsigned)h->minor);
  size_t len_bytes = h->major == 1 ? 2 : 4;
  got = fread(pre + 8, 1, len_bytes, f);
  if (got < len_bytes) {
    if (ferror(f))
      return fail(err, err_size, "cannot read '%s': %s", path,
                  strerror(errno));
    return fail(err, err_size,
                "'%s' is truncated: it ends inside the .npy preamble "
                "(after %zu bytes)",
                path, 8 + got);
  }
  uint32_t header_len = (uint32_t)pre[8] | (uint32_t)pre[9] << 8;
  if (len_bytes == 4)
    header_len |= (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
  if (header_len > TFMRT_NPY_MAX_HEADER_LEN)
    return fail(err, err_size,
                "'%s' declares a .npy header of %lu bytes; at most %lu are "
                "accepted",
                path, (unsigned long)header_len,
                (unsigned long)TFMRT_NPY_MAX_HEADER_LEN);
  char *text = malloc(header_len ? header_len : 1);
  if (!text)
    return fail(err, err_size, "out of memory reading the header of '%s'",
                path);
  got = fread(text, 1, header_len, f);
  if (got < header_len) {
    int read_failed = ferror(f);
    int saved = errno;
    free(text);
    if (read_failed)
      return fail(err, err_size, "cannot read '%s': %s", path,
                  strerror(saved));
    return fail(err, err_size,
                "'%s' is truncated: its preamble promises a %lu-byte header, "
                "file has %zu",
                path, (unsigned long)header_len, got);
  }
  char detail[TFMRT_NPY_ERR_SIZE];
  int rc = tfmrt_npy_parse_dict(text, header_len, h, detail, sizeof detail);
  free(text);
  if (rc)
    return fail(err, err_size, "'%s' has a bad .npy header: %s", path,
                detail);
  h->data_offset = 8 + len_bytes + header_len;
  return 0;
}

int tfmrt_npy_check_size(FILE *f, const char *path, const tfmrt_npy_header *h,
                         uint64_t data_bytes, char *err, size_t err_size) {
  int fd = fileno(f);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return 0; /* a pipe or memory stream: tfmrt_npy_read_data checks */
  uint64_t file_size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
  uint64_t have = file_size > h->data_offset ? file_size - h->data_offset : 0;
  if (have < data_bytes)
    return fail(err, err_size,
                "'%s' is truncated: header promises %llu bytes of data, file "
                "has %llu",
                path, (unsigned long long)data_bytes,
                (unsigned long long)have);
  if (have > data_bytes)
    return fail(err, err_size,
                "'%s' has %llu unexpected bytes after its data: header "
                "promises %llu bytes of data, file has %llu",
                path, (unsigned long long)(have - data_bytes),
                (unsigned long long)data_bytes, (unsigned long long)have);
  return 0;
}

int tfmrt_npy_read_data(FILE *f, const char *path, uint64_t data_bytes,
                        void *dst, char *err, size_t err_size) {
  if (data_bytes > SIZE_MAX)
    return fail(err, err_size, "'%s' holds more data than fits in memory",
                path);
  size_t got = data_bytes ? fread(dst, 1, (size_t)data_bytes, f) : 0;
  if (got < data_bytes) {
    if (ferror(f))
      return fail(err, err_size, "cannot read '%s': %s", path,
                  strerror(errno));
    return fail(err, err_size,
                "'%s' is truncated: header promises %llu bytes of data, file "
                "has %zu",
                path, (unsigned long long)data_bytes, got);
  }
  /* Trailing bytes mean the header and the data disagree: refuse rather
   * than guess which one is right. Stop counting at 1 GiB (an endless pipe
   * must not hang us). */
  unsigned char chunk[4096];
  uint64_t extra = 0;
  size_t n;
  const uint64_t count_limit = (uint64_t)1 << 30;
  while (extra <= count_limit && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    extra += n;
  if (ferror(f))
    return fail(err, err_size, "cannot read '%s': %s", path, strerror(errno));
  if (extra)
    return fail(err, err_size,
                "'%s' has %s%llu unexpected bytes after its data: header "
                "promises %llu bytes of data",
                path, extra > count_limit ? "more than " : "",
                (unsigned long long)(extra > count_limit ? count_limit
                                                         : extra),
                (unsigned long long)data_bytes);
  return 0;
}

/*===----------------------------------------------------------------------===*
 * Writing
 *===----------------------------------------------------------------------===*/

int tfmrt_npy_format_header(int32_t dtype, int32_t rank, const int64_t *shape,
                            char *buf, size_t size, size_t *len) {
  const char *descr = tfmrt_dtype_descr(dtype);
  if (!descr || rank < 0 || rank > TFMRT_MAX_RANK)
    return -1;
  for (int32_t i = 0; i < rank; ++i)
    if (shape[i] < 0)
      return -1;
  /* numpy's own spelling, so that files diff cleanly against numpy's. */
  char dict[TFMRT_SHAPE_STR_SIZE + 96];
  size_t n = (size_t)snprintf(
      dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
      descr);
  for (int32_t i = 0; i < rank; ++i)
    n += (size_t)snprintf(dict + n, sizeof dict - n, "%lld%s",
                          (long long)shape[i],
                          i + 1 < rank ? ", " : rank == 1 ? "," : "");
  n += (size_t)snprintf(dict + n, sizeof dict - n, "), }");

  /* Pad with spaces and end with '\n' so the data starts 64-byte aligned
   * (numpy's ARRAY_ALIGN), which lets readers map the data in place. */
  size_t preamble = 10;
  size_t total = (preamble + n + 1 + 63) / 64 * 64;
  if (total - preamble > 0xffff) { /* cannot happen for rank <= 64 */
    preamble = 12;
    total = (preamble + n + 1 + 63) / 64 * 64;
  }
  if (total > size)
    return -1;
  size_t header_len = total - preamble;
  memcpy(buf, npy_magic, 6);
  buf[6] = preamble == 10 ? 1 : 2;
  buf[7] = 0;
  buf[8] = (char)(header_len & 0xff);
  buf[9] = (char)((header_len >> 8) & 0xff);
  if (preamble == 12) {
    buf[10] = (char)((header_len >> 16) & 0xff);
    buf[11] = (char)((header_len >> 24) & 0xff);
  }
  memcpy(buf + preamble, dict, n);
  memset(buf + preamble + n, ' ', total - preamble - n - 1);
  buf[total - 1] = '\n';
  *len = total;
  return 0;
}

int tfmrt_npy_write_stream(FILE *f, const char *path, int32_t dtype,
                           int32_t rank, const int64_t *shape,
                           const void *data, char *err, size_t err_size) {
  uint64_t data_bytes;
  if (tfmrt_shape_size(rank, shape, tfmrt_dtype_size(dtype), NULL,
                       &data_bytes) != 0 ||
      !tfmrt_dtype_descr(dtype))
    return fail(err, err_size, "cannot write '%s': invalid tensor description",
                path);
  char header[TFMRT_SHAPE_STR_SIZE + 256];
  size_t header_len;
  if (tfmrt_npy_format_header(dtype, rank, shape, header, sizeof header,
                              &header_len) != 0)
    return fail(err, err_size, "cannot write '%s': header too large", path);
  if (fwrite(header, 1, header_len, f) != header_len)
    return fail(err, err_size, "cannot write '%s': %s", path, strerror(errno));
  const unsigned char *bytes = data;
  while (data_bytes > 0) {
    /* fwrite takes size_t; write in pieces that always fit. */
    size_t piece = data_bytes > ((size_t)1 << 30) ? ((size_t)1 << 30)
                                                  : (size_t)data_bytes;
    if (fwrite(bytes, 1, piece, f) != piece)
      return fail(err, err_size, "cannot write '%s': %s", path,
                  strerror(errno));
    bytes += piece;
    data_bytes -= piece;
  }
  if (fflush(f) != 0)
    return fail(err, err_size, "cannot write '%s': %s", path, strerror(errno));
  return 0;
}

int tfmrt_npy_write(const char *path, int32_t dtype, int32_t rank,
                    const int64_t *shape, const void *data, char *err,
                    size_t err_size) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return fail(err, err_size, "cannot create '%s': %s", path,
                strerror(errno));
  int rc = tfmrt_npy_write_stream(f, path, dtype, rank, shape, data, err,
                                  err_size);
  if (fclose(f) != 0 && rc == 0)
    rc = fail(err, err_size, "cannot write '%s': %s", path, strerror(errno));
  /* A half-written file would load as garbage or fail later; remove it. */
  if (rc != 0)
    remove(path);
  return rc;
}
