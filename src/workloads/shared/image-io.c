/*
 * image-io: read, check, decode and write PNG/JPEG images for the WASI image
 * workloads. The API, the limits and the error convention are in image-io.h;
 * stb_image and stb_image_write (Sean Barrett, public domain / MIT) are
 * compiled in stb-impl.c.
 *
 * stb_image is lenient where a workload should not be: it skips PNG CRCs and
 * pads a truncated JPEG with gray, so a damaged upload would "work" and give a
 * wrong picture. Before decoding, this file checks every PNG chunk's CRC and
 * that a JPEG ends with its end-of-image marker, and it refuses an image over
 * the limits from its header, before any pixel memory is allocated.
 */
#include "image-io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb_image.h>
#include <stb_image_write.h>

/* Defined by stb_image_write's implementation (stb-impl.c) but not declared in its header. */
unsigned char *stbi_zlib_compress(unsigned char *data, int data_len, int *out_len, int quality);

static char error_text[256];

int image_fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(error_text, sizeof error_text, format, args);
  va_end(args);
  return 0;
}

#define fail image_fail

const char *image_error(void) { return error_text; }

const char *image_format_name(image_format format) { return format == IMAGE_JPEG ? "jpeg" : "png"; }

int image_parse_format(const char *name, image_format *format) {
  if (strcmp(name, "png") == 0) *format = IMAGE_PNG;
  else if (strcmp(name, "jpeg") == 0 || strcmp(name, "jpg") == 0) *format = IMAGE_JPEG;
  else return 0;
  return 1;
}

/* ---- reading ---- */

unsigned char *image_read_all(const char *path, size_t limit, size_t *size) {
  int from_stdin = path == NULL || strcmp(path, "-") == 0;
  const char *name = from_stdin ? "stdin" : path;
  int fd = from_stdin ? 0 : open(path, O_RDONLY);
  if (fd < 0) { fail("cannot open %s: %s", name, strerror(errno)); return NULL; }
  /* A file's size is known; stdin grows by doubling, never past limit + 1 (the +1 detects "over"). */
  size_t capacity = 64 << 10, used = 0;
  struct stat st;
  if (!from_stdin && fstat(fd, &st) == 0 && st.st_size > 0) {
    if ((uint64_t)st.st_size > limit) {
      close(fd);
      fail("%s is %llu bytes; the limit is %zu bytes (%zu MiB)", name, (unsigned long long)st.st_size, limit, limit >> 20);
      return NULL;
    }
    capacity = (size_t)st.st_size + 1;
  }
  unsigned char *data = malloc(capacity);
  if (data == NULL) { if (!from_stdin) close(fd); fail("not enough memory to read %s", name); return NULL; }
  for (;;) {
    if (used == capacity) {
      if (capacity > limit) break;
      size_t next = capacity * 2 > limit + 1 ? limit + 1 : capacity * 2;
      unsigned char *grown = realloc(data, next);
      if (grown == NULL) { free(data); if (!from_stdin) close(fd); fail("not enough memory to read %s", name); return NULL; }
      data = grown;
      capacity = next;
    }
    ssize_t n = read(fd, data + used, capacity - used);
    if (n < 0) { free(data); if (!from_stdin) close(fd); fail("cannot read %s: %s", name, strerror(errno)); return NULL; }
    if (n == 0) break;
    used += (size_t)n;
  }
  if (!from_stdin) close(fd);
  if (used > limit) { free(data); fail("%s is over the limit of %zu bytes (%zu MiB)", name, limit, limit >> 20); return NULL; }
  if (used == 0) { free(data); fail("%s is empty", name); return NULL; }
  *size = used;
  return data;
}

/* ---- format checks stb_image does not make ---- */

static const unsigned char PNG_SIGNATURE[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static int sniff(const unsigned char *data, size_t size, image_format *format) {
  if (size >= 8 && memcmp(data, PNG_SIGNATURE, 8) == 0) *format = IMAGE_PNG;
  else if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) *format = IMAGE_JPEG;
  else return fail("not a PNG or JPEG image (unsupported format)");
  return 1;
}

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* CRC-32 as the PNG specification (ISO/IEC 15948, annex D) defines it; crc32_of(crc32_of(0, a), b) is the CRC of a then b. */
static uint32_t crc32_of(uint32_t crc, const unsigned char *p, size_t n) {
  static uint32_t table[256];
  if (table[1] == 0) {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
  }
  uint32_t c = crc ^ 0xffffffffu;
  for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

/* Every chunk is whole and its CRC right, up to an IEND. */
static int check_png(const unsigned char *data, size_t size) {
  size_t at = 8;
  for (;;) {
    if (size - at < 12) return fail("truncated PNG (it ends before the IEND chunk)");
    uint32_t length = be32(data + at);
    char type[5] = {0};
    memcpy(type, data + at + 4, 4);
    for (int i = 0; i < 4; i++) if (!((type[i] >= 'A' && type[i] <= 'Z') || (type[i] >= 'a' && type[i] <= 'z'))) type[i] = '?';
    if (length > size - at - 12) return fail("truncated PNG (the %s chunk is cut short)", type);
    if (crc32_of(0, data + at + 4, 4 + (size_t)length) != be32(data + at + 8 + length))
      return fail("corrupt PNG (CRC mismatch in the %s chunk)", type);
    if (memcmp(type, "IEND", 4) == 0) return 1;
    at += 12 + (size_t)length;
  }
}

/*
 * A complete JPEG has an end-of-image marker (FF D9) after its last
 * start-of-scan (FF DA). Entropy-coded data never holds FF followed by D9 or
 * DA (an FF there is stuffed as FF 00), and an Exif thumbnail's markers all
 * come before the main image's first scan.
 */
static int check_jpeg(const unsigned char *data, size_t size) {
  size_t last_sos = 0, last_eoi = 0;
  for (size_t i = 2; i + 1 < size; i++) {
    if (data[i] != 0xff) continue;
    if (data[i + 1] == 0xda) last_sos = i;
    else if (data[i + 1] == 0xd9) last_eoi = i;
  }
  if (last_sos == 0) return fail("truncated JPEG (no image data: it ends before the first scan)");
  if (last_eoi < last_sos) return fail("truncated JPEG (no end-of-image marker after the last scan)");
  return 1;
}

/* stb_image's short reasons ("bad huffman code", "outofmem", …) as messages. */
static int decode_failure(image_format format) {
  const char *reason = stbi_failure_reason();
  if (reason == NULL) reason = "unknown error";
  if (strcmp(reason, "outofmem") == 0) return fail("not enough memory to decode the image");
  return fail("corrupt %s (%s)", format == IMAGE_JPEG ? "JPEG" : "PNG", reason);
}

/* ---- limits, probing, decoding ---- */

static int check_limits(int width, int height, int sixteen_bit) {
  uint64_t pixels = (uint64_t)width * (uint64_t)height;
  uint64_t max_pixels = sixteen_bit ? IMAGE_MAX_PIXELS / 2 : IMAGE_MAX_PIXELS;
  if (width > IMAGE_MAX_SIDE || height > IMAGE_MAX_SIDE || pixels > max_pixels)
    return fail("image is %d×%d pixels%s; the limit is " IMAGE_LIMIT_TEXT, width, height, sixteen_bit ? " at 16 bits" : "");
  return 1;
}

int image_check_size(int width, int height) {
  if (width < 1 || height < 1) return fail("image size %d×%d is empty", width, height);
  return check_limits(width, height, 0);
}

int image_probe(const unsigned char *data, size_t size, int *width, int *height, int *channels, image_format *format) {
  image_format f;
  if (!sniff(data, size, &f)) return 0;
  if (size > INT32_MAX) return fail("image is too many bytes");
  if (!stbi_info_from_memory(data, (int)size, width, height, channels)) return decode_failure(f);
  if (!check_limits(*width, *height, f == IMAGE_PNG && stbi_is_16_bit_from_memory(data, (int)size))) return 0;
  if (format != NULL) *format = f;
  return 1;
}

int image_decode(const unsigned char *data, size_t size, int channels, image *out, image_format *format) {
  int width, height, own_channels;
  image_format f;
  if (channels < 0 || channels > 4) return fail("cannot decode to %d channels", channels);
  /* Structure first, so that a cut-short file is called truncated whatever part is missing. */
  if (!sniff(data, size, &f)) return 0;
  if (!(f == IMAGE_PNG ? check_png(data, size) : check_jpeg(data, size))) return 0;
  if (!image_probe(data, size, &width, &height, &own_channels, &f)) return 0;
  int got;
  unsigned char *pixels = stbi_load_from_memory(data, (int)size, &width, &height, &got, channels);
  if (pixels == NULL) return decode_failure(f);
  out->width = width;
  out->height = height;
  out->channels = channels != 0 ? channels : got;
  out->pixels = pixels;
  if (format != NULL) *format = f;
  return 1;
}

/* ---- buffers ---- */

int image_alloc(image *img, int width, int height, int channels) {
  img->width = width;
  img->height = height;
  img->channels = channels;
  img->pixels = malloc((size_t)width * (size_t)height * (size_t)channels);
  if (img->pixels == NULL) return fail("not enough memory for a %d×%d image", width, height);
  return 1;
}

/* stbi_image_free is free() here (the default STBI_FREE), so one function frees both kinds. */
void image_free(image *img) {
  free(img->pixels);
  img->pixels = NULL;
}

/* ---- writing ---- */

/* JPEG has no alpha: blend onto white, v = (c·a + 255·(255 − a)) / 255 rounded, packing in place. */
static void flatten_alpha(image *img) {
  if (img->channels != 2 && img->channels != 4) return;
  int color = img->channels - 1;
  size_t n = (size_t)img->width * (size_t)img->height;
  const unsigned char *src = img->pixels;
  unsigned char *dst = img->pixels;
  for (size_t i = 0; i < n; i++, src += img->channels) {
    unsigned a = src[color];
    for (int c = 0; c < color; c++) *dst++ = (unsigned char)((src[c] * a + 255 * (255 - a) + 127) / 255);
  }
  img->channels = color;
}

/*
 * Output goes through a 64 KiB buffer: stb's JPEG encoder hands over 64 bytes
 * at a time, and each write() is a call out of the sandbox, costly enough
 * that unbuffered they took most of the run time.
 */
typedef struct { int fd; int failed; int error; size_t bytes; size_t held; unsigned char buffer[64 << 10]; } sink;

static void flush(sink *s) {
  const unsigned char *p = s->buffer;
  while (!s->failed && s->held > 0) {
    ssize_t n = write(s->fd, p, s->held);
    if (n <= 0) { s->failed = 1; s->error = n < 0 ? errno : EIO; break; }
    p += n;
    s->held -= (size_t)n;
  }
  s->held = 0;
}

static void write_to_fd(void *context, void *data, int size) {
  sink *s = context;
  const unsigned char *p = data;
  size_t left = (size_t)size;
  s->bytes += left;
  while (left > 0) {
    if (s->held == sizeof s->buffer) flush(s);
    size_t n = sizeof s->buffer - s->held < left ? sizeof s->buffer - s->held : left;
    memcpy(s->buffer + s->held, p, n);
    s->held += n;
    p += n;
    left -= n;
  }
}

static void put32(unsigned char *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

/* One chunk: length, type, data, CRC of type and data (PNG spec, 5.3). */
static void write_chunk(sink *s, const char *type, const unsigned char *data, uint32_t length) {
  unsigned char head[8], tail[4];
  put32(head, length);
  memcpy(head + 4, type, 4);
  put32(tail, crc32_of(crc32_of(0, head + 4, 4), data, length));
  write_to_fd(s, head, 8);
  if (length > 0) write_to_fd(s, (void *)data, (int)length);
  write_to_fd(s, tail, 4);
}

static int paeth(int a, int b, int c) {
  int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/*
 * Row `cur` filtered with PNG filter type f (PNG spec, 9.2) into out; prev is
 * the row above, or NULL for the first row. The first bpp bytes have no left
 * neighbour (a = c = 0), so they are done apart and the main loops have no
 * tests: this runs five times a row.
 */
static void filter_row(int f, const unsigned char *cur, const unsigned char *prev, int bpp, size_t length, unsigned char *out) {
  static unsigned char zero[4 * IMAGE_MAX_SIDE]; /* not const: .bss, not 16 KiB of zeros in the module */
  if (prev == NULL) prev = zero;
  size_t head = (size_t)bpp < length ? (size_t)bpp : length;
  for (size_t i = 0; i < head; i++) {
    int b = prev[i];
    out[i] = (unsigned char)(cur[i] - (f == 2 || f == 4 ? b : f == 3 ? b / 2 : 0));
  }
  switch (f) {
    case 0: memcpy(out + head, cur + head, length - head); break;
    case 1: for (size_t i = head; i < length; i++) out[i] = (unsigned char)(cur[i] - cur[i - bpp]); break;
    case 2: for (size_t i = head; i < length; i++) out[i] = (unsigned char)(cur[i] - prev[i]); break;
    case 3: for (size_t i = head; i < length; i++) out[i] = (unsigned char)(cur[i] - ((cur[i - bpp] + prev[i]) >> 1)); break;
    default: for (size_t i = head; i < length; i++) out[i] = (unsigned char)(cur[i] - paeth(cur[i - bpp], prev[i], prev[i - bpp])); break;
  }
}

/*
 * PNG through stb_image_write's deflate, but filtering the rows in place so
 * that the pixels and a filtered copy are never both held (stb's own
 * stbi_write_png keeps both, plus the compressed stream: 3 image-sized
 * buffers, over the memory budget at the 3 MP limit). Rows are filtered from
 * the bottom up, each into its final place (row j at j·(stride+1), after its
 * filter-type byte): row j's filters need row j−1, which lies below that
 * offset and so is still intact. The filter per row is stb's choice: the one
 * with the least sum of |signed bytes| (a standard heuristic, PNG spec 12.8).
 */
static int write_png(sink *s, image *img) {
  static const int color_type[5] = {-1, 0, 4, 2, 6};
  const size_t stride = (size_t)img->width * (size_t)img->channels, rows = (size_t)img->height;
  unsigned char *buffer = realloc(img->pixels, stride * rows + rows);
  if (buffer != NULL) img->pixels = buffer;
  unsigned char *line = buffer != NULL ? malloc(stride) : NULL;
  if (line == NULL) {
    image_free(img);
    return fail("not enough memory to encode a %d×%d PNG", img->width, img->height);
  }
  for (size_t j = rows; j-- > 0;) {
    const unsigned char *cur = buffer + j * stride, *prev = j > 0 ? cur - stride : NULL;
    int best = 0;
    long best_cost = -1;
    for (int f = 0; f < 5; f++) {
      filter_row(f, cur, prev, img->channels, stride, line);
      long cost = 0;
      for (size_t i = 0; i < stride; i++) cost += abs((signed char)line[i]);
      if (best_cost < 0 || cost < best_cost) { best = f; best_cost = cost; }
    }
    filter_row(best, cur, prev, img->channels, stride, line);
    unsigned char *dst = buffer + j * (stride + 1);
    dst[0] = (unsigned char)best;
    memmove(dst + 1, line, stride);
  }
  free(line);
  int zlen;
  unsigned char *zlib = stbi_zlib_compress(buffer, (int)(rows * (stride + 1)), &zlen, stbi_write_png_compression_level);
  image_free(img);
  if (zlib == NULL) return fail("not enough memory to encode a %d×%d PNG", img->width, img->height);
  unsigned char ihdr[13];
  put32(ihdr, (uint32_t)img->width);
  put32(ihdr + 4, (uint32_t)img->height);
  ihdr[8] = 8; /* bits per channel */
  ihdr[9] = (unsigned char)color_type[img->channels];
  ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filtering, no interlace */
  write_to_fd(s, (void *)PNG_SIGNATURE, 8);
  write_chunk(s, "IHDR", ihdr, 13);
  write_chunk(s, "IDAT", zlib, (uint32_t)zlen);
  write_chunk(s, "IEND", NULL, 0);
  free(zlib);
  return 1;
}

int image_write(const char *path, image *img, image_format format, int quality, size_t *bytes) {
  if (format == IMAGE_JPEG) flatten_alpha(img);
  static sink s;
  s.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  s.failed = s.error = 0;
  s.bytes = s.held = 0;
  if (s.fd < 0) { image_free(img); return fail("cannot create %s: %s", path, strerror(errno)); }
  int ok;
  if (format == IMAGE_JPEG) {
    /* stb's JPEG encoder allocates nothing and streams its output: it cannot fail but in writing. */
    ok = stbi_write_jpg_to_func(write_to_fd, &s, img->width, img->height, img->channels, img->pixels, quality);
    image_free(img);
    if (!ok) fail("cannot encode a %d×%d JPEG", img->width, img->height);
  } else {
    ok = write_png(&s, img);
  }
  flush(&s);
  int closed = close(s.fd) == 0;
  if (!ok || s.failed || !closed) {
    int error = s.failed ? s.error : errno;
    unlink(path); /* no half-written file among the task's outputs */
    if (!ok) return 0;
    return fail("cannot write %s: %s", path, strerror(error));
  }
  if (bytes != NULL) *bytes = s.bytes;
  return 1;
}

/*
 * stb_image_write's deflate grows its output with realloc and asserts (traps)
 * if that fails; stb-impl.c routes those reallocs here, which end the program
 * the way every other failure does.
 */
const char *image_program = "image-io";

void *image_io_realloc(void *p, size_t size) {
  void *grown = realloc(p, size);
  if (grown == NULL) {
    fprintf(stderr, "%s: not enough memory to compress the image\n", image_program);
    exit(2);
  }
  return grown;
}
