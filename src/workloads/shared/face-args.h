/*
 * face-args: the command line of face-detect and faces (face workloads, ports
 * of @vladmandic/face-api; face-api.js (c) Vincent Muhler, @vladmandic/face-api
 * (c) Vladimir Mandic, MIT): [--size N] [--min-score S] [image path].
 */
#ifndef FACE_ARGS_H
#define FACE_ARGS_H

typedef struct {
  int size;          /* TinyFaceDetectorOptions.inputSize */
  double min_score;  /* TinyFaceDetectorOptions.scoreThreshold */
  const char *path;  /* NULL: stdin */
} face_args;

/* Parses argv, or fails (exit 2) with a one-line message that ends with the usage. */
face_args face_parse_args(int argc, char **argv, const char *usage);

#endif
