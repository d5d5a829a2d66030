/* Gaussian blur for the image workload; the method is described in blur.c. */
#ifndef ZEROSTATE_IMAGE_BLUR_H
#define ZEROSTATE_IMAGE_BLUR_H

#include "../shared/image-io.h"

#define BLUR_MAX_SIGMA 50.0

/**
 * Blurs img with a Gaussian of standard deviation sigma (0 < sigma ≤
 * BLUR_MAX_SIGMA pixels), replacing img->pixels. 0 with a message for
 * image_error() if memory runs out.
 */
int blur(image *img, double sigma);

#endif
