/*
 * io.c: tally's input (4 MiB, from a file in /work or stdin), its output
 * (built whole in one buffer, so a limit passed leaves nothing on stdout),
 * JSON string escaping, and the one-line error exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tally.h"

uint8_t text[3 * (MAX_INPUT + 1)];
uint32_t text_used;
char out[MAX_OUTPUT];
size_t out_len;

void fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("tally: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(2);
}

uint32_t read_input(const char *name) {
  int fd = 0;
  char path[512];
  if (name != NULL) {
    snprintf(path, sizeof path, name[0] == '/' ? "%s" : "/work/%s", name);
    fd = open(path, O_RDONLY);
    if (fd < 0) fail("cannot open %s: %s", path, strerror(errno));
  }
  uint32_t size = 0;
  for (;;) {
    uint8_t probe;
    ssize_t got = read(fd, size < MAX_INPUT ? text + size : &probe, size < MAX_INPUT ? MAX_INPUT - size : 1);
    if (got < 0) fail("cannot read %s: %s", name != NULL ? path : "stdin", strerror(errno));
    if (got == 0) break;
    if (size >= MAX_INPUT) fail("input is larger than %u bytes (the limit)", MAX_INPUT);
    size += (uint32_t)got;
  }
  if (fd != 0) close(fd);
  text[size] = 0; /* strtod stops here (json.c) */
  text_used = size + 1;
  return size;
}

void put(const void *s, size_t n) {
  if (n > MAX_OUTPUT - out_len) fail("the output would be larger than %u bytes (the limit)", MAX_OUTPUT);
  memcpy(out + out_len, s, n);
  out_len += n;
}

void puts_out(const char *s) { put(s, strlen(s)); }

void printf_out(const char *format, ...) {
  char buf[128];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  put(buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

void flush_output(const char *file) {
  if (file != NULL) {
    FILE *f = fopen(file, "wb");
    if (f == NULL) fail("cannot create %s: %s", file, strerror(errno));
    if (fwrite(out, 1, out_len, f) != out_len || fclose(f) != 0) fail("cannot write %s", file);
  }
  if (fwrite(out, 1, out_len, stdout) != out_len) fail("cannot write stdout");
}

/* A JSON string (RFC 8259 §7) escaped as JSON.stringify escapes it: quote, backslash and control
 * characters; a lone surrogate (kept by json.c as its 3-byte form) as its \u escape, so the output stays UTF-8. */
void put_json_string(const uint8_t *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  put("\"", 1);
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    char esc[8];
    size_t len = 0, skip = 0;
    if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; len = 2; }
    else if (c == '\n') { memcpy(esc, "\\n", 2); len = 2; }
    else if (c == '\r') { memcpy(esc, "\\r", 2); len = 2; }
    else if (c == '\t') { memcpy(esc, "\\t", 2); len = 2; }
    else if (c == '\b') { memcpy(esc, "\\b", 2); len = 2; }
    else if (c == '\f') { memcpy(esc, "\\f", 2); len = 2; }
    else if (c < 0x20) { memcpy(esc, "\\u00", 4); esc[4] = hex[c >> 4]; esc[5] = hex[c & 15]; len = 6; }
    else if (c == 0xED && i + 2 < n && s[i + 1] >= 0xA0) {
      unsigned cp = (unsigned)(c & 0x0F) << 12 | (unsigned)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
      snprintf(esc, sizeof esc, "\\u%04x", cp);
      len = 6;
      skip = 2;
    }
    if (len == 0) { run++; continue; }
    put(s + i - run, run);
    run = 0;
    put(esc, len);
    i += skip;
  }
  put(s + n - run, run);
  put("\"", 1);
}
