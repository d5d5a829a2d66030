/*
 * report.c: json-validate's errors — kept while the schema is applied (and
 * dropped again when an anyOf, oneOf, contains, not or if discards them), then
 * printed as one JSON object in document order. Instance paths are kept as
 * node indexes and rendered as RFC 6901 pointers only when printed, so an
 * error costs a few words however long its keys are.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "schema.h"

#define MAX_ERRORS 20000u         /* errors kept; the rest are counted in errorsOmitted */
#define SEGMENT_ARENA (1u << 19)  /* instance-path segments of kept errors */
#define MAX_OUTPUT_ERRORS_BYTES (7u << 20) /* under the sandbox's 8 MiB stdout cap */

uint32_t ipath[MAX_DEPTH + 8], ipath_len;

typedef struct {
  uint32_t inst, seq, path, path_len, sid, key, p1, p2;
  uint8_t kw;
} Err;

static Err errors[MAX_ERRORS];
static uint32_t error_count, omitted, sequence;
static uint32_t segments[SEGMENT_ARENA], segment_used;
static uint32_t order[MAX_ERRORS];

Mark mark(void) { return (Mark){error_count, segment_used, omitted}; }
void reset(Mark m) { error_count = m.count; segment_used = m.segments; omitted = m.omitted; }

void report(uint32_t sid, uint32_t key, uint8_t kw, uint32_t inst, uint32_t p1, uint32_t p2) {
  sequence++;
  if (error_count >= MAX_ERRORS || segment_used + ipath_len > SEGMENT_ARENA) { omitted++; return; }
  memcpy(segments + segment_used, ipath, ipath_len * sizeof ipath[0]);
  errors[error_count++] = (Err){inst, sequence, segment_used, ipath_len, sid, key, p1, p2, kw};
  segment_used += ipath_len;
}

/* ---- output ---- */

static uint64_t written;
static int measuring; /* count the bytes an error would take, without writing them */

static void out(const char *s, uint32_t len) {
  if (!measuring) fwrite(s, 1, len, stdout);
  written += len;
}

/* Writes bytes as the inside of a JSON string (RFC 8259 §7); a lone surrogate (WTF-8) becomes its \u escape. */
static void out_json(const char *s, uint32_t len) {
  const uint8_t *u = (const uint8_t *)s;
  uint32_t from = 0;
  for (uint32_t i = 0; i < len; i++) {
    char esc[8];
    int n = 0;
    uint8_t c = u[i];
    if (c == '"' || c == '\\') n = snprintf(esc, sizeof esc, "\\%c", c);
    else if (c == '\n') n = snprintf(esc, sizeof esc, "\\n");
    else if (c == '\t') n = snprintf(esc, sizeof esc, "\\t");
    else if (c == '\r') n = snprintf(esc, sizeof esc, "\\r");
    else if (c < 0x20) n = snprintf(esc, sizeof esc, "\\u%04x", c);
    else if (c == 0xED && i + 2 < len && u[i + 1] >= 0xA0) {
      n = snprintf(esc, sizeof esc, "\\u%04x", (unsigned)(0xD000 | (u[i + 1] & 0x3F) << 6 | (u[i + 2] & 0x3F)));
      out(s + from, i - from);
      out(esc, (uint32_t)n);
      i += 2;
      from = i + 1;
      continue;
    }
    if (n == 0) continue;
    out(s + from, i - from);
    out(esc, (uint32_t)n);
    from = i + 1;
  }
  out(s + from, len - from);
}

static void out_pointer_token(const char *s, uint32_t len) {
  uint32_t from = 0;
  for (uint32_t i = 0; i < len; i++) {
    if (s[i] != '~' && s[i] != '/') continue;
    out_json(s + from, i - from);
    out(s[i] == '~' ? "~0" : "~1", 2);
    from = i + 1;
  }
  out_json(s + from, len - from);
}

/* A string of the schema or document for a message: at most ~100 bytes, cut at a character boundary. */
static void out_quoted(uint32_t n) {
  uint32_t len = json_nodes[n].u.len, cut = len;
  const char *s = json_str(n);
  if (cut > 100) {
    cut = 100;
    while (cut > 0 && ((uint8_t)s[cut] & 0xC0) == 0x80) cut--;
  }
  out("'", 1);
  out_json(s, cut);
  if (cut < len) out("...", 3);
  out("'", 1);
}

static void out_literal(uint32_t n) {
  uint32_t len = json_number_length(json_nodes[n].pos);
  out((const char *)json_text + json_nodes[n].pos, len > 100 ? 100 : len);
  if (len > 100) out("...", 3);
}

static void out_text(const char *s) { out(s, (uint32_t)strlen(s)); }

static void out_uint(uint32_t v) {
  char digits[16];
  out(digits, (uint32_t)snprintf(digits, sizeof digits, "%u", v));
}

static void out_message(const Err *e) {
  uint32_t v = e->key != NONE ? e->key + 1 : NONE;
  switch (e->kw) {
    case K_FALSE: out_text("boolean schema is false"); break;
    case K_TYPE:
      out_text("must be ");
      if (json_nodes[v].kind == J_STRING) out_json(json_str(v), json_nodes[v].u.len);
      else for (uint32_t k = 0; k < json_nodes[v].u.c.count; k++) {
        if (k > 0) out(",", 1);
        out_json(json_str(v + 1 + k), json_nodes[v + 1 + k].u.len);
      }
      break;
    case K_ENUM: out_text("must be equal to one of the allowed values"); break;
    case K_CONST: out_text("must be equal to constant"); break;
    case K_MULTIPLE_OF: out_text("must be multiple of "); out_literal(v); break;
    case K_MAXIMUM: out_text("must be <= "); out_literal(v); break;
    case K_EXCLUSIVE_MAXIMUM: out_text("must be < "); out_literal(v); break;
    case K_MINIMUM: out_text("must be >= "); out_literal(v); break;
    case K_EXCLUSIVE_MINIMUM: out_text("must be > "); out_literal(v); break;
    case K_MAX_LENGTH: out_text("must NOT have more than "); out_literal(v); out_text(" characters"); break;
    case K_MIN_LENGTH: out_text("must NOT have fewer than "); out_literal(v); out_text(" characters"); break;
    case K_PATTERN: out_text("must match pattern "); out_quoted(v); break;
    case K_MAX_ITEMS: out_text("must NOT have more than "); out_literal(v); out_text(" items"); break;
    case K_MIN_ITEMS: out_text("must NOT have fewer than "); out_literal(v); out_text(" items"); break;
    case K_UNIQUE_ITEMS:
      out_text("must NOT have duplicate items (items ## "); out_uint(e->p2); out_text(" and "); out_uint(e->p1); out_text(" are identical)");
      break;
    case K_CONTAINS:
      out_text("must contain at least "); out_uint(e->p1);
      if (e->p2 != NONE) { out_text(" and no more than "); out_uint(e->p2); }
      out_text(" valid item(s)");
      break;
    case K_ITEMS: case K_ADDITIONAL_ITEMS: out_text("must NOT have more than "); out_uint(e->p1); out_text(" items"); break;
    case K_UNEVALUATED_ITEMS: out_text("must NOT have unevaluated items"); break;
    case K_MAX_PROPERTIES: out_text("must NOT have more than "); out_literal(v); out_text(" properties"); break;
    case K_MIN_PROPERTIES: out_text("must NOT have fewer than "); out_literal(v); out_text(" properties"); break;
    case K_REQUIRED: out_text("must have required property "); out_quoted(e->p1); break;
    case K_ADDITIONAL_PROPERTIES: out_text("must NOT have additional property "); out_quoted(e->p1); break;
    case K_UNEVALUATED_PROPERTIES: out_text("must NOT have unevaluated property "); out_quoted(e->p1); break;
    case K_PROPERTY_NAMES: out_text("property name "); out_quoted(e->p1); out_text(" is invalid"); break;
    case K_DEPENDENT_REQUIRED: case K_DEPENDENCIES:
      out_text("must have property "); out_quoted(e->p2); out_text(" when property "); out_quoted(e->p1); out_text(" is present");
      break;
    case K_ANY_OF: out_text("must match a schema in anyOf"); break;
    case K_ONE_OF: out_text(e->p1 == 0 ? "must match exactly one schema in oneOf (none matches)" : "must match exactly one schema in oneOf (more than one matches)"); break;
    case K_NOT: out_text("must NOT be valid"); break;
    case K_IF: out_text(e->p1 ? "must match \\\"then\\\" schema" : "must match \\\"else\\\" schema"); break;
    default: out_text("is invalid"); break;
  }
}

static int error_before(uint32_t a, uint32_t b) {
  return errors[a].inst != errors[b].inst ? errors[a].inst < errors[b].inst : errors[a].seq < errors[b].seq;
}

static void print_error(const Err *e) {
  out_text("{\"instancePath\":\"");
  for (uint32_t i = 0; i < e->path_len; i++) {
    uint32_t seg = segments[e->path + i];
    out("/", 1);
    if (seg & SEG_INDEX) out_uint(seg & ~SEG_INDEX);
    else out_pointer_token(json_str(seg), json_nodes[seg].u.len);
  }
  out_text("\",\"schemaPath\":\"");
  schema_path(e->sid, e->key, out_json);
  out_text("\",\"keyword\":\"");
  if (e->kw == K_FALSE) out_text("false schema");
  else out_json(json_str(e->key), json_nodes[e->key].u.len);
  out_text("\",\"message\":\"");
  out_message(e);
  out_text("\"}");
}

void print_result(int valid) {
  /* Document order: by instance node (nodes are numbered in document order), then as found. Heapsort on indexes. */
  uint32_t n = error_count;
  for (uint32_t i = 0; i < n; i++) order[i] = i;
  for (uint32_t start = n / 2, end = n; end > 1;) {
    uint32_t root;
    if (start > 0) root = --start;
    else { end--; uint32_t t = order[0]; order[0] = order[end]; order[end] = t; root = 0; }
    for (;;) {
      uint32_t child = 2 * root + 1;
      if (child >= end) break;
      if (child + 1 < end && error_before(order[child], order[child + 1])) child++;
      if (!error_before(order[root], order[child])) break;
      uint32_t t = order[root]; order[root] = order[child]; order[child] = t;
      root = child;
    }
  }
  out_text(valid ? "{\"valid\":true,\"errors\":[" : "{\"valid\":false,\"errors\":[");
  uint32_t shown = 0;
  for (uint32_t i = 0; i < n; i++) {
    /* Measured first: one error under a multi-megabyte key could otherwise pass the sandbox's stdout cap. */
    uint64_t before = written;
    measuring = 1;
    print_error(&errors[order[i]]);
    measuring = 0;
    uint64_t size = written - before;
    written = before;
    if (written + size + 2 > MAX_OUTPUT_ERRORS_BYTES) break;
    out_text(i == 0 ? "\n" : ",\n");
    print_error(&errors[order[i]]);
    shown++;
  }
  if (shown < n || omitted > 0) {
    out_text("\n],\"errorsOmitted\":");
    out_uint(n - shown + omitted);
    out_text("}\n");
  } else {
    out_text(n > 0 ? "\n]}\n" : "]}\n");
  }
  fflush(stdout);
}
