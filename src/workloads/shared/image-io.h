/*
 * image-io: reading, decoding and writing images for the WASI image workloads
 * (src/workloads/image/ and others), on top of stb_image / stb_image_write
 * (compiled once, in stb-impl.c). Add both image-io.c and stb-impl.c to a
 * workload's build.json "sources", with "-isystem /usr/include/stb" in "cflags".
 *
 * Formats: PNG (8 or 16 bits per channel; decoded to 8) and baseline or
 * progressive JPEG. Limits (a workload's memory is reserved up front, 48 MiB
 * at most): IMAGE_MAX_INPUT bytes of encoded input, IMAGE_MAX_SIDE pixels on a
 * side, IMAGE_MAX_PIXELS pixels (half that for 16-bit PNGs, whose decoder holds
 * 16-bit copies). At the limit an RGBA image is 12 MiB; the worst phases are a
 * progressive 4:4:4 JPEG's decode (coefficients, planes and output: about 4×
 * the 9 MiB RGB image) and an operation holding input and output images plus
 * its own buffers (about 30 MiB), which leaves room in 48 MiB. Encoding needs
 * the image and its compressed stream only (see write_png in image-io.c).
 *
 * Errors: a function that fails returns 0 (or NULL) and leaves a one-line
 * message for image_error(), e.g. "image is 5000×4000 pixels; the limit is …",
 * "truncated JPEG (no end-of-image marker after the last scan)", "corrupt PNG
 * (CRC mismatch in the IDAT chunk)", "not a PNG or JPEG image". A workload
 * prints it as "<id>: <message>" and exits with status 2.
 *
 * Credits: stb_image and stb_image_write by Sean Barrett, public domain / MIT
 * (https://github.com/nothings/stb; Debian's libstb-dev).
 */
#ifndef ZEROSTATE_IMAGE_IO_H
#define ZEROSTATE_IMAGE_IO_H

#include <stddef.h>

/** The sandbox's stdin cap; files in /work are held to the same limit. */
#define IMAGE_MAX_INPUT (4u << 20)
#define IMAGE_MAX_SIDE 4096
/** 3 MP (2048×1536): 12 MiB as RGBA. */
#define IMAGE_MAX_PIXELS (3u << 20)
/** The limits as the error messages state them. */
#define IMAGE_LIMIT_TEXT "4096 pixels on a side and 3145728 pixels (3 MP; 1572864 for 16-bit PNG)"

typedef enum { IMAGE_PNG, IMAGE_JPEG } image_format;

typedef struct {
  int width, height;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
  int channels;
  /** Row-major, width*channels bytes a row, no padding; malloc'd (image_free). */
  unsigned char *pixels;
} image;

/** The last failure's message (one line, no trailing newline). */
const char *image_error(void);
/** Sets that message (printf-style), for a workload's own image steps; returns 0. */
int image_fail(const char *format, ...) __attribute__((format(printf, 1, 2)));

/** "png" / "jpeg". */
const char *image_format_name(image_format format);
/** Parses "png", "jpeg" or "jpg"; 0 if it is none of them. */
int image_parse_format(const char *name, image_format *format);

/**
 * Reads all of a file, or of stdin when path is NULL or "-", into a malloc'd
 * buffer (free() it). Fails on a read error, empty input, or more than limit bytes.
 */
unsigned char *image_read_all(const char *path, size_t limit, size_t *size);

/**
 * Width, height, channels and format of an encoded image, from its header only,
 * checked against the limits. 1 on success.
 */
int image_probe(const unsigned char *data, size_t size, int *width, int *height, int *channels, image_format *format);

/**
 * Decodes a PNG or JPEG to 8 bits per channel: `channels` 1-4, or 0 for the
 * image's own (JPEG: 1 or 3; PNG: 1-4, palette images by their alpha). Checks
 * the limits before decoding anything, PNG chunk CRCs and that a JPEG is
 * complete (stb_image would quietly fill a truncated one with gray).
 * `format` may be NULL. 1 on success.
 */
int image_decode(const unsigned char *data, size_t size, int channels, image *out, image_format *format);

/** Whether width × height is within the limits (0 with a message if not). */
int image_check_size(int width, int height);

/** Allocates an image (pixels uninitialised); 0 with a message if memory runs out. */
int image_alloc(image *img, int width, int height, int channels);
void image_free(image *img);

/**
 * Encodes an image as PNG or JPEG (quality 1-100; ignored for PNG) and writes
 * it to path, creating or replacing the file. Consumes the pixels (the PNG
 * encoder filters them in place to save an image-sized buffer): img->pixels is
 * freed, success or not; width, height and channels stay readable. JPEG has no
 * alpha channel: an image with alpha is composited onto white first (then
 * img->channels is 1 or 3). Deterministic: same pixels, same bytes. On
 * success returns 1 and, if bytes is not NULL, the file's size.
 */
int image_write(const char *path, image *img, image_format format, int quality, size_t *bytes);

/**
 * The workload's id, for the one failure that cannot be returned: memory
 * running out inside stb_image_write's deflate, which then prints
 * "<image_program>: not enough memory to compress the image" and exits with
 * status 2 (where stb itself would trap). Set it at the start of main.
 */
extern const char *image_program;

#endif
