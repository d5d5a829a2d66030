/*
 * schema.h: json-validate's compiled JSON Schema — what schema.c (checking and
 * compiling a schema) hands to validate.c (applying it to a document).
 */
#ifndef JSON_VALIDATE_SCHEMA_H
#define JSON_VALIDATE_SCHEMA_H

#include <stdint.h>

#define NONE 0xFFFFFFFFu
#define MAX_SCHEMAS 100000u
#define MAX_ENTRIES 200000u
#define MAX_SCHEMA_NODES 300000u

/* Keywords json-validate applies, in no particular order (K_FALSE: the error of a false schema). */
enum {
  K_UNKNOWN, K_TYPE, K_ENUM, K_CONST, K_MULTIPLE_OF, K_MAXIMUM, K_EXCLUSIVE_MAXIMUM, K_MINIMUM,
  K_EXCLUSIVE_MINIMUM, K_MAX_LENGTH, K_MIN_LENGTH, K_PATTERN, K_MAX_ITEMS, K_MIN_ITEMS, K_UNIQUE_ITEMS,
  K_CONTAINS, K_MAX_CONTAINS, K_MIN_CONTAINS, K_ITEMS, K_PREFIX_ITEMS, K_ADDITIONAL_ITEMS,
  K_MAX_PROPERTIES, K_MIN_PROPERTIES, K_REQUIRED, K_PROPERTIES, K_PATTERN_PROPERTIES,
  K_ADDITIONAL_PROPERTIES, K_PROPERTY_NAMES, K_DEPENDENT_REQUIRED, K_DEPENDENT_SCHEMAS, K_DEPENDENCIES,
  K_ALL_OF, K_ANY_OF, K_ONE_OF, K_NOT, K_IF, K_THEN, K_ELSE, K_REF, K_DEFS, K_UNEVALUATED_PROPERTIES,
  K_UNEVALUATED_ITEMS, K_FORMAT, K_ID, K_ANCHOR, K_DYNAMIC_ANCHOR, K_SCHEMA, K_COMMENT, K_FALSE
};

/* Type bits of `type` (Validation §6.1.1); an integer-valued number has both NUMBER and INTEGER. */
enum { T_NULL = 1, T_BOOLEAN = 2, T_OBJECT = 4, T_ARRAY = 8, T_NUMBER = 16, T_STRING = 32, T_INTEGER = 64 };

/*
 * One schema object or boolean schema. Its location, for schemaPath, is its
 * parent's plus "/<keyword>" (seg_key, a key node) and maybe "/<name or index>"
 * (seg_sub: a key node, or SEG_INDEX | i); a schema reached only through $ref
 * has no parent and its location is the $ref's fragment (ref_node).
 */
#define SEG_INDEX 0x80000000u
typedef struct {
  uint32_t node, parent, seg_key, seg_sub, ref_node;
  uint32_t first, count; /* its keyword entries */
  uint8_t boolean;       /* 0: an object, 1: true, 2: false */
} Schema;

/*
 * One keyword of a schema object: kw, its key and value nodes, and what
 * compiling it produced — a: the first of its consecutive subschemas (by the
 * sorted rank of the names of an object of schemas, by index of an array of
 * them), or the target of $ref, or the types of `type`, or a pattern's regex;
 * b: the first regex of patternProperties, or a count.
 */
typedef struct {
  uint8_t kw;
  uint32_t key, value, a, b;
} Entry;

extern Schema schemas[MAX_SCHEMAS];
extern Entry entries[MAX_ENTRIES];
/* Whether some schema has unevaluatedProperties or unevaluatedItems, which need annotations (Core §11). */
extern int need_annotations;

/* Checks and compiles the schema whose root is node `root`; on an invalid schema it prints one line and exits 2. Returns the root schema. */
uint32_t schema_compile(uint32_t root);

/* Writes the schema location "#/…" of schema sid, plus "/<keyword key>" if key is not NONE, through put (JSON-pointer escaped, raw). */
void schema_path(uint32_t sid, uint32_t key, void (*put)(const char *bytes, uint32_t len));

/* validate.c: applies root schema sid to the document's root node, collecting every violation; returns whether there were none. */
int validate_document(uint32_t sid, uint32_t instance);

/* An invalid schema: prints "json-validate: invalid schema at <location of sid>/<key>: <message>" and exits 2 (schema.c, ref.c). */
_Noreturn void bad_schema(uint32_t sid, uint32_t key, const char *format, ...);

/* Prints "json-validate: <message>" on stderr and exits with status 2. */
_Noreturn void fatal(const char *format, ...);

#endif
