/*
 * report.h: where validate.c puts the errors it finds (report.c keeps them and prints the result).
 */
#ifndef JSON_VALIDATE_REPORT_H
#define JSON_VALIDATE_REPORT_H

#include <stdint.h>

/* The instance location being validated: key nodes, or SEG_INDEX | i for array items. */
extern uint32_t ipath[], ipath_len;

/* One error: schema sid's keyword (key node; NONE with kw K_FALSE for a false schema) at instance node inst, p1 and p2 for its message. */
void report(uint32_t sid, uint32_t key, uint8_t kw, uint32_t inst, uint32_t p1, uint32_t p2);

/* What a composite keyword takes before trying subschemas, to drop their errors again. */
typedef struct { uint32_t count, segments, omitted; } Mark;
Mark mark(void);
void reset(Mark m);

/* Prints {"valid":…,"errors":[…]} with the errors kept, in document order. */
void print_result(int valid);

#endif
