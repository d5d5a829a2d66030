/*
 * nn: the few tensor operations the face workloads need (face-expression,
 * face-detect, faces), each written to give bit for bit what
 * @tensorflow/tfjs-backend-cpu 4.x computes for the same op, so that a C port of
 * a face-api network (face-api.js (c) Vincent Muhler, @vladmandic/face-api
 * (c) Vladimir Mandic, both MIT) matches the JavaScript one exactly.
 *
 * What "the same" takes (read from tfjs-backend-cpu's kernels):
 *  - tensors are Float32Array: every stored value is rounded to float32;
 *  - arithmetic in the kernels is JavaScript's, i.e. double: a convolution does
 *    `y[i] += x * w` on a Float32Array, so each step is float32(y + x*w) with
 *    x*w exact in double and one double rounding of the sum; matMul sums blocks
 *    of 48 products in a double before adding them to the float32 result;
 *    avgPool and sum accumulate in a double; softmax uses V8's Math.exp (fdlibm);
 *  - the order of every accumulation is the kernel's loop order.
 * So build with -ffp-contract=off (no fused multiply-add) and -mno-simd128.
 *
 * Tensors are NHWC with a batch of one. Every allocation failure ends the
 * program through nn_fail (a one-line message, exit status 2).
 */
#ifndef NN_H
#define NN_H

#include <stddef.h>
#include <stdint.h>

/* One tensor of a tfjs weights manifest, as src/build/face-api-weights.ts writes it. */
typedef struct {
  const char *name;
  int shape[4];
  int rank;
  int count;       /* elements */
  int offset;      /* byte offset in the model's data */
  int quantized;   /* 1: uint8 codes, value = code * scale + min; 0: little-endian float32 */
  double scale, min;
} nn_tensor_spec;

/* A model's weights, dequantized: one float array per tensor, in manifest order. */
typedef struct {
  const nn_tensor_spec *specs;
  int count;
  float **values;
} nn_weights;

typedef struct {
  int h, w, c;
  float *d; /* h * w * c values, channels last */
} nn_tensor;

typedef enum { NN_PAD_VALID, NN_PAD_SAME } nn_padding;

/* Set by main: the prefix of nn_fail's message. */
extern const char *nn_program;

/* Prints "<program>: <message>" on stderr and exits with status 2. */
_Noreturn void nn_fail(const char *format, ...) __attribute__((format(printf, 1, 2)));

void *nn_malloc(size_t bytes);

/* Decodes base64 data and dequantizes each tensor exactly as tfjs-core's io.decodeWeights. */
void nn_weights_load(nn_weights *weights, const nn_tensor_spec *specs, int count, const char *base64, size_t bytes);
/* The values of the tensor named `name`, which must have `count` elements. */
const float *nn_weight(const nn_weights *weights, const char *name, int count);

nn_tensor nn_tensor_new(int h, int w, int c);
void nn_tensor_free(nn_tensor *t);

/* tf.conv2d(x, filter [fh, fw, x.c, out_c], stride, padding) — the Conv2D kernel. */
nn_tensor nn_conv2d(const nn_tensor *x, const float *filter, int fh, int fw, int out_c, int stride, nn_padding padding);
/* Output rows [row0, row0 + rows) of the same conv2d, into out_rows (rows * out width * out_c floats):
 * the same values, for a caller that cannot hold the whole output at once. */
void nn_conv2d_rows(const nn_tensor *x, const float *filter, int fh, int fw, int out_c, int stride, nn_padding padding,
                    int row0, int rows, float *out_rows);
/* tf.depthwiseConv2d(x, filter [fh, fw, x.c, 1], stride, padding) — DepthwiseConv2dNative. */
nn_tensor nn_depthwise_conv2d(const nn_tensor *x, const float *filter, int fh, int fw, int stride, nn_padding padding);
/* tf.separableConv2d(x, depthwise, pointwise [1, 1, x.c, out_c], stride, padding): depthwise, then a 1×1 conv2d. */
nn_tensor nn_separable_conv2d(const nn_tensor *x, const float *depthwise, const float *pointwise, int out_c, int stride, nn_padding padding);

/* t += bias (broadcast over the channels), then ReLU when relu is set. */
void nn_add_bias(nn_tensor *t, const float *bias, int relu);
/* a += b, elementwise (same shapes). */
void nn_add(nn_tensor *a, const nn_tensor *b);
void nn_relu(nn_tensor *t);
/* face-api's tinyYolov2 leaky(): min = x * 0.1f; relu(x - min) + min. */
void nn_leaky(nn_tensor *t);

/* tf.maxPool(x, [k, k], [stride, stride], 'same'). */
nn_tensor nn_max_pool_same(const nn_tensor *x, int k, int stride);
/* tf.avgPool(x, [k, k], [stride, stride], 'valid'). */
nn_tensor nn_avg_pool_valid(const nn_tensor *x, int k, int stride);

/* tf.matMul(x [1, k], w [k, n]) — the BatchMatMul kernel with its 48-wide blocks — into out[n]. */
void nn_matmul_row(const float *x, const float *w, int k, int n, float *out);
/* tf.softmax over n values, in place. */
void nn_softmax(float *v, int n);

/* V8's Math.exp, which the softmax and the detector's decoding use: v8-exp.h. */
#include "v8-exp.h"

#endif
