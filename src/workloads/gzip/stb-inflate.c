/*
 * stb-inflate: compiles stb_image's zlib decoder (public domain / MIT, Sean
 * Barrett; Debian's libstb-dev at /usr/include/stb, stb_image v2.27) into this
 * translation unit only, with the image decoders left out (STBI_ONLY_ZLIB),
 * and wraps it for gzip.c (interface in stb-inflate.h).
 *
 * Why a wrapper reaches into stb's internals (stbi__zbuf, stbi__do_zlib):
 * stb's public calls neither say where a stream ends (needed for the gzip
 * trailer and multi-member files) nor bound output except by a caller's buffer.
 * With the decoder's state at hand:
 *   - the end of the stream is the input pointer less the whole bytes still in
 *     the bit buffer;
 *   - output is decoded into a fixed buffer (not expandable), so a stream that
 *     inflates past the caller's bound fails with "output buffer limit" instead
 *     of allocating;
 *   - stb treats bytes past its input as zeros in places and, elsewhere, fails
 *     at the very end of a raw stream that has no trailer behind it; so the
 *     caller leaves ZS_PADDING bytes after the input, the decoder may read
 *     into them, and a stream that used any of them is truncated (for a
 *     failure: one whose outcome changes with what the padding holds).
 * What stb does not check, which zlib does: distance codes 30-31 and length
 * codes 286-287 (RFC 1951 3.2.6 reserves them; stb decodes them as distance 0
 * or length 0) and incomplete Huffman code sets. For gzip and zlib the CRC-32
 * or Adler-32 check catches what they corrupt; raw deflate has no check.
 *
 * stb_image_write's encoder is not used: it writes one fixed-Huffman block
 * (see deflate.c).
 */
#include "stb-inflate.h"

#include <stdlib.h>
#include <string.h>

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#pragma clang diagnostic ignored "-Wunused-parameter"
#pragma clang diagnostic ignored "-Wsign-compare"

#define STBI_ONLY_ZLIB
#define STBI_SUPPORT_ZLIB
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_NO_SIMD
#define STBI_NO_THREAD_LOCALS
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

#pragma clang diagnostic pop

/* One decoding attempt with the padding after the input filled with `pad`. */
struct attempt { int ok; const char *reason; size_t read, consumed, produced; };

static struct attempt decode(uint8_t *in, size_t len, uint8_t pad, uint8_t *out, size_t cap) {
  stbi__zbuf z;
  struct attempt a;
  memset(in + len, pad, ZS_PADDING);
  z.zbuffer = in;
  z.zbuffer_end = in + len + ZS_PADDING;
  stbi__g_failure_reason = NULL;
  /* stb counts in int; the callers' buffers are far below 2 GiB. */
  a.ok = stbi__do_zlib(&z, (char *)out, (int)cap, 0, 0);
  a.reason = stbi__g_failure_reason;
  a.read = (size_t)(z.zbuffer - in);
  size_t unread = z.num_bits > 0 ? (size_t)z.num_bits / 8 : 0;
  a.consumed = a.read > unread ? a.read - unread : 0;
  a.produced = (size_t)(z.zout - z.zout_start);
  return a;
}

/* stb's reasons (its strings name PNG) in the words of RFC 1951. */
static const char *describe(const char *reason) {
  static const char *const words[][2] = {
    {"bad huffman code", "invalid Huffman code"},
    {"bad dist", "distance too far back"},
    {"bad codelengths", "invalid code lengths"},
    {"bad sizes", "invalid code lengths"},
    {"zlib corrupt", "stored block length does not match its complement"},
  };
  if (!reason) return "invalid block type 3"; /* the one failure stb gives no reason for */
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strcmp(reason, words[i][0]) == 0) return words[i][1];
  return reason;
}

enum zs_status zs_inflate(uint8_t *in, size_t len, uint8_t *out, size_t cap,
                          size_t *consumed, size_t *produced, const char **error) {
  struct attempt a = decode(in, len, 0x00, out, cap);
  *consumed = a.consumed;
  *produced = a.produced;
  *error = NULL;
  if (a.ok) {
    if (a.consumed <= len) return ZS_OK;
    *error = "unexpected end of data";
    return ZS_TRUNCATED;
  }
  if (a.reason && strcmp(a.reason, "output buffer limit") == 0) {
    *error = "output limit";
    return ZS_TOO_LARGE;
  }
  /*
   * stb reads up to 4 bytes ahead, so where it failed does not say whether the
   * failing code needed bytes past the input. Decoding again with other padding
   * does: if the outcome changes, it depended on bytes the input does not have.
   */
  struct attempt b = decode(in, len, 0xFF, out, cap);
  memset(in + len, 0, ZS_PADDING);
  int same = !b.ok && b.reason == a.reason && b.consumed == a.consumed && b.produced == a.produced;
  if (!same || a.consumed > len || (a.reason && strcmp(a.reason, "read past buffer") == 0)) {
    *error = "unexpected end of data";
    return ZS_TRUNCATED;
  }
  *error = describe(a.reason);
  return ZS_CORRUPT;
}
