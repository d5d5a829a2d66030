/*
 * face-expression-net: @vladmandic/face-api's FaceExpressionNet (face-api.js
 * (c) Vincent Muhler, @vladmandic/face-api (c) Vladimir Mandic, MIT) in C:
 * a face crop → 7 expression probabilities, bit for bit as face-api with
 * tfjs-core's CPU backend computes them for the same pixels.
 */
#ifndef FACE_EXPRESSION_NET_H
#define FACE_EXPRESSION_NET_H

#include "face-image.h"

#define FACE_EXPRESSION_COUNT 7

/* FACE_EXPRESSION_LABELS of face-api's FaceExpressions.ts, in the network's output order. */
extern const char *const face_expression_labels[FACE_EXPRESSION_COUNT];

/* Decodes the weights; call once before face_expression_run. */
void face_expression_init(void);

/* predictExpressions(crop) for one RGB crop (any size ≥ 1×1). */
void face_expression_run(const face_view *crop, float probabilities[FACE_EXPRESSION_COUNT]);

/* The label face-api's asSortedArray() puts first: the largest probability, the earlier label on a tie. */
int face_expression_top(const float probabilities[FACE_EXPRESSION_COUNT]);

/* Prints {"neutral":…,…} with each float32 as %.9g (it round-trips). */
void face_expression_print(const float probabilities[FACE_EXPRESSION_COUNT]);

#endif
