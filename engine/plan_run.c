/* Placing a plan's activations for a frame size, and running it. */
#include "engine/plan_steps_priv.h"

#include <string.h>

/* The step's padding before along axis a (0 rows, 1 columns) for input side n. */
static int pad_before(const struct step *s, int n, int a)
{
    if (s->kind == ST_DECONV || s->pad_mode == SC_PAD_EXPLICIT)
        return s->pad[a];
    int before, after;
    sc_net_same_pad(n, s->k, s->stride, s->pad_mode == SC_PAD_SAME_UPPER, &before, &after);
    return before;
}

/* Output side of a step for input side n along axis a (as sc_net_shapes). */
static long out_side(const struct step *s, long n, int a)
{
    long pb = s->pad[a], pe = s->pad[a + 2];
    switch (s->kind) {
    case ST_CONV: case ST_WINO: case ST_GROUPED:
        if (s->pad_mode != SC_PAD_EXPLICIT)
            return (n + s->stride - 1) / s->stride;
        n += pb + pe;
        return n < s->k ? 0 : (n - s->k) / s->stride + 1;
    case ST_DECONV:
        return (n - 1) * s->stride + s->k - pb - pe;
    case ST_PAD:
        return s->border == 1 && (pb >= n || pe >= n) ? 0 : n + pb + pe;
    case ST_UPSAMPLE:
        return n * s->stride;
    default:
        return n;
    }
}

static enum sc_status shapes(struct sc_plan *p, int w, int h, struct sc_error *err)
{
    p->dims[0][0] = h;
    p->dims[0][1] = w;
    for (int i = 0; i < p->nsteps; i++) {
        const struct step *s = &p->steps[i];
        const int *d = p->dims[s->src];
        long oh = out_side(s, d[0], 0), ow = out_side(s, d[1], 1);
        if (oh < 1 || ow < 1 || oh > 65536 || ow > 65536)
            return sc_error_set(err, SC_ERR_ARG, "Style '%s' cannot run on a %dx%d picture: "
                                "its layer '%s' would get a %dx%d input and make %ldx%ld; "
                                "use a larger picture.", p->name, w, h, s->name, d[1], d[0],
                                ow, oh);
        if (s->src2 >= 0 && (p->dims[s->src2][0] != oh || p->dims[s->src2][1] != ow))
            return sc_error_set(err, SC_ERR_ARG, "Style '%s' cannot run on a %dx%d picture: "
                                "its layer '%s' would add %dx%d to %ldx%ld.", p->name, w, h,
                                s->name, p->dims[s->src2][1], p->dims[s->src2][0], ow, oh);
        for (int b = s->first; b <= s->dst; b++) {
            p->dims[b][0] = (int)oh;
            p->dims[b][1] = (int)ow;
        }
    }
    const int *o = p->dims[p->out_blob];
    if (o[0] < h || o[1] < w)
        return sc_error_set(err, SC_ERR_ARG, "Style '%s' cannot make a %dx%d picture: at this "
                            "size its network gives %dx%d; try another size.", p->name, w, h,
                            o[1], o[0]);
    return SC_OK;
}

enum sc_status sc_plan_size(struct sc_plan *p, int w, int h, size_t slot[SC_PLAN_MAX_SLOTS],
                            int *nslots, struct sc_error *err)
{
    enum sc_status st = shapes(p, w, h, err);
    return st ? st : sc_plan_place(p, slot, nslots, err);
}

static cl_mem buf_of(const struct sc_plan *p, const struct sc_plan_bufs *b, int blob)
{
    return blob < 0 ? NULL : p->slot[blob] < 0 ? b->x0 : b->pool[p->slot[blob]];
}

static enum sc_status run_conv(struct sc_plan *p, struct step *s, struct sc_clrt *rt,
                               const struct sc_kernels *k, const struct sc_plan_bufs *b,
                               cl_event *ev, struct sc_error *err)
{
    const int *in = p->dims[s->src], *o = p->dims[s->dst];
    /* The previous step is the norm it applies (plan.c, fuse_norms). */
    const struct step *norm = s->pre ? s - 1 : NULL;
    struct sc_pre_norm pre = {b->stats, norm ? norm->scale : NULL,
                              norm ? norm->shift : NULL, s->pre};
    struct sc_conv_geom g = {s->c, in[0], in[1], s->oc, o[0], o[1], s->k, s->stride,
                             pad_before(s, in[0], 0), pad_before(s, in[1], 1),
                             s->pre ? &pre : NULL};
    cl_mem x = buf_of(p, b, s->src), y = buf_of(p, b, s->dst);
    switch (s->kind) {
    case ST_WINO:
        return sc_ops_conv3x3_wino(rt, k, x, &g, s->w, s->b, b->pool[s->v_slot],
                                   b->pool[s->m_slot], y, ev, err);
    case ST_GROUPED:
        return sc_ops_conv_grouped(rt, k, x, &g, s->groups, s->w, s->b, y, ev, err);
    case ST_DECONV:
        return sc_ops_deconv(rt, k, x, &g, s->w, s->b, y, ev, err);
    default:
        return sc_ops_conv(rt, k, x, &g, s->w, s->b, y, ev, err);
    }
}

static enum sc_status run_step(struct sc_plan *p, struct step *s, struct sc_clrt *rt,
                               const struct sc_kernels *k, const struct sc_plan_bufs *b,
                               cl_event *ev, struct sc_error *err)
{
    const int *in = p->dims[s->src], *o = p->dims[s->dst];
    int hw = o[0] * o[1];
    cl_mem x = buf_of(p, b, s->src), y = buf_of(p, b, s->dst), x2 = buf_of(p, b, s->src2);
    switch (s->kind) {
    case ST_NORM:
        if (s->stats_only)
            return sc_ops_norm_stats(rt, k, x, s->oc, hw, s->eps, b->stats, ev, err);
        return sc_ops_norm(rt, k, x, y, s->oc, hw, s->eps, b->stats, s->shift, s->scale,
                           s->relu, x2, ev, err);
    case ST_POINTWISE:
        return sc_ops_pointwise(rt, k, x, y, s->oc, hw, s->act, s->lo, s->hi, s->scale,
                                s->shift, ev, err);
    case ST_ADD:
        return sc_ops_add(rt, k, x, x2, y, (size_t)s->oc * hw, ev, err);
    case ST_PAD:
        return sc_ops_pad(rt, k, x, s->c, in[0], in[1], s->pad[0], s->pad[1], s->border, y,
                          o[0], o[1], ev, err);
    case ST_UPSAMPLE:
        return sc_ops_upsample(rt, k, x, s->c, in[0], in[1], s->stride, y, ev, err);
    default:
        return run_conv(p, s, rt, k, b, ev, err);
    }
}

static void marker(struct sc_clrt *rt, cl_event *ev)
{
    if (*ev)
        clReleaseEvent(*ev);
    *ev = NULL;
    if (clEnqueueMarkerWithWaitList(rt->queue, 0, NULL, ev) != CL_SUCCESS)
        *ev = NULL;
}

enum sc_status sc_plan_run(struct sc_plan *p, struct sc_clrt *rt, const struct sc_kernels *k,
                           const struct sc_plan_bufs *bufs, int profiling, cl_mem *out,
                           int *ow, int *oh, struct sc_error *err)
{
    enum sc_status st = SC_OK;
    /* Profiled steps sit between two markers: a step may be several kernels. */
    for (int i = 0; !st && i < p->nsteps; i++) {
        struct step *s = &p->steps[i];
        if (profiling)
            marker(rt, &s->ev0);
        st = run_step(p, s, rt, k, bufs, NULL, err);
        if (profiling)
            marker(rt, &s->ev1);
    }
    *out = buf_of(p, bufs, p->out_blob);
    *oh = p->dims[p->out_blob][0];
    *ow = p->dims[p->out_blob][1];
    return st;
}

int sc_plan_times(const struct sc_plan *p, double *ms, const char **names, int n)
{
    int k = 0;
    for (int i = 0; i < p->nsteps && k < n; i++) {
        cl_ulong t0 = 0, t1 = 0;
        const struct step *s = &p->steps[i];
        if (!s->ev0 || !s->ev1 ||
            clGetEventProfilingInfo(s->ev0, CL_PROFILING_COMMAND_END, sizeof t0, &t0,
                                    NULL) != CL_SUCCESS ||
            clGetEventProfilingInfo(s->ev1, CL_PROFILING_COMMAND_END, sizeof t1, &t1,
                                    NULL) != CL_SUCCESS)
            return k;
        ms[k] = t1 > t0 ? (double)(t1 - t0) * 1e-6 : 0.0;
        names[k++] = p->steps[i].name;
    }
    return k;
}

/* Direct-equivalent multiply-adds of one step (0 for steps without any). */
static double step_direct(const struct sc_plan *p, const struct step *s)
{
    const int *in = p->dims[s->src], *o = p->dims[s->dst];
    double kk = (double)s->k * s->k * s->c * s->oc;
    if (s->kind == ST_DECONV)
        return (double)in[0] * in[1] * kk;
    if (s->kind == ST_CONV || s->kind == ST_WINO || s->kind == ST_GROUPED)
        return (double)o[0] * o[1] * kk / (s->groups > 1 ? s->groups : 1);
    return 0;
}

double sc_plan_macs(const struct sc_plan *p)
{
    double macs = 0;
    for (int i = 0; i < p->nsteps; i++)
        macs += step_direct(p, &p->steps[i]);
    return macs;
}

int sc_plan_step_macs(const struct sc_plan *p, double *direct, double *real, int n)
{
    int k = 0;
    for (int i = 0; i < p->nsteps && k < n; i++, k++) {
        const struct step *s = &p->steps[i];
        const int *o = p->dims[s->dst];
        direct[k] = step_direct(p, s);
        /* Winograd's element-wise products; its transforms are additions. */
        real[k] = s->kind == ST_WINO
            ? 36.0 * ((o[0] + 3) / 4) * ((o[1] + 3) / 4) * s->c * s->oc : direct[k];
    }
    return k;
}
