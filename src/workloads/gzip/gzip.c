/*
 * gzip: compresses or decompresses gzip (RFC 1952), zlib (RFC 1950) and raw
 * DEFLATE (RFC 1951) data as a WASI command.
 *
 *   gzip [-d] [--format gzip|zlib|deflate] [--level 1-9] [-o NAME] [PATH]
 *
 * Reads stdin, or PATH in the task's /work directory ("x" or "/work/x"), and
 * writes the result to /work/NAME (default: out.gz, out.zz or out.deflate when
 * compressing, out when decompressing -d). Prints one JSON line on stdout:
 *   {"mode":"compress","format":"gzip","inputBytes":N,"outputBytes":M,"crc32":"1a2b3c4d"}
 * crc32 is the CRC-32 (hex) of the uncompressed data, whichever the direction.
 *
 * Compression: the DEFLATE encoder in deflate.c (zlib's match finder and
 * levels, dynamic Huffman blocks); --level 1-9 as zlib's, default 6. The gzip
 * header has no name and MTIME 0, so the same input always gives the same bytes.
 *
 * Decompression: stb_image's inflate (stb-inflate.c), with the framing checked here: gzip's
 * magic, method, reserved flags, FEXTRA/FNAME/FCOMMENT, the header CRC
 * (FHCRC), CRC-32 and ISIZE of every member; gzip files of several members are
 * decompressed one after the other (RFC 1952 2.2), data after the last member
 * is an error. zlib: method 8, window at most 32 KiB, the check bits, no
 * preset dictionary, Adler-32.
 *
 * Limits: input at most 4 MiB on stdin (the sandbox's cap), 8 MiB from /work
 * when compressing and 16 MiB when decompressing; output so that /work stays
 * within its 16 MiB (16 MiB less the input file, if there is one). Past a
 * limit, and on corrupt, truncated or non-matching data: exit status 2 and one
 * line on stderr "gzip: <message>" that says which member and byte offset.
 *
 * Written for ZeroState; the DEFLATE decoder is stb's (public domain, Sean
 * Barrett), the encoder follows zlib's (Jean-loup Gailly, Mark Adler).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deflate.h"
#include "stb-inflate.h"

#define WORK_CAP (16u << 20)        /* the sandbox's limit on /work */
#define MAX_COMPRESS_INPUT (8u << 20)
#define MAX_DECOMPRESS_INPUT (16u << 20)

enum format { GZIP, ZLIB, DEFLATE };
static const char *const FORMAT_NAMES[] = {"gzip", "zlib", "deflate"};

static void fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("gzip: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(2);
}

/* ---- checksums ---- */

static uint32_t crc_table[256];

/* CRC-32 of ISO 3309 / ITU-T V.42 as RFC 1952 section 8 computes it (reflected, polynomial 0xEDB88320). */
static void crc32_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n) {
  crc = ~crc;
  for (size_t i = 0; i < n; i++) crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

/* Adler-32, RFC 1950 section 8.2; 5552 is the most bytes before s2 could overflow 32 bits. */
static uint32_t adler32(const uint8_t *p, size_t n) {
  uint32_t s1 = 1, s2 = 0;
  while (n > 0) {
    size_t block = n < 5552 ? n : 5552;
    n -= block;
    while (block--) { s1 += *p++; s2 += s1; }
    s1 %= 65521;
    s2 %= 65521;
  }
  return (s2 << 16) | s1;
}

static uint32_t le32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* ---- files ---- */

static void work_path(char *full, size_t size, const char *name) {
  if (strncmp(name, "/work/", 6) == 0) name += 6;
  if (name[0] == 0 || name[0] == '/') fail("path %s is not a file name in /work", name);
  snprintf(full, size, "/work/%s", name);
}

/* Reads all of the input into a buffer with ZS_PADDING bytes to spare after it (stb-inflate.h). */
static uint8_t *read_input(const char *path, size_t limit, size_t *len) {
  FILE *file = stdin;
  char full[4096];
  if (path) {
    work_path(full, sizeof full, path);
    file = fopen(full, "rb");
    if (!file) fail("cannot open %s", full);
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buffer = malloc(cap + ZS_PADDING);
  for (;;) {
    if (!buffer) fail("out of memory reading the input");
    if (n == cap) {
      if (cap > limit) break; /* limit + 1 bytes read: too large */
      cap = cap * 2 > limit + 1 ? limit + 1 : cap * 2;
      buffer = realloc(buffer, cap + ZS_PADDING);
      continue;
    }
    size_t got = fread(buffer + n, 1, cap - n, file);
    if (got == 0) break;
    n += got;
  }
  if (ferror(file)) fail("cannot read the input");
  if (n > limit) fail("input is larger than the %u MiB limit", (unsigned)(limit >> 20));
  memset(buffer + n, 0, ZS_PADDING);
  *len = n;
  return buffer;
}

static void write_output(const char *name, const uint8_t *parts[], const size_t sizes[], int count) {
  char full[4096];
  work_path(full, sizeof full, name);
  FILE *file = fopen(full, "wb");
  if (!file) fail("cannot create %s", full);
  for (int i = 0; i < count; i++)
    if (sizes[i] && fwrite(parts[i], 1, sizes[i], file) != sizes[i]) fail("cannot write %s", full);
  if (fclose(file) != 0) fail("cannot write %s", full);
}

/* ---- compression ---- */

static size_t compress(enum format format, int level, const uint8_t *in, size_t len, size_t out_limit,
                       const char *name, uint32_t *crc) {
  size_t body_len;
  uint8_t *body = deflate_compress(in, len, level, &body_len);
  if (!body) fail("out of memory compressing %zu bytes", len);
  *crc = crc32_update(0, in, len);
  uint8_t head[10], tail[8];
  size_t head_len = 0, tail_len = 0;
  if (format == GZIP) {
    /* RFC 1952 2.3: no FLG bits, MTIME 0, XFL 2 (slowest) or 4 (fastest), OS 255 (unknown). */
    const uint8_t gzip_head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level == 9 ? 2 : level == 1 ? 4 : 0, 255};
    memcpy(head, gzip_head, 10);
    head_len = 10;
    for (int i = 0; i < 4; i++) tail[i] = (uint8_t)(*crc >> 8 * i), tail[4 + i] = (uint8_t)(len >> 8 * i);
    tail_len = 8;
  } else if (format == ZLIB) {
    /* RFC 1950 2.2: CM 8 with a 32 KiB window (0x78), FLEVEL as zlib sets it, check bits making a multiple of 31. */
    int flevel = level == 1 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
    head[0] = 0x78;
    head[1] = (uint8_t)(flevel << 6);
    head[1] |= (uint8_t)(31 - (head[0] * 256u + head[1]) % 31);
    head_len = 2;
    uint32_t adler = adler32(in, len);
    for (int i = 0; i < 4; i++) tail[i] = (uint8_t)(adler >> (24 - 8 * i));
    tail_len = 4;
  }
  size_t total = head_len + body_len + tail_len;
  if (total > out_limit) fail("output of %zu bytes would not fit in /work (at most %zu bytes)", total, out_limit);
  const uint8_t *parts[] = {head, body, tail};
  const size_t sizes[] = {head_len, body_len, tail_len};
  write_output(name, parts, sizes, 3);
  free(body);
  return total;
}

/* ---- decompression ---- */

static const char *inflate_failure(enum zs_status status, const char *error, size_t limit) {
  static char message[128];
  if (status == ZS_TOO_LARGE) snprintf(message, sizeof message, "output exceeds the limit of %zu bytes", limit);
  else if (status == ZS_TRUNCATED) snprintf(message, sizeof message, "truncated deflate data");
  else snprintf(message, sizeof message, "corrupt deflate data (%s)", error);
  return message;
}

/* Inflates the DEFLATE stream at in[start..len) after out[0..*produced); returns where it ends. */
static size_t inflate_at(uint8_t *in, size_t len, size_t start, uint8_t *out, size_t limit,
                         size_t *produced, const char *what) {
  size_t consumed, made;
  const char *error;
  enum zs_status status = zs_inflate(in + start, len - start, out + *produced, limit - *produced, &consumed, &made, &error);
  /* stb may have read into the padding past the input: name the input's end then. */
  size_t at = start + consumed < len ? start + consumed : len;
  if (status != ZS_OK) fail("%s in %s, near byte offset %zu", inflate_failure(status, error, limit), what, at);
  *produced += made;
  return start + consumed;
}

/* Parses one gzip member header at in[pos..len) (RFC 1952 2.3.1); returns where its DEFLATE data starts. */
static size_t gzip_header(const uint8_t *in, size_t len, size_t pos, int member) {
  size_t start = pos, have = len - pos;
  /* A prefix of the magic bytes is a cut-off header; anything else is not gzip (or trails the last member). */
  if (memcmp(in + pos, "\x1f\x8b", have < 2 ? have : 2) != 0) {
    if (member == 1) fail("not in gzip format (no magic bytes 1f 8b at byte offset 0)");
    fail("unexpected data after gzip member %d at byte offset %zu", member - 1, pos);
  }
  if (have < 10) fail("truncated header in gzip member %d at byte offset %zu", member, len);
  if (in[pos + 2] != 8) fail("unknown compression method %d in gzip member %d at byte offset %zu", in[pos + 2], member, pos + 2);
  uint8_t flags = in[pos + 3];
  if (flags & 0xE0) fail("reserved flag bits set in gzip member %d at byte offset %zu", member, pos + 3);
  pos += 10;
  if (flags & 4) { /* FEXTRA */
    if (len - pos < 2) fail("truncated header in gzip member %d at byte offset %zu", member, pos);
    size_t xlen = in[pos] | (size_t)in[pos + 1] << 8;
    pos += 2;
    if (len - pos < xlen) fail("truncated header in gzip member %d at byte offset %zu", member, pos);
    pos += xlen;
  }
  for (int field = 8; field <= 16; field *= 2) { /* FNAME, FCOMMENT: zero-terminated */
    if (!(flags & field)) continue;
    const uint8_t *end = memchr(in + pos, 0, len - pos);
    if (!end) fail("truncated header in gzip member %d at byte offset %zu", member, len);
    pos = (size_t)(end - in) + 1;
  }
  if (flags & 2) { /* FHCRC: the low 16 bits of the CRC-32 of the header so far */
    if (len - pos < 2) fail("truncated header in gzip member %d at byte offset %zu", member, pos);
    uint32_t want = in[pos] | (uint32_t)in[pos + 1] << 8;
    uint32_t got = crc32_update(0, in + start, pos - start) & 0xFFFF;
    if (want != got) fail("header CRC mismatch in gzip member %d at byte offset %zu (stored %04x, computed %04x)", member, pos, want, got);
    pos += 2;
  }
  return pos;
}

static size_t decompress_gzip(uint8_t *in, size_t len, uint8_t *out, size_t limit, uint32_t *crc) {
  size_t pos = 0, produced = 0;
  *crc = 0;
  for (int member = 1; member == 1 || pos < len; member++) {
    pos = gzip_header(in, len, pos, member);
    char what[32];
    snprintf(what, sizeof what, "gzip member %d", member);
    size_t before = produced;
    pos = inflate_at(in, len, pos, out, limit, &produced, what);
    if (len - pos < 8) fail("truncated trailer in gzip member %d at byte offset %zu", member, pos);
    uint32_t want_crc = le32(in + pos), want_size = le32(in + pos + 4);
    uint32_t member_crc = crc32_update(0, out + before, produced - before);
    if (want_crc != member_crc)
      fail("CRC-32 mismatch in gzip member %d at byte offset %zu (stored %08x, computed %08x)", member, pos, want_crc, member_crc);
    if (want_size != (uint32_t)(produced - before))
      fail("ISIZE mismatch in gzip member %d at byte offset %zu (stored %u, decompressed %zu bytes)", member, pos + 4, want_size, produced - before);
    *crc = crc32_update(*crc, out + before, produced - before);
    pos += 8;
  }
  return produced;
}

static size_t decompress_zlib(uint8_t *in, size_t len, uint8_t *out, size_t limit, uint32_t *crc) {
  if (len < 2) fail("not in zlib format (%zu bytes, a header alone is 2)", len);
  /* RFC 1950 2.2: CM 8, CINFO at most 7 (32 KiB window), (CMF*256 + FLG) a multiple of 31, FDICT unset. */
  if ((in[0] & 15) != 8 || (in[0] >> 4) > 7) fail("not in zlib format (method/window byte %02x at byte offset 0)", in[0]);
  if ((in[0] * 256u + in[1]) % 31 != 0) fail("not in zlib format (header check bits wrong at byte offset 1)");
  if (in[1] & 32) fail("zlib stream needs a preset dictionary (byte offset 1), which is not supported");
  size_t produced = 0;
  size_t pos = inflate_at(in, len, 2, out, limit, &produced, "zlib stream");
  if (len - pos < 4) fail("truncated Adler-32 trailer at byte offset %zu", pos);
  uint32_t want = be32(in + pos), got = adler32(out, produced);
  if (want != got) fail("Adler-32 mismatch at byte offset %zu (stored %08x, computed %08x)", pos, want, got);
  if (pos + 4 != len) fail("unexpected data after the zlib stream at byte offset %zu", pos + 4);
  *crc = crc32_update(0, out, produced);
  return produced;
}

static size_t decompress_deflate(uint8_t *in, size_t len, uint8_t *out, size_t limit, uint32_t *crc) {
  size_t produced = 0;
  size_t pos = inflate_at(in, len, 0, out, limit, &produced, "deflate stream");
  if (pos != len) fail("unexpected data after the deflate stream at byte offset %zu", pos);
  *crc = crc32_update(0, out, produced);
  return produced;
}

/* ---- command line ---- */

int main(int argc, char **argv) {
  int decompress = 0, level = 6;
  enum format format = GZIP;
  const char *path = NULL, *name = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-d") == 0 || strcmp(a, "--decompress") == 0) decompress = 1;
    else if (strcmp(a, "--format") == 0) {
      if (++i >= argc) fail("--format needs gzip, zlib or deflate");
      if (strcmp(argv[i], "gzip") == 0) format = GZIP;
      else if (strcmp(argv[i], "zlib") == 0) format = ZLIB;
      else if (strcmp(argv[i], "deflate") == 0) format = DEFLATE;
      else fail("unknown format %s (gzip, zlib or deflate)", argv[i]);
    } else if (strcmp(a, "--level") == 0) {
      if (++i >= argc || strlen(argv[i]) != 1 || argv[i][0] < '1' || argv[i][0] > '9') fail("--level needs a digit 1-9");
      level = argv[i][0] - '0';
    } else if (a[0] == '-' && a[1] >= '1' && a[1] <= '9' && a[2] == 0) level = a[1] - '0';
    else if (strcmp(a, "-o") == 0) {
      if (++i >= argc) fail("-o needs a file name");
      name = argv[i];
    } else if (a[0] == '-' && a[1] != 0) fail("unknown option %s (options: -d --format F --level N -o NAME)", a);
    else if (path) fail("more than one input path");
    else path = a;
  }
  static const char *const DEFAULT_NAMES[] = {"out.gz", "out.zz", "out.deflate"};
  if (!name) name = decompress ? "out" : DEFAULT_NAMES[format];
  crc32_init();

  size_t len;
  uint8_t *in = read_input(path, decompress ? MAX_DECOMPRESS_INPUT : MAX_COMPRESS_INPUT, &len);
  /* The input file stays in /work beside the output. */
  size_t out_limit = WORK_CAP - (path ? len : 0);
  size_t out_len;
  uint32_t crc;
  if (!decompress) {
    out_len = compress(format, level, in, len, out_limit, name, &crc);
  } else {
    if (len == 0) fail("empty input (not %s data)", FORMAT_NAMES[format]);
    uint8_t *out = malloc(out_limit > 0 ? out_limit : 1);
    if (!out) fail("out of memory for %zu bytes of output", out_limit);
    if (format == GZIP) out_len = decompress_gzip(in, len, out, out_limit, &crc);
    else if (format == ZLIB) out_len = decompress_zlib(in, len, out, out_limit, &crc);
    else out_len = decompress_deflate(in, len, out, out_limit, &crc);
    const uint8_t *parts[] = {out};
    const size_t sizes[] = {out_len};
    write_output(name, parts, sizes, 1);
  }
  printf("{\"mode\":\"%s\",\"format\":\"%s\",\"inputBytes\":%zu,\"outputBytes\":%zu,\"crc32\":\"%08x\"}\n",
         decompress ? "decompress" : "compress", FORMAT_NAMES[format], len, out_len, crc);
  return 0;
}
