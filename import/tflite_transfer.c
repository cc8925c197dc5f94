/* Magenta's arbitrary-style transformer (Ghiasi et al. 2017) from TFLite to
 * a network description. The ops are walked in the file's (topological)
 * order; each picture tensor maps to a layer. The written-out conditional
 * instance norm (MEAN, SQUARED_DIFFERENCE, MEAN, ADD eps, RSQRT, MUL by
 * gamma, MUL, MUL, SUB from beta, ADD) is recognised by its graph, starting
 * at its first MEAN, and becomes one conditional norm whose gamma and beta
 * are the 1x1 convolutions of the style vector feeding it. */
#include "import/tflite_conv_priv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cv {
    const struct sc_tfl *m;
    struct sc_net *net;
    struct sc_error *err;
    int *layer;              /* per tensor: the layer holding it, -1 none */
    int *prod;               /* per tensor: the op making it, -1 none */
    char *done;              /* per op: converted (or absorbed into a norm) */
    int content, style, vlen;
};

static const char *op_name(int code)
{
    switch (code) {
    case SC_TFLOP_ADD: return "ADD";
    case SC_TFLOP_CONV_2D: return "CONV_2D";
    case SC_TFLOP_DEPTHWISE_CONV_2D: return "DEPTHWISE_CONV_2D";
    case SC_TFLOP_DEQUANTIZE: return "DEQUANTIZE";
    case SC_TFLOP_LOGISTIC: return "LOGISTIC";
    case SC_TFLOP_MUL: return "MUL";
    case SC_TFLOP_RELU: return "RELU";
    case SC_TFLOP_MEAN: return "MEAN";
    case SC_TFLOP_SUB: return "SUB";
    case SC_TFLOP_RSQRT: return "RSQRT";
    case SC_TFLOP_RESIZE_NEAREST: return "RESIZE_NEAREST_NEIGHBOR";
    case SC_TFLOP_SQUARED_DIFFERENCE: return "SQUARED_DIFFERENCE";
    case SC_TFLOP_MIRROR_PAD: return "MIRROR_PAD";
    default: return "an op";
    }
}

/* One sentence: "FILE: op N (NAME) WHAT; ...". */
__attribute__((format(printf, 3, 4)))
static enum sc_status refuse(struct cv *c, int i, const char *fmt, ...)
{
    char what[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int code = c->m->op[i].code;
    return sc_error_set(c->err, SC_ERR_FORMAT, "%s: op %d (%s, code %d) %s; this is not the "
                        "style transformer stylecam converts.", c->m->path, i,
                        op_name(code), code, what);
}

/* The tensor holding t's constant data (t, or what a DEQUANTIZE made it
 * from), -1 when t is computed. */
static int cst(const struct cv *c, int t)
{
    if (t < 0)
        return -1;
    if (c->m->t[t].data)
        return t;
    int p = c->prod[t], s = p >= 0 && c->m->op[p].nin == 1 ? c->m->op[p].in[0] : -1;
    if (s >= 0 && c->m->op[p].code == SC_TFLOP_DEQUANTIZE && c->m->t[s].data)
        return s;
    return -1;
}

/* count finite floats of constant t, read for op i. */
static enum sc_status floats(struct cv *c, int i, int t, float *dst, long count)
{
    int s = cst(c, t);
    if (s < 0)
        return refuse(c, i, "reads '%s' as weights but it is computed", c->m->t[t].name);
    if (sc_tfl_floats(c->m, s, dst, count, NULL))
        return refuse(c, i, "reads '%s' as %ld float weights and it holds another type or "
                      "size", c->m->t[s].name, count);
    for (long k = 0; k < count; k++)
        if (!isfinite(dst[k]))
            return sc_error_set(c->err, SC_ERR_FORMAT, "%s: op %d (%s) has a NaN or "
                                "infinite weight in '%s'; the file is damaged, download it "
                                "again.", c->m->path, i, op_name(c->m->op[i].code),
                                c->m->t[s].name);
    return SC_OK;
}

/* Exactly n int32 values of constant t into dst; 0 on success. */
static int ints(const struct cv *c, int t, int *dst, int n)
{
    int s = cst(c, t);
    const struct sc_tfl_tensor *x = s >= 0 ? &c->m->t[s] : NULL;
    if (!x || x->type != SC_TFL_I32 || x->size != 4 * (size_t)n)
        return -1;
    for (int k = 0; k < n; k++) {
        int32_t v;
        memcpy(&v, x->data + 4 * k, 4);
        dst[k] = v;
    }
    return 0;
}

/* The ops reading t (up to max in ops[]); a graph output counts as -1. */
static int readers(const struct cv *c, int t, int *ops, int max)
{
    int n = 0;
    for (int i = 0; i < c->m->nops; i++)
        for (int k = 0; k < c->m->op[i].nin; k++)
            if (c->m->op[i].in[k] == t) {
                if (n < max)
                    ops[n] = i;
                n++;
                break;
            }
    for (int k = 0; k < c->m->nout; k++)
        if (c->m->out[k] == t) {
            if (n < max)
                ops[n] = -1;
            n++;
        }
    return n;
}

/* The one op reading t when it has code (and one output), else -1. */
static int sole_reader(const struct cv *c, int t, int code)
{
    int r[2];
    if (readers(c, t, r, 2) != 1 || r[0] < 0)
        return -1;
    const struct sc_tfl_op *o = &c->m->op[r[0]];
    return o->code == code && o->nout == 1 ? r[0] : -1;
}

/* Binary op o's input other than t; -2 when t is not one of its two. */
static int other(const struct sc_tfl_op *o, int t)
{
    if (o->nin != 2 || o->nout != 1)
        return -2;
    return o->in[0] == t ? o->in[1] : o->in[1] == t ? o->in[0] : -2;
}

/* Fused activation of ADD, SUB, MUL (field 0) or CONV_2D (field 3). */
static long act(const struct cv *c, int i)
{
    const struct sc_tfl_op *o = &c->m->op[i];
    return sc_tfl_opt_int(c->m, o, o->code == SC_TFLOP_CONV_2D ? 3 : 0, 1, 0);
}

/* Adds l making tensor t for op i (l's name from t's, and suffix). */
static enum sc_status emit_named(struct cv *c, int i, struct sc_net_layer *l, int t,
                                 const char *suffix)
{
    /* The name's end when it is long: that part tells the layers apart. */
    char nm[200];
    snprintf(nm, sizeof nm, "%s%s", c->m->t[t].name, suffix);
    size_t n = strlen(nm), keep = n < sizeof l->name ? n : sizeof l->name - 1;
    memcpy(l->name, nm + n - keep, keep);
    l->name[keep] = '\0';
    int idx;
    struct sc_error e;
    if (sc_net_add(c->net, l, &idx, &e))
        return refuse(c, i, "cannot become a layer (%s)", e.msg);
    c->layer[t] = idx;
    return SC_OK;
}

static enum sc_status emit(struct cv *c, int i, struct sc_net_layer *l, int t)
{
    return emit_named(c, i, l, t, "");
}

/* The fused activation after op i's layer, as a layer of its own. */
static enum sc_status emit_act(struct cv *c, int i, long a, int t)
{
    if (a == 0)
        return SC_OK;
    if (a != 1 && a != 3)
        return refuse(c, i, "has fused activation %ld; only none, RELU and RELU6 are "
                      "supported", a);
    struct sc_net_layer l = {.op = a == 1 ? SC_OP_RELU : SC_OP_CLIP, .in = {c->layer[t], -1},
                             .lo = 0, .hi = 6};
    return emit_named(c, i, &l, t, a == 1 ? ":relu" : ":relu6");
}

/* The layer of picture tensor t read by op i, or -1 with err set. */
static int picture(struct cv *c, int i, int t)
{
    if (t >= 0 && c->layer[t] >= 0)
        return c->layer[t];
    (void)refuse(c, i, "reads '%s', which is not a picture tensor made before it",
                 t >= 0 ? c->m->t[t].name : "nothing");
    return -1;
}


/* ---- the conditional instance norm ---- */

/* MEAN op i averages over height and width, keeping the dimensions. */
static int mean_hw(const struct cv *c, int i)
{
    const struct sc_tfl_op *o = &c->m->op[i];
    int ax[2];
    return o->nin == 2 && o->nout == 1 && ints(c, o->in[1], ax, 2) == 0 &&
           ((ax[0] == 1 && ax[1] == 2) || (ax[0] == 2 && ax[1] == 1)) &&
           sc_tfl_opt_int(c->m, o, 0, 1, 0) == 1;
}

/* The ops of one norm, from its first MEAN. */
struct norm {
    int x, y;                /* picture in, out */
    int gamma, beta, eps;    /* tensors */
    int op[10], nop;
};

static enum sc_status pattern_fail(struct cv *c, int i, const char *what)
{
    return refuse(c, i, "starts an instance norm whose %s is not the expected pattern",
                  what);
}

/* MEAN(x), SQUARED_DIFFERENCE(x, mean), MEAN, ADD eps, RSQRT. */
static enum sc_status match_moments(struct cv *c, int i, struct norm *n, int *mulm, int *rs)
{
    const struct sc_tfl *m = c->m;
    int mt = m->op[i].out[0], r[3], sd = -1;
    n->x = m->op[i].in[0];
    if (!mean_hw(c, i) || readers(c, mt, r, 3) != 2 || r[0] < 0 || r[1] < 0)
        return pattern_fail(c, i, "mean");
    for (int k = 0; k < 2; k++) {
        const struct sc_tfl_op *o = &m->op[r[k]];
        if (o->code == SC_TFLOP_SQUARED_DIFFERENCE && other(o, mt) == n->x)
            sd = r[k];
        else if (o->code == SC_TFLOP_MUL && act(c, r[k]) == 0)
            *mulm = r[k];
    }
    int mean2 = sd < 0 ? -1 : sole_reader(c, m->op[sd].out[0], SC_TFLOP_MEAN);
    if (sd < 0 || *mulm < 0 || mean2 < 0 || !mean_hw(c, mean2))
        return pattern_fail(c, i, "variance");
    int adde = sole_reader(c, m->op[mean2].out[0], SC_TFLOP_ADD);
    n->eps = adde < 0 ? -2 : other(&m->op[adde], m->op[mean2].out[0]);
    if (n->eps < 0 || cst(c, n->eps) < 0 || sc_tfl_count(m, n->eps) != 1 || act(c, adde))
        return pattern_fail(c, i, "epsilon");
    *rs = sole_reader(c, m->op[adde].out[0], SC_TFLOP_RSQRT);
    if (*rs < 0)
        return pattern_fail(c, i, "reciprocal square root");
    int ops[] = {i, sd, mean2, adde, *rs};
    memcpy(n->op, ops, sizeof ops);
    n->nop = 5;
    return SC_OK;
}

/* g = RSQRT*gamma; MUL(x, g) + (beta - MUL(mean, g)). */
static enum sc_status match_affine(struct cv *c, int i, struct norm *n, int mulm, int rs)
{
    const struct sc_tfl *m = c->m;
    int mt = m->op[i].out[0], r[3];
    int mulg = sole_reader(c, m->op[rs].out[0], SC_TFLOP_MUL);
    n->gamma = mulg < 0 ? -2 : other(&m->op[mulg], m->op[rs].out[0]);
    int g = mulg < 0 ? -1 : m->op[mulg].out[0];
    if (n->gamma < 0 || act(c, mulg) || readers(c, g, r, 3) != 2 || r[0] < 0 || r[1] < 0)
        return pattern_fail(c, i, "scale");
    int mulx = r[0] == mulm ? r[1] : r[1] == mulm ? r[0] : -1;
    if (mulx < 0 || m->op[mulx].code != SC_TFLOP_MUL || other(&m->op[mulx], g) != n->x ||
        other(&m->op[mulm], g) != mt || act(c, mulx))
        return pattern_fail(c, i, "scaling");
    int sub = sole_reader(c, m->op[mulm].out[0], SC_TFLOP_SUB);
    if (sub < 0 || m->op[sub].in[1] != m->op[mulm].out[0] || act(c, sub))
        return pattern_fail(c, i, "shift");
    n->beta = m->op[sub].in[0];
    int addy = sole_reader(c, m->op[sub].out[0], SC_TFLOP_ADD);
    if (addy < 0 || sole_reader(c, m->op[mulx].out[0], SC_TFLOP_ADD) != addy ||
        other(&m->op[addy], m->op[sub].out[0]) != m->op[mulx].out[0])
        return pattern_fail(c, i, "sum");
    n->y = m->op[addy].out[0];
    int ops[] = {mulg, mulx, mulm, sub, addy};
    memcpy(n->op + n->nop, ops, sizeof ops);
    n->nop += 5;
    return SC_OK;
}

/* gamma or beta: a 1x1 convolution of the style vector with ch outputs,
 * read into rows of V weights then the bias ([ch][V+1]). */
static enum sc_status projection(struct cv *c, int i, int t, int ch, float *dst)
{
    const struct sc_tfl *m = c->m;
    int p = c->prod[t], v = c->vlen;
    const struct sc_tfl_op *o = p >= 0 ? &m->op[p] : NULL;
    const struct sc_tfl_tensor *w = o && o->nin >= 2 && o->in[1] >= 0 ? &m->t[o->in[1]] : NULL;
    if (!o || o->code != SC_TFLOP_CONV_2D || o->in[0] != c->style || !w || w->rank != 4 ||
        w->shape[0] != ch || w->shape[1] != 1 || w->shape[2] != 1 || w->shape[3] != v ||
        act(c, p) || sc_tfl_opt_int(m, o, 1, 4, 1) != 1 || sc_tfl_opt_int(m, o, 2, 4, 1) != 1)
        return refuse(c, i, "starts an instance norm whose scale or shift '%s' is not a "
                      "1x1 convolution of the style vector to %d channels", m->t[t].name, ch);
    float *wt = malloc((size_t)ch * v * sizeof *wt), *b = calloc((size_t)ch, sizeof *b);
    enum sc_status st = !wt || !b ? sc_error_set(c->err, SC_ERR_NOMEM, "Out of memory "
                                                 "converting %s.", m->path) : SC_OK;
    if (!st)
        st = floats(c, p, o->in[1], wt, (long)ch * v);
    if (!st && o->nin >= 3 && o->in[2] >= 0)
        st = floats(c, p, o->in[2], b, ch);
    for (int k = 0; !st && k < ch; k++) {
        memcpy(dst + (size_t)k * (v + 1), wt + (size_t)k * v, (size_t)v * sizeof *wt);
        dst[(size_t)k * (v + 1) + v] = b[k];
    }
    free(wt);
    free(b);
    if (!st)
        c->done[p] = 1;
    return st;
}

static enum sc_status convert_norm(struct cv *c, int i)
{
    struct norm n = {0};
    int mulm = -1, rs = -1, in = -1;
    enum sc_status st = match_moments(c, i, &n, &mulm, &rs);
    if (!st)
        st = match_affine(c, i, &n, mulm, rs);
    if (!st && (in = picture(c, i, n.x)) < 0)
        st = SC_ERR_FORMAT;
    if (st)
        return st;
    int ch = sc_net_channels(c->net, in);
    long per = (long)ch * (c->vlen + 1);
    float eps = 0, *g = malloc((size_t)per * sizeof *g), *b = malloc((size_t)per * sizeof *b);
    st = !g || !b ? sc_error_set(c->err, SC_ERR_NOMEM, "Out of memory "
                                               "converting %s.", c->m->path) : SC_OK;
    if (!st)
        st = floats(c, n.op[3], n.eps, &eps, 1);
    if (!st)
        st = projection(c, i, n.gamma, ch, g);
    if (!st)
        st = projection(c, i, n.beta, ch, b);
    struct sc_net_layer l = {.op = SC_OP_NORM, .in = {in, -1}, .eps = eps, .cond = c->vlen,
                             .w = g, .b = b, .nw = per, .nb = per};
    int last = n.op[n.nop - 1];
    if (!st)
        st = emit(c, i, &l, n.y);
    if (!st)
        st = emit_act(c, last, act(c, last), n.y);
    for (int k = 0; !st && k < n.nop; k++)
        c->done[n.op[k]] = 1;
    free(g);
    free(b);
    return st;
}

/* ---- the other ops ---- */

/* CONV_2D on a picture: TF weights [OC][KH][KW][IC] to ours [k][k][IC][OC]. */
static enum sc_status convert_conv(struct cv *c, int i)
{
    const struct sc_tfl_op *o = &c->m->op[i];
    int in = o->nin >= 2 && o->in[1] >= 0 ? picture(c, i, o->in[0]) : -1;
    if (in < 0)
        return o->nin >= 2 && o->in[1] >= 0 ? SC_ERR_FORMAT : refuse(c, i, "has no weights");
    const struct sc_tfl_tensor *w = &c->m->t[o->in[1]];
    int ic = sc_net_channels(c->net, in), oc = w->shape[0], k = w->shape[1];
    long sw = sc_tfl_opt_int(c->m, o, 1, 4, 1), sh = sc_tfl_opt_int(c->m, o, 2, 4, 1);
    long pad = sc_tfl_opt_int(c->m, o, 0, 1, 0);
    if (w->rank != 4 || w->shape[2] != k || w->shape[3] != ic || oc < 1 || oc > 4096 ||
        k < 1 || k > 31 || sw != sh || pad < 0 || pad > 1 ||
        sc_tfl_opt_int(c->m, o, 4, 4, 1) != 1 || sc_tfl_opt_int(c->m, o, 5, 4, 1) != 1)
        return refuse(c, i, "has a kernel, stride, padding or dilation stylecam does not "
                      "run (only square kernels over all %d input channels, equal strides, "
                      "no dilation)", ic);
    long n = (long)oc * k * k * ic;
    float *src = malloc((size_t)n * sizeof *src), *dst = malloc((size_t)n * sizeof *dst);
    float *bias = calloc((size_t)oc, sizeof *bias);
    enum sc_status st = !src || !dst || !bias ? sc_error_set(c->err, SC_ERR_NOMEM, "Out of "
                                                "memory converting %s.", c->m->path) : SC_OK;
    if (!st)
        st = floats(c, i, o->in[1], src, n);
    if (!st && o->nin >= 3 && o->in[2] >= 0)
        st = floats(c, i, o->in[2], bias, oc);
    for (long q = 0; !st && q < n; q++) {
        long ci = q % ic, x = q / ic % k, y = q / ic / k % k, co = q / ic / k / k;
        dst[((y * k + x) * ic + ci) * oc + co] = src[q];
    }
    struct sc_net_layer l = {.op = SC_OP_CONV, .in = {in, -1}, .out = oc, .k = k,
                             .stride = (int)sw, .groups = 1,
                             .pad_mode = pad ? SC_PAD_EXPLICIT : SC_PAD_SAME_UPPER,
                             .w = dst, .b = bias, .nw = n, .nb = oc};
    if (!st)
        st = emit(c, i, &l, o->out[0]);
    if (!st)
        st = emit_act(c, i, act(c, i), o->out[0]);
    free(src);
    free(dst);
    free(bias);
    return st;
}

/* MIRROR_PAD of height and width; REFLECT only (the edge is not repeated). */
static enum sc_status convert_pad(struct cv *c, int i)
{
    const struct sc_tfl_op *o = &c->m->op[i];
    int in = o->nin == 2 ? picture(c, i, o->in[0]) : -1, p[8];
    if (in < 0)
        return SC_ERR_FORMAT;
    if (sc_tfl_opt_int(c->m, o, 0, 1, 0) != 0)
        return refuse(c, i, "pads in SYMMETRIC mode; only REFLECT is supported");
    if (ints(c, o->in[1], p, 8) || p[0] || p[1] || p[6] || p[7] || p[2] < 0 || p[3] < 0 ||
        p[4] < 0 || p[5] < 0 || p[2] > 4096 || p[3] > 4096 || p[4] > 4096 || p[5] > 4096)
        return refuse(c, i, "has paddings other than a constant 4x2 int32 tensor padding "
                      "height and width");
    struct sc_net_layer l = {.op = SC_OP_PAD, .in = {in, -1}, .border = 1,
                             .pad = {p[2], p[4], p[3], p[5]}};
    return emit(c, i, &l, o->out[0]);
}

/* Nearest resizing by the whole factor its stored shapes give (the size it
 * names holds for one input size only); x1 is no layer. */
static enum sc_status convert_resize(struct cv *c, int i)
{
    const struct sc_tfl_op *o = &c->m->op[i];
    int in = o->nin == 2 ? picture(c, i, o->in[0]) : -1, sz[2];
    if (in < 0)
        return SC_ERR_FORMAT;
    const struct sc_tfl_tensor *x = &c->m->t[o->in[0]];
    if (ints(c, o->in[1], sz, 2) || x->rank != 4 || x->shape[1] < 1 || x->shape[2] < 1 ||
        sz[0] % x->shape[1] || sz[1] % x->shape[2] || sz[0] / x->shape[1] != sz[1] / x->shape[2] ||
        sz[0] / x->shape[1] < 1 || sz[0] / x->shape[1] > 8)
        return refuse(c, i, "resizes by other than one whole factor from 1 to 8");
    if (sc_tfl_opt_int(c->m, o, 0, 1, 0))
        return refuse(c, i, "aligns corners, which is not a whole-factor upsampling");
    int f = sz[0] / x->shape[1];
    if (f == 1) {
        c->layer[o->out[0]] = in;
        return SC_OK;
    }
    struct sc_net_layer l = {.op = SC_OP_UPSAMPLE, .in = {in, -1}, .stride = f};
    return emit(c, i, &l, o->out[0]);
}

/* A residual ADD of two pictures, RELU, LOGISTIC. */
static enum sc_status convert_simple(struct cv *c, int i, enum sc_op op)
{
    const struct sc_tfl_op *o = &c->m->op[i];
    int a = o->nin >= 1 && o->nout == 1 ? picture(c, i, o->in[0]) : -1;
    int b = op == SC_OP_ADD && o->nin == 2 && a >= 0 ? picture(c, i, o->in[1]) : -1;
    if (a < 0 || (op == SC_OP_ADD && b < 0))
        return SC_ERR_FORMAT;
    struct sc_net_layer l = {.op = op, .in = {a, b}};
    enum sc_status st = emit(c, i, &l, o->out[0]);
    return !st && op == SC_OP_ADD ? emit_act(c, i, act(c, i), o->out[0]) : st;
}

static enum sc_status convert_op(struct cv *c, int i)
{
    const struct sc_tfl_op *o = &c->m->op[i];
    if (o->nout != 1)
        return refuse(c, i, "has %d outputs", o->nout);
    switch (o->code) {
    case SC_TFLOP_DEQUANTIZE:
        if (o->nin != 1 || o->in[0] < 0 || !c->m->t[o->in[0]].data)
            return refuse(c, i, "dequantizes a computed tensor");
        return SC_OK;
    case SC_TFLOP_CONV_2D:
        /* The style vector's convolutions wait for the norm that reads them. */
        return o->nin >= 1 && o->in[0] == c->style ? SC_OK : convert_conv(c, i);
    case SC_TFLOP_MIRROR_PAD: return convert_pad(c, i);
    case SC_TFLOP_MEAN: return convert_norm(c, i);
    case SC_TFLOP_RESIZE_NEAREST: return convert_resize(c, i);
    case SC_TFLOP_ADD: return convert_simple(c, i, SC_OP_ADD);
    case SC_TFLOP_RELU: return convert_simple(c, i, SC_OP_RELU);
    case SC_TFLOP_LOGISTIC: return convert_simple(c, i, SC_OP_SIGMOID);
    case SC_TFLOP_MUL: case SC_TFLOP_SUB: case SC_TFLOP_RSQRT:
    case SC_TFLOP_SQUARED_DIFFERENCE:
        return refuse(c, i, "lies outside any instance norm the converter recognises");
    default:
        return refuse(c, i, "is not supported");
    }
}

/* The picture [1,H,W,3] float32 and the style vector [1,...,1,V]. */
static enum sc_status find_inputs(struct cv *c)
{
    c->content = c->style = -1;
    for (int k = 0; k < c->m->nin; k++) {
        const struct sc_tfl_tensor *t = &c->m->t[c->m->in[k]];
        long n = sc_tfl_count(c->m, c->m->in[k]);
        if (t->rank == 4 && t->shape[0] == 1 && t->shape[3] == 3 && t->shape[1] > 1 &&
            t->type == SC_TFL_F32 && c->content < 0)
            c->content = c->m->in[k];
        else if (t->rank >= 1 && t->type == SC_TFL_F32 && n == t->shape[t->rank - 1] &&
                 n >= 1 && n <= 4096 && c->style < 0)
            c->style = c->m->in[k], c->vlen = (int)n;
    }
    if (c->m->nin != 2 || c->content < 0 || c->style < 0 || c->m->nout != 1)
        return sc_error_set(c->err, SC_ERR_FORMAT, "%s has not the style transformer's "
                            "inputs and output (a [1,H,W,3] float picture and a style "
                            "vector in, one picture out); give the transfer network, not "
                            "the predictor.", c->m->path);
    return SC_OK;
}

/* Every op converted, and the output is the last layer. */
static enum sc_status check_done(struct cv *c)
{
    for (int i = 0; i < c->m->nops; i++)
        if (!c->done[i])
            return refuse(c, i, "is a convolution of the style vector that no instance "
                          "norm reads");
    int out = c->layer[c->m->out[0]];
    if (out != sc_net_count(c->net) - 1 || sc_net_channels(c->net, out) != 3)
        return sc_error_set(c->err, SC_ERR_FORMAT, "%s: the output '%s' is not the last "
                            "3-channel layer the ops make; this is not the style transformer "
                            "stylecam converts.", c->m->path, c->m->t[c->m->out[0]].name);
    return SC_OK;
}

static enum sc_status convert(struct cv *c, const char *name)
{
    enum sc_status st = find_inputs(c);
    struct sc_net_io io = {.bgr = 0, .in_range = 1, .out_range = 1};
    if (!st)
        st = sc_net_init(&c->net, name, &io, c->err);
    if (!st)
        st = sc_net_set_vec_len(c->net, c->vlen, c->err);
    if (st)
        return st;
    c->layer[c->content] = 0;
    for (int i = 0; !st && i < c->m->nops; i++) {
        const struct sc_tfl_op *o = &c->m->op[i];
        int projection = o->code == SC_TFLOP_CONV_2D && o->nin >= 1 && o->in[0] == c->style;
        if (!c->done[i])
            st = convert_op(c, i);
        if (!st && !projection)
            c->done[i] = 1;
    }
    return st ? st : check_done(c);
}

enum sc_status sc_tfl_convert_transfer(const struct sc_tfl *m, const char *name,
                                       struct sc_net **out, struct sc_error *err)
{
    *out = NULL;
    struct cv c = {.m = m, .err = err};
    c.layer = malloc((size_t)m->ntensors * sizeof *c.layer + 1);
    c.prod = malloc((size_t)m->ntensors * sizeof *c.prod + 1);
    c.done = calloc((size_t)m->nops + 1, 1);
    enum sc_status st = !c.layer || !c.prod || !c.done
        ? sc_error_set(err, SC_ERR_NOMEM, "Out of memory converting %s.", m->path) : SC_OK;
    for (int t = 0; !st && t < m->ntensors; t++)
        c.layer[t] = c.prod[t] = -1;
    for (int i = 0; !st && i < m->nops; i++)
        for (int k = 0; k < m->op[i].nout; k++)
            if (m->op[i].out[k] >= 0)
                c.prod[m->op[i].out[k]] = i;
    if (!st)
        st = convert(&c, name);
    if (st)
        sc_net_free(&c.net);
    *out = c.net;
    free(c.layer);
    free(c.prod);
    free(c.done);
    return st;
}
