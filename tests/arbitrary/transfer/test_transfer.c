/* The style transformer converted from ../shared's TFLite file, run by the
 * engine, against TensorFlow Lite's own runtime: ../shared/golden-arbitrary
 * at 384x384 and tests/arbitrary/refs at 320x240, 384x384 and 640x480
 * (float output within 1/255 and 8-bit output within 1 level, each at all
 * but 0.5% of values); odd sizes give a frame of the input's size. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "engine/engine.h"
#include "engine/engine_prof.h"
#include "tests/arbitrary/transfer/tr_util.h"
#include "tests/util/sc_test.h"

#define LIMIT_SHARE 0.005

static struct sc_engine *eng;
static int style;

static const struct sc_run_params plain = {.strength = 1, .stabilize = SC_STAB_OFF};

static void set_vector(const char *path)
{
    size_t n;
    float *v = tr_read_f32(path, &n);
    struct sc_error err;
    ck_assert_uint_eq(n, 100);
    ck_assert_msg(sc_engine_set_style_vector(eng, style, v, &err) == SC_OK, "%s", err.msg);
    free(v);
}

/* The float output against ref_f32 (within 1/255 at all but 0.5%). */
static void check_f32(const uint8_t *img, int w, int h, const char *ref_f32)
{
    size_t n;
    float *ref = tr_read_f32(ref_f32, &n);
    ck_assert_uint_eq(n, (size_t)w * h * 3);
    int ow, oh;
    struct sc_error err;
    /* The network's output is at most 3 pixels larger than the frame per side. */
    float *out = malloc((size_t)(w + 3) * (h + 3) * 3 * sizeof *out);
    ck_assert_msg(sc_engine_run_f32(eng, style, img, w, h, out, &ow, &oh, &err) == SC_OK,
                  "%s", err.msg);
    ck_assert(ow >= w && oh >= h && ow <= w + 3 && oh <= h + 3);
    struct tr_diff d;
    tr_diff_f32(out, ow, ref, w, h, 1.0 / 255, &d);
    printf("float %dx%d %s: max |diff| %.4g (%.2f levels), %.3f%% beyond 1/255\n", w, h,
           strrchr(ref_f32, '/') + 1, d.max, d.max * 255, 100.0 * d.beyond / d.n);
    ck_assert_msg(d.beyond <= LIMIT_SHARE * d.n, "%s: %zu of %zu values beyond 1/255 "
                  "(max %g)", ref_f32, d.beyond, d.n, d.max);
    free(out);
    free(ref);
}

/* The 8-bit output against ref_png (within 1 level at all but 0.5%). */
static void check_png(const uint8_t *img, int w, int h, const char *ref_png)
{
    int rw, rh;
    uint8_t *ref = tr_load_png(ref_png, &rw, &rh);
    ck_assert(rw == w && rh == h);
    uint8_t *out = malloc((size_t)w * h * 3);
    struct sc_error err;
    ck_assert_msg(sc_engine_run(eng, style, img, w, h, &plain, out, &err) == SC_OK, "%s",
                  err.msg);
    struct tr_diff d;
    tr_diff_u8(out, ref, (size_t)w * h * 3, 1, &d);
    printf("8-bit %dx%d %s: max %g levels, %.3f%% beyond 1 level\n", w, h,
           strrchr(ref_png, '/') + 1, d.max, 100.0 * d.beyond / d.n);
    ck_assert_msg(d.beyond <= LIMIT_SHARE * d.n, "%s: %zu of %zu values beyond 1 level "
                  "(max %g)", ref_png, d.beyond, d.n, d.max);
    free(out);
    stbi_image_free(ref);
}

START_TEST(test_golden_384)
{
    char p[1200];
    int w, h;
    uint8_t *img = tr_load_png(sc_test_shared_path(p, sizeof p,
                               "golden-arbitrary/chelsea_384.png"), &w, &h);
    ck_assert(w == 384 && h == 384);
    ck_assert_int_eq(sc_engine_style_vec_len(eng, style), 100);
    set_vector(sc_test_shared_path(p, sizeof p, "golden-arbitrary/style_vector_coffee.f32"));
    check_f32(img, w, h, sc_test_shared_path(p, sizeof p,
              "golden-arbitrary/chelsea_384.coffee.f32"));
    check_png(img, w, h, sc_test_shared_path(p, sizeof p,
              "golden-arbitrary/chelsea_384.coffee.png"));
    stbi_image_free(img);
}
END_TEST

/* A vector of tests/arbitrary/refs, or golden's for coffee. */
static void vector_path(const char *refs, const char *name, char *p, size_t n)
{
    if (strcmp(name, "coffee") == 0)
        sc_test_shared_path(p, n, "golden-arbitrary/style_vector_coffee.f32");
    else
        snprintf(p, n, "%s/style_vector_%s.txt", refs, name);
}

/* One reference "chelsea_WxH.STYLE.png" (and its .f32 when there is one). */
static void check_ref(const char *refs, const char *file)
{
    int w, h;
    char sname[64], p[1400];
    ck_assert(sscanf(file, "chelsea_%dx%d.%63[^.].png", &w, &h, sname) == 3);
    if (w == 384 && h == 384)
        sc_test_shared_path(p, sizeof p, "golden-arbitrary/chelsea_384.png");
    else
        snprintf(p, sizeof p, "%s/chelsea_%dx%d.png", refs, w, h);
    int cw, ch;
    uint8_t *img = tr_load_png(p, &cw, &ch);
    ck_assert(cw == w && ch == h);
    vector_path(refs, sname, p, sizeof p);
    set_vector(p);
    snprintf(p, sizeof p, "%s/%s", refs, file);
    check_png(img, w, h, p);
    snprintf(p, sizeof p, "%s/chelsea_%dx%d.%s.f32", refs, w, h, sname);
    FILE *f = fopen(p, "rb");
    if (f) {
        fclose(f);
        check_f32(img, w, h, p);
    }
    stbi_image_free(img);
}

/* Every stylized reference the oracle made (320x240, 384x384, 640x480). */
START_TEST(test_refs_sizes)
{
    const char *refs = getenv("STYLECAM_ARB_REFS");
    ck_assert_msg(refs != NULL, "STYLECAM_ARB_REFS is not set");
    DIR *d = opendir(refs);
    ck_assert_msg(d != NULL, "no %s", refs);
    int count = 0, sizes = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        int w, h, end = 0;
        char s[64];
        /* chelsea_WxH.STYLE.png, not the content chelsea_WxH.png */
        if (sscanf(de->d_name, "chelsea_%dx%d.%63[^.].png%n", &w, &h, s, &end) != 3 ||
            end != (int)strlen(de->d_name))
            continue;
        check_ref(refs, de->d_name);
        count++;
        sizes |= (w == 320) | (w == 640) << 1;
    }
    closedir(d);
    ck_assert_msg(count >= 4 && sizes == 3, "expected references at 320x240 and 640x480 "
                  "in %s, found %d", refs, count);
}
END_TEST

/* Sides that are no multiple of 4: the network makes a larger picture (a
 * mirror pad and a VALID stride-2 convolution give ceil(n/2)); the frame
 * is its top-left w x h, as the TFLite runtime's output would show. */
START_TEST(test_odd_sizes)
{
    static const int sizes[][2] = {{321, 239}, {202, 174}, {97, 61}};
    float vec[100];
    tr_vector(vec, 100, 7);
    struct sc_error err;
    ck_assert(sc_engine_set_style_vector(eng, style, vec, &err) == SC_OK);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int w = sizes[s][0], h = sizes[s][1], ow, oh;
        uint8_t *in = malloc((size_t)w * h * 3), *out = malloc((size_t)w * h * 3);
        float *f = malloc((size_t)(w + 3) * (h + 3) * 3 * sizeof *f);
        for (size_t i = 0; i < (size_t)w * h * 3; i++)
            in[i] = (uint8_t)((i / 3 % (size_t)w) * 255 / w ^ (i / 3 / (size_t)w) * 3);
        ck_assert_msg(sc_engine_run(eng, style, in, w, h, &plain, out, &err) == SC_OK, "%s",
                      err.msg);
        ck_assert_msg(sc_engine_run_f32(eng, style, in, w, h, f, &ow, &oh, &err) == SC_OK,
                      "%s", err.msg);
        int ew = ((w + 1) / 2 + 1) / 2 * 4, eh = ((h + 1) / 2 + 1) / 2 * 4;
        ck_assert_msg(ow == ew && oh == eh, "%dx%d gives %dx%d, expected %dx%d", w, h, ow,
                      oh, ew, eh);
        /* The 8-bit frame is the float output's top-left, rounded. */
        int worst = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w * 3; x++) {
                int v = (int)(f[(size_t)y * ow * 3 + x] * 255 + 0.5f);
                int e = abs(v - out[(size_t)y * w * 3 + x]);
                worst = e > worst ? e : worst;
            }
        printf("%dx%d: network output %dx%d, frame's top-left within %d level(s)\n", w, h,
               ow, oh, worst);
        ck_assert_int_le(worst, 1);
        free(in);
        free(out);
        free(f);
    }
}
END_TEST

static void setup(void)
{
    struct sc_engine_opts o = {.cl_device = -1};
    struct sc_error err;
    ck_assert_msg(sc_engine_init(&eng, &o, &err) == SC_OK, "%s", err.msg);
    struct sc_net *net = tr_convert();
    ck_assert_msg(sc_engine_add_net(eng, net, &style, &err) == SC_OK, "%s", err.msg);
    sc_net_free(&net);
}

static void teardown(void)
{
    sc_engine_free(&eng);
}

static const struct sc_test_opts opts = {
    .name = "transfer", .timeout_s = 900, .setup_once = setup, .teardown_once = teardown,
};
SC_TEST_MAIN(&opts, test_golden_384, test_refs_sizes, test_odd_sizes)
