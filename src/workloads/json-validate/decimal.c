/*
 * decimal.c: multipleOf on the decimal literals themselves (JSON Schema 2020-12
 * Validation §6.2.1: valid "if division by this keyword's value results in an
 * integer"), so 0.3 is a multiple of 0.1 and 10^21 is not one of 3 — where
 * dividing doubles, as ajv does, says otherwise. Literals of more than
 * MAX_DIGITS significant digits fall back to dividing doubles.
 */
#include "decimal.h"

#include <math.h>
#include <string.h>

#include "json.h"

#define MAX_DIGITS 1000
typedef struct { char d[MAX_DIGITS]; uint32_t n; int64_t exp; } Decimal; /* value = 0.d × … as integer d × 10^exp */

/* Significant digits and exponent of the number literal at pos; 0 if it has more than MAX_DIGITS. */
static int decimal_of(uint32_t pos, Decimal *x) {
  const char *t = (const char *)json_text + pos;
  uint32_t len = json_number_length(pos), i = 0;
  x->n = 0;
  x->exp = 0;
  if (t[i] == '-') i++;
  int fraction = 0;
  for (; i < len && t[i] != 'e' && t[i] != 'E'; i++) {
    if (t[i] == '.') { fraction = 1; continue; }
    if (fraction) x->exp--;
    if (x->n == 0 && t[i] == '0') continue; /* leading zeros */
    if (x->n >= MAX_DIGITS) return 0;
    x->d[x->n++] = t[i];
  }
  if (i < len) {
    i++;
    int negative = t[i] == '-';
    if (t[i] == '-' || t[i] == '+') i++;
    int64_t e = 0;
    for (; i < len; i++) if (e < 1000000000) e = e * 10 + (t[i] - '0');
    x->exp += negative ? -e : e;
  }
  while (x->n > 0 && x->d[x->n - 1] == '0') x->n--, x->exp++;
  return 1;
}

int multiple_of(uint32_t value, uint32_t divisor) {
  static Decimal a, b;
  static char rem[MAX_DIGITS + 2], div[MAX_DIGITS + 2];
  if (decimal_of(json_nodes[value].pos, &a) && decimal_of(json_nodes[divisor].pos, &b)) {
    if (a.n == 0) return 1;
    int64_t d = a.exp - b.exp;
    if (d < 0) return 0; /* a's last digit is not 0, so a·10^-k is never a multiple of an integer */
    /* B | A·10^d; past the largest power of 2 or 5 in B (< 4·digits), more zeros change nothing. */
    if (d > 4 * (int64_t)b.n + 4) d = 4 * (int64_t)b.n + 4;
    if (((uint64_t)a.n + (uint64_t)d) * b.n <= 4000000) {
      uint32_t w = b.n + 1;
      memset(rem, 0, w);
      div[0] = 0;
      for (uint32_t i = 0; i < b.n; i++) div[i + 1] = (char)(b.d[i] - '0');
      for (int64_t i = 0; i < a.n + d; i++) {
        memmove(rem, rem + 1, w - 1);
        rem[w - 1] = (char)(i < a.n ? a.d[i] - '0' : 0);
        for (;;) { /* while rem >= div: rem -= div (at most 9 times) */
          uint32_t k = 0;
          while (k < w && rem[k] == div[k]) k++;
          if (k < w && rem[k] < div[k]) break;
          int borrow = 0;
          for (uint32_t j = w; j-- > 0;) {
            int v = rem[j] - div[j] - borrow;
            borrow = v < 0;
            rem[j] = (char)(v + (borrow ? 10 : 0));
          }
        }
      }
      for (uint32_t k = 0; k < w; k++) if (rem[k] != 0) return 0;
      return 1;
    }
  }
  double q = json_nodes[value].u.num / json_nodes[divisor].u.num; /* a literal too long for the exact test: ajv's float division */
  return isfinite(q) && q == floor(q);
}
