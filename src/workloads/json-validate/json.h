/*
 * json.h: the JSON (RFC 8259) parser of json-validate — a tree of fixed-size
 * nodes in one static pool, strings decoded in place. See json.c.
 */
#ifndef JSON_VALIDATE_JSON_H
#define JSON_VALIDATE_JSON_H

#include <stddef.h>
#include <stdint.h>

enum { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

/* Most values in the schema and the document together (16 bytes each: 16 MB). */
#define MAX_NODES 1000000u
/* Deepest nesting of arrays and objects accepted (the document and the schema alike). */
#define MAX_DEPTH 512
#define NO_NODE 0xFFFFFFFFu

/*
 * One JSON value, in preorder: a container is followed by its children (an
 * object by key, value, key, value…), so its subtree is [index, index + size).
 * pos is the byte offset of the value's first character in json_text.
 *   number: num, the nearest double (strtod; its literal is re-read at pos when exactness matters)
 *   string: len decoded UTF-8 bytes at json_text + pos + 1 (decoded in place; lone
 *           surrogates from \u escapes are kept as 3-byte sequences, as JSON.parse keeps them)
 *   array/object: count children (members), size nodes in the subtree; objects
 *           also have their key nodes sorted bytewise at json_sorted + sorted
 */
typedef struct {
  uint32_t pos;
  uint32_t kind : 8;
  uint32_t sorted : 24; /* objects: their keys, sorted, start at json_sorted + sorted */
  union {
    double num;
    struct { uint32_t count, size; } c;
    uint32_t len;
  } u;
} JNode;

extern JNode json_nodes[MAX_NODES];
extern uint32_t json_node_count;
extern uint32_t json_sorted[MAX_NODES / 2];
extern uint8_t *json_text;

typedef struct {
  char message[160];
  uint32_t line, column; /* 1-based; column counts code points */
} JsonError;

/*
 * Parses text[start, start + len) (a slice of json_text, decoded in place),
 * appending nodes to the pool; returns the root node or NO_NODE with *error set.
 */
uint32_t json_parse(uint32_t start, uint32_t len, JsonError *error);

static inline uint32_t json_size(uint32_t n) {
  const JNode *node = &json_nodes[n];
  return node->kind >= J_ARRAY ? node->u.c.size : 1;
}
static inline const char *json_str(uint32_t n) { return (const char *)json_text + json_nodes[n].pos + 1; }
/* The rank of key `key` among object `obj`'s sorted keys, or NO_NODE (binary search). */
uint32_t json_rank(uint32_t obj, const char *key, size_t len);
/* The value of key `key` in object `obj`, or NO_NODE. */
uint32_t json_get(uint32_t obj, const char *key, size_t len);
/* The key node of the member with sorted rank r in object obj (its value is the next node). */
static inline uint32_t json_key_at(uint32_t obj, uint32_t r) { return json_sorted[json_nodes[obj].sorted + r]; }
/* Deep equality as JavaScript's fast-deep-equal sees parsed values: numbers as doubles, objects unordered. */
int json_equal(uint32_t a, uint32_t b);
/* Sorts string nodes bytewise, in place (heapsort: O(n log n) whatever the strings). */
void json_sort_strings(uint32_t *nodes, uint32_t n);
/* Code points in string node n (a lone surrogate counts as one, like JavaScript's ucs2length). */
uint32_t json_code_points(uint32_t n);
/* Length of the number literal at text position pos. */
uint32_t json_number_length(uint32_t pos);

#endif
