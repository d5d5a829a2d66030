/*
 * face-expression-net.c: FaceExpressionNet's forward pass, following
 * @vladmandic/face-api 1.7.15's src/ (face-api.js (c) Vincent Muhler,
 * @vladmandic/face-api (c) Vladimir Mandic, MIT) op for op:
 *   FaceFeatureExtractor.forwardInput: toBatchTensor(112, centred), minus the
 *     mean RGB, / 255, four denseBlock4s (32, 64, 128, 256 channels), avgPool 7×7/2;
 *   FaceProcessor.runNet: fullyConnectedLayer (matMul + bias);
 *   FaceExpressionNet.forwardInput: softmax.
 * The ops themselves are nn.c's, which reproduce tfjs-backend-cpu's kernels.
 * Weights: face-expression-weights.h, in src/workloads/faces/ (src/build/face-api-weights.ts).
 */
#include "face-expression-net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face-expression-weights.h"
#include "nn.h"

#define INPUT_SIZE 112

const char *const face_expression_labels[FACE_EXPRESSION_COUNT] = {
  "neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"
};

static nn_weights weights;

void face_expression_init(void) {
  nn_weights_load(&weights, face_expression_tensors, FACE_EXPRESSION_TENSOR_COUNT, face_expression_data_b64, FACE_EXPRESSION_DATA_BYTES);
}

static const float *weight(const char *block, const char *conv, const char *name, int count) {
  char path[64];
  snprintf(path, sizeof path, "%s/%s/%s", block, conv, name);
  return nn_weight(&weights, path, count);
}

/* common/depthwiseSeparableConv: tf.add(tf.separableConv2d(x, dw, pw, stride, 'same'), bias). */
static nn_tensor separable(const nn_tensor *x, const char *block, const char *conv, int out_c, int stride) {
  nn_tensor y = nn_separable_conv2d(x, weight(block, conv, "depthwise_filter", 9 * x->c),
    weight(block, conv, "pointwise_filter", x->c * out_c), out_c, stride, NN_PAD_SAME);
  nn_add_bias(&y, weight(block, conv, "bias", out_c), 0);
  return y;
}

static nn_tensor sum_of(const nn_tensor *a, const nn_tensor *b) {
  nn_tensor s = nn_tensor_new(a->h, a->w, a->c);
  memcpy(s.d, a->d, sizeof(float) * (size_t)a->h * a->w * a->c);
  nn_add(&s, b); /* float addition commutes, so a + b and b + a are the same bits */
  return s;
}

/* faceFeatureExtractor/denseBlock.ts denseBlock4 (isScaleDown: the first conv has stride 2). */
static nn_tensor dense_block4(const nn_tensor *x, const char *block, int out_c, int first) {
  nn_tensor out1;
  if (first) {
    out1 = nn_conv2d(x, weight(block, "conv0", "filters", 9 * x->c * out_c), 3, 3, out_c, 2, NN_PAD_SAME);
    nn_add_bias(&out1, weight(block, "conv0", "bias", out_c), 1);
  } else {
    out1 = separable(x, block, "conv0", out_c, 2);
    nn_relu(&out1);
  }
  nn_tensor out2 = separable(&out1, block, "conv1", out_c, 1);
  nn_tensor in3 = sum_of(&out1, &out2);            /* relu(out1 + out2) */
  nn_relu(&in3);
  nn_tensor out3 = separable(&in3, block, "conv2", out_c, 1);
  nn_tensor_free(&in3);
  nn_tensor in4 = sum_of(&out2, &out3);            /* relu(out1 + (out2 + out3)) */
  nn_add(&in4, &out1);
  nn_relu(&in4);
  nn_tensor out4 = separable(&in4, block, "conv3", out_c, 1);
  nn_tensor_free(&in4);
  nn_add(&out4, &out3);                            /* relu(out1 + (out2 + (out3 + out4))) */
  nn_add(&out4, &out2);
  nn_add(&out4, &out1);
  nn_relu(&out4);
  nn_tensor_free(&out1);
  nn_tensor_free(&out2);
  nn_tensor_free(&out3);
  return out4;
}

void face_expression_run(const face_view *crop, float probabilities[FACE_EXPRESSION_COUNT]) {
  nn_tensor x = nn_tensor_new(INPUT_SIZE, INPUT_SIZE, 3);
  face_to_input(crop, INPUT_SIZE, 1, x.d);
  /* ops/normalize: x - float32(meanRgb), then .div(255) */
  const float mean[3] = { (float)122.782, (float)117.001, (float)104.298 };
  for (size_t i = 0; i < (size_t)INPUT_SIZE * INPUT_SIZE * 3; i++) x.d[i] = (x.d[i] - mean[i % 3]) / 255.0f;
  static const char *const blocks[4] = { "dense0", "dense1", "dense2", "dense3" };
  static const int channels[4] = { 32, 64, 128, 256 };
  for (int b = 0; b < 4; b++) {
    nn_tensor y = dense_block4(&x, blocks[b], channels[b], b == 0);
    nn_tensor_free(&x);
    x = y;
  }
  nn_tensor pooled = nn_avg_pool_valid(&x, 7, 2);
  nn_tensor_free(&x);
  if (pooled.h != 1 || pooled.w != 1 || pooled.c != 256) nn_fail("unexpected feature shape");
  nn_matmul_row(pooled.d, nn_weight(&weights, "fc/weights", 256 * FACE_EXPRESSION_COUNT), 256, FACE_EXPRESSION_COUNT, probabilities);
  nn_tensor_free(&pooled);
  const float *bias = nn_weight(&weights, "fc/bias", FACE_EXPRESSION_COUNT);
  for (int i = 0; i < FACE_EXPRESSION_COUNT; i++) probabilities[i] += bias[i];
  nn_softmax(probabilities, FACE_EXPRESSION_COUNT);
}

int face_expression_top(const float probabilities[FACE_EXPRESSION_COUNT]) {
  int top = 0;
  for (int i = 1; i < FACE_EXPRESSION_COUNT; i++) if (probabilities[i] > probabilities[top]) top = i;
  return top;
}

void face_expression_print(const float probabilities[FACE_EXPRESSION_COUNT]) {
  putchar('{');
  for (int i = 0; i < FACE_EXPRESSION_COUNT; i++) printf("%s\"%s\":%.9g", i ? "," : "", face_expression_labels[i], (double)probabilities[i]);
  putchar('}');
}
