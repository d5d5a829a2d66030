/*
 * regex.h: the ECMA-262 regular-expression subset of json-validate's
 * `pattern` and `patternProperties` (JSON Schema 2020-12 Validation §6.3.3,
 * Core §10.3.2.2: ECMA-262 dialect, unanchored). See regex.c.
 */
#ifndef JSON_VALIDATE_REGEX_H
#define JSON_VALIDATE_REGEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Compiles the pattern (UTF-8, len bytes) into *id. On failure returns 0 and
 * writes to error "unsupported feature: …" or "invalid regular expression: …".
 */
int regex_compile(const char *pattern, uint32_t len, uint32_t *id, char *error, size_t error_size);

/* Whether the pattern matches somewhere in the UTF-8 string s (RegExp.prototype.test with the u flag). */
int regex_test(uint32_t id, const char *s, uint32_t len);

#endif
