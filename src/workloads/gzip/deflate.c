/*
 * deflate: a DEFLATE (RFC 1951) encoder for gzip.c (interface in deflate.h).
 *
 * Why not stb_image_write's encoder, which stb-inflate.c's decoder comes with:
 * it writes a single fixed-Huffman block, 28% larger than gzip -6 on text.
 * This one is built the way zlib's deflate.c is (Jean-loup Gailly and Mark
 * Adler), written anew for a whole input held in memory:
 *   - LZ77 over a 32 KiB window with hash chains on 3-byte strings, zlib's
 *     per-level limits (config table: good/lazy/nice length, chain length),
 *     greedy parsing for levels 1-3 and lazy evaluation for 4-9, zlib's rule
 *     that a 3-byte match farther than 4096 back is not worth it;
 *   - blocks of at most 16384 symbols, each written as whichever of dynamic
 *     Huffman, fixed Huffman or stored (RFC 1951 3.2.4-3.2.7) is smallest;
 *   - Huffman code lengths from the two-queue construction over symbols
 *     sorted by frequency, limited to 15 bits (7 for the code-length code) by
 *     moving codes between lengths until the Kraft sum is exact (the method of
 *     Rich Geldreich's miniz, tdefl_huffman_enforce_max_code_size). Every tree
 *     has at least two codes, so every code is complete.
 * Its output is not byte for byte zlib's, only about as small. Deterministic:
 * no clock, no randomness, ties broken by symbol.
 */
#include "deflate.h"

#include <stdlib.h>
#include <string.h>

#define WINDOW 32768
#define WINDOW_MASK (WINDOW - 1)
/* zlib keeps MIN_LOOKAHEAD (262) bytes of its window in reserve; matching the limit keeps chains simple. */
#define MAX_DISTANCE (WINDOW - 262)
#define HASH_BITS 15
#define MIN_MATCH 3
#define MAX_MATCH 258
#define TOO_FAR 4096
#define BLOCK_SYMBOLS 16384
#define NIL (-1)

#define LITLEN_CODES 286 /* 0-255 literals, 256 end of block, 257-285 lengths */
#define DIST_CODES 30
#define CODELEN_CODES 19

/* zlib's configuration_table: good_length, max_lazy, nice_length, max_chain. */
static const struct { int good, lazy, nice, chain; } LEVELS[10] = {
  {0, 0, 0, 0}, {4, 4, 8, 4}, {4, 5, 16, 8}, {4, 6, 32, 32}, {4, 4, 16, 16},
  {8, 16, 32, 32}, {8, 16, 128, 128}, {8, 32, 128, 256}, {32, 128, 258, 1024}, {32, 258, 258, 4096},
};

static const uint16_t LEN_BASE[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t LEN_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t DIST_BASE[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t DIST_EXTRA[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* RFC 1951 3.2.7: the order in which code-length code lengths are sent. */
static const uint8_t CODELEN_ORDER[CODELEN_CODES] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

static uint8_t len_code[MAX_MATCH - MIN_MATCH + 1]; /* length - 3 -> index into LEN_BASE */
static uint8_t dist_code_low[256], dist_code_high[256]; /* distance - 1 below 256, else (distance - 1) >> 7 */

static void init_tables(void) {
  for (int c = 0; c < 29; c++) {
    int last = c == 28 ? MAX_MATCH : LEN_BASE[c + 1] - 1;
    if (c == 27) last = 257; /* 258 has a code of its own (285) */
    for (int l = LEN_BASE[c]; l <= last; l++) len_code[l - MIN_MATCH] = (uint8_t)c;
  }
  for (int c = 0; c < 30; c++) {
    int last = DIST_BASE[c] + (1 << DIST_EXTRA[c]) - 1;
    for (int d = DIST_BASE[c]; d <= last; d++) {
      if (d <= 256) dist_code_low[d - 1] = (uint8_t)c;
      else dist_code_high[(d - 1) >> 7] = (uint8_t)c;
    }
  }
}

static int dist_code(unsigned d) { return d <= 256 ? dist_code_low[d - 1] : dist_code_high[(d - 1) >> 7]; }

/* ---- bit output, least significant bit first (RFC 1951 3.1.1) ---- */

struct writer {
  uint8_t *out;
  size_t pos, cap;
  uint64_t bits;
  int count;
  int overflow; /* never set when cap follows deflate_compress's bound; checked, not trusted */
};

static void put_bits(struct writer *w, uint32_t value, int n) {
  w->bits |= (uint64_t)value << w->count;
  w->count += n;
  if (w->count >= 32) {
    if (w->pos + 4 > w->cap) { w->overflow = 1; w->count -= 32; w->bits >>= 32; return; }
    uint32_t word = (uint32_t)w->bits;
    memcpy(w->out + w->pos, &word, 4); /* wasm is little-endian */
    w->pos += 4;
    w->bits >>= 32;
    w->count -= 32;
  }
}

static void align_to_byte(struct writer *w) {
  while (w->count > 0) {
    if (w->pos + 1 > w->cap) { w->overflow = 1; break; }
    w->out[w->pos++] = (uint8_t)w->bits;
    w->bits >>= 8;
    w->count = w->count > 8 ? w->count - 8 : 0;
  }
  w->bits = 0;
  w->count = 0;
}

/* ---- Huffman codes ---- */

static const uint32_t *sort_freq;

static int by_frequency(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  if (sort_freq[x] != sort_freq[y]) return sort_freq[x] < sort_freq[y] ? -1 : 1;
  return x - y;
}

/* Code lengths (at most `limit` bits) for the n symbols with these frequencies; unused symbols get 0. */
static void build_lengths(const uint32_t *freq, int n, int limit, uint8_t *lengths) {
  int symbols[LITLEN_CODES], m = 0;
  memset(lengths, 0, (size_t)n);
  for (int i = 0; i < n; i++) if (freq[i]) symbols[m++] = i;
  if (m < 2) {
    /* One code of one bit would leave the code incomplete; add a second, unused one. */
    int used = m ? symbols[0] : 0;
    lengths[used] = 1;
    lengths[used == 0 ? 1 : 0] = 1;
    return;
  }
  sort_freq = freq;
  qsort(symbols, (size_t)m, sizeof symbols[0], by_frequency);

  /* Two queues: the sorted leaves, and internal nodes, which are made in nondecreasing weight order. */
  uint32_t weight[2 * LITLEN_CODES];
  int parent[2 * LITLEN_CODES], depth[2 * LITLEN_CODES];
  for (int i = 0; i < m; i++) weight[i] = freq[symbols[i]];
  int leaf = 0, inner = m, next = m;
  for (int k = 0; k < m - 1; k++) {
    int pick[2];
    for (int j = 0; j < 2; j++)
      pick[j] = leaf < m && (inner >= next || weight[leaf] <= weight[inner]) ? leaf++ : inner++;
    weight[next] = weight[pick[0]] + weight[pick[1]];
    parent[pick[0]] = parent[pick[1]] = next++;
  }
  depth[next - 1] = 0;
  for (int x = next - 2; x >= 0; x--) depth[x] = depth[parent[x]] + 1;

  int count[2 * LITLEN_CODES] = {0}, deepest = 0;
  for (int i = 0; i < m; i++) {
    count[depth[i]]++;
    if (depth[i] > deepest) deepest = depth[i];
  }
  if (deepest > limit) {
    for (int d = limit + 1; d <= deepest; d++) count[limit] += count[d], count[d] = 0;
    uint32_t total = 0;
    for (int d = 1; d <= limit; d++) total += (uint32_t)count[d] << (limit - d);
    /* Over-subscribed: drop a longest code and split a shorter one into two one bit longer, until exact. */
    while (total != 1u << limit) {
      count[limit]--;
      for (int d = limit - 1; d > 0; d--)
        if (count[d]) { count[d]--; count[d + 1] += 2; break; }
      total--;
    }
    deepest = limit;
  }
  /* The least frequent symbols (first in sorted order) take the longest codes. */
  int i = 0;
  for (int d = deepest; d > 0; d--)
    for (int c = 0; c < count[d]; c++) lengths[symbols[i++]] = (uint8_t)d;
}

/* Canonical codes (RFC 1951 3.2.2), bit-reversed because they are sent most significant bit first. */
static void build_codes(const uint8_t *lengths, int n, uint16_t *codes) {
  int count[16] = {0}, next[16];
  for (int i = 0; i < n; i++) count[lengths[i]]++;
  count[0] = 0;
  int code = 0;
  for (int bits = 1; bits < 16; bits++) {
    code = (code + count[bits - 1]) << 1;
    next[bits] = code;
  }
  for (int i = 0; i < n; i++) {
    int len = lengths[i];
    if (!len) continue;
    int c = next[len]++, reversed = 0;
    for (int b = 0; b < len; b++) reversed = (reversed << 1) | ((c >> b) & 1);
    codes[i] = (uint16_t)reversed;
  }
}

/* ---- blocks ---- */

struct block {
  uint16_t litlen[BLOCK_SYMBOLS]; /* a literal byte, or 256 + length - 3 */
  uint16_t dist[BLOCK_SYMBOLS];   /* 0 for a literal */
  int count;
  size_t start; /* input offset of the block's first byte */
};

/* The code-length sequence of a dynamic header, run-length coded with 16, 17 and 18 (RFC 1951 3.2.7). */
struct header {
  uint8_t litlen_lengths[LITLEN_CODES + 2], dist_lengths[DIST_CODES];
  int hlit, hdist, hclen;
  uint8_t items[LITLEN_CODES + DIST_CODES], extra[LITLEN_CODES + DIST_CODES];
  int item_count;
  uint8_t codelen_lengths[CODELEN_CODES];
  uint16_t codelen_codes[CODELEN_CODES];
};

static void run_length_code(struct header *h, uint32_t *codelen_freq) {
  uint8_t all[LITLEN_CODES + DIST_CODES];
  int n = h->hlit + h->hdist;
  memcpy(all, h->litlen_lengths, (size_t)h->hlit);
  memcpy(all + h->hlit, h->dist_lengths, (size_t)h->hdist);
  h->item_count = 0;
#define ITEM(symbol, bits) (h->items[h->item_count] = (uint8_t)(symbol), h->extra[h->item_count++] = (uint8_t)(bits), codelen_freq[symbol]++)
  for (int i = 0; i < n;) {
    int value = all[i], run = 1;
    while (i + run < n && all[i + run] == value) run++;
    i += run;
    if (value == 0) {
      while (run >= 11) { int r = run < 138 ? run : 138; ITEM(18, r - 11); run -= r; }
      if (run >= 3) { ITEM(17, run - 3); run = 0; }
    } else {
      ITEM(value, 0);
      run--;
      while (run >= 3) { int r = run < 6 ? run : 6; ITEM(16, r - 3); run -= r; }
    }
    while (run-- > 0) ITEM(value, 0);
  }
#undef ITEM
}

static const uint8_t EXTRA_BITS_OF_CODELEN[CODELEN_CODES] = {[16] = 2, [17] = 3, [18] = 7};

/* Bits of the block's symbols (not its header) under the given code lengths, extra bits included. */
static uint64_t symbol_bits(const uint32_t *litlen_freq, const uint32_t *dist_freq, const uint8_t *litlen_lengths, const uint8_t *dist_lengths) {
  uint64_t bits = 0;
  for (int i = 0; i < LITLEN_CODES; i++) bits += (uint64_t)litlen_freq[i] * (litlen_lengths[i] + (i > 256 ? LEN_EXTRA[i - 257] : 0));
  for (int i = 0; i < DIST_CODES; i++) bits += (uint64_t)dist_freq[i] * (dist_lengths[i] + DIST_EXTRA[i]);
  return bits;
}

static void put_symbols(struct writer *w, const struct block *b, const uint16_t *litlen_codes, const uint8_t *litlen_lengths,
                        const uint16_t *dist_codes, const uint8_t *dist_lengths) {
  for (int i = 0; i < b->count; i++) {
    unsigned sym = b->litlen[i];
    if (sym < 256) { put_bits(w, litlen_codes[sym], litlen_lengths[sym]); continue; }
    unsigned length = sym - 256 + MIN_MATCH, lc = len_code[length - MIN_MATCH], distance = b->dist[i];
    int dc = dist_code(distance);
    put_bits(w, litlen_codes[257 + lc], litlen_lengths[257 + lc]);
    if (LEN_EXTRA[lc]) put_bits(w, length - LEN_BASE[lc], LEN_EXTRA[lc]);
    put_bits(w, dist_codes[dc], dist_lengths[dc]);
    if (DIST_EXTRA[dc]) put_bits(w, distance - DIST_BASE[dc], DIST_EXTRA[dc]);
  }
  put_bits(w, litlen_codes[256], litlen_lengths[256]);
}

/* Writes the block covering in[b->start..end) as the smallest of stored, fixed and dynamic. */
static void flush_block(struct writer *w, struct block *b, const uint8_t *in, size_t end, int final) {
  static uint8_t fixed_litlen_lengths[288], fixed_dist_lengths[DIST_CODES];
  static uint16_t fixed_litlen_codes[288], fixed_dist_codes[DIST_CODES];
  if (!fixed_litlen_lengths[0]) {
    for (int i = 0; i < 288; i++) fixed_litlen_lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
    for (int i = 0; i < DIST_CODES; i++) fixed_dist_lengths[i] = 5;
    build_codes(fixed_litlen_lengths, 288, fixed_litlen_codes);
    build_codes(fixed_dist_lengths, DIST_CODES, fixed_dist_codes);
  }
  uint32_t litlen_freq[LITLEN_CODES] = {0}, dist_freq[DIST_CODES] = {0}, codelen_freq[CODELEN_CODES] = {0};
  for (int i = 0; i < b->count; i++) {
    unsigned sym = b->litlen[i];
    if (sym < 256) litlen_freq[sym]++;
    else litlen_freq[257 + len_code[sym - 256]]++, dist_freq[dist_code(b->dist[i])]++;
  }
  litlen_freq[256] = 1;

  struct header h;
  build_lengths(litlen_freq, LITLEN_CODES, 15, h.litlen_lengths);
  build_lengths(dist_freq, DIST_CODES, 15, h.dist_lengths);
  for (h.hlit = LITLEN_CODES; h.hlit > 257 && !h.litlen_lengths[h.hlit - 1]; h.hlit--) {}
  for (h.hdist = DIST_CODES; h.hdist > 1 && !h.dist_lengths[h.hdist - 1]; h.hdist--) {}
  run_length_code(&h, codelen_freq);
  build_lengths(codelen_freq, CODELEN_CODES, 7, h.codelen_lengths);
  for (h.hclen = CODELEN_CODES; h.hclen > 4 && !h.codelen_lengths[CODELEN_ORDER[h.hclen - 1]]; h.hclen--) {}

  uint64_t dynamic_bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)h.hclen + symbol_bits(litlen_freq, dist_freq, h.litlen_lengths, h.dist_lengths);
  for (int i = 0; i < CODELEN_CODES; i++) dynamic_bits += (uint64_t)codelen_freq[i] * (h.codelen_lengths[i] + EXTRA_BITS_OF_CODELEN[i]);
  uint64_t fixed_bits = 3 + symbol_bits(litlen_freq, dist_freq, fixed_litlen_lengths, fixed_dist_lengths);
  size_t raw = end - b->start;
  size_t chunks = raw == 0 ? 1 : (raw + 65534) / 65535;
  /* Stored: 3 header bits, padding to a byte, LEN and NLEN, the bytes; each further chunk a header byte more. */
  uint64_t stored_bits = (uint64_t)(((w->count + 3 + 7) & ~7) - w->count) + 32 + 8 * (uint64_t)raw + (chunks - 1) * 40;

  if (stored_bits <= dynamic_bits && stored_bits <= fixed_bits) {
    for (size_t c = 0, at = b->start; c < chunks; c++) {
      size_t n = end - at < 65535 ? end - at : 65535;
      put_bits(w, (final && c == chunks - 1) ? 1 : 0, 3); /* BFINAL, BTYPE 00 */
      align_to_byte(w);
      put_bits(w, (uint32_t)n | (uint32_t)(~n & 0xFFFF) << 16, 32);
      /* Aligned now (count is 0 after whole 32-bit words), so the bytes go out as they are. */
      if (w->pos + n > w->cap) w->overflow = 1;
      else memcpy(w->out + w->pos, in + at, n), w->pos += n;
      at += n;
    }
  } else if (fixed_bits <= dynamic_bits) {
    put_bits(w, final | 1 << 1, 3); /* BTYPE 01 */
    put_symbols(w, b, fixed_litlen_codes, fixed_litlen_lengths, fixed_dist_codes, fixed_dist_lengths);
  } else {
    uint16_t litlen_codes[LITLEN_CODES], dist_codes[DIST_CODES];
    build_codes(h.litlen_lengths, LITLEN_CODES, litlen_codes);
    build_codes(h.dist_lengths, DIST_CODES, dist_codes);
    build_codes(h.codelen_lengths, CODELEN_CODES, h.codelen_codes);
    put_bits(w, final | 2 << 1, 3); /* BTYPE 10 */
    put_bits(w, (uint32_t)(h.hlit - 257), 5);
    put_bits(w, (uint32_t)(h.hdist - 1), 5);
    put_bits(w, (uint32_t)(h.hclen - 4), 4);
    for (int i = 0; i < h.hclen; i++) put_bits(w, h.codelen_lengths[CODELEN_ORDER[i]], 3);
    for (int i = 0; i < h.item_count; i++) {
      int item = h.items[i];
      put_bits(w, h.codelen_codes[item], h.codelen_lengths[item]);
      if (EXTRA_BITS_OF_CODELEN[item]) put_bits(w, h.extra[i], EXTRA_BITS_OF_CODELEN[item]);
    }
    put_symbols(w, b, litlen_codes, h.litlen_lengths, dist_codes, h.dist_lengths);
  }
  b->count = 0;
  b->start = end;
}

/* ---- matching ---- */

struct matcher {
  const uint8_t *in;
  size_t len;
  int32_t head[1 << HASH_BITS];
  int32_t prev[WINDOW]; /* previous position with the same hash, indexed by position mod WINDOW */
  int good, lazy, nice, chain;
};

static uint32_t hash3(const uint8_t *p) {
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
  return (v * 2654435761u) >> (32 - HASH_BITS); /* Knuth's multiplicative hash */
}

/* Adds position pos to its chain; returns the chain's previous head (NIL if none or too few bytes left). */
static int32_t insert(struct matcher *m, size_t pos) {
  if (pos + MIN_MATCH > m->len) return NIL;
  uint32_t h = hash3(m->in + pos);
  int32_t previous = m->head[h];
  m->prev[pos & WINDOW_MASK] = previous;
  m->head[h] = (int32_t)pos;
  return previous;
}

/*
 * The longest match for pos longer than `better_than`, following the chain
 * from `candidate` within MAX_DISTANCE; 0 if none. Chains only go back in
 * position (an entry is overwritten only WINDOW positions later), so they end.
 */
static int longest_match(const struct matcher *m, size_t pos, int32_t candidate, int better_than, unsigned *distance) {
  int max = m->len - pos < MAX_MATCH ? (int)(m->len - pos) : MAX_MATCH;
  int best = better_than, chain = m->chain, nice = m->nice < max ? m->nice : max;
  if (best >= max) return 0;
  if (best >= m->good) chain >>= 2;
  /* NIL (-1) is never above the limit, so one comparison ends the chain at either. */
  int64_t limit = (int64_t)pos - MAX_DISTANCE < NIL ? NIL : (int64_t)pos - MAX_DISTANCE;
  const uint8_t *scan = m->in + pos;
  int found = 0;
  while (candidate > limit && chain-- > 0) {
    const uint8_t *c = m->in + candidate;
    if (c[best] == scan[best] && c[0] == scan[0] && c[1] == scan[1]) {
      int l = 2;
      while (l < max && c[l] == scan[l]) l++;
      if (l > best) {
        best = l;
        found = 1;
        *distance = (unsigned)(pos - (size_t)candidate);
        if (l >= nice) break;
      }
    }
    candidate = m->prev[candidate & WINDOW_MASK];
  }
  return found ? best : 0;
}

static void emit_literal(struct writer *w, struct block *b, const uint8_t *in, size_t pos) {
  b->litlen[b->count] = in[pos];
  b->dist[b->count++] = 0;
  if (b->count == BLOCK_SYMBOLS) flush_block(w, b, in, pos + 1, 0);
}

static void emit_match(struct writer *w, struct block *b, const uint8_t *in, size_t pos, int length, unsigned distance) {
  b->litlen[b->count] = (uint16_t)(256 + length - MIN_MATCH);
  b->dist[b->count++] = (uint16_t)distance;
  if (b->count == BLOCK_SYMBOLS) flush_block(w, b, in, pos + (size_t)length, 0);
}

uint8_t *deflate_compress(const uint8_t *in, size_t len, int level, size_t *out_len) {
  static int ready;
  if (!ready) init_tables(), ready = 1;
  if (level < 1 || level > 9) level = 6;
  struct matcher *m = malloc(sizeof *m);
  struct block *b = malloc(sizeof *b);
  struct writer w = {0};
  w.cap = len + len / 1024 + 64;
  w.out = malloc(w.cap);
  if (!m || !b || !w.out) { free(m); free(b); free(w.out); return NULL; }
  for (size_t i = 0; i < (1u << HASH_BITS); i++) m->head[i] = NIL;
  m->in = in;
  m->len = len;
  m->good = LEVELS[level].good;
  m->lazy = LEVELS[level].lazy;
  m->nice = LEVELS[level].nice;
  m->chain = LEVELS[level].chain;
  b->count = 0;
  b->start = 0;

  int lazy = level >= 4;
  int pending = 0, pending_len = 0; /* lazy: a match (or literal) found at pos - 1, not yet written */
  unsigned pending_dist = 0;
  size_t pos = 0;
  while (pos < len) {
    int32_t candidate = insert(m, pos);
    int length = 0;
    unsigned distance = 0;
    if (candidate != NIL && (!lazy || pending_len < m->lazy)) {
      length = longest_match(m, pos, candidate, lazy && pending_len > MIN_MATCH - 1 ? pending_len : MIN_MATCH - 1, &distance);
      if (length == MIN_MATCH && distance > TOO_FAR) length = 0;
    }
    if (!lazy) {
      if (length >= MIN_MATCH) {
        emit_match(&w, b, in, pos, length, distance);
        /* zlib (deflate_fast) indexes the strings inside a match only when it is short. */
        if (length <= m->lazy) for (int k = 1; k < length; k++) insert(m, pos + (size_t)k);
        pos += (size_t)length;
      } else {
        emit_literal(&w, b, in, pos);
        pos++;
      }
      continue;
    }
    if (pending && pending_len >= MIN_MATCH && length <= pending_len) {
      /* The match found at pos - 1 is at least as long as the one here: take it. */
      emit_match(&w, b, in, pos - 1, pending_len, pending_dist);
      size_t end = pos - 1 + (size_t)pending_len;
      for (size_t k = pos + 1; k < end; k++) insert(m, k);
      pos = end;
      pending = 0;
      pending_len = 0;
    } else {
      if (pending) emit_literal(&w, b, in, pos - 1);
      pending = 1;
      pending_len = length;
      pending_dist = distance;
      pos++;
    }
  }
  /* A match pending at len - 1 would need bytes past the end, so what is pending is a literal. */
  if (pending) emit_literal(&w, b, in, len - 1);
  flush_block(&w, b, in, len, 1);
  align_to_byte(&w);
  free(m);
  free(b);
  if (w.overflow) { free(w.out); return NULL; }
  *out_len = w.pos;
  return w.out;
}
