/*
 * nn.c: tensor operations that reproduce @tensorflow/tfjs-backend-cpu's kernels
 * bit for bit (see nn.h for what that takes). Part of the face workloads
 * (face-expression, face-detect, faces), C ports of @vladmandic/face-api
 * networks (face-api.js (c) Vincent Muhler, @vladmandic/face-api (c) Vladimir
 * Mandic, both MIT). Math.exp is v8_exp, in v8-exp.c.
 */
#include "nn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *nn_program = "nn";

void nn_fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "%s: ", nn_program);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(2);
}

void *nn_malloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) nn_fail("out of memory (needed %zu more bytes)", bytes);
  return p;
}

/* ---- weights ---- */

static int base64_value(char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '+') return 62;
  if (ch == '/') return 63;
  return -1;
}

void nn_weights_load(nn_weights *weights, const nn_tensor_spec *specs, int count, const char *base64, size_t bytes) {
  uint8_t *data = nn_malloc(bytes);
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (const char *p = base64; *p && *p != '='; p++) {
    int v = base64_value(*p);
    if (v < 0) nn_fail("corrupt weights (base64)");
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n == bytes) nn_fail("corrupt weights (size)");
      data[n++] = (uint8_t)(acc >> bits);
    }
  }
  if (n != bytes) nn_fail("corrupt weights (size)");
  weights->specs = specs;
  weights->count = count;
  weights->values = nn_malloc(sizeof(float *) * (size_t)count);
  for (int i = 0; i < count; i++) {
    const nn_tensor_spec *s = &specs[i];
    float *v = nn_malloc(sizeof(float) * (size_t)s->count);
    const uint8_t *src = data + s->offset;
    if (s->quantized) {
      /* tfjs-core io.decodeWeights: values[i] = v * quantization.scale + quantization.min, in double, stored in a Float32Array. */
      for (int j = 0; j < s->count; j++) v[j] = (float)((double)src[j] * s->scale + s->min);
    } else {
      memcpy(v, src, sizeof(float) * (size_t)s->count); /* little-endian float32, as WebAssembly's memory */
    }
    weights->values[i] = v;
  }
  free(data);
}

const float *nn_weight(const nn_weights *weights, const char *name, int count) {
  for (int i = 0; i < weights->count; i++) {
    if (strcmp(weights->specs[i].name, name) == 0) {
      if (weights->specs[i].count != count) nn_fail("weight %s has %d values, expected %d", name, weights->specs[i].count, count);
      return weights->values[i];
    }
  }
  nn_fail("weight %s missing", name);
}

/* ---- tensors ---- */

nn_tensor nn_tensor_new(int h, int w, int c) {
  nn_tensor t = { h, w, c, NULL };
  t.d = nn_malloc(sizeof(float) * (size_t)h * (size_t)w * (size_t)c);
  memset(t.d, 0, sizeof(float) * (size_t)h * (size_t)w * (size_t)c);
  return t;
}

void nn_tensor_free(nn_tensor *t) {
  free(t->d);
  t->d = NULL;
}

/* tfjs-core's computeConv2DInfo: output size and the top/left padding. */
static void conv_geometry(int in, int f, int stride, nn_padding padding, int *out, int *pad_before) {
  if (padding == NN_PAD_SAME) {
    *out = (in + stride - 1) / stride;
    int along = (*out - 1) * stride + f - in;
    if (along < 0) along = 0;
    *pad_before = along / 2;
  } else {
    *out = (in - f + 1 + stride - 1) / stride;
    *pad_before = 0;
  }
  if (*out < 1) nn_fail("input too small for the network");
}

/* One step of a tfjs-backend-cpu accumulation into a Float32Array: y += x * w in double, stored as float32. */
static inline float mac(float y, float x, float w) { return (float)((double)y + (double)x * (double)w); }

/* A filter [taps][in_c][out_c] rearranged as [out_c][taps][in_c], in double, made once per filter: each output
 * value's terms are then contiguous and ready to multiply, so it can be summed in a register (nn_conv2d_rows).
 * A float32 weight converts to double exactly, so x * w is the same product as in JavaScript. */
typedef struct { const float *filter; double *by_output; } filter_layout;
static filter_layout layouts[64];
static int layout_count;

static const double *by_output(const float *filter, int taps, int in_c, int out_c) {
  for (int i = 0; i < layout_count; i++) if (layouts[i].filter == filter) return layouts[i].by_output;
  if (layout_count == (int)(sizeof layouts / sizeof layouts[0])) nn_fail("too many convolution filters");
  const size_t per_output = (size_t)taps * in_c;
  double *t = nn_malloc(sizeof(double) * per_output * out_c);
  for (int d2 = 0; d2 < out_c; d2++)
    for (size_t i = 0; i < per_output; i++) t[d2 * per_output + i] = filter[i * out_c + d2];
  layouts[layout_count++] = (filter_layout){ filter, t };
  return t;
}

/* y[j] = float32(y[j] + x[i] * w_j[i]) for i = 0 … n-1 in order, for four output channels j whose weight rows are
 * `stride` apart: four independent sums, each kept in a register between its float32 roundings. */
static inline void accumulate4(float y[4], const double *x, const double *w0, size_t stride, int n) {
  float y0 = y[0], y1 = y[1], y2 = y[2], y3 = y[3];
  const double *w1 = w0 + stride, *w2 = w1 + stride, *w3 = w2 + stride;
#pragma clang loop unroll_count(4)
  for (int i = 0; i < n; i++) {
    const double v = x[i];
    y0 = (float)((double)y0 + v * w0[i]);
    y1 = (float)((double)y1 + v * w1[i]);
    y2 = (float)((double)y2 + v * w2[i]);
    y3 = (float)((double)y3 + v * w3[i]);
  }
  y[0] = y0;
  y[1] = y1;
  y[2] = y2;
  y[3] = y3;
}

static inline float accumulate1(float y, const double *x, const double *w, int n) {
  for (int i = 0; i < n; i++) y = (float)((double)y + x[i] * w[i]);
  return y;
}

void nn_conv2d_rows(const nn_tensor *x, const float *filter, int fh, int fw, int out_c, int stride, nn_padding padding,
                    int row0, int rows, float *out_rows) {
  int oh, ow, pad_top, pad_left;
  conv_geometry(x->h, fh, stride, padding, &oh, &pad_top);
  conv_geometry(x->w, fw, stride, padding, &ow, &pad_left);
  const int in_c = x->c, taps = fh * fw;
  const size_t per_output = (size_t)taps * in_c;
  const double *w = by_output(filter, taps, in_c, out_c);
  /* One output pixel's inputs, in double, and which taps fall inside the image. */
  double *xs = nn_malloc(sizeof(double) * per_output);
  int *tap_of = nn_malloc(sizeof(int) * (size_t)taps);
  /* The kernel loops yR, wR, yC, wC, d1, d2 and does y[d2] += x * w on a Float32Array: per output value the
   * terms come in (wR, wC, d1) order, taps outside the image skipped, each step float32(y + x*w) in double.
   * Here each output value is summed in turn, in that order, four output channels at a time. */
  for (int yr = row0; yr < row0 + rows; yr++) {
    for (int yc = 0; yc < ow; yc++) {
      int used = 0;
      for (int wr = 0; wr < fh; wr++) {
        int xr = yr * stride - pad_top + wr;
        if (xr < 0 || xr >= x->h) continue;
        for (int wc = 0; wc < fw; wc++) {
          int xc = yc * stride - pad_left + wc;
          if (xc < 0 || xc >= x->w) continue;
          const float *in = x->d + ((size_t)xr * x->w + xc) * in_c;
          for (int d1 = 0; d1 < in_c; d1++) xs[(size_t)used * in_c + d1] = in[d1];
          tap_of[used++] = wr * fw + wc;
        }
      }
      float *out = out_rows + ((size_t)(yr - row0) * ow + yc) * out_c;
      memset(out, 0, sizeof(float) * (size_t)out_c);
      int d2 = 0;
      if (used == taps) { /* every tap inside: the terms are one contiguous run */
        for (; d2 + 4 <= out_c; d2 += 4) accumulate4(out + d2, xs, w + (size_t)d2 * per_output, per_output, (int)per_output);
        for (; d2 < out_c; d2++) out[d2] = accumulate1(0, xs, w + (size_t)d2 * per_output, (int)per_output);
        continue;
      }
      for (; d2 + 4 <= out_c; d2 += 4) {
        for (int t = 0; t < used; t++) {
          accumulate4(out + d2, xs + (size_t)t * in_c, w + (size_t)d2 * per_output + (size_t)tap_of[t] * in_c, per_output, in_c);
        }
      }
      for (; d2 < out_c; d2++) {
        for (int t = 0; t < used; t++) {
          out[d2] = accumulate1(out[d2], xs + (size_t)t * in_c, w + (size_t)d2 * per_output + (size_t)tap_of[t] * in_c, in_c);
        }
      }
    }
  }
  free(xs);
  free(tap_of);
}

nn_tensor nn_conv2d(const nn_tensor *x, const float *filter, int fh, int fw, int out_c, int stride, nn_padding padding) {
  int oh, ow, pad;
  conv_geometry(x->h, fh, stride, padding, &oh, &pad);
  conv_geometry(x->w, fw, stride, padding, &ow, &pad);
  nn_tensor y = nn_tensor_new(oh, ow, out_c);
  nn_conv2d_rows(x, filter, fh, fw, out_c, stride, padding, 0, oh, y.d);
  return y;
}

nn_tensor nn_depthwise_conv2d(const nn_tensor *x, const float *filter, int fh, int fw, int stride, nn_padding padding) {
  int oh, ow, pad_top, pad_left;
  conv_geometry(x->h, fh, stride, padding, &oh, &pad_top);
  conv_geometry(x->w, fw, stride, padding, &ow, &pad_left);
  const int c = x->c;
  nn_tensor y = nn_tensor_new(oh, ow, c);
  for (int yr = 0; yr < oh; yr++) {
    for (int yc = 0; yc < ow; yc++) {
      float *out = y.d + ((size_t)yr * ow + yc) * c;
      for (int wr = 0; wr < fh; wr++) {
        int xr = yr * stride - pad_top + wr;
        if (xr < 0 || xr >= x->h) continue;
        for (int wc = 0; wc < fw; wc++) {
          int xc = yc * stride - pad_left + wc;
          if (xc < 0 || xc >= x->w) continue;
          const float *in = x->d + ((size_t)xr * x->w + xc) * c;
          const float *wk = filter + ((size_t)wr * fw + wc) * c;
          for (int d = 0; d < c; d++) out[d] = mac(out[d], in[d], wk[d]);
        }
      }
    }
  }
  return y;
}

nn_tensor nn_separable_conv2d(const nn_tensor *x, const float *depthwise, const float *pointwise, int out_c, int stride, nn_padding padding) {
  nn_tensor dw = nn_depthwise_conv2d(x, depthwise, 3, 3, stride, padding);
  nn_tensor y = nn_conv2d(&dw, pointwise, 1, 1, out_c, 1, NN_PAD_VALID);
  nn_tensor_free(&dw);
  return y;
}

/* Math.max(0, x): NaN stays NaN, -0 becomes +0. */
static inline float relu1(float v) { return v != v ? v : (v > 0.0f ? v : 0.0f); }

void nn_add_bias(nn_tensor *t, const float *bias, int relu) {
  size_t n = (size_t)t->h * t->w;
  for (size_t i = 0; i < n; i++) {
    float *p = t->d + i * t->c;
    for (int d = 0; d < t->c; d++) p[d] = relu ? relu1(p[d] + bias[d]) : p[d] + bias[d];
  }
}

void nn_add(nn_tensor *a, const nn_tensor *b) {
  size_t n = (size_t)a->h * a->w * a->c;
  for (size_t i = 0; i < n; i++) a->d[i] += b->d[i];
}

void nn_relu(nn_tensor *t) {
  size_t n = (size_t)t->h * t->w * t->c;
  for (size_t i = 0; i < n; i++) t->d[i] = relu1(t->d[i]);
}

void nn_leaky(nn_tensor *t) {
  /* tf.scalar(0.10000000149011612) is float32 0.1 */
  size_t n = (size_t)t->h * t->w * t->c;
  for (size_t i = 0; i < n; i++) {
    float v = t->d[i];
    float m = v * 0.1f;
    t->d[i] = relu1(v - m) + m;
  }
}

/* The pool() of tfjs-backend-cpu's pool_utils: max from -Infinity with `>`, average summed in a double. */
nn_tensor nn_max_pool_same(const nn_tensor *x, int k, int stride) {
  int oh, ow, pad_top, pad_left;
  conv_geometry(x->h, k, stride, NN_PAD_SAME, &oh, &pad_top);
  conv_geometry(x->w, k, stride, NN_PAD_SAME, &ow, &pad_left);
  const int c = x->c;
  nn_tensor y = nn_tensor_new(oh, ow, c);
  for (int yr = 0; yr < oh; yr++) {
    int r0 = yr * stride - pad_top, r1 = r0 + k;
    if (r0 < 0) r0 = 0;
    if (r1 > x->h) r1 = x->h;
    for (int yc = 0; yc < ow; yc++) {
      int c0 = yc * stride - pad_left, c1 = c0 + k;
      if (c0 < 0) c0 = 0;
      if (c1 > x->w) c1 = x->w;
      float *out = y.d + ((size_t)yr * ow + yc) * c;
      for (int d = 0; d < c; d++) {
        float m = -__builtin_inff();
        for (int xr = r0; xr < r1 && m == m; xr++) {
          for (int xc = c0; xc < c1; xc++) {
            float v = x->d[((size_t)xr * x->w + xc) * c + d];
            if (v > m) m = v;
          }
        }
        out[d] = m;
      }
    }
  }
  return y;
}

nn_tensor nn_avg_pool_valid(const nn_tensor *x, int k, int stride) {
  int oh, ow, pad;
  conv_geometry(x->h, k, stride, NN_PAD_VALID, &oh, &pad);
  conv_geometry(x->w, k, stride, NN_PAD_VALID, &ow, &pad);
  const int c = x->c;
  nn_tensor y = nn_tensor_new(oh, ow, c);
  for (int yr = 0; yr < oh; yr++) {
    for (int yc = 0; yc < ow; yc++) {
      for (int d = 0; d < c; d++) {
        double sum = 0;
        int count = 0;
        for (int xr = yr * stride; xr < yr * stride + k; xr++) {
          for (int xc = yc * stride; xc < yc * stride + k; xc++) {
            sum += x->d[((size_t)xr * x->w + xc) * c + d];
            count++;
          }
        }
        y.d[((size_t)yr * ow + yc) * c + d] = (float)(sum / count);
      }
    }
  }
  return y;
}

#define MATMUL_BLOCK 48 /* MathBackendCPU.blockSize */

void nn_matmul_row(const float *x, const float *w, int k, int n, float *out) {
  for (int j = 0; j < n; j++) out[j] = 0.0f;
  for (int j0 = 0; j0 < n; j0 += MATMUL_BLOCK) {
    int j1 = j0 + MATMUL_BLOCK < n ? j0 + MATMUL_BLOCK : n;
    for (int k0 = 0; k0 < k; k0 += MATMUL_BLOCK) {
      int k1 = k0 + MATMUL_BLOCK < k ? k0 + MATMUL_BLOCK : k;
      for (int j = j0; j < j1; j++) {
        double sum = 0.0;
        for (int i = k0; i < k1; i++) sum += (double)x[i] * (double)w[(size_t)i * n + j];
        out[j] = (float)((double)out[j] + sum);
      }
    }
  }
}

void nn_softmax(float *v, int n) {
  /* The Softmax kernel: max, sub, exp (Math.exp into a Float32Array), sum (a double, stored as float32), div. */
  float m = v[0];
  for (int i = 0; i < n; i++) if (v[i] != v[i] || v[i] > m) m = v[i];
  double sum = 0;
  for (int i = 0; i < n; i++) {
    v[i] = (float)v8_exp((double)(v[i] - m));
    sum += v[i];
  }
  float s = (float)sum;
  for (int i = 0; i < n; i++) v[i] = v[i] / s;
}
