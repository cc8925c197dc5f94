#include "engine/ops_priv.h"

#include <string.h>

#include "cl/cl_sources.h"

/* 2-D work-group for the pixel kernels; global sizes are rounded up to it. */
#define LX 16
#define LY 4

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

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

static enum sc_status make_kernel(struct sc_clrt *rt, cl_program p, const char *name,
                                  cl_kernel *out, struct sc_error *err)
{
    cl_int rc;
    *out = clCreateKernel(p, name, &rc);
    if (!*out) {
        char what[96];
        snprintf(what, sizeof what, "Creating the OpenCL kernel '%s'", name);
        return sc_clrt_fail(rt, err, what, rc);
    }
    return SC_OK;
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
        {"deconv2x", &k->deconv},
        {"norm_stats", &k->norm_stats}, {"norm_apply", &k->norm_apply},
        {"rgb8_to_planar", &k->in_rgb8}, {"planar_to_rgb8", &k->out_rgb8},
        {"planar_to_f32", &k->out_f32},
        {"wino_input", &k->wino_in}, {"wino_gemm", &k->wino_gemm},
        {"wino_output", &k->wino_out},
    };
    for (size_t i = 0; !st && i < sizeof list / sizeof list[0]; i++)
        st = make_kernel(rt, k->prog, list[i].name, list[i].k, err);
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
    cl_kernel *all[] = {&k->conv, &k->conv9_b8, &k->conv9_b3, &k->conv3s2, &k->deconv, &k->norm_stats, &k->norm_apply,
                        &k->in_rgb8, &k->out_rgb8, &k->out_f32, &k->wino_in,
                        &k->wino_gemm, &k->wino_out};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (*all[i])
            clReleaseKernel(*all[i]);
    if (k->prog)
        clReleaseProgram(k->prog);
    memset(k, 0, sizeof *k);
}

/* Sets arguments from a list of (size, pointer) pairs. */
struct arg { size_t size; const void *ptr; };
#define ARG(x) {sizeof(x), &(x)}

static cl_int set_args(cl_kernel k, const struct arg *a, int n)
{
    for (int i = 0; i < n; i++) {
        cl_int rc = clSetKernelArg(k, (cl_uint)i, a[i].size, a[i].ptr);
        if (rc != CL_SUCCESS)
            return rc;
    }
    return CL_SUCCESS;
}

static enum sc_status launch(struct sc_clrt *rt, cl_kernel k, const char *what,
                             const struct arg *a, int nargs, int dims,
                             const size_t *gws, const size_t *lws, cl_event *ev,
                             struct sc_error *err)
{
    cl_int rc = set_args(k, a, nargs);
    if (rc == CL_SUCCESS)
        rc = clEnqueueNDRangeKernel(rt->queue, k, (cl_uint)dims, NULL, gws, lws,
                                    0, NULL, ev);
    return rc == CL_SUCCESS ? SC_OK : sc_clrt_fail(rt, err, what, rc);
}

static enum sc_status conv9(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                            int c, int h, int w, cl_mem wt, cl_mem out, int oc,
                            cl_event *ev, struct sc_error *err)
{
    int ob = sc_ops_pack_block(9, 1, oc, 0), px = ob == 3 ? 64 : 16;   /* pixels per item */
    struct arg a[] = {ARG(in), ARG(c), ARG(h), ARG(w), ARG(wt), ARG(out), ARG(oc)};
    size_t lws[3] = {4, 8, 1};
    size_t gws[3] = {round_up((size_t)(w + px - 1) / (size_t)px, 4), round_up((size_t)h, 8),
                     round_up((size_t)oc, (size_t)ob) / (size_t)ob};
    return launch(rt, ob == 8 ? k->conv9_b8 : k->conv9_b3, "A convolution", a, 7, 3, gws,
                  lws, ev, err);
}

enum sc_status sc_ops_conv(struct sc_clrt *rt, const struct sc_kernels *k,
                          cl_mem in, int c, int h, int w, cl_mem wt, int ks,
                          int stride, cl_mem out, int oc, cl_event *ev,
                          struct sc_error *err)
{
    if (ks == 9 && stride == 1)
        return conv9(rt, k, in, c, h, w, wt, out, oc, ev, err);
    int oh = sc_ops_same_out(h, stride), ow = sc_ops_same_out(w, stride);
    int py = sc_ops_same_pad(h, ks, stride), px = sc_ops_same_pad(w, ks, stride);
    if (ks == 3 && stride == 2) {
        struct arg a[] = {ARG(in), ARG(c), ARG(h), ARG(w), ARG(wt), ARG(py), ARG(px),
                          ARG(out), ARG(oc), ARG(oh), ARG(ow)};
        size_t lws[3] = {4, 8, 1};
        size_t gws[3] = {round_up((size_t)(ow + 3) / 4, 4), round_up((size_t)oh, 8),
                         round_up((size_t)oc, 16) / 16};
        return launch(rt, k->conv3s2, "A convolution", a, 11, 3, gws, lws, ev, err);
    }
    struct arg a[] = {ARG(in), ARG(c), ARG(h), ARG(w), ARG(wt), ARG(ks), ARG(stride),
                      ARG(py), ARG(px), ARG(out), ARG(oc), ARG(oh), ARG(ow)};
    size_t lws[3] = {LX, LY, 1};
    size_t gws[3] = {round_up((size_t)ow, LX), round_up((size_t)oh, LY),
                     round_up((size_t)oc, 8) / 8};
    return launch(rt, k->conv, "A convolution", a, 13, 3, gws, lws, ev, err);
}

enum sc_status sc_ops_deconv(struct sc_clrt *rt, const struct sc_kernels *k,
                            cl_mem in, int c, int h, int w, cl_mem wt,
                            cl_mem out, int oc, cl_event *ev, struct sc_error *err)
{
    struct arg a[] = {ARG(in), ARG(c), ARG(h), ARG(w), ARG(wt), ARG(out), ARG(oc)};
    size_t lws[3] = {4, 8, 1};
    size_t gws[3] = {round_up((size_t)(w + 1) / 2, 4), round_up((size_t)h, 8),
                     round_up((size_t)oc, 16) / 16};
    return launch(rt, k->deconv, "A transposed convolution", a, 7, 3, gws, lws, ev, err);
}

enum sc_status sc_ops_norm(struct sc_clrt *rt, const struct sc_kernels *k,
                          cl_mem x, int c, int hw, cl_mem stats, cl_mem shift,
                          cl_mem scale, int relu, cl_mem residual, cl_event *ev,
                          struct sc_error *err)
{
    size_t lws1 = k->stats_local, gws1 = lws1 * (size_t)c;
    struct arg a1[] = {ARG(x), ARG(hw), ARG(stats), {lws1 * sizeof(float), NULL}};
    enum sc_status st = launch(rt, k->norm_stats, "Instance-norm statistics", a1, 4,
                               1, &gws1, &lws1, NULL, err);
    if (st)
        return st;
    int flags = (relu ? 1 : 0) | (residual ? 2 : 0);
    struct arg a2[] = {ARG(x), ARG(hw), ARG(stats), ARG(shift), ARG(scale), ARG(flags),
                       ARG(residual)};
    size_t lws2[2] = {16, 1};
    size_t gws2[2] = {round_up(((size_t)hw + 15) / 16, 16), (size_t)c};
    return launch(rt, k->norm_apply, "Instance normalization", a2, 7, 2, gws2, lws2,
                  ev, err);
}

static void pixel_grid(int w, int h, size_t gws[2], size_t lws[2])
{
    lws[0] = LX;
    lws[1] = LY;
    gws[0] = round_up((size_t)w, LX);
    gws[1] = round_up((size_t)h, LY);
}

enum sc_status sc_ops_rgb8_to_planar(struct sc_clrt *rt, const struct sc_kernels *k,
                                    cl_mem in8, int w, int h, int mirror, cl_mem x,
                                    struct sc_error *err)
{
    struct arg a[] = {ARG(in8), ARG(w), ARG(h), ARG(mirror), ARG(x)};
    size_t gws[2], lws[2];
    pixel_grid(w, h, gws, lws);
    return launch(rt, k->in_rgb8, "Uploading a frame", a, 5, 2, gws, lws, NULL, err);
}

enum sc_status sc_ops_planar_to_rgb8(struct sc_clrt *rt, const struct sc_kernels *k,
                                    cl_mem x, int ow, int oh, cl_mem orig8, int w,
                                    int h, const struct sc_out_params *p, cl_mem out8,
                                    struct sc_error *err)
{
    float strength = p->strength;
    struct arg a[] = {ARG(x), ARG(ow), ARG(oh), ARG(orig8), ARG(w), ARG(h),
                      ARG(p->mirror), ARG(strength), ARG(p->keep_colors), ARG(out8)};
    size_t gws[2], lws[2];
    pixel_grid(w, h, gws, lws);
    return launch(rt, k->out_rgb8, "Converting the output", a, 10, 2, gws, lws, NULL, err);
}

enum sc_status sc_ops_planar_to_f32(struct sc_clrt *rt, const struct sc_kernels *k,
                                   cl_mem x, int ow, int oh, cl_mem outf,
                                   struct sc_error *err)
{
    struct arg a[] = {ARG(x), ARG(ow), ARG(oh), ARG(outf)};
    size_t gws[2], lws[2];
    pixel_grid(ow, oh, gws, lws);
    return launch(rt, k->out_f32, "Converting the output", a, 4, 2, gws, lws, NULL, err);
}

/* ---- Winograd F(4x4, 3x3) ---- */

#define WINO_TP_ALIGN 16

long sc_ops_wino_filter_count(int c, int oc)
{
    return 36L * c * oc;
}

void sc_ops_wino_filter(const float *tf, int c, int oc, float *u)
{
    static const double g[6][3] = {
        {1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1},
    };
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
                    u[((size_t)(i * 6 + j) * c + ci) * oc + o] = (float)s;
                }
        }
}

int sc_ops_wino_tiles_padded(int h, int w)
{
    size_t t = (size_t)((h + 3) / 4) * ((w + 3) / 4);
    return (int)round_up(t, WINO_TP_ALIGN);
}

size_t sc_ops_wino_scratch_floats(int c, int h, int w)
{
    return 36 * (size_t)c * (size_t)sc_ops_wino_tiles_padded(h, w);
}

enum sc_status sc_ops_conv3x3_wino(struct sc_clrt *rt, const struct sc_kernels *k,
                                  cl_mem in, int c, int h, int w, cl_mem u, cl_mem v,
                                  cl_mem m, cl_mem out, int oc, cl_event *ev,
                                  struct sc_error *err)
{
    int tx = (w + 3) / 4, ty = (h + 3) / 4, tp = sc_ops_wino_tiles_padded(h, w);
    struct arg a1[] = {ARG(in), ARG(c), ARG(h), ARG(w), ARG(tx), ARG(ty), ARG(tp), ARG(v)};
    size_t l1[3] = {4, 4, 1};
    size_t g1[3] = {round_up((size_t)(tx + 3) / 4, 4), round_up((size_t)ty, 4), (size_t)c};
    enum sc_status st = launch(rt, k->wino_in, "A Winograd input transform", a1, 8, 3,
                               g1, l1, ev, err);
    struct arg a2[] = {ARG(u), ARG(v), ARG(c), ARG(oc), ARG(tp), ARG(m)};
    size_t l2[3] = {WINO_TP_ALIGN / 4, 1, 1};
    size_t g2[3] = {(size_t)tp / 4, (size_t)oc / SC_WINO_OCB, 36};
    if (!st)
        st = launch(rt, k->wino_gemm, "A Winograd product", a2, 6, 3, g2, l2, NULL, err);
    struct arg a3[] = {ARG(m), ARG(oc), ARG(tp), ARG(tx), ARG(ty), ARG(h), ARG(w), ARG(out)};
    size_t g3[3] = {round_up((size_t)(tx + 3) / 4, 4), round_up((size_t)ty, 4), (size_t)oc};
    if (!st)
        st = launch(rt, k->wino_out, "A Winograd output transform", a3, 8, 3, g3, l1,
                    NULL, err);
    return st;
}
