/* Nodes that read the picture become layers of the description. */
#include "import/onnx_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int in_channels(struct sc_onnx *x, const struct sc_onnx_val *v)
{
    return sc_net_channels(x->net, v->layer);
}

/* Copies a node output name onto an existing value (Identity, Dropout). */
static enum sc_status alias(struct sc_onnx *x, const struct sc_onnx_val *src)
{
    struct sc_onnx_val *v = sc_onnx_add(x, x->node->output[0]);
    if (!v)
        return sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    *v = *src;
    v->name = x->node->output[0];
    v->f = NULL;
    v->i = NULL;
    return SC_OK;
}

static enum sc_status conv_geometry(struct sc_onnx *x, struct sc_net_layer *l,
                                    const struct sc_onnx_val *w)
{
    int64_t a[8];
    char buf[32];
    if (w->rank != 4 || w->dims[2] != w->dims[3])
        return sc_onnx_fail(x, "has a kernel that is not square; stylecam runs square kernels "
                            "only.");
    int n = sc_onnx_attr_ints(x->node, "dilations", a, 8);
    for (int k = 0; k < n; k++)
        if (a[k] != 1)
            return sc_onnx_fail(x, "uses dilation %lld; stylecam runs dilation 1 only.",
                                (long long)a[k]);
    n = sc_onnx_attr_ints(x->node, "strides", a, 8);
    if (n > 2 || (n == 2 && a[0] != a[1]) || (n > 0 && (a[0] < 1 || a[0] > 8)))
        return sc_onnx_fail(x, "has unequal or unsupported strides; stylecam runs equal "
                            "strides of 1 to 8.");
    l->stride = n > 0 ? (int)a[0] : 1;
    l->k = (int)w->dims[2];
    const char *ap = sc_onnx_attr_str(x->node, "auto_pad", "NOTSET", buf, sizeof buf);
    l->pad_mode = strcmp(ap, "SAME_UPPER") == 0 ? SC_PAD_SAME_UPPER
                : strcmp(ap, "SAME_LOWER") == 0 ? SC_PAD_SAME_LOWER : SC_PAD_EXPLICIT;
    n = sc_onnx_attr_ints(x->node, "pads", a, 8);
    if (n > 0 && n != 4)
        return sc_onnx_fail(x, "has %d padding values; a 2-D layer needs 4.", n);
    for (int k = 0; k < 4 && n == 4 && strcmp(ap, "VALID") != 0; k++) {
        if (a[k] < 0 || a[k] > 4096)
            return sc_onnx_fail(x, "has a padding of %lld.", (long long)a[k]);
        l->pad[k] = (int)a[k];
    }
    return SC_OK;
}

/* Emits l with ONNX weights [A][B][k][k] reordered to the description's
 * [k][k][B][A] (a convolution's A is its output channels, a transposed
 * one's its input channels), and the bias b if any. */
static enum sc_status emit_weighted(struct sc_onnx *x, struct sc_net_layer *l,
                                    const struct sc_onnx_val *w, const struct sc_onnx_val *b,
                                    const struct sc_onnx_val *in, int na, int nb, int k)
{
    float *t = malloc((size_t)w->n * sizeof *t);
    if (!t)
        return sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    for (int a = 0; a < na; a++)
        for (int c = 0; c < nb; c++)
            for (int i = 0; i < k * k; i++)
                t[((long)i * nb + c) * na + a] = w->f ? w->f[((long)a * nb + c) * k * k + i] : 0;
    l->w = t;
    l->nw = w->n;
    l->b = b ? b->f : NULL;
    l->nb = b ? b->n : 0;
    enum sc_status st = sc_onnx_emit(x, l, in->layer, -1);
    free(t);
    return st;
}

static enum sc_status op_conv(struct sc_onnx *x, const struct sc_onnx_val *in)
{
    struct sc_onnx_val *w = sc_onnx_const_input(x, 1, "weights"), *b = sc_onnx_input(x, 2);
    if (!w)
        return SC_ERR_FORMAT;
    struct sc_net_layer l = {.op = SC_OP_CONV};
    enum sc_status st = conv_geometry(x, &l, w);
    if (st)
        return st;
    l.groups = (int)sc_onnx_attr_int(x->node, "group", 1);
    l.out = (int)w->dims[0];
    int k = l.k, cg = (int)w->dims[1], oc = l.out;
    if (l.groups < 1 || (long)cg * l.groups != in_channels(x, in) || (b && (!b->is_const || b->n != oc)))
        return sc_onnx_fail(x, "has weights or a bias that do not fit its %d input channels.",
                            in_channels(x, in));
    /* ONNX [OC][C/g][k][k] -> [k][k][C/g][OC] */
    return emit_weighted(x, &l, w, b, in, oc, cg, k);
}

/* ONNX's split of a transposed convolution's total padding: floor
 * division, the odd row at the start unless SAME_UPPER. */
static void split_total(long total, int upper, int *b, int *e)
{
    long half = total >= 0 ? total / 2 : -((-total + 1) / 2);
    *b = (int)(upper ? half : total - half);
    *e = (int)(upper ? total - half : half);
}

static enum sc_status deconv_pads(struct sc_onnx *x, struct sc_net_layer *l,
                                  const struct sc_onnx_val *in)
{
    int64_t op[4] = {0, 0}, os[4] = {0, 0, 0, 0};
    char buf[32];
    int nop = sc_onnx_attr_ints(x->node, "output_padding", op, 4);
    int nos = sc_onnx_attr_ints(x->node, "output_shape", os, 4);
    int bad = nop > 2 || nos > 4;
    for (int k = 0; k < 4; k++)
        bad |= op[k] < 0 || op[k] > 4096 || os[k] < 0 || os[k] > 65536;
    if (bad)
        return sc_onnx_fail(x, "has output paddings or an output shape out of range.");
    const char *ap = sc_onnx_attr_str(x->node, "auto_pad", "NOTSET", buf, sizeof buf);
    int upper = strcmp(ap, "SAME_UPPER") == 0;
    int p[4] = {l->pad[0], l->pad[1], l->pad[2], l->pad[3]};
    if (nos >= 2) {
        /* Written for the model's declared size: the same padding at any size. */
        int (*dims)[2] = malloc((size_t)sc_net_count(x->net) * sizeof *dims);
        if (!dims || !x->ref_h || sc_net_shapes(x->net, x->ref_w, x->ref_h, dims, NULL)) {
            free(dims);
            return sc_onnx_fail(x, "has a fixed output_shape, but the model's input size is "
                                "not declared, so stylecam cannot tell its padding.");
        }
        for (int a = 0; a < 2; a++) {
            long n = dims[in->layer][a];
            long total = (long)l->stride * (n - 1) + op[a] + l->k - os[nos - 2 + a];
            split_total(total, upper, &p[a], &p[a + 2]);
        }
        free(dims);
    } else if (l->pad_mode != SC_PAD_EXPLICIT) {
        for (int a = 0; a < 2; a++)   /* out = n*s: the total does not depend on n */
            split_total(op[a] + l->k - l->stride, upper, &p[a], &p[a + 2]);
    }
    l->pad_mode = SC_PAD_EXPLICIT;
    for (int a = 0; a < 4; a++)
        l->pad[a] = p[a] - (a >= 2 ? (int)op[a - 2] : 0);
    if (l->pad[0] < 0 || l->pad[1] < 0)
        return sc_onnx_fail(x, "needs a negative padding before its output, which stylecam "
                            "does not run.");
    return SC_OK;
}

static enum sc_status op_deconv(struct sc_onnx *x, const struct sc_onnx_val *in)
{
    struct sc_onnx_val *w = sc_onnx_const_input(x, 1, "weights"), *b = sc_onnx_input(x, 2);
    if (!w)
        return SC_ERR_FORMAT;
    struct sc_net_layer l = {.op = SC_OP_DECONV, .groups = 1};
    enum sc_status st = conv_geometry(x, &l, w);
    if (!st)
        st = deconv_pads(x, &l, in);
    if (st)
        return st;
    int k = l.k, c = (int)w->dims[0], oc = (int)w->dims[1];
    l.out = oc;
    if (sc_onnx_attr_int(x->node, "group", 1) != 1 || c != in_channels(x, in) ||
        (b && (!b->is_const || b->n != oc)))
        return sc_onnx_fail(x, "has groups, weights or a bias stylecam does not run.");
    /* ONNX [C][OC][k][k] -> [k][k][OC][C] */
    return emit_weighted(x, &l, w, b, in, c, oc, k);
}

/* y = x*a[c] + b[c] from scalars or per-channel constants. */
static enum sc_status emit_scale(struct sc_onnx *x, const struct sc_onnx_val *in,
                                 const struct sc_onnx_val *a, float a0,
                                 const struct sc_onnx_val *b, float b0)
{
    int c = in_channels(x, in);
    const struct sc_onnx_val *vs[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        const struct sc_onnx_val *v = vs[k];
        int per_channel = v && v->n == c && (v->rank == 1 ? c == 1 : 1);
        for (int d = 0; v && d < v->rank; d++)
            per_channel &= v->dims[d] == 1 || (v->dims[d] == c && d == v->rank - 3);
        if (v && v->n != 1 && !per_channel)
            return sc_onnx_fail(x, "combines the picture with a constant that is neither one "
                                "value nor one per channel; stylecam does not run that.");
    }
    float *sa = malloc((size_t)c * sizeof *sa), *sb = malloc((size_t)c * sizeof *sb);
    if (!sa || !sb) {
        free(sa);
        free(sb);
        return sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    }
    for (int i = 0; i < c; i++) {
        sa[i] = a ? (a->f ? a->f[a->n == 1 ? 0 : i] : (float)a->i[a->n == 1 ? 0 : i]) * a0 : a0;
        sb[i] = b ? (b->f ? b->f[b->n == 1 ? 0 : i] : (float)b->i[b->n == 1 ? 0 : i]) * b0 : b0;
    }
    struct sc_net_layer l = {.op = SC_OP_SCALE, .w = sa, .b = sb, .nw = c, .nb = c};
    enum sc_status st = sc_onnx_emit(x, &l, in->layer, -1);
    free(sa);
    free(sb);
    return st;
}

static enum sc_status op_arith(struct sc_onnx *x, const char *op)
{
    struct sc_onnx_val *a = sc_onnx_input(x, 0), *b = sc_onnx_input(x, 1);
    if (!a || !b)
        return sc_onnx_fail(x, "lacks an input.");
    if (!a->is_const && !b->is_const) {
        if (strcmp(op, "Add") != 0)
            return sc_onnx_fail(x, "multiplies or divides two tensors that depend on the "
                                "picture; stylecam does not run that.");
        struct sc_net_layer l = {.op = SC_OP_ADD};
        return sc_onnx_emit(x, &l, a->layer, b->layer);
    }
    const struct sc_onnx_val *d = a->is_const ? b : a, *c = a->is_const ? a : b;
    if (strcmp(op, "Add") == 0)
        return emit_scale(x, d, NULL, 1, c, 1);
    if (strcmp(op, "Mul") == 0)
        return emit_scale(x, d, c, 1, NULL, 0);
    if (strcmp(op, "Sub") == 0)
        return d == a ? emit_scale(x, d, NULL, 1, c, -1) : emit_scale(x, d, NULL, -1, c, 1);
    if (d != a)
        return sc_onnx_fail(x, "divides a constant by the picture; stylecam does not run that.");
    struct sc_onnx_val inv = *c;
    float *r = malloc((size_t)c->n * sizeof *r + 4);
    if (!r)
        return sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    for (long k = 0; k < c->n; k++)
        r[k] = 1.0f / (c->f ? c->f[k] : (float)c->i[k]);
    inv.f = r;
    inv.i = NULL;
    enum sc_status st = emit_scale(x, d, &inv, 1, NULL, 0);
    free(r);
    return st;
}

/* The rest of the ops, in onnx_ops2.c. */
enum sc_status sc_onnx_layer_more(struct sc_onnx *x, const struct sc_onnx_val *in,
                                  const char *op, int *done);

enum sc_status sc_onnx_layer(struct sc_onnx *x)
{
    const char *op = x->node->op_type ? x->node->op_type : "";
    struct sc_onnx_val *in = sc_onnx_input(x, 0);
    if (!in)
        return sc_onnx_fail(x, "has no first input.");
    if (x->node->n_output < 1)
        return sc_onnx_fail(x, "has no output.");
    if (strcmp(op, "Conv") == 0)
        return op_conv(x, in);
    if (strcmp(op, "ConvTranspose") == 0)
        return op_deconv(x, in);
    if (!strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Mul") || !strcmp(op, "Div"))
        return op_arith(x, op);
    if (!strcmp(op, "Identity") || !strcmp(op, "Dropout") ||
        (!strcmp(op, "Cast") && sc_onnx_attr_int(x->node, "to", 1) == 1))
        return alias(x, in);
    if (!strcmp(op, "ImageScaler")) {
        float bias[4096];
        int n = sc_onnx_attr_floats(x->node, "bias", bias, 4096);
        struct sc_onnx_val bv = {.n = n > 0 ? n : 1, .rank = 3, .dims = {n > 0 ? n : 1, 1, 1},
                                 .f = bias};
        if (n <= 0)
            bias[0] = 0;
        return emit_scale(x, in, NULL, sc_onnx_attr_float(x->node, "scale", 1), &bv, 1);
    }
    if (!strcmp(op, "Affine"))
        return emit_scale(x, in, NULL, sc_onnx_attr_float(x->node, "alpha", 1), NULL,
                          sc_onnx_attr_float(x->node, "beta", 0));
    int done = 0;
    enum sc_status st = sc_onnx_layer_more(x, in, op, &done);
    if (st || done)
        return st;
    return sc_onnx_fail(x, "uses the op '%.40s', which stylecam does not run; see the README "
                        "for the ops it supports.", op);
}
