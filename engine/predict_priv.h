/* The style predictor's insides (engine/predict.c loads, predict_run.c
 * computes, predict_area.c prepares the picture). Each layer is an int8 op
 * on NHWC activations of batch 1. */
#ifndef SC_PREDICT_PRIV_H
#define SC_PREDICT_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "engine/predict.h"

enum sc_pl_op { SC_PL_CONV, SC_PL_DWCONV, SC_PL_ADD, SC_PL_MEAN };

/* Which runtime's rounding each op follows. The default (0) is what the
 * reference runtime (TFLite WebAssembly, XNNPACK delegate on) does; the
 * others exist so the tests can show the references tell them apart. */
enum {
    SC_PL_CONV_TFLITE = 1,   /* conv/depthwise: TFLite's fixed-point multipliers */
    SC_PL_ADD_TFLITE = 2,    /* add: TFLite's own int8 ADD kernel */
    SC_PL_ADD_XNN21 = 4,     /* add: XNNPACK's 2021 qs8 vadd (22-bit multipliers) */
    SC_PL_MEAN_TFLITE = 8,   /* mean: TFLite's optimized_integer_ops::Mean */
    SC_PL_MEAN_REF = 16,     /* mean: TFLite's reference_integer_ops::Mean */
};

struct sc_pl_quant {
    float scale;
    int zp;
};

struct sc_pl_layer {
    enum sc_pl_op op;
    int in[2];                  /* producing layers; -1 = the quantized picture */
    int ih, iw, ic, oh, ow, oc;
    int kh, kw, sh, sw, pad_t, pad_l;
    int qmin, qmax;             /* the output clamp (fused activation) */
    struct sc_pl_quant x, x2, y;
    const int8_t *w;            /* conv [oc][kh][kw][ic]; depthwise [kh][kw][oc] */
    const int32_t *b;
    const float *ws;            /* per-output-channel weight scales */
    /* Derived by sc_pl_prepare: */
    float *rscale;              /* XNNPACK fp32 requantization scale per channel */
    int32_t *mult;              /* TFLite fixed-point multiplier and shift */
    int32_t *shift;
    int32_t *bsum;              /* bias - x.zp * sum(weights), per channel */
    int32_t amul, bmul, abias, ashift;   /* add (abias: mean too) */
};

struct sc_predict {
    int n;
    struct sc_pl_layer *l;
    uint8_t *blob;
    size_t blen;
    int8_t **act;               /* each layer's output */
    int8_t *input;              /* the quantized 256x256x3 picture */
    int32_t *acc;               /* scratch: one output pixel's sums */
    uint8_t *pic;               /* the 256x256 RGB picture before quantizing */
    struct sc_pl_quant in_q, out_q;
    int out_layer;
    int rules;                  /* SC_PL_* flags */
};

#define SC_PL_SIZE 256

/* Derives l's requantization constants under rules; SC_ERR_FORMAT with one
 * sentence when the scales leave the range the runtime accepts. */
enum sc_status sc_pl_prepare(struct sc_pl_layer *l, int rules, const char *path, int index,
                             struct sc_error *err);
void sc_pl_release(struct sc_pl_layer *l);

/* acc: scratch of oc int32. */
void sc_pl_conv(const struct sc_pl_layer *l, int rules, const int8_t *x, int8_t *y,
                int32_t *acc);
void sc_pl_dwconv(const struct sc_pl_layer *l, int rules, const int8_t *x, int8_t *y,
                  int32_t *acc);
void sc_pl_add(const struct sc_pl_layer *l, int rules, const int8_t *a, const int8_t *b,
               int8_t *y);
void sc_pl_mean(const struct sc_pl_layer *l, int rules, const int8_t *x, int8_t *y);

/* TFLite's QuantizeMultiplier and MultiplyByQuantizedMultiplier
 * (kernels/internal/quantization_util.cc, common.h). */
void sc_pl_quantize_multiplier(double m, int32_t *mult, int32_t *shift);
int32_t sc_pl_mbqm(int32_t x, int32_t mult, int32_t shift);

/* The centre square of packed RGB w x h resized to 256x256 like OpenCV's
 * INTER_AREA (predict_area.c). */
void sc_pl_area_resize(const uint8_t *rgb, int w, int h, uint8_t *dst);

/* Test hook: the rounding rules a predictor follows (SC_PL_* flags). */
enum sc_status sc_predict_set_rules(struct sc_predict *p, int rules, struct sc_error *err);

#endif
