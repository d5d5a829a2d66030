/*
 * face-image: pixels for the face workloads (face-expression, face-detect,
 * faces): load the input image as 8-bit RGB (through image-io, the workloads'
 * shared reader and decoder, with its limits and checks), and build a network
 * input the way @vladmandic/face-api's NetInput.toBatchTensor does for a tensor
 * input (face-api.js (c) Vincent Muhler, @vladmandic/face-api (c) Vladimir
 * Mandic, MIT).
 */
#ifndef FACE_IMAGE_H
#define FACE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int width, height;
  int stride;          /* bytes per row */
  const uint8_t *rgb;  /* row-major RGB, 3 bytes a pixel */
} face_view;

/* The image at `path` (a file under /work), or on stdin when path is NULL, decoded to RGB (free() .rgb);
 * exits with status 2 and image-io's one-line message (empty, corrupt, truncated, over the limits) on failure. */
face_view face_load(const char *path);

/* face-api's toBatchTensor(size, center) for one image tensor: pad the short side with zeros to a square
 * (at its end, or centred as padToSquare(x, true)), then tf.image.resizeBilinear to size×size
 * (alignCorners and halfPixelCenters false) unless the square is that size already. Out: size*size*3 floats. */
void face_to_input(const face_view *image, int size, int center, float *out);

#endif
