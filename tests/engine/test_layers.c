/* The cheap layer kernels (activations, affine, add, pad/crop, upsample)
 * against plain C references on small odd shapes. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clrt_priv.h"
#include "engine/ops_priv.h"
#include "tests/util/sc_test.h"

static struct sc_clrt rt;
static struct sc_kernels kern;

static cl_mem buf(const float *data, size_t n)
{
    cl_int rc;
    cl_mem m = clCreateBuffer(rt.ctx, CL_MEM_READ_WRITE | (data ? CL_MEM_COPY_HOST_PTR : 0),
                              n * sizeof(float), (void *)data, &rc);
    ck_assert_int_eq(rc, CL_SUCCESS);
    return m;
}

static void get(cl_mem m, float *dst, size_t n)
{
    ck_assert_int_eq(clEnqueueReadBuffer(rt.queue, m, CL_TRUE, 0, n * sizeof(float), dst,
                                         0, NULL, NULL), CL_SUCCESS);
}

static void fill(float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)((int)(i * 7919 % 201) - 100) / 25.0f;
}

static double ref_act(double v, enum sc_act a)
{
    switch (a) {
    case SC_ACT_RELU: return v > 0 ? v : 0;
    case SC_ACT_TANH: return tanh(v);
    case SC_ACT_SIGMOID: return 1 / (1 + exp(-v));
    case SC_ACT_CLIP: return v < -1.5 ? -1.5 : v > 2 ? 2 : v;
    case SC_ACT_LEAKY: return v < 0 ? -1.5 * v : v;
    default: return v;
    }
}

START_TEST(test_pointwise)
{
    enum { C = 3, HW = 37 };
    float x[C * HW], got[C * HW], sc[C] = {150, -2, 0.5f}, sh[C] = {127.5f, 1, -3};
    fill(x, C * HW);
    cl_mem dx = buf(x, C * HW), dy = buf(NULL, C * HW), dsc = buf(sc, C), dsh = buf(sh, C);
    struct sc_error err;
    for (int a = SC_ACT_NONE; a <= SC_ACT_LEAKY; a++)
        for (int aff = 0; aff < 2; aff++) {
            ck_assert(sc_ops_pointwise(&rt, &kern, dx, dy, C, HW, (enum sc_act)a, -1.5f, 2.0f,
                                       aff ? dsc : NULL, aff ? dsh : NULL, NULL, &err) == SC_OK);
            get(dy, got, C * HW);
            for (int c = 0; c < C; c++)
                for (int i = 0; i < HW; i++) {
                    double want = ref_act(x[c * HW + i], (enum sc_act)a);
                    if (aff)
                        want = want * sc[c] + sh[c];
                    ck_assert_msg(fabs(got[c * HW + i] - want) <= 1e-5 * fmax(1, fabs(want)),
                                  "act %d affine %d: %g vs %g", a, aff, got[c * HW + i], want);
                }
        }
    clReleaseMemObject(dx); clReleaseMemObject(dy);
    clReleaseMemObject(dsc); clReleaseMemObject(dsh);
}
END_TEST

START_TEST(test_add)
{
    enum { N = 101 };
    float a[N], b[N], got[N];
    fill(a, N);
    for (int i = 0; i < N; i++)
        b[i] = (float)i;
    cl_mem da = buf(a, N), db = buf(b, N);
    struct sc_error err;
    ck_assert(sc_ops_add(&rt, &kern, da, db, da, N, NULL, &err) == SC_OK);   /* in place */
    get(da, got, N);
    for (int i = 0; i < N; i++)
        ck_assert_float_eq(got[i], a[i] + b[i]);
    clReleaseMemObject(da); clReleaseMemObject(db);
}
END_TEST

static int reflect(int i, int n)
{
    while (i < 0 || i >= n)
        i = i < 0 ? -i : 2 * (n - 1) - i;
    return i;
}

static void run_pad(int c, int h, int w, int t, int l, int b, int r, int mode)
{
    int oh = h + t + b, ow = w + l + r;
    float *x = malloc(sizeof(float) * c * h * w), *got = malloc(sizeof(float) * c * oh * ow);
    fill(x, (size_t)c * h * w);
    cl_mem dx = buf(x, (size_t)c * h * w), dy = buf(NULL, (size_t)c * oh * ow);
    struct sc_error err;
    ck_assert(sc_ops_pad(&rt, &kern, dx, c, h, w, t, l, mode, dy, oh, ow, NULL, &err) == SC_OK);
    get(dy, got, (size_t)c * oh * ow);
    for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < oh; y++)
            for (int xx = 0; xx < ow; xx++) {
                int iy = y - t, ix = xx - l;
                float want;
                if (mode == 2)
                    want = x[(ch * h + (iy < 0 ? 0 : iy >= h ? h - 1 : iy)) * w +
                             (ix < 0 ? 0 : ix >= w ? w - 1 : ix)];
                else if (mode)
                    want = x[(ch * h + reflect(iy, h)) * w + reflect(ix, w)];
                else
                    want = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[(ch * h + iy) * w + ix] : 0;
                ck_assert_msg(got[(ch * oh + y) * ow + xx] == want, "pad %d,%d,%d,%d mode %d at "
                              "%d,%d,%d", t, l, b, r, mode, ch, y, xx);
            }
    clReleaseMemObject(dx); clReleaseMemObject(dy);
    free(x); free(got);
}

START_TEST(test_pad_crop)
{
    run_pad(3, 7, 9, 4, 4, 4, 4, 1);       /* reflect, as PyTorch's ReflectionPad2d */
    run_pad(2, 5, 6, 1, 2, 3, 1, 1);
    run_pad(3, 7, 9, 2, 1, 0, 3, 0);       /* zero */
    run_pad(3, 9, 11, -2, -2, -2, -2, 0);  /* crop a border of 2 */
    run_pad(2, 6, 7, -1, 0, -1, -3, 0);
    run_pad(3, 5, 4, 6, 1, 2, 7, 2);       /* edge: wider than the picture */
}
END_TEST

START_TEST(test_upsample)
{
    enum { C = 2, H = 3, W = 5 };
    float x[C * H * W], got[C * H * W * 4];
    fill(x, C * H * W);
    cl_mem dx = buf(x, C * H * W), dy = buf(NULL, C * H * W * 4);
    struct sc_error err;
    ck_assert(sc_ops_upsample(&rt, &kern, dx, C, H, W, 2, dy, NULL, &err) == SC_OK);
    get(dy, got, C * H * W * 4);
    for (int c = 0; c < C; c++)
        for (int y = 0; y < 2 * H; y++)
            for (int xx = 0; xx < 2 * W; xx++)
                ck_assert_float_eq(got[(c * 2 * H + y) * 2 * W + xx],
                                   x[(c * H + y / 2) * W + xx / 2]);
    clReleaseMemObject(dx); clReleaseMemObject(dy);
}
END_TEST

/* BGR and 0..1 on the way in and out. */
START_TEST(test_io_format)
{
    const int w = 3, h = 2;
    unsigned char in[18];
    for (int i = 0; i < 18; i++)
        in[i] = (unsigned char)(i * 13);
    cl_int rc;
    cl_mem d8 = clCreateBuffer(rt.ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, 18, in, &rc);
    cl_mem x = buf(NULL, 18), f = buf(NULL, 18);
    struct sc_io_params io = {1, 1.0f / 255};
    struct sc_error err;
    float planar[18], out[18];
    ck_assert(sc_ops_rgb8_to_planar(&rt, &kern, d8, w, h, 0, &io, x, &err) == SC_OK);
    get(x, planar, 18);
    for (int p = 0; p < w * h; p++)
        for (int ch = 0; ch < 3; ch++)
            ck_assert_float_eq_tol(planar[ch * w * h + p], in[p * 3 + 2 - ch] / 255.0f, 1e-6);
    struct sc_io_params back = {1, 255.0f};
    ck_assert(sc_ops_planar_to_f32(&rt, &kern, x, w, h, &back, f, &err) == SC_OK);
    get(f, out, 18);
    for (int i = 0; i < 18; i++)
        ck_assert_float_eq_tol(out[i], in[i] / 255.0f, 1e-6);
    clReleaseMemObject(d8); clReleaseMemObject(x); clReleaseMemObject(f);
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
    .name = "layers", .setup_once = setup, .teardown_once = teardown,
};
SC_TEST_MAIN(&opts, test_pointwise, test_add, test_pad_crop, test_upsample, test_io_format)
