/*
 * image: resize, thumbnail, grayscale, blur, crop and convert PNG/JPEG images,
 * as a WASI command.
 *
 *   image resize W H      [options] [INPUT]   exactly W×H (aspect ratio not kept)
 *   image thumbnail N     [options] [INPUT]   fit within N×N keeping the aspect ratio, never enlarging
 *   image grayscale       [options] [INPUT]   ITU-R BT.601 luma (see to_grayscale)
 *   image blur SIGMA      [options] [INPUT]   Gaussian blur, 0 < SIGMA ≤ 50 pixels
 *   image convert png|jpeg [options] [INPUT]  re-encode only
 *   image crop X Y W H    [options] [INPUT]   the box at (X, Y), W×H pixels, clipped at the borders
 *
 * INPUT is a file in /work (a relative name is taken from /work); without it,
 * or with "-", the image is read from stdin. Options, anywhere on the line:
 *   -o NAME               output file (default /work/out.png or /work/out.jpg;
 *                         a relative name goes in /work)
 *   --format png|jpeg     output format (default: from -o's extension, else
 *                         convert's argument, else the input's format; crop: png)
 *   --quality Q           JPEG quality 1-100 (default 90)
 * Output: the file, and one JSON line on stdout:
 *   {"operation":"thumbnail","input":{"width":1920,"height":1280,"format":"jpeg"},
 *    "output":{"path":"/work/out.jpg","width":256,"height":171,"format":"jpeg","bytes":12345}}
 * (crop adds "box", the pixels cut, after "input").
 *
 * Limits (the module reserves 48 MiB up front): input ≤ 4 MiB; images and
 * outputs ≤ 4096 pixels on a side and ≤ 3145728 pixels (3 MP, 1572864 for
 * 16-bit PNGs) — see src/workloads/shared/image-io.h for why. Bad arguments
 * or input (corrupt, truncated, unsupported, over a limit): one line
 * "image: <message>" on stderr and exit status 2. Same input, same output
 * bytes and fuel: the arithmetic is integer or IEEE floating point without
 * contraction (-ffp-contract=off), and nothing reads a clock or randomness.
 *
 * crop takes the box in pixels, as numbers (JSON's grammar: -12, 3.5, 1e2),
 * so that face-detect's boxes (doubles) can be passed as they are printed. It
 * cuts exactly what face-api's extractFaces cuts (and faces.c classifies):
 * the box clipped at the image's borders, floored — left = floor(max(X, 0)),
 * top = floor(max(Y, 0)), width = floor(min(X + W, image width) - max(X, 0)),
 * height alike — so whole-number boxes are cut exactly. A box that keeps no
 * pixel (outside the image, or thinner than one) is an error; W and H must be
 * greater than 0. The summary gives the box cut: "box":{"x":…,"y":…,"width":…,"height":…}.
 * The output is PNG unless -o or --format says otherwise (not the input's
 * format, as for the other operations): a crop keeps its pixels exactly.
 *
 * Channels are kept: gray, gray+alpha, RGB or RGBA in, the same out (grayscale
 * turns RGB into gray and RGBA into gray+alpha). JPEG output has no alpha: it
 * is composited onto white. Blur treats every channel alike (blur.c). EXIF
 * orientation is not applied: pixels are used as stored.
 *
 * Resizing is stb_image_resize's (sRGB-aware: it filters in linear light,
 * alpha premultiplied; Mitchell filter down, Catmull-Rom up); decoding and
 * encoding are stb_image's and stb_image_write's, through image-io.c.
 * Credits: stb by Sean Barrett and Jorge L Rodriguez, public domain / MIT.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stb_image_resize.h>

#include "../shared/image-io.h"
#include "blur.h"

#define DEFAULT_QUALITY 90
#define MAX_PATH 512

static void fail(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("image: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(2);
}

static void fail_image(void) { fail("%s", image_error()); }

/* ---- arguments ---- */

typedef enum { OP_RESIZE, OP_THUMBNAIL, OP_GRAYSCALE, OP_BLUR, OP_CONVERT, OP_CROP } operation;

static const struct { const char *name; int args; } OPERATIONS[] = {
  [OP_RESIZE] = {"resize", 2}, [OP_THUMBNAIL] = {"thumbnail", 1}, [OP_GRAYSCALE] = {"grayscale", 0},
  [OP_BLUR] = {"blur", 1}, [OP_CONVERT] = {"convert", 1}, [OP_CROP] = {"crop", 4},
};
#define N_OPERATIONS (int)(sizeof OPERATIONS / sizeof OPERATIONS[0])
#define USAGE "usage: image resize W H | thumbnail N | grayscale | blur SIGMA | convert png|jpeg | crop X Y W H [INPUT] [-o NAME] [--format png|jpeg] [--quality Q]"

typedef struct {
  operation op;
  int width, height; /* resize; thumbnail's N is width */
  double sigma;
  double box[4]; /* crop: X, Y, W, H */
  int has_format;
  image_format format;
  int quality;
  const char *input; /* NULL: stdin */
  const char *output;
} options;

/* A whole decimal integer in [min, max]; anything else is an error naming `what`. */
static int parse_int(const char *text, int min, int max, const char *what) {
  const char *p = text;
  long value = 0;
  if (*p == '\0') fail("%s must be an integer from %d to %d, got \"%s\"", what, min, max, text);
  for (; *p != '\0'; p++) {
    if (*p < '0' || *p > '9' || value > max) fail("%s must be an integer from %d to %d, got \"%s\"", what, min, max, text);
    value = value * 10 + (*p - '0');
  }
  if (value < min || value > max) fail("%s must be an integer from %d to %d, got \"%s\"", what, min, max, text);
  return (int)value;
}

static double parse_sigma(const char *text) {
  char *end;
  double value = strtod(text, &end);
  /* !(value > 0) also rejects NaN. */
  if (*text == '\0' || *end != '\0' || !(value > 0) || value > BLUR_MAX_SIGMA)
    fail("blur: SIGMA must be a number greater than 0 and at most %g, got \"%s\"", BLUR_MAX_SIGMA, text);
  return value;
}

/* Largest |X|, |Y|, W or H accepted: far outside any image, small enough that X + W stays exact to the pixel. */
#define CROP_MAX_COORDINATE 1e9

static const char *digits(const char *p, int *ok) {
  if (*p < '0' || *p > '9') *ok = 0;
  while (*p >= '0' && *p <= '9') p++;
  return p;
}

/* True if text is a number in JSON's grammar (RFC 8259 §6): -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(const char *p) {
  int ok = 1;
  if (*p == '-') p++;
  p = *p == '0' ? p + 1 : digits(p, &ok);
  if (*p == '.') p = digits(p + 1, &ok);
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    p = digits(p, &ok);
  }
  return ok && *p == '\0';
}

static double parse_coordinate(const char *text, const char *what, int positive) {
  double value = json_number(text) ? strtod(text, NULL) : NAN;
  if (!(fabs(value) <= CROP_MAX_COORDINATE) || (positive && !(value > 0)))
    fail("crop: %s must be a number%s (pixels, at most %.0f in size), got \"%s\"", what, positive ? " greater than 0" : "", CROP_MAX_COORDINATE, text);
  return value;
}

static const char *extension_format(const char *path, image_format *format) {
  const char *dot = strrchr(path, '.');
  if (dot == NULL || strchr(dot, '/') != NULL) return NULL;
  if (strcasecmp(dot, ".png") == 0) *format = IMAGE_PNG;
  else if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0) *format = IMAGE_JPEG;
  else return NULL;
  return dot;
}

static void parse_args(int argc, char **argv, options *o) {
  const char *positional[8];
  int n = 0;
  memset(o, 0, sizeof *o);
  o->quality = DEFAULT_QUALITY;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-o") == 0 || strcmp(a, "--format") == 0 || strcmp(a, "--quality") == 0) {
      if (i + 1 >= argc) fail("%s needs a value", a);
      const char *v = argv[++i];
      if (a[1] == 'o') {
        if (*v == '\0' || strlen(v) > 255) fail("-o needs a file name of 1 to 255 bytes");
        o->output = v;
      } else if (a[2] == 'f') {
        if (!image_parse_format(v, &o->format)) fail("--format must be png or jpeg, got \"%s\"", v);
        o->has_format = 1;
      } else {
        o->quality = parse_int(v, 1, 100, "--quality");
      }
    } else if (a[0] == '-' && a[1] != '\0' && !(n > 0 && strcmp(positional[0], "crop") == 0 && ((a[1] >= '0' && a[1] <= '9') || a[1] == '.'))) {
      /* (crop's X and Y may be negative: a box may overhang the top or left border) */
      fail("unknown option %s; " USAGE, a);
    } else {
      if (n == (int)(sizeof positional / sizeof positional[0])) fail("too many arguments; " USAGE);
      positional[n++] = a;
    }
  }
  if (n == 0) fail("missing subcommand; " USAGE);
  int op = 0;
  while (op < N_OPERATIONS && strcmp(positional[0], OPERATIONS[op].name) != 0) op++;
  if (op == N_OPERATIONS) fail("unknown subcommand \"%s\"; " USAGE, positional[0]);
  o->op = (operation)op;
  int needed = OPERATIONS[op].args;
  if (n - 1 < needed) fail("%s needs %d argument%s; " USAGE, OPERATIONS[op].name, needed, needed == 1 ? "" : "s");
  if (n - 1 > needed + 1) fail("%s: too many arguments; " USAGE, OPERATIONS[op].name);
  const char **args = positional + 1;
  switch (o->op) {
    case OP_RESIZE:
      o->width = parse_int(args[0], 1, IMAGE_MAX_SIDE, "resize: W");
      o->height = parse_int(args[1], 1, IMAGE_MAX_SIDE, "resize: H");
      if ((unsigned)o->width * (unsigned)o->height > IMAGE_MAX_PIXELS)
        fail("resize: %d×%d is over the limit of " IMAGE_LIMIT_TEXT, o->width, o->height);
      break;
    case OP_THUMBNAIL: o->width = parse_int(args[0], 1, IMAGE_MAX_SIDE, "thumbnail: N"); break;
    case OP_BLUR: o->sigma = parse_sigma(args[0]); break;
    case OP_CONVERT: {
      image_format f;
      if (!image_parse_format(args[0], &f)) fail("convert: the format must be png or jpeg, got \"%s\"", args[0]);
      if (o->has_format && f != o->format) fail("convert %s contradicts --format %s", args[0], image_format_name(o->format));
      o->format = f;
      o->has_format = 1;
      break;
    }
    case OP_CROP:
      o->box[0] = parse_coordinate(args[0], "X", 0);
      o->box[1] = parse_coordinate(args[1], "Y", 0);
      o->box[2] = parse_coordinate(args[2], "W", 1);
      o->box[3] = parse_coordinate(args[3], "H", 1);
      break;
    case OP_GRAYSCALE: break;
  }
  o->input = n - 1 > needed && strcmp(args[needed], "-") != 0 ? args[needed] : NULL; /* "-": stdin */
  if (o->output != NULL) {
    image_format by_name;
    if (extension_format(o->output, &by_name) != NULL) {
      if (o->has_format && by_name != o->format)
        fail("-o %s does not match the output format %s", o->output, image_format_name(o->format));
      o->format = by_name;
      o->has_format = 1;
    }
  }
}

/* A name from the command line as a path: relative names are in /work. */
static void in_work(const char *name, char out[MAX_PATH]) {
  snprintf(out, MAX_PATH, name[0] == '/' ? "%s" : "/work/%s", name);
}

/* ---- operations ---- */

static void resample_once(image *img, int width, int height) {
  image out;
  if (!image_alloc(&out, width, height, img->channels)) fail_image();
  int alpha = img->channels == 2 ? 1 : img->channels == 4 ? 3 : STBIR_ALPHA_CHANNEL_NONE;
  if (!stbir_resize_uint8_srgb(img->pixels, img->width, img->height, 0, out.pixels, width, height, 0, img->channels, alpha, 0))
    fail("not enough memory to resize %d×%d to %d×%d", img->width, img->height, width, height);
  image_free(img);
  *img = out;
}

/*
 * Downscaling vertically by r, stb_image_resize keeps a ring of about 4r + 3
 * rows of the output width in floats (its Mitchell filter spans 4 input rows
 * per output row): squeezing 2048×1536 RGBA to 2048×1 would take 200 MiB.
 * Past RING_BUDGET, the height is first reduced in steps of at most 16×, at
 * the current width; a thumbnail (same ratio both ways) never needs this.
 */
#define RING_BUDGET (8u << 20)

static void resample(image *img, int width, int height) {
  while (img->height > 16 * height && (double)width * img->channels * 4 * (4.0 * img->height / height + 3) > RING_BUDGET) {
    int step = (img->height + 15) / 16;
    resample_once(img, img->width, step > height ? step : height);
  }
  resample_once(img, width, height);
}

/* Fit within n×n, rounding the other side to the nearest pixel (at least 1). */
static void thumbnail(image *img, int n) {
  if (img->width <= n && img->height <= n) return;
  long w = img->width, h = img->height;
  if (w >= h) resample(img, n, (int)((h * n + w / 2) / w > 0 ? (h * n + w / 2) / w : 1));
  else resample(img, (int)((w * n + h / 2) / h > 0 ? (w * n + h / 2) / h : 1), n);
}

/*
 * Y' = 0.299 R' + 0.587 G' + 0.114 B' (ITU-R BT.601), on the gamma-encoded
 * values, rounded: (299 R + 587 G + 114 B + 500) / 1000 in integers. BT.601
 * rather than BT.709 because it is the luma JPEG itself stores (JFIF's YCbCr)
 * and what Pillow's convert("L") and libjpeg's grayscale output compute, so a
 * JPEG's grayscale here matches its own Y plane and other tools. Alpha is kept.
 */
static void to_grayscale(image *img) {
  if (img->channels < 3) return;
  int alpha = img->channels == 4;
  size_t n = (size_t)img->width * (size_t)img->height;
  const unsigned char *src = img->pixels;
  unsigned char *dst = img->pixels; /* packing in place: dst never passes src */
  for (size_t i = 0; i < n; i++, src += img->channels) {
    *dst++ = (unsigned char)((299u * src[0] + 587u * src[1] + 114u * src[2] + 500u) / 1000u);
    if (alpha) *dst++ = src[3];
  }
  img->channels = alpha ? 2 : 1;
}

/*
 * The box clipped at the borders and floored, as face-api's Box.clipAtImageBorders and extractFaces
 * (so faces.c's crop_of) do; the cut box in out[4] (left, top, width, height).
 */
static void crop(image *img, const double box[4], int out[4]) {
  const double W = img->width, H = img->height;
  const double cx = fmax(box[0], 0), cy = fmax(box[1], 0);
  const double cw = floor(fmin(box[0] + box[2] - cx, W - cx)), ch = floor(fmin(box[1] + box[3] - cy, H - cy));
  if (!(cw > 0 && ch > 0))
    fail("crop: the box at (%g, %g), %g×%g, keeps no pixel of the %d×%d image", box[0], box[1], box[2], box[3], img->width, img->height);
  const int left = (int)floor(cx), top = (int)floor(cy), width = (int)cw, height = (int)ch;
  image cut;
  if (!image_alloc(&cut, width, height, img->channels)) fail_image();
  const size_t row = (size_t)width * (size_t)img->channels, stride = (size_t)img->width * (size_t)img->channels;
  for (int y = 0; y < height; y++)
    memcpy(cut.pixels + (size_t)y * row, img->pixels + (size_t)(top + y) * stride + (size_t)left * (size_t)img->channels, row);
  image_free(img);
  *img = cut;
  out[0] = left, out[1] = top, out[2] = width, out[3] = height;
}

/* ---- output ---- */

static void print_json_string(const char *s) {
  putchar('"');
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

int main(int argc, char **argv) {
  options o;
  image_program = "image";
  parse_args(argc, argv, &o);

  char path[MAX_PATH];
  if (o.input != NULL) in_work(o.input, path);
  size_t size;
  unsigned char *data = image_read_all(o.input != NULL ? path : NULL, IMAGE_MAX_INPUT, &size);
  if (data == NULL) fail_image();
  image img;
  image_format input_format;
  if (!image_decode(data, size, 0, &img, &input_format)) fail_image();
  free(data);
  int input_width = img.width, input_height = img.height;
  int box[4];

  switch (o.op) {
    case OP_RESIZE: resample(&img, o.width, o.height); break;
    case OP_THUMBNAIL: thumbnail(&img, o.width); break;
    case OP_GRAYSCALE: to_grayscale(&img); break;
    case OP_BLUR: if (!blur(&img, o.sigma)) fail_image(); break;
    case OP_CONVERT: break;
    case OP_CROP: crop(&img, o.box, box); break;
  }

  /* A crop is PNG unless asked otherwise: its pixels are then exactly the input's (face-expression on
   * it gives what faces gives for that face), where JPEG would re-encode them. */
  image_format format = o.has_format ? o.format : o.op == OP_CROP ? IMAGE_PNG : input_format;
  char output[MAX_PATH];
  in_work(o.output != NULL ? o.output : format == IMAGE_JPEG ? "out.jpg" : "out.png", output);
  size_t bytes;
  if (!image_write(output, &img, format, o.quality, &bytes)) fail_image();

  printf("{\"operation\":\"%s\",\"input\":{\"width\":%d,\"height\":%d,\"format\":\"%s\"},",
    OPERATIONS[o.op].name, input_width, input_height, image_format_name(input_format));
  if (o.op == OP_CROP) printf("\"box\":{\"x\":%d,\"y\":%d,\"width\":%d,\"height\":%d},", box[0], box[1], box[2], box[3]);
  printf("\"output\":{\"path\":");
  print_json_string(output);
  printf(",\"width\":%d,\"height\":%d,\"format\":\"%s\",\"bytes\":%zu}}\n", img.width, img.height, image_format_name(format), bytes);
  return 0;
}
