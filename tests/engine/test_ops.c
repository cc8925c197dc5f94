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

/* Reference correlation, TF SAME padding, filter [k][k][c][oc], planar data. */
static void ref_conv(const float *in, int c, int h, int w, const float *f, int k, int s,
                     int oc, float *out)
{
    int oh = (h + s - 1) / s, ow = (w + s - 1) / s;
    int py = (((oh - 1) * s + k - h) > 0 ? ((oh - 1) * s + k - h) : 0) / 2;
    int px = (((ow - 1) * s + k - w) > 0 ? ((ow - 1) * s + k - w) : 0) / 2;
    for (int o = 0; o < oc; o++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                double acc = 0;
                for (int ci = 0; ci < c; ci++)
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int iy = y * s - py + ky, ix = x * s - px + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                continue;
                            acc += in[(ci * h + iy) * w + ix] *
                                   f[((ky * k + kx) * c + ci) * oc + o];
                        }
                out[(o * oh + y) * ow + x] = (float)acc;
            }
}

/* Reference transposed conv as the scatter it is the adjoint of:
 * forward stride-2 SAME conv from 2h to h has padding before 0. */
static void ref_deconv(const float *in, int c, int h, int w, const float *f, int oc,
                       float *out)
{
    int oh = 2 * h, ow = 2 * w;
    memset(out, 0, sizeof(float) * (size_t)oc * oh * ow);
    for (int ci = 0; ci < c; ci++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) {
                        int Y = 2 * y + ky, X = 2 * x + kx;
                        if (Y >= oh || X >= ow)
                            continue;
                        for (int o = 0; o < oc; o++)
                            out[(o * oh + Y) * ow + X] +=
                                in[(ci * h + y) * w + x] * f[((ky * 3 + kx) * oc + o) * c + ci];
                    }
}

static void run_conv_case(int c, int h, int w, int k, int s, int oc)
{
    unsigned seed = (unsigned)(c * 131 + h * 17 + w * 7 + k + s * 3 + oc);
    int oh = sc_ops_same_out(h, s), ow = sc_ops_same_out(w, s);
    size_t nin = (size_t)c * h * w, nf = (size_t)k * k * c * oc, nout = (size_t)oc * oh * ow;
    float *in = malloc(nin * 4), *f = malloc(nf * 4), *ref = malloc(nout * 4),
          *got = malloc(nout * 4);
    int ob = sc_ops_pack_block(k, s, oc, 0);
    float *packed = malloc((size_t)sc_ops_packed_count(k, c, oc, ob) * 4);
    for (size_t i = 0; i < nin; i++) in[i] = frand(&seed) * 100;
    for (size_t i = 0; i < nf; i++) f[i] = frand(&seed);
    ref_conv(in, c, h, w, f, k, s, oc, ref);
    sc_ops_weights_pack(f, k, c, oc, 0, ob, packed);
    cl_mem din = buf(in, nin), dw = buf(packed, (size_t)sc_ops_packed_count(k, c, oc, ob)),
           dout = buf(NULL, nout);
    struct sc_error err;
    ck_assert_msg(sc_ops_conv(&rt, &kern, din, c, h, w, dw, k, s, dout, oc, NULL, &err) == SC_OK,
                  "%s", err.msg);
    get(dout, got, nout);
    double d = max_diff(ref, got, nout);
    ck_assert_msg(d < 1e-5, "conv c%d %dx%d k%d s%d oc%d: max diff %g", c, w, h, k, s, oc, d);
    clReleaseMemObject(din); clReleaseMemObject(dw); clReleaseMemObject(dout);
    free(in); free(f); free(ref); free(got); free(packed);
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
    unsigned seed = (unsigned)(c * 13 + h * 7 + w * 5 + oc);
    size_t nin = (size_t)c * h * w, nf = 9 * (size_t)c * oc, nout = (size_t)oc * h * w;
    size_t scratch = sc_ops_wino_scratch_floats(c > oc ? c : oc, h, w);
    float *in = malloc(nin * 4), *f = malloc(nf * 4), *ref = malloc(nout * 4),
          *got = malloc(nout * 4), *u = malloc((size_t)sc_ops_wino_filter_count(c, oc) * 4);
    for (size_t i = 0; i < nin; i++) in[i] = frand(&seed) * 20;
    for (size_t i = 0; i < nf; i++) f[i] = frand(&seed);
    ref_conv(in, c, h, w, f, 3, 1, oc, ref);
    sc_ops_wino_filter(f, c, oc, u);
    cl_mem din = buf(in, nin), du = buf(u, (size_t)sc_ops_wino_filter_count(c, oc)),
           dv = buf(NULL, scratch), dm = buf(NULL, scratch), dout = buf(NULL, nout);
    struct sc_error err;
    ck_assert_msg(sc_ops_conv3x3_wino(&rt, &kern, din, c, h, w, du, dv, dm, dout, oc, NULL,
                                     &err) == SC_OK, "%s", err.msg);
    get(dout, got, nout);
    double d = max_diff(ref, got, nout);
    /* Winograd's transforms (coefficients up to 8) amplify rounding about
     * tenfold over a direct sum: 7.4e-6 is measured at 128 channels on PoCL,
     * so allow 5e-5. A wrong tap or transform entry is off by 1e-1 or more. */
    ck_assert_msg(d < 5e-5, "winograd c%d %dx%d oc%d: max diff %g", c, w, h, oc, d);
    cl_mem all[] = {din, du, dv, dm, dout};
    for (int i = 0; i < 5; i++)
        clReleaseMemObject(all[i]);
    free(in); free(f); free(ref); free(got); free(u);
}

START_TEST(test_winograd_shapes)
{
    run_wino_case(5, 5, 7, 16);     /* odd sides: partial 4x4 tiles */
    run_wino_case(3, 1, 1, 16);     /* a single pixel */
    run_wino_case(32, 17, 23, 32);
    run_wino_case(128, 12, 16, 128);
}
END_TEST

static void run_deconv_case(int c, int h, int w, int oc)
{
    unsigned seed = (unsigned)(c * 7 + h * 5 + w * 3 + oc);
    size_t nin = (size_t)c * h * w, nf = 9 * (size_t)c * oc, nout = (size_t)oc * 4 * h * w;
    float *in = malloc(nin * 4), *f = malloc(nf * 4), *ref = malloc(nout * 4),
          *got = malloc(nout * 4), *packed = malloc((size_t)sc_ops_packed_count(3, c, oc, 16) * 4);
    for (size_t i = 0; i < nin; i++) in[i] = frand(&seed) * 10;
    for (size_t i = 0; i < nf; i++) f[i] = frand(&seed);
    ref_deconv(in, c, h, w, f, oc, ref);
    sc_ops_weights_pack(f, 3, c, oc, 1, sc_ops_pack_block(3, 2, oc, 1), packed);
    cl_mem din = buf(in, nin), dw = buf(packed, (size_t)sc_ops_packed_count(3, c, oc, 16)),
           dout = buf(NULL, nout);
    struct sc_error err;
    ck_assert_msg(sc_ops_deconv(&rt, &kern, din, c, h, w, dw, dout, oc, NULL, &err) == SC_OK,
                  "%s", err.msg);
    get(dout, got, nout);
    double d = max_diff(ref, got, nout);
    ck_assert_msg(d < 1e-5, "deconv c%d %dx%d oc%d: max diff %g", c, w, h, oc, d);
    clReleaseMemObject(din); clReleaseMemObject(dw); clReleaseMemObject(dout);
    free(in); free(f); free(ref); free(got); free(packed);
}

START_TEST(test_deconv_shapes)
{
    run_deconv_case(3, 5, 7, 5);
    run_deconv_case(4, 4, 6, 8);
    run_deconv_case(2, 1, 1, 3);
    run_deconv_case(5, 6, 9, 20);       /* odd width: a half pair at the end */
}
END_TEST

static void ref_norm(float *x, int c, int hw, const float *shift, const float *scale,
                     int relu, const float *res)
{
    for (int ch = 0; ch < c; ch++) {
        double mean = 0, var = 0;
        for (int i = 0; i < hw; i++) mean += x[ch * hw + i];
        mean /= hw;
        for (int i = 0; i < hw; i++) var += (x[ch * hw + i] - mean) * (x[ch * hw + i] - mean);
        var /= hw;
        for (int i = 0; i < hw; i++) {
            double y = scale[ch] * (x[ch * hw + i] - mean) / sqrt(var + 0.001) + shift[ch];
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
    ref_norm(x, c, hw, shift, scale, relu, with_res ? res : NULL);
    struct sc_error err;
    ck_assert_msg(sc_ops_norm(&rt, &kern, dx, c, hw, dst, dsh, dsc, relu,
                             with_res ? dres : NULL, NULL, &err) == SC_OK, "%s", err.msg);
    get(dx, got, n);
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
    ck_assert(sc_ops_rgb8_to_planar(&rt, &kern, d8, w, h, 1, x, &err) == SC_OK);
    get(x, planar, sizeof planar / 4);
    for (int y = 0; y < h; y++)
        for (int px = 0; px < w; px++)
            for (int ch = 0; ch < 3; ch++)
                ck_assert_float_eq(planar[(ch * h + y) * w + px],
                                   in[(y * w + (w - 1 - px)) * 3 + ch]);
    /* Strength 0 returns the (mirrored) original exactly. */
    struct sc_out_params p = {0.0f, 0, 1};
    ck_assert(sc_ops_planar_to_rgb8(&rt, &kern, x, w, h, d8, w, h, &p, o8, &err) == SC_OK);
    ck_assert_int_eq(clEnqueueReadBuffer(rt.queue, o8, CL_TRUE, 0, sizeof out, out, 0, NULL,
                                         NULL), CL_SUCCESS);
    for (int y = 0; y < h; y++)
        for (int px = 0; px < w; px++)
            for (int ch = 0; ch < 3; ch++)
                ck_assert_int_eq(out[(y * w + px) * 3 + ch], in[(y * w + w - 1 - px) * 3 + ch]);
    /* Strength 1: the network's mapping, clamp(127.5 + 150 tanh(x)). */
    float zero[7 * 5 * 3] = {0};
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
SC_TEST_MAIN(&opts, test_conv_shapes, test_deconv_shapes, test_winograd_shapes, test_norm,
             test_image_kernels, test_build_failure_log)
