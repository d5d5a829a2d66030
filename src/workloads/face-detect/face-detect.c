/*
 * face-detect: face detection as a WASI command — a C port of
 * @vladmandic/face-api 1.7.15's TinyFaceDetector (MIT; face-api.js
 * (c) Vincent Muhler, @vladmandic/face-api (c) Vladimir Mandic), with the
 * package's own trained weights (../faces/tiny-face-detector-weights.h, from
 * src/build/face-api-weights.ts). For the same pixels it finds face-api's boxes
 * and scores bit for bit (tfjs-core's CPU backend; see
 * test/unit/workloads/face-detect.test.ts). Images are read and decoded by
 * ../shared/image-io (stb_image, Sean Barrett, public domain / MIT).
 *
 *   face-detect [--size N] [--min-score S] [/work/photo.jpg] < photo.jpg
 *
 * Input: a PNG or JPEG photo on stdin, or the file named by the argument.
 * --size: the network's input size, a multiple of 32 from 32 to 608 (default
 * 416; larger finds smaller faces, slower). --min-score: keep boxes scoring
 * above S, 0 < S < 1 (default 0.5). Output, one line, best face first:
 *   {"width":1920,"height":1280,"faces":[{"score":0.78,"box":{"x":776.1,"y":445.2,"width":313.4,"height":256.3}}]}
 * boxes in pixels of the original image (they may reach past its edges), numbers
 * printed so that they read back as the exact doubles face-api computes.
 * Limits (image-io's): 4 MiB of input, 4096 pixels a side, 3 MP (3,145,728
 * pixels; half that for a 16-bit PNG). Bad arguments,
 * an empty, corrupt, truncated or oversized image: one line on stderr and exit
 * status 2. No face found is not an error: "faces":[].
 */
#include <stdio.h>
#include <stdlib.h>

#include "face-args.h"
#include "face-detector-net.h"
#include "face-image.h"
#include "nn.h"

int main(int argc, char **argv) {
  nn_program = "face-detect";
  face_args args = face_parse_args(argc, argv, "face-detect [--size N] [--min-score S] [image path] < image");
  face_view image = face_load(args.path);
  face_detector_init();
  face_box *faces;
  int n = face_detect(&image, args.size, args.min_score, &faces);
  free((void *)image.rgb);
  printf("{\"width\":%d,\"height\":%d,\"faces\":[", image.width, image.height);
  for (int i = 0; i < n; i++) {
    if (i) putchar(',');
    face_print_box_open(&faces[i]);
    putchar('}');
  }
  printf("]}\n");
  return 0;
}
