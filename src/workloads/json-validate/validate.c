/*
 * validate.c: applies a compiled schema (schema.h) to a parsed document and
 * reports every violation (report.c), like ajv with allErrors: true — each keyword of
 * JSON Schema 2020-12 Validation §6 and the applicators of Core §10, with
 * ajv's conventions for which errors a composite keyword keeps: anyOf, oneOf,
 * contains keep their subschemas' errors when they fail and drop them when they
 * pass; not and if drop their own subschema's; a false schema is the error
 * "false schema". Annotations (Core §7.7) are collected only when the schema has
 * unevaluatedProperties or unevaluatedItems, and only from valid subschemas.
 *
 * Numbers: comparisons and `type` use IEEE doubles, as JSON.parse does
 * (RFC 8259 §6); multipleOf divides the decimal literals exactly (decimal.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "json.h"
#include "regex.h"
#include "report.h"
#include "schema.h"

/* Nested subschema applications. WebAssembly frames live on the host engine's own stack, not in linear
 * memory: V8's default stack overflowed at about 4500 levels of allOf/$ref, so 2000 leaves a margin
 * (test/unit/workloads/json-validate.test.ts runs 1980 levels in the sandbox). */
#define MAX_EVAL_DEPTH 2000
#define ANNOTATION_BYTES (1u << 20)

static uint32_t depth;
static uint8_t annotations[ANNOTATION_BYTES];
static uint32_t annotation_used;
static uint32_t scratch[MAX_NODES];

/* ---- annotations: which members / items some keyword evaluated (a bit each, by sorted rank or index) ---- */

typedef struct { uint32_t at, n; } Bits;
static const Bits NO_BITS = {NONE, 0};

static Bits bits_new(uint32_t n) {
  uint32_t bytes = (n + 7) / 8;
  if (bytes > ANNOTATION_BYTES - annotation_used) fatal("document too large for unevaluatedProperties/unevaluatedItems (more than 1 MiB of annotations in use)");
  Bits b = {annotation_used, n};
  memset(annotations + annotation_used, 0, bytes);
  annotation_used += bytes;
  return b;
}
static void bit_set(Bits *b, uint32_t i) { if (b->at != NONE) annotations[b->at + i / 8] |= (uint8_t)(1u << (i % 8)); }
static int bit_get(const Bits *b, uint32_t i) { return (annotations[b->at + i / 8] >> (i % 8)) & 1; }

/* ---- helpers ---- */

static int validate(uint32_t sid, uint32_t inst, Bits *out);

static const Entry *sibling(const Schema *s, uint8_t kw) {
  for (uint32_t i = 0; i < s->count; i++) if (entries[s->first + i].kw == kw) return &entries[s->first + i];
  return NULL;
}

static double num(uint32_t n) { return json_nodes[n].u.num; }

static uint32_t type_mask(uint32_t inst) {
  switch (json_nodes[inst].kind) {
    case J_NULL: return T_NULL;
    case J_FALSE: case J_TRUE: return T_BOOLEAN;
    case J_OBJECT: return T_OBJECT;
    case J_ARRAY: return T_ARRAY;
    case J_STRING: return T_STRING;
    default: return T_NUMBER | (num(inst) == floor(num(inst)) ? T_INTEGER : 0); /* Validation §6.1.1: a zero fractional part */
  }
}

static int validate_child(uint32_t sid, uint32_t inst, uint32_t segment) {
  ipath[ipath_len++] = segment;
  int ok = validate(sid, inst, NULL);
  ipath_len--;
  return ok;
}

/* ---- uniqueItems: sort the items by a total order (equal exactly when json_equal), then look at neighbours ---- */

static int json_compare(uint32_t a, uint32_t b) {
  const JNode *x = &json_nodes[a], *y = &json_nodes[b];
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  switch (x->kind) {
    case J_NUMBER: return (x->u.num > y->u.num) - (x->u.num < y->u.num);
    case J_STRING: {
      uint32_t la = x->u.len, lb = y->u.len;
      int c = memcmp(json_str(a), json_str(b), la < lb ? la : lb);
      return c != 0 ? c : (la > lb) - (la < lb);
    }
    case J_ARRAY: case J_OBJECT: {
      if (x->u.c.count != y->u.c.count) return x->u.c.count < y->u.c.count ? -1 : 1;
      uint32_t i = a + 1, j = b + 1;
      for (uint32_t n = 0; n < x->u.c.count; n++) {
        if (x->kind == J_OBJECT) {
          i = json_key_at(a, n), j = json_key_at(b, n);
          int c = json_compare(i, j);
          if (c == 0) c = json_compare(i + 1, j + 1);
          if (c != 0) return c;
        } else {
          int c = json_compare(i, j);
          if (c != 0) return c;
          i += json_size(i);
          j += json_size(j);
        }
      }
      return 0;
    }
    default: return 0;
  }
}

static void sift(uint32_t *v, uint32_t root, uint32_t n) {
  for (;;) {
    uint32_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && json_compare(v[child + 1], v[child]) > 0) child++;
    if (json_compare(v[root], v[child]) >= 0) return;
    uint32_t t = v[root]; v[root] = v[child]; v[child] = t;
    root = child;
  }
}

static uint32_t index_of(uint32_t array, uint32_t item) {
  uint32_t i = array + 1, k = 0;
  while (i != item) i += json_size(i), k++;
  return k;
}

static int unique_items(uint32_t sid, const Entry *e, uint32_t inst) {
  uint32_t n = json_nodes[inst].u.c.count, item = inst + 1;
  for (uint32_t k = 0; k < n; k++, item += json_size(item)) scratch[k] = item;
  for (uint32_t i = n / 2; i-- > 0;) sift(scratch, i, n);
  for (uint32_t end = n; end-- > 1;) {
    uint32_t t = scratch[0]; scratch[0] = scratch[end]; scratch[end] = t;
    sift(scratch, 0, end);
  }
  for (uint32_t k = 1; k < n; k++) {
    if (json_compare(scratch[k - 1], scratch[k]) == 0) {
      uint32_t i = index_of(inst, scratch[k - 1]), j = index_of(inst, scratch[k]);
      report(sid, e->key, K_UNIQUE_ITEMS, inst, i < j ? i : j, i < j ? j : i);
      return 0;
    }
  }
  return 1;
}

/* ---- the keywords ---- */

static int contains(uint32_t sid, const Schema *s, const Entry *e, uint32_t inst, Bits *local) {
  const Entry *min_e = sibling(s, K_MIN_CONTAINS), *max_e = sibling(s, K_MAX_CONTAINS);
  double min = min_e != NULL ? num(min_e->value) : 1, max = max_e != NULL ? num(max_e->value) : INFINITY;
  if (min == 0 && max_e == NULL) return 1; /* Validation §6.4.5: always satisfied */
  uint32_t p1 = (uint32_t)fmin(min, 4e9), p2 = max_e != NULL ? (uint32_t)fmin(max, 4e9) : NONE;
  if (min > max) { report(sid, e->key, K_CONTAINS, inst, p1, p2); return 0; }
  Mark m = mark();
  uint32_t n = json_nodes[inst].u.c.count, item = inst + 1;
  double matched = 0;
  for (uint32_t i = 0; i < n; i++, item += json_size(item)) {
    if (validate_child(e->a, item, SEG_INDEX | i)) {
      matched++;
      bit_set(local, i); /* Core §10.3.1.3: contains' annotation is the indexes it matched */
      if (matched > max) break; /* as ajv: the items after this one are not looked at */
      if (max_e == NULL && matched >= min && !need_annotations) break;
    }
  }
  if (matched >= min && matched <= max) { reset(m); return 1; }
  report(sid, e->key, K_CONTAINS, inst, p1, p2);
  return 0;
}

/* prefixItems (or draft-07's array form of items) and what follows it: items, or draft-07's additionalItems. */
static int items_after(uint32_t sid, const Entry *e, uint32_t inst, uint32_t start, Bits *local) {
  uint32_t n = json_nodes[inst].u.c.count, item = inst + 1;
  if (start > 0 && schemas[e->a].boolean == 2) {
    if (n <= start) return 1;
    report(sid, e->key, e->kw, inst, start, 0);
    return 0;
  }
  int valid = 1;
  for (uint32_t i = 0; i < n; i++, item += json_size(item)) {
    if (i < start) continue;
    valid &= validate_child(e->a, item, SEG_INDEX | i);
    bit_set(local, i);
  }
  return valid;
}

static int prefix_items(const Entry *e, uint32_t inst, Bits *local) {
  uint32_t n = json_nodes[inst].u.c.count, item = inst + 1;
  int valid = 1;
  for (uint32_t i = 0; i < n && i < e->b; i++, item += json_size(item)) {
    valid &= validate_child(e->a + i, item, SEG_INDEX | i);
    bit_set(local, i);
  }
  return valid;
}

static int matches_some_pattern(const Entry *pp, uint32_t key) {
  if (pp == NULL) return 0;
  for (uint32_t k = 0; k < json_nodes[pp->value].u.c.count; k++) {
    if (regex_test(pp->b + k, json_str(key), json_nodes[key].u.len)) return 1;
  }
  return 0;
}

static int object_keyword(uint32_t sid, const Schema *s, const Entry *e, uint32_t inst, Bits *local) {
  uint32_t n = json_nodes[inst].u.c.count;
  int valid = 1;
  switch (e->kw) {
    case K_MAX_PROPERTIES: if (n > num(e->value)) { report(sid, e->key, e->kw, inst, 0, 0); return 0; } return 1;
    case K_MIN_PROPERTIES: if (n < num(e->value)) { report(sid, e->key, e->kw, inst, 0, 0); return 0; } return 1;
    case K_REQUIRED: {
      uint32_t name = e->value + 1;
      for (uint32_t k = 0; k < json_nodes[e->value].u.c.count; k++, name++) {
        if (json_rank(inst, json_str(name), json_nodes[name].u.len) == NONE) { report(sid, e->key, e->kw, inst, name, 0); valid = 0; }
      }
      return valid;
    }
    case K_PROPERTIES:
      for (uint32_t k = 0; k < json_nodes[e->value].u.c.count; k++) {
        uint32_t name = json_key_at(e->value, k), r = json_rank(inst, json_str(name), json_nodes[name].u.len);
        if (r == NONE) continue;
        uint32_t key = json_key_at(inst, r);
        valid &= validate_child(e->a + k, key + 1, key);
        bit_set(local, r);
      }
      return valid;
    case K_PATTERN_PROPERTIES:
      for (uint32_t r = 0; r < n; r++) {
        uint32_t key = json_key_at(inst, r);
        for (uint32_t k = 0; k < json_nodes[e->value].u.c.count; k++) {
          if (!regex_test(e->b + k, json_str(key), json_nodes[key].u.len)) continue;
          valid &= validate_child(e->a + k, key + 1, key);
          bit_set(local, r);
        }
      }
      return valid;
    case K_ADDITIONAL_PROPERTIES: case K_UNEVALUATED_PROPERTIES: {
      const Entry *props = e->kw == K_ADDITIONAL_PROPERTIES ? sibling(s, K_PROPERTIES) : NULL;
      const Entry *patterns = e->kw == K_ADDITIONAL_PROPERTIES ? sibling(s, K_PATTERN_PROPERTIES) : NULL;
      for (uint32_t r = 0; r < n; r++) {
        uint32_t key = json_key_at(inst, r);
        if (e->kw == K_UNEVALUATED_PROPERTIES && bit_get(local, r)) continue;
        if (props != NULL && json_rank(props->value, json_str(key), json_nodes[key].u.len) != NONE) continue;
        if (matches_some_pattern(patterns, key)) continue;
        if (schemas[e->a].boolean == 2) { report(sid, e->key, e->kw, inst, key, 0); valid = 0; }
        else valid &= validate_child(e->a, key + 1, key);
        bit_set(local, r);
      }
      return valid;
    }
    case K_PROPERTY_NAMES:
      for (uint32_t r = 0; r < n; r++) {
        uint32_t key = json_key_at(inst, r); /* the name is the instance; its location stays the object's (as ajv) */
        if (!validate(e->a, key, NULL)) { report(sid, e->key, e->kw, inst, key, 0); valid = 0; }
      }
      return valid;
    case K_DEPENDENT_REQUIRED: case K_DEPENDENT_SCHEMAS: case K_DEPENDENCIES:
      for (uint32_t k = 0; k < json_nodes[e->value].u.c.count; k++) {
        uint32_t prop = json_key_at(e->value, k), dep = prop + 1;
        if (json_rank(inst, json_str(prop), json_nodes[prop].u.len) == NONE) continue;
        if (json_nodes[dep].kind == J_ARRAY) {
          uint32_t name = dep + 1;
          for (uint32_t j = 0; j < json_nodes[dep].u.c.count; j++, name++) {
            if (json_rank(inst, json_str(name), json_nodes[name].u.len) == NONE) { report(sid, e->key, e->kw, inst, prop, name); valid = 0; }
          }
        } else {
          valid &= validate(e->a + k, inst, local);
        }
      }
      return valid;
    default: return 1;
  }
}

static int apply(uint32_t sid, const Schema *s, const Entry *e, uint32_t inst, Bits *local) {
  const JNode *x = &json_nodes[inst];
  switch (e->kw) {
    case K_TYPE:
      if (type_mask(inst) & e->a) return 1;
      report(sid, e->key, e->kw, inst, 0, 0);
      return 0;
    case K_ENUM: {
      uint32_t item = e->value + 1;
      for (uint32_t k = 0; k < json_nodes[e->value].u.c.count; k++, item += json_size(item)) if (json_equal(inst, item)) return 1;
      report(sid, e->key, e->kw, inst, 0, 0);
      return 0;
    }
    case K_CONST:
      if (json_equal(inst, e->value)) return 1;
      report(sid, e->key, e->kw, inst, 0, 0);
      return 0;
    case K_MULTIPLE_OF: case K_MAXIMUM: case K_EXCLUSIVE_MAXIMUM: case K_MINIMUM: case K_EXCLUSIVE_MINIMUM: {
      if (x->kind != J_NUMBER) return 1;
      double v = x->u.num, limit = num(e->value);
      int ok = e->kw == K_MULTIPLE_OF ? multiple_of(inst, e->value) : e->kw == K_MAXIMUM ? v <= limit :
               e->kw == K_EXCLUSIVE_MAXIMUM ? v < limit : e->kw == K_MINIMUM ? v >= limit : v > limit;
      if (!ok) report(sid, e->key, e->kw, inst, 0, 0);
      return ok;
    }
    case K_MAX_LENGTH: case K_MIN_LENGTH: case K_PATTERN: {
      if (x->kind != J_STRING) return 1;
      int ok = e->kw == K_PATTERN ? regex_test(e->a, json_str(inst), x->u.len)
             : e->kw == K_MAX_LENGTH ? json_code_points(inst) <= num(e->value) : json_code_points(inst) >= num(e->value);
      if (!ok) report(sid, e->key, e->kw, inst, 0, 0);
      return ok;
    }
    case K_MAX_ITEMS: case K_MIN_ITEMS: case K_UNIQUE_ITEMS: case K_CONTAINS: case K_ITEMS: case K_PREFIX_ITEMS:
    case K_ADDITIONAL_ITEMS: case K_UNEVALUATED_ITEMS: {
      if (x->kind != J_ARRAY) return 1;
      uint32_t n = x->u.c.count;
      if (e->kw == K_MAX_ITEMS && n > num(e->value)) { report(sid, e->key, e->kw, inst, 0, 0); return 0; }
      if (e->kw == K_MIN_ITEMS && n < num(e->value)) { report(sid, e->key, e->kw, inst, 0, 0); return 0; }
      if (e->kw == K_UNIQUE_ITEMS && json_nodes[e->value].kind == J_TRUE) return unique_items(sid, e, inst);
      if (e->kw == K_CONTAINS) return contains(sid, s, e, inst, local);
      if (e->kw == K_PREFIX_ITEMS || (e->kw == K_ITEMS && e->b != NONE)) return prefix_items(e, inst, local);
      if (e->kw == K_ITEMS) {
        const Entry *prefix = sibling(s, K_PREFIX_ITEMS);
        return items_after(sid, e, inst, prefix != NULL ? prefix->b : 0, local);
      }
      if (e->kw == K_ADDITIONAL_ITEMS) { /* draft-07: only after the array form of items */
        const Entry *tuple = sibling(s, K_ITEMS);
        return tuple != NULL && tuple->b != NONE ? items_after(sid, e, inst, tuple->b, local) : 1;
      }
      if (e->kw == K_UNEVALUATED_ITEMS) {
        int valid = 1;
        uint32_t item = inst + 1;
        for (uint32_t i = 0; i < n; i++, item += json_size(item)) {
          if (bit_get(local, i)) continue;
          if (schemas[e->a].boolean == 2) { report(sid, e->key, e->kw, inst, 0, 0); return 0; }
          valid &= validate_child(e->a, item, SEG_INDEX | i);
          bit_set(local, i);
        }
        return valid;
      }
      return 1;
    }
    case K_MAX_PROPERTIES: case K_MIN_PROPERTIES: case K_REQUIRED: case K_PROPERTIES: case K_PATTERN_PROPERTIES:
    case K_ADDITIONAL_PROPERTIES: case K_PROPERTY_NAMES: case K_DEPENDENT_REQUIRED: case K_DEPENDENT_SCHEMAS:
    case K_DEPENDENCIES: case K_UNEVALUATED_PROPERTIES:
      return x->kind == J_OBJECT ? object_keyword(sid, s, e, inst, local) : 1;
    case K_ALL_OF: {
      int valid = 1;
      for (uint32_t i = 0; i < e->b; i++) valid &= validate(e->a + i, inst, local);
      return valid;
    }
    case K_ANY_OF: {
      Mark m = mark();
      int any = 0;
      for (uint32_t i = 0; i < e->b; i++) {
        if (validate(e->a + i, inst, local)) {
          any = 1;
          if (!need_annotations) break; /* with annotations, every valid branch contributes (Core §10.2.1.2) */
        }
      }
      if (any) { reset(m); return 1; }
      report(sid, e->key, e->kw, inst, 0, 0);
      return 0;
    }
    case K_ONE_OF: {
      Mark m = mark();
      uint32_t passing = 0;
      /* As ajv: once two branches pass, the rest are not evaluated (nor their errors reported), and only
       * the first passing branch's annotations count. */
      for (uint32_t i = 0; i < e->b && passing < 2; i++) passing += (uint32_t)validate(e->a + i, inst, passing == 0 ? local : NULL);
      if (passing == 1) { reset(m); return 1; }
      report(sid, e->key, e->kw, inst, passing, 0);
      return 0;
    }
    case K_NOT: {
      Mark m = mark();
      int ok = validate(e->a, inst, NULL);
      reset(m);
      if (ok) report(sid, e->key, e->kw, inst, 0, 0);
      return !ok;
    }
    case K_IF: {
      const Entry *then_e = sibling(s, K_THEN), *else_e = sibling(s, K_ELSE);
      if (then_e == NULL && else_e == NULL) return 1;
      Mark m = mark();
      int ok = validate(e->a, inst, local);
      reset(m);
      const Entry *branch = ok ? then_e : else_e;
      if (branch == NULL || validate(branch->a, inst, local)) return 1;
      report(sid, e->key, e->kw, inst, (uint32_t)ok, 0);
      return 0;
    }
    case K_REF: return validate(e->a, inst, local);
    default: return 1; /* annotations only, or handled by a sibling (then, else, minContains, …) */
  }
}

static int validate(uint32_t sid, uint32_t inst, Bits *out) {
  const Schema *s = &schemas[sid];
  if (s->boolean == 1) return 1;
  if (s->boolean == 2) { report(sid, NONE, K_FALSE, inst, 0, 0); return 0; }
  if (++depth > MAX_EVAL_DEPTH) {
    fatal("schema applied more than %d levels deep (a $ref cycle that never moves into the document?)", MAX_EVAL_DEPTH);
  }
  uint32_t kind = json_nodes[inst].kind, saved = annotation_used;
  Bits local = NO_BITS;
  if (need_annotations && (kind == J_OBJECT || kind == J_ARRAY)) local = bits_new(json_nodes[inst].u.c.count);
  int valid = 1;
  /* unevaluated* last: they see the annotations of every other keyword here (Core §11). */
  for (int pass = 0; pass < 2; pass++) {
    for (uint32_t i = 0; i < s->count; i++) {
      const Entry *e = &entries[s->first + i];
      if ((e->kw == K_UNEVALUATED_PROPERTIES || e->kw == K_UNEVALUATED_ITEMS) != pass) continue;
      valid &= apply(sid, s, e, inst, &local);
    }
  }
  if (valid && out != NULL && out->at != NONE && local.at != NONE) {
    for (uint32_t b = 0; b < (local.n + 7) / 8; b++) annotations[out->at + b] |= annotations[local.at + b];
  }
  annotation_used = saved;
  depth--;
  return valid;
}

int validate_document(uint32_t sid, uint32_t instance) {
  ipath_len = 0;
  return validate(sid, instance, NULL);
}

