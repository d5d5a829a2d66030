/*
 * blur: separable Gaussian blur for the image workload (image.c).
 *
 * Kernel: w(i) = exp(−i² / (2σ²)) for |i| ≤ r = ceil(3σ), divided by its sum
 * (taken in order from −r to r). The image is convolved with it along rows,
 * then along columns; a tap outside the image takes the nearest edge pixel
 * (clamped edges). Every channel, alpha included, is blurred on its own, on
 * the stored (gamma-encoded) values, without premultiplying alpha.
 *
 * The arithmetic is IEEE double, in a fixed order, with no fused multiply-add
 * (-ffp-contract=off) and with its own exp (gauss_exp, from + × / only), so a
 * JavaScript reference doing the same operations (test/unit/workloads/
 * image.test.ts) gets the same bytes: the row pass keeps doubles, the column
 * pass rounds to the nearest integer (halves up) and clamps to 0-255.
 *
 * Taps wholly inside the image skip the clamping (the same sums in the same
 * order, so the same result), which is most of the work.
 *
 * Written for this project; no third-party code.
 *
 * Memory: the output image plus the row pass's doubles for a strip of
 * STRIP columns at a time (height × STRIP × channels × 8 bytes, 4 MiB at
 * most), rather than a whole image of doubles (96 MiB at the 3 MP limit).
 */
#include "blur.h"

#include <math.h>
#include <stdlib.h>

#define STRIP 32
/* ceil(3 · BLUR_MAX_SIGMA) */
#define MAX_RADIUS 150

/*
 * e^x for x ≤ 0, from basic operations only, so that C and JavaScript agree to
 * the bit (libm's exp and V8's Math.exp may differ in the last place): halve x
 * until |x| ≤ 2⁻¹⁰, take the Taylor series to x⁶/6! (the rest is below 1e-22
 * relative), then square back. Relative error about 2^k ulp for k halvings,
 * ~1e-12 at the kernel's edge (x = −4.5): far below what 8-bit output can show.
 */
static double gauss_exp(double x) {
  int k = 0;
  if (x < -746) return 0; /* below the least double, e^-745; and no endless halving of -inf */
  while (x < -0x1p-10) {
    x *= 0.5;
    k++;
  }
  double p = 1 + x * (1 + x / 2 * (1 + x / 3 * (1 + x / 4 * (1 + x / 5 * (1 + x / 6)))));
  while (k-- > 0) p *= p;
  return p;
}

static int clamp_index(int i, int n) { return i < 0 ? 0 : i >= n ? n - 1 : i; }

int blur(image *img, double sigma) {
  int r = (int)ceil(3 * sigma);
  double w[2 * MAX_RADIUS + 1];
  double denominator = 2 * sigma * sigma, sum = 0;
  for (int k = -r; k <= r; k++) {
    /* k = 0 apart: for a tiny sigma, 2σ² underflows to 0, and 0 / 0 is NaN. */
    w[k + r] = k == 0 ? 1 : gauss_exp(-(double)(k * k) / denominator);
    sum += w[k + r];
  }
  for (int k = 0; k <= 2 * r; k++) w[k] /= sum;

  const int width = img->width, height = img->height, n = img->channels;
  image out;
  if (!image_alloc(&out, width, height, n)) return 0;
  double *rows = malloc((size_t)height * STRIP * (size_t)n * sizeof(double));
  if (rows == NULL) {
    image_free(&out);
    return image_fail("not enough memory to blur a %d×%d image", width, height);
  }
  const unsigned char *src = img->pixels;

  for (int x0 = 0; x0 < width; x0 += STRIP) {
    int strip = width - x0 < STRIP ? width - x0 : STRIP;
    /* Row pass over this strip's columns: rows[y][x − x0][c]. */
    for (int y = 0; y < height; y++) {
      const unsigned char *row = src + (size_t)y * width * n;
      for (int x = x0; x < x0 + strip; x++) {
        int inside = x - r >= 0 && x + r < width;
        for (int c = 0; c < n; c++) {
          double acc = 0;
          if (inside) {
            const unsigned char *p = row + (x - r) * n + c;
            for (int k = 0; k <= 2 * r; k++) acc += w[k] * p[k * n];
          } else {
            for (int k = -r; k <= r; k++) acc += w[k + r] * row[clamp_index(x + k, width) * n + c];
          }
          rows[((size_t)y * STRIP + (x - x0)) * n + c] = acc;
        }
      }
    }
    /* Column pass, rounded into the output. */
    for (int y = 0; y < height; y++) {
      unsigned char *dst = out.pixels + ((size_t)y * width + x0) * n;
      int inside = y - r >= 0 && y + r < height;
      for (int x = 0; x < strip; x++) {
        for (int c = 0; c < n; c++) {
          double acc = 0;
          if (inside) {
            const double *p = rows + ((size_t)(y - r) * STRIP + x) * n + c;
            for (int k = 0; k <= 2 * r; k++) acc += w[k] * p[(size_t)k * STRIP * n];
          } else {
            for (int k = -r; k <= r; k++) acc += w[k + r] * rows[((size_t)clamp_index(y + k, height) * STRIP + x) * n + c];
          }
          double v = floor(acc + 0.5);
          dst[x * n + c] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
      }
    }
  }
  free(rows);
  image_free(img);
  *img = out;
  return 1;
}
