/*
 * face-args.c: the command line of face-detect and faces (see face-args.h).
 * The accepted values are TinyYolov2Options' (@vladmandic/face-api): an input
 * size divisible by 32, a score threshold strictly between 0 and 1; the size is
 * capped at FACE_DETECTOR_MAX_SIZE so the network fits in the module's memory.
 */
#include "face-args.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face-detector-net.h"
#include "nn.h"

face_args face_parse_args(int argc, char **argv, const char *usage) {
  face_args args = { FACE_DETECTOR_DEFAULT_SIZE, FACE_DETECTOR_DEFAULT_SCORE, NULL };
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--size") == 0 || strcmp(arg, "--min-score") == 0) {
      if (i + 1 == argc) nn_fail("%s needs a value (usage: %s)", arg, usage);
      const char *value = argv[++i];
      char *end;
      errno = 0;
      if (arg[2] == 's') {
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < FACE_DETECTOR_MIN_SIZE || v > FACE_DETECTOR_MAX_SIZE || v % 32) {
          nn_fail("--size must be a multiple of 32 from %d to %d, not '%s'", FACE_DETECTOR_MIN_SIZE, FACE_DETECTOR_MAX_SIZE, value);
        }
        args.size = (int)v;
      } else {
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v) || !(v > 0 && v < 1)) nn_fail("--min-score must be a number between 0 and 1 (exclusive), not '%s'", value);
        args.min_score = v;
      }
    } else if (arg[0] == '-') {
      nn_fail("unknown option %s (usage: %s)", arg, usage);
    } else if (args.path) {
      nn_fail("more than one image path (usage: %s)", usage);
    } else {
      args.path = arg;
    }
  }
  return args;
}
