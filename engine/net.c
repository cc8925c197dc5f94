#include "engine/net.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SC_NET_MAX_LAYERS 1024
#define SC_NET_MAX_CHANNELS 4096
#define SC_NET_MAX_K 31
#define SC_NET_MAX_VEC 4096

struct sc_net {
    char name[128];
    struct sc_net_io io;
    int vec_len;
    struct sc_net_layer *l;
    int *chans;               /* output channels per layer */
    int n, cap;
};

enum sc_status sc_net_init(struct sc_net **out, const char *name, const struct sc_net_io *io,
                           struct sc_error *err)
{
    struct sc_net *n = calloc(1, sizeof *n);
    if (!n)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading style '%s'.", name);
    snprintf(n->name, sizeof n->name, "%s", name);
    n->io = *io;
    *out = n;
    struct sc_net_layer in = {.op = SC_OP_INPUT, .name = "input", .in = {-1, -1}, .out = 3};
    enum sc_status st = sc_net_add(n, &in, NULL, err);
    if (st)
        sc_net_free(out);
    return st;
}

void sc_net_free(struct sc_net **np)
{
    struct sc_net *n = *np;
    *np = NULL;
    if (!n)
        return;
    for (int i = 0; i < n->n; i++) {
        free((void *)n->l[i].w);
        free((void *)n->l[i].b);
    }
    free(n->l);
    free(n->chans);
    free(n);
}

const char *sc_net_name(const struct sc_net *n) { return n->name; }
const struct sc_net_io *sc_net_io(const struct sc_net *n) { return &n->io; }
int sc_net_count(const struct sc_net *n) { return n->n; }
const struct sc_net_layer *sc_net_layer(const struct sc_net *n, int i) { return &n->l[i]; }
int sc_net_channels(const struct sc_net *n, int i) { return n->chans[i]; }

int sc_net_vec_len(const struct sc_net *n) { return n->vec_len; }

enum sc_status sc_net_set_vec_len(struct sc_net *n, int len, struct sc_error *err)
{
    if (len < 0 || len > SC_NET_MAX_VEC)
        return sc_error_set(err, SC_ERR_FORMAT, "Style '%s' takes a style vector of %d "
                            "values; 0 to %d are supported.", n->name, len, SC_NET_MAX_VEC);
    /* Its layers were checked against the length they were added with. */
    if (n->n > 1 && len != n->vec_len)
        return sc_error_set(err, SC_ERR_ARG, "The style vector's length of style '%s' is "
                            "set after its layers; set it first.", n->name);
    n->vec_len = len;
    return SC_OK;
}

static float *copy_floats(const float *src, long count)
{
    if (!src || count <= 0)
        return NULL;
    float *d = malloc((size_t)count * sizeof *d);
    if (d)
        memcpy(d, src, (size_t)count * sizeof *d);
    return d;
}

static int all_finite(const float *v, long count)
{
    for (long i = 0; v && i < count; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

#define BAD(...) sc_error_set(err, SC_ERR_FORMAT, __VA_ARGS__)

/* Output channels of l given its input's c, or -1 with err set. */
static int layer_channels(const struct sc_net *n, const struct sc_net_layer *l, int c,
                          struct sc_error *err)
{
    const char *nm = l->name;
    switch (l->op) {
    case SC_OP_CONV:
    case SC_OP_DECONV: {
        int g = l->op == SC_OP_CONV ? l->groups : 1;
        long want = (long)l->k * l->k * (c / (g > 0 ? g : 1)) * l->out;
        if (l->k < 1 || l->k > SC_NET_MAX_K || l->stride < 1 || l->stride > 8 || g < 1 ||
            l->out < 1 || l->out > SC_NET_MAX_CHANNELS || c % g || l->out % g)
            return BAD("Layer '%s' of style '%s' has an unsupported shape (kernel %d, "
                       "stride %d, groups %d, %d to %d channels).", nm, n->name, l->k,
                       l->stride, g, c, l->out), -1;
        for (int a = 0; a < 4; a++)
            if (l->pad[a] < (l->op == SC_OP_DECONV && a >= 2 ? -4096 : 0) || l->pad[a] > 4096)
                return BAD("Layer '%s' of style '%s' has a padding of %d, out of range.", nm,
                           n->name, l->pad[a]), -1;
        if (l->nw != want || !l->w || (l->b && l->nb != l->out))
            return BAD("Layer '%s' of style '%s' holds %ld weights where its shape needs "
                       "%ld (and %d biases).", nm, n->name, l->nw, want, l->out), -1;
        return l->out;
    }
    case SC_OP_NORM:
    case SC_OP_SCALE: {
        /* A conditional norm holds a row of V weights and a bias per value. */
        long per = l->cond ? l->cond + 1 : 1;
        if (l->cond && l->cond != n->vec_len)
            return BAD("Layer '%s' of style '%s' takes a style vector of %d values where "
                       "the style gives %d.", nm, n->name, l->cond, n->vec_len), -1;
        if (!l->w || !l->b || l->nw != c * per || l->nb != c * per)
            return BAD("Layer '%s' of style '%s' needs %ld scales and shifts, %ld per "
                       "channel.", nm, n->name, c * per, per), -1;
        if (l->op == SC_OP_NORM && !(l->eps > 0 && l->eps < 1))
            return BAD("Layer '%s' of style '%s' has epsilon %g; it must lie in (0, 1).",
                       nm, n->name, l->eps), -1;
        return c;
    }
    case SC_OP_UPSAMPLE:
        if (l->stride < 1 || l->stride > 8)
            return BAD("Layer '%s' of style '%s' upsamples by %d; 1 to 8 are supported.",
                       nm, n->name, l->stride), -1;
        return c;
    case SC_OP_ADD:
        if (l->in[1] < 0 || l->in[1] >= n->n || n->chans[l->in[1]] != c)
            return BAD("Layer '%s' of style '%s' adds tensors of different channel "
                       "counts.", nm, n->name), -1;
        return c;
    case SC_OP_PAD:
        if (l->border < 0 || l->border > 2)
            return BAD("Layer '%s' of style '%s' has an unknown border mode.", nm, n->name), -1;
        for (int a = 0; a < 4; a++)
            if (l->pad[a] < -4096 || l->pad[a] > 4096)
                return BAD("Layer '%s' of style '%s' pads by %d, out of range.", nm, n->name,
                           l->pad[a]), -1;
        return c;
    case SC_OP_CLIP:
        return l->lo <= l->hi ? c : (BAD("Layer '%s' of style '%s' clips to an empty "
                                         "range.", nm, n->name), -1);
    default:
        return c;
    }
}

enum sc_status sc_net_add(struct sc_net *n, const struct sc_net_layer *l, int *index,
                          struct sc_error *err)
{
    if (n->n == SC_NET_MAX_LAYERS)
        return BAD("Style '%s' has more than %d layers.", n->name, SC_NET_MAX_LAYERS);
    if ((unsigned)l->op >= SC_OP_COUNT || (l->op == SC_OP_INPUT) != (n->n == 0))
        return BAD("Layer '%s' of style '%s' has an unknown operation.", l->name, n->name);
    if (l->cond < 0 || (l->cond && l->op != SC_OP_NORM))
        return BAD("Layer '%s' of style '%s' takes a style vector of %d values; only an "
                   "instance norm takes one, of a positive length.", l->name, n->name,
                   l->cond);
    int c = 3;
    if (n->n > 0) {
        if (l->in[0] < 0 || l->in[0] >= n->n || (l->op != SC_OP_ADD && l->in[1] >= 0))
            return BAD("Layer '%s' of style '%s' reads a layer that does not come before "
                       "it.", l->name, n->name);
        c = layer_channels(n, l, n->chans[l->in[0]], err);
        if (c < 0)
            return err ? err->status : SC_ERR_FORMAT;
    }
    if (n->n == n->cap) {
        int cap = n->cap ? n->cap * 2 : 32;
        struct sc_net_layer *nl = realloc(n->l, (size_t)cap * sizeof *nl);
        int *nc = nl ? realloc(n->chans, (size_t)cap * sizeof *nc) : NULL;
        if (nl)
            n->l = nl;
        if (!nc)
            return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading style '%s'.",
                                n->name);
        n->chans = nc;
        n->cap = cap;
    }
    struct sc_net_layer *d = &n->l[n->n];
    *d = *l;
    d->name[sizeof d->name - 1] = '\0';
    d->w = copy_floats(l->w, l->nw);
    d->b = copy_floats(l->b, l->nb);
    if ((l->w && l->nw > 0 && !d->w) || (l->b && l->nb > 0 && !d->b)) {
        free((void *)d->w);
        free((void *)d->b);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading style '%s'.", n->name);
    }
    if (!all_finite(d->w, d->nw) || !all_finite(d->b, d->nb)) {
        free((void *)d->w);
        free((void *)d->b);
        return BAD("Layer '%s' of style '%s' holds a NaN or infinite weight; the "
                   "network is damaged.", l->name, n->name);
    }
    n->chans[n->n] = c;
    if (index)
        *index = n->n;
    n->n++;
    return SC_OK;
}

/* TF/ONNX SAME: output ceil(n/s), the padding split with the odd one after
 * (upper) or before (lower). */
void sc_net_same_pad(int n, int k, int s, int upper, int *before, int *after)
{
    int out = (n + s - 1) / s, total = (out - 1) * s + k - n;
    if (total < 0)
        total = 0;
    *before = upper ? total / 2 : total - total / 2;
    *after = total - *before;
}

/* Output side for input side sz along one axis (a = 0 rows, 1 columns). */
static long out_side(const struct sc_net_layer *l, long sz, int a)
{
    int pb = l->pad[a], pe = l->pad[a + 2];
    switch (l->op) {
    case SC_OP_CONV:
        if (l->pad_mode != SC_PAD_EXPLICIT)
            return (sz + l->stride - 1) / l->stride;
        sz += pb + pe;
        return sz < l->k ? 0 : (sz - l->k) / l->stride + 1;
    case SC_OP_DECONV:
        return (sz - 1) * l->stride + l->k - pb - pe;
    case SC_OP_PAD:
        if (l->border == 1 && (pb >= sz || pe >= sz))
            return 0;
        return sz + pb + pe;
    case SC_OP_UPSAMPLE:
        return sz * l->stride;
    default:
        return sz;
    }
}

enum sc_status sc_net_shapes(const struct sc_net *n, int w, int h, int (*dims)[2],
                             struct sc_error *err)
{
    dims[0][0] = h;
    dims[0][1] = w;
    for (int i = 1; i < n->n; i++) {
        const struct sc_net_layer *l = &n->l[i];
        const int *d = dims[l->in[0]];
        long oh = out_side(l, d[0], 0), ow = out_side(l, d[1], 1);
        if (oh < 1 || ow < 1 || oh > 65536 || ow > 65536)
            return sc_error_set(err, SC_ERR_ARG, "Style '%s' cannot run on a %dx%d picture: "
                                "its layer '%s' would get a %dx%d input and make a %ldx%ld "
                                "output; use a larger picture.", n->name, w, h, l->name,
                                d[1], d[0], ow, oh);
        if (l->op == SC_OP_ADD && (dims[l->in[1]][0] != oh || dims[l->in[1]][1] != ow))
            return sc_error_set(err, SC_ERR_ARG, "Style '%s' cannot run on a %dx%d picture: "
                                "its layer '%s' would add a %dx%d tensor to a %ldx%ld one.",
                                n->name, w, h, l->name, dims[l->in[1]][1],
                                dims[l->in[1]][0], ow, oh);
        dims[i][0] = (int)oh;
        dims[i][1] = (int)ow;
    }
    return SC_OK;
}

void sc_net_cond_affine(const struct sc_net_layer *l, const float *vec, float *scale,
                        float *shift)
{
    int v = l->cond, c = (int)(l->nw / (v + 1));
    for (int i = 0; i < c; i++) {
        const float *g = l->w + (size_t)i * (v + 1), *b = l->b + (size_t)i * (v + 1);
        /* Double sums: the result must not depend on summation order. */
        double sg = g[v], sb = b[v];
        for (int k = 0; k < v; k++) {
            sg += (double)g[k] * vec[k];
            sb += (double)b[k] * vec[k];
        }
        scale[i] = (float)sg;
        shift[i] = (float)sb;
    }
}

double sc_net_macs(const struct sc_net *n, int w, int h)
{
    int (*dims)[2] = malloc((size_t)n->n * sizeof *dims);
    double macs = 0;
    if (dims && sc_net_shapes(n, w, h, dims, NULL) == SC_OK)
        for (int i = 1; i < n->n; i++) {
            const struct sc_net_layer *l = &n->l[i];
            int c = n->chans[l->in[0]];
            if (l->op == SC_OP_CONV)
                macs += (double)dims[i][0] * dims[i][1] * l->k * l->k * c / l->groups * l->out;
            else if (l->op == SC_OP_DECONV)
                macs += (double)dims[l->in[0]][0] * dims[l->in[0]][1] * l->k * l->k * c *
                        l->out;
        }
    free(dims);
    return macs;
}

enum sc_status sc_net_copy(const struct sc_net *src, struct sc_net **out, struct sc_error *err)
{
    enum sc_status st = sc_net_init(out, src->name, &src->io, err);
    if (!st)
        st = sc_net_set_vec_len(*out, src->vec_len, err);
    for (int i = 1; !st && i < src->n; i++)
        st = sc_net_add(*out, &src->l[i], NULL, err);
    if (st)
        sc_net_free(out);
    return st;
}
