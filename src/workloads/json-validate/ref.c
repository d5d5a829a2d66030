/*
 * ref.c: $ref resolution for json-validate (JSON Schema 2020-12 Core §8.2 and
 * §9): schema resources ("$id", resolved against the enclosing base URI as RFC
 * 3986 §5.2 says, without dot-segment removal), anchors ("$anchor",
 * "$dynamicAnchor", or draft-07's "$id": "#name"), and references gathered
 * while compiling, resolved once the whole schema is compiled: "#", "#/<RFC 6901
 * pointer>" (percent-decoded first, RFC 3986 §2.1), "#<anchor>", and
 * "<uri>#…" naming a resource of the same document. Nothing is fetched.
 */
#include "ref.h"

#include <string.h>

#include "json.h"
#include "schema.h"

#define MAX_RESOURCES 4096
#define MAX_ANCHORS 16384
#define MAX_REFS 65536
#define URI_BYTES (1u << 18)

typedef struct { uint32_t uri, uri_len, root; } Resource;
typedef struct { uint32_t resource, name, skip, node; } Anchor; /* the name is name's text after skip bytes */
typedef struct { uint32_t entry, resource, sid; } PendingRef;

static Resource resources[MAX_RESOURCES];
static uint32_t resource_count;
static Anchor anchors[MAX_ANCHORS];
static uint32_t anchor_count;
static PendingRef refs[MAX_REFS];
static uint32_t ref_count;
static char uris[URI_BYTES];
static uint32_t uri_used;

static uint32_t scheme_length(const char *s, uint32_t len) {
  if (len == 0 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')) return 0;
  for (uint32_t i = 1; i < len; i++) {
    char c = s[i];
    if (c == ':') return i;
    if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

/* Resolves reference ref (no fragment) against base (RFC 3986 §5.2.2, without remove_dot_segments) into the URI arena. */
static void resolve_uri(const char *base, uint32_t base_len, const char *ref, uint32_t ref_len, uint32_t *out, uint32_t *out_len) {
  char *o = uris + uri_used;
  uint32_t n = 0, keep;
  if (uri_used + base_len + ref_len + 1 > URI_BYTES) fatal("schema too large: more than 256 KiB of $id URIs");
  if (scheme_length(ref, ref_len) > 0 || base_len == 0) keep = 0;
  else if (ref_len >= 2 && ref[0] == '/' && ref[1] == '/') keep = scheme_length(base, base_len) + 1;
  else if (ref_len >= 1 && ref[0] == '/') {
    uint32_t s = scheme_length(base, base_len) + 1;
    keep = s;
    if (base_len >= s + 2 && base[s] == '/' && base[s + 1] == '/') {
      keep = s + 2;
      while (keep < base_len && base[keep] != '/') keep++;
    }
  } else if (ref_len == 0) keep = base_len;
  else {
    keep = base_len;
    while (keep > 0 && base[keep - 1] != '/') keep--;
  }
  memcpy(o, base, keep);
  n = keep;
  memcpy(o + n, ref, ref_len);
  n += ref_len;
  *out = uri_used;
  *out_len = n;
  uri_used += n;
}

uint32_t ref_document(uint32_t root) {
  resources[0] = (Resource){0, 0, root};
  resource_count = 1;
  return 0;
}

uint32_t ref_resource(uint32_t base_resource, const char *id, uint32_t len, uint32_t root) {
  if (resource_count >= MAX_RESOURCES) fatal("schema too large: more than %d $id resources", MAX_RESOURCES);
  const Resource *base = &resources[base_resource];
  Resource *r = &resources[resource_count];
  resolve_uri(uris + base->uri, base->uri_len, id, len, &r->uri, &r->uri_len);
  r->root = root;
  return resource_count++;
}

int ref_anchor(uint32_t resource, uint32_t name, uint32_t skip, uint32_t node) {
  const char *text = json_str(name) + skip;
  uint32_t len = json_nodes[name].u.len - skip;
  for (uint32_t i = 0; i < anchor_count; i++) {
    const Anchor *a = &anchors[i];
    if (a->resource == resource && json_nodes[a->name].u.len - a->skip == len && memcmp(json_str(a->name) + a->skip, text, len) == 0) return 0;
  }
  if (anchor_count >= MAX_ANCHORS) fatal("schema too large: more than %d anchors", MAX_ANCHORS);
  anchors[anchor_count++] = (Anchor){resource, name, skip, node};
  return 1;
}

void ref_pending(uint32_t entry, uint32_t resource, uint32_t sid) {
  if (ref_count >= MAX_REFS) fatal("schema too large: more than %d $ref", MAX_REFS);
  refs[ref_count++] = (PendingRef){entry, resource, sid};
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

/* Follows the RFC 6901 pointer in fragment (still percent-encoded, RFC 3986 §2.1) from node; NONE if it does not resolve. */
static uint32_t follow_pointer(uint32_t node, const char *fragment, uint32_t len) {
  static char token[4096];
  uint32_t i = 0;
  while (i < len) {
    if (fragment[i] != '/') return NONE;
    i++;
    uint32_t n = 0;
    while (i < len && fragment[i] != '/') {
      char c = fragment[i++];
      if (c == '%' && i + 1 < len && hex_value(fragment[i]) >= 0 && hex_value(fragment[i + 1]) >= 0) {
        c = (char)(hex_value(fragment[i]) * 16 + hex_value(fragment[i + 1]));
        i += 2;
      }
      if (n >= sizeof token) return NONE;
      token[n++] = c;
    }
    uint32_t m = 0; /* ~1 then ~0 (RFC 6901 §4) */
    for (uint32_t k = 0; k < n; k++) {
      if (token[k] == '~' && k + 1 < n && (token[k + 1] == '0' || token[k + 1] == '1')) token[m++] = token[k + 1] == '0' ? '~' : '/', k++;
      else if (token[k] == '~') return NONE;
      else token[m++] = token[k];
    }
    const JNode *at = &json_nodes[node];
    if (at->kind == J_OBJECT) {
      node = json_get(node, token, m);
      if (node == NONE) return NONE;
    } else if (at->kind == J_ARRAY) {
      if (m == 0 || m > 9 || (m > 1 && token[0] == '0')) return NONE;
      uint32_t index = 0;
      for (uint32_t k = 0; k < m; k++) {
        if (token[k] < '0' || token[k] > '9') return NONE;
        index = index * 10 + (uint32_t)(token[k] - '0');
      }
      if (index >= at->u.c.count) return NONE;
      node = node + 1;
      for (uint32_t k = 0; k < index; k++) node += json_size(node);
    } else {
      return NONE;
    }
  }
  return node;
}

static void resolve_ref(const PendingRef *pending, uint32_t (*schema_for)(uint32_t node, uint32_t ref_node, uint32_t resource)) {
  Entry *en = &entries[pending->entry];
  const char *ref = json_str(en->value);
  uint32_t len = json_nodes[en->value].u.len;
  const char *hash = memchr(ref, '#', len);
  uint32_t uri_len = hash != NULL ? (uint32_t)(hash - ref) : len;
  const char *fragment = hash != NULL ? hash + 1 : ref + len;
  uint32_t fragment_len = len - uri_len - (hash != NULL);
  uint32_t resource = pending->resource;
  if (uri_len > 0) {
    const Resource *base = &resources[pending->resource];
    uint32_t target, target_len, saved = uri_used;
    resolve_uri(uris + base->uri, base->uri_len, ref, uri_len, &target, &target_len);
    resource = NONE;
    for (uint32_t i = 0; i < resource_count; i++) {
      if (resources[i].uri_len == target_len && memcmp(uris + resources[i].uri, uris + target, target_len) == 0) resource = i;
    }
    uri_used = saved;
    if (resource == NONE) bad_schema(pending->sid, en->key, "$ref \"%.*s\" does not resolve (no schema in this document has that $id; other documents are not fetched)", len > 200 ? 200 : (int)len, ref);
  }
  uint32_t root = resources[resource].root, target = NONE;
  if (fragment_len == 0 || fragment[0] == '/') {
    target = follow_pointer(root, fragment, fragment_len);
  } else {
    for (uint32_t i = 0; i < anchor_count; i++) {
      const Anchor *a = &anchors[i];
      uint32_t nl = json_nodes[a->name].u.len - a->skip;
      if (a->resource == resource && nl == fragment_len && memcmp(json_str(a->name) + a->skip, fragment, nl) == 0) target = a->node;
    }
  }
  if (target == NONE) bad_schema(pending->sid, en->key, "$ref \"%.*s\" does not resolve", len > 200 ? 200 : (int)len, ref);
  uint32_t kind = json_nodes[target].kind;
  if (kind != J_OBJECT && kind != J_TRUE && kind != J_FALSE) bad_schema(pending->sid, en->key, "$ref \"%.*s\" points to a value that is not a schema", len > 200 ? 200 : (int)len, ref);
  en->a = schema_for(target, en->value, resource);
}

void ref_resolve_all(uint32_t (*schema_for)(uint32_t node, uint32_t ref_node, uint32_t resource)) {
  for (uint32_t i = 0; i < ref_count; i++) resolve_ref(&refs[i], schema_for); /* schema_for may add more */
}
