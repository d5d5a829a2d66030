/*
 * ref.h: schema resources, anchors and $ref resolution (ref.c), for schema.c.
 */
#ifndef JSON_VALIDATE_REF_H
#define JSON_VALIDATE_REF_H

#include <stdint.h>

/* Starts a schema document whose root is node root; returns its resource (no base URI). */
uint32_t ref_document(uint32_t root);
/* A subschema with "$id" (id, len bytes, fragment removed) inside resource base: returns the new resource. */
uint32_t ref_resource(uint32_t base, const char *id, uint32_t len, uint32_t root);
/* Anchor named by string node name (after skip bytes) for schema node node; 0 if the resource already has it. */
int ref_anchor(uint32_t resource, uint32_t name, uint32_t skip, uint32_t node);
/* The $ref of entries[entry] (in schema sid, resource resource), to resolve later. */
void ref_pending(uint32_t entry, uint32_t resource, uint32_t sid);
/* Resolves every pending $ref into its entry's a; schema_for compiles (or finds) the schema at a node. An unresolvable one is bad_schema. */
void ref_resolve_all(uint32_t (*schema_for)(uint32_t node, uint32_t ref_node, uint32_t resource));

#endif
