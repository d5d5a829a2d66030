/*
 * split.c: tally split — UTF-8 text to {"chunks":[…]}, each chunk the exact
 * bytes of at most N lines (see tally.c for the line rules).
 */
#include <string.h>

#include "tally.h"

/* Offset of the first byte that is not well-formed UTF-8 (Unicode 15, table 3-7), or len. */
static size_t utf8_invalid_at(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t n;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
    else return i;
    if (i + n >= len || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k <= n; k++) if ((s[i + k] & 0xC0) != 0x80) return i;
    i += n + 1;
  }
  return len;
}

void split(uint32_t len, int lines_per_chunk) {
  size_t bad = utf8_invalid_at(text, len);
  if (bad < len) {
    size_t line = 1;
    for (size_t i = 0; i < bad; i++) line += text[i] == '\n';
    fail("split: the input is not UTF-8 text (invalid byte 0x%02X on line %zu)", text[bad], line);
  }
  puts_out("{\"chunks\":[");
  uint32_t p = 0, chunks = 0;
  while (p < len) {
    uint32_t start = p, end = p;
    for (int n = 0; n < lines_per_chunk && p < len; n++) {
      const uint8_t *lf = memchr(text + p, '\n', len - p);
      end = lf != NULL ? (uint32_t)(lf - text) : len; /* the last line's break is left out */
      p = lf != NULL ? end + 1 : len;
    }
    if (end > start && text[end - 1] == '\r' && end < len) end--; /* CRLF: the CR belongs to the break */
    if (chunks++) put(",", 1);
    put_json_string(text + start, end - start);
  }
  puts_out("]}\n");
}
