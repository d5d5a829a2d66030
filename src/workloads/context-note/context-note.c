/*
 * context-note: a workflow step's side of the run's shared context
 * (docs/workflow-context.md §6).
 *
 *   context-note [--append KEY] [--add KEY NUMBER] [--set KEY]
 *
 * Prints the context it was given (/work/context.json, a step declared
 * `context: read`) as it is, and proposes updates in
 * /work/context-updates.json (a step declared `context: write`): `--append
 * KEY` and `--set KEY` take stdin as a string value (its trailing line breaks
 * removed), `--add KEY NUMBER` a number. The submitter checks every update
 * against the key's declared rule; this program only writes them.
 *
 * Exit 0; 2 for bad arguments or stdin larger than MAX_INPUT; 1 when a file
 * cannot be read or written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 20)
#define MAX_UPDATES 64
#define CONTEXT_INPUT "/work/context.json"
#define CONTEXT_UPDATES "/work/context-updates.json"

struct update {
  const char *key;
  const char *number; /* NULL: the value is stdin, as a string */
};

static int usage(const char *why) {
  fprintf(stderr, "context-note: %s\nusage: context-note [--append KEY] [--add KEY NUMBER] [--set KEY]\n", why);
  return 2;
}

/* A key as docs/workflow-context.md §2 names it: 1-64 of [A-Za-z0-9_-], first a letter or '_'. */
static int is_key(const char *key) {
  size_t n = strlen(key);
  if (n == 0 || n > 64) return 0;
  if (!((key[0] >= 'A' && key[0] <= 'Z') || (key[0] >= 'a' && key[0] <= 'z') || key[0] == '_')) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = key[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return 0;
  }
  return 1;
}

/* A JSON number (RFC 8259 §6): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int is_number(const char *s) {
  if (*s == '-') s++;
  if (*s == '0') s++;
  else if (*s >= '1' && *s <= '9') while (*s >= '0' && *s <= '9') s++;
  else return 0;
  if (*s == '.') {
    s++;
    if (!(*s >= '0' && *s <= '9')) return 0;
    while (*s >= '0' && *s <= '9') s++;
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-') s++;
    if (!(*s >= '0' && *s <= '9')) return 0;
    while (*s >= '0' && *s <= '9') s++;
  }
  return *s == '\0';
}

/* Reads all of `f`, at most MAX_INPUT bytes; NULL when larger. */
static char *read_all(FILE *f, size_t *length) {
  char *data = malloc(MAX_INPUT + 1);
  if (data == NULL) return NULL;
  size_t n = fread(data, 1, MAX_INPUT + 1, f);
  if (n > MAX_INPUT) {
    free(data);
    return NULL;
  }
  data[n] = '\0';
  *length = n;
  return data;
}

/* Writes `text` (of `n` bytes) as a JSON string: quotes, and escapes for '"', '\\' and control characters. */
static void write_string(FILE *out, const char *text, size_t n) {
  fputc('"', out);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c == '\n') fputs("\\n", out);
    else if (c == '\r') fputs("\\r", out);
    else if (c == '\t') fputs("\\t", out);
    else if (c < 0x20) fprintf(out, "\\u%04x", c);
    else fputc(c, out);
  }
  fputc('"', out);
}

int main(int argc, char **argv) {
  struct update updates[MAX_UPDATES];
  int count = 0;
  int needs_stdin = 0;
  for (int i = 1; i < argc; i++) {
    int takes_number = strcmp(argv[i], "--add") == 0;
    if (strcmp(argv[i], "--append") != 0 && strcmp(argv[i], "--set") != 0 && !takes_number) return usage("unknown argument");
    if (i + 1 >= argc || !is_key(argv[i + 1])) return usage("a key is 1 to 64 of [A-Za-z0-9_-], starting with a letter or '_'");
    if (count == MAX_UPDATES) return usage("too many updates");
    updates[count].key = argv[i + 1];
    updates[count].number = NULL;
    if (takes_number) {
      if (i + 2 >= argc || !is_number(argv[i + 2])) return usage("--add takes a key and a JSON number");
      updates[count].number = argv[i + 2];
      i++;
    } else {
      needs_stdin = 1;
    }
    count++;
    i++;
  }

  FILE *context = fopen(CONTEXT_INPUT, "rb");
  if (context != NULL) {
    size_t n = 0;
    char *text = read_all(context, &n);
    fclose(context);
    if (text == NULL) return usage(CONTEXT_INPUT " is too large");
    fwrite(text, 1, n, stdout);
    free(text);
  }
  if (count == 0) return 0;

  size_t length = 0;
  char *input = needs_stdin ? read_all(stdin, &length) : NULL;
  if (needs_stdin && input == NULL) return usage("stdin is larger than 1 MiB");
  while (length > 0 && (input[length - 1] == '\n' || input[length - 1] == '\r')) length--;

  FILE *out = fopen(CONTEXT_UPDATES, "wb");
  if (out == NULL) {
    perror(CONTEXT_UPDATES);
    return 1;
  }
  fputc('[', out);
  for (int k = 0; k < count; k++) {
    if (k > 0) fputc(',', out);
    fprintf(out, "{\"key\":\"%s\",\"value\":", updates[k].key);
    if (updates[k].number != NULL) fputs(updates[k].number, out);
    else write_string(out, input, length);
    fputc('}', out);
  }
  fputs("]\n", out);
  if (fclose(out) != 0) {
    perror(CONTEXT_UPDATES);
    return 1;
  }
  free(input);
  return 0;
}
