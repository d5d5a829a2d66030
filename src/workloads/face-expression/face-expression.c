/*
 * face-expression: facial expression recognition as a WASI command — a C port
 * of @vladmandic/face-api 1.7.15's FaceExpressionNet (MIT; face-api.js
 * (c) Vincent Muhler, @vladmandic/face-api (c) Vladimir Mandic), with the
 * package's own trained weights (../faces/face-expression-weights.h, from
 * src/build/face-api-weights.ts). For the same pixels it gives face-api's
 * probabilities bit for bit (tfjs-core's CPU backend; see
 * test/unit/workloads/face-expression.test.ts). Images are read and decoded by
 * ../shared/image-io (stb_image, Sean Barrett, public domain / MIT).
 *
 *   face-expression [/work/face.png] < face.png
 *
 * Input: one PNG or JPEG of a face (a crop, as a detector would cut it), on
 * stdin or from the file named by the argument. It is padded to a square and
 * resized to 112×112 as face-api does for a face tensor. Output, one line:
 *   {"expressions":{"neutral":0.01,"happy":0.98,"sad":…,"angry":…,"fearful":…,"disgusted":…,"surprised":…},"expression":"happy"}
 * each probability the float32 face-api returns, printed with %.9g.
 * Limits (image-io's): 4 MiB of input, 4096 pixels a side, 3 MP (3,145,728
 * pixels; half that for a 16-bit PNG). Bad arguments,
 * an empty, corrupt, truncated or oversized image: one line on stderr and exit
 * status 2.
 */
#include <stdio.h>
#include <stdlib.h>

#include "face-expression-net.h"
#include "face-image.h"
#include "nn.h"

int main(int argc, char **argv) {
  nn_program = "face-expression";
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-') nn_fail("unknown option %s (usage: face-expression [image path] < image)", argv[i]);
    if (path) nn_fail("more than one image path (usage: face-expression [image path] < image)");
    path = argv[i];
  }
  face_view image = face_load(path);
  face_expression_init();
  float probabilities[FACE_EXPRESSION_COUNT];
  face_expression_run(&image, probabilities);
  free((void *)image.rgb);
  printf("{\"expressions\":");
  face_expression_print(probabilities);
  printf(",\"expression\":\"%s\"}\n", face_expression_labels[face_expression_top(probabilities)]);
  return 0;
}
