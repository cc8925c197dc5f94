/* Host wrappers of the cheap kernels: normalization, element-wise layers,
 * padding, upsampling and the picture conversions. */
#include "engine/ops_priv.h"

#define ARG SC_ARG
#define launch sc_ops_launch
#define round_up sc_ops_round_up

/* 2-D work-group for the pixel kernels; global sizes are rounded up to it. */
#define LX 16
#define LY 4

enum sc_status sc_ops_norm_stats(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem x,
                                 int c, int hw, float eps, cl_mem stats, cl_event *ev,
                                 struct sc_error *err)
{
    size_t lws1 = k->stats_local, gws1 = lws1 * (size_t)c;
    struct sc_arg a1[] = {ARG(x), ARG(hw), ARG(eps), ARG(stats),
                          {lws1 * sizeof(float), NULL}};
    return launch(rt, k->norm_stats, "Instance-norm statistics", a1, 5, 1, &gws1, &lws1,
                  ev, err);
}

enum sc_status sc_ops_norm(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem x, cl_mem y,
                           int c, int hw, float eps, cl_mem stats, cl_mem shift, cl_mem scale,
                           int relu, cl_mem residual, cl_event *ev, struct sc_error *err)
{
    enum sc_status st = sc_ops_norm_stats(rt, k, x, c, hw, eps, stats, NULL, err);
    if (st)
        return st;
    int flags = (relu ? 1 : 0) | (residual ? 2 : 0);
    struct sc_arg a2[] = {ARG(x), ARG(y), ARG(hw), ARG(stats), ARG(shift), ARG(scale),
                          ARG(flags), ARG(residual)};
    size_t lws2[2] = {16, 1};
    size_t gws2[2] = {round_up(((size_t)hw + 15) / 16, 16), (size_t)c};
    return launch(rt, k->norm_apply, "Instance normalization", a2, 8, 2, gws2, lws2,
                  ev, err);
}

enum sc_status sc_ops_pointwise(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem x,
                                cl_mem y, int c, int hw, enum sc_act act, float lo, float hi,
                                cl_mem scale, cl_mem shift, cl_event *ev,
                                struct sc_error *err)
{
    int a = (int)act;
    struct sc_arg args[] = {ARG(x), ARG(y), ARG(hw), ARG(a), ARG(lo), ARG(hi), ARG(scale),
                            ARG(shift)};
    /* 8 values a work item */
    size_t lws[2] = {64, 1}, gws[2] = {round_up(((size_t)hw + 7) / 8, 64), (size_t)c};
    return launch(rt, k->pointwise, "An element-wise layer", args, 8, 2, gws, lws, ev, err);
}

enum sc_status sc_ops_add(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem a, cl_mem b,
                          cl_mem y, size_t n, cl_event *ev, struct sc_error *err)
{
    int nn = (int)n;
    struct sc_arg args[] = {ARG(a), ARG(b), ARG(y), ARG(nn)};
    size_t lws = 64, gws = round_up(n, 64);
    return launch(rt, k->add2, "An addition", args, 4, 1, &gws, &lws, ev, err);
}

static void pixel_grid(int w, int h, size_t gws[2], size_t lws[2])
{
    lws[0] = LX;
    lws[1] = LY;
    gws[0] = round_up((size_t)w, LX);
    gws[1] = round_up((size_t)h, LY);
}

enum sc_status sc_ops_pad(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in, int c,
                          int h, int w, int top, int left, int border, cl_mem out, int oh,
                          int ow, cl_event *ev, struct sc_error *err)
{
    struct sc_arg a[] = {ARG(in), ARG(h), ARG(w), ARG(top), ARG(left), ARG(border),
                         ARG(out), ARG(oh), ARG(ow)};
    size_t gws[3], lws[3] = {LX, LY, 1};
    pixel_grid((ow + 7) / 8, oh, gws, lws);   /* 8 pixels a work item */
    gws[2] = (size_t)c;
    return launch(rt, k->pad2d, "Padding", a, 9, 3, gws, lws, ev, err);
}

enum sc_status sc_ops_upsample(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                               int c, int h, int w, int f, cl_mem out, cl_event *ev,
                               struct sc_error *err)
{
    struct sc_arg a[] = {ARG(in), ARG(h), ARG(w), ARG(f), ARG(out)};
    size_t gws[3], lws[3] = {LX, LY, 1};
    pixel_grid((w * f + 7) / 8, h * f, gws, lws);   /* 8 pixels a work item */
    gws[2] = (size_t)c;
    return launch(rt, k->upsample, "Upsampling", a, 5, 3, gws, lws, ev, err);
}

enum sc_status sc_ops_rgb8_to_planar(struct sc_clrt *rt, const struct sc_kernels *k,
                                    cl_mem in8, int w, int h, int mirror,
                                    const struct sc_io_params *io, cl_mem x,
                                    struct sc_error *err)
{
    struct sc_arg a[] = {ARG(in8), ARG(w), ARG(h), ARG(mirror), ARG(io->bgr), ARG(io->mul),
                         ARG(x)};
    size_t gws[2], lws[2];
    pixel_grid(w, h, gws, lws);
    return launch(rt, k->in_rgb8, "Uploading a frame", a, 7, 2, gws, lws, NULL, err);
}

enum sc_status sc_ops_planar_to_rgb8(struct sc_clrt *rt, const struct sc_kernels *k,
                                    cl_mem x, int ow, int oh, cl_mem orig8, int w,
                                    int h, const struct sc_out_params *p, cl_mem out8,
                                    struct sc_error *err)
{
    float strength = p->strength;
    struct sc_arg a[] = {ARG(x), ARG(ow), ARG(oh), ARG(orig8), ARG(w), ARG(h),
                         ARG(p->mirror), ARG(strength), ARG(p->keep_colors), ARG(p->io.mul),
                         ARG(p->io.bgr), ARG(out8)};
    size_t gws[2], lws[2];
    pixel_grid(w, h, gws, lws);
    return launch(rt, k->out_rgb8, "Converting the output", a, 12, 2, gws, lws, NULL, err);
}

enum sc_status sc_ops_planar_to_f32(struct sc_clrt *rt, const struct sc_kernels *k,
                                   cl_mem x, int ow, int oh, const struct sc_io_params *io,
                                   cl_mem outf, struct sc_error *err)
{
    struct sc_arg a[] = {ARG(x), ARG(ow), ARG(oh), ARG(io->mul), ARG(io->bgr), ARG(outf)};
    size_t gws[2], lws[2];
    pixel_grid(ow, oh, gws, lws);
    return launch(rt, k->out_f32, "Converting the output", a, 6, 2, gws, lws, NULL, err);
}
