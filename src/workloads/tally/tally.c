/*
 * tally: the split and reduce ends of a workflow's fan-out, as a WASI command.
 *
 *   tally split --lines N [INPUT]
 *   tally count --field PATH [INPUT]
 *   tally summary --field PATH [--columns P1,P2,...] [--title TEXT] [INPUT]
 *
 * INPUT is a file in /work (a relative name is taken from /work); without it,
 * or with "-", stdin is read.
 *
 * split: text (UTF-8) to {"chunks":["…","…"]}, each chunk at most N lines
 * (1 ≤ N ≤ 100000), for a fan-out over steps.X.json.chunks. A line ends at LF
 * or CRLF; a chunk is the exact bytes of its lines, line breaks included,
 * except the break that ends its last line, so a chunk of one line is that
 * line alone and `split --lines 1` gives what inputs.text.lines gives. A final
 * line break does not start another line; empty lines are kept. Empty input
 * gives {"chunks":[]}.
 *
 * count: JSON in, the values found at PATH counted. PATH is a dot path
 * (`language`, `box.width`, `errors.0.keyword`: a number indexes an array).
 * The input is typically what steps.X.items renders (one entry per item: its
 * stdout as JSON, or as a string when it is not one JSON value, null when the
 * item failed), but any JSON, or JSON Lines, is searched the same way:
 *   - an object where PATH leads to a value gives that value (its members are
 *     not searched further); one where it does not is searched member by member;
 *   - an array is searched element by element;
 *   - a string that is an entry of an array, or the whole input, and holds
 *     one JSON value or JSON Lines (lang-detect --lines prints one object a
 *     line) is parsed and searched too; any other string is just text.
 * A value found that is a string counts as itself; a number, true, false or
 * null as its JSON text (a number as written); an array counts each of its
 * elements; an object (or an array inside one) by its compact JSON text.
 * Output, on stdout and in /work/counts.json, counts sorted by count (most
 * first), then by value (bytewise):
 *   {"total":5,"items":3,"missing":1,"counts":{"eng":3,"deu":2}}
 * total: values counted; items: entries of the top-level array (or lines of
 * JSON Lines; 1 for any other document); missing: items in which PATH led
 * nowhere (a failed item, null, among them).
 *
 * summary: the same search, as a Markdown report on stdout and in
 * /work/summary.md: a table of the counts (value, count, share, a total row)
 * and, with --columns, a table of the records found: one row per object in
 * which PATH led to a value, in input order, with that value and the value at
 * each column path (relative to the same object; numbers to 6 significant
 * digits, "-" where there is none). For a faces report:
 *   tally summary --field expression --columns score,box.x,box.y,box.width,box.height
 *
 * Bad input — unknown or missing arguments, text that is not UTF-8 (split),
 * input that is neither JSON nor JSON Lines (count, summary), a limit passed —
 * gives one line "tally: <message>" on stderr, exit status 2 and nothing on
 * stdout.
 *
 * Limits: input 4 MiB (the sandbox's stdin cap, files alike); output 8 MiB
 * (checked before anything is written); 1,000,000 JSON values and nesting
 * 512 deep (json-validate's parser, ../json-validate/json.c, which this
 * module compiles as it is); 100,000 distinct values; 2 MiB of object and
 * array values counted as text; PATH and each column at most 32 segments;
 * 32 columns; summary tables list at most 10,000 records.
 *
 * Written for ZeroState.
 */
#include <string.h>

#include "json.h"
#include "tally.h"

#define MAX_LINES_PER_CHUNK 100000

#define USAGE "usage: tally split --lines N | count --field PATH | summary --field PATH [--columns P1,P2,...] [--title TEXT], then an optional INPUT in /work"

/* ---- arguments ---- */

static void parse_path(const char *s, Path *path, const char *what) {
  path->text = s;
  path->count = 0;
  const char *p = s;
  for (;;) {
    const char *dot = strchr(p, '.');
    size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
    if (n == 0) fail("%s \"%s\" has an empty segment (a dot path like language or box.width)", what, s);
    if (path->count == MAX_SEGMENTS) fail("%s \"%s\" has more than %d segments (the limit)", what, s, MAX_SEGMENTS);
    path->segment[path->count] = p;
    path->length[path->count++] = (uint32_t)n;
    if (dot == NULL) return;
    p = dot + 1;
  }
}

static char column_text[1024];

static int parse_lines(const char *s) {
  long value = 0;
  if (*s == '\0') fail("split: --lines must be an integer from 1 to %d, got \"%s\"", MAX_LINES_PER_CHUNK, s);
  for (const char *p = s; *p != '\0'; p++) {
    if (*p < '0' || *p > '9' || value > MAX_LINES_PER_CHUNK) fail("split: --lines must be an integer from 1 to %d, got \"%s\"", MAX_LINES_PER_CHUNK, s);
    value = value * 10 + (*p - '0');
  }
  if (value < 1 || value > MAX_LINES_PER_CHUNK) fail("split: --lines must be an integer from 1 to %d, got \"%s\"", MAX_LINES_PER_CHUNK, s);
  return (int)value;
}

static void parse_args(int argc, char **argv, Options *o) {
  memset(o, 0, sizeof *o);
  if (argc < 2) fail("missing subcommand; " USAGE);
  const char *name = argv[1];
  if (strcmp(name, "split") == 0) o->command = CMD_SPLIT;
  else if (strcmp(name, "count") == 0) o->command = CMD_COUNT;
  else if (strcmp(name, "summary") == 0) o->command = CMD_SUMMARY;
  else fail("unknown subcommand \"%s\"; " USAGE, name);
  int has_field = 0;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    int split = o->command == CMD_SPLIT, summary = o->command == CMD_SUMMARY;
    if ((split && strcmp(a, "--lines") == 0) || (!split && strcmp(a, "--field") == 0) ||
        (summary && (strcmp(a, "--columns") == 0 || strcmp(a, "--title") == 0))) {
      if (i + 1 >= argc) fail("%s needs a value", a);
      const char *v = argv[++i];
      if (a[2] == 'l') o->lines = parse_lines(v);
      else if (a[2] == 'f') { parse_path(v, &o->field, "--field"); has_field = 1; }
      else if (a[2] == 't') o->title = v;
      else {
        if (strlen(v) >= sizeof column_text) fail("--columns is longer than %zu bytes (the limit)", sizeof column_text - 1);
        strcpy(column_text, v);
        o->column_count = 0;
        for (char *p = column_text;;) {
          char *comma = strchr(p, ',');
          if (comma != NULL) *comma = '\0';
          if (o->column_count == MAX_COLUMNS) fail("--columns names more than %d columns (the limit)", MAX_COLUMNS);
          parse_path(p, &o->columns[o->column_count++], "--columns path");
          if (comma == NULL) break;
          p = comma + 1;
        }
      }
    } else if (a[0] == '-' && a[1] != '\0') {
      fail("%s: unknown option %s; " USAGE, name, a);
    } else if (o->input != NULL) {
      fail("%s: more than one INPUT; " USAGE, name);
    } else {
      o->input = a;
    }
  }
  if (o->command == CMD_SPLIT && o->lines == 0) fail("split needs --lines N; " USAGE);
  if (o->command != CMD_SPLIT && !has_field) fail("%s needs --field PATH; " USAGE, name);
  if (o->input != NULL && strcmp(o->input, "-") == 0) o->input = NULL;
}

int main(int argc, char **argv) {
  Options o;
  parse_args(argc, argv, &o);
  json_text = text;
  uint32_t len = read_input(o.input);
  if (o.command == CMD_SPLIT) {
    split(len, o.lines);
    flush_output(NULL);
    return 0;
  }
  uint32_t items, missing;
  search_input(len, &o.field, &items, &missing);
  if (o.command == CMD_COUNT) {
    print_counts(items, missing);
    flush_output("/work/counts.json");
  } else {
    summary(&o, items, missing);
    flush_output("/work/summary.md");
  }
  return 0;
}
