/*
 * decimal.h: exact multipleOf on JSON number literals (decimal.c).
 */
#ifndef JSON_VALIDATE_DECIMAL_H
#define JSON_VALIDATE_DECIMAL_H

#include <stdint.h>

/* Whether number node value is an integer multiple of number node divisor (> 0), on their decimal literals. */
int multiple_of(uint32_t value, uint32_t divisor);

#endif
