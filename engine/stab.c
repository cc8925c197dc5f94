#include "engine/stab_priv.h"

#include <string.h>

#include "engine/ops_priv.h"

/* 2-D work-group for the pixel kernels (as ops.c's). */
#define LX 16
#define LY 4

/* The denoise: the 3x3 mean luma change (0..255) below T0 is noise and is
 * averaged with weight a, above T1 it is motion and passes; camera noise of
 * sigma 3 per channel gives a mean change near 2 after the box. */
#define DENOISE_T0 3.0f
#define DENOISE_T1 8.0f
/* The blend: the warped half-resolution gray's error (0..255) up to E0 is
 * noise and interpolation, beyond E1 the warp failed (occlusion, a new
 * object): the history is dropped there. */
#define BLEND_E0 4.0f
#define BLEND_E1 12.0f
/* The finest pyramid level the flow is computed on (0: half resolution).
 * Measured at 640x480 with udnie on PoCL: level 0 costs ~11% of the
 * network's time and finds a pan within 0.06 px on average; level 1 costs
 * ~4% at 0.12 px (tests/engine/test_stab.c). */
#define FLOW_LEVEL 0

struct mode {
    float a;        /* denoise weight of the new frame in still areas */
    float alpha;    /* weight of the warped history: below 1, so nothing is held */
};

static const struct mode modes[] = {
    [SC_STAB_ON] = {0.25f, 0.5f},
    [SC_STAB_STRONG] = {0.15f, 0.7f},
};

#define NKERNELS 6

/* The kernels with their names, for creating and releasing them. */
static void kernel_list(struct sc_stab_kernels *k, cl_kernel *ks[NKERNELS],
                        const char *names[NKERNELS])
{
    static const char *const n[NKERNELS] = {"stab_diff", "stab_denoise", "stab_gray_half",
                                            "stab_down", "stab_lk", "stab_blend"};
    cl_kernel *p[NKERNELS] = {&k->diff, &k->denoise, &k->gray, &k->down, &k->lk, &k->blend};
    memcpy(names, n, sizeof n);
    memcpy(ks, p, sizeof p);
}

enum sc_status sc_stab_init(struct sc_stab *s, struct sc_clrt *rt, cl_program prog,
                            int profiling, struct sc_error *err)
{
    memset(s, 0, sizeof *s);
    s->profiling = profiling;
    const char *names[NKERNELS];
    cl_kernel *ks[NKERNELS];
    kernel_list(&s->k, ks, names);
    enum sc_status st = SC_OK;
    for (int i = 0; !st && i < NKERNELS; i++)
        st = sc_clrt_kernel(rt, prog, names[i], ks[i], err);
    if (st)
        sc_stab_free(s);
    return st;
}

static void release(cl_mem *m)
{
    if (*m)
        clReleaseMemObject(*m);
    *m = NULL;
}

static void release_events(struct sc_stab *s)
{
    for (int i = 0; i < 4; i++)
        if (s->ev[i]) {
            clReleaseEvent(s->ev[i]);
            s->ev[i] = NULL;
        }
}

void sc_stab_release(struct sc_stab *s)
{
    cl_mem *all[] = {&s->acc, &s->diff, &s->den8, &s->flow, &s->hist[0], &s->hist[1],
                     &s->pyr[0].buf, &s->pyr[1].buf};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        release(all[i]);
    release_events(s);
    s->w = s->h = 0;
    s->live = s->has_flow = 0;
    s->bytes = 0;
}

void sc_stab_free(struct sc_stab *s)
{
    sc_stab_release(s);
    const char *names[NKERNELS];
    cl_kernel *ks[NKERNELS];
    kernel_list(&s->k, ks, names);
    for (int i = 0; i < NKERNELS; i++)
        if (*ks[i])
            clReleaseKernel(*ks[i]);
    memset(&s->k, 0, sizeof s->k);
}

void sc_stab_skip(struct sc_stab *s) { s->live = 0; }

void sc_stab_pyr_layout(struct sc_stab_pyr *p, int w, int h)
{
    p->n = 0;
    p->total = 0;
    while (p->n < SC_STAB_MAX_LEVELS) {
        p->w[p->n] = w;
        p->h[p->n] = h;
        p->off[p->n] = p->total;
        p->total += w * h;
        p->n++;
        w /= 2;
        h /= 2;
        if (w < SC_STAB_MIN_SIDE || h < SC_STAB_MIN_SIDE)
            break;
    }
}

static enum sc_status alloc(struct sc_stab *s, struct sc_clrt *rt, size_t bytes, cl_mem *out,
                            struct sc_error *err)
{
    cl_int rc;
    *out = clCreateBuffer(rt->ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
    if (!*out)
        return sc_clrt_fail(rt, err, "Allocating the stabilizer's buffers", rc);
    s->bytes += bytes;
    return SC_OK;
}

/* Every buffer for w x h frames, once per size. */
static enum sc_status prepare(struct sc_stab *s, struct sc_clrt *rt, int w, int h,
                              struct sc_error *err)
{
    sc_stab_release(s);
    size_t px = (size_t)w * h;
    sc_stab_pyr_layout(&s->pyr[0], w / 2, h / 2);
    sc_stab_pyr_layout(&s->pyr[1], w / 2, h / 2);
    size_t levels = (size_t)s->pyr[0].total;
    enum sc_status st = alloc(s, rt, px * 3 * sizeof(float), &s->acc, err);
    if (!st) st = alloc(s, rt, px * sizeof(float), &s->diff, err);
    if (!st) st = alloc(s, rt, px * 3, &s->den8, err);
    if (!st) st = alloc(s, rt, levels * 2 * sizeof(float), &s->flow, err);
    for (int i = 0; !st && i < 2; i++) {
        st = alloc(s, rt, px * 3 * sizeof(float), &s->hist[i], err);
        if (!st)
            st = alloc(s, rt, levels * sizeof(float), &s->pyr[i].buf, err);
    }
    if (st) {
        sc_stab_release(s);
        return st;
    }
    s->w = w;
    s->h = h;
    return SC_OK;
}

static enum sc_status launch2d(struct sc_clrt *rt, cl_kernel k, const char *what,
                               const struct sc_arg *a, int nargs, int w, int h,
                               struct sc_error *err)
{
    size_t lws[2] = {LX, LY};
    size_t gws[2] = {sc_ops_round_up((size_t)w, LX), sc_ops_round_up((size_t)h, LY)};
    return sc_ops_launch(rt, k, what, a, nargs, 2, gws, lws, NULL, err);
}

enum sc_status sc_stab_pyr_build(struct sc_clrt *rt, const struct sc_stab_kernels *k,
                                 const struct sc_stab_pyr *p, struct sc_error *err)
{
    enum sc_status st = SC_OK;
    for (int l = 1; !st && l < p->n; l++) {
        struct sc_arg a[] = {SC_ARG(p->buf), SC_ARG(p->off[l - 1]), SC_ARG(p->w[l - 1]),
                             SC_ARG(p->h[l - 1]), SC_ARG(p->off[l]), SC_ARG(p->w[l]),
                             SC_ARG(p->h[l])};
        st = launch2d(rt, k->down, "Stabilizing: a gray pyramid", a, 7, p->w[l], p->h[l],
                      err);
    }
    return st;
}

enum sc_status sc_stab_lk(struct sc_clrt *rt, const struct sc_stab_kernels *k,
                          const struct sc_stab_pyr *cur, const struct sc_stab_pyr *prev,
                          int finest, cl_mem flow, struct sc_error *err)
{
    enum sc_status st = SC_OK;
    float lambda = SC_STAB_LK_LAMBDA * (2 * SC_STAB_LK_RADIUS + 1) *
                   (2 * SC_STAB_LK_RADIUS + 1);
    for (int l = cur->n - 1; !st && l >= finest; l--) {
        int coarse = l + 1 < cur->n ? cur->off[l + 1] : -1;
        int wc = l + 1 < cur->n ? cur->w[l + 1] : 0, hc = l + 1 < cur->n ? cur->h[l + 1] : 0;
        int iters = l ? SC_STAB_LK_ITERS : SC_STAB_LK_ITERS0;
        struct sc_arg a[] = {SC_ARG(cur->buf), SC_ARG(prev->buf), SC_ARG(cur->off[l]),
                             SC_ARG(cur->w[l]), SC_ARG(cur->h[l]), SC_ARG(flow),
                             SC_ARG(cur->off[l]), SC_ARG(coarse), SC_ARG(wc), SC_ARG(hc),
                             SC_ARG(iters), SC_ARG(lambda)};
        st = launch2d(rt, k->lk, "Stabilizing: the optical flow", a, 12, cur->w[l],
                      cur->h[l], err);
    }
    return st;
}

/* FLOW_LEVEL, or the coarsest level of a small frame. */
static int flow_level(const struct sc_stab *s)
{
    return s->pyr[0].n - 1 < FLOW_LEVEL ? s->pyr[0].n - 1 : FLOW_LEVEL;
}

static void marker(struct sc_stab *s, struct sc_clrt *rt, int i)
{
    if (s->profiling && clEnqueueMarkerWithWaitList(rt->queue, 0, NULL, &s->ev[i]) !=
                            CL_SUCCESS)
        s->ev[i] = NULL;
}

/* Whether this frame starts afresh, and the history's bookkeeping. */
static void decide_reset(struct sc_stab *s, int style, const struct sc_run_params *p)
{
    s->reset = p->reset || !s->live || style != s->style || p->mirror != s->mirror;
    s->live = 1;
    s->style = style;
    s->mirror = p->mirror;
    s->alpha = modes[p->stabilize == SC_STAB_STRONG ? SC_STAB_STRONG : SC_STAB_ON].alpha;
}

/* The denoise of in8 into den8 (and the accumulator). */
static enum sc_status denoise(struct sc_stab *s, struct sc_clrt *rt, cl_mem in8, float a,
                              struct sc_error *err)
{
    enum sc_status st = SC_OK;
    if (!s->reset) {
        struct sc_arg d[] = {SC_ARG(in8), SC_ARG(s->acc), SC_ARG(s->w), SC_ARG(s->h),
                             SC_ARG(s->diff)};
        st = launch2d(rt, s->k.diff, "Stabilizing: the denoise", d, 5, s->w, s->h, err);
    }
    float t0 = DENOISE_T0, t1 = DENOISE_T1;
    struct sc_arg b[] = {SC_ARG(in8), SC_ARG(s->acc), SC_ARG(s->diff), SC_ARG(s->w),
                         SC_ARG(s->h), SC_ARG(a), SC_ARG(t0), SC_ARG(t1), SC_ARG(s->reset),
                         SC_ARG(s->den8)};
    return st ? st : launch2d(rt, s->k.denoise, "Stabilizing: the denoise", b, 10, s->w,
                              s->h, err);
}

enum sc_status sc_stab_input(struct sc_stab *s, struct sc_clrt *rt, cl_mem in8, int w, int h,
                             int style, const struct sc_run_params *p, cl_mem *src,
                             struct sc_error *err)
{
    enum sc_status st = SC_OK;
    if ((w != s->w || h != s->h) && (st = prepare(s, rt, w, h, err)))
        return st;
    release_events(s);
    marker(s, rt, 0);
    decide_reset(s, style, p);
    s->cur ^= 1;
    const struct sc_stab_pyr *cur = &s->pyr[s->cur], *prev = &s->pyr[!s->cur];
    float a = modes[p->stabilize == SC_STAB_STRONG ? SC_STAB_STRONG : SC_STAB_ON].a;
    st = denoise(s, rt, in8, a, err);
    struct sc_arg g[] = {SC_ARG(in8), SC_ARG(s->w), SC_ARG(s->h), SC_ARG(p->mirror),
                         SC_ARG(cur->w[0]), SC_ARG(cur->h[0]), SC_ARG(cur->buf)};
    if (!st)
        st = launch2d(rt, s->k.gray, "Stabilizing: the gray", g, 7, cur->w[0], cur->h[0],
                      err);
    if (!st)
        st = sc_stab_pyr_build(rt, &s->k, cur, err);
    if (!st && !s->reset)
        st = sc_stab_lk(rt, &s->k, cur, prev, flow_level(s), s->flow, err);
    if (!st && !s->reset)
        s->has_flow = 1;
    marker(s, rt, 1);
    if (st)
        s->live = 0;
    *src = s->den8;
    return st;
}

enum sc_status sc_stab_output(struct sc_stab *s, struct sc_clrt *rt, cl_mem out8,
                              struct sc_error *err)
{
    const struct sc_stab_pyr *cur = &s->pyr[s->cur], *prev = &s->pyr[!s->cur];
    float e0 = BLEND_E0, e1 = BLEND_E1;
    int l = flow_level(s);
    float fs = (float)(2 << l);
    marker(s, rt, 2);
    struct sc_arg a[] = {SC_ARG(out8), SC_ARG(s->w), SC_ARG(s->h), SC_ARG(s->hist[!s->cur]),
                         SC_ARG(s->hist[s->cur]), SC_ARG(s->flow), SC_ARG(cur->off[l]),
                         SC_ARG(cur->w[l]),
                         SC_ARG(cur->h[l]), SC_ARG(fs), SC_ARG(cur->buf), SC_ARG(prev->buf),
                         SC_ARG(cur->w[0]), SC_ARG(cur->h[0]), SC_ARG(s->alpha), SC_ARG(e0),
                         SC_ARG(e1), SC_ARG(s->reset)};
    enum sc_status st = launch2d(rt, s->k.blend, "Stabilizing: the blend", a, 18, s->w,
                                 s->h, err);
    marker(s, rt, 3);
    if (st)
        s->live = 0;
    return st;
}

static double span_ms(cl_event a, cl_event b)
{
    cl_ulong t0 = 0, t1 = 0;
    if (!a || !b ||
        clGetEventProfilingInfo(a, CL_PROFILING_COMMAND_END, sizeof t0, &t0, NULL) !=
            CL_SUCCESS ||
        clGetEventProfilingInfo(b, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL) !=
            CL_SUCCESS)
        return -1;
    return t1 > t0 ? (double)(t1 - t0) * 1e-6 : 0.0;
}

double sc_stab_ms(const struct sc_stab *s)
{
    double in = span_ms(s->ev[0], s->ev[1]), out = span_ms(s->ev[2], s->ev[3]);
    return in < 0 || out < 0 ? -1 : in + out;
}

int sc_stab_read_flow(struct sc_stab *s, struct sc_clrt *rt, float *flow, int cap, int *fw,
                      int *fh)
{
    int l = flow_level(s), n = s->pyr[0].w[l] * s->pyr[0].h[l] * 2;
    if (!s->has_flow || !s->flow || cap < n)
        return 0;
    if (clEnqueueReadBuffer(rt->queue, s->flow, CL_TRUE,
                            (size_t)s->pyr[0].off[l] * 2 * sizeof(float),
                            (size_t)n * sizeof(float), flow, 0, NULL, NULL) != CL_SUCCESS)
        return 0;
    for (int i = 0; i < n; i++)
        flow[i] *= (float)(2 << l);
    *fw = s->pyr[0].w[l];
    *fh = s->pyr[0].h[l];
    return n;
}
