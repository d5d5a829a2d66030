/*
 * json.c: the JSON parser of json-validate (RFC 8259), strict: no comments, no
 * trailing commas, strings valid UTF-8 with no raw control characters. Values
 * become fixed-size nodes in preorder (json.h); strings are decoded in place,
 * which never needs more bytes than the literal took. Errors carry the line and
 * column (in code points) where the text went wrong, tracked while scanning
 * because in-place decoding overwrites what is behind the cursor.
 *
 * Two deliberate choices beyond the grammar, both bad input (RFC 8259 §4 leaves
 * duplicate names' meaning to the implementation, §9 allows depth limits):
 * an object with a duplicate key, and nesting deeper than MAX_DEPTH.
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

JNode json_nodes[MAX_NODES];
uint32_t json_node_count;
uint32_t json_sorted[MAX_NODES / 2];
static uint32_t sorted_count;
uint8_t *json_text;

typedef struct {
  uint32_t p, end;
  uint32_t line, line_start, continuation; /* continuation bytes read since line_start */
  JsonError *error;
  int failed;
} Parser;

static void fail_at(Parser *ps, uint32_t line, uint32_t column, const char *message) {
  if (ps->failed) return;
  ps->failed = 1;
  snprintf(ps->error->message, sizeof ps->error->message, "%s", message);
  ps->error->line = line;
  ps->error->column = column;
}

static uint32_t column_of(const Parser *ps, uint32_t pos) { return pos - ps->line_start - ps->continuation + 1; }

static void fail(Parser *ps, const char *message) { fail_at(ps, ps->line, column_of(ps, ps->p), message); }

static void skip_ws(Parser *ps) {
  while (ps->p < ps->end) {
    uint8_t c = json_text[ps->p];
    if (c == '\n') {
      ps->line++;
      ps->line_start = ps->p + 1;
      ps->continuation = 0;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      return;
    }
    ps->p++;
  }
}

static uint32_t new_node(Parser *ps, uint8_t kind) {
  if (json_node_count >= MAX_NODES) {
    char message[96];
    snprintf(message, sizeof message, "more than %u JSON values in the schema and document together (the limit)", MAX_NODES);
    fail(ps, message);
    return NO_NODE;
  }
  JNode *node = &json_nodes[json_node_count];
  memset(node, 0, sizeof *node);
  node->pos = ps->p;
  node->kind = kind;
  return json_node_count++;
}

static void unexpected(Parser *ps) {
  char message[64];
  uint8_t c = json_text[ps->p];
  if (c >= 0x20 && c < 0x7f) snprintf(message, sizeof message, "unexpected character '%c'", c);
  else snprintf(message, sizeof message, "unexpected byte 0x%02X", c);
  fail(ps, message);
}

static int hex4(const uint8_t *s, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    uint8_t c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return 0;
  }
  *out = v;
  return 1;
}

static uint32_t put_utf8(uint8_t *w, uint32_t cp) {
  if (cp < 0x80) { w[0] = (uint8_t)cp; return 1; }
  if (cp < 0x800) { w[0] = (uint8_t)(0xC0 | cp >> 6); w[1] = (uint8_t)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    w[0] = (uint8_t)(0xE0 | cp >> 12); w[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)); w[2] = (uint8_t)(0x80 | (cp & 0x3F));
    return 3;
  }
  w[0] = (uint8_t)(0xF0 | cp >> 18); w[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
  w[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)); w[3] = (uint8_t)(0x80 | (cp & 0x3F));
  return 4;
}

/* Length of the valid UTF-8 sequence at s (at most `avail` bytes), 0 if invalid (RFC 3629 §4: no overlongs, no surrogates). */
static uint32_t utf8_sequence(const uint8_t *s, uint32_t avail) {
  uint8_t c = s[0];
  uint32_t n;
  uint8_t lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
  else return 0;
  if (avail < n || s[1] < lo || s[1] > hi) return 0;
  for (uint32_t i = 2; i < n; i++) if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  return n;
}

/* ps->p at the opening quote. RFC 8259 §7. */
static uint32_t parse_string(Parser *ps) {
  uint32_t node = new_node(ps, J_STRING);
  if (node == NO_NODE) return NO_NODE;
  uint32_t r = ps->p + 1, w = r;
  uint8_t *t = json_text;
  for (;;) {
    if (r >= ps->end) { ps->p = r; fail(ps, "unterminated string"); return NO_NODE; }
    uint8_t c = t[r];
    if (c == '"') break;
    if (c < 0x20) {
      char message[64];
      snprintf(message, sizeof message, "control character U+%04X in a string (it must be escaped)", c);
      ps->p = r;
      fail(ps, message);
      return NO_NODE;
    }
    if (c == '\\') {
      if (r + 1 >= ps->end) { ps->p = r; fail(ps, "unterminated string"); return NO_NODE; }
      uint8_t e = t[r + 1];
      const char *simple = strchr("\"\\/bfnrt", e);
      if (e != 0 && simple != NULL) {
        static const char decoded[] = "\"\\/\b\f\n\r\t";
        t[w++] = (uint8_t)decoded[simple - "\"\\/bfnrt"];
        r += 2;
        continue;
      }
      uint32_t cp;
      if (e != 'u' || r + 6 > ps->end || !hex4(t + r + 2, &cp)) {
        ps->p = r;
        fail(ps, "invalid escape in a string");
        return NO_NODE;
      }
      r += 6;
      uint32_t low;
      if (cp >= 0xD800 && cp <= 0xDBFF && r + 6 <= ps->end && t[r] == '\\' && t[r + 1] == 'u' &&
          hex4(t + r + 2, &low) && low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        r += 6;
      }
      w += put_utf8(t + w, cp); /* a lone surrogate becomes its 3-byte form (WTF-8) */
      continue;
    }
    if (c < 0x80) {
      /* The common case, a run of plain ASCII: one tight loop (copying only once an escape has shifted w). */
      uint32_t end = ps->end;
      if (w == r) {
        do r++; while (r < end && t[r] >= 0x20 && t[r] < 0x80 && t[r] != '"' && t[r] != '\\');
        w = r;
      } else {
        do t[w++] = t[r++]; while (r < end && t[r] >= 0x20 && t[r] < 0x80 && t[r] != '"' && t[r] != '\\');
      }
      continue;
    }
    uint32_t n = utf8_sequence(t + r, ps->end - r);
    if (n == 0) { ps->p = r; fail(ps, "invalid UTF-8 in a string"); return NO_NODE; }
    for (uint32_t i = 0; i < n; i++) t[w++] = t[r++];
    ps->continuation += n - 1;
  }
  json_nodes[node].u.len = w - (ps->p + 1);
  ps->p = r + 1;
  return node;
}

/* Length of the RFC 8259 §6 number literal at pos, 0 if there is none. */
static uint32_t number_length(uint32_t pos, uint32_t end) {
  const uint8_t *t = json_text;
  uint32_t p = pos;
#define DIGIT(i) ((i) < end && t[i] >= '0' && t[i] <= '9')
  if (p < end && t[p] == '-') p++;
  if (p < end && t[p] == '0') p++;
  else if (DIGIT(p)) while (DIGIT(p)) p++;
  else return 0;
  if (p < end && t[p] == '.') {
    p++;
    if (!DIGIT(p)) return 0;
    while (DIGIT(p)) p++;
  }
  if (p < end && (t[p] == 'e' || t[p] == 'E')) {
    p++;
    if (p < end && (t[p] == '+' || t[p] == '-')) p++;
    if (!DIGIT(p)) return 0;
    while (DIGIT(p)) p++;
  }
#undef DIGIT
  return p - pos;
}

uint32_t json_number_length(uint32_t pos) { return number_length(pos, 0xFFFFFFFFu); }

static int key_compare(uint32_t a, uint32_t b) {
  uint32_t la = json_nodes[a].u.len, lb = json_nodes[b].u.len;
  int c = memcmp(json_str(a), json_str(b), la < lb ? la : lb);
  return c != 0 ? c : (la > lb) - (la < lb);
}

/* Heapsort: in place, O(n log n) whatever the keys. */
static void sift(uint32_t *a, uint32_t root, uint32_t n) {
  for (;;) {
    uint32_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && key_compare(a[child + 1], a[child]) > 0) child++;
    if (key_compare(a[root], a[child]) >= 0) return;
    uint32_t t = a[root]; a[root] = a[child]; a[child] = t;
    root = child;
  }
}

void json_sort_strings(uint32_t *a, uint32_t n) {
  for (uint32_t i = n / 2; i-- > 0;) sift(a, i, n);
  for (uint32_t end = n; end-- > 1;) {
    uint32_t t = a[0]; a[0] = a[end]; a[end] = t;
    sift(a, 0, end);
  }
}

static uint32_t parse_value(Parser *ps, uint32_t depth);

static uint32_t parse_container(Parser *ps, uint32_t depth, int object) {
  uint32_t line = ps->line, column = column_of(ps, ps->p);
  if (depth >= MAX_DEPTH) {
    char message[64];
    snprintf(message, sizeof message, "nesting deeper than %d levels (the limit)", MAX_DEPTH);
    fail(ps, message);
    return NO_NODE;
  }
  uint32_t node = new_node(ps, object ? J_OBJECT : J_ARRAY);
  if (node == NO_NODE) return NO_NODE;
  uint8_t close = object ? '}' : ']';
  uint32_t count = 0;
  ps->p++;
  skip_ws(ps);
  if (ps->p < ps->end && json_text[ps->p] == close) {
    ps->p++;
  } else {
    for (;;) {
      skip_ws(ps);
      if (object) {
        if (ps->p >= ps->end) { fail(ps, "unexpected end of input, expected a property name"); return NO_NODE; }
        if (json_text[ps->p] != '"') { fail(ps, "expected a property name (a string)"); return NO_NODE; }
        if (parse_string(ps) == NO_NODE) return NO_NODE;
        skip_ws(ps);
        if (ps->p >= ps->end || json_text[ps->p] != ':') { fail(ps, "expected ':' after a property name"); return NO_NODE; }
        ps->p++;
      }
      if (parse_value(ps, depth + 1) == NO_NODE) return NO_NODE;
      count++;
      skip_ws(ps);
      if (ps->p >= ps->end) { fail(ps, object ? "unexpected end of input, expected ',' or '}'" : "unexpected end of input, expected ',' or ']'"); return NO_NODE; }
      uint8_t c = json_text[ps->p];
      if (c == ',') { ps->p++; continue; }
      if (c == close) { ps->p++; break; }
      fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
      return NO_NODE;
    }
  }
  JNode *n = &json_nodes[node];
  n->u.c.count = count;
  n->u.c.size = json_node_count - node;
  if (object) {
    /* Keys are gathered once the object is complete, so each object's sorted run is contiguous. */
    n->sorted = sorted_count;
    uint32_t *keys = json_sorted + sorted_count;
    uint32_t k = node + 1;
    for (uint32_t i = 0; i < count; i++) {
      keys[i] = k;
      k = k + 1 + json_size(k + 1);
    }
    sorted_count += count;
    json_sort_strings(keys, count);
    for (uint32_t i = 1; i < count; i++) {
      if (key_compare(keys[i - 1], keys[i]) == 0) {
        char message[160];
        uint32_t len = json_nodes[keys[i]].u.len;
        snprintf(message, sizeof message, "duplicate key \"%.*s\" in the object that starts here", len > 60 ? 60 : (int)len, json_str(keys[i]));
        fail_at(ps, line, column, message);
        return NO_NODE;
      }
    }
  }
  return node;
}

static uint32_t parse_value(Parser *ps, uint32_t depth) {
  skip_ws(ps);
  if (ps->p >= ps->end) { fail(ps, "unexpected end of input, expected a value"); return NO_NODE; }
  uint8_t c = json_text[ps->p];
  if (c == '{' || c == '[') return parse_container(ps, depth, c == '{');
  if (c == '"') return parse_string(ps);
  static const char *const words[] = {"null", "false", "true"};
  for (int kind = J_NULL; kind <= J_TRUE; kind++) {
    size_t len = strlen(words[kind]);
    if (c == (uint8_t)words[kind][0]) {
      if (ps->end - ps->p < len || memcmp(json_text + ps->p, words[kind], len) != 0) break;
      uint32_t node = new_node(ps, (uint8_t)kind);
      ps->p += (uint32_t)len;
      return node;
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    uint32_t len = number_length(ps->p, ps->end);
    if (len == 0) { fail(ps, "invalid number"); return NO_NODE; }
    uint32_t node = new_node(ps, J_NUMBER);
    if (node == NO_NODE) return NO_NODE;
    /* A short integer is exact as a double (< 2^53): no need for strtod. Otherwise the slice is followed
     * by a NUL (main.c), so strtod stops at the literal's end; musl's strtod rounds correctly, like JSON.parse. */
    const uint8_t *digits = json_text + ps->p;
    uint32_t negative = digits[0] == '-', k = negative;
    uint64_t v = 0;
    while (k < len && k < 16 && digits[k] >= '0' && digits[k] <= '9') v = v * 10 + (digits[k++] - '0');
    if (k == len && len - negative <= 15) json_nodes[node].u.num = negative ? -(double)v : (double)v;
    else json_nodes[node].u.num = strtod((const char *)digits, NULL);
    ps->p += len;
    return node;
  }
  unexpected(ps);
  return NO_NODE;
}

uint32_t json_parse(uint32_t start, uint32_t len, JsonError *error) {
  Parser ps = {start, start + len, 1, start, 0, error, 0};
  if (len >= 3 && memcmp(json_text + start, "\xEF\xBB\xBF", 3) == 0) ps.p += 3, ps.continuation += 3; /* a UTF-8 BOM, not counted as a column */
  skip_ws(&ps);
  if (ps.p >= ps.end) { fail(&ps, "empty input, expected a JSON value"); return NO_NODE; }
  uint32_t root = parse_value(&ps, 0);
  if (root == NO_NODE) return NO_NODE;
  skip_ws(&ps);
  if (ps.p < ps.end) { fail(&ps, "unexpected data after the JSON value"); return NO_NODE; }
  return root;
}

uint32_t json_rank(uint32_t obj, const char *key, size_t len) {
  const JNode *o = &json_nodes[obj];
  const uint32_t *keys = json_sorted + o->sorted;
  uint32_t lo = 0, hi = o->u.c.count;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    uint32_t k = keys[mid], kl = json_nodes[k].u.len;
    int c = memcmp(json_str(k), key, kl < len ? kl : len);
    if (c == 0) c = (kl > len) - (kl < len);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NO_NODE;
}

uint32_t json_get(uint32_t obj, const char *key, size_t len) {
  uint32_t r = json_rank(obj, key, len);
  return r == NO_NODE ? NO_NODE : json_key_at(obj, r) + 1;
}

int json_equal(uint32_t a, uint32_t b) {
  const JNode *x = &json_nodes[a], *y = &json_nodes[b];
  if (x->kind != y->kind) return 0;
  switch (x->kind) {
    case J_NUMBER: return x->u.num == y->u.num;
    case J_STRING: return x->u.len == y->u.len && memcmp(json_str(a), json_str(b), x->u.len) == 0;
    case J_ARRAY: {
      if (x->u.c.count != y->u.c.count) return 0;
      uint32_t i = a + 1, j = b + 1;
      for (uint32_t n = 0; n < x->u.c.count; n++) {
        if (!json_equal(i, j)) return 0;
        i += json_size(i);
        j += json_size(j);
      }
      return 1;
    }
    case J_OBJECT: {
      if (x->u.c.count != y->u.c.count) return 0;
      const uint32_t *ka = json_sorted + x->sorted, *kb = json_sorted + y->sorted;
      for (uint32_t n = 0; n < x->u.c.count; n++) {
        if (key_compare(ka[n], kb[n]) != 0 || !json_equal(ka[n] + 1, kb[n] + 1)) return 0;
      }
      return 1;
    }
    default: return 1;
  }
}

uint32_t json_code_points(uint32_t n) {
  const uint8_t *s = (const uint8_t *)json_str(n);
  uint32_t count = 0;
  for (uint32_t i = 0; i < json_nodes[n].u.len; i++) count += (s[i] & 0xC0) != 0x80;
  return count;
}
