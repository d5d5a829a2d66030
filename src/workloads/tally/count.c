/*
 * count.c: the search that count and summary share — the input parsed as JSON
 * or JSON Lines (strings holding JSON parsed in turn), the values at --field
 * counted in an open-addressing hash table, and the objects they were found in
 * kept as records for summary's --columns. See tally.c for the search's rules.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tally.h"

#define MAX_DISTINCT 100000u
#define SLOTS (1u << 18) /* a power of two, over twice MAX_DISTINCT */
#define MAX_KEY_TEXT (2u << 20)

Entry entries[MAX_DISTINCT];
uint32_t entry_count;
static uint32_t slots[SLOTS]; /* entry index + 1; 0 = empty */
uint8_t key_text[MAX_KEY_TEXT];
uint32_t key_used;
uint64_t total;

const uint8_t *key_bytes(const Entry *e) { return e->key & KEY_ARENA ? key_text + (e->key & ~KEY_ARENA) : text + e->key; }

static void count_bytes(const uint8_t *s, uint32_t len, int in_arena) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (uint32_t i = 0; i < len; i++) h = (h ^ s[i]) * 16777619u;
  uint32_t slot = h & (SLOTS - 1);
  for (;; slot = (slot + 1) & (SLOTS - 1)) {
    uint32_t e = slots[slot];
    if (e == 0) break;
    Entry *entry = &entries[e - 1];
    if (entry->len == len && memcmp(key_bytes(entry), s, len) == 0) {
      entry->count++;
      total++;
      if (in_arena) key_used -= len; /* already known: give its copy back */
      return;
    }
  }
  if (entry_count == MAX_DISTINCT) fail("more than %u distinct values (the limit)", MAX_DISTINCT);
  entries[entry_count] = (Entry){ in_arena ? KEY_ARENA | (uint32_t)(s - key_text) : (uint32_t)(s - text), len, 1 };
  slots[slot] = ++entry_count;
  total++;
}

static void arena_put(const void *s, size_t n) {
  if (n > MAX_KEY_TEXT - key_used) fail("more than %u bytes of objects and arrays counted as text (the limit)", MAX_KEY_TEXT);
  memcpy(key_text + key_used, s, n);
  key_used += (uint32_t)n;
}

/* Compact JSON of node n into the arena (strings escaped minimally, numbers as written); returns the node after it. */
uint32_t arena_json(uint32_t n) {
  const JNode *node = &json_nodes[n];
  switch (node->kind) {
    case J_NULL: arena_put("null", 4); return n + 1;
    case J_FALSE: arena_put("false", 5); return n + 1;
    case J_TRUE: arena_put("true", 4); return n + 1;
    case J_NUMBER: arena_put(text + node->pos, json_number_length(node->pos)); return n + 1;
    case J_STRING: {
      size_t saved = out_len; /* escape through the output buffer's tail, then move it */
      put_json_string((const uint8_t *)json_str(n), node->u.len);
      arena_put(out + saved, out_len - saved);
      out_len = saved;
      return n + 1;
    }
    default: {
      int object = node->kind == J_OBJECT;
      arena_put(object ? "{" : "[", 1);
      uint32_t child = n + 1;
      for (uint32_t i = 0; i < node->u.c.count; i++) {
        if (i) arena_put(",", 1);
        if (object) { child = arena_json(child); arena_put(":", 1); }
        child = arena_json(child);
      }
      arena_put(object ? "}" : "]", 1);
      return n + node->u.c.size;
    }
  }
}

static void count_scalar_or_text(uint32_t n) {
  const JNode *node = &json_nodes[n];
  switch (node->kind) {
    case J_STRING: count_bytes((const uint8_t *)json_str(n), node->u.len, 0); return;
    case J_NUMBER: count_bytes(text + node->pos, json_number_length(node->pos), 0); return;
    default: break;
  }
  uint32_t start = key_used; /* null, true, false, objects: their JSON text, in the arena */
  arena_json(n);
  count_bytes(key_text + start, key_used - start, 1);
}

static void count_value(uint32_t n) {
  if (json_nodes[n].kind != J_ARRAY) { count_scalar_or_text(n); return; }
  uint32_t child = n + 1;
  for (uint32_t i = 0; i < json_nodes[n].u.c.count; i++) {
    count_scalar_or_text(child);
    child += json_size(child);
  }
}

/* The value at `path` from node n, or NO_NODE. */
uint32_t resolve(uint32_t n, const Path *path) {
  for (int s = 0; s < path->count; s++) {
    const JNode *node = &json_nodes[n];
    if (node->kind == J_OBJECT) {
      n = json_get(n, path->segment[s], path->length[s]);
      if (n == NO_NODE) return NO_NODE;
    } else if (node->kind == J_ARRAY) {
      uint32_t index = 0, k;
      for (k = 0; k < path->length[s]; k++) {
        char c = path->segment[s][k];
        if (c < '0' || c > '9' || index > 100000000u) return NO_NODE;
        index = index * 10 + (uint32_t)(c - '0');
      }
      if (index >= node->u.c.count) return NO_NODE;
      n = n + 1;
      while (index-- > 0) n += json_size(n);
    } else {
      return NO_NODE;
    }
  }
  return n;
}

Record records[MAX_RECORDS];
uint32_t record_count, records_omitted;
static const Path *field;

static uint32_t parse_text(uint32_t start, uint32_t len, uint32_t *first, JsonError *error, uint32_t *line);

/* Searches node n (see the header comment in tally.c); returns the number of values found. `nested`: inside a string's JSON. */
static uint32_t search(uint32_t n, int entry, int nested) {
  const JNode *node = &json_nodes[n];
  if (node->kind == J_OBJECT) {
    uint32_t value = resolve(n, field);
    if (value != NO_NODE) {
      count_value(value);
      if (record_count < MAX_RECORDS) records[record_count++] = (Record){ n, value };
      else records_omitted++;
      return 1;
    }
    uint32_t found = 0, child = n + 1;
    for (uint32_t i = 0; i < node->u.c.count; i++) {
      child += 1; /* the key */
      found += search(child, 0, nested);
      child += json_size(child);
    }
    return found;
  }
  if (node->kind == J_ARRAY) {
    uint32_t found = 0, child = n + 1;
    for (uint32_t i = 0; i < node->u.c.count; i++) {
      found += search(child, 1, nested);
      child += json_size(child);
    }
    return found;
  }
  if (node->kind == J_STRING && entry && !nested && node->u.len > 0) {
    /* A copy, NUL-terminated for strtod, parsed (and so decoded in place) where it is. Copies take at
     * most as many bytes as the string literals they come from; the scratch after them at most the input. */
    uint32_t len = node->u.len, start = text_used;
    if (start + 2 * (size_t)len + 1 > sizeof text) fail("out of room for strings that hold JSON");
    memcpy(text + start, json_str(n), len);
    text[start + len] = 0;
    text_used += len + 1;
    JsonError error;
    uint32_t line, root;
    uint32_t count = parse_text(start, len, &root, &error, &line);
    if (count == NO_NODE) {
      if (json_node_count >= MAX_NODES) fail("more than %u JSON values, counting those in strings (the limit)", MAX_NODES);
      return 0; /* plain text */
    }
    uint32_t found = 0;
    for (uint32_t i = 0; i < count; i++, root += json_size(root)) found += search(root, 1, 1);
    return found;
  }
  return 0;
}

/*
 * Parses text[start, start + len) as one JSON value or, failing that, as JSON Lines (every non-blank
 * line a JSON value). Returns the number of roots, the first in *first (the others follow it in the
 * pool: each root's subtree is contiguous), or NO_NODE with the error and its line. Nodes of a failed
 * parse are not reused: json.c's sorted-key index only grows, and stays within bounds because the
 * pool does.
 */
static uint32_t parse_text(uint32_t start, uint32_t len, uint32_t *first_root, JsonError *error, uint32_t *line) {
  /* Whole-value parsing decodes strings in place, so keep the bytes for the JSON Lines attempt. */
  uint8_t *backup = text + text_used;
  if (text_used + (size_t)len > sizeof text) fail("out of room for strings that hold JSON");
  memcpy(backup, text + start, len);
  uint32_t root = json_parse(start, len, error);
  if (root != NO_NODE) { *first_root = root; return 1; }
  *line = error->line;
  if (strncmp(error->message, "unexpected data after", 21) != 0) return NO_NODE;
  memcpy(text + start, backup, len);
  JsonError first = *error;
  uint32_t count = 0, p = start, end = start + len, number = 1;
  while (p < end) {
    const uint8_t *lf = memchr(text + p, '\n', end - p);
    uint32_t line_end = lf != NULL ? (uint32_t)(lf - text) : end;
    uint32_t q = p;
    while (q < line_end && (text[q] == ' ' || text[q] == '\t' || text[q] == '\r')) q++;
    if (q < line_end) {
      uint8_t saved = text[line_end];
      text[line_end] = 0; /* strtod stops at the line's end */
      uint32_t r = json_parse(p, line_end - p, error);
      text[line_end] = saved;
      if (r == NO_NODE) {
        *line = number;
        if (count == 0) { *error = first; *line = first.line; }
        return NO_NODE;
      }
      if (count++ == 0) *first_root = r;
    }
    p = line_end + 1;
    number++;
  }
  return count;
}

static int by_count(const void *a, const void *b) {
  const Entry *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  uint32_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(key_bytes(x), key_bytes(y), n);
  return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

void search_input(uint32_t len, const Path *path, uint32_t *items_out, uint32_t *missing_out) {
  field = path;
  JsonError error;
  uint32_t line = 0, root = NO_NODE;
  uint32_t count = parse_text(0, len, &root, &error, &line);
  if (count == NO_NODE) fail("the input is neither JSON nor JSON Lines: %s at line %u, column %u", error.message, line, error.column);
  /* The items: the entries of a top-level array, the lines of JSON Lines, or the one document. */
  uint32_t items = count, missing = 0;
  if (count == 1 && json_nodes[root].kind == J_ARRAY) {
    items = json_nodes[root].u.c.count;
    root++;
  }
  for (uint32_t i = 0; i < items; i++, root += json_size(root)) missing += search(root, 1, 0) == 0;
  qsort(entries, entry_count, sizeof entries[0], by_count);
  *items_out = items;
  *missing_out = missing;
}

void print_counts(uint32_t items, uint32_t missing) {
  printf_out("{\"total\":%llu,\"items\":%u,\"missing\":%u,\"counts\":{", (unsigned long long)total, items, missing);
  for (uint32_t i = 0; i < entry_count; i++) {
    if (i) put(",", 1);
    put_json_string(key_bytes(&entries[i]), entries[i].len);
    printf_out(":%u", entries[i].count);
  }
  puts_out("}}\n");
}
