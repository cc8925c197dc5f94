#include "engine/plan_steps_priv.h"
#include <stdlib.h>
#include <string.h>

const char *sc_plan_name(const struct sc_plan *p) { return p->name; }
const struct sc_net_io *sc_plan_io(const struct sc_plan *p) { return &p->io; }
uint64_t sc_plan_weight_bytes(const struct sc_plan *p) { return p->bytes; }
int sc_plan_max_norm_channels(const struct sc_plan *p) { return p->max_norm_c; }
int sc_plan_vec_len(const struct sc_plan *p) { return p->vec_len; }

static void release(cl_mem *m)
{
    if (*m)
        clReleaseMemObject(*m);
    *m = NULL;
}

static void release_event(cl_event *e)
{
    if (*e)
        clReleaseEvent(*e);
    *e = NULL;
}

void sc_plan_free(struct sc_plan **pp)
{
    struct sc_plan *p = *pp;
    *pp = NULL;
    if (!p)
        return;
    sc_plan_cond_free(p);
    for (int i = 0; i < p->nsteps; i++) {
        struct step *s = &p->steps[i];
        release(&s->w);
        release(&s->b);
        release(&s->scale);
        release(&s->shift);
        release_event(&s->ev0);
        release_event(&s->ev1);
    }
    free(p->steps);
    free(p->chans);
    free(p->last_use);
    free(p->dims);
    free(p->slot);
    free(p);
}

static enum sc_status upload(struct sc_clrt *rt, struct sc_plan *p, const float *data,
                             size_t n, cl_mem *out, struct sc_error *err)
{
    cl_int rc;
    *out = clCreateBuffer(rt->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                          n * sizeof(float), (void *)data, &rc);
    if (!*out)
        return sc_clrt_fail(rt, err, "Uploading style weights", rc);
    p->bytes += n * sizeof(float);
    return SC_OK;
}

/* Weights in the layout of the kernel that runs the step, and the bias
 * zero-padded to a multiple of 16. */
static enum sc_status upload_conv(struct sc_clrt *rt, struct sc_plan *p, struct step *s,
                                  const struct sc_net_layer *l, struct sc_error *err)
{
    int deconv = s->kind == ST_DECONV;
    int ob = sc_ops_pack_block(s->k, s->stride, s->oc, deconv);
    long n = s->kind == ST_WINO ? sc_ops_wino_filter_count(s->c, s->oc)
           : s->kind == ST_GROUPED ? l->nw : sc_ops_packed_count(s->k, s->c, s->oc, ob);
    size_t nb = sc_ops_round_up((size_t)s->oc, 16);
    float *packed = malloc((size_t)n * sizeof *packed), *bias = calloc(nb, sizeof *bias);
    if (!packed || !bias) {
        free(packed);
        free(bias);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory uploading style '%s'.",
                            p->name);
    }
    if (s->kind == ST_WINO)
        sc_ops_wino_filter(l->w, s->c, s->oc, packed);
    else if (s->kind == ST_GROUPED)
        memcpy(packed, l->w, (size_t)n * sizeof *packed);
    else
        sc_ops_weights_pack(l->w, s->k, s->c, s->oc, deconv, ob, packed);
    if (l->b)
        memcpy(bias, l->b, (size_t)s->oc * sizeof *bias);
    enum sc_status st = upload(rt, p, packed, (size_t)n, &s->w, err);
    if (!st)
        st = upload(rt, p, bias, nb, &s->b, err);
    free(packed);
    free(bias);
    return st;
}

static enum step_kind conv_kind(const struct sc_net_layer *l)
{
    if (l->op == SC_OP_DECONV)
        return ST_DECONV;
    if (l->groups > 1)
        return ST_GROUPED;
    return l->k == 3 && l->stride == 1 ? ST_WINO : ST_CONV;
}

/* Layer i+1 reads only layer i's output, which nothing else reads. */
static int absorbs(const struct sc_net *n, const int *uses, int i, enum sc_op op)
{
    if (i + 1 >= sc_net_count(n) || uses[i] != 1)
        return 0;
    const struct sc_net_layer *x = sc_net_layer(n, i + 1);
    return x->op == op && (x->in[0] == i || (op == SC_OP_ADD && x->in[1] == i));
}

static enum sc_act act_of(enum sc_op op)
{
    return op == SC_OP_RELU ? SC_ACT_RELU : op == SC_OP_TANH ? SC_ACT_TANH
         : op == SC_OP_SIGMOID ? SC_ACT_SIGMOID : op == SC_OP_CLIP ? SC_ACT_CLIP
         : op == SC_OP_LEAKY_RELU ? SC_ACT_LEAKY : SC_ACT_NONE;
}

/* Makes the step starting at layer i; returns the next layer's number. */
static int make_step(const struct sc_net *n, const int *uses, int i, struct step *s)
{
    const struct sc_net_layer *l = sc_net_layer(n, i);
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", l->name);
    s->src = l->in[0];
    s->src2 = -1;
    s->first = i;
    s->c = sc_net_channels(n, l->in[0]);
    s->oc = sc_net_channels(n, i);
    s->k = l->k;
    s->stride = l->stride;
    s->groups = l->groups;
    s->pad_mode = l->pad_mode;
    memcpy(s->pad, l->pad, sizeof s->pad);
    s->border = l->border;
    s->eps = l->eps;
    s->lo = l->lo;
    s->hi = l->hi;
    switch (l->op) {
    case SC_OP_CONV: case SC_OP_DECONV: s->kind = conv_kind(l); break;
    case SC_OP_NORM: s->kind = ST_NORM; break;
    case SC_OP_ADD: s->kind = ST_ADD; s->src2 = l->in[1]; break;
    case SC_OP_PAD: s->kind = ST_PAD; break;
    case SC_OP_UPSAMPLE: s->kind = ST_UPSAMPLE; break;
    default: s->kind = ST_POINTWISE; s->act = act_of(l->op); break;
    }
    int j = i;
    if (s->kind == ST_NORM && absorbs(n, uses, j, SC_OP_RELU)) {
        s->relu = 1;
        j++;
    }
    if (s->kind == ST_NORM && absorbs(n, uses, j, SC_OP_ADD)) {
        const struct sc_net_layer *a = sc_net_layer(n, j + 1);
        s->src2 = a->in[0] == j ? a->in[1] : a->in[0];
        j++;
    }
    if (s->kind == ST_POINTWISE && l->op != SC_OP_SCALE && absorbs(n, uses, j, SC_OP_SCALE))
        j++;
    s->dst = j;
    return j + 1;
}

/* The step's layer holding the affine or norm parameters. */
static const struct sc_net_layer *param_layer(const struct sc_net *n, const struct step *s,
                                              int first)
{
    const struct sc_net_layer *l = sc_net_layer(n, first);
    if (s->kind == ST_POINTWISE && l->op != SC_OP_SCALE && s->dst != first)
        return sc_net_layer(n, s->dst);
    return l;
}

static enum sc_status upload_step(struct sc_clrt *rt, struct sc_plan *p, const struct sc_net *n,
                                  struct step *s, int first, struct sc_error *err)
{
    const struct sc_net_layer *l = param_layer(n, s, first);
    switch (s->kind) {
    case ST_CONV: case ST_WINO: case ST_GROUPED: case ST_DECONV:
        return upload_conv(rt, p, s, l, err);
    case ST_NORM:
        if (s->oc > p->max_norm_c)
            p->max_norm_c = s->oc;
        if (l->cond)
            return sc_plan_cond_init(p, rt, s, l, err);
        /* fallthrough */
    case ST_POINTWISE: {
        if (l->op != SC_OP_NORM && l->op != SC_OP_SCALE)
            return SC_OK;
        enum sc_status st = upload(rt, p, l->w, (size_t)l->nw, &s->scale, err);
        return st ? st : upload(rt, p, l->b, (size_t)l->nb, &s->shift, err);
    }
    default:
        return SC_OK;
    }
}

static enum sc_status plan_alloc(struct sc_plan *p, int nblobs, int cap, struct sc_error *err)
{
    p->steps = calloc((size_t)cap, sizeof *p->steps);
    p->chans = calloc((size_t)nblobs, sizeof *p->chans);
    p->last_use = calloc((size_t)nblobs, sizeof *p->last_use);
    p->dims = calloc((size_t)nblobs, sizeof *p->dims);
    p->slot = calloc((size_t)nblobs, sizeof *p->slot);
    if (!p->steps || !p->chans || !p->last_use || !p->dims || !p->slot)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading style '%s'.", p->name);
    p->nblobs = nblobs;
    return SC_OK;
}

/* Can step n normalize its input as it loads it (sc_pre_norm)? The direct
 * kernels reload each input value for every block of output channels, so
 * there the norm costs more than the pass it saves (measured). */
static int takes_pre(const struct step *n)
{
    return n->kind == ST_WINO;
}

/* A norm without a residual whose output only the next step reads, when
 * that step can normalize as it loads: the norm computes its statistics
 * only and the next step reads the norm's input, saving a write and a read
 * of the whole tensor. uses[b]: how many layers read blob b. */
static void fuse_norms(struct sc_plan *p, const int *uses, int out_blob)
{
    for (int i = 0; i + 1 < p->nsteps; i++) {
        struct step *s = &p->steps[i], *n = &p->steps[i + 1];
        if (s->kind != ST_NORM || s->src2 >= 0 || n->src != s->dst || n->src2 >= 0 ||
            uses[s->dst] != 1 || s->dst == out_blob || !takes_pre(n))
            continue;
        s->stats_only = 1;
        n->pre = s->relu ? 2 : 1;
        n->src = s->src;
    }
}

static void note_uses(struct sc_plan *p)
{
    for (int b = 0; b < p->nblobs; b++)
        p->last_use[b] = -1;
    for (int i = 0; i < p->nsteps; i++) {
        struct step *s = &p->steps[i];
        p->last_use[s->src] = i;
        if (s->src2 >= 0)
            p->last_use[s->src2] = i;
    }
    p->last_use[p->out_blob] = p->nsteps;
    for (int i = 0; i < p->nsteps; i++)
        p->steps[i].last = p->last_use[p->steps[i].src] == i && p->steps[i].src != 0;
}

enum sc_status sc_plan_init(struct sc_plan **out, struct sc_clrt *rt, const struct sc_net *n,
                            struct sc_error *err)
{
    struct sc_plan *p = calloc(1, sizeof *p);
    if (!p)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading a style.");
    snprintf(p->name, sizeof p->name, "%s", sc_net_name(n));
    p->io = *sc_net_io(n);
    p->vec_len = sc_net_vec_len(n);
    p->wino_limit = sc_ops_wino_limit(rt);
    int nl = sc_net_count(n);
    enum sc_status st = plan_alloc(p, nl, nl, err);
    int *uses = st ? NULL : calloc((size_t)nl, sizeof *uses);
    if (!st && !uses)
        st = sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading style '%s'.", p->name);
    for (int i = 1; !st && i < nl; i++) {
        const struct sc_net_layer *l = sc_net_layer(n, i);
        uses[l->in[0]]++;
        if (l->in[1] >= 0)
            uses[l->in[1]]++;
    }
    for (int i = 0; !st && i < nl; i++)
        p->chans[i] = sc_net_channels(n, i);
    if (!st && (nl < 2 || p->chans[nl - 1] != 3))
        st = sc_error_set(err, SC_ERR_FORMAT, "Style '%s' makes %d channels; a picture needs "
                          "3.", p->name, p->chans[nl - 1]);
    for (int i = 1; !st && i < nl;) {
        struct step *s = &p->steps[p->nsteps++];
        int next = make_step(n, uses, i, s);
        st = upload_step(rt, p, n, s, i, err);
        i = next;
    }
    if (!st)
        fuse_norms(p, uses, nl - 1);
    free(uses);
    if (st) {
        sc_plan_free(&p);
        return st;
    }
    p->out_blob = nl - 1;
    note_uses(p);
    *out = p;
    return SC_OK;
}
