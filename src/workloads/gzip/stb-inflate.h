/*
 * stb-inflate: the DEFLATE (RFC 1951) decoder of Sean Barrett's stb_image,
 * behind an interface that reports where a stream ends, why it failed and when
 * it would exceed its output bound. See stb-inflate.c for what stb does and
 * does not check.
 */
#ifndef ZEROSTATE_STB_INFLATE_H
#define ZEROSTATE_STB_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/* Writable bytes that must follow the input of zs_inflate, which fills them (stb reads ahead; see stb-inflate.c). */
#define ZS_PADDING 16

enum zs_status { ZS_OK, ZS_CORRUPT, ZS_TRUNCATED, ZS_TOO_LARGE };

/*
 * Inflates the raw DEFLATE stream at in[0..len) into out[0..cap). Back
 * references may reach only into this call's output. On ZS_OK, *consumed is
 * the stream's length in bytes (its last byte partly used), so whatever
 * follows (a trailer, another member) starts at in + *consumed. On failure,
 * *error says why and *consumed is about where. *produced is the bytes written.
 */
enum zs_status zs_inflate(uint8_t *in, size_t len, uint8_t *out, size_t cap,
                          size_t *consumed, size_t *produced, const char **error);

#endif
