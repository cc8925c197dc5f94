/* Each kernel against a plain C reference on small odd shapes. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clrt_priv.h"
#include "engine/ops_priv.h"
#include "tests/util/sc_test.h"

static struct sc_clrt rt;
static struct sc_kernels kern;

static float frand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/* A device buffer holding data, or NaN everywhere when data is NULL, so a
 * kernel that reads what nobody wrote shows it in its output. */
static cl_mem buf(const float *data, size_t n)
{
    cl_int rc;
    cl_mem m = clCreateBuffer(rt.ctx, CL_MEM_READ_WRITE | (data ? CL_MEM_COPY_HOST_PTR : 0),
                              n * sizeof(float), (void *)data, &rc);
    ck_assert_int_eq(rc, CL_SUCCESS);
    if (!data) {
        const float nan = NAN;
        ck_assert_int_eq(clEnqueueFillBuffer(rt.queue, m, &nan, sizeof nan, 0, n * sizeof(float),
                                             0, NULL, NULL), CL_SUCCESS);
    }
    return m;
}

static void get(cl_mem m, float *dst, size_t n)
{
    ck_assert_int_eq(clEnqueueReadBuffer(rt.queue, m, CL_TRUE, 0, n * sizeof(float), dst,
                                         0, NULL, NULL), CL_SUCCESS);
}

/* Largest difference relative to the reference's magnitude (at least 1):
 * float32 sums of hundreds of terms round at about 1e-7 of their size. */
static double max_diff(const float *a, const float *b, size_t n)
{
    double m = 0, scale = 1;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(b[i]))
            return INFINITY;    /* fmax would pass over a NaN */
        m = fmax(m, fabs((double)a[i] - b[i]));
        scale = fmax(scale, fabs((double)a[i]));
    }
    return m / scale;
}

/* Reference correlation with zero padding pt, pl before (the output size
 * gives the rest), filter [k][k][c/g][oc], bias per output channel. */
static void ref_conv(const float *in, int c, int h, int w, const float *f, const float *bias,
                     int k, int s, int g, int pt, int pl, int oc, int oh, int ow, float *out)
{
    int cg = c / g;
    for (int o = 0; o < oc; o++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                double acc = bias[o];
                int c0 = o / (oc / g) * cg;
                for (int ci = 0; ci < cg; ci++)
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int iy = y * s - pt + ky, ix = x * s - pl + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                continue;
                            acc += in[((c0 + ci) * h + iy) * w + ix] *
                                   f[((ky * k + kx) * cg + ci) * oc + o];
                        }
                out[(o * oh + y) * ow + x] = (float)acc;
            }
}

/* Reference transposed conv as a scatter: in(y, x) adds w(ky, kx) at
 * (y*s + ky - pt, x*s + kx - pl); filter [k][k][oc][c]. */
static void ref_deconv(const float *in, int c, int h, int w, const float *f, const float *bias,
                       int k, int s, int pt, int pl, int oc, int oh, int ow, float *out)
{
    for (int o = 0; o < oc; o++)
        for (int i = 0; i < oh * ow; i++)
            out[o * oh * ow + i] = bias[o];
    for (int ci = 0; ci < c; ci++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        int Y = y * s + ky - pt, X = x * s + kx - pl;
                        if (Y < 0 || X < 0 || Y >= oh || X >= ow)
                            continue;
                        for (int o = 0; o < oc; o++)
                            out[(o * oh + Y) * ow + X] +=
                                in[(ci * h + y) * w + x] * f[((ky * k + kx) * oc + o) * c + ci];
                    }
}

static float *rand_floats(size_t n, float scale, unsigned *seed)
{
    float *v = malloc(n * 4);
    for (size_t i = 0; i < n; i++)
        v[i] = frand(seed) * scale;
    return v;
}

/* Padded to 16 as the kernels read it. */
static cl_mem bias_buf(const float *b, int oc)
{
    float pad[4096] = {0};
    memcpy(pad, b, (size_t)oc * 4);
    return buf(pad, (oc + 15) / 16 * 16);
}

/* pt < 0: TF SAME padding (the output ceil(n/s)); else explicit pt = pl,
 * and pb = pr = pe. */
static void run_conv_full(int c, int h, int w, int k, int s, int oc, int g, int pt, int pe)
{
    unsigned seed = (unsigned)(c * 131 + h * 17 + w * 7 + k + s * 3 + oc + g);
    int oh, ow, pl;
    if (pt < 0) {
        oh = sc_ops_same_out(h, s);
        ow = sc_ops_same_out(w, s);
        pt = sc_ops_same_pad(h, k, s);
        pl = sc_ops_same_pad(w, k, s);
    } else {
        pl = pt;
        oh = (h + pt + pe - k) / s + 1;
        ow = (w + pl + pe - k) / s + 1;
    }
    size_t nin = (size_t)c * h * w, nf = (size_t)k * k * c / g * oc, nout = (size_t)oc * oh * ow;
    float *in = rand_floats(nin, 100, &seed), *f = rand_floats(nf, 1, &seed);
    float *bias = rand_floats((size_t)oc, 10, &seed), *ref = malloc(nout * 4),
          *got = malloc(nout * 4);
    ref_conv(in, c, h, w, f, bias, k, s, g, pt, pl, oc, oh, ow, ref);
    int wino = g == 1 && k == 3 && s == 1;
    int ob = sc_ops_pack_block(k, s, oc, 0);
    long np = g > 1 ? (long)nf : wino ? sc_ops_wino_filter_count(c, oc)
            : sc_ops_packed_count(k, c, oc, ob);
    float *packed = malloc((size_t)np * 4);
    if (g > 1)
        memcpy(packed, f, nf * 4);
    else if (wino)
        sc_ops_wino_filter(f, c, oc, packed);
    else
        sc_ops_weights_pack(f, k, c, oc, 0, ob, packed);
    struct sc_conv_geom geo = {c, h, w, oc, oh, ow, k, s, pt, pl, NULL};
    int cmax = c > sc_ops_wino_ocp(oc) ? c : sc_ops_wino_ocp(oc);
    size_t scratch = sc_ops_wino_scratch_floats(cmax, oh, ow, sc_ops_wino_limit(&rt));
    cl_mem din = buf(in, nin), dw = buf(packed, (size_t)np), db = bias_buf(bias, oc),
           dout = buf(NULL, nout), dv = buf(NULL, scratch), dm = buf(NULL, scratch);
    struct sc_error err;
    enum sc_status st = g > 1 ? sc_ops_conv_grouped(&rt, &kern, din, &geo, g, dw, db, dout,
                                                    NULL, &err)
                      : wino ? sc_ops_conv3x3_wino(&rt, &kern, din, &geo, dw, db, dv, dm,
                                                   dout, NULL, &err)
                      : sc_ops_conv(&rt, &kern, din, &geo, dw, db, dout, NULL, &err);
    ck_assert_msg(st == SC_OK, "%s", err.msg);
    get(dout, got, nout);
    double d = max_diff(ref, got, nout);
    /* Winograd's transforms (coefficients up to 8) amplify rounding about
     * tenfold over a direct sum: 7.4e-6 is measured at 128 channels on PoCL,
     * so allow 5e-5. A wrong tap or transform entry is off by 1e-1 or more. */
    ck_assert_msg(d < (wino ? 5e-5 : 1e-5), "conv c%d %dx%d k%d s%d oc%d g%d pad %d,%d: "
                  "max diff %g", c, w, h, k, s, oc, g, pt, pe, d);
    cl_mem all[] = {din, dw, db, dout, dv, dm};
    for (int i = 0; i < 6; i++)
        clReleaseMemObject(all[i]);
    free(in); free(f); free(bias); free(ref); free(got); free(packed);
}

static void run_conv_case(int c, int h, int w, int k, int s, int oc)
{
    run_conv_full(c, h, w, k, s, oc, 1, -1, 0);
}

START_TEST(test_conv_shapes)
{
    run_conv_case(3, 5, 7, 3, 1, 5);    /* odd sizes, OC not a multiple of 4 */
    run_conv_case(3, 5, 7, 3, 2, 4);    /* stride 2 on odd sides: padding 1 before */
    run_conv_case(2, 6, 8, 3, 2, 3);    /* stride 2 on even sides: padding 0 before */
    run_conv_case(3, 7, 5, 9, 1, 6);    /* 9x9 wider than the image */
    run_conv_case(5, 9, 11, 9, 1, 3);
    run_conv_case(4, 1, 1, 3, 2, 4);    /* a single pixel */
    /* Wide enough for the vector paths: full and partial 16-pixel blocks,
     * both output-channel blocks of the 9x9 kernel, 4-pixel blocks at stride 2. */
    run_conv_case(3, 11, 45, 9, 1, 10);
    run_conv_case(5, 9, 40, 9, 1, 3);
    run_conv_case(4, 10, 33, 9, 1, 2);
    run_conv_case(6, 9, 41, 3, 2, 20);
    run_conv_case(6, 10, 40, 3, 2, 16);
}
END_TEST

static void run_wino_case(int c, int h, int w, int oc)
{
    run_conv_full(c, h, w, 3, 1, oc, 1, -1, 0);
}

START_TEST(test_winograd_shapes)
{
    run_wino_case(5, 5, 7, 16);     /* odd sides: partial 4x4 tiles */
    run_wino_case(3, 1, 1, 16);     /* a single pixel */
    run_wino_case(32, 17, 23, 32);
    run_wino_case(128, 12, 16, 128);
    run_wino_case(6, 9, 13, 5);     /* channels not a multiple of 16 */
    run_wino_case(8, 9, 130, 16);   /* 16-tile items: padded start, whole, a 1-tile tail */
    run_conv_full(4, 9, 140, 3, 1, 16, 1, 0, 0);   /* wide and valid: every item whole */
    run_conv_full(4, 9, 11, 3, 1, 16, 1, 0, 0);    /* valid: no padding */
    run_conv_full(4, 9, 11, 3, 1, 8, 1, 2, 1);     /* uneven padding */
    /* Wide enough to run in chunks of tile rows (scratch over the limit). */
    ck_assert_int_lt(sc_ops_wino_chunk_rows(256, 181, 179, sc_ops_wino_limit(&rt)),
                     (181 + 3) / 4);
    run_conv_full(256, 181, 179, 3, 1, 1, 1, 1, 1);
}
END_TEST

/* The previous norm applied by the Winograd input transform (sc_pre_norm):
 * against normalizing on the host, then convolving. Channel means far from
 * 0 check the shift; mode 2 adds the ReLU; padding must stay 0. */
static void run_wino_pre(int c, int h, int w, int oc, int mode)
{
    unsigned seed = 11;
    size_t hw = (size_t)h * w, nin = (size_t)c * hw, nout = (size_t)oc * hw;
    float eps = 1e-5f, *in = rand_floats(nin, 3, &seed), *normed = malloc(nin * 4);
    float *scale = rand_floats((size_t)c, 2, &seed), *shift = rand_floats((size_t)c, 1, &seed);
    float *f = rand_floats((size_t)9 * c * oc, 1, &seed), *bias = rand_floats((size_t)oc, 1, &seed);
    float *ref = malloc(nout * 4), *got = malloc(nout * 4);
    for (int ch = 0; ch < c; ch++) {
        float *x = in + ch * hw, *y = normed + ch * hw;
        double sum = 0, sq = 0;
        for (size_t i = 0; i < hw; i++)
            x[i] += 40.0f * (float)(ch % 3 - 1);
        for (size_t i = 0; i < hw; i++)
            sum += x[i];
        double mean = sum / (double)hw;
        for (size_t i = 0; i < hw; i++)
            sq += (x[i] - mean) * (x[i] - mean);
        double rstd = 1.0 / sqrt(sq / (double)hw + eps);
        for (size_t i = 0; i < hw; i++) {
            double v = (x[i] - mean) * rstd * scale[ch] + shift[ch];
            y[i] = (float)(mode == 2 && v < 0 ? 0 : v);
        }
    }
    ref_conv(normed, c, h, w, f, bias, 3, 1, 1, 1, 1, oc, h, w, ref);
    long np = sc_ops_wino_filter_count(c, oc);
    float *packed = malloc((size_t)np * 4);
    sc_ops_wino_filter(f, c, oc, packed);
    int cmax = c > sc_ops_wino_ocp(oc) ? c : sc_ops_wino_ocp(oc);
    size_t scratch = sc_ops_wino_scratch_floats(cmax, h, w, sc_ops_wino_limit(&rt));
    cl_mem din = buf(in, nin), dw = buf(packed, (size_t)np), db = bias_buf(bias, oc),
           dout = buf(NULL, nout), dv = buf(NULL, scratch), dm = buf(NULL, scratch),
           dst = buf(NULL, 2 * (size_t)c), dsc = buf(scale, (size_t)c),
           dsh = buf(shift, (size_t)c);
    struct sc_pre_norm pre = {dst, dsc, dsh, mode};
    struct sc_conv_geom geo = {c, h, w, oc, h, w, 3, 1, 1, 1, &pre};
    struct sc_error err;
    enum sc_status st = sc_ops_norm_stats(&rt, &kern, din, c, (int)hw, eps, dst, NULL, &err);
    if (!st)
        st = sc_ops_conv3x3_wino(&rt, &kern, din, &geo, dw, db, dv, dm, dout, NULL, &err);
    ck_assert_msg(st == SC_OK, "%s", err.msg);
    get(dout, got, nout);
    double d = max_diff(ref, got, nout);
    ck_assert_msg(d < 5e-5, "wino with norm mode %d c%d %dx%d oc%d: max diff %g", mode, c, w,
                  h, oc, d);
    /* The direct kernels refuse it (only the Winograd transform applies it). */
    struct sc_conv_geom s2 = {c, h, w, oc, (h + 1) / 2, (w + 1) / 2, 3, 2, 0, 0, &pre};
    ck_assert_int_eq(sc_ops_conv(&rt, &kern, din, &s2, dw, db, dout, NULL, &err), SC_ERR_ARG);
    cl_mem all[] = {din, dw, db, dout, dv, dm, dst, dsc, dsh};
    for (int i = 0; i < 9; i++)
        clReleaseMemObject(all[i]);
    free(in); free(normed); free(scale); free(shift); free(f); free(bias); free(ref);
    free(got); free(packed);
}

START_TEST(test_winograd_pre_norm)
{
    run_wino_pre(5, 9, 13, 16, 1);     /* the slow border path only */
    run_wino_pre(5, 9, 13, 16, 2);
    run_wino_pre(6, 10, 130, 8, 1);    /* shifted start, whole items, a tail */
    run_wino_pre(3, 6, 140, 5, 2);     /* the same with the ReLU */
}
END_TEST

/* Any kernel size and stride, explicit padding, groups and depthwise. */
START_TEST(test_conv_general)
{
    run_conv_full(3, 11, 13, 9, 1, 8, 1, 0, 0);    /* 9x9 valid (after a reflect pad) */
    run_conv_full(3, 11, 45, 9, 1, 3, 1, 0, 0);
    run_conv_full(4, 12, 40, 9, 1, 10, 1, 4, 4);
    run_conv_full(5, 9, 11, 3, 2, 16, 1, 1, 1);    /* ONNX pads 1: not TF's */
    run_conv_full(5, 10, 12, 3, 2, 7, 1, 0, 0);
    run_conv_full(3, 9, 10, 5, 1, 4, 1, 2, 2);
    run_conv_full(4, 9, 10, 1, 1, 6, 1, 0, 0);     /* 1x1 */
    run_conv_full(3, 9, 10, 7, 3, 5, 1, 3, 2);
    run_conv_full(6, 9, 10, 3, 1, 4, 2, 1, 1);     /* two groups */
    run_conv_full(6, 9, 10, 3, 2, 6, 6, 1, 1);     /* depthwise */
    run_conv_full(4, 7, 9, 3, 1, 8, 4, 1, 1);      /* depthwise, multiplier 2 */
}
END_TEST

/* oh, ow from out = (n-1)*s + k - pt - pb. */
static void run_deconv_full(int c, int h, int w, int oc, int k, int s, int pt, int pb)
{
    unsigned seed = (unsigned)(c * 7 + h * 5 + w * 3 + oc + k + pt);
    int oh = (h - 1) * s + k - pt - pb, ow = (w - 1) * s + k - pt - pb;
    size_t nin = (size_t)c * h * w, nf = (size_t)k * k * c * oc, nout = (size_t)oc * oh * ow;
    float *in = rand_floats(nin, 10, &seed), *f = rand_floats(nf, 1, &seed);
    float *bias = rand_floats((size_t)oc, 5, &seed), *ref = malloc(nout * 4),
          *got = malloc(nout * 4);
    long np = sc_ops_packed_count(k, c, oc, 16);
    float *packed = malloc((size_t)np * 4);
    ref_deconv(in, c, h, w, f, bias, k, s, pt, pt, oc, oh, ow, ref);
    sc_ops_weights_pack(f, k, c, oc, 1, sc_ops_pack_block(k, s, oc, 1), packed);
    struct sc_conv_geom geo = {c, h, w, oc, oh, ow, k, s, pt, pt, NULL};
    cl_mem din = buf(in, nin), dw = buf(packed, (size_t)np), db = bias_buf(bias, oc),
           dout = buf(NULL, nout);
    struct sc_error err;
    ck_assert_msg(sc_ops_deconv(&rt, &kern, din, &geo, dw, db, dout, NULL, &err) == SC_OK,
                  "%s", err.msg);
    get(dout, got, nout);
    double d = max_diff(ref, got, nout);
    ck_assert_msg(d < 1e-5, "deconv c%d %dx%d oc%d k%d s%d pad %d,%d: max diff %g", c, w, h,
                  oc, k, s, pt, pb, d);
    clReleaseMemObject(din); clReleaseMemObject(dw); clReleaseMemObject(db);
    clReleaseMemObject(dout);
    free(in); free(f); free(bias); free(ref); free(got); free(packed);
}

/* TF SAME, 3x3 stride 2: out 2n (padding after 1). */
static void run_deconv_case(int c, int h, int w, int oc)
{
    run_deconv_full(c, h, w, oc, 3, 2, 0, 1);
}

START_TEST(test_deconv_shapes)
{
    run_deconv_case(3, 5, 7, 5);
    run_deconv_case(4, 4, 6, 8);
    run_deconv_case(2, 1, 1, 3);
    run_deconv_case(5, 6, 9, 20);       /* odd width: a half pair at the end */
    run_deconv_case(5, 3, 40, 20);      /* whole 16-pixel runs, then a tail of 8 */
    run_deconv_case(3, 2, 33, 36);      /* a 1-pixel tail; channel quads past OC */
    run_deconv_full(4, 5, 7, 6, 3, 2, 1, 1);       /* PyTorch padding 1: 2n - 1 */
    run_deconv_full(4, 5, 7, 6, 3, 2, 1, 0);       /* output padding 1: 2n */
    run_deconv_full(3, 5, 6, 17, 3, 2, 0, -1);     /* Johnson: 2n + 2 */
    run_deconv_full(3, 4, 5, 5, 4, 2, 1, 1);
    run_deconv_full(3, 4, 5, 5, 5, 3, 2, 0);
    run_deconv_full(3, 4, 5, 5, 1, 1, 0, 0);
}
END_TEST

static void ref_norm(float *x, int c, int hw, const float *shift, const float *scale,
                     double eps, int relu, const float *res)
{
    for (int ch = 0; ch < c; ch++) {
        double mean = 0, var = 0;
        for (int i = 0; i < hw; i++) mean += x[ch * hw + i];
        mean /= hw;
        for (int i = 0; i < hw; i++) var += (x[ch * hw + i] - mean) * (x[ch * hw + i] - mean);
        var /= hw;
        for (int i = 0; i < hw; i++) {
            double y = scale[ch] * (x[ch * hw + i] - mean) / sqrt(var + eps) + shift[ch];
            if (relu && y < 0) y = 0;
            if (res) y += res[ch * hw + i];
            x[ch * hw + i] = (float)y;
        }
    }
}

static void run_norm_case(int c, int hw, int relu, int with_res, int constant)
{
    unsigned seed = (unsigned)(c + hw * 3 + relu * 5 + with_res * 7);
    size_t n = (size_t)c * hw;
    float *x = malloc(n * 4), *res = malloc(n * 4), *got = malloc(n * 4);
    float shift[8], scale[8];
    for (size_t i = 0; i < n; i++) {
        x[i] = constant ? 42.0f : frand(&seed) * 50 + 20;
        res[i] = frand(&seed);
    }
    for (int i = 0; i < c; i++) { shift[i] = frand(&seed); scale[i] = frand(&seed) * 2; }
    cl_mem dx = buf(x, n), dres = buf(res, n), dst = buf(NULL, 2 * (size_t)c),
           dsh = buf(shift, (size_t)c), dsc = buf(scale, (size_t)c);
    float eps = with_res ? 1e-5f : 1e-3f;
    ref_norm(x, c, hw, shift, scale, eps, relu, with_res ? res : NULL);
    struct sc_error err;
    cl_mem dy = relu ? buf(NULL, n) : dx;   /* out of place, and in place */
    ck_assert_msg(sc_ops_norm(&rt, &kern, dx, dy, c, hw, eps, dst, dsh, dsc, relu,
                             with_res ? dres : NULL, NULL, &err) == SC_OK, "%s", err.msg);
    get(dy, got, n);
    if (dy != dx)
        clReleaseMemObject(dy);
    double d = max_diff(x, got, n);
    ck_assert_msg(d < 1e-5, "norm c%d hw%d relu%d res%d const%d: max diff %g", c, hw, relu,
                  with_res, constant, d);
    if (constant && !with_res)   /* a constant channel normalizes to its shift exactly */
        for (int ch = 0; ch < c; ch++)
            ck_assert_float_eq_tol(got[ch * hw], relu ? fmaxf(shift[ch], 0) : shift[ch], 1e-6);
    clReleaseMemObject(dx); clReleaseMemObject(dres); clReleaseMemObject(dst);
    clReleaseMemObject(dsh); clReleaseMemObject(dsc);
    free(x); free(res); free(got);
}

START_TEST(test_norm)
{
    run_norm_case(5, 35, 0, 0, 0);
    run_norm_case(3, 35, 1, 0, 0);
    run_norm_case(4, 1000, 0, 1, 0);    /* more pixels than work items */
    run_norm_case(3, 35, 0, 0, 1);      /* constant input: variance 0 */
    run_norm_case(3, 35, 1, 0, 1);
    run_norm_case(2, 1, 0, 0, 0);       /* a single pixel */
}
END_TEST

/* Round trip through the frame kernels, with mirror, strength and colour. */
START_TEST(test_image_kernels)
{
    const int w = 7, h = 5;
    unsigned char in[7 * 5 * 3], out[7 * 5 * 3];
    for (int i = 0; i < w * h * 3; i++) in[i] = (unsigned char)(i * 37 % 256);
    cl_int rc;
    cl_mem d8 = clCreateBuffer(rt.ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof in,
                               in, &rc);
    cl_mem o8 = clCreateBuffer(rt.ctx, CL_MEM_READ_WRITE, sizeof out, NULL, &rc);
    cl_mem x = buf(NULL, (size_t)w * h * 3);
    float planar[7 * 5 * 3];
    struct sc_error err;
    struct sc_io_params io = {0, 1.0f};
    ck_assert(sc_ops_rgb8_to_planar(&rt, &kern, d8, w, h, 1, &io, x, &err) == SC_OK);
    get(x, planar, sizeof planar / 4);
    for (int y = 0; y < h; y++)
        for (int px = 0; px < w; px++)
            for (int ch = 0; ch < 3; ch++)
                ck_assert_float_eq(planar[(ch * h + y) * w + px],
                                   in[(y * w + (w - 1 - px)) * 3 + ch]);
    /* Strength 0 returns the (mirrored) original exactly. */
    struct sc_out_params p = {0.0f, 0, 1, {0, 1.0f}};
    ck_assert(sc_ops_planar_to_rgb8(&rt, &kern, x, w, h, d8, w, h, &p, o8, &err) == SC_OK);
    ck_assert_int_eq(clEnqueueReadBuffer(rt.queue, o8, CL_TRUE, 0, sizeof out, out, 0, NULL,
                                         NULL), CL_SUCCESS);
    for (int y = 0; y < h; y++)
        for (int px = 0; px < w; px++)
            for (int ch = 0; ch < 3; ch++)
                ck_assert_int_eq(out[(y * w + px) * 3 + ch], in[(y * w + w - 1 - px) * 3 + ch]);
    /* Strength 1: the network's output, clamped to 0..255. */
    float zero[7 * 5 * 3];
    for (int i = 0; i < w * h * 3; i++)
        zero[i] = 127.5f;
    cl_mem z = buf(zero, sizeof zero / 4);
    p.strength = 1.0f;
    p.mirror = 0;
    ck_assert(sc_ops_planar_to_rgb8(&rt, &kern, z, w, h, d8, w, h, &p, o8, &err) == SC_OK);
    clEnqueueReadBuffer(rt.queue, o8, CL_TRUE, 0, sizeof out, out, 0, NULL, NULL);
    for (int i = 0; i < w * h * 3; i++)
        ck_assert_int_eq(out[i], 128);
    /* Keep colours: grey stylized output takes the original's chroma. */
    p.keep_colors = 1;
    ck_assert(sc_ops_planar_to_rgb8(&rt, &kern, z, w, h, d8, w, h, &p, o8, &err) == SC_OK);
    clEnqueueReadBuffer(rt.queue, o8, CL_TRUE, 0, sizeof out, out, 0, NULL, NULL);
    int px0 = 3 * 3;
    double yo = 0.299 * in[px0] + 0.587 * in[px0 + 1] + 0.114 * in[px0 + 2];
    for (int ch = 0; ch < 3; ch++) {
        int want = (int)lround(fmin(255, fmax(0, in[px0 + ch] - yo + 127.5)));
        ck_assert_msg(abs(out[px0 + ch] - want) <= 1, "ch %d: %d vs %d", ch, out[px0 + ch], want);
    }
    clReleaseMemObject(d8); clReleaseMemObject(o8); clReleaseMemObject(x); clReleaseMemObject(z);
}
END_TEST

/* A kernel that fails to compile reports the compiler's log. */
START_TEST(test_build_failure_log)
{
    const char *src[] = {"__kernel void broken(__global float *x) { x[0] = undefined_name; }"};
    cl_program p;
    struct sc_error err;
    ck_assert_int_eq(sc_clrt_build(&rt, src, 1, "", &p, &err), SC_ERR_CL_BUILD);
    ck_assert_msg(strstr(err.msg, "failed to build") && strstr(err.msg, "undefined_name"),
                  "no build log in: %s", err.msg);
}
END_TEST

static void setup(void)
{
    struct sc_error err;
    ck_assert_msg(sc_clrt_init(&rt, -1, 0, NULL, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_ops_kernels_init(&rt, &kern, &err) == SC_OK, "%s", err.msg);
}

static void teardown(void)
{
    sc_ops_kernels_free(&kern);
    sc_clrt_free(&rt);
}

static const struct sc_test_opts opts = {
    .name = "ops", .setup_once = setup, .teardown_once = teardown,
};
SC_TEST_MAIN(&opts, test_conv_shapes, test_deconv_shapes, test_winograd_shapes,
             test_winograd_pre_norm,
             test_conv_general, test_norm, test_image_kernels, test_build_failure_log)
