/* The int8 style predictor (Magenta's MobileNetV2, fully quantized TFLite)
 * into stylecam's own format, in the spirit of ncnn: manifest.json lists the
 * layers in running order with their quantization, weights.bin holds the
 * constants at the offsets the manifest gives. The runtime is
 * engine/predict.c, which checks all of it again.
 *
 * manifest.json: {"format": "stylecam-predict", "version": 1,
 *   "blob": "weights.bin", "blob_size": bytes,
 *   "input": {"size": 256, "scale", "zp"}   (the QUANTIZE of RGB / 255),
 *   "output": {"scale", "zp", "layer"}       (the DEQUANTIZE of that layer),
 *   "layers": [one object a line, in running order:
 *     {"op": "conv" | "dwconv" | "add" | "mean",
 *      "inputs": [layer indices; -1 the quantized picture],
 *      "shape": [h, w, c] of the output,
 *      "kernel": [kh, kw], "stride": [sh, sw], "padding": "same" | "valid",
 *      "clamp": [lo, hi] (the fused activation on the int8 grid),
 *      "in" / "in2" / "out": {"scale", "zp"} per tensor,
 *      "weights", "bias", "wscale": byte offsets into the blob}]}
 * weights.bin, each array 4-byte aligned: int8 weights (conv
 * [oc][kh][kw][ic], depthwise [kh][kw][c] as TFLite stores them), int32
 * biases [oc], float32 per-output-channel weight scales [oc]. Weight zero
 * points are 0 (TFLite's int8 weights are symmetric). */
#include "import/tflite_conv_priv.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"

#define MAX_BLOB ((size_t)64 << 20)

struct conv {
    const struct sc_tfl *m;
    struct sc_error *err;
    int *prod;                  /* tensor -> layer index producing it; -1 input; -2 none */
    int nlayers;
    struct json_object *layers;
    uint8_t *blob;
    size_t blen, bcap;
    int in_t;                   /* the quantized input tensor */
};

static const char *opname(int code)
{
    switch (code) {
    case SC_TFLOP_CONV_2D: return "CONV_2D";
    case SC_TFLOP_DEPTHWISE_CONV_2D: return "DEPTHWISE_CONV_2D";
    case SC_TFLOP_ADD: return "ADD";
    case SC_TFLOP_MEAN: return "MEAN";
    case SC_TFLOP_QUANTIZE: return "QUANTIZE";
    case SC_TFLOP_DEQUANTIZE: return "DEQUANTIZE";
    default: return "an unsupported op";
    }
}

static enum sc_status refuse(struct conv *c, int k, const char *why)
{
    return sc_error_set(c->err, SC_ERR_FORMAT, "%s: op %d (%s) %s; this is not the "
                        "expected style predictor.", c->m->path, k,
                        opname(c->m->op[k].code), why);
}

/* Appends n bytes at a 4-byte aligned offset; returns it, or -1. */
static long put(struct conv *c, const void *data, size_t n)
{
    size_t at = (c->blen + 3) & ~(size_t)3;
    if (at + n > MAX_BLOB)
        return -1;
    if (at + n > c->bcap) {
        size_t cap = c->bcap ? c->bcap * 2 : 1 << 20;
        while (cap < at + n)
            cap *= 2;
        uint8_t *b = realloc(c->blob, cap);
        if (!b)
            return -1;
        c->blob = b;
        c->bcap = cap;
    }
    memset(c->blob + c->blen, 0, at - c->blen);
    memcpy(c->blob + at, data, n);
    c->blen = at + n;
    return (long)at;
}

/* An int8 activation: per-tensor quantized, rank 4, batch 1. */
static int act_ok(const struct sc_tfl_tensor *t)
{
    return t->type == SC_TFL_I8 && t->nq == 1 && t->rank == 4 && t->shape[0] == 1 &&
           t->shape[1] >= 1 && t->shape[2] >= 1 && t->shape[3] >= 1 && t->shape[1] <= 4096 &&
           t->shape[2] <= 4096 && t->shape[3] <= 4096 && !t->data && isfinite(t->scale[0]) &&
           t->scale[0] > 0 && t->zero_point[0] >= -128 && t->zero_point[0] <= 127;
}

/* The op writes one tensor, an int8 activation. */
static int out_ok(const struct sc_tfl *m, const struct sc_tfl_op *op)
{
    return op->nout == 1 && op->out[0] >= 0 && act_ok(&m->t[op->out[0]]);
}

static struct json_object *quant(const struct sc_tfl_tensor *t)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "scale", json_object_new_double(t->scale[0]));
    json_object_object_add(o, "zp", json_object_new_int((int)t->zero_point[0]));
    return o;
}

static struct json_object *pair(int a, int b)
{
    struct json_object *o = json_object_new_array();
    json_object_array_add(o, json_object_new_int(a));
    json_object_array_add(o, json_object_new_int(b));
    return o;
}

/* The clamp of a fused activation on the output's int8 grid, as TFLite's
 * CalculateActivationRangeQuantized: zp + round-half-away(f / scale)
 * (in float, so that a tiny scale cannot overflow an int). */
static enum sc_status clamp_of(struct conv *c, int k, int act, const struct sc_tfl_tensor *o,
                               int q[2])
{
    float s = o->scale[0], zp = (float)o->zero_point[0];
    if (act != 0 && act != 1 && act != 3)
        return refuse(c, k, "has a fused activation other than none, RELU or RELU6");
    float lo = act ? zp + roundf(0.0f / s) : -128.0f;
    float hi = act == 3 ? zp + roundf(6.0f / s) : 127.0f;
    q[0] = lo > -128.0f ? (lo < 127.0f ? (int)lo : 127) : -128;
    q[1] = hi < 127.0f ? (hi > -128.0f ? (int)hi : -128) : 127;
    return SC_OK;
}

/* Input i of op k as an activation produced earlier; its layer index. */
static enum sc_status src_of(struct conv *c, int k, int i, int *layer)
{
    const struct sc_tfl_op *op = &c->m->op[k];
    if (i >= op->nin || op->in[i] < 0 || c->prod[op->in[i]] == -2 ||
        !act_ok(&c->m->t[op->in[i]]))
        return refuse(c, k, "reads a tensor that is not an int8 activation made before it");
    *layer = c->prod[op->in[i]];
    return SC_OK;
}

static struct json_object *new_layer(const char *kind, struct json_object *inputs,
                                     const int shape[3])
{
    struct json_object *l = json_object_new_object();
    json_object_object_add(l, "op", json_object_new_string(kind));
    json_object_object_add(l, "inputs", inputs);
    struct json_object *s = json_object_new_array();
    for (int d = 0; d < 3; d++)
        json_object_array_add(s, json_object_new_int(shape[d]));
    json_object_object_add(l, "shape", s);
    return l;
}

/* Records op k's output tensor as the next layer's, shape checked. */
static enum sc_status finish(struct conv *c, int k, struct json_object *l)
{
    const struct sc_tfl_op *op = &c->m->op[k];
    json_object_array_add(c->layers, l);
    c->prod[op->out[0]] = c->nlayers++;
    return SC_OK;
}

/* Weights, bias and per-channel scales of a (depthwise) convolution. */
static enum sc_status conv_consts(struct conv *c, int k, int dw, int oc, long wcount,
                       struct json_object *l, float in_scale)
{
    const struct sc_tfl_op *op = &c->m->op[k];
    if (op->nin != 3 || op->in[1] < 0 || op->in[2] < 0)
        return refuse(c, k, "lacks its weights or bias");
    const struct sc_tfl_tensor *w = &c->m->t[op->in[1]], *b = &c->m->t[op->in[2]];
    if (w->type != SC_TFL_I8 || !w->data || w->size != (size_t)wcount ||
        (w->nq != oc && w->nq != 1) || (w->nq == oc && oc > 1 && w->qdim != (dw ? 3 : 0)))
        return refuse(c, k, "has weights that are not int8 with per-channel scales");
    if (b->type != SC_TFL_I32 || !b->data || b->size != 4 * (size_t)oc)
        return refuse(c, k, "has a bias that is not int32 of one value per output channel");
    float *ws = malloc((size_t)oc * sizeof *ws);
    if (!ws)
        return sc_error_set(c->err, SC_ERR_NOMEM, "Out of memory converting %s.", c->m->path);
    int bad = 0;
    for (int o = 0; o < oc; o++) {
        int q = w->nq == 1 ? 0 : o;
        ws[o] = w->scale[q];
        /* TFLite int8 weights are symmetric; a zero point would change the sums. */
        bad |= !isfinite(ws[o]) || ws[o] <= 0 || w->zero_point[q] != 0 ||
               !isfinite(in_scale * ws[o]);
    }
    long wo = bad ? -1 : put(c, w->data, w->size);
    long bo = wo < 0 ? -1 : put(c, b->data, b->size);
    long so = bo < 0 ? -1 : put(c, ws, (size_t)oc * sizeof *ws);
    free(ws);
    if (bad)
        return refuse(c, k, "has a weight scale that is not positive or a non-zero weight "
                      "zero point");
    if (so < 0)
        return sc_error_set(c->err, SC_ERR_NOMEM, "Out of memory converting %s.", c->m->path);
    json_object_object_add(l, "weights", json_object_new_int64(wo));
    json_object_object_add(l, "bias", json_object_new_int64(bo));
    json_object_object_add(l, "wscale", json_object_new_int64(so));
    return SC_OK;
}

static enum sc_status conv_op(struct conv *c, int k, int dw)
{
    const struct sc_tfl *m = c->m;
    const struct sc_tfl_op *op = &m->op[k];
    int src;
    enum sc_status st;
    if ((st = src_of(c, k, 0, &src)) || !out_ok(m, op))
        return st ? st : refuse(c, k, "does not write one int8 activation");
    const struct sc_tfl_tensor *x = &m->t[op->in[0]], *y = &m->t[op->out[0]];
    const struct sc_tfl_tensor *w = op->in[1] >= 0 ? &m->t[op->in[1]] : NULL;
    if (!w || w->rank != 4)
        return refuse(c, k, "has weights that are not 4-dimensional");
    /* Conv2DOptions: padding, stride_w, stride_h, activation, dilation w/h;
     * DepthwiseConv2DOptions has depth_multiplier before the activation. */
    int pad = (int)sc_tfl_opt_int(m, op, 0, 1, 0);
    int sw = (int)sc_tfl_opt_int(m, op, 1, 4, 1), sh = (int)sc_tfl_opt_int(m, op, 2, 4, 1);
    int act = (int)sc_tfl_opt_int(m, op, dw ? 4 : 3, 1, 0);
    int dil = dw ? 5 : 4, mult = dw ? (int)sc_tfl_opt_int(m, op, 3, 4, 1) : 1;
    if (sc_tfl_opt_int(m, op, dil, 4, 1) != 1 || sc_tfl_opt_int(m, op, dil + 1, 4, 1) != 1)
        return refuse(c, k, "is dilated");
    int kh = w->shape[1], kw = w->shape[2], ic = x->shape[3], oc = y->shape[3];
    int ok = sw >= 1 && sh >= 1 && sw <= 4 && sh <= 4 && kh >= 1 && kw >= 1 && kh <= 7 &&
             kw <= 7 && (pad == 0 || pad == 1) &&
             (dw ? w->shape[0] == 1 && w->shape[3] == oc && oc == ic && mult == 1
                 : w->shape[0] == oc && w->shape[3] == ic);
    int oh = pad ? (x->shape[1] - kh) / sh + 1 : (x->shape[1] + sh - 1) / sh;
    int ow = pad ? (x->shape[2] - kw) / sw + 1 : (x->shape[2] + sw - 1) / sw;
    if (!ok || oh != y->shape[1] || ow != y->shape[2])
        return refuse(c, k, "has a kernel, stride, padding or shape stylecam does not run");
    int q[2];
    if ((st = clamp_of(c, k, act, y, q)))
        return st;
    int shape[3] = {oh, ow, oc};
    struct json_object *in = json_object_new_array();
    json_object_array_add(in, json_object_new_int(src));
    struct json_object *l = new_layer(dw ? "dwconv" : "conv", in, shape);
    json_object_object_add(l, "kernel", pair(kh, kw));
    json_object_object_add(l, "stride", pair(sh, sw));
    json_object_object_add(l, "padding", json_object_new_string(pad ? "valid" : "same"));
    json_object_object_add(l, "clamp", pair(q[0], q[1]));
    json_object_object_add(l, "in", quant(x));
    json_object_object_add(l, "out", quant(y));
    long wcount = (long)kh * kw * (dw ? oc : (long)oc * ic);
    if ((st = conv_consts(c, k, dw, oc, wcount, l, x->scale[0]))) {
        json_object_put(l);
        return st;
    }
    return finish(c, k, l);
}

static enum sc_status add_op(struct conv *c, int k)
{
    const struct sc_tfl *m = c->m;
    const struct sc_tfl_op *op = &m->op[k];
    int a, b, q[2];
    enum sc_status st;
    if ((st = src_of(c, k, 0, &a)) || (st = src_of(c, k, 1, &b)))
        return st;
    const struct sc_tfl_tensor *x = &m->t[op->in[0]], *z = &m->t[op->in[1]];
    if (op->nin != 2 || !out_ok(m, op))
        return refuse(c, k, "does not add two int8 activations into one");
    const struct sc_tfl_tensor *y = &m->t[op->out[0]];
    for (int d = 1; d < 4; d++)
        if (x->shape[d] != z->shape[d] || x->shape[d] != y->shape[d])
            return refuse(c, k, "adds tensors of different shapes (no broadcasting here)");
    if ((st = clamp_of(c, k, (int)sc_tfl_opt_int(m, op, 0, 1, 0), y, q)))
        return st;
    int shape[3] = {y->shape[1], y->shape[2], y->shape[3]};
    struct json_object *l = new_layer("add", pair(a, b), shape);
    json_object_object_add(l, "clamp", pair(q[0], q[1]));
    json_object_object_add(l, "in", quant(x));
    json_object_object_add(l, "in2", quant(z));
    json_object_object_add(l, "out", quant(y));
    return finish(c, k, l);
}

static enum sc_status mean_op(struct conv *c, int k)
{
    const struct sc_tfl *m = c->m;
    const struct sc_tfl_op *op = &m->op[k];
    int a;
    enum sc_status st;
    if ((st = src_of(c, k, 0, &a)))
        return st;
    const struct sc_tfl_tensor *x = &m->t[op->in[0]];
    const struct sc_tfl_tensor *ax = op->nin == 2 && op->in[1] >= 0 ? &m->t[op->in[1]] : NULL;
    int32_t axes[2] = {0, 0};
    if (ax && ax->type == SC_TFL_I32 && ax->data && ax->size == 8)
        memcpy(axes, ax->data, 8);
    /* ReducerOptions: keep_dims. Only the global average over height and width. */
    int hw = (axes[0] == 1 && axes[1] == 2) || (axes[0] == 2 && axes[1] == 1);
    if (!hw || !sc_tfl_opt_int(m, op, 0, 1, 0) || !out_ok(m, op))
        return refuse(c, k, "is not a mean over height and width keeping dimensions");
    const struct sc_tfl_tensor *y = &m->t[op->out[0]];
    if (y->shape[1] != 1 || y->shape[2] != 1 || y->shape[3] != x->shape[3])
        return refuse(c, k, "has an output shape that is not 1x1 by the input's channels");
    int shape[3] = {1, 1, y->shape[3]};
    struct json_object *in = json_object_new_array();
    json_object_array_add(in, json_object_new_int(a));
    struct json_object *l = new_layer("mean", in, shape);
    json_object_object_add(l, "in", quant(x));
    json_object_object_add(l, "out", quant(y));
    return finish(c, k, l);
}

/* The first op: the graph's float input [1,256,256,3] to int8. */
static enum sc_status quantize_op(struct conv *c, int k)
{
    const struct sc_tfl *m = c->m;
    const struct sc_tfl_op *op = &m->op[k];
    if (k != 0 || op->nin != 1 || !out_ok(m, op) || m->nin != 1 || op->in[0] != m->in[0])
        return refuse(c, k, "is not the first op reading the graph's input");
    const struct sc_tfl_tensor *x = &m->t[op->in[0]], *y = &m->t[op->out[0]];
    if (x->type != SC_TFL_F32 || x->rank != 4 || x->shape[1] != 256 || x->shape[2] != 256 ||
        x->shape[3] != 3 || !act_ok(y) || y->shape[1] != 256 || y->shape[2] != 256 ||
        y->shape[3] != 3)
        return refuse(c, k, "does not turn a float 256x256x3 input into int8");
    c->prod[op->out[0]] = -1;
    c->in_t = op->out[0];
    return SC_OK;
}

static enum sc_status walk(struct conv *c, struct json_object *root)
{
    const struct sc_tfl *m = c->m;
    if (m->nops < 3 || m->nout != 1 || m->op[0].code != SC_TFLOP_QUANTIZE)
        return sc_error_set(c->err, SC_ERR_FORMAT, "%s does not start with QUANTIZE and end "
                            "with DEQUANTIZE; this is not the expected style predictor.",
                            m->path);
    enum sc_status st = SC_OK;
    for (int k = 0; k < m->nops - 1 && !st; k++) {
        int code = m->op[k].code;
        st = code == SC_TFLOP_QUANTIZE ? quantize_op(c, k)
           : code == SC_TFLOP_CONV_2D ? conv_op(c, k, 0)
           : code == SC_TFLOP_DEPTHWISE_CONV_2D ? conv_op(c, k, 1)
           : code == SC_TFLOP_ADD ? add_op(c, k)
           : code == SC_TFLOP_MEAN ? mean_op(c, k)
           : refuse(c, k, "is not one the predictor uses");
    }
    if (st)
        return st;
    int k = m->nops - 1, last;
    const struct sc_tfl_op *op = &m->op[k];
    if (op->code != SC_TFLOP_DEQUANTIZE || (st = src_of(c, k, 0, &last)))
        return st ? st : refuse(c, k, "is not the DEQUANTIZE that ends the network");
    const struct sc_tfl_tensor *x = &m->t[op->in[0]];
    if (op->nout != 1 || op->out[0] != m->out[0] || m->t[op->out[0]].type != SC_TFL_F32 ||
        sc_tfl_count(m, op->in[0]) != 100 || last < 0)
        return refuse(c, k, "does not give the graph's 100 float outputs");
    struct json_object *in = json_object_new_object(), *out = quant(x);
    json_object_object_add(in, "size", json_object_new_int(256));
    json_object_object_add(in, "scale", json_object_new_double(m->t[c->in_t].scale[0]));
    json_object_object_add(in, "zp", json_object_new_int((int)m->t[c->in_t].zero_point[0]));
    json_object_object_add(out, "layer", json_object_new_int(last));
    json_object_object_add(root, "input", in);
    json_object_object_add(root, "output", out);
    return SC_OK;
}

static int fill_blob(struct sc_file_out *out, void *ctx)
{
    struct conv *c = ctx;
    sc_file_put(out, c->blob, c->blen);
    return 0;
}

/* The manifest one member a line and one layer a line, so the network reads
 * as a list: {"format": ..., ..., "layers": [\n {layer},\n ...]}. */
static int fill_text(struct sc_file_out *out, void *ctx)
{
    struct json_object *root = ctx, *layers = NULL;
    const int flags = JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
    sc_file_put(out, "{\n", 2);
    json_object_object_foreach(root, key, val) {
        if (!strcmp(key, "layers")) {
            layers = val;
            continue;
        }
        const char *v = json_object_to_json_string_ext(val, flags);
        sc_file_put(out, "  \"", 3);
        sc_file_put(out, key, strlen(key));
        sc_file_put(out, "\": ", 3);
        sc_file_put(out, v, strlen(v));
        sc_file_put(out, ",\n", 2);
    }
    static const char head[] = "  \"layers\": [\n";
    sc_file_put(out, head, sizeof head - 1);
    size_t n = json_object_array_length(layers);
    for (size_t k = 0; k < n; k++) {
        const char *v = json_object_to_json_string_ext(json_object_array_get_idx(layers, k),
                                                       flags);
        sc_file_put(out, "    ", 4);
        sc_file_put(out, v, strlen(v));
        sc_file_put(out, k + 1 < n ? ",\n" : "\n", k + 1 < n ? 2 : 1);
    }
    sc_file_put(out, "  ]\n}\n", 6);
    return 0;
}

static enum sc_status write_out(struct conv *c, struct json_object *root, const char *dir)
{
    char path[4096];
    json_object_object_add(root, "blob_size", json_object_new_int64((int64_t)c->blen));
    json_object_object_add(root, "layers", json_object_get(c->layers));
    snprintf(path, sizeof path, "%s/weights.bin", dir);
    enum sc_status st = sc_file_write_atomic(path, SC_FILE_REPLACE, fill_blob, c, c->err);
    if (st)
        return st;
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    return sc_file_write_atomic(path, SC_FILE_REPLACE, fill_text, root, c->err);
}

enum sc_status sc_tfl_convert_predict(const struct sc_tfl *m, const char *dir,
                                      struct sc_error *err)
{
    struct conv c = {.m = m, .err = err, .in_t = -1};
    c.prod = malloc((size_t)(m->ntensors ? m->ntensors : 1) * sizeof *c.prod);
    c.layers = json_object_new_array();
    struct json_object *root = json_object_new_object();
    enum sc_status st = SC_OK;
    if (!c.prod || !c.layers || !root)
        st = sc_error_set(err, SC_ERR_NOMEM, "Out of memory converting %s.", m->path);
    for (int i = 0; !st && i < m->ntensors; i++)
        c.prod[i] = -2;
    if (!st) {
        json_object_object_add(root, "format", json_object_new_string("stylecam-predict"));
        json_object_object_add(root, "version", json_object_new_int(1));
        json_object_object_add(root, "blob", json_object_new_string("weights.bin"));
        st = walk(&c, root);
    }
    if (!st)
        st = write_out(&c, root, dir);
    json_object_put(root);
    json_object_put(c.layers);
    free(c.prod);
    free(c.blob);
    return st;
}
