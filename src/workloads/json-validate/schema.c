/*
 * schema.c: checks a JSON Schema (draft 2020-12, or draft-07 where the two
 * agree) the way its meta-schema would, and compiles it into schemas[] and
 * entries[] (schema.h) for validate.c. A schema that is not a valid schema —
 * "type": 5, "minLength": -1, a $ref that does not resolve, a pattern outside
 * the supported ECMA-262 subset, an unsupported keyword — is bad input: one
 * line on stderr naming the schema location, exit status 2.
 *
 * References are gathered while compiling and resolved by ref.c once the
 * whole schema is compiled; a pointer may land under a keyword json-validate
 * does not know, and that subschema is compiled then (schema_for).
 * Not supported (a clear error): $dynamicRef, $recursiveRef, $recursiveAnchor.
 */
#include "schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "ref.h"
#include "regex.h"

Schema schemas[MAX_SCHEMAS];
Entry entries[MAX_ENTRIES];
int need_annotations;

static uint32_t schema_count, entry_count;
static uint32_t schema_of_node[MAX_SCHEMA_NODES];
static uint32_t schema_nodes; /* nodes [0, schema_nodes) are the schema document's */
static int draft07;

_Noreturn void fatal(const char *format, ...) {
  char message[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  for (char *c = message; *c; c++) if (*c == '\n' || *c == '\r') *c = ' '; /* exactly one line */
  fprintf(stderr, "json-validate: %s\n", message);
  exit(2);
}

static const struct { const char *name; uint8_t kw; } KEYWORDS[] = {
  {"type", K_TYPE}, {"enum", K_ENUM}, {"const", K_CONST}, {"multipleOf", K_MULTIPLE_OF},
  {"maximum", K_MAXIMUM}, {"exclusiveMaximum", K_EXCLUSIVE_MAXIMUM}, {"minimum", K_MINIMUM},
  {"exclusiveMinimum", K_EXCLUSIVE_MINIMUM}, {"maxLength", K_MAX_LENGTH}, {"minLength", K_MIN_LENGTH},
  {"pattern", K_PATTERN}, {"maxItems", K_MAX_ITEMS}, {"minItems", K_MIN_ITEMS}, {"uniqueItems", K_UNIQUE_ITEMS},
  {"contains", K_CONTAINS}, {"maxContains", K_MAX_CONTAINS}, {"minContains", K_MIN_CONTAINS},
  {"items", K_ITEMS}, {"prefixItems", K_PREFIX_ITEMS}, {"additionalItems", K_ADDITIONAL_ITEMS},
  {"maxProperties", K_MAX_PROPERTIES}, {"minProperties", K_MIN_PROPERTIES}, {"required", K_REQUIRED},
  {"properties", K_PROPERTIES}, {"patternProperties", K_PATTERN_PROPERTIES},
  {"additionalProperties", K_ADDITIONAL_PROPERTIES}, {"propertyNames", K_PROPERTY_NAMES},
  {"dependentRequired", K_DEPENDENT_REQUIRED}, {"dependentSchemas", K_DEPENDENT_SCHEMAS},
  {"dependencies", K_DEPENDENCIES}, {"allOf", K_ALL_OF}, {"anyOf", K_ANY_OF}, {"oneOf", K_ONE_OF},
  {"not", K_NOT}, {"if", K_IF}, {"then", K_THEN}, {"else", K_ELSE}, {"$ref", K_REF}, {"$defs", K_DEFS},
  {"definitions", K_DEFS}, {"unevaluatedProperties", K_UNEVALUATED_PROPERTIES},
  {"unevaluatedItems", K_UNEVALUATED_ITEMS}, {"format", K_FORMAT}, {"$id", K_ID}, {"$anchor", K_ANCHOR},
  {"$dynamicAnchor", K_DYNAMIC_ANCHOR}, {"$schema", K_SCHEMA}, {"$comment", K_COMMENT},
};

static const char *const UNSUPPORTED[] = {"$dynamicRef", "$recursiveRef", "$recursiveAnchor"};

static int key_is(uint32_t key, const char *name) {
  size_t n = strlen(name);
  return json_nodes[key].u.len == n && memcmp(json_str(key), name, n) == 0;
}

static uint8_t keyword_of(uint32_t key) {
  for (size_t i = 0; i < sizeof KEYWORDS / sizeof KEYWORDS[0]; i++) {
    if (!key_is(key, KEYWORDS[i].name)) continue;
    uint8_t kw = KEYWORDS[i].kw;
    /* Draft-specific spellings: 2020-12 has no additionalItems or dependencies (Core §10, appendix G). */
    if (!draft07 && (kw == K_ADDITIONAL_ITEMS || kw == K_DEPENDENCIES)) return K_UNKNOWN;
    if (draft07 && (kw == K_PREFIX_ITEMS || kw == K_DEPENDENT_REQUIRED || kw == K_DEPENDENT_SCHEMAS ||
                    kw == K_UNEVALUATED_PROPERTIES || kw == K_UNEVALUATED_ITEMS || kw == K_MAX_CONTAINS ||
                    kw == K_MIN_CONTAINS || kw == K_ANCHOR || kw == K_DYNAMIC_ANCHOR)) return K_UNKNOWN;
    return kw;
  }
  return K_UNKNOWN;
}

/* ---- schema locations ---- */

static void put_escaped(void (*put)(const char *, uint32_t), const char *s, uint32_t len) {
  uint32_t from = 0;
  for (uint32_t i = 0; i < len; i++) {
    if (s[i] != '~' && s[i] != '/') continue;
    put(s + from, i - from);
    put(s[i] == '~' ? "~0" : "~1", 2); /* RFC 6901 §3 */
    from = i + 1;
  }
  put(s + from, len - from);
}

static void path_of(uint32_t sid, void (*put)(const char *, uint32_t)) {
  const Schema *s = &schemas[sid];
  if (s->parent == NONE) {
    if (s->ref_node != NONE) {
      const char *ref = json_str(s->ref_node), *hash = memchr(ref, '#', json_nodes[s->ref_node].u.len);
      if (hash != NULL) put(hash + 1, (uint32_t)(ref + json_nodes[s->ref_node].u.len - hash - 1));
    }
    return;
  }
  path_of(s->parent, put);
  put("/", 1);
  put_escaped(put, json_str(s->seg_key), json_nodes[s->seg_key].u.len);
  if (s->seg_sub == NONE) return;
  put("/", 1);
  if (s->seg_sub & SEG_INDEX) {
    char digits[16];
    int n = snprintf(digits, sizeof digits, "%u", s->seg_sub & ~SEG_INDEX);
    put(digits, (uint32_t)n);
  } else {
    put_escaped(put, json_str(s->seg_sub), json_nodes[s->seg_sub].u.len);
  }
}

void schema_path(uint32_t sid, uint32_t key, void (*put)(const char *, uint32_t)) {
  put("#", 1);
  path_of(sid, put);
  if (key != NONE) {
    put("/", 1);
    put_escaped(put, json_str(key), json_nodes[key].u.len);
  }
}

static char where[512];
static uint32_t where_len;
static void put_where(const char *s, uint32_t len) {
  for (uint32_t i = 0; i < len && where_len + 4 < sizeof where; i++) where[where_len++] = s[i];
  if (where_len + 4 >= sizeof where && memcmp(where + where_len - 3, "...", 3) != 0) memcpy(where + where_len, "...", 3), where_len += 3;
  where[where_len] = 0;
}

/* An invalid schema: "schema #/properties/a/minLength: must be a non-negative integer". */
_Noreturn void bad_schema(uint32_t sid, uint32_t key, const char *format, ...) {
  char message[600];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  where_len = 0;
  schema_path(sid, key, put_where);
  fatal("invalid schema at %s: %s", where, message);
}

/* ---- checks of keyword values (the 2020-12 meta-schema's rules) ---- */

static int is_integer_value(uint32_t n) {
  return json_nodes[n].kind == J_NUMBER && json_nodes[n].u.num == floor(json_nodes[n].u.num) && isfinite(json_nodes[n].u.num);
}

static void need_non_negative_integer(uint32_t sid, uint32_t key, uint32_t value) {
  if (!is_integer_value(value) || json_nodes[value].u.num < 0) bad_schema(sid, key, "must be a non-negative integer");
}

static void need_unique_strings(uint32_t sid, uint32_t key, uint32_t value) {
  if (json_nodes[value].kind != J_ARRAY) bad_schema(sid, key, "must be an array of unique strings");
  uint32_t n = json_nodes[value].u.c.count, i = value + 1;
  for (uint32_t k = 0; k < n; k++, i += json_size(i)) {
    if (json_nodes[i].kind != J_STRING) bad_schema(sid, key, "must be an array of unique strings (item %u is not a string)", k);
  }
  /* Sorted, so that a long "required" list costs n log n, not n². Items are strings, so one node each. */
  uint32_t *sorted = malloc((n + 1) * sizeof *sorted);
  if (sorted == NULL) fatal("schema too large: out of memory checking a list of %u strings", n);
  for (uint32_t k = 0; k < n; k++) sorted[k] = value + 1 + k;
  json_sort_strings(sorted, n);
  for (uint32_t k = 1; k < n; k++) {
    if (json_equal(sorted[k - 1], sorted[k])) {
      uint32_t later = sorted[k - 1] > sorted[k] ? sorted[k - 1] : sorted[k];
      free(sorted);
      bad_schema(sid, key, "must be an array of unique strings (item %u repeats an earlier one)", later - value - 1);
    }
  }
  free(sorted);
}

static uint32_t type_bit(uint32_t n) {
  static const struct { const char *name; uint32_t bit; } TYPES[] = {
    {"null", T_NULL}, {"boolean", T_BOOLEAN}, {"object", T_OBJECT}, {"array", T_ARRAY},
    {"number", T_NUMBER}, {"string", T_STRING}, {"integer", T_INTEGER}};
  if (json_nodes[n].kind != J_STRING) return 0;
  for (size_t i = 0; i < 7; i++) if (key_is(n, TYPES[i].name)) return TYPES[i].bit;
  return 0;
}

static uint32_t compile_regex(uint32_t sid, uint32_t key, uint32_t pattern_node, int as_key) {
  uint32_t id;
  char error[200];
  if (!regex_compile(json_str(pattern_node), json_nodes[pattern_node].u.len, &id, error, sizeof error)) {
    uint32_t len = json_nodes[pattern_node].u.len;
    bad_schema(sid, key, "%s \"%.*s%s\": %s", as_key ? "pattern property" : "pattern", len > 80 ? 80 : (int)len,
               json_str(pattern_node), len > 80 ? "..." : "", error);
  }
  return id;
}

/* ---- compiling ---- */

static uint32_t reserve_schemas(uint32_t n) {
  if (n > MAX_SCHEMAS - schema_count) fatal("schema too large: more than %u subschemas", MAX_SCHEMAS);
  uint32_t first = schema_count;
  schema_count += n;
  return first;
}

static void compile_into(uint32_t sid, uint32_t node, uint32_t parent, uint32_t seg_key, uint32_t seg_sub, uint32_t resource, uint32_t ref_node);

/* Compiles the value of an applicator keyword: one subschema, an array of them, or an object of them (by sorted rank). */
static uint32_t compile_one(uint32_t sid, uint32_t key, uint32_t value, uint32_t resource) {
  uint32_t kind = json_nodes[value].kind;
  if (kind != J_OBJECT && kind != J_TRUE && kind != J_FALSE) bad_schema(sid, key, "must be a schema (an object or a boolean)");
  uint32_t child = reserve_schemas(1);
  compile_into(child, value, sid, key, NONE, resource, NONE);
  return child;
}

static uint32_t compile_array(uint32_t sid, uint32_t key, uint32_t value, uint32_t resource) {
  if (json_nodes[value].kind != J_ARRAY || json_nodes[value].u.c.count == 0) bad_schema(sid, key, "must be a non-empty array of schemas");
  uint32_t count = json_nodes[value].u.c.count, first = reserve_schemas(count), item = value + 1;
  for (uint32_t i = 0; i < count; i++, item += json_size(item)) {
    uint32_t kind = json_nodes[item].kind;
    if (kind != J_OBJECT && kind != J_TRUE && kind != J_FALSE) bad_schema(sid, key, "item %u must be a schema (an object or a boolean)", i);
    compile_into(first + i, item, sid, key, SEG_INDEX | i, resource, NONE);
  }
  return first;
}

static uint32_t compile_object(uint32_t sid, uint32_t key, uint32_t value, uint32_t resource, int arrays_too) {
  if (json_nodes[value].kind != J_OBJECT) bad_schema(sid, key, "must be an object");
  uint32_t count = json_nodes[value].u.c.count, first = reserve_schemas(count);
  for (uint32_t r = 0; r < count; r++) {
    uint32_t name = json_key_at(value, r), sub = name + 1, kind = json_nodes[sub].kind;
    if (arrays_too && kind == J_ARRAY) {
      need_unique_strings(sid, key, sub);
      schemas[first + r] = (Schema){sub, sid, key, name, NONE, 0, 0, 1};
      continue;
    }
    if (kind != J_OBJECT && kind != J_TRUE && kind != J_FALSE) {
      bad_schema(sid, key, "property \"%.*s\" must be a schema (an object or a boolean)", (int)(json_nodes[name].u.len > 80 ? 80 : json_nodes[name].u.len), json_str(name));
    }
    compile_into(first + r, sub, sid, key, name, resource, NONE);
  }
  return first;
}

static int anchor_name_ok(const char *s, uint32_t len, uint32_t skip) {
  /* Core §8.2.2: ^[A-Za-z_][-A-Za-z0-9._]*$ */
  if (len <= skip) return 0;
  for (uint32_t i = skip; i < len; i++) {
    char c = s[i];
    int letter = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
    if (!(letter || (i > skip && ((c >= '0' && c <= '9') || c == '-' || c == '.')))) return 0;
  }
  return 1;
}

static void compile_into(uint32_t sid, uint32_t node, uint32_t parent, uint32_t seg_key, uint32_t seg_sub, uint32_t resource, uint32_t ref_node) {
  Schema *s = &schemas[sid];
  *s = (Schema){node, parent, seg_key, seg_sub, ref_node, 0, 0, 0};
  uint32_t kind = json_nodes[node].kind;
  if (kind == J_TRUE || kind == J_FALSE) { s->boolean = kind == J_TRUE ? 1 : 2; return; }
  if (kind != J_OBJECT) bad_schema(sid, NONE, "must be a schema (an object or a boolean)");
  if (node < schema_nodes && schema_of_node[node] != NONE) { /* reached again through a $ref: share the entries */
    const Schema *done = &schemas[schema_of_node[node]];
    s->first = done->first;
    s->count = done->count;
    return;
  }
  schema_of_node[node] = sid;

  /* $id first: it sets the base URI of everything else here (Core §8.2.1). */
  uint32_t id = json_get(node, "$id", 3);
  if (id != NONE) {
    if (json_nodes[id].kind != J_STRING) bad_schema(sid, id - 1, "must be a string");
    const char *text = json_str(id);
    uint32_t len = json_nodes[id].u.len;
    if (draft07 && len > 0 && text[0] == '#') {
      if (!anchor_name_ok(text, len, 1)) bad_schema(sid, id - 1, "must be a URI or \"#name\"");
      if (!ref_anchor(resource, id, 1, node)) bad_schema(sid, id - 1, "duplicate anchor"); /* draft-07 §8.2.3: a plain-name fragment $id is an anchor */
    } else {
      const char *hash = memchr(text, '#', len);
      if (hash != NULL && hash != text + len - 1) bad_schema(sid, id - 1, "must not contain a non-empty fragment");
      if (hash != NULL) len--;
      resource = ref_resource(resource, text, len, node);
    }
  }

  for (size_t i = 0; i < sizeof UNSUPPORTED / sizeof UNSUPPORTED[0]; i++) {
    uint32_t v = json_get(node, UNSUPPORTED[i], strlen(UNSUPPORTED[i]));
    if (v != NONE) bad_schema(sid, v - 1, "unsupported keyword %s", UNSUPPORTED[i]);
  }

  /* Two passes: count the keywords, then fill their entries — contiguous, although subschemas add their own meanwhile. */
  uint32_t count = json_nodes[node].u.c.count, ref = json_get(node, "$ref", 4), wanted = 0;
  for (uint32_t r = 0; r < count; r++) {
    uint8_t kw = keyword_of(json_key_at(node, r));
    if (kw != K_UNKNOWN && !(draft07 && ref != NONE && kw != K_REF && kw != K_DEFS)) wanted++;
  }
  if (wanted > MAX_ENTRIES - entry_count) fatal("schema too large: more than %u keywords", MAX_ENTRIES);
  s->first = entry_count;
  s->count = wanted;
  entry_count += wanted;

  uint32_t e = s->first, key = node + 1;
  /* In the schema's own order, so errors at one instance location come in that order; validate.c finds
   * siblings such as "then" or "prefixItems" by kw. */
  for (uint32_t r = 0; r < count; r++, key += 1 + json_size(key + 1)) {
    uint32_t value = key + 1;
    uint8_t kw = keyword_of(key);
    if (kw == K_UNKNOWN) continue;
    /* draft-07 §8.3: "All other properties in a "$ref" object MUST be ignored." ($defs still hold targets.) */
    if (draft07 && ref != NONE && kw != K_REF && kw != K_DEFS) continue;
    Entry *en = &entries[e++];
    *en = (Entry){kw, key, value, NONE, NONE};
    uint32_t vkind = json_nodes[value].kind;
    switch (kw) {
      case K_TYPE: {
        uint32_t bits = 0;
        if (vkind == J_STRING) bits = type_bit(value);
        else if (vkind == J_ARRAY && json_nodes[value].u.c.count > 0) {
          uint32_t item = value + 1;
          for (uint32_t i = 0; i < json_nodes[value].u.c.count; i++, item += 1) {
            uint32_t bit = type_bit(item);
            if (bit == 0 || (bits & bit)) { bits = 0; break; }
            bits |= bit;
          }
        }
        if (bits == 0) bad_schema(sid, key, "must be one of \"null\", \"boolean\", \"object\", \"array\", \"number\", \"string\", \"integer\", or a non-empty array of them without repeats");
        en->a = bits;
        break;
      }
      case K_ENUM:
        if (vkind != J_ARRAY) bad_schema(sid, key, "must be an array");
        break;
      case K_MULTIPLE_OF:
        if (vkind != J_NUMBER || !(json_nodes[value].u.num > 0)) bad_schema(sid, key, "must be a number greater than 0");
        break;
      case K_MAXIMUM: case K_EXCLUSIVE_MAXIMUM: case K_MINIMUM: case K_EXCLUSIVE_MINIMUM:
        if (vkind != J_NUMBER) bad_schema(sid, key, "must be a number");
        break;
      case K_MAX_LENGTH: case K_MIN_LENGTH: case K_MAX_ITEMS: case K_MIN_ITEMS: case K_MAX_CONTAINS:
      case K_MIN_CONTAINS: case K_MAX_PROPERTIES: case K_MIN_PROPERTIES:
        need_non_negative_integer(sid, key, value);
        break;
      case K_PATTERN:
        if (vkind != J_STRING) bad_schema(sid, key, "must be a string");
        en->a = compile_regex(sid, key, value, 0);
        break;
      case K_UNIQUE_ITEMS:
        if (vkind != J_TRUE && vkind != J_FALSE) bad_schema(sid, key, "must be a boolean");
        break;
      case K_REQUIRED:
        need_unique_strings(sid, key, value);
        break;
      case K_CONTAINS: case K_ADDITIONAL_ITEMS: case K_ADDITIONAL_PROPERTIES: case K_PROPERTY_NAMES: case K_NOT:
      case K_IF: case K_THEN: case K_ELSE: case K_UNEVALUATED_PROPERTIES: case K_UNEVALUATED_ITEMS:
        if (kw == K_UNEVALUATED_PROPERTIES || kw == K_UNEVALUATED_ITEMS) need_annotations = 1;
        en->a = compile_one(sid, key, value, resource);
        break;
      case K_ITEMS:
        if (draft07 && vkind == J_ARRAY) { /* draft-07 tuple form: what 2020-12 calls prefixItems */
          en->a = compile_array(sid, key, value, resource);
          en->b = json_nodes[value].u.c.count;
        } else {
          en->a = compile_one(sid, key, value, resource);
        }
        break;
      case K_PREFIX_ITEMS: case K_ALL_OF: case K_ANY_OF: case K_ONE_OF:
        en->a = compile_array(sid, key, value, resource);
        en->b = json_nodes[value].u.c.count;
        break;
      case K_PROPERTIES: case K_DEPENDENT_SCHEMAS: case K_DEFS:
        en->a = compile_object(sid, key, value, resource, 0);
        break;
      case K_DEPENDENCIES:
        en->a = compile_object(sid, key, value, resource, 1);
        break;
      case K_PATTERN_PROPERTIES: {
        if (vkind != J_OBJECT) bad_schema(sid, key, "must be an object");
        en->b = NONE;
        for (uint32_t k = 0; k < json_nodes[value].u.c.count; k++) { /* consecutive regex ids */
          uint32_t rid = compile_regex(sid, key, json_key_at(value, k), 1);
          if (k == 0) en->b = rid;
        }
        en->a = compile_object(sid, key, value, resource, 0);
        break;
      }
      case K_DEPENDENT_REQUIRED: {
        if (vkind != J_OBJECT) bad_schema(sid, key, "must be an object");
        for (uint32_t k = 0; k < json_nodes[value].u.c.count; k++) need_unique_strings(sid, key, json_key_at(value, k) + 1);
        break;
      }
      case K_REF:
        if (vkind != J_STRING) bad_schema(sid, key, "must be a string");
        ref_pending(e - 1, resource, sid);
        break;
      case K_ANCHOR: case K_DYNAMIC_ANCHOR:
        if (vkind != J_STRING || !anchor_name_ok(json_str(value), json_nodes[value].u.len, 0)) {
          bad_schema(sid, key, "must be a string matching ^[A-Za-z_][-A-Za-z0-9._]*$");
        }
        if (!ref_anchor(resource, value, 0, node)) bad_schema(sid, key, "duplicate anchor");
        break;
      case K_FORMAT: case K_COMMENT: case K_ID:
        if (vkind != J_STRING) bad_schema(sid, key, "must be a string");
        break;
      default: break;
    }
  }
}

static uint32_t schema_for(uint32_t node, uint32_t ref_node, uint32_t resource) {
  if (schema_of_node[node] != NONE) return schema_of_node[node];
  uint32_t sid = reserve_schemas(1);
  compile_into(sid, node, NONE, NONE, NONE, resource, ref_node);
  return sid;
}

uint32_t schema_compile(uint32_t root) {
  schema_nodes = json_node_count;
  if (schema_nodes > MAX_SCHEMA_NODES) fatal("schema too large: more than %u JSON values", MAX_SCHEMA_NODES);
  for (uint32_t i = 0; i < schema_nodes; i++) schema_of_node[i] = NONE;
  /* $schema (Core §8.1.1): 2020-12 by default; draft-07 changes a few keywords' meaning. */
  if (json_nodes[root].kind == J_OBJECT) {
    uint32_t meta = json_get(root, "$schema", 7);
    if (meta != NONE) {
      if (json_nodes[meta].kind != J_STRING) fatal("invalid schema at #/$schema: must be a string");
      const char *m = json_str(meta);
      uint32_t len = json_nodes[meta].u.len;
      if (len > 0 && m[len - 1] == '#') len--;
      static const char V2020[] = "json-schema.org/draft/2020-12/schema", V07[] = "json-schema.org/draft-07/schema";
      const char *tail = len >= 8 && memcmp(m, "https://", 8) == 0 ? m + 8 : len >= 7 && memcmp(m, "http://", 7) == 0 ? m + 7 : NULL;
      uint32_t tail_len = tail != NULL ? len - (uint32_t)(tail - m) : 0;
      if (tail != NULL && tail_len == sizeof V2020 - 1 && memcmp(tail, V2020, tail_len) == 0) draft07 = 0;
      else if (tail != NULL && tail_len == sizeof V07 - 1 && memcmp(tail, V07, tail_len) == 0) draft07 = 1;
      else fatal("unsupported $schema \"%.*s\" (json-validate knows draft 2020-12 and draft-07)", len > 200 ? 200 : (int)len, m);
    }
  }
  uint32_t sid = reserve_schemas(1);
  compile_into(sid, root, NONE, NONE, NONE, ref_document(root), NONE);
  ref_resolve_all(schema_for); /* may compile more, and add references */
  return sid;
}
