/*
 * json-validate: validates a JSON document against a JSON Schema (draft
 * 2020-12; draft-07 where "$schema" names it), as a WASI command.
 *
 *   json-validate [--schema PATH] [DOCUMENT_PATH]
 *
 * The schema is read from PATH (default /work/schema.json), the document from
 * DOCUMENT_PATH or else stdin. Prints one JSON object,
 *   {"valid":false,"errors":[
 *   {"instancePath":"/a/0","schemaPath":"#/properties/a/items/type","keyword":"type","message":"must be string"}
 *   ]}
 * with every violation (as ajv's allErrors: true reports them), in document
 * order, one per line; exit status 0 when the document is valid, 1 when not.
 * Bad input — either file not valid JSON (line and column), the schema not a
 * valid schema (its location), a pattern outside the supported ECMA-262 subset,
 * nesting deeper than 512, a document over 4 MiB or a schema over 1 MiB —
 * gives one line "json-validate: <message>" on stderr and exit status 2.
 *
 * Limits: 1,000,000 JSON values in schema and document together; 20,000
 * errors kept (more are counted in "errorsOmitted"), at most ~7 MiB of output.
 * Deliberate differences from ajv 8 are listed in DIFFERENCES in
 * test/unit/workloads/json-validate.test.ts: multipleOf is exact on decimals;
 * contains' annotations cover only the items it matched, and a failed
 * subschema's are dropped (unevaluatedItems). Also: an object with a duplicate
 * key is bad input, where JSON.parse keeps the last value.
 *
 * Files: json.c (RFC 8259 parser), regex.c (ECMA-262 subset, Pike VM),
 * schema.c (checking and compiling the schema), ref.c ($id, anchors, $ref),
 * validate.c (applying it), decimal.c (exact multipleOf), report.c (errors
 * and output). Written for ZeroState; the error format follows ajv's
 * (github.com/ajv-validator/ajv, MIT) so the two can be compared.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "report.h"
#include "schema.h"

#define MAX_SCHEMA_BYTES (1u << 20)
#define MAX_DOCUMENT_BYTES (4u << 20) /* the sandbox's stdin cap */

static uint8_t text[MAX_SCHEMA_BYTES + 1 + MAX_DOCUMENT_BYTES + 1];

/* Reads all of fd into text + at, at most max bytes; returns the length. */
static uint32_t read_all(int fd, uint32_t at, uint32_t max, const char *what, const char *name) {
  uint32_t size = 0;
  for (;;) {
    uint8_t probe;
    uint8_t *into = size < max ? text + at + size : &probe;
    ssize_t got = read(fd, into, size < max ? max - size : 1);
    if (got < 0) fatal("cannot read %s %s: %s", what, name, strerror(errno));
    if (got == 0) break;
    if (size >= max) fatal("%s %s is larger than %u bytes (the limit)", what, name, max);
    size += (uint32_t)got;
  }
  text[at + size] = 0; /* strtod stops here (json.c) */
  return size;
}

static uint32_t read_file(const char *path, uint32_t at, uint32_t max, const char *what) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) fatal("cannot open %s %s: %s", what, path, strerror(errno));
  uint32_t size = read_all(fd, at, max, what, path);
  close(fd);
  return size;
}

static uint32_t parse_or_fail(uint32_t at, uint32_t len, const char *what, const char *name) {
  JsonError error;
  uint32_t root = json_parse(at, len, &error);
  if (root == NO_NODE) fatal("%s %s is not valid JSON: %s at line %u, column %u", what, name, error.message, error.line, error.column);
  return root;
}

int main(int argc, char **argv) {
  const char *schema_file = "/work/schema.json", *document_file = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--schema") == 0) {
      if (i + 1 >= argc) fatal("--schema needs a path");
      schema_file = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1] != 0) {
      fatal("unknown option %s (usage: json-validate [--schema PATH] [DOCUMENT_PATH])", argv[i]);
    } else if (document_file != NULL) {
      fatal("more than one document path (usage: json-validate [--schema PATH] [DOCUMENT_PATH])");
    } else {
      document_file = argv[i];
    }
  }
  json_text = text;
  uint32_t schema_len = read_file(schema_file, 0, MAX_SCHEMA_BYTES, "schema");
  uint32_t doc_at = schema_len + 1, doc_len;
  if (document_file == NULL || strcmp(document_file, "-") == 0) {
    document_file = "(stdin)";
    doc_len = read_all(0, doc_at, MAX_DOCUMENT_BYTES, "document", document_file);
  } else {
    doc_len = read_file(document_file, doc_at, MAX_DOCUMENT_BYTES, "document");
  }
  /* The schema is parsed and compiled first: its nodes come first in the pool (schema.c relies on it). */
  uint32_t schema_root = parse_or_fail(0, schema_len, "schema", schema_file);
  uint32_t sid = schema_compile(schema_root);
  uint32_t document_root = parse_or_fail(doc_at, doc_len, "document", document_file);
  int valid = validate_document(sid, document_root);
  print_result(valid);
  return valid ? 0 : 1;
}
