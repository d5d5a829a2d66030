/*
 * regex.c: an ECMA-262 regular-expression subset for json-validate, with the
 * semantics of JavaScript's RegExp with the `u` flag (as ajv compiles
 * `pattern`): code points, `.` excluding line terminators, \d \w ASCII, \s
 * Unicode white space, and the Unicode-mode syntax rules (a lone `{`, `}` or
 * `]`, or an unknown identity escape, is an error).
 *
 * Supported: literals, `.`, classes [...] [^...] with ranges and escapes,
 * \d \D \w \W \s \S, \t \n \v \f \r \0 \cX \xHH \uHHHH \u{H…}, ^ $ \b \B,
 * groups (...) (?:...) (?<name>...), alternation, * + ? {n} {n,} {n,m} and
 * their lazy forms. Not supported (a clear error naming the feature):
 * backreferences, lookahead and lookbehind, \p{…} property escapes.
 *
 * `pattern` only asks whether a match exists, so greedy and lazy quantifiers
 * match the same strings. Patterns compile to a Thompson NFA (ECMA-262's
 * syntax, Thompson 1968 / Pike's VM as described by Russ Cox, "Regular
 * Expression Matching: the Virtual Machine Approach", 2009), run in
 * O(pattern × input): no catastrophic backtracking on hostile input. Counted
 * repetition is expanded, within MAX_PROGRAM instructions per pattern.
 */
#include "regex.h"

#include <stdio.h>
#include <string.h>

#define MAX_AST 20000
#define MAX_PROGRAM 20000          /* instructions in one compiled pattern */
#define MAX_INSTRUCTIONS 100000    /* in all patterns of the schema */
#define MAX_RANGES 100000
#define MAX_REGEXES 20000
#define INFINITE 0xFFFFFFFFu

enum { OP_CHAR, OP_ANY, OP_CLASS, OP_SPLIT, OP_JMP, OP_MATCH, OP_BOL, OP_EOL, OP_WORDB, OP_NWORDB };
typedef struct { uint8_t op; uint32_t x, y; } Inst;
typedef struct { uint32_t lo, hi; } Range;
typedef struct { uint32_t start, count; uint8_t negated; } Class;
typedef struct { uint32_t start, length; } Program;

static Inst program[MAX_INSTRUCTIONS];
static uint32_t program_count;
static Range ranges[MAX_RANGES];
static uint32_t range_count;
static Class classes[MAX_REGEXES * 2];
static uint32_t class_count;
static Program programs[MAX_REGEXES];
static uint32_t program_total;

/* ---- parsing into a small tree ---- */

enum { R_EMPTY, R_CHAR, R_ANY, R_CLASS, R_CAT, R_ALT, R_REPEAT, R_ASSERT };
typedef struct { uint8_t type; uint32_t a, first, next, min, max; } RNode;

static RNode ast[MAX_AST];
static uint32_t ast_count;

typedef struct {
  uint32_t cps[4096 + 1];
  uint32_t n, p;
  char *error;
  size_t error_size;
  int failed;
} Parser;

static Parser parser;

static int bad(Parser *ps, const char *kind, const char *what) {
  if (!ps->failed) snprintf(ps->error, ps->error_size, "%s: %s", kind, what);
  ps->failed = 1;
  return 0;
}
#define INVALID(what) bad(ps, "invalid regular expression", what)
#define UNSUPPORTED(what) bad(ps, "unsupported feature", what)

static uint32_t node(Parser *ps, uint8_t type, uint32_t a) {
  if (ast_count >= MAX_AST) { bad(ps, "pattern too long", "more than 20000 terms"); return 0; }
  RNode *n = &ast[ast_count];
  memset(n, 0, sizeof *n);
  n->type = type;
  n->a = a;
  n->next = INFINITE;
  n->first = INFINITE;
  return ast_count++;
}

static int peek(Parser *ps, uint32_t c) { return ps->p < ps->n && ps->cps[ps->p] == c; }

static int add_range(Parser *ps, uint32_t lo, uint32_t hi) {
  if (range_count >= MAX_RANGES) return bad(ps, "pattern too large", "too many character ranges in the schema");
  ranges[range_count++] = (Range){lo, hi};
  return 1;
}

/* ECMA-262 WhiteSpace and LineTerminator (§12.2, §12.3), what \s matches. */
static const Range SPACE[] = {{9, 13}, {32, 32}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
  {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
static const Range DIGIT[] = {{'0', '9'}};
static const Range WORD[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};

/* Adds the ranges of \d \w \s (or their complement) to the class being built. */
static int add_escape_class(Parser *ps, uint32_t letter) {
  const Range *set; size_t n;
  uint32_t lower = letter | 0x20;
  if (lower == 'd') set = DIGIT, n = 1;
  else if (lower == 'w') set = WORD, n = 4;
  else set = SPACE, n = sizeof SPACE / sizeof SPACE[0];
  if (letter == lower) {
    for (size_t i = 0; i < n; i++) if (!add_range(ps, set[i].lo, set[i].hi)) return 0;
    return 1;
  }
  uint32_t from = 0; /* the complement of sorted, disjoint ranges */
  for (size_t i = 0; i < n; i++) {
    if (set[i].lo > from && !add_range(ps, from, set[i].lo - 1)) return 0;
    from = set[i].hi + 1;
  }
  return add_range(ps, from, 0x10FFFF);
}

static int new_class(Parser *ps, uint32_t start, uint8_t negated, uint32_t *out) {
  if (class_count >= sizeof classes / sizeof classes[0]) return bad(ps, "pattern too large", "too many character classes in the schema");
  classes[class_count] = (Class){start, range_count - start, negated};
  *out = class_count++;
  return 1;
}

static int hex_digits(Parser *ps, uint32_t count, uint32_t *out) {
  uint32_t v = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (ps->p >= ps->n) return 0;
    uint32_t c = ps->cps[ps->p], d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (c | 0x20) - 'a' + 10;
    else return 0;
    v = v * 16 + d;
    ps->p++;
  }
  *out = v;
  return 1;
}

/*
 * A CharacterEscape after the backslash (ECMA-262 §22.2.1, Unicode mode): sets
 * *cp, or *class_letter for \d \D \w \W \s \S. in_class allows \b (backspace) and \-.
 */
static int escape(Parser *ps, int in_class, uint32_t *cp, uint32_t *class_letter) {
  *class_letter = 0;
  if (ps->p >= ps->n) return INVALID("\\ at end of pattern");
  uint32_t c = ps->cps[ps->p++];
  switch (c) {
    case 'd': case 'D': case 'w': case 'W': case 's': case 'S': *class_letter = c; return 1;
    case 't': *cp = 9; return 1;
    case 'n': *cp = 10; return 1;
    case 'v': *cp = 11; return 1;
    case 'f': *cp = 12; return 1;
    case 'r': *cp = 13; return 1;
    case 'p': case 'P': return UNSUPPORTED("Unicode property escape \\p{...}");
    case 'k': return UNSUPPORTED("named backreference \\k<name>");
    case 'c':
      if (ps->p < ps->n && ((ps->cps[ps->p] | 0x20) >= 'a' && (ps->cps[ps->p] | 0x20) <= 'z')) { *cp = ps->cps[ps->p++] % 32; return 1; }
      return INVALID("\\c must be followed by a letter");
    case 'x':
      if (!hex_digits(ps, 2, cp)) return INVALID("\\x must be followed by two hex digits");
      return 1;
    case 'u':
      if (peek(ps, '{')) {
        ps->p++;
        uint32_t v = 0, digits = 0;
        while (ps->p < ps->n && !peek(ps, '}')) {
          uint32_t d;
          if (!hex_digits(ps, 1, &d)) return INVALID("bad \\u{...} escape");
          v = v * 16 + d;
          if (v > 0x10FFFF) return INVALID("\\u{...} beyond U+10FFFF");
          digits++;
        }
        if (!peek(ps, '}') || digits == 0) return INVALID("bad \\u{...} escape");
        ps->p++;
        *cp = v;
        return 1;
      }
      if (!hex_digits(ps, 4, cp)) return INVALID("\\u must be followed by four hex digits or {...}");
      if (*cp >= 0xD800 && *cp <= 0xDBFF && ps->p + 6 <= ps->n && ps->cps[ps->p] == '\\' && ps->cps[ps->p + 1] == 'u') {
        uint32_t save = ps->p, low;
        ps->p += 2;
        if (hex_digits(ps, 4, &low) && low >= 0xDC00 && low <= 0xDFFF) *cp = 0x10000 + ((*cp - 0xD800) << 10) + (low - 0xDC00);
        else ps->p = save;
      }
      return 1;
    case '0':
      if (ps->p < ps->n && ps->cps[ps->p] >= '0' && ps->cps[ps->p] <= '9') return INVALID("octal escapes are not allowed with the u flag");
      *cp = 0;
      return 1;
    default:
      if (c >= '1' && c <= '9') {
        if (in_class) return INVALID("a backreference-like escape in a class");
        return UNSUPPORTED("backreference \\1-\\9");
      }
      if (in_class && c == 'b') { *cp = 8; return 1; }
      if (in_class && c == '-') { *cp = '-'; return 1; }
      if (strchr("^$\\.*+?()[]{}|/", (int)c) != NULL && c != 0) { *cp = c; return 1; }
      return INVALID("unknown escape (the u flag allows only syntax characters after \\)");
  }
}

/* After '['. */
static uint32_t parse_class(Parser *ps) {
  uint8_t negated = 0;
  if (peek(ps, '^')) negated = 1, ps->p++;
  uint32_t start = range_count;
  for (;;) {
    if (ps->p >= ps->n) { INVALID("unterminated character class"); return 0; }
    if (peek(ps, ']')) { ps->p++; break; }
    uint32_t lo, letter = 0;
    if (peek(ps, '\\')) { ps->p++; if (!escape(ps, 1, &lo, &letter)) return 0; }
    else lo = ps->cps[ps->p++];
    if (peek(ps, '-') && ps->p + 1 < ps->n && ps->cps[ps->p + 1] != ']') {
      ps->p++;
      uint32_t hi, letter2 = 0;
      if (peek(ps, '\\')) { ps->p++; if (!escape(ps, 1, &hi, &letter2)) return 0; }
      else hi = ps->cps[ps->p++];
      if (letter || letter2) { INVALID("a class escape such as \\d cannot bound a range"); return 0; }
      if (lo > hi) { INVALID("range out of order in character class"); return 0; }
      if (!add_range(ps, lo, hi)) return 0;
      continue;
    }
    if (letter ? !add_escape_class(ps, letter) : !add_range(ps, lo, lo)) return 0;
  }
  uint32_t id;
  if (!new_class(ps, start, negated, &id)) return 0;
  return node(ps, R_CLASS, id);
}

static uint32_t parse_alternation(Parser *ps, uint32_t depth);

static int parse_count(Parser *ps, uint32_t *out) {
  if (ps->p >= ps->n || ps->cps[ps->p] < '0' || ps->cps[ps->p] > '9') return 0;
  uint64_t v = 0;
  while (ps->p < ps->n && ps->cps[ps->p] >= '0' && ps->cps[ps->p] <= '9') {
    v = v * 10 + (ps->cps[ps->p++] - '0');
    if (v > 1000000) v = 1000000; /* beyond any expandable count anyway */
  }
  *out = (uint32_t)v;
  return 1;
}

static uint32_t parse_term(Parser *ps, uint32_t depth) {
  uint32_t c = ps->cps[ps->p], atom;
  ps->p++;
  int assertion = 0;
  switch (c) {
    case '^': atom = node(ps, R_ASSERT, OP_BOL); assertion = 1; break;
    case '$': atom = node(ps, R_ASSERT, OP_EOL); assertion = 1; break;
    case '.': atom = node(ps, R_ANY, 0); break;
    case '[': atom = parse_class(ps); break;
    case '(': {
      if (peek(ps, '?')) {
        ps->p++;
        if (peek(ps, ':')) ps->p++;
        else if (peek(ps, '=') || peek(ps, '!')) { UNSUPPORTED("lookahead (?= or (?!"); return 0; }
        else if (peek(ps, '<') && ps->p + 1 < ps->n && (ps->cps[ps->p + 1] == '=' || ps->cps[ps->p + 1] == '!')) {
          UNSUPPORTED("lookbehind (?<= or (?<!");
          return 0;
        } else if (peek(ps, '<')) {
          ps->p++;
          uint32_t name = 0;
          while (ps->p < ps->n && !peek(ps, '>')) {
            uint32_t d = ps->cps[ps->p++];
            if (!((d | 0x20) >= 'a' && (d | 0x20) <= 'z') && d != '_' && d != '$' && !(name > 0 && d >= '0' && d <= '9') && d < 0x80) {
              INVALID("bad group name");
              return 0;
            }
            name++;
          }
          if (!peek(ps, '>') || name == 0) { INVALID("bad group name"); return 0; }
          ps->p++;
        } else {
          INVALID("bad group: (? must be followed by :, =, !, or <");
          return 0;
        }
      }
      atom = parse_alternation(ps, depth + 1);
      if (ps->failed) return 0;
      if (!peek(ps, ')')) { INVALID("unterminated group"); return 0; }
      ps->p++;
      break;
    }
    case '\\': {
      if (peek(ps, 'b') || peek(ps, 'B')) {
        atom = node(ps, R_ASSERT, ps->cps[ps->p] == 'b' ? OP_WORDB : OP_NWORDB);
        ps->p++;
        assertion = 1;
        break;
      }
      uint32_t cp, letter;
      if (!escape(ps, 0, &cp, &letter)) return 0;
      if (letter) {
        uint32_t start = range_count, id;
        if (!add_escape_class(ps, letter) || !new_class(ps, start, 0, &id)) return 0;
        atom = node(ps, R_CLASS, id);
      } else {
        atom = node(ps, R_CHAR, cp);
      }
      break;
    }
    case '*': case '+': case '?': INVALID("nothing to repeat"); return 0;
    case '{': INVALID("lone '{' (the u flag requires \\{)"); return 0;
    case '}': INVALID("lone '}' (the u flag requires \\})"); return 0;
    case ']': INVALID("lone ']' (the u flag requires \\])"); return 0;
    case ')': INVALID("unmatched ')'"); return 0;
    default: atom = node(ps, R_CHAR, c);
  }
  if (ps->failed) return 0;
  /* Quantifier (ECMA-262 §22.2.1 Quantifier). */
  uint32_t min, max;
  if (ps->p >= ps->n) return atom;
  c = ps->cps[ps->p];
  if (c == '*') min = 0, max = INFINITE, ps->p++;
  else if (c == '+') min = 1, max = INFINITE, ps->p++;
  else if (c == '?') min = 0, max = 1, ps->p++;
  else if (c == '{') {
    ps->p++;
    if (!parse_count(ps, &min)) { INVALID("lone '{' (the u flag requires \\{)"); return 0; }
    max = min;
    if (peek(ps, ',')) {
      ps->p++;
      max = INFINITE;
      if (!peek(ps, '}') && !parse_count(ps, &max)) { INVALID("bad {} quantifier"); return 0; }
    }
    if (!peek(ps, '}')) { INVALID("bad {} quantifier"); return 0; }
    ps->p++;
    if (max < min) { INVALID("numbers out of order in {} quantifier"); return 0; }
  } else {
    return atom;
  }
  if (assertion) { INVALID("nothing to repeat (a quantifier after an assertion)"); return 0; }
  if (peek(ps, '?')) ps->p++; /* lazy: the same set of matching strings */
  uint32_t rep = node(ps, R_REPEAT, atom);
  ast[rep].min = min;
  ast[rep].max = max;
  return rep;
}

static uint32_t parse_alternation(Parser *ps, uint32_t depth) {
  if (depth > 200) { INVALID("groups nested too deeply"); return 0; }
  uint32_t alt = node(ps, R_ALT, 0), last_branch = INFINITE;
  for (;;) {
    uint32_t cat = node(ps, R_CAT, 0), last = INFINITE;
    while (!ps->failed && ps->p < ps->n && !peek(ps, '|') && !peek(ps, ')')) {
      uint32_t term = parse_term(ps, depth);
      if (ps->failed) return 0;
      if (last == INFINITE) ast[cat].first = term;
      else ast[last].next = term;
      last = term;
    }
    if (ps->failed) return 0;
    if (last_branch == INFINITE) ast[alt].first = cat;
    else ast[last_branch].next = cat;
    last_branch = cat;
    if (!peek(ps, '|')) break;
    ps->p++;
  }
  return alt;
}

/* ---- compiling the tree to instructions ---- */

static int emit(Parser *ps, uint32_t start, uint8_t op, uint32_t x, uint32_t y) {
  if (program_count - start >= MAX_PROGRAM || program_count >= MAX_INSTRUCTIONS) {
    return bad(ps, "pattern too large", "more than 20000 instructions once counted repetitions are expanded");
  }
  program[program_count++] = (Inst){op, x, y};
  return 1;
}

static int compile(Parser *ps, uint32_t start, uint32_t n) {
  RNode *r = &ast[n];
  switch (r->type) {
    case R_CHAR: return emit(ps, start, OP_CHAR, r->a, 0);
    case R_ANY: return emit(ps, start, OP_ANY, 0, 0);
    case R_CLASS: return emit(ps, start, OP_CLASS, r->a, 0);
    case R_ASSERT: return emit(ps, start, (uint8_t)r->a, 0, 0);
    case R_CAT:
      for (uint32_t c = r->first; c != INFINITE; c = ast[c].next) if (!compile(ps, start, c)) return 0;
      return 1;
    case R_ALT: {
      /* SPLIT next_branch; branch; JMP end — the JMPs, chained through x until the end is known, are then patched. */
      uint32_t chain = INFINITE, c = r->first;
      for (; c != INFINITE; c = ast[c].next) {
        if (ast[c].next == INFINITE) { if (!compile(ps, start, c)) return 0; break; }
        uint32_t split = program_count;
        if (!emit(ps, start, OP_SPLIT, split + 1, 0) || !compile(ps, start, c)) return 0;
        uint32_t jump = program_count;
        if (!emit(ps, start, OP_JMP, chain, 0)) return 0;
        chain = jump;
        program[split].y = program_count;
      }
      while (chain != INFINITE) {
        uint32_t previous = program[chain].x;
        program[chain].x = program_count;
        chain = previous;
      }
      return 1;
    }
    case R_REPEAT: {
      for (uint32_t i = 0; i < r->min; i++) if (!compile(ps, start, r->a)) return 0;
      if (r->max == INFINITE) {
        uint32_t split = program_count;
        if (!emit(ps, start, OP_SPLIT, split + 1, 0) || !compile(ps, start, r->a) || !emit(ps, start, OP_JMP, split, 0)) return 0;
        program[split].y = program_count;
        return 1;
      }
      /* (e{0,k}): SPLIT over each optional copy, chained through y like the JMPs above. */
      uint32_t chain = INFINITE;
      for (uint32_t i = r->min; i < r->max; i++) {
        uint32_t split = program_count;
        if (!emit(ps, start, OP_SPLIT, split + 1, chain) || !compile(ps, start, r->a)) return 0;
        chain = split;
      }
      while (chain != INFINITE) {
        uint32_t previous = program[chain].y;
        program[chain].y = program_count;
        chain = previous;
      }
      return 1;
    }
    default: return 1;
  }
}

static uint32_t next_code_point(const uint8_t *s, uint32_t len, uint32_t *i) {
  uint8_t c = s[*i];
  uint32_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4, cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
  if (*i + n > len) n = len - *i;
  for (uint32_t k = 1; k < n; k++) cp = cp << 6 | (s[*i + k] & 0x3F);
  *i += n;
  return cp;
}

int regex_compile(const char *pattern, uint32_t len, uint32_t *id, char *error, size_t error_size) {
  Parser *ps = &parser;
  ps->n = 0;
  ps->p = 0;
  ps->failed = 0;
  ps->error = error;
  ps->error_size = error_size;
  ast_count = 0;
  for (uint32_t i = 0; i < len;) {
    if (ps->n >= 4096) return bad(ps, "pattern too long", "more than 4096 characters");
    ps->cps[ps->n++] = next_code_point((const uint8_t *)pattern, len, &i);
  }
  if (program_total >= MAX_REGEXES) return bad(ps, "pattern too large", "more than 20000 patterns in the schema");
  uint32_t root = parse_alternation(ps, 0);
  if (ps->failed) return 0;
  if (ps->p < ps->n) return INVALID("unmatched ')'");
  uint32_t start = program_count;
  if (!compile(ps, start, root) || !emit(ps, start, OP_MATCH, 0, 0)) {
    program_count = start;
    return 0;
  }
  for (uint32_t k = start; k < program_count; k++) { /* jumps were emitted absolute; regex_test runs from 0 */
    if (program[k].op == OP_SPLIT) program[k].x -= start, program[k].y -= start;
    if (program[k].op == OP_JMP) program[k].x -= start;
  }
  programs[program_total] = (Program){start, program_count - start};
  *id = program_total++;
  return 1;
}

/* ---- matching: Pike's VM over code points ---- */

static uint32_t list_a[MAX_PROGRAM], list_b[MAX_PROGRAM], marks[MAX_PROGRAM], stack[MAX_PROGRAM * 2 + 2]; /* each pc pushes at most 2 */
static uint32_t generation;

static int is_word(uint32_t c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_'; }
static int is_line_terminator(uint32_t c) { return c == 10 || c == 13 || c == 0x2028 || c == 0x2029; }

static int class_has(const Class *cl, uint32_t c) {
  int in = 0;
  for (uint32_t i = 0; i < cl->count && !in; i++) in = c >= ranges[cl->start + i].lo && c <= ranges[cl->start + i].hi;
  return in != cl->negated;
}

/* Adds pc and its epsilon closure at a position with the given neighbours (INFINITE: none). Returns 1 if MATCH is reached. */
static int add_thread(const Inst *code, uint32_t *list, uint32_t *n, uint32_t pc, uint32_t prev, uint32_t next) {
  uint32_t top = 0;
  stack[top++] = pc;
  while (top > 0) {
    pc = stack[--top];
    if (marks[pc] == generation) continue;
    marks[pc] = generation;
    const Inst *in = &code[pc];
    switch (in->op) {
      case OP_JMP: stack[top++] = in->x; break;
      case OP_SPLIT: stack[top++] = in->y; stack[top++] = in->x; break;
      case OP_MATCH: return 1;
      case OP_BOL: if (prev == INFINITE) stack[top++] = pc + 1; break;
      case OP_EOL: if (next == INFINITE) stack[top++] = pc + 1; break;
      case OP_WORDB: case OP_NWORDB: {
        int boundary = (prev != INFINITE && is_word(prev)) != (next != INFINITE && is_word(next));
        if (boundary == (in->op == OP_WORDB)) stack[top++] = pc + 1;
        break;
      }
      default: list[(*n)++] = pc;
    }
  }
  return 0;
}

int regex_test(uint32_t id, const char *s, uint32_t len) {
  const Inst *code = program + programs[id].start;
  const uint8_t *u = (const uint8_t *)s;
  uint32_t *stepped = list_a, *closure = list_b, nstepped = 0;
  uint32_t prev = INFINITE, i = 0;
  for (;;) {
    uint32_t at = i, c = i < len ? next_code_point(u, len, &at) : INFINITE;
    generation++;
    /* The closure at this position of the threads that stepped over the previous character, plus a new
     * thread from the start: an unanchored search (RegExp.prototype.test). */
    uint32_t n = 0;
    for (uint32_t k = 0; k < nstepped; k++) {
      if (add_thread(code, closure, &n, stepped[k], prev, c)) return 1;
    }
    /* A pattern that starts with ^ can only match from the start: no new threads after it, and none left is a failure. */
    if ((i == 0 || code[0].op != OP_BOL) && add_thread(code, closure, &n, 0, prev, c)) return 1;
    if (c == INFINITE || (n == 0 && code[0].op == OP_BOL)) return 0;
    nstepped = 0; /* the closure's consuming instructions, stepped over c */
    for (uint32_t k = 0; k < n; k++) {
      const Inst *in = &code[closure[k]];
      int ok = in->op == OP_CHAR ? in->x == c : in->op == OP_ANY ? !is_line_terminator(c) : class_has(&classes[in->x], c);
      if (ok) stepped[nstepped++] = closure[k] + 1;
    }
    prev = c;
    i = at;
  }
}
