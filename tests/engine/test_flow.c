/* The stabilizer's optical flow kernels (cl/stab.cl) against the plain C
 * reference (flow_ref.c) on a smooth random texture with known shifts:
 * both agree, and both find the shift away from the borders. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/clrt_priv.h"
#include "engine/ops_priv.h"
#include "engine/stab_priv.h"
#include "tests/engine/flow_ref.h"
#include "tests/util/sc_test.h"

enum { W = 96, H = 72, NW = 24, MARGIN = 10 };

static struct sc_clrt rt;
static struct sc_kernels kern;
static struct sc_stab stab;

/* A sum of random plane waves, wavelengths 9..40 px: smooth, textured
 * everywhere, and exact at any sub-pixel position. */
struct texture {
    float kx[NW], ky[NW], ph[NW], amp[NW];
};

static float urand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffff) / 65536.0f;
}

static void texture_init(struct texture *t, unsigned seed)
{
    for (int i = 0; i < NW; i++) {
        float ang = 6.2831853f * urand(&seed), lam = 9.0f + 31.0f * urand(&seed);
        t->kx[i] = 6.2831853f * cosf(ang) / lam;
        t->ky[i] = 6.2831853f * sinf(ang) / lam;
        t->ph[i] = 6.2831853f * urand(&seed);
        t->amp[i] = 6.0f + 4.0f * urand(&seed);
    }
}

static void texture_render(const struct texture *t, float sx, float sy, float *g)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double v = 128;
            for (int i = 0; i < NW; i++)
                v += t->amp[i] * sin(t->kx[i] * (x + sx) + t->ky[i] * (y + sy) + t->ph[i]);
            g[y * W + x] = (float)v;
        }
}

/* Level 0 uploaded, the rest built by the kernels. */
static void gpu_pyr(struct sc_stab_pyr *p, const float *gray)
{
    struct sc_error err;
    cl_int rc;
    sc_stab_pyr_layout(p, W, H);
    p->buf = clCreateBuffer(rt.ctx, CL_MEM_READ_WRITE, (size_t)p->total * sizeof(float), NULL,
                            &rc);
    ck_assert_int_eq(rc, CL_SUCCESS);
    ck_assert_int_eq(clEnqueueWriteBuffer(rt.queue, p->buf, CL_TRUE, 0,
                                          (size_t)W * H * sizeof(float), gray, 0, NULL, NULL),
                     CL_SUCCESS);
    ck_assert_msg(sc_stab_pyr_build(&rt, &stab.k, p, &err) == SC_OK, "%s", err.msg);
}

static void gpu_flow(const float *cur, const float *prev, float *flow)
{
    struct sc_stab_pyr pc, pp;
    gpu_pyr(&pc, cur);
    gpu_pyr(&pp, prev);
    cl_int rc;
    const float nan = NAN;
    cl_mem f = clCreateBuffer(rt.ctx, CL_MEM_READ_WRITE, (size_t)pc.total * 2 * sizeof(float),
                              NULL, &rc);
    ck_assert_int_eq(rc, CL_SUCCESS);
    ck_assert_int_eq(clEnqueueFillBuffer(rt.queue, f, &nan, sizeof nan, 0,
                                         (size_t)pc.total * 2 * sizeof(float), 0, NULL, NULL),
                     CL_SUCCESS);
    struct sc_error err;
    ck_assert_msg(sc_stab_lk(&rt, &stab.k, &pc, &pp, 0, f, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(clEnqueueReadBuffer(rt.queue, f, CL_TRUE, 0,
                                         (size_t)W * H * 2 * sizeof(float), flow, 0, NULL,
                                         NULL), CL_SUCCESS);
    clReleaseMemObject(f);
    clReleaseMemObject(pc.buf);
    clReleaseMemObject(pp.buf);
}

static void ref_flow(const float *cur, const float *prev, float *flow)
{
    struct flow_ref_pyr pc, pp;
    flow_ref_pyr_init(&pc, cur, W, H);
    flow_ref_pyr_init(&pp, prev, W, H);
    flow_ref_lk(&pc, &pp, flow);
    flow_ref_pyr_free(&pc);
    flow_ref_pyr_free(&pp);
}

static int inside(float x, float y)
{
    return x >= MARGIN && y >= MARGIN && x < W - MARGIN && y < H - MARGIN;
}

/* cur(x) = prev(x + s): the backward flow is s everywhere. */
static void check_shift(float sx, float sy, unsigned seed)
{
    static float prev[W * H], cur[W * H], fg[W * H * 2], fr[W * H * 2];
    struct texture t;
    texture_init(&t, seed);
    texture_render(&t, 0, 0, prev);
    texture_render(&t, sx, sy, cur);
    gpu_flow(cur, prev, fg);
    ref_flow(cur, prev, fr);
    double gr = 0, eg = 0, er = 0, mg = 0;
    int n = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const float *g = fg + (y * W + x) * 2, *r = fr + (y * W + x) * 2;
            ck_assert_msg(isfinite(g[0]) && isfinite(g[1]), "no flow at (%d,%d)", x, y);
            gr = fmax(gr, fmax(fabs(g[0] - r[0]), fabs(g[1] - r[1])));
            if (!inside(x, y) || !inside(x + sx, y + sy))
                continue;   /* the window or its match reaches the border */
            double dg = hypot(g[0] - sx, g[1] - sy), dr = hypot(r[0] - sx, r[1] - sy);
            eg = fmax(eg, dg);
            er = fmax(er, dr);
            mg += dg;
            n++;
        }
    printf("shift (%5.2f,%5.2f): |gpu - ref| <= %.2g, interior error gpu max %.3f mean "
           "%.4f, ref max %.3f\n", sx, sy, gr, eg, mg / n, er);
    ck_assert_msg(gr <= 0.01, "shift (%g,%g): kernels and reference differ by %g px", sx, sy,
                  gr);
    ck_assert_msg(eg <= 0.1 && er <= 0.1, "shift (%g,%g): interior error gpu %g, ref %g px",
                  sx, sy, eg, er);
}

START_TEST(test_integer_shift) { check_shift(2, -1, 1); }
END_TEST

START_TEST(test_subpixel_shift)
{
    check_shift(0.5f, 0.25f, 2);
    check_shift(1.3f, -0.7f, 3);
}
END_TEST

/* A larger motion needs the pyramid: one level's window alone would not
 * reach it. */
START_TEST(test_large_shift) { check_shift(-6.4f, 3.3f, 4); }
END_TEST

/* The test must be able to fail: a wrong answer is far off. */
START_TEST(test_still)
{
    static float a[W * H], fg[W * H * 2];
    struct texture t;
    texture_init(&t, 5);
    texture_render(&t, 0, 0, a);
    gpu_flow(a, a, fg);
    for (int i = 0; i < W * H * 2; i++)
        ck_assert_msg(fabsf(fg[i]) < 1e-3f, "flow %g on a still picture", fg[i]);
}
END_TEST

static void setup(void)
{
    struct sc_error err;
    ck_assert_msg(sc_clrt_init(&rt, -1, 0, NULL, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_ops_kernels_init(&rt, &kern, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_stab_init(&stab, &rt, kern.prog, 0, &err) == SC_OK, "%s", err.msg);
}

static void teardown(void)
{
    sc_stab_free(&stab);
    sc_ops_kernels_free(&kern);
    sc_clrt_free(&rt);
}

static const struct sc_test_opts opts = {
    .name = "flow", .setup_once = setup, .teardown_once = teardown,
};
SC_TEST_MAIN(&opts, test_integer_shift, test_subpixel_shift, test_large_shift, test_still)
