/*
 * faces: face detection and facial expressions in one WASI command — the
 * pipeline of @vladmandic/face-api 1.7.15's
 * detectAllFaces(image, new TinyFaceDetectorOptions()).withFaceExpressions()
 * (MIT; face-api.js (c) Vincent Muhler, @vladmandic/face-api (c) Vladimir
 * Mandic) in C, with the package's trained weights
 * (face-expression-weights.h and tiny-face-detector-weights.h, here,
 * from src/build/face-api-weights.ts): find the faces (the tiny face detector), cut
 * each out as face-api's extractFaceTensors does (the box for this image size,
 * clipped at the borders, floored), and classify its expression. The same
 * pixels give face-api's results bit for bit (tfjs-core's CPU backend; see
 * test/unit/workloads/faces.test.ts). Images are read and decoded by
 * ../shared/image-io (stb_image, Sean Barrett, public domain / MIT).
 *
 *   faces [--size N] [--min-score S] [/work/photo.jpg] < photo.jpg
 *
 * Arguments as face-detect's (--size: a multiple of 32 from 32 to 608, default
 * 416; --min-score: 0 < S < 1, default 0.5). Output, one line, best face first:
 *   {"width":960,"height":699,"faces":[{"score":0.88,"box":{"x":…,"y":…,"width":…,"height":…},
 *     "expression":"happy","expressions":{"neutral":…,"happy":…,…}}]}
 * boxes as face-detect prints them, probabilities as face-expression does. A box
 * wholly outside the image (no pixels to classify) gets "expression":null and
 * "expressions":null. Limits (image-io's): 4 MiB of input, 4096 pixels a side,
 * 3 MP (3,145,728 pixels; half that for a 16-bit PNG). Bad arguments, an empty,
 * corrupt, truncated or oversized image: one line on stderr and exit status 2.
 * No face found is not an error: "faces":[].
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "face-args.h"
#include "face-detector-net.h"
#include "face-expression-net.h"
#include "face-image.h"
#include "nn.h"

/* dom/extractFaceTensors: detection.forSize(w, h).box (relative and back), Box.clipAtImageBorders (which floors). */
static int crop_of(const face_view *image, const face_box *face, face_view *crop) {
  const double W = image->width, H = image->height;
  const double x = face->x * (1 / W) * W, y = face->y * (1 / H) * H;
  const double width = face->width * (1 / W) * W, height = face->height * (1 / H) * H;
  const double cx = fmax(x, 0), cy = fmax(y, 0);
  const double cw = floor(fmin(x + width - cx, W - cx)), ch = floor(fmin(y + height - cy, H - cy));
  if (!(cw > 0 && ch > 0)) return 0;
  const int left = (int)floor(cx), top = (int)floor(cy);
  *crop = (face_view){ (int)cw, (int)ch, image->stride, image->rgb + (size_t)top * image->stride + (size_t)left * 3 };
  return 1;
}

int main(int argc, char **argv) {
  nn_program = "faces";
  face_args args = face_parse_args(argc, argv, "faces [--size N] [--min-score S] [image path] < image");
  face_view view = face_load(args.path);
  face_detector_init();
  face_box *faces;
  int n = face_detect(&view, args.size, args.min_score, &faces);
  face_expression_init(); /* after the detector's largest tensors are freed */
  printf("{\"width\":%d,\"height\":%d,\"faces\":[", view.width, view.height);
  for (int i = 0; i < n; i++) {
    if (i) putchar(',');
    face_print_box_open(&faces[i]);
    face_view crop;
    if (crop_of(&view, &faces[i], &crop)) {
      float probabilities[FACE_EXPRESSION_COUNT];
      face_expression_run(&crop, probabilities);
      printf(",\"expression\":\"%s\",\"expressions\":", face_expression_labels[face_expression_top(probabilities)]);
      face_expression_print(probabilities);
      putchar('}');
    } else {
      printf(",\"expression\":null,\"expressions\":null}");
    }
  }
  printf("]}\n");
  free((void *)view.rgb);
  return 0;
}
