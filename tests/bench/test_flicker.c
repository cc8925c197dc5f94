/* bench --flicker's pure half (app/cmd/flicker.c): the synthesized motion's
 * true flow, the warping error, flicker, fidelity, edges and the JPEG round
 * trip. No device. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd/flicker.h"
#include "tests/util/sc_test.h"

#define PW 400
#define PH 300
#define W 160
#define H 120
#define N 6

static const struct sc_flicker_motion pan = {0.7, 0.3, 0.003};

/* A smooth photo (periods of 100 px and more, 40 at the frames' scale), so
 * that resampling it twice agrees with resampling it once to about the
 * rounding (two roundings: a third of a level). */
static uint8_t *smooth_photo(void)
{
    uint8_t *p = malloc((size_t)PW * PH * 3);
    ck_assert_ptr_nonnull(p);
    for (int y = 0; y < PH; y++)
        for (int x = 0; x < PW; x++)
            for (int c = 0; c < 3; c++)
                p[((size_t)y * PW + x) * 3 + c] = (uint8_t)lround(
                    128 + 60 * sin(x * 0.06 + c) * cos(y * 0.045 - c) + 40 * sin((x + y) * 0.02));
    return p;
}

/* n frames of W x H from photo by motion m, with noise sigma and no JPEG. */
static uint8_t *make_seq(const uint8_t *photo, int pw, int ph, const struct sc_flicker_motion *m,
                         double sigma, struct sc_flicker_affine *maps)
{
    uint8_t *seq = malloc((size_t)W * H * 3 * N);
    ck_assert_ptr_nonnull(seq);
    struct sc_flicker_synth s = {photo, pw, ph, W, H, N, *m, sigma, 0, 7};
    struct sc_error err;
    ck_assert_int_eq(sc_flicker_make(&s, seq, NULL, maps, &err), SC_OK);
    return seq;
}

/* Frame t-1 sampled through the exact flow is frame t (inside a border of 4:
 * the bilinear sample of a sample): under half a level without noise, about
 * the noise with it; the identity instead of the flow is far off. */
START_TEST(test_true_flow)
{
    uint8_t *photo = smooth_photo();
    struct sc_flicker_affine maps[N];
    size_t fb = (size_t)W * H * 3;
    for (int noisy = 0; noisy < 2; noisy++) {
        uint8_t *seq = make_seq(photo, PW, PH, &pan, noisy ? 3.0 : 0.0, maps);
        for (int t = 1; t < N; t++) {
            struct sc_flicker_affine f = sc_flicker_flow(&maps[t], &maps[t - 1]);
            struct sc_flicker_affine id = {1, 0, 0};
            double mad, mad_id;
            sc_flicker_warp_error(seq + fb * t, seq + fb * (t - 1), W, H, &f, 4, &mad);
            sc_flicker_warp_error(seq + fb * t, seq + fb * (t - 1), W, H, &id, 4, &mad_id);
            printf("true flow t=%d noise %d: %.3f levels (identity %.3f)\n", t, noisy * 3, mad,
                   mad_id);
            /* Noise of sigma 3 against its bilinear sample: about 2.8 levels. */
            ck_assert_msg(mad < (noisy ? 3.3 : 0.5), "t=%d: %.3f levels", t, mad);
            ck_assert_msg(mad_id > (noisy ? mad + 1 : 5 * mad), "t=%d: identity %.3f", t,
                          mad_id);
            /* The pan moves the picture right and down by about 0.7 and 0.3 px. */
            double cx = (W - 1) / 2.0, cy = (H - 1) / 2.0;
            ck_assert_double_eq_tol(cx - (f.a * cx + f.bx), 0.7, 0.05);
            ck_assert_double_eq_tol(cy - (f.a * cy + f.by), 0.3, 0.05);
        }
        free(seq);
    }
    free(photo);
}
END_TEST

/* E_warp of frames made by exact warping of one image is ~0; of independent
 * uniform noise frames it is large: 1/12 for the current frame's variance
 * plus 1/48..1/12 for the bilinear sample's, 0.10..0.17. */
START_TEST(test_ewarp)
{
    uint8_t *photo = smooth_photo();
    struct sc_flicker_affine maps[N];
    uint8_t *seq = make_seq(photo, PW, PH, &pan, 0, maps);
    double e = sc_flicker_seq_warp(seq, N, W, H, maps);
    printf("E_warp exact warps %.3g\n", e);
    ck_assert_msg(e < 2e-5, "E_warp of exact warps %g", e);
    struct sc_flicker_rng r;
    sc_flicker_rng_seed(&r, 3);
    for (size_t i = 0; i < (size_t)W * H * 3 * N; i++)
        seq[i] = (uint8_t)(sc_flicker_uniform(&r) * 256);
    double noise = sc_flicker_seq_warp(seq, N, W, H, maps);
    printf("E_warp independent noise %.3g\n", noise);
    ck_assert_msg(noise > 0.05 && noise < 0.2, "E_warp of noise %g", noise);
    free(seq);
    free(photo);
}
END_TEST

/* Pixels whose source falls outside the previous frame are left out: a flow
 * that moves everything out scores 0, not the border's clamped samples. */
START_TEST(test_ewarp_occlusion)
{
    uint8_t a[16 * 16 * 3], b[16 * 16 * 3];
    memset(a, 0, sizeof a);
    memset(b, 255, sizeof b);
    struct sc_flicker_affine out = {1, 100, 0}, half = {1, 8, 0};
    ck_assert_double_eq(sc_flicker_warp_error(a, b, 16, 16, &out, 0, NULL), 0);
    /* Half the pixels have a source (x + 8 <= 15): each differs by 1.0. */
    ck_assert_double_eq_tol(sc_flicker_warp_error(a, b, 16, 16, &half, 0, NULL), 1.0, 1e-12);
}
END_TEST

START_TEST(test_flicker_and_fidelity)
{
    size_t fb = (size_t)W * H * 3;
    uint8_t *seq = malloc(fb * N), *other = malloc(fb * N), *masks = calloc((size_t)W * H, N);
    ck_assert_ptr_nonnull(seq);
    ck_assert_ptr_nonnull(other);
    ck_assert_ptr_nonnull(masks);
    sc_flicker_builtin_photo(seq, W, H);
    for (int t = 1; t < N; t++)
        memcpy(seq + fb * t, seq, fb);
    ck_assert_double_eq(sc_flicker_seq_flicker(seq, N, W, H), 0);
    ck_assert_double_eq(sc_flicker_seq_fidelity(seq, seq, N, W, H, NULL), 0);
    /* Alternating +0/+4 frames: flicker 4; 2 levels off, fidelity 2. */
    memset(other, 10, fb * N);
    for (int t = 0; t < N; t++)
        memset(seq + fb * t, t % 2 ? 14 : 10, fb);
    ck_assert_double_eq_tol(sc_flicker_seq_flicker(seq, N, W, H), 4, 1e-12);
    ck_assert_double_eq_tol(sc_flicker_seq_fidelity(seq, other, N, W, H, NULL),
                            4.0 * (N / 2) / (N - 1), 1e-12);
    /* Over a mask: only its pixels count; frame 0 never does. */
    masks[(size_t)W * H * 1] = 1;
    seq[fb * 1] = 110;
    ck_assert_double_eq_tol(sc_flicker_seq_fidelity(seq, other, N, W, H, masks),
                            (100 + 4 + 4) / 3.0 / (N - 1), 1e-12);
    free(seq);
    free(other);
    free(masks);
}
END_TEST

START_TEST(test_jpeg_round_trip)
{
    size_t fb = (size_t)W * H * 3;
    uint8_t *a = malloc(fb), *b = malloc(fb);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    sc_flicker_builtin_photo(a, W, H);
    memcpy(b, a, fb);
    struct sc_error err;
    ck_assert_int_eq(sc_flicker_jpeg(b, W, H, 90, &err), SC_OK);
    double d = sc_flicker_mad(a, b, (size_t)W * H, NULL);
    printf("JPEG q90 round trip: %.3f levels\n", d);
    ck_assert_msg(d > 0.2 && d < 4, "JPEG changed %.3f levels", d);
    free(a);
    free(b);
}
END_TEST

/* The top 10% of the gradient: about a tenth of the pixels, on the edges of
 * the built-in picture's shapes; a flat frame has none above the rest. */
START_TEST(test_edge_mask)
{
    size_t px = (size_t)W * H;
    uint8_t *a = malloc(px * 3), *m = malloc(px);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(m);
    sc_flicker_builtin_photo(a, W, H);
    size_t k = sc_flicker_edge_mask(a, W, H, 0.10, m);
    ck_assert_msg(k >= px / 10 && k < px * 13 / 100, "%zu of %zu marked", k, px);
    memset(a, 77, px * 3);
    ck_assert_uint_eq(sc_flicker_edge_mask(a, W, H, 0.10, m), px);
    free(a);
    free(m);
}
END_TEST

/* Every frame of a path lies inside the photo, for photos larger and
 * smaller than the frames; the static path does not move. */
START_TEST(test_path_inside)
{
    static const int sizes[][2] = {{600, 400}, {451, 300}, {512, 512}, {100, 80}};
    struct sc_flicker_affine maps[40];
    for (int i = 0; i < 4; i++) {
        int pw = sizes[i][0], ph = sizes[i][1];
        sc_flicker_path(pw, ph, 320, 240, 40, &pan, maps);
        for (int t = 0; t < 40; t++) {
            double x0 = maps[t].bx, x1 = maps[t].a * 319 + maps[t].bx;
            double y0 = maps[t].by, y1 = maps[t].a * 239 + maps[t].by;
            ck_assert_msg(x0 >= 0 && y0 >= 0 && x1 <= pw - 1 && y1 <= ph - 1,
                          "%dx%d t=%d: %.2f..%.2f x %.2f..%.2f", pw, ph, t, x0, x1, y0, y1);
        }
        struct sc_flicker_motion still = {0, 0, 0};
        sc_flicker_path(pw, ph, 320, 240, 3, &still, maps);
        ck_assert(memcmp(&maps[0], &maps[2], sizeof maps[0]) == 0);
    }
}
END_TEST

/* A large photo is shrunk to one photo pixel per frame pixel (the static
 * scene's scale); a small one is copied as it is. */
START_TEST(test_fit_photo)
{
    uint8_t *photo = smooth_photo(), *fit;
    int fw, fh;
    struct sc_error err;
    struct sc_flicker_affine map;
    static const struct sc_flicker_motion still = {0, 0, 0};
    ck_assert_int_eq(sc_flicker_fit_photo(photo, PW, PH, 96, 72, &fit, &fw, &fh, &err), SC_OK);
    sc_flicker_path(fw, fh, 96, 72, 1, &still, &map);
    ck_assert_msg(fw < PW && map.a <= 1.0 && map.a > 0.95, "%dx%d scale %.3f", fw, fh, map.a);
    free(fit);
    ck_assert_int_eq(sc_flicker_fit_photo(photo, PW, PH, 640, 480, &fit, &fw, &fh, &err), SC_OK);
    ck_assert(fw == PW && fh == PH && memcmp(fit, photo, (size_t)PW * PH * 3) == 0);
    free(fit);
    free(photo);
}
END_TEST

START_TEST(test_gauss)
{
    struct sc_flicker_rng r, r2;
    sc_flicker_rng_seed(&r, 42);
    sc_flicker_rng_seed(&r2, 42);
    double s = 0, s2 = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double g = sc_flicker_gauss(&r);
        ck_assert(g == sc_flicker_gauss(&r2));
        s += g;
        s2 += g * g;
    }
    ck_assert_double_eq_tol(s / n, 0, 0.01);
    ck_assert_double_eq_tol(sqrt(s2 / n), 1, 0.01);
}
END_TEST

static const struct sc_test_opts opts = {.name = "flicker", .timeout_s = 60};

SC_TEST_MAIN(&opts, test_true_flow, test_ewarp, test_ewarp_occlusion, test_flicker_and_fidelity,
             test_jpeg_round_trip, test_edge_mask, test_path_inside, test_fit_photo,
             test_gauss)
