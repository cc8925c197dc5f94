/* Arbitrary style transfer's style-prediction network (Ghiasi et al. 2017,
 * Magenta's MobileNetV2 predictor, int8): any picture becomes a style
 * vector. Runs on the CPU, emulating TFLite's XNNPACK int8 arithmetic so
 * the vector lands on the runtime's own int8 grid; it runs once per style
 * picture (about 0.12 s at 256x256 on one core; the vectors of the
 * runtime's references are met exactly, tests/arbitrary/predict). Not
 * thread-safe: one thread uses a predictor at a time. */
#ifndef SC_PREDICT_H
#define SC_PREDICT_H

#include <stdint.h>

#include "common/status.h"

#define SC_STYLE_VEC 100

struct sc_predict;

/* Loads the converted network in dir (manifest.json + weights.bin written by
 * `stylecam download arbitrary`); every check happens here. */
enum sc_status sc_predict_load(const char *dir, struct sc_predict **out,
                               struct sc_error *err);
void sc_predict_free(struct sc_predict **pp);

/* The style vector of packed RGB w x h (rows of w*3 bytes): the picture
 * centre-cropped to a square and resized to 256x256 by area averaging
 * (OpenCV's INTER_AREA; a 256x256 picture is used as it is). */
enum sc_status sc_predict_run(struct sc_predict *p, const uint8_t *rgb, int w, int h,
                              float vec[SC_STYLE_VEC], struct sc_error *err);

#endif
