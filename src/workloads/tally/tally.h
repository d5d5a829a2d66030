/*
 * tally.h: what tally's files share — the limits, the input and output
 * buffers (io.c), the parsed arguments (tally.c), and the search's counts and
 * records (count.c) that summary.c reports. See tally.c for the command.
 */
#ifndef TALLY_TALLY_H
#define TALLY_TALLY_H

#include <stddef.h>
#include <stdint.h>

#define MAX_INPUT (4u << 20)
#define MAX_OUTPUT (8u << 20)
#define MAX_SEGMENTS 32
#define MAX_COLUMNS 32
#define MAX_RECORDS 10000u

/* ---- io.c: input, output, errors ---- */

/* The input; copies of strings that hold JSON (at most the input again); a scratch copy for the JSON Lines retry. */
extern uint8_t text[3 * (MAX_INPUT + 1)];
extern uint32_t text_used;
extern char out[MAX_OUTPUT];
extern size_t out_len;

/* One line "tally: <message>" on stderr, then exit status 2. */
void fail(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Reads INPUT (a name in /work, or stdin when NULL) into text; returns its length. */
uint32_t read_input(const char *name);
void put(const void *s, size_t n);
void puts_out(const char *s);
void printf_out(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Writes the output to stdout and, when `file` is given, to that file in /work. */
void flush_output(const char *file);
void put_json_string(const uint8_t *s, size_t n);

/* ---- tally.c: arguments ---- */

typedef struct {
  const char *segment[MAX_SEGMENTS];
  uint32_t length[MAX_SEGMENTS];
  int count;
  const char *text;
} Path;

typedef enum { CMD_SPLIT, CMD_COUNT, CMD_SUMMARY } Command;

typedef struct {
  Command command;
  int lines;
  Path field;
  Path columns[MAX_COLUMNS];
  int column_count;
  const char *title;
  const char *input;
} Options;

/* ---- split.c ---- */

/* The input's len bytes as {"chunks":[…]} of at most lines_per_chunk lines each, into the output. */
void split(uint32_t len, int lines_per_chunk);

/* ---- count.c: the search, shared by count and summary ---- */

typedef struct { uint32_t key, len, count; } Entry; /* key: offset into text or (with KEY_ARENA) key_text */
#define KEY_ARENA 0x80000000u
extern Entry entries[];
extern uint32_t entry_count;
extern uint64_t total;
extern uint8_t key_text[];
extern uint32_t key_used;
const uint8_t *key_bytes(const Entry *e);
/* Compact JSON of node n into the arena (strings escaped minimally, numbers as written); returns the node after it. */
uint32_t arena_json(uint32_t n);
/* The value at `path` from node n, or NO_NODE. */
uint32_t resolve(uint32_t n, const Path *path);

typedef struct { uint32_t object, value; } Record;
extern Record records[MAX_RECORDS];
extern uint32_t record_count, records_omitted;

/* Parses the input's len bytes and searches them for `field`: entries sorted, records kept, items and missing counted. */
void search_input(uint32_t len, const Path *field, uint32_t *items, uint32_t *missing);
/* The counts as {"total":…,"items":…,"missing":…,"counts":{…}}, into the output. */
void print_counts(uint32_t items, uint32_t missing);

/* ---- summary.c ---- */

/* The counts (and, with --columns, the records) as a Markdown report, into the output. */
void summary(const Options *o, uint32_t items, uint32_t missing);

#endif
