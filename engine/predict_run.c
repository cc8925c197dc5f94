/* The predictor's int8 kernels, following the reference runtime's arithmetic
 * exactly: TensorFlow Lite's WebAssembly build with the XNNPACK delegate,
 * which takes every op of this network on int8 (QUANTIZE, CONV_2D,
 * DEPTHWISE_CONV_2D, ADD, MEAN as global average pooling, DEQUANTIZE). Sums
 * are int32; only the requantization rounds, each by the rule named below.
 * TFLite's own kernels' rules are here too (SC_PL_* flags): the references
 * reject them (tests/arbitrary/predict). */
#include "engine/predict_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- TFLite fixed point (kernels/internal/common.h, quantization_util.cc) ---- */

void sc_pl_quantize_multiplier(double m, int32_t *mult, int32_t *shift)
{
    int e = 0;
    if (m == 0.0) {
        *mult = 0;
        *shift = 0;
        return;
    }
    double q = frexp(m, &e);
    int64_t f = (int64_t)round(q * (double)(1LL << 31));   /* TfLiteRound: half away */
    if (f == (1LL << 31)) {
        f /= 2;
        e++;
    }
    if (e < -31) {
        e = 0;
        f = 0;
    }
    *mult = (int32_t)f;
    *shift = e;
}

/* gemmlowp's SaturatingRoundingDoublingHighMul. */
static int32_t srdhm(int32_t a, int32_t b)
{
    if (a == b && a == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * b;
    int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / (1LL << 31));
}

/* gemmlowp's RoundingDivideByPOT: round half away from zero. */
static int32_t rdpot(int32_t x, int e)
{
    int32_t mask = (int32_t)((1u << e) - 1u);
    int32_t rem = x & mask, thr = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (rem > thr ? 1 : 0);
}

int32_t sc_pl_mbqm(int32_t x, int32_t mult, int32_t shift)
{
    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    return rdpot(srdhm((int32_t)((uint32_t)x << left), mult), right);
}

/* ---- XNNPACK fp32 requantization (qs8/qc8 *_fp32_* microkernels, the
 * scalar "fmagic" and wasmsimd variants): float(acc) * scale, clamped to the
 * output range less the zero point, rounded to nearest-even by adding the
 * magic 1.5 * 2^23, plus the zero point. ---- */

static inline int requant_fp32(int32_t acc, float scale, float lo, float hi, int zp)
{
    float v = (float)acc * scale;
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    union { float f; int32_t i; } u = {.f = v + 12582912.0f};
    return u.i - 0x4B400000 + zp;
}

static inline int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void requant_row(const struct sc_pl_layer *l, int rules, const int32_t *acc,
                        int8_t *y)
{
    if (rules & SC_PL_CONV_TFLITE) {
        for (int o = 0; o < l->oc; o++)
            y[o] = (int8_t)clampi(sc_pl_mbqm(acc[o], l->mult[o], l->shift[o]) + l->y.zp,
                                  l->qmin, l->qmax);
        return;
    }
    float lo = (float)(l->qmin - l->y.zp), hi = (float)(l->qmax - l->y.zp);
    for (int o = 0; o < l->oc; o++)
        y[o] = (int8_t)requant_fp32(acc[o], l->rscale[o], lo, hi, l->y.zp);
}

/* int32 addition wrapping as the runtime's (WebAssembly's i32.add, and
 * XNNPACK's packing, which folds the zero point into the bias in uint32):
 * dead channels carry biases of +-(2^31 - 1) with scales near 1e-22, whose
 * sums wrap and whose output is the zero point whatever they hold. */
static inline int32_t wrap_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

/* Sum of x[k] * w[k]: blocks of 16 the compiler vectorizes at -O2. */
static inline int32_t dot(const int8_t *x, const int8_t *w, int n)
{
    int32_t acc = 0;
    int k = 0;
    for (; k + 16 <= n; k += 16) {
        int32_t part = 0;
        for (int j = 0; j < 16; j++)
            part += (int32_t)x[k + j] * w[k + j];
        acc += part;
    }
    for (; k < n; k++)
        acc += (int32_t)x[k] * w[k];
    return acc;
}

/* A pointwise convolution is a matrix product: XNNPACK folds the input zero
 * point into the bias at packing time (bsum), which is the same integer. */
static void conv1x1(const struct sc_pl_layer *l, int rules, const int8_t *x, int8_t *y,
                    int32_t *acc)
{
    for (int oy = 0; oy < l->oh; oy++)
        for (int ox = 0; ox < l->ow; ox++) {
            const int8_t *px = x + ((size_t)oy * l->sh * l->iw + (size_t)ox * l->sw) * l->ic;
            for (int o = 0; o < l->oc; o++)
                acc[o] = wrap_add(l->bsum[o], dot(px, l->w + (size_t)o * l->ic, l->ic));
            requant_row(l, rules, acc, y + ((size_t)oy * l->ow + ox) * l->oc);
        }
}

/* Any kernel: padded taps hold the input zero point, so they add nothing
 * to sum((x - zp) * w) and are skipped. */
static void conv_any(const struct sc_pl_layer *l, int rules, const int8_t *x, int8_t *y,
                     int32_t *acc)
{
    for (int oy = 0; oy < l->oh; oy++)
        for (int ox = 0; ox < l->ow; ox++) {
            for (int o = 0; o < l->oc; o++) {
                uint32_t a = (uint32_t)l->b[o];
                for (int ty = 0; ty < l->kh; ty++) {
                    int iy = oy * l->sh - l->pad_t + ty;
                    for (int tx = 0; tx < l->kw && iy >= 0 && iy < l->ih; tx++) {
                        int ix = ox * l->sw - l->pad_l + tx;
                        if (ix < 0 || ix >= l->iw)
                            continue;
                        const int8_t *px = x + ((size_t)iy * l->iw + ix) * l->ic;
                        const int8_t *pw = l->w + (((size_t)o * l->kh + ty) * l->kw + tx) * l->ic;
                        for (int c = 0; c < l->ic; c++)
                            a += (uint32_t)(((int32_t)px[c] - l->x.zp) * pw[c]);
                    }
                }
                acc[o] = (int32_t)a;
            }
            requant_row(l, rules, acc, y + ((size_t)oy * l->ow + ox) * l->oc);
        }
}

void sc_pl_conv(const struct sc_pl_layer *l, int rules, const int8_t *x, int8_t *y,
                int32_t *acc)
{
    if (l->kh == 1 && l->kw == 1 && !l->pad_t && !l->pad_l)
        conv1x1(l, rules, x, y, acc);
    else
        conv_any(l, rules, x, y, acc);
}

/* acc[c] += (x[c] - zp) * w[c] over the channels, in blocks of 16 that
 * -O2 vectorizes. */
static void dw_tap(int32_t *restrict acc, const int8_t *restrict x,
                   const int8_t *restrict w, int zp, int n)
{
    int c = 0;
    for (; c + 16 <= n; c += 16)
        for (int j = 0; j < 16; j++)
            acc[c + j] = wrap_add(acc[c + j], ((int32_t)x[c + j] - zp) * w[c + j]);
    for (; c < n; c++)
        acc[c] = wrap_add(acc[c], ((int32_t)x[c] - zp) * w[c]);
}

void sc_pl_dwconv(const struct sc_pl_layer *l, int rules, const int8_t *x, int8_t *y,
                  int32_t *acc)
{
    for (int oy = 0; oy < l->oh; oy++)
        for (int ox = 0; ox < l->ow; ox++) {
            memcpy(acc, l->b, (size_t)l->oc * sizeof *acc);
            for (int ty = 0; ty < l->kh; ty++) {
                int iy = oy * l->sh - l->pad_t + ty;
                if (iy < 0 || iy >= l->ih)
                    continue;
                for (int tx = 0; tx < l->kw; tx++) {
                    int ix = ox * l->sw - l->pad_l + tx;
                    if (ix >= 0 && ix < l->iw)
                        dw_tap(acc, x + ((size_t)iy * l->iw + ix) * l->oc,
                               l->w + ((size_t)ty * l->kw + tx) * l->oc, l->x.zp, l->oc);
                }
            }
            requant_row(l, rules, acc, y + ((size_t)oy * l->ow + ox) * l->oc);
        }
}

/* ---- ADD ---- */

/* XNNPACK qs8 vadd (src/qs8-vadd/scalar.c.in with
 * xnn_init_qs8_add_minmax_scalar_params, 2022): multipliers of 21 bits,
 * the rounding half folded into the bias, an arithmetic shift (round half
 * up). The 2021 kernel used 22 bits and rounded half away from zero. */
static int add_xnn(const struct sc_pl_layer *l, int rules, int a, int b)
{
    /* int32 arithmetic as the kernel's (wrapping; never near it for int8). */
    int32_t acc = (int32_t)((int64_t)l->abias + (int64_t)a * l->amul + (int64_t)b * l->bmul);
    int32_t out;
    if (rules & SC_PL_ADD_XNN21) {
        int32_t mask = (int32_t)((1u << l->ashift) - 1u);
        int32_t rem = (acc & mask) - (acc < 0);
        out = (acc >> l->ashift) + (rem > (mask >> 1));
    } else {
        out = acc >> l->ashift;
    }
    return clampi(out + l->y.zp, l->qmin, l->qmax);
}

/* TFLite's int8 ADD (kernels/add.cc PrepareGeneralSubOp, reference_integer_ops::
 * AddElementwise): inputs shifted left by 20, scaled, summed, scaled again. */
static int add_tflite(const struct sc_pl_layer *l, int a, int b)
{
    int32_t sa = sc_pl_mbqm((a - l->x.zp) * (1 << 20), l->mult[0], l->shift[0]);
    int32_t sb = sc_pl_mbqm((b - l->x2.zp) * (1 << 20), l->mult[1], l->shift[1]);
    int32_t out = sc_pl_mbqm(sa + sb, l->mult[2], l->shift[2]) + l->y.zp;
    return clampi(out, l->qmin, l->qmax);
}

void sc_pl_add(const struct sc_pl_layer *l, int rules, const int8_t *a, const int8_t *b,
               int8_t *y)
{
    size_t n = (size_t)l->oh * l->ow * l->oc;
    for (size_t i = 0; i < n; i++)
        y[i] = (int8_t)(rules & SC_PL_ADD_TFLITE ? add_tflite(l, a[i], b[i])
                                                 : add_xnn(l, rules, a[i], b[i]));
}

/* ---- MEAN over height and width ---- */

/* XNNPACK's qs8 global average pooling (the delegate's MEAN over height
 * and width): the sum less n * input_zp, fp32 requantization as the convs.
 * TFLite's optimized_integer_ops::Mean (SC_PL_MEAN_TFLITE): the raw sum
 * times input_scale / (n * output_scale) in fixed point, plus output_zp -
 * round(input_zp * input_scale / output_scale). Reference (SC_PL_MEAN_REF):
 * the sum of x - zp rescaled, divided by n rounding half away from zero. */
void sc_pl_mean(const struct sc_pl_layer *l, int rules, const int8_t *x, int8_t *y)
{
    int n = l->ih * l->iw;
    float lo = (float)(l->qmin - l->y.zp), hi = (float)(l->qmax - l->y.zp);
    for (int c = 0; c < l->oc; c++) {
        int32_t s = 0;
        for (int i = 0; i < n; i++)
            s += x[(size_t)i * l->ic + c];
        int32_t out;
        if (rules & SC_PL_MEAN_TFLITE) {
            out = sc_pl_mbqm(s, l->mult[0], l->shift[0]) + l->abias;
        } else if (rules & SC_PL_MEAN_REF) {
            int32_t a = sc_pl_mbqm(s - n * l->x.zp, l->mult[0], l->shift[0]);
            a = a > 0 ? (a + n / 2) / n : (a - n / 2) / n;
            out = a + l->y.zp;
        } else {
            out = requant_fp32(s - n * l->x.zp, l->rscale[0], lo, hi, l->y.zp);
        }
        y[c] = (int8_t)clampi(out, l->qmin, l->qmax);
    }
}

/* ---- constants derived at load ---- */

/* XNNPACK's per-channel scale (convolution-nhwc.c, create_convolution2d_nhwc_qc8):
 * input_scale * kernel_scale[c] / output_scale in float, refused from 256 up
 * as there (a channel of zero weights may have a tiny scale). TFLite's own:
 * the same in double (PopulateConvolutionQuantizationParams). */
static int prepare_conv(struct sc_pl_layer *l)
{
    for (int o = 0; o < l->oc; o++) {
        float t = l->x.scale * l->ws[o];
        l->rscale[o] = t / l->y.scale;
        if (!(l->rscale[o] > 0 && l->rscale[o] < 256.0f))
            return -1;
        sc_pl_quantize_multiplier((double)l->x.scale * (double)l->ws[o] / (double)l->y.scale,
                                  &l->mult[o], &l->shift[o]);
        int64_t s = 0;
        size_t per = l->op == SC_PL_CONV ? (size_t)l->kh * l->kw * l->ic : 0;
        for (size_t k = 0; k < per; k++)
            s += l->w[(size_t)o * per + k];
        l->bsum[o] = (int32_t)((uint32_t)l->b[o] - (uint32_t)((int64_t)l->x.zp * s));
    }
    return 0;
}

/* XNNPACK create_add_nd_qs8: a_scale / output_scale in float, each in
 * [2^-10, 2^8) (the delegate leaves other ADDs to TFLite, stylecam refuses
 * them); multipliers lrintf(ldexpf(scale, shift)) with the larger in
 * [2^20, 2^21) (2021: [2^21, 2^22)). */
static int prepare_add(struct sc_pl_layer *l, int rules)
{
    float as = l->x.scale / l->y.scale, bs = l->x2.scale / l->y.scale;
    if (!(as >= 0x1p-10f && as < 0x1p8f && bs >= 0x1p-10f && bs < 0x1p8f))
        return -1;
    float mx = as > bs ? as : bs;
    int e = 0;
    frexpf(mx, &e);                     /* mx = f * 2^e, f in [0.5, 1): exponent e - 1 */
    int bits = rules & SC_PL_ADD_XNN21 ? 21 : 20;
    l->ashift = bits - (e - 1);
    l->amul = (int32_t)lrintf(ldexpf(as, l->ashift));
    l->bmul = (int32_t)lrintf(ldexpf(bs, l->ashift));
    l->abias = -(l->amul * l->x.zp + l->bmul * l->x2.zp);
    if (!(rules & SC_PL_ADD_XNN21))
        l->abias += 1 << (l->ashift - 1);
    /* TFLite add.cc: left shift 20, twice the larger input scale. */
    double twice = 2.0 * (double)(l->x.scale > l->x2.scale ? l->x.scale : l->x2.scale);
    sc_pl_quantize_multiplier(l->x.scale / twice, &l->mult[0], &l->shift[0]);
    sc_pl_quantize_multiplier(l->x2.scale / twice, &l->mult[1], &l->shift[1]);
    sc_pl_quantize_multiplier(twice / (double)((float)(1 << 20) * l->y.scale), &l->mult[2],
                              &l->shift[2]);
    return 0;
}

/* XNNPACK global-average-pooling-nwc.c: input_scale / output_scale refused
 * outside [2^-8, 2^8), the scale input_scale / (output_scale * n) in float.
 * TFLite reduce.cc: optimized Mean computes its multiplier and bias in float
 * as written here; the reference's multiplier is input / output in double. */
static int prepare_mean(struct sc_pl_layer *l, int rules)
{
    int n = l->ih * l->iw;
    float io = l->x.scale / l->y.scale;
    if (!(io >= 0x1p-8f && io < 0x1p8f))
        return -1;
    l->rscale[0] = l->x.scale / (l->y.scale * (float)n);
    if (rules & SC_PL_MEAN_REF) {
        sc_pl_quantize_multiplier((double)l->x.scale / (double)l->y.scale, &l->mult[0],
                                  &l->shift[0]);
    } else {
        float real = l->x.scale / ((float)n * l->y.scale);
        sc_pl_quantize_multiplier(real, &l->mult[0], &l->shift[0]);
    }
    float temp = (float)l->x.zp * l->x.scale / l->y.scale;
    temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
    l->abias = l->y.zp - (int32_t)temp;
    return l->shift[0] > -31 && l->shift[0] < 31 && l->rscale[0] > 0 ? 0 : -1;
}

enum sc_status sc_pl_prepare(struct sc_pl_layer *l, int rules, const char *path, int index,
                             struct sc_error *err)
{
    sc_pl_release(l);
    size_t n = (size_t)(l->oc > 3 ? l->oc : 3);
    l->rscale = malloc(n * sizeof *l->rscale);
    l->mult = malloc(n * sizeof *l->mult);
    l->shift = malloc(n * sizeof *l->shift);
    l->bsum = malloc(n * sizeof *l->bsum);
    if (!l->rscale || !l->mult || !l->shift || !l->bsum)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading %s.", path);
    int rc = l->op == SC_PL_ADD ? prepare_add(l, rules)
           : l->op == SC_PL_MEAN ? prepare_mean(l, rules) : prepare_conv(l);
    if (rc)
        return sc_error_set(err, SC_ERR_FORMAT, "%s: layer %d has scales whose ratio the "
                            "int8 runtime cannot represent; convert the network again.",
                            path, index);
    return SC_OK;
}

void sc_pl_release(struct sc_pl_layer *l)
{
    free(l->rscale);
    free(l->mult);
    free(l->shift);
    free(l->bsum);
    l->rscale = NULL;
    l->mult = l->shift = l->bsum = NULL;
}
