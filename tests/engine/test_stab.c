/* The temporal stabilizer through sc_engine_submit: the flow it finds on a
 * panned photo, the flicker it removes on a still noisy one, resets that
 * give the plain output exactly, and frames in flight. (Its cost is
 * measured by `stylecam bench --flicker`, never in a test.) */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/image_io.h"
#include "engine/engine.h"
#include "engine/engine_prof.h"
#include "tests/util/sc_test.h"

enum { W = 160, H = 120, N = W * H * 3, NF = 8 };

static float *photo;    /* the picture, smoothed (see setup) */
static int pw, ph;

/* The photo sampled bilinearly at (x * scale + ox, y * scale + oy): a
 * camera panning across it moves by the change of (ox, oy) / scale. */
static void frame_scaled(float ox, float oy, float scale, int w, int h, uint8_t *out)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float sx = x * scale + ox, sy = y * scale + oy;
            int x0 = (int)floorf(sx), y0 = (int)floorf(sy);
            float fx = sx - x0, fy = sy - y0;
            ck_assert(x0 >= 0 && y0 >= 0 && x0 + 1 < pw && y0 + 1 < ph);
            const float *p = photo + ((size_t)y0 * pw + x0) * 3;
            for (int c = 0; c < 3; c++) {
                float t = p[c] + fx * (p[3 + c] - p[c]);
                float b = p[pw * 3 + c] + fx * (p[pw * 3 + 3 + c] - p[pw * 3 + c]);
                out[((size_t)y * w + x) * 3 + c] = (uint8_t)(t + fy * (b - t) + 0.5f);
            }
        }
}

static void frame_at(float ox, float oy, int w, int h, uint8_t *out)
{
    frame_scaled(ox, oy, 1.0f, w, h, out);
}

/* Adds Gaussian noise of sigma (Box-Muller), a fresh draw per seed. */
static void add_noise(uint8_t *p, size_t n, float sigma, unsigned seed)
{
    for (size_t i = 0; i < n; i += 2) {
        seed = seed * 1103515245u + 12345u;
        double u1 = ((seed >> 8) + 1.0) / 16777217.0;
        seed = seed * 1103515245u + 12345u;
        double u2 = (seed >> 8) / 16777216.0, r = sqrt(-2 * log(u1)) * sigma;
        double v[2] = {r * cos(6.283185307 * u2), r * sin(6.283185307 * u2)};
        for (size_t k = 0; k < 2 && i + k < n; k++) {
            double q = p[i + k] + v[k] + 0.5;
            p[i + k] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
        }
    }
}

/* An engine with the sketch style (0) and, when asked, udnie (1). */
static struct sc_engine *engine(int inflight, int profiling, int udnie)
{
    struct sc_engine *e;
    struct sc_error err;
    struct sc_engine_opts o = {.cl_device = -1, .inflight = inflight, .profiling = profiling};
    ck_assert_msg(sc_engine_init(&e, &o, &err) == SC_OK, "%s", err.msg);
    struct sc_model *m;
    ck_assert(sc_model_init_sketch(&m, &err) == SC_OK);
    ck_assert(sc_engine_add_style(e, m, NULL, &err) == SC_OK);
    sc_model_free(&m);
    if (udnie) {
        char dir[1200];
        ck_assert_msg(sc_model_load(sc_test_shared_path(dir, sizeof dir, "models/udnie"), &m,
                                    &err) == SC_OK, "%s", err.msg);
        ck_assert_msg(sc_engine_add_style(e, m, NULL, &err) == SC_OK, "%s", err.msg);
        sc_model_free(&m);
    }
    return e;
}

static void run(struct sc_engine *e, int style, const uint8_t *in, int w, int h,
                const struct sc_run_params *p, uint8_t *out)
{
    struct sc_error err;
    ck_assert_msg(sc_engine_run(e, style, in, w, h, p, out, &err) == SC_OK, "%s", err.msg);
}

static double mean_abs_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += abs(a[i] - b[i]);
    return s / n;
}

/* The pan's flow, every frame after the first, over the interior (8 flow
 * pixels from the border): on average within 0.1 px, and at most 2% of
 * the pixels beyond 0.25 px. */
START_TEST(test_pan_flow)
{
    const float vx = 0.75f, vy = -0.4f;
    struct sc_engine *e = engine(1, 0, 0);
    static uint8_t in[N], out[N];
    static float flow[N];
    struct sc_run_params p = {1.0f, 0, 0, SC_STAB_ON, 0};
    int fw, fh;
    for (int t = 0; t < NF; t++) {
        frame_at(120.3f + t * vx, 60.2f + t * vy, W, H, in);
        run(e, 0, in, W, H, &p, out);
        int n = sc_engine_stab_flow(e, flow, N, &fw, &fh);
        ck_assert_int_eq(n, t ? (W / 2) * (H / 2) * 2 : 0);
        if (!t)
            continue;
        double sum = 0, worst = 0, mx = 0, my = 0;
        int count = 0, far = 0;
        for (int y = 8; y < fh - 8; y++)
            for (int x = 8; x < fw - 8; x++) {
                const float *f = flow + (y * fw + x) * 2;
                double d = hypot(f[0] - vx, f[1] - vy);
                sum += d;
                mx += f[0];
                my += f[1];
                worst = fmax(worst, d);
                far += d > 0.25;
                count++;
            }
        printf("pan frame %d: mean flow (%.3f, %.3f), mean error %.3f px, worst %.3f, "
               "beyond 0.25 px %.2f%%\n", t, mx / count, my / count, sum / count, worst,
               100.0 * far / count);
        ck_assert_msg(sum / count <= 0.1 && far <= count / 50,
                      "frame %d: flow error mean %g px, %d of %d beyond 0.25 px", t,
                      sum / count, far, count);
    }
    sc_engine_free(&e);
}
END_TEST

/* Flicker on a still scene with fresh camera noise: the frame-to-frame
 * change of the output, stabilized, at most half the plain one. */
static double flicker(struct sc_engine *e, int stabilize)
{
    static uint8_t clean[N], in[N], out[2][N];
    frame_at(220, 140, W, H, clean);
    struct sc_run_params p = {1.0f, 0, 0, stabilize, 1};
    double sum = 0;
    int n = 0;
    for (int t = 0; t < 10; t++) {
        memcpy(in, clean, N);
        add_noise(in, N, 3.0f, 77 + t * 7919u);
        run(e, 1, in, W, H, &p, out[t & 1]);
        p.reset = 0;
        if (t >= 2) {
            sum += mean_abs_diff(out[0], out[1], N);
            n++;
        }
    }
    return sum / n;
}

START_TEST(test_static_noise)
{
    struct sc_engine *e = engine(1, 0, 1);
    double off = flicker(e, SC_STAB_OFF), on = flicker(e, SC_STAB_ON);
    double strong = flicker(e, SC_STAB_STRONG);
    printf("still noisy scene, mean |O_t - O_t-1|: off %.3f, on %.3f (%.2fx), strong %.3f "
           "(%.2fx)\n", off, on, on / off, strong, strong / off);
    ck_assert_msg(on <= 0.5 * off, "stabilized flicker %g against %g plain", on, off);
    ck_assert_msg(strong <= on, "strong flicker %g against %g on", strong, on);
    sc_engine_free(&e);
}
END_TEST

/* A reset frame, a style switch, stabilize off and back on give exactly
 * what an engine that never stabilized gives; stabilized frames between
 * differ. */
START_TEST(test_reset)
{
    struct sc_engine *a = engine(1, 0, 1), *b = engine(1, 0, 1);
    static uint8_t in[N], oa[N], ob[N];
    struct sc_run_params on = {0.8f, 1, 1, SC_STAB_STRONG, 0};
    struct sc_run_params plain = {.strength = 0.8f, .keep_colors = 1, .mirror = 1};
    int differed = 0;
    for (int t = 0; t < 10; t++) {
        frame_at(180 + t * 0.6f, 140 + t * 0.3f, W, H, in);
        add_noise(in, N, 3.0f, 5 + t);
        struct sc_run_params p = on;
        int style = t < 6 ? 0 : 1;
        p.reset = t == 4;   /* 6: the style changes, 8: stabilize off, 9: on again */
        p.stabilize = t == 8 ? SC_STAB_OFF : on.stabilize;
        run(a, style, in, W, H, &p, oa);
        run(b, style, in, W, H, &plain, ob);
        int same = memcmp(oa, ob, N) == 0;
        if (t == 0 || t == 4 || t == 6 || t == 8 || t == 9)
            ck_assert_msg(same, "frame %d differs from the plain output", t);
        else
            differed += !same;
    }
    ck_assert_msg(differed == 5, "%d stabilized frames of 5 differ from the plain ones",
                  differed);
    sc_engine_free(&a);
    sc_engine_free(&b);
}
END_TEST

/* A size change starts afresh too. */
START_TEST(test_size_change)
{
    struct sc_engine *a = engine(1, 0, 0), *b = engine(1, 0, 0);
    static uint8_t in[N], oa[N], ob[N];
    struct sc_run_params on = {1.0f, 0, 0, SC_STAB_ON, 0}, plain = {.strength = 1.0f};
    for (int t = 0; t < 3; t++) {
        frame_at(200 + t, 150, W, H, in);
        run(a, 0, in, W, H, &on, oa);
    }
    frame_at(200, 150, W - 8, H - 4, in);
    run(a, 0, in, W - 8, H - 4, &on, oa);
    run(b, 0, in, W - 8, H - 4, &plain, ob);
    ck_assert(memcmp(oa, ob, (size_t)(W - 8) * (H - 4) * 3) == 0);
    sc_engine_free(&a);
    sc_engine_free(&b);
}
END_TEST

/* Two frames in flight give what one at a time gives, stabilized. */
START_TEST(test_in_flight)
{
    struct sc_engine *one = engine(1, 0, 0), *two = engine(2, 0, 0);
    static uint8_t in[NF][N], ref[NF][N], out[NF][N];
    struct sc_run_params p = {0.9f, 0, 1, SC_STAB_ON, 0};
    struct sc_error err;
    for (int t = 0; t < NF; t++) {
        frame_at(200 + t * 0.75f, 150 - t * 0.4f, W, H, in[t]);
        add_noise(in[t], N, 3.0f, 99 + t);
        run(one, 0, in[t], W, H, &p, ref[t]);
    }
    for (int t = 0; t < NF; t++) {
        if (sc_engine_pending(two) == 2)
            ck_assert_msg(sc_engine_finish(two, &err) == SC_OK, "%s", err.msg);
        ck_assert_msg(sc_engine_submit(two, 0, in[t], W, H, &p, out[t], &err) == SC_OK,
                      "%s", err.msg);
    }
    while (sc_engine_pending(two))
        ck_assert_msg(sc_engine_finish(two, &err) == SC_OK, "%s", err.msg);
    for (int t = 0; t < NF; t++)
        ck_assert_msg(memcmp(ref[t], out[t], N) == 0, "frame %d differs in flight", t);
    sc_engine_free(&one);
    sc_engine_free(&two);
}
END_TEST

/* The photo smoothed by a [1 4 6 4 1]/16 binomial filter along x and y
 * (borders replicated), so sampling it between pixels gives frames as sharp
 * as at whole pixels: the pan is then the only change between frames. */
static float tap(const float *a, int x, int y, int c)
{
    x = x < 0 ? 0 : x >= pw ? pw - 1 : x;
    y = y < 0 ? 0 : y >= ph ? ph - 1 : y;
    return a[((size_t)y * pw + x) * 3 + c];
}

static void smooth(const float *a, float *b, int dx, int dy)
{
    static const float k[5] = {1, 4, 6, 4, 1};
    for (int y = 0; y < ph; y++)
        for (int x = 0; x < pw; x++)
            for (int c = 0; c < 3; c++) {
                float s = 0;
                for (int j = -2; j <= 2; j++)
                    s += k[j + 2] * tap(a, x + j * dx, y + j * dy, c);
                b[((size_t)y * pw + x) * 3 + c] = s / 16;
            }
}

static void setup(void)
{
    char path[1200];
    struct sc_error err;
    uint8_t *rgb;
    ck_assert_msg(sc_image_load(sc_test_shared_path(path, sizeof path, "images/chelsea.png"),
                                &rgb, &pw, &ph, &err) == SC_OK, "%s", err.msg);
    size_t n = (size_t)pw * ph * 3;
    float *a = malloc(n * sizeof *a);
    photo = malloc(n * sizeof *photo);
    for (size_t i = 0; i < n; i++)
        a[i] = rgb[i];
    smooth(a, photo, 1, 0);
    smooth(photo, a, 0, 1);
    free(photo);
    photo = a;
    sc_image_free(rgb);
}

static void teardown(void)
{
    free(photo);
}

static const struct sc_test_opts opts = {
    .name = "stab", .setup_once = setup, .teardown_once = teardown,
};
SC_TEST_MAIN(&opts, test_pan_flow, test_static_noise, test_reset, test_size_change,
             test_in_flight)
