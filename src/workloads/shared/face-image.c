/*
 * face-image.c: loading the input image of the face workloads and face-api's
 * padToSquare + resizeBilinear (see face-image.h). Reading, checking and
 * decoding are image-io's (stb_image by Sean Barrett, public domain / MIT).
 */
#include "face-image.h"

#include <math.h>
#include <stdlib.h>

#include "image-io.h"
#include "nn.h"

face_view face_load(const char *path) {
  image_program = nn_program;
  size_t size;
  unsigned char *data = image_read_all(path, IMAGE_MAX_INPUT, &size);
  if (!data) nn_fail("%s", image_error());
  image img;
  int ok = image_decode(data, size, 3, &img, NULL);
  free(data);
  if (!ok) nn_fail("%s", image_error());
  return (face_view){ img.width, img.height, img.width * 3, img.pixels };
}

void face_to_input(const face_view *image, int size, int center, float *out) {
  const int W = image->width, H = image->height;
  /* padToSquare: the short side grows by dimDiff zero rows or columns, Math.round(dimDiff * (center ? 0.5 : 1))
   * of them appended and, when centred, the rest prepended. */
  const int S = W > H ? W : H;
  const int diff = S - (W < H ? W : H);
  const int append = center ? (diff + 1) / 2 : diff;
  const int prepend = diff - append;
  const int row0 = W > H ? prepend : 0, col0 = H > W ? prepend : 0;
#define PIXEL(r, c, d) (((r) - row0 >= 0 && (r) - row0 < H && (c) - col0 >= 0 && (c) - col0 < W) \
    ? (double)image->rgb[(size_t)((r) - row0) * image->stride + (size_t)((c) - col0) * 3 + (d)] : 0.0)
  if (S == size) {
    for (int r = 0; r < size; r++)
      for (int c = 0; c < size; c++)
        for (int d = 0; d < 3; d++) *out++ = (float)PIXEL(r, c, d);
    return;
  }
  /* tfjs-backend-cpu's ResizeBilinear, in double as its JavaScript is, each value stored as float32. */
  const double ratio = (double)S / (double)size;
  for (int r = 0; r < size; r++) {
    const double frac_r = ratio * r;
    const int top = (int)floor(frac_r) > 0 ? (int)floor(frac_r) : 0;
    const double row_frac = frac_r - top;
    const int bottom = (int)ceil(frac_r) < S - 1 ? (int)ceil(frac_r) : S - 1;
    for (int c = 0; c < size; c++) {
      const double frac_c = ratio * c;
      const int left = (int)floor(frac_c) > 0 ? (int)floor(frac_c) : 0;
      const double col_frac = frac_c - left;
      const int right = (int)ceil(frac_c) < S - 1 ? (int)ceil(frac_c) : S - 1;
      for (int d = 0; d < 3; d++) {
        const double tl = PIXEL(top, left, d), bl = PIXEL(bottom, left, d);
        const double tr = PIXEL(top, right, d), br = PIXEL(bottom, right, d);
        const double t = tl + (tr - tl) * col_frac;
        const double b = bl + (br - bl) * col_frac;
        *out++ = (float)(t + (b - t) * row_frac);
      }
    }
  }
#undef PIXEL
}
