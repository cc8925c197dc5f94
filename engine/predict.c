/* The style predictor: loads manifest.json + weights.bin (written by
 * import/tflite_predict.c), checks everything before using any of it, and
 * runs the int8 layers (predict_run.c) on the prepared picture. */
#include "engine/predict_priv.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/manifest_priv.h"

#define MAX_LAYERS 1000
#define MAX_BLOB ((size_t)64 << 20)
#define MAX_DIM 4096
#define MAX_ELEMS ((size_t)1 << 24)
#define MAX_ACTS ((size_t)256 << 20)

struct ld {
    const char *path;           /* manifest path, for messages */
    struct sc_error *err;
    struct sc_predict *p;
};

static enum sc_status bad(struct ld *d, int layer, const char *what)
{
    if (layer < 0)
        return sc_error_set(d->err, SC_ERR_FORMAT, "%s: %s; convert the network again.",
                            d->path, what);
    return sc_error_set(d->err, SC_ERR_FORMAT, "%s: layer %d %s; convert the network again.",
                        d->path, layer, what);
}

/* Reads a whole file of at most max bytes. */
static enum sc_status slurp(const char *path, size_t max, uint8_t **out, size_t *len,
                            struct sc_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sc_error_set(err, SC_ERR_IO, "Cannot open %s: %s.", path, strerror(errno));
    long n = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
    if (n < 0 || (size_t)n > max || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return sc_error_set(err, SC_ERR_FORMAT, "%s is not a style predictor file (%ld "
                            "bytes); convert the network again.", path, n);
    }
    *out = malloc((size_t)n + 1);
    size_t got = *out ? fread(*out, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!*out)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory reading %s.", path);
    if (got != (size_t)n)
        return sc_error_set(err, SC_ERR_IO, "Cannot read %s.", path);
    *len = (size_t)n;
    return SC_OK;
}

/* An integer member in [lo, hi]; -1 when missing, not an integer or outside. */
static int jint(struct json_object *o, const char *key, long lo, long hi, int *v)
{
    struct json_object *m;
    if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_int))
        return -1;
    int64_t x = json_object_get_int64(m);
    if (x < lo || x > hi)
        return -1;
    *v = (int)x;
    return 0;
}

/* An array member of n integers in [lo, hi]. */
static int jints(struct json_object *o, const char *key, int n, long lo, long hi, int *v)
{
    struct json_object *a;
    if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array) ||
        (int)json_object_array_length(a) != n)
        return -1;
    for (int i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(a, (size_t)i);
        if (!json_object_is_type(e, json_type_int))
            return -1;
        int64_t x = json_object_get_int64(e);
        if (x < lo || x > hi)
            return -1;
        v[i] = (int)x;
    }
    return 0;
}

/* {"scale": finite > 0 that fits a float, "zp": int8}. */
static int jquant(struct json_object *o, const char *key, struct sc_pl_quant *q)
{
    struct json_object *m, *s;
    if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_object) ||
        !json_object_object_get_ex(m, "scale", &s) ||
        !(json_object_is_type(s, json_type_double) || json_object_is_type(s, json_type_int)))
        return -1;
    double v = json_object_get_double(s);
    if (!isfinite(v) || v < 1e-30 || v > 1e6 || jint(m, "zp", -128, 127, &q->zp))
        return -1;
    q->scale = (float)v;
    return 0;
}

static int quant_eq(struct sc_pl_quant a, struct sc_pl_quant b)
{
    return a.scale == b.scale && a.zp == b.zp;
}

/* The shape and quantization layer k's input i comes with. */
static void source(struct ld *d, int src, int *h, int *w, int *c, struct sc_pl_quant *q)
{
    if (src < 0) {
        *h = *w = SC_PL_SIZE;
        *c = 3;
        *q = d->p->in_q;
        return;
    }
    const struct sc_pl_layer *s = &d->p->l[src];
    *h = s->oh;
    *w = s->ow;
    *c = s->oc;
    *q = s->y;
}

/* A blob region of n elements of size es at the member key's offset. */
static const void *region(struct ld *d, struct json_object *o, const char *key, size_t n,
                          size_t es)
{
    int off;
    if (jint(o, key, 0, INT32_MAX, &off) || off % (int)es ||
        (size_t)off > d->p->blen || (d->p->blen - (size_t)off) / es < n)
        return NULL;
    return d->p->blob + off;
}

static enum sc_status conv_layer(struct ld *d, int k, struct json_object *o,
                                 struct sc_pl_layer *l)
{
    int ker[2], str[2];
    struct json_object *pad;
    if (jints(o, "kernel", 2, 1, 7, ker) || jints(o, "stride", 2, 1, 4, str) ||
        !json_object_object_get_ex(o, "padding", &pad) ||
        !json_object_is_type(pad, json_type_string))
        return bad(d, k, "lacks a valid kernel, stride or padding");
    const char *ps = json_object_get_string(pad);
    int same = !strcmp(ps, "same");
    if (!same && strcmp(ps, "valid"))
        return bad(d, k, "has a padding other than same or valid");
    l->kh = ker[0];
    l->kw = ker[1];
    l->sh = str[0];
    l->sw = str[1];
    int oh = same ? (l->ih + l->sh - 1) / l->sh : (l->ih - l->kh) / l->sh + 1;
    int ow = same ? (l->iw + l->sw - 1) / l->sw : (l->iw - l->kw) / l->sw + 1;
    if (!same && (l->ih < l->kh || l->iw < l->kw))
        return bad(d, k, "has a kernel larger than its input");
    /* TensorFlow's SAME: the smaller half of the padding before. */
    int th = (oh - 1) * l->sh + l->kh - l->ih, tw = (ow - 1) * l->sw + l->kw - l->iw;
    l->pad_t = same && th > 0 ? th / 2 : 0;
    l->pad_l = same && tw > 0 ? tw / 2 : 0;
    if (oh != l->oh || ow != l->ow || (l->op == SC_PL_DWCONV && l->oc != l->ic))
        return bad(d, k, "has an output shape its input, kernel and stride do not give");
    size_t wn = (size_t)l->kh * l->kw * (size_t)l->oc * (l->op == SC_PL_CONV ? l->ic : 1);
    l->w = region(d, o, "weights", wn, 1);
    l->b = region(d, o, "bias", (size_t)l->oc, 4);
    l->ws = region(d, o, "wscale", (size_t)l->oc, 4);
    if (!l->w || !l->b || !l->ws)
        return bad(d, k, "has weights, bias or scales outside weights.bin");
    for (int c = 0; c < l->oc; c++)
        if (!isfinite(l->ws[c]) || !(l->ws[c] > 0))
            return bad(d, k, "has a weight scale that is not a positive number");
    return SC_OK;
}

/* Common fields, the inputs' shapes, then the op's own. */
static enum sc_status read_layer(struct ld *d, int k, struct json_object *o)
{
    struct sc_pl_layer *l = &d->p->l[k];
    struct json_object *op;
    int shape[3], n;
    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "op", &op) ||
        !json_object_is_type(op, json_type_string))
        return bad(d, k, "is not an object with an op");
    const char *s = json_object_get_string(op);
    l->op = !strcmp(s, "conv") ? SC_PL_CONV : !strcmp(s, "dwconv") ? SC_PL_DWCONV
          : !strcmp(s, "add") ? SC_PL_ADD : !strcmp(s, "mean") ? SC_PL_MEAN : (enum sc_pl_op)-1;
    if ((int)l->op < 0)
        return bad(d, k, "has an unknown op");
    n = l->op == SC_PL_ADD ? 2 : 1;
    if (jints(o, "inputs", n, -1, k - 1, l->in) || jints(o, "shape", 3, 1, MAX_DIM, shape) ||
        (size_t)shape[0] * shape[1] * shape[2] > MAX_ELEMS)
        return bad(d, k, "has inputs that are not earlier layers or an impossible shape");
    l->oh = shape[0];
    l->ow = shape[1];
    l->oc = shape[2];
    struct sc_pl_quant q, q2;
    int h2, w2, c2;
    source(d, l->in[0], &l->ih, &l->iw, &l->ic, &q);
    if (jquant(o, "in", &l->x) || jquant(o, "out", &l->y) ||
        (l->op == SC_PL_ADD && jquant(o, "in2", &l->x2)))
        return bad(d, k, "has a scale that is not a positive number or a zero point "
                   "outside int8");
    if (!quant_eq(q, l->x))
        return bad(d, k, "reads its input with another scale than it was written with");
    l->qmin = -128;
    l->qmax = 127;
    if (l->op != SC_PL_MEAN) {
        int cl[2];
        if (jints(o, "clamp", 2, -128, 127, cl) || cl[0] > cl[1])
            return bad(d, k, "has no valid int8 clamp");
        l->qmin = cl[0];
        l->qmax = cl[1];
    }
    switch (l->op) {
    case SC_PL_CONV:
    case SC_PL_DWCONV:
        return conv_layer(d, k, o, l);
    case SC_PL_ADD:
        source(d, l->in[1], &h2, &w2, &c2, &q2);
        if (!quant_eq(q2, l->x2))
            return bad(d, k, "reads its second input with another scale than it was "
                       "written with");
        if (h2 != l->ih || w2 != l->iw || c2 != l->ic || l->oh != l->ih || l->ow != l->iw ||
            l->oc != l->ic)
            return bad(d, k, "adds tensors of different shapes");
        return SC_OK;
    default:
        if (l->oh != 1 || l->ow != 1 || l->oc != l->ic || (size_t)l->ih * l->iw > 1 << 20)
            return bad(d, k, "is a mean whose shape is not 1x1 by its input's channels");
        return SC_OK;
    }
}

static enum sc_status read_manifest(struct ld *d, struct json_object *root)
{
    struct sc_predict *p = d->p;
    struct json_object *fmt, *layers, *out;
    int ver, size, blob;
    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "format", &fmt) ||
        !json_object_is_type(fmt, json_type_string) ||
        strcmp(json_object_get_string(fmt), "stylecam-predict") ||
        jint(root, "version", 1, 1, &ver))
        return bad(d, -1, "is not a version 1 style predictor manifest");
    struct json_object *in;
    if (!json_object_object_get_ex(root, "input", &in) ||
        jint(in, "size", SC_PL_SIZE, SC_PL_SIZE, &size) ||
        jquant(root, "input", &p->in_q) || jquant(root, "output", &p->out_q) ||
        !json_object_object_get_ex(root, "output", &out))
        return bad(d, -1, "lacks a valid 256x256 input or output quantization");
    if (jint(root, "blob_size", 0, INT32_MAX, &blob) || (size_t)blob != p->blen)
        return sc_error_set(d->err, SC_ERR_FORMAT, "%s: weights.bin has %zu bytes where "
                            "the manifest says %d; convert the network again.", d->path,
                            p->blen, blob);
    if (!json_object_object_get_ex(root, "layers", &layers) ||
        !json_object_is_type(layers, json_type_array) ||
        json_object_array_length(layers) < 1 || json_object_array_length(layers) > MAX_LAYERS)
        return bad(d, -1, "has no list of layers");
    p->n = (int)json_object_array_length(layers);
    p->l = calloc((size_t)p->n, sizeof *p->l);
    if (!p->l)
        return sc_error_set(d->err, SC_ERR_NOMEM, "Out of memory loading %s.", d->path);
    for (int k = 0; k < p->n; k++) {
        enum sc_status st = read_layer(d, k, json_object_array_get_idx(layers, (size_t)k));
        if (st)
            return st;
    }
    if (jint(out, "layer", 0, p->n - 1, &p->out_layer) ||
        (size_t)p->l[p->out_layer].oh * p->l[p->out_layer].ow * p->l[p->out_layer].oc !=
            SC_STYLE_VEC ||
        !quant_eq(p->l[p->out_layer].y, p->out_q))
        return bad(d, -1, "does not end in a layer of 100 values with the output's scale");
    return SC_OK;
}

/* Activations of every layer (a few MB at 256x256) and the derived constants. */
static enum sc_status finish_load(struct ld *d)
{
    struct sc_predict *p = d->p;
    p->act = calloc((size_t)p->n, sizeof *p->act);
    p->input = malloc((size_t)SC_PL_SIZE * SC_PL_SIZE * 3);
    p->pic = malloc((size_t)SC_PL_SIZE * SC_PL_SIZE * 3);
    int most = 1;
    for (int k = 0; k < p->n; k++)
        most = p->l[k].oc > most ? p->l[k].oc : most;
    p->acc = malloc((size_t)most * sizeof *p->acc);
    if (!p->act || !p->input || !p->pic || !p->acc)
        return sc_error_set(d->err, SC_ERR_NOMEM, "Out of memory loading %s.", d->path);
    size_t total = 0;
    for (int k = 0; k < p->n; k++)
        total += (size_t)p->l[k].oh * p->l[k].ow * p->l[k].oc;
    if (total > MAX_ACTS)
        return bad(d, -1, "needs more than 256 MB of activations");
    for (int k = 0; k < p->n; k++) {
        const struct sc_pl_layer *l = &p->l[k];
        p->act[k] = malloc((size_t)l->oh * l->ow * l->oc);
        if (!p->act[k])
            return sc_error_set(d->err, SC_ERR_NOMEM, "Out of memory loading %s.", d->path);
    }
    return sc_predict_set_rules(p, 0, d->err);
}

enum sc_status sc_predict_set_rules(struct sc_predict *p, int rules, struct sc_error *err)
{
    p->rules = rules;
    for (int k = 0; k < p->n; k++) {
        enum sc_status st = sc_pl_prepare(&p->l[k], rules, "the style predictor", k, err);
        if (st)
            return st;
    }
    return SC_OK;
}

enum sc_status sc_predict_load(const char *dir, struct sc_predict **out,
                               struct sc_error *err)
{
    *out = NULL;
    char mpath[4096], bpath[4096];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    snprintf(bpath, sizeof bpath, "%s/weights.bin", dir);
    struct sc_predict *p = calloc(1, sizeof *p);
    if (!p)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading %s.", mpath);
    struct ld d = {mpath, err, p};
    uint8_t *text = NULL;
    size_t tlen = 0;
    struct json_object *root = NULL;
    enum sc_status st = slurp(mpath, SC_MANIFEST_MAX_BYTES, &text, &tlen, err);
    if (!st)
        st = slurp(bpath, MAX_BLOB, &p->blob, &p->blen, err);
    if (!st)
        st = sc_json_parse((const char *)text, tlen, mpath, "style predictor manifest", &root,
                           err);
    if (!st)
        st = read_manifest(&d, root);
    if (!st)
        st = finish_load(&d);
    json_object_put(root);
    free(text);
    if (st) {
        sc_predict_free(&p);
        return st;
    }
    *out = p;
    return SC_OK;
}

void sc_predict_free(struct sc_predict **pp)
{
    struct sc_predict *p = *pp;
    *pp = NULL;
    if (!p)
        return;
    for (int k = 0; k < p->n; k++) {
        sc_pl_release(&p->l[k]);
        if (p->act)
            free(p->act[k]);
    }
    free(p->act);
    free(p->l);
    free(p->blob);
    free(p->input);
    free(p->pic);
    free(p->acc);
    free(p);
}

/* XNNPACK's f32 -> qs8 convert (the delegate takes QUANTIZE): x times
 * 1 / scale in float, clamped, rounded to nearest-even, plus the zero point. */
static void quantize_input(struct sc_predict *p)
{
    float inv = 1.0f / p->in_q.scale;
    float lo = (float)(-128 - p->in_q.zp), hi = (float)(127 - p->in_q.zp);
    for (size_t i = 0; i < (size_t)SC_PL_SIZE * SC_PL_SIZE * 3; i++) {
        float v = ((float)p->pic[i] / 255.0f) * inv;
        v = v < lo ? lo : v > hi ? hi : v;
        union { float f; int32_t i; } u = {.f = v + 12582912.0f};
        p->input[i] = (int8_t)(u.i - 0x4B400000 + p->in_q.zp);
    }
}

static void run_layer(struct sc_predict *p, int k)
{
    const struct sc_pl_layer *l = &p->l[k];
    const int8_t *x = l->in[0] < 0 ? p->input : p->act[l->in[0]];
    switch (l->op) {
    case SC_PL_CONV:
        sc_pl_conv(l, p->rules, x, p->act[k], p->acc);
        break;
    case SC_PL_DWCONV:
        sc_pl_dwconv(l, p->rules, x, p->act[k], p->acc);
        break;
    case SC_PL_ADD:
        sc_pl_add(l, p->rules, x, l->in[1] < 0 ? p->input : p->act[l->in[1]], p->act[k]);
        break;
    case SC_PL_MEAN:
        sc_pl_mean(l, p->rules, x, p->act[k]);
        break;
    }
}

enum sc_status sc_predict_run(struct sc_predict *p, const uint8_t *rgb, int w, int h,
                              float vec[SC_STYLE_VEC], struct sc_error *err)
{
    if (!p || !rgb || w < 1 || h < 1 || w > 1 << 15 || h > 1 << 15)
        return sc_error_set(err, SC_ERR_ARG, "The style picture's size %dx%d is not one the "
                            "predictor takes.", w, h);
    if (w == SC_PL_SIZE && h == SC_PL_SIZE)
        memcpy(p->pic, rgb, (size_t)SC_PL_SIZE * SC_PL_SIZE * 3);
    else
        sc_pl_area_resize(rgb, w, h, p->pic);
    quantize_input(p);
    for (int k = 0; k < p->n; k++)
        run_layer(p, k);
    /* DEQUANTIZE: (q - zp) * scale in float, as XNNPACK's qs8 -> f32 convert. */
    const int8_t *q = p->act[p->out_layer];
    for (int i = 0; i < SC_STYLE_VEC; i++)
        vec[i] = (float)((int32_t)q[i] - p->out_q.zp) * p->out_q.scale;
    return SC_OK;
}
