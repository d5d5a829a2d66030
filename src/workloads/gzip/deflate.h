/*
 * deflate: a DEFLATE (RFC 1951) encoder with zlib's match finder and dynamic
 * Huffman blocks. See deflate.c.
 */
#ifndef ZEROSTATE_DEFLATE_H
#define ZEROSTATE_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Compresses in[0..len) (len below 1 GiB) at level 1-9 (zlib's meaning: 1
 * fastest, 9 smallest) into one raw DEFLATE stream. Returns a malloc'd buffer
 * and its length in *out_len, or NULL when out of memory. The output is never
 * more than len + len / 1024 + 64 bytes (stored blocks' framing).
 */
uint8_t *deflate_compress(const uint8_t *in, size_t len, int level, size_t *out_len);

#endif
