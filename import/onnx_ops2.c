/* Layers from normalization, activation, padding, cropping and resizing nodes. */
#include "import/onnx_priv.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sc_status sc_onnx_layer_more(struct sc_onnx *x, const struct sc_onnx_val *in,
                                  const char *op, int *done);

static int channels(struct sc_onnx *x, const struct sc_onnx_val *in)
{
    return sc_net_channels(x->net, in->layer);
}

static enum sc_status op_instnorm(struct sc_onnx *x, const struct sc_onnx_val *in)
{
    struct sc_onnx_val *s = sc_onnx_const_input(x, 1, "scale"), *b = s ? sc_onnx_const_input(x, 2, "bias") : NULL;
    if (!s || !b)
        return SC_ERR_FORMAT;
    if (s->is_int || b->is_int)
        return sc_onnx_fail(x, "has an integer scale or bias.");
    struct sc_net_layer l = {.op = SC_OP_NORM, .w = s->f, .b = b->f, .nw = s->n, .nb = b->n,
                             .eps = sc_onnx_attr_float(x->node, "epsilon", 1e-5f)};
    return sc_onnx_emit(x, &l, in->layer, -1);
}

static enum sc_status op_batchnorm(struct sc_onnx *x, const struct sc_onnx_val *in)
{
    struct sc_onnx_val *v[4];
    static const char *const what[4] = {"scale", "bias", "mean", "variance"};
    for (int k = 0; k < 4; k++)
        if (!(v[k] = sc_onnx_const_input(x, k + 1, what[k])))
            return SC_ERR_FORMAT;
    int c = channels(x, in);
    for (int k = 0; k < 4; k++)
        if (v[k]->n != c || v[k]->is_int)
            return sc_onnx_fail(x, "has a %s that is not one float per channel.", what[k]);
    float eps = sc_onnx_attr_float(x->node, "epsilon", 1e-5f);
    float *a = malloc((size_t)c * sizeof *a), *b = malloc((size_t)c * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    }
    for (int i = 0; i < c; i++) {
        a[i] = v[0]->f[i] / sqrtf(v[3]->f[i] + eps);
        b[i] = v[1]->f[i] - v[2]->f[i] * a[i];
    }
    struct sc_net_layer l = {.op = SC_OP_SCALE, .w = a, .b = b, .nw = c, .nb = c};
    enum sc_status st = sc_onnx_emit(x, &l, in->layer, -1);
    free(a);
    free(b);
    return st;
}

static float scalar(const struct sc_onnx_val *v, float def)
{
    return !v || v->n < 1 ? def : v->f ? v->f[0] : (float)v->i[0];
}

static enum sc_status op_clip(struct sc_onnx *x, const struct sc_onnx_val *in)
{
    struct sc_net_layer l = {.op = SC_OP_CLIP, .lo = -FLT_MAX, .hi = FLT_MAX};
    if (x->opset < 11) {
        l.lo = sc_onnx_attr_float(x->node, "min", -FLT_MAX);
        l.hi = sc_onnx_attr_float(x->node, "max", FLT_MAX);
    } else {
        struct sc_onnx_val *lo = sc_onnx_input(x, 1), *hi = sc_onnx_input(x, 2);
        if ((lo && !lo->is_const) || (hi && !hi->is_const))
            return sc_onnx_fail(x, "clips to bounds that depend on the picture.");
        l.lo = scalar(lo, -FLT_MAX);
        l.hi = scalar(hi, FLT_MAX);
    }
    return sc_onnx_emit(x, &l, in->layer, -1);
}

static enum sc_status op_crop(struct sc_onnx *x, const struct sc_onnx_val *in)
{
    int64_t b[4] = {0, 0, 0, 0};
    if (sc_onnx_attr(x->node, "scale"))
        return sc_onnx_fail(x, "crops to a fixed size (scale); stylecam runs border crops only.");
    if (sc_onnx_attr_ints(x->node, "border", b, 4) != 4)
        return sc_onnx_fail(x, "needs 4 border values (left, top, right, bottom).");
    struct sc_net_layer l = {.op = SC_OP_PAD};
    for (int k = 0; k < 4; k++)
        if (b[k] < 0 || b[k] > 4096)
            return sc_onnx_fail(x, "has a border of %lld.", (long long)b[k]);
    l.pad[0] = -(int)b[1];
    l.pad[1] = -(int)b[0];
    l.pad[2] = -(int)b[3];
    l.pad[3] = -(int)b[2];
    return sc_onnx_emit(x, &l, in->layer, -1);
}

static enum sc_status op_pad(struct sc_onnx *x, const struct sc_onnx_val *in)
{
    char buf[32];
    const char *mode = sc_onnx_attr_str(x->node, "mode", "constant", buf, sizeof buf);
    int64_t p[8];
    int n;
    float value = 0;
    if (x->opset < 11) {
        n = sc_onnx_attr_ints(x->node, "pads", p, 8);
        if (n < 0)
            n = sc_onnx_attr_ints(x->node, "paddings", p, 8);
        value = sc_onnx_attr_float(x->node, "value", 0);
    } else {
        struct sc_onnx_val *pv = sc_onnx_const_input(x, 1, "padding amounts");
        if (!pv)
            return SC_ERR_FORMAT;
        n = (int)pv->n;
        for (int k = 0; k < n && k < 8; k++)
            p[k] = pv->i ? pv->i[k] : sc_onnx_f2i(pv->f[k]);
        struct sc_onnx_val *cv = sc_onnx_input(x, 2);
        if (cv && !cv->is_const)
            return sc_onnx_fail(x, "pads with a value that depends on the picture.");
        value = scalar(cv, 0);
    }
    if (n != 8)
        return sc_onnx_fail(x, "has %d padding amounts; a picture needs 8.", n);
    for (int k = 0; k < 8; k++)
        if (p[k] == SC_ONNX_UNK || p[k] < -4096 || p[k] > 4096)
            return sc_onnx_fail(x, "pads by an amount that depends on the picture's size or "
                                "is out of range.");
    if (p[0] || p[1] || p[4] || p[5])
        return sc_onnx_fail(x, "pads the batch or channel axis; stylecam pads height and "
                            "width only.");
    int border = !strcmp(mode, "reflect") ? 1 : !strcmp(mode, "edge") ? 2 : 0;
    if (!border && (strcmp(mode, "constant") != 0 || value != 0))
        return sc_onnx_fail(x, "pads in mode '%.20s' with value %g; stylecam runs reflect, edge "
                            "and zero padding.", mode, value);
    struct sc_net_layer l = {.op = SC_OP_PAD, .border = border,
                             .pad = {(int)p[2], (int)p[3], (int)p[6], (int)p[7]}};
    return sc_onnx_emit(x, &l, in->layer, -1);
}

/* Integer nearest upsampling factors; the scales, or sizes over the
 * declared input size. */
static enum sc_status resize_factor(struct sc_onnx *x, const struct sc_onnx_val *in, int *f)
{
    float s[4] = {0, 0, 0, 0};
    int n = -1;
    const char *op = x->node->op_type;
    if (strcmp(op, "Upsample") == 0 && x->opset < 9) {
        n = sc_onnx_attr_floats(x->node, "scales", s, 4);
    } else {
        int k = strcmp(op, "Upsample") == 0 || x->opset < 11 ? 1 : 2;
        struct sc_onnx_val *sv = sc_onnx_input(x, k), *zv = sc_onnx_input(x, 3);
        if (sv && sv->is_const && sv->n == 4) {
            n = 4;
            for (int i = 0; i < 4; i++)
                s[i] = sv->f ? sv->f[i] : (float)sv->i[i];
        } else if (k == 2 && zv && zv->is_const && zv->n == 4 && x->probe_h && zv->i) {
            /* Sizes for the declared (or stand-in) input: the factor at that size. */
            int (*dims)[2] = malloc((size_t)sc_net_count(x->net) * sizeof *dims);
            if (dims && sc_net_shapes(x->net, x->probe_w, x->probe_h, dims, NULL) == SC_OK) {
                n = 4;
                s[0] = s[1] = 1;
                s[2] = (float)zv->i[2] / (float)dims[in->layer][0];
                s[3] = (float)zv->i[3] / (float)dims[in->layer][1];
            }
            free(dims);
        }
    }
    if (n != 4 || s[0] != 1 || s[1] != 1 || s[2] != s[3] || s[2] < 1 || s[2] > 8 ||
        s[2] != floorf(s[2]))
        return sc_onnx_fail(x, "resizes by something other than one whole factor for height "
                            "and width, known before a picture comes; stylecam cannot run it.");
    *f = (int)s[2];
    return SC_OK;
}

static enum sc_status op_resize(struct sc_onnx *x, const struct sc_onnx_val *in)
{
    char m[32], ct[40], nm[40];
    const char *mode = sc_onnx_attr_str(x->node, "mode", "nearest", m, sizeof m);
    const char *ctm = sc_onnx_attr_str(x->node, "coordinate_transformation_mode", "half_pixel",
                                       ct, sizeof ct);
    const char *near = sc_onnx_attr_str(x->node, "nearest_mode", "round_prefer_floor", nm,
                                        sizeof nm);
    int asym = strcmp(ctm, "asymmetric") == 0;
    int half = strcmp(ctm, "half_pixel") == 0 || strcmp(ctm, "pytorch_half_pixel") == 0;
    int floor_like = strcmp(near, "floor") == 0 || strcmp(near, "round_prefer_floor") == 0;
    int round = strcmp(near, "round_prefer_floor") == 0 || strcmp(near, "round_prefer_ceil") == 0;
    if (strcmp(x->node->op_type, "Upsample") == 0 || x->opset < 11)
        asym = floor_like = 1;
    if (strcmp(mode, "nearest") != 0 || !((asym && floor_like) || (half && round)))
        return sc_onnx_fail(x, "resizes in mode '%.20s' (%.40s, %.40s); stylecam runs nearest "
                            "upsampling by whole factors only.", mode, ctm, near);
    struct sc_net_layer l = {.op = SC_OP_UPSAMPLE};
    enum sc_status st = resize_factor(x, in, &l.stride);
    if (st)
        return st;
    return sc_onnx_emit(x, &l, in->layer, -1);
}

enum sc_status sc_onnx_layer_more(struct sc_onnx *x, const struct sc_onnx_val *in,
                                  const char *op, int *done)
{
    *done = 1;
    if (!strcmp(op, "InstanceNormalization"))
        return op_instnorm(x, in);
    if (!strcmp(op, "BatchNormalization"))
        return op_batchnorm(x, in);
    if (!strcmp(op, "Relu") || !strcmp(op, "Tanh") || !strcmp(op, "Sigmoid")) {
        struct sc_net_layer l = {.op = op[0] == 'R' ? SC_OP_RELU : op[0] == 'T' ? SC_OP_TANH
                                                                                : SC_OP_SIGMOID};
        return sc_onnx_emit(x, &l, in->layer, -1);
    }
    if (!strcmp(op, "Clip"))
        return op_clip(x, in);
    if (!strcmp(op, "LeakyRelu")) {
        struct sc_net_layer l = {.op = SC_OP_LEAKY_RELU,
                                 .lo = sc_onnx_attr_float(x->node, "alpha", 0.01f)};
        return sc_onnx_emit(x, &l, in->layer, -1);
    }
    if (!strcmp(op, "Crop"))
        return op_crop(x, in);
    if (!strcmp(op, "Pad"))
        return op_pad(x, in);
    if (!strcmp(op, "Upsample") || !strcmp(op, "Resize"))
        return op_resize(x, in);
    *done = 0;
    return SC_OK;
}
