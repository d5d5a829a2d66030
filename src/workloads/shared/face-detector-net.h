/*
 * face-detector-net: @vladmandic/face-api's TinyFaceDetector (face-api.js
 * (c) Vincent Muhler, @vladmandic/face-api (c) Vladimir Mandic, MIT) in C: a
 * photo → face boxes with scores, bit for bit as face-api's locateFaces with
 * tfjs-core's CPU backend gives them for the same pixels.
 */
#ifndef FACE_DETECTOR_NET_H
#define FACE_DETECTOR_NET_H

#include "face-image.h"

/* TinyYolov2Options: inputSize a multiple of 32; the upper bound is what fits in the module's memory. */
#define FACE_DETECTOR_MIN_SIZE 32
#define FACE_DETECTOR_MAX_SIZE 608
#define FACE_DETECTOR_DEFAULT_SIZE 416
#define FACE_DETECTOR_DEFAULT_SCORE 0.5

typedef struct {
  double score;
  double x, y, width, height; /* FaceDetection.box, in image pixels */
} face_box;

/* Decodes the weights; call once before face_detect. */
void face_detector_init(void);

/* locateFaces(image, new TinyFaceDetectorOptions({ inputSize: size, scoreThreshold: min_score })):
 * the faces kept by non-maximum suppression, best first. Returns their count; *faces is malloc'd. */
int face_detect(const face_view *image, int size, double min_score, face_box **faces);

/* Prints a double with the fewest digits (15 to 17) that read back as the same double. */
void face_print_double(double v);

/* Prints {"score":…,"box":{"x":…,"y":…,"width":…,"height":…} — without the closing brace, so callers may add fields. */
void face_print_box_open(const face_box *face);

#endif
