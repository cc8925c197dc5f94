/* The predictor's int8 kernels (engine/predict_run.c) against plain
 * arithmetic on small odd shapes: inputs and weights dequantized to real
 * numbers, the op done in double, the result divided by the output scale and
 * rounded to nearest. The kernels round float(acc) * float(scale) instead,
 * so a value within 1e-4 of a half (a tie, or nearly) may go either way;
 * every other output must be exactly the reference's. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/predict_priv.h"
#include "tests/util/sc_test.h"

static uint32_t seed = 12345;

static int rnd(int lo, int hi)
{
    seed = seed * 1664525u + 1013904223u;
    return lo + (int)((seed >> 8) % (uint32_t)(hi - lo + 1));
}

static void fill(int8_t *v, size_t n, int lo, int hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (int8_t)rnd(lo, hi);
}

struct tally {
    long n, exact, ties;
};

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void count(struct tally *t, int got, double want, int zp, int lo, int hi)
{
    double f = want - floor(want);
    int down = clampi((int)floor(want) + zp, lo, hi), up = clampi((int)ceil(want) + zp, lo, hi);
    int tie = fabs(f - 0.5) < 1e-4;
    t->n++;
    t->ties += tie;
    t->exact += tie ? got == down || got == up : got == clampi((int)lrint(want) + zp, lo, hi);
}

static void check_tally(const struct tally *t, const char *what)
{
    printf("%s: %ld of %ld exact (%ld near ties, either way)\n", what, t->exact, t->n, t->ties);
    ck_assert_msg(t->n > 0 && t->exact == t->n, "%s: %ld of %ld exact", what, t->exact, t->n);
}

/* TensorFlow's SAME padding, the smaller half first. */
static void same_pad(struct sc_pl_layer *l)
{
    l->oh = (l->ih + l->sh - 1) / l->sh;
    l->ow = (l->iw + l->sw - 1) / l->sw;
    int th = (l->oh - 1) * l->sh + l->kh - l->ih, tw = (l->ow - 1) * l->sw + l->kw - l->iw;
    l->pad_t = th > 0 ? th / 2 : 0;
    l->pad_l = tw > 0 ? tw / 2 : 0;
}

struct case_conv {
    int dw, ih, iw, ic, oc, k, s, same, qmin, qmax;
};

/* One (depthwise) convolution against the double reference. */
static void run_conv(const struct case_conv *c, struct tally *t)
{
    struct sc_pl_layer l = {.op = c->dw ? SC_PL_DWCONV : SC_PL_CONV, .ih = c->ih, .iw = c->iw,
                            .ic = c->ic, .oc = c->oc, .kh = c->k, .kw = c->k, .sh = c->s,
                            .sw = c->s, .qmin = c->qmin, .qmax = c->qmax};
    l.x = (struct sc_pl_quant){0.0235f, rnd(-128, 20)};
    l.y = (struct sc_pl_quant){0.05f + rnd(0, 100) / 1000.0f, rnd(-30, 30)};
    if (c->same) {
        same_pad(&l);
    } else {
        l.oh = (c->ih - c->k) / c->s + 1;
        l.ow = (c->iw - c->k) / c->s + 1;
    }
    size_t wn = (size_t)c->k * c->k * c->oc * (c->dw ? 1 : c->ic);
    size_t xn = (size_t)c->ih * c->iw * c->ic, yn = (size_t)l.oh * l.ow * c->oc;
    int8_t *w = malloc(wn), *x = malloc(xn), *y = malloc(yn);
    int32_t *b = malloc((size_t)c->oc * 4), *acc = malloc((size_t)c->oc * 4);
    float *ws = malloc((size_t)c->oc * 4);
    ck_assert(w && x && y && b && acc && ws);
    fill(w, wn, -127, 127);
    fill(x, xn, -128, 127);
    for (int o = 0; o < c->oc; o++) {
        b[o] = rnd(-20000, 20000);
        ws[o] = 0.001f + rnd(0, 1000) / 100000.0f;
    }
    l.w = w;
    l.b = b;
    l.ws = ws;
    struct sc_error err;
    ck_assert_msg(sc_pl_prepare(&l, 0, "test", 0, &err) == SC_OK, "%s", err.msg);
    if (c->dw)
        sc_pl_dwconv(&l, 0, x, y, acc);
    else
        sc_pl_conv(&l, 0, x, y, acc);
    for (int oy = 0; oy < l.oh; oy++)
        for (int ox = 0; ox < l.ow; ox++)
            for (int o = 0; o < c->oc; o++) {
                double sum = b[o] * (double)l.x.scale * ws[o];
                for (int ty = 0; ty < c->k; ty++)
                    for (int tx = 0; tx < c->k; tx++) {
                        int iy = oy * c->s - l.pad_t + ty, ix = ox * c->s - l.pad_l + tx;
                        if (iy < 0 || iy >= c->ih || ix < 0 || ix >= c->iw)
                            continue;
                        for (int i = 0; i < (c->dw ? 1 : c->ic); i++) {
                            int ch = c->dw ? o : i;
                            double xv = (x[((size_t)iy * c->iw + ix) * c->ic + ch] - l.x.zp) *
                                        (double)l.x.scale;
                            size_t wi = c->dw ? ((size_t)ty * c->k + tx) * c->oc + o
                                              : (((size_t)o * c->k + ty) * c->k + tx) * c->ic + i;
                            sum += xv * w[wi] * ws[o];
                        }
                    }
                count(t, y[((size_t)oy * l.ow + ox) * c->oc + o], sum / l.y.scale, l.y.zp,
                      c->qmin, c->qmax);
            }
    sc_pl_release(&l);
    free(w); free(x); free(y); free(b); free(acc); free(ws);
}

START_TEST(test_conv)
{
    static const struct case_conv cases[] = {
        {0, 9, 7, 3, 5, 3, 2, 1, -128, 127},    /* the first layer's kind, odd sizes */
        {0, 6, 5, 37, 6, 1, 1, 1, -128, 127},   /* pointwise, a tail after 32 */
        {0, 7, 8, 4, 3, 3, 1, 0, -100, 90},     /* VALID, a clamp inside int8 */
        {0, 7, 7, 16, 9, 1, 2, 0, -128, 127},   /* pointwise with stride */
        {0, 5, 6, 20, 4, 3, 1, 1, -128, 127},
    };
    struct tally t = {0};
    for (int r = 0; r < 8; r++)
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            run_conv(&cases[i], &t);
    check_tally(&t, "conv");
}
END_TEST

START_TEST(test_depthwise)
{
    static const struct case_conv cases[] = {
        {1, 9, 7, 20, 20, 3, 1, 1, -128, 127},
        {1, 8, 8, 33, 33, 3, 2, 1, -128, 127},  /* padding after only */
        {1, 9, 9, 16, 16, 3, 2, 1, -60, 127},
        {1, 6, 7, 5, 5, 3, 1, 0, -128, 127},
    };
    struct tally t = {0};
    for (int r = 0; r < 8; r++)
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            run_conv(&cases[i], &t);
    check_tally(&t, "depthwise");
}
END_TEST

START_TEST(test_add)
{
    struct tally t = {0};
    for (int r = 0; r < 20; r++) {
        struct sc_pl_layer l = {.op = SC_PL_ADD, .ih = 5, .iw = 7, .ic = 11, .oh = 5, .ow = 7,
                                .oc = 11, .qmin = r % 2 ? -128 : -100, .qmax = 127};
        l.x = (struct sc_pl_quant){0.1f + rnd(0, 300) / 1000.0f, rnd(-40, 40)};
        l.x2 = (struct sc_pl_quant){0.1f + rnd(0, 300) / 1000.0f, rnd(-40, 40)};
        l.y = (struct sc_pl_quant){0.2f + rnd(0, 400) / 1000.0f, rnd(-40, 40)};
        int8_t a[385], b[385], y[385];
        fill(a, 385, -128, 127);
        fill(b, 385, -128, 127);
        struct sc_error err;
        ck_assert_msg(sc_pl_prepare(&l, 0, "test", 0, &err) == SC_OK, "%s", err.msg);
        sc_pl_add(&l, 0, a, b, y);
        for (int i = 0; i < 385; i++) {
            double v = (a[i] - l.x.zp) * (double)l.x.scale + (b[i] - l.x2.zp) * (double)l.x2.scale;
            count(&t, y[i], v / l.y.scale, l.y.zp, l.qmin, l.qmax);
        }
        sc_pl_release(&l);
    }
    check_tally(&t, "add");
}
END_TEST

START_TEST(test_mean)
{
    struct tally t = {0};
    for (int r = 0; r < 20; r++) {
        int h = 1 + r % 8, w = 2 + r % 5, c = 13;
        struct sc_pl_layer l = {.op = SC_PL_MEAN, .ih = h, .iw = w, .ic = c, .oh = 1, .ow = 1,
                                .oc = c, .qmin = -128, .qmax = 127};
        l.x = (struct sc_pl_quant){0.0235f, rnd(-128, 10)};
        l.y = (struct sc_pl_quant){r % 2 ? 0.0235f : 0.0171f, rnd(-128, 10)};
        int8_t x[8 * 6 * 13], y[13];
        fill(x, sizeof x, -128, 127);
        struct sc_error err;
        ck_assert_msg(sc_pl_prepare(&l, 0, "test", 0, &err) == SC_OK, "%s", err.msg);
        sc_pl_mean(&l, 0, x, y);
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int i = 0; i < h * w; i++)
                s += (x[i * c + ch] - l.x.zp) * (double)l.x.scale;
            count(&t, y[ch], s / (h * w) / l.y.scale, l.y.zp, -128, 127);
        }
        sc_pl_release(&l);
    }
    check_tally(&t, "mean");
}
END_TEST

/* A dead channel as the network has them: bias 2^31 - 1, weight scale 1e-22.
 * Its sums wrap (as the runtime's int32 do) and it writes its zero point. */
START_TEST(test_dead_channel)
{
    int8_t w[2 * 9] = {127, 127, 127, 127, 127, 127, 127, 127, 127};
    int8_t x[4 * 4 * 2], y[4 * 4 * 2];
    int32_t b[2] = {INT32_MAX, INT32_MIN + 1}, acc[2];
    float ws[2] = {1.3e-22f, 4e-23f};
    memset(x, 127, sizeof x);
    struct sc_pl_layer l = {.op = SC_PL_DWCONV, .ih = 4, .iw = 4, .ic = 2, .oc = 2, .kh = 3,
                            .kw = 3, .sh = 1, .sw = 1, .qmin = -128, .qmax = 127, .w = w,
                            .b = b, .ws = ws};
    l.x = (struct sc_pl_quant){0.0235f, -128};
    l.y = (struct sc_pl_quant){0.0235f, -7};
    same_pad(&l);
    struct sc_error err;
    ck_assert_msg(sc_pl_prepare(&l, 0, "test", 0, &err) == SC_OK, "%s", err.msg);
    sc_pl_dwconv(&l, 0, x, y, acc);
    for (int i = 0; i < 32; i++)
        ck_assert_int_eq(y[i], -7);
    sc_pl_release(&l);
}
END_TEST

/* TFLite's fixed point as its sources define it (gemmlowp rounding). */
START_TEST(test_tflite_fixed_point)
{
    int32_t m, s;
    sc_pl_quantize_multiplier(1.0 / 64, &m, &s);
    ck_assert(m == 1 << 30 && s == -5);
    sc_pl_quantize_multiplier(0.75, &m, &s);
    ck_assert(m == 3 << 29 && s == 0);
    ck_assert_int_eq(sc_pl_mbqm(3, 1 << 30, 0), 2);     /* 1.5 up */
    ck_assert_int_eq(sc_pl_mbqm(-3, 1 << 30, 0), -1);   /* -1.5: the nudge rounds up */
    ck_assert_int_eq(sc_pl_mbqm(96, 1 << 30, -5), 2);   /* 1.5 away from zero */
    ck_assert_int_eq(sc_pl_mbqm(-96, 1 << 30, -5), -2);
    ck_assert_int_eq(sc_pl_mbqm(5, 1 << 30, 2), 10);
}
END_TEST

static const struct sc_test_opts opts = {.name = "predict-ops"};
SC_TEST_MAIN(&opts, test_conv, test_depthwise, test_add, test_mean, test_dead_channel,
             test_tflite_fixed_point)
