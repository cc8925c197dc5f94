#include "engine/ops_priv.h"

#include <string.h>

#include "cl/cl_sources.h"

/* 2-D work-group for the pixel kernels; global sizes are rounded up to it. */
#define LX 16
#define LY 4

size_t sc_ops_round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }
#define round_up sc_ops_round_up

int sc_ops_same_out(int n, int stride) { return (n + stride - 1) / stride; }

int sc_ops_same_pad(int n, int k, int stride)
{
    int out = sc_ops_same_out(n, stride);
    int total = (out - 1) * stride + k - n;
    return total > 0 ? total / 2 : 0;
}

int sc_ops_pack_block(int k, int stride, int oc, int transposed)
{
    if (transposed || (k == 3 && stride == 2))
        return 16;
    if (k == 9 && stride == 1 && oc <= 3)
        return 3;
    return 8;
}

long sc_ops_packed_count(int k, int c, int oc, int ob)
{
    return (long)round_up((size_t)oc, (size_t)ob) * c * k * k;
}

void sc_ops_weights_pack(const float *tf, int k, int c, int oc, int transposed, int ob,
                     float *dst)
{
    long n = sc_ops_packed_count(k, c, oc, ob);
    memset(dst, 0, (size_t)n * sizeof *dst);
    for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
            for (int ci = 0; ci < c; ci++)
                for (int o = 0; o < oc; o++) {
                    size_t src = transposed
                        ? (((size_t)ky * k + kx) * oc + o) * c + ci
                        : (((size_t)ky * k + kx) * c + ci) * oc + o;
                    size_t d = ((((size_t)(o / ob) * c + ci) * k + ky) * k + kx) * ob
                               + o % ob;
                    dst[d] = tf[src];
                }
}

enum sc_status sc_ops_kernels_init(struct sc_clrt *rt, struct sc_kernels *k,
                               struct sc_error *err)
{
    memset(k, 0, sizeof *k);
    enum sc_status st = sc_clrt_build(rt, sc_cl_sources, SC_CL_NSOURCES, "",
                                      &k->prog, err);
    struct { const char *name; cl_kernel *k; } list[] = {
        {"conv2d", &k->conv}, {"conv9_x16_b8", &k->conv9_b8},
        {"conv9_x16_b3", &k->conv9_b3}, {"conv3s2_c16", &k->conv3s2},
        {"conv_grouped", &k->conv_grouped}, {"deconv2x", &k->deconv},
        {"deconv_any", &k->deconv_any},
        {"norm_stats", &k->norm_stats}, {"norm_apply", &k->norm_apply},
        {"pointwise", &k->pointwise}, {"add2", &k->add2}, {"pad2d", &k->pad2d},
        {"upsample_nearest", &k->upsample},
        {"rgb8_to_planar", &k->in_rgb8}, {"planar_to_rgb8", &k->out_rgb8},
        {"planar_to_f32", &k->out_f32},
        {"wino_input", &k->wino_in}, {"wino_gemm", &k->wino_gemm},
        {"wino_output", &k->wino_out},
    };
    for (size_t i = 0; !st && i < sizeof list / sizeof list[0]; i++)
        st = sc_clrt_kernel(rt, k->prog, list[i].name, list[i].k, err);
    if (st) {
        sc_ops_kernels_free(k);
        return st;
    }
    /* Few work items with long contiguous chunks suit CPUs; GPUs want more. */
    size_t wg = rt->is_cpu ? 16 : 256;
    while (wg > rt->max_wg)
        wg /= 2;
    k->stats_local = wg;
    return SC_OK;
}

void sc_ops_kernels_free(struct sc_kernels *k)
{
    cl_kernel *all[] = {&k->conv, &k->conv9_b8, &k->conv9_b3, &k->conv3s2,
                        &k->conv_grouped, &k->deconv, &k->deconv_any, &k->norm_stats,
                        &k->norm_apply, &k->pointwise, &k->add2, &k->pad2d, &k->upsample,
                        &k->in_rgb8, &k->out_rgb8, &k->out_f32, &k->wino_in,
                        &k->wino_gemm, &k->wino_out};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (*all[i])
            clReleaseKernel(*all[i]);
    if (k->prog)
        clReleaseProgram(k->prog);
    memset(k, 0, sizeof *k);
}

#define ARG SC_ARG

static cl_int set_args(cl_kernel k, const struct sc_arg *a, int n)
{
    for (int i = 0; i < n; i++) {
        cl_int rc = clSetKernelArg(k, (cl_uint)i, a[i].size, a[i].ptr);
        if (rc != CL_SUCCESS)
            return rc;
    }
    return CL_SUCCESS;
}

enum sc_status sc_ops_launch(struct sc_clrt *rt, cl_kernel k, const char *what,
                             const struct sc_arg *a, int nargs, int dims, const size_t *gws,
                             const size_t *lws, cl_event *ev, struct sc_error *err)
{
    cl_int rc = set_args(k, a, nargs);
    if (rc == CL_SUCCESS)
        rc = clEnqueueNDRangeKernel(rt->queue, k, (cl_uint)dims, NULL, gws, lws,
                                    0, NULL, ev);
    return rc == CL_SUCCESS ? SC_OK : sc_clrt_fail(rt, err, what, rc);
}
#define launch sc_ops_launch

/* The four trailing arguments of the kernels that take sc_pre_norm. */
#define PRE_ARGS(pre) ARG((pre).stats), ARG((pre).scale), ARG((pre).shift), ARG((pre).mode)

static struct sc_pre_norm pre_of(const struct sc_conv_geom *g)
{
    struct sc_pre_norm none = {NULL, NULL, NULL, 0};
    return g->pre ? *g->pre : none;
}

/* Only the Winograd input transform applies a previous norm. */
static enum sc_status no_pre(struct sc_clrt *rt, const struct sc_conv_geom *g,
                             struct sc_error *err)
{
    (void)rt;
    return g->pre && g->pre->mode
        ? sc_error_set(err, SC_ERR_ARG, "Internal error: a %dx%d stride-%d convolution "
                       "cannot apply the previous norm.", g->k, g->k, g->stride)
        : SC_OK;
}

/* nblk channel blocks x nx pixel blocks x ny rows, the channel blocks along
 * dimension 0 and on a CPU all in one work-group: PoCL runs work-groups in
 * order, so the blocks reading the same input rows run back to back
 * (blocks in dimension 2 would each sweep the whole input from memory). */
static enum sc_status launch_blocks(struct sc_clrt *rt, cl_kernel kern, const char *what,
                                    const struct sc_arg *a, int nargs, size_t nblk, size_t nx,
                                    size_t ny, cl_event *ev, struct sc_error *err)
{
    size_t lb = nblk;
    while (lb > 1 && (lb > rt->max_wg || nblk % lb))
        lb--;
    size_t lws[3] = {lb, 1, 1}, gws[3] = {nblk, nx, ny};
    return launch(rt, kern, what, a, nargs, 3, gws, rt->is_cpu ? lws : NULL, ev, err);
}

static enum sc_status conv9(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                            const struct sc_conv_geom *g, cl_mem wt, cl_mem bias, cl_mem out,
                            cl_event *ev, struct sc_error *err)
{
    int ob = sc_ops_pack_block(9, 1, g->oc, 0), px = ob == 3 ? 64 : 32;   /* pixels per item */
    struct sc_arg a[] = {ARG(in), ARG(g->c), ARG(g->h), ARG(g->w), ARG(wt), ARG(bias),
                         ARG(g->py), ARG(g->px), ARG(out), ARG(g->oc), ARG(g->oh), ARG(g->ow)};
    size_t lws[3] = {4, 8, 1};
    size_t gws[3] = {round_up((size_t)(g->ow + px - 1) / (size_t)px, 4),
                     round_up((size_t)g->oh, 8),
                     round_up((size_t)g->oc, (size_t)ob) / (size_t)ob};
    return launch(rt, ob == 8 ? k->conv9_b8 : k->conv9_b3, "A convolution", a, 12, 3, gws,
                  lws, ev, err);
}

enum sc_status sc_ops_conv(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                           const struct sc_conv_geom *g, cl_mem wt, cl_mem bias, cl_mem out,
                           cl_event *ev, struct sc_error *err)
{
    enum sc_status st = no_pre(rt, g, err);
    if (st)
        return st;
    if (g->k == 3 && g->stride == 2) {
        struct sc_arg a[] = {ARG(in), ARG(g->c), ARG(g->h), ARG(g->w), ARG(wt), ARG(bias),
                             ARG(g->py), ARG(g->px), ARG(out), ARG(g->oc), ARG(g->oh),
                             ARG(g->ow)};
        return launch_blocks(rt, k->conv3s2, "A convolution", a, 12,
                             round_up((size_t)g->oc, 16) / 16, (size_t)(g->ow + 15) / 16,
                             (size_t)g->oh, ev, err);
    }
    if (g->k == 9 && g->stride == 1)
        return conv9(rt, k, in, g, wt, bias, out, ev, err);
    struct sc_arg a[] = {ARG(in), ARG(g->c), ARG(g->h), ARG(g->w), ARG(wt), ARG(g->k),
                         ARG(g->stride), ARG(bias), ARG(g->py), ARG(g->px), ARG(out),
                         ARG(g->oc), ARG(g->oh), ARG(g->ow)};
    size_t lws[3] = {LX, LY, 1};
    size_t gws[3] = {round_up((size_t)g->ow, LX), round_up((size_t)g->oh, LY),
                     round_up((size_t)g->oc, 8) / 8};
    return launch(rt, k->conv, "A convolution", a, 14, 3, gws, lws, ev, err);
}

enum sc_status sc_ops_conv_grouped(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                                   const struct sc_conv_geom *g, int groups, cl_mem wt,
                                   cl_mem bias, cl_mem out, cl_event *ev,
                                   struct sc_error *err)
{
    enum sc_status st = no_pre(rt, g, err);
    if (st)
        return st;
    struct sc_arg a[] = {ARG(in), ARG(g->c), ARG(g->h), ARG(g->w), ARG(wt), ARG(bias),
                         ARG(g->k), ARG(g->stride), ARG(groups), ARG(g->py), ARG(g->px),
                         ARG(out), ARG(g->oc), ARG(g->oh), ARG(g->ow)};
    size_t lws[3] = {LX, LY, 1};
    size_t gws[3] = {round_up((size_t)g->ow, LX), round_up((size_t)g->oh, LY), (size_t)g->oc};
    return launch(rt, k->conv_grouped, "A grouped convolution", a, 15, 3, gws, lws, ev, err);
}

enum sc_status sc_ops_deconv(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                             const struct sc_conv_geom *g, cl_mem wt, cl_mem bias,
                             cl_mem out, cl_event *ev, struct sc_error *err)
{
    enum sc_status st = no_pre(rt, g, err);
    if (st)
        return st;
    if (g->k == 3 && g->stride == 2 && g->py == 0 && g->px == 0 && g->oh == 2 * g->h &&
        g->ow == 2 * g->w) {
        struct sc_arg a[] = {ARG(in), ARG(g->c), ARG(g->h), ARG(g->w), ARG(wt), ARG(bias),
                             ARG(out), ARG(g->oc)};
        /* 16 input pixels x 4 output channels an item */
        return launch_blocks(rt, k->deconv, "A transposed convolution", a, 8,
                             round_up((size_t)g->oc, 16) / 4, (size_t)(g->w + 15) / 16,
                             (size_t)g->h, ev, err);
    }
    struct sc_arg a[] = {ARG(in), ARG(g->c), ARG(g->h), ARG(g->w), ARG(wt), ARG(bias),
                         ARG(g->k), ARG(g->stride), ARG(g->py), ARG(g->px), ARG(out),
                         ARG(g->oc), ARG(g->oh), ARG(g->ow)};
    size_t lws[3] = {LX, LY, 1};
    size_t gws[3] = {round_up((size_t)g->ow, LX), round_up((size_t)g->oh, LY),
                     round_up((size_t)g->oc, 16) / 16};
    return launch(rt, k->deconv_any, "A transposed convolution", a, 14, 3, gws, lws, ev, err);
}

/* ---- Winograd F(4x4, 3x3) ---- */

#define WINO_TP_ALIGN 32   /* wino_gemm's tile block */

int sc_ops_wino_ocp(int oc)
{
    return (int)round_up((size_t)oc, SC_WINO_OCB);
}

long sc_ops_wino_filter_count(int c, int oc)
{
    return 36L * c * sc_ops_wino_ocp(oc);
}

void sc_ops_wino_filter(const float *tf, int c, int oc, float *u)
{
    static const double g[6][3] = {
        {1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1},
    };
    int ocp = sc_ops_wino_ocp(oc);
    memset(u, 0, (size_t)sc_ops_wino_filter_count(c, oc) * sizeof *u);
    for (int ci = 0; ci < c; ci++)
        for (int o = 0; o < oc; o++) {
            double t[6][3];
            for (int i = 0; i < 6; i++)          /* t = G f */
                for (int kx = 0; kx < 3; kx++) {
                    double s = 0;
                    for (int ky = 0; ky < 3; ky++)
                        s += g[i][ky] * tf[((ky * 3 + kx) * c + ci) * oc + o];
                    t[i][kx] = s;
                }
            for (int i = 0; i < 6; i++)          /* (G f) G^T */
                for (int j = 0; j < 6; j++) {
                    double s = 0;
                    for (int kx = 0; kx < 3; kx++)
                        s += t[i][kx] * g[j][kx];
                    u[((size_t)(i * 6 + j) * c + ci) * ocp + o] = (float)s;
                }
        }
}

size_t sc_ops_wino_limit(const struct sc_clrt *rt)
{
    return rt->is_cpu ? (size_t)1 << 21 : (size_t)1 << 24;
}

int sc_ops_wino_chunk_rows(int cmax, int h, int w, size_t limit)
{
    size_t tx = (size_t)(w + 3) / 4, ty = (size_t)(h + 3) / 4;
    size_t rows = limit / (36 * (size_t)cmax * tx + 1);
    return (int)(rows < 1 ? 1 : rows > ty ? ty : rows);
}

size_t sc_ops_wino_scratch_floats(int cmax, int h, int w, size_t limit)
{
    size_t tx = (size_t)(w + 3) / 4;
    size_t tp = round_up(tx * (size_t)sc_ops_wino_chunk_rows(cmax, h, w, limit),
                         WINO_TP_ALIGN);
    return 36 * (size_t)cmax * tp;
}

/* One chunk of tile rows ty0 .. ty0+n-1. */
static enum sc_status wino_chunk(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                                 const struct sc_conv_geom *g, cl_mem u, cl_mem bias,
                                 cl_mem v, cl_mem m, cl_mem out, int ty0, int n, cl_event *ev,
                                 struct sc_error *err)
{
    int tx = (g->ow + 3) / 4, tp = (int)round_up((size_t)tx * n, WINO_TP_ALIGN);
    int ocp = sc_ops_wino_ocp(g->oc);
    struct sc_pre_norm pre = pre_of(g);
    struct sc_arg a1[] = {ARG(in), ARG(g->c), ARG(g->h), ARG(g->w), ARG(g->py), ARG(g->px),
                          ARG(ty0), ARG(tx), ARG(n), ARG(tp), ARG(v), PRE_ARGS(pre)};
    size_t l1[3] = {1, 4, 1};   /* an item is 16 tiles of a row */
    size_t g1[3] = {(size_t)(tx + 15) / 16, round_up((size_t)n, 4), (size_t)g->c};
    enum sc_status st = launch(rt, k->wino_in, "A Winograd input transform", a1, 15, 3,
                               g1, l1, ev, err);
    struct sc_arg a2[] = {ARG(u), ARG(v), ARG(g->c), ARG(ocp), ARG(tp), ARG(m)};
    /* On a CPU one work-group per tile block (all output channels) keeps
     * PoCL's per-group overhead small; a GPU takes single items. */
    size_t ly = rt->is_cpu && (size_t)ocp / 8 <= rt->max_wg ? (size_t)ocp / 8 : 1;
    size_t l2[3] = {1, ly, 1};
    size_t g2[3] = {(size_t)tp / WINO_TP_ALIGN, (size_t)ocp / 8, 36};
    if (!st)
        st = launch(rt, k->wino_gemm, "A Winograd product", a2, 6, 3, g2, l2, NULL, err);
    struct sc_arg a3[] = {ARG(m), ARG(ocp), ARG(tp), ARG(ty0), ARG(tx), ARG(n), ARG(g->oh),
                          ARG(g->ow), ARG(bias), ARG(out)};
    size_t g3[3] = {(size_t)(tx + 15) / 16, round_up((size_t)n, 4), (size_t)g->oc};
    if (!st)
        st = launch(rt, k->wino_out, "A Winograd output transform", a3, 10, 3, g3, l1,
                    NULL, err);
    return st;
}

enum sc_status sc_ops_conv3x3_wino(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                                   const struct sc_conv_geom *g, cl_mem u, cl_mem bias,
                                   cl_mem v, cl_mem m, cl_mem out, cl_event *ev,
                                   struct sc_error *err)
{
    int ocp = sc_ops_wino_ocp(g->oc), ty = (g->oh + 3) / 4;
    int rows = sc_ops_wino_chunk_rows(g->c > ocp ? g->c : ocp, g->oh, g->ow,
                                      sc_ops_wino_limit(rt));
    enum sc_status st = SC_OK;
    for (int ty0 = 0; !st && ty0 < ty; ty0 += rows)
        st = wino_chunk(rt, k, in, g, u, bias, v, m, out, ty0,
                        ty - ty0 < rows ? ty - ty0 : rows, ty0 ? NULL : ev, err);
    return st;
}
