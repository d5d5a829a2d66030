/*
 * summary.c: tally summary — the counts as a Markdown table (value, count,
 * share, a total row) and, with --columns, a table of the records found.
 */
#include <string.h>

#include "json.h"
#include "tally.h"

/* A table cell: pipes escaped, line breaks as spaces (GitHub-flavoured Markdown tables). */
static void put_cell_text(const uint8_t *s, size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (c != '|' && c != '\\' && c != '\n' && c != '\r' && c != '\t') { run++; continue; }
    put(s + i - run, run);
    run = 0;
    if (c == '|' || c == '\\') { put("\\", 1); put(&c, 1); }
    else put(" ", 1);
  }
  put(s + n - run, run);
}

static void put_cell(uint32_t n) {
  if (n == NO_NODE) { put("-", 1); return; }
  const JNode *node = &json_nodes[n];
  switch (node->kind) {
    case J_STRING: put_cell_text((const uint8_t *)json_str(n), node->u.len); return;
    case J_NUMBER: printf_out("%.6g", node->u.num); return;
    case J_NULL: puts_out("null"); return;
    case J_TRUE: puts_out("true"); return;
    case J_FALSE: puts_out("false"); return;
    default: {
      uint32_t start = key_used;
      arena_json(n);
      put_cell_text(key_text + start, key_used - start);
      key_used = start;
    }
  }
}

static void put_path(const Path *p) { put_cell_text((const uint8_t *)p->text, strlen(p->text)); }

void summary(const Options *o, uint32_t items, uint32_t missing) {
  if (o->title != NULL) {
    puts_out("## ");
    put_cell_text((const uint8_t *)o->title, strlen(o->title));
    puts_out("\n\n");
  }
  puts_out("| ");
  put_path(&o->field);
  puts_out(" | count | share |\n|:--|--:|--:|\n");
  for (uint32_t i = 0; i < entry_count; i++) {
    puts_out("| ");
    put_cell_text(key_bytes(&entries[i]), entries[i].len);
    printf_out(" | %u | %.1f %% |\n", entries[i].count, 100.0 * entries[i].count / (double)total);
  }
  printf_out("| **total** | %llu | %s |\n\n", (unsigned long long)total, total > 0 ? "100.0 %" : "-");
  printf_out("%llu value%s in %u item%s", (unsigned long long)total, total == 1 ? "" : "s", items, items == 1 ? "" : "s");
  printf_out(missing == 0 ? ".\n" : "; %u item%s without one.\n", missing, missing == 1 ? "" : "s");
  if (o->column_count == 0 || record_count == 0) return;
  puts_out("\n| # | ");
  put_path(&o->field);
  for (int c = 0; c < o->column_count; c++) { puts_out(" | "); put_path(&o->columns[c]); }
  puts_out(" |\n|--:|:--|");
  for (int c = 0; c < o->column_count; c++) puts_out("--:|");
  puts_out("\n");
  for (uint32_t r = 0; r < record_count; r++) {
    printf_out("| %u | ", r + 1);
    put_cell(records[r].value);
    for (int c = 0; c < o->column_count; c++) {
      puts_out(" | ");
      put_cell(resolve(records[r].object, &o->columns[c]));
    }
    puts_out(" |\n");
  }
  if (records_omitted > 0) printf_out("\n… and %u more (the table lists at most %u).\n", records_omitted, MAX_RECORDS);
}
