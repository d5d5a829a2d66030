/*
 * csv-to-json: RFC 4180 CSV to JSON (RFC 8259) as a WASI command.
 *
 *   csv-to-json [--no-header] [--lines] [--infer] [--delimiter C] [PATH] < data.csv
 *
 * Reads CSV from stdin, or from PATH in the task's /work directory ("x.csv" or
 * "/work/x.csv"), and prints JSON on stdout:
 *   default        the first record names the columns; a JSON array of objects,
 *                  one per record, one record per line: [\n{"a":"1"},\n{"a":"2"}\n]
 *   --lines        JSON Lines instead: one object (or array) per line, no brackets
 *   --no-header    every record is data; arrays instead of objects
 *   --infer        an unquoted field that is a JSON number (as written: "007" is
 *                  not one) becomes that number, true/false become booleans and an
 *                  empty unquoted field becomes null; quoted fields stay strings,
 *                  so "" and "42" written in quotes keep their text
 *   --delimiter C  the field separator: one ASCII character other than '"', CR
 *                  and LF, or "\t" for tab (default ',')
 *
 * CSV: fields may be quoted with '"', a quote inside written as ""; quoted fields
 * may hold delimiters, CR and LF. Records end with CRLF or LF (either, even mixed;
 * a CR not followed by LF is data); the last may lack one. An empty line is a
 * record with one empty field (as in csv-parse's default). A UTF-8 BOM at the
 * start is skipped. Every record must have as many fields as the header (or as
 * the first record, with --no-header). Duplicate header names are an error, not
 * renamed: a JSON object cannot hold both and silently dropping one loses data.
 *
 * Errors (exit status 2, one line on stderr "csv-to-json: <message>", nothing on
 * stdout): empty input, invalid UTF-8, a quote inside an unquoted field, a
 * character after a closing quote, an unterminated quoted field, a field-count
 * mismatch, a duplicate header name, more than MAX_COLUMNS fields in a record.
 * Each names the line and column (1-based; columns count characters, lines
 * are physical, so a newline inside quotes starts one) where it found it.
 *
 * Limits: input at most 8 MiB (from /work; the sandbox caps stdin at 4 MiB);
 * at most MAX_COLUMNS fields a record and MAX_HEADER_JSON bytes of header names
 * as JSON; output at most 8 MiB (the sandbox's stdout cap), checked before
 * anything is written, so a failed run prints nothing on stdout.
 *
 * Written for ZeroState; the grammar is RFC 4180 section 2, the escaping RFC
 * 8259 section 7 (control characters as \u00XX, or \n \r \t).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (8u << 20)
#define MAX_OUTPUT (8u << 20) /* the sandbox's stdout cap */
#define MAX_COLUMNS 65536u
#define MAX_HEADER_JSON (4u << 20) /* the header's names as JSON keys */
/* Open-addressing table for duplicate header names: a power of two, at least twice MAX_COLUMNS. */
#define NAME_SLOTS (2u * MAX_COLUMNS)

static uint8_t *in;
static size_t in_len;
static char out[MAX_OUTPUT];
static size_t out_len;

static char delimiter = ',';
static int header = 1, lines = 0, infer = 0;

/* The header's names, each already a JSON string followed by ':', in one buffer. */
static char *keys;
static size_t keys_len, keys_cap;
static uint32_t key_start[MAX_COLUMNS + 1];
static uint32_t columns; /* fields per record: the header's (or first record's) count */
static uint32_t name_slot[NAME_SLOTS]; /* column index + 1, 0 = empty */

static void fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("csv-to-json: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(2);
}

static size_t body_start; /* 3 after a BOM, which is no column of line 1 */

/*
 * Line and column (1-based, columns in characters) of a byte offset; only used
 * for messages. Lines are physical: a newline inside a quoted field starts one.
 */
static void locate(size_t offset, size_t *line, size_t *column) {
  size_t l = 1, c = 1;
  for (size_t i = body_start; i < offset && i < in_len; i++) {
    if (in[i] == '\n') { l++; c = 1; }
    else if ((in[i] & 0xC0) != 0x80) c++;
  }
  *line = l;
  *column = c;
}

/* fail() with " at line L, column C" of a byte offset appended. */
static void fail_at(size_t offset, const char *format, ...) {
  size_t line, column;
  va_list args;
  locate(offset, &line, &column);
  va_start(args, format);
  fputs("csv-to-json: ", stderr);
  vfprintf(stderr, format, args);
  fprintf(stderr, " at line %zu, column %zu\n", line, column);
  va_end(args);
  exit(2);
}

/* ---- input ---- */

static void read_input(const char *path) {
  FILE *file = stdin;
  char full[4096];
  if (path) {
    if (strncmp(path, "/work/", 6) == 0) snprintf(full, sizeof full, "%s", path);
    else snprintf(full, sizeof full, "/work/%s", path);
    file = fopen(full, "rb");
    if (!file) fail("cannot open %s", full);
  }
  size_t cap = 1 << 16;
  in = malloc(cap);
  if (!in) fail("out of memory reading input");
  for (;;) {
    if (in_len == cap) {
      if (cap > MAX_INPUT) fail("input is larger than the %u MiB limit", MAX_INPUT >> 20);
      /* Grow to at most MAX_INPUT + 1 bytes: one more than allowed shows the input is too large. */
      cap = cap * 2 > MAX_INPUT + 1 ? MAX_INPUT + 1 : cap * 2;
      in = realloc(in, cap);
      if (!in) fail("out of memory reading input");
    }
    size_t n = fread(in + in_len, 1, cap - in_len, file);
    if (n == 0) break;
    in_len += n;
  }
  if (in_len > MAX_INPUT) fail("input is larger than the %u MiB limit", MAX_INPUT >> 20);
  if (ferror(file)) fail("cannot read input");
}

/* Offset of the first byte that is not part of well-formed UTF-8 (Unicode 15, table 3-7), or len. */
static size_t utf8_invalid_at(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    if (c < 0x80) {
      /* ASCII runs, the common case, eight bytes at a time. */
      uint64_t word;
      while (i + 8 <= len && (memcpy(&word, s + i, 8), (word & 0x8080808080808080ull) == 0)) i += 8;
      if (i < len && s[i] < 0x80) i++;
      continue;
    }
    size_t n;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
    else return i;
    if (i + n >= len) return i; /* truncated */
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k <= n; k++) if ((s[i + k] & 0xC0) != 0x80) return i;
    i += n + 1;
  }
  return len;
}

/* ---- output ---- */

static size_t record_start; /* for the overflow message */

static void overflow(void) {
  fail_at(record_start, "output exceeds the %u MiB stdout limit in the record starting", MAX_OUTPUT >> 20);
}

static void put(const char *s, size_t n) {
  if (n > MAX_OUTPUT - out_len) overflow();
  memcpy(out + out_len, s, n);
  out_len += n;
}

static void put_char(char c) {
  if (out_len == MAX_OUTPUT) overflow();
  out[out_len++] = c;
}

static const char hex[] = "0123456789abcdef";

/* Appends the JSON escape of one byte that needs it (quote, backslash, control character). */
static void put_escape(uint8_t c, char *dst, size_t *n) {
  dst[0] = '\\';
  switch (c) {
    case '"': dst[1] = '"'; *n = 2; return;
    case '\\': dst[1] = '\\'; *n = 2; return;
    case '\n': dst[1] = 'n'; *n = 2; return;
    case '\r': dst[1] = 'r'; *n = 2; return;
    case '\t': dst[1] = 't'; *n = 2; return;
    default:
      memcpy(dst + 1, "u00", 3);
      dst[4] = hex[c >> 4];
      dst[5] = hex[c & 15];
      *n = 6;
  }
}

/* Bytes a JSON string cannot hold as they are (RFC 8259 section 7): control characters, quote, backslash. */
static uint8_t escaped[256];

static void init_escaped(void) {
  for (int c = 0; c < 0x20; c++) escaped[c] = 1;
  escaped['"'] = escaped['\\'] = 1;
}

/*
 * Passes the field's text, escaped as the body of a JSON string (no quotes), to
 * sink; a quoted field's "" pairs become one '"'. The input is valid UTF-8,
 * which JSON carries as is.
 */
typedef void (*sink_fn)(const char *s, size_t n);

static void put_field_text(const uint8_t *s, size_t n, int quoted, sink_fn sink) {
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (!escaped[c]) continue;
    sink((const char *)s + run, i - run);
    char escape[6];
    size_t k;
    put_escape(c, escape, &k);
    sink(escape, k);
    if (quoted && c == '"') i++; /* the second quote of "" */
    run = i + 1;
  }
  sink((const char *)s + run, n - run);
}

static void key_sink(const char *s, size_t n) {
  if (n > keys_cap - keys_len) {
    while (n > keys_cap - keys_len) keys_cap = keys_cap ? 2 * keys_cap : 4096;
    if (keys_cap > MAX_HEADER_JSON) fail("the header row is too large (more than %u MiB as JSON)", MAX_HEADER_JSON >> 20);
    keys = realloc(keys, keys_cap);
    if (!keys) fail("out of memory storing the header");
  }
  memcpy(keys + keys_len, s, n);
  keys_len += n;
}

/* RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int is_json_number(const uint8_t *s, size_t n) {
  size_t i = 0;
  if (i < n && s[i] == '-') i++;
  if (i >= n) return 0;
  if (s[i] == '0') i++;
  else if (s[i] >= '1' && s[i] <= '9') while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  else return 0;
  if (i < n && s[i] == '.') {
    size_t digits = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == digits) return 0;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t digits = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == digits) return 0;
  }
  return i == n;
}

static void put_value(const uint8_t *s, size_t n, int quoted) {
  if (infer && !quoted) {
    if (n == 0) { put("null", 4); return; }
    if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0) || is_json_number(s, n)) {
      put((const char *)s, n);
      return;
    }
  }
  put_char('"');
  put_field_text(s, n, quoted, put);
  put_char('"');
}

/* ---- the header ---- */

static uint32_t hash_bytes(const char *s, size_t n) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

/* Stores column `index`'s name as "name": and fails if an earlier column has the same name. */
static void add_key(const uint8_t *s, size_t n, int quoted, size_t offset) {
  uint32_t index = columns;
  key_start[index] = (uint32_t)keys_len;
  key_sink("\"", 1);
  put_field_text(s, n, quoted, key_sink);
  key_sink("\":", 2);
  key_start[index + 1] = (uint32_t)keys_len;
  const char *name = keys + key_start[index];
  size_t name_len = keys_len - key_start[index];
  for (uint32_t slot = hash_bytes(name, name_len) & (NAME_SLOTS - 1);; slot = (slot + 1) & (NAME_SLOTS - 1)) {
    uint32_t other = name_slot[slot];
    if (other == 0) { name_slot[slot] = index + 1; break; }
    other--;
    size_t other_len = key_start[other + 1] - key_start[other];
    if (other_len == name_len && memcmp(keys + key_start[other], name, name_len) == 0)
      fail_at(offset, "duplicate header name %.*s (columns %u and %u)", (int)(name_len - 1), name, other + 1, index + 1);
  }
}

/* ---- parsing ---- */

static int at_line_end(size_t pos) {
  return in[pos] == '\n' || (in[pos] == '\r' && pos + 1 < in_len && in[pos + 1] == '\n');
}

/* Bytes that may end an unquoted field or make it an error: the delimiter, CR, LF and the quote. */
static uint8_t special[256];

enum role { HEADER, FIRST_DATA, DATA };

/*
 * Parses the record at *pos, writing it (role DATA/FIRST_DATA) or storing the
 * header (role HEADER) as it goes, and leaves *pos after its line ending.
 * Returns the number of fields. Output is only buffered, so failing midway
 * leaves nothing on stdout.
 */
static uint32_t parse_record(size_t *pos, enum role role, int first_output) {
  size_t p = *pos;
  uint32_t field = 0;
  record_start = p;
  if (role != HEADER) {
    if (!lines && !first_output) put(",\n", 2);
    put_char(header ? '{' : '[');
  }
  for (;;) {
    size_t start = p, end;
    int quoted = 0;
    if (p < in_len && in[p] == '"') {
      quoted = 1;
      start = ++p;
      for (;;) {
        const uint8_t *q = p < in_len ? memchr(in + p, '"', in_len - p) : NULL;
        if (!q) fail_at(start - 1, "unterminated quoted field starting");
        p = (size_t)(q - in);
        if (p + 1 < in_len && in[p + 1] == '"') { p += 2; continue; }
        end = p++;
        break;
      }
      if (p < in_len && in[p] != (uint8_t)delimiter && !at_line_end(p))
        fail_at(p, "unexpected character after a closing quote");
    } else {
      for (;; p++) {
        while (p < in_len && !special[in[p]]) p++;
        if (p >= in_len || in[p] == (uint8_t)delimiter || at_line_end(p)) break;
        if (in[p] == '"') fail_at(p, "quote inside an unquoted field (quote the whole field and double the quote)");
        /* a CR without LF: data */
      }
      end = p;
    }
    if (field >= MAX_COLUMNS) fail_at(start, "more than %u fields in a record", MAX_COLUMNS);
    if (role == HEADER) {
      add_key(in + start, end - start, quoted, start);
      columns++;
    } else {
      if (role == DATA && field >= columns) {
        size_t line, column;
        locate(record_start, &line, &column);
        fail("the record at line %zu has more than %u fields, the %s has %u", line, columns, header ? "header" : "first record", columns);
      }
      if (field > 0) put_char(',');
      if (header) put(keys + key_start[field], key_start[field + 1] - key_start[field]);
      put_value(in + start, end - start, quoted);
    }
    field++;
    if (p >= in_len) break;
    if (in[p] == (uint8_t)delimiter) { p++; continue; }
    p += in[p] == '\r' ? 2 : 1;
    break;
  }
  if (role == DATA && field != columns) {
    size_t line, column;
    locate(record_start, &line, &column);
    fail("the record at line %zu has %u field%s, the %s has %u", line, field, field == 1 ? "" : "s", header ? "header" : "first record", columns);
  }
  if (role != HEADER) {
    put_char(header ? '}' : ']');
    if (lines) put_char('\n');
  }
  *pos = p;
  return field;
}

static void parse_args(int argc, char **argv, const char **path) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--no-header") == 0) header = 0;
    else if (strcmp(a, "--lines") == 0) lines = 1;
    else if (strcmp(a, "--infer") == 0) infer = 1;
    else if (strcmp(a, "--delimiter") == 0) {
      if (++i >= argc) fail("--delimiter needs a character");
      const char *d = argv[i];
      if (strcmp(d, "\\t") == 0 || strcmp(d, "tab") == 0) delimiter = '\t';
      else if (strlen(d) == 1 && (uint8_t)d[0] < 0x80 && d[0] != '"' && d[0] != '\r' && d[0] != '\n') delimiter = d[0];
      else fail("--delimiter must be one ASCII character other than '\"', CR and LF, or \\t");
    } else if (a[0] == '-' && a[1] != 0) fail("unknown option %s (options: --no-header --lines --infer --delimiter C)", a);
    else if (*path) fail("more than one input path");
    else *path = a;
  }
}

int main(int argc, char **argv) {
  const char *path = NULL;
  parse_args(argc, argv, &path);
  init_escaped();
  special[(uint8_t)delimiter] = special['"'] = special['\r'] = special['\n'] = 1;
  read_input(path);

  body_start = in_len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  size_t bad = utf8_invalid_at(in, in_len);
  if (bad < in_len) {
    size_t line, column;
    locate(bad, &line, &column);
    fail("invalid UTF-8 at line %zu, column %zu (byte offset %zu)", line, column, bad);
  }
  size_t pos = body_start;
  if (pos == in_len) fail("empty input");

  size_t records = 0;
  if (!lines) put("[\n", 2); /* the header, if any, writes nothing */
  if (header) parse_record(&pos, HEADER, 1);
  else columns = parse_record(&pos, FIRST_DATA, 1), records = 1;
  for (; pos < in_len; records++) parse_record(&pos, DATA, records == 0);
  if (!lines) {
    if (records == 0) out_len = 0, put("[]\n", 3);
    else put("\n]\n", 3);
  }
  if (fwrite(out, 1, out_len, stdout) != out_len || fflush(stdout) != 0) fail("cannot write output");
  return 0;
}
