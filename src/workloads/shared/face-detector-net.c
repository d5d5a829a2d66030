/*
 * face-detector-net.c: TinyFaceDetector's forward pass and box decoding,
 * following @vladmandic/face-api 1.7.15's src/ (face-api.js (c) Vincent Muhler,
 * @vladmandic/face-api (c) Vladimir Mandic, MIT):
 *   TinyYolov2Base.forwardInput: toBatchTensor(inputSize, not centred), minus the
 *     mean RGB, / 255, then runMobilenet: conv0 (3×3 valid) + leaky, and five
 *     depthwise-separable convs (pad 1, 3×3) + leaky, each followed by a 2×2
 *     max pool (stride 2, the last stride 1), then conv8 (1×1) → 25 channels
 *     a cell: 5 anchors × (x, y, w, h, score);
 *   TinyYolov2Base.extractBoxes: sigmoid and exp in double (V8's Math.exp),
 *     the anchors, the score threshold;
 *   ops/nonMaxSuppression (IoU 0.4), then ObjectDetection / FaceDetection,
 *     whose boxes go relative and back (the same double arithmetic here).
 * Weights: tiny-face-detector-weights.h, in src/workloads/faces/ (src/build/face-api-weights.ts).
 */
#include "face-detector-net.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"
#include "tiny-face-detector-weights.h"

#define ANCHORS 5
#define IOU_THRESHOLD 0.4

/* tinyFaceDetector/const.ts */
static const double anchor_x[ANCHORS] = { 1.603231, 6.041143, 2.882459, 4.266906, 9.041765 };
static const double anchor_y[ANCHORS] = { 2.094468, 7.080126, 3.518061, 5.178857, 10.66308 };

static nn_weights weights;

void face_detector_init(void) {
  nn_weights_load(&weights, tiny_face_detector_tensors, TINY_FACE_DETECTOR_TENSOR_COUNT, tiny_face_detector_data_b64, TINY_FACE_DETECTOR_DATA_BYTES);
}

static const float *weight(const char *conv, const char *name, int count) {
  char path[64];
  snprintf(path, sizeof path, "%s/%s", conv, name);
  return nn_weight(&weights, path, count);
}

/* tinyYolov2/depthwiseSeparableConv: tf.pad by 1 then 'valid' — the same taps as 'same' for a 3×3 stride-1
 * filter (a zero pad contributes +0 or -0, which leaves a float32 sum unchanged) — + bias, leaky. */
static nn_tensor separable(const nn_tensor *x, const char *conv, int out_c) {
  nn_tensor y = nn_separable_conv2d(x, weight(conv, "depthwise_filter", 9 * x->c), weight(conv, "pointwise_filter", x->c * out_c),
    out_c, 1, NN_PAD_SAME);
  nn_add_bias(&y, weight(conv, "bias", out_c), 0);
  nn_leaky(&y);
  return y;
}

static void pool_into(nn_tensor *x, int stride) {
  nn_tensor y = nn_max_pool_same(x, 2, stride);
  nn_tensor_free(x);
  *x = y;
}

/* leaky(convLayer(x, conv0, 'valid')) then maxPool 2×2/2, two conv rows at a time: the full conv0 output
 * (606×606×16 floats at size 608, 23.5 MB) would not fit beside a large image. Each value is computed as in
 * the whole-tensor ops: pooling a strip of two rows (or the last odd row) is pooling those rows of the whole. */
static nn_tensor conv0_pooled(const nn_tensor *x) {
  const float *filters = weight("conv0", "filters", 3 * 3 * 3 * 16), *bias = weight("conv0", "bias", 16);
  const int oh = x->h - 2, ow = x->w - 2;
  nn_tensor pooled = nn_tensor_new((oh + 1) / 2, (ow + 1) / 2, 16);
  nn_tensor strip = nn_tensor_new(2, ow, 16);
  for (int pr = 0; pr < pooled.h; pr++) {
    strip.h = 2 * pr + 2 <= oh ? 2 : 1;
    nn_conv2d_rows(x, filters, 3, 3, 16, 1, NN_PAD_VALID, 2 * pr, strip.h, strip.d);
    nn_add_bias(&strip, bias, 0);
    nn_leaky(&strip);
    nn_tensor row = nn_max_pool_same(&strip, 2, 2);
    memcpy(pooled.d + (size_t)pr * pooled.w * 16, row.d, sizeof(float) * (size_t)pooled.w * 16);
    nn_tensor_free(&row);
  }
  nn_tensor_free(&strip);
  return pooled;
}

static nn_tensor forward(const face_view *image, int size) {
  nn_tensor x = nn_tensor_new(size, size, 3);
  face_to_input(image, size, 0, x.d);
  const float mean[3] = { (float)117.001, (float)114.697, (float)97.404 };
  for (size_t i = 0; i < (size_t)size * size * 3; i++) x.d[i] = (x.d[i] - mean[i % 3]) / 255.0f;
  nn_tensor out = conv0_pooled(&x);
  nn_tensor_free(&x);
  static const char *const convs[5] = { "conv1", "conv2", "conv3", "conv4", "conv5" };
  static const int channels[5] = { 32, 64, 128, 256, 512 };
  for (int i = 0; i < 5; i++) {
    nn_tensor y = separable(&out, convs[i], channels[i]);
    nn_tensor_free(&out);
    out = y;
    pool_into(&out, i < 4 ? 2 : 1);
  }
  nn_tensor y = nn_conv2d(&out, weight("conv8", "filters", 512 * 25), 1, 1, 25, 1, NN_PAD_VALID);
  nn_tensor_free(&out);
  nn_add_bias(&y, weight("conv8", "bias", 25), 0);
  return y;
}

/* Math.round: the nearest integer, halves up. */
static double js_round(double v) {
  double f = floor(v);
  return v - f >= 0.5 ? f + 1 : f;
}

static double sigmoid(double v) { return 1 / (1 + v8_exp(-v)); }

typedef struct { double x, y, width, height; } box;

/* ops/iou.ts (isIOU) on Box getters: right = x + width, area = width * height. */
static double iou(const box *a, const box *b) {
  double w = fmax(0.0, fmin(a->x + a->width, b->x + b->width) - fmax(a->x, b->x));
  double h = fmax(0.0, fmin(a->y + a->height, b->y + b->height) - fmax(a->y, b->y));
  double inter = w * h;
  return inter / (a->width * a->height + b->width * b->height - inter);
}

typedef struct { double score; int index; } ranked;

/* Array.prototype.sort is stable: ascending score, equal scores in their original order. */
static int by_score(const void *pa, const void *pb) {
  const ranked *a = pa, *b = pb;
  if (a->score != b->score) return a->score < b->score ? -1 : 1;
  return a->index - b->index;
}

int face_detect(const face_view *image, int size, double min_score, face_box **faces) {
  nn_tensor out = forward(image, size);
  const int cells = out.h;
  /* NetInput.getReshapedInputDimensions (computeReshapedDimensions) and extractBoxes' correction factors */
  const double scale = (double)size / (double)(image->width > image->height ? image->width : image->height);
  const double rw = js_round(image->width * scale), rh = js_round(image->height * scale);
  const double blob = rw > rh ? rw : rh;
  const double cfx = blob / rw, cfy = blob / rh;

  const int max_boxes = cells * cells * ANCHORS;
  box *boxes = nn_malloc(sizeof(box) * (size_t)max_boxes);
  ranked *order = nn_malloc(sizeof(ranked) * (size_t)max_boxes);
  int n = 0;
  for (int row = 0; row < cells; row++) {
    for (int col = 0; col < cells; col++) {
      for (int a = 0; a < ANCHORS; a++) {
        const float *v = out.d + ((size_t)row * cells + col) * 25 + a * 5;
        const double score = sigmoid(v[4]);
        if (!(score > min_score)) continue;
        const double ct_x = ((col + sigmoid(v[0])) / cells) * cfx;
        const double ct_y = ((row + sigmoid(v[1])) / cells) * cfy;
        const double w = ((v8_exp(v[2]) * anchor_x[a]) / cells) * cfx;
        const double h = ((v8_exp(v[3]) * anchor_y[a]) / cells) * cfy;
        const double x = ct_x - w / 2, y = ct_y - h / 2;
        /* new BoundingBox(x, y, x + w, y + h): Box keeps x, y and right - left, bottom - top */
        boxes[n] = (box){ x, y, (x + w) - x, (y + h) - y };
        order[n] = (ranked){ score, n };
        n++;
      }
    }
  }
  nn_tensor_free(&out);

  /* nonMaxSuppression(boxes.map(box => box.rescale(inputSize)), scores, 0.4): pop the best, drop the overlaps */
  box *scaled = nn_malloc(sizeof(box) * (size_t)(n ? n : 1));
  for (int i = 0; i < n; i++) scaled[i] = (box){ boxes[i].x * size, boxes[i].y * size, boxes[i].width * size, boxes[i].height * size };
  qsort(order, (size_t)n, sizeof(ranked), by_score);
  face_box *picked = nn_malloc(sizeof(face_box) * (size_t)(n ? n : 1));
  int kept = 0, left = n;
  const double W = image->width, H = image->height;
  while (left > 0) {
    const ranked curr = order[--left];
    const box *b = &boxes[curr.index];
    /* ObjectDetection: box = relativeBox.rescale(imageDims); FaceDetection (locateFaces): relativeBox = box.rescale(1/W, 1/H), then rescale(imageDims) again */
    const double x1 = b->x * W, y1 = b->y * H, w1 = b->width * W, h1 = b->height * H;
    picked[kept++] = (face_box){ curr.score, x1 * (1 / W) * W, y1 * (1 / H) * H, w1 * (1 / W) * W, h1 * (1 / H) * H };
    int next = 0;
    for (int i = 0; i < left; i++) {
      if (iou(&scaled[curr.index], &scaled[order[i].index]) <= IOU_THRESHOLD) order[next++] = order[i];
    }
    left = next;
  }
  free(boxes);
  free(scaled);
  free(order);
  *faces = picked;
  return kept;
}

void face_print_double(double v) {
  char buf[32];
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (strtod(buf, NULL) == v) break;
  }
  fputs(buf, stdout);
}

void face_print_box_open(const face_box *face) {
  printf("{\"score\":");
  face_print_double(face->score);
  printf(",\"box\":{\"x\":");
  face_print_double(face->x);
  printf(",\"y\":");
  face_print_double(face->y);
  printf(",\"width\":");
  face_print_double(face->width);
  printf(",\"height\":");
  face_print_double(face->height);
  putchar('}');
}
