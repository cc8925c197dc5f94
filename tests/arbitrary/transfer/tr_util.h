/* What the transformer tests share: the network converted from ../shared's
 * TFLite file at test time, reference files, and comparisons. */
#ifndef TR_UTIL_H
#define TR_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/net.h"

/* ../shared's style_transfer_f16_384.tflite path into buf. */
const char *tr_model_path(char *buf, size_t n);

/* The transformer converted (fails the test when it cannot be). */
struct sc_net *tr_convert(void);

/* A whole float32 file (fails the test when it cannot be read); *n values. */
float *tr_read_f32(const char *path, size_t *n);

/* An 8-bit RGB picture (stbi_image_free it). */
uint8_t *tr_load_png(const char *path, int *w, int *h);

struct tr_diff {
    double max;              /* largest difference */
    size_t beyond, n;        /* values beyond the tolerance, of n */
};

/* out (rows of ow pixels, at least w wide) against ref (w x h), packed RGB. */
void tr_diff_f32(const float *out, int ow, const float *ref, int w, int h, double tol,
                 struct tr_diff *d);
void tr_diff_u8(const uint8_t *a, const uint8_t *b, size_t n, int tol, struct tr_diff *d);

/* Fills v (n floats) with a deterministic pseudo-random vector of the
 * predictor's range (about -1..1). */
void tr_vector(float *v, int n, unsigned seed);

#endif
