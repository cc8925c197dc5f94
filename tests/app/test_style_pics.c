/* Any picture as a style, without the networks: --style-image on the
 * command line, the style-picture checks on generated bad files, names,
 * vector blending and the store of picture styles (round trip, damaged
 * vectors found). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#include "app/cmd/cli.h"
#include "app/styles/arbitrary.h"
#include "app/styles/store.h"
#include "common/image_check.h"
#include "common/image_io.h"
#include "tests/util/sc_test.h"

static char dir[512];
static struct sc_error err;

static void setup(void)
{
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    sc_error_clear(&err);
}

static void teardown(void)
{
    sc_test_rmtree(dir);
}

static const char *file(const char *name)
{
    static char p[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* A w x h picture of comp channels, a gradient. */
static void write_png(const char *path, int w, int h, int comp)
{
    unsigned char *px = malloc((size_t)w * h * comp);
    for (int i = 0; i < w * h * comp; i++)
        px[i] = (unsigned char)(i * 7);
    ck_assert(stbi_write_png(path, w, h, comp, px, w * comp));
    free(px);
}

static int parse(int argc, char **argv, struct sc_options *o)
{
    sc_error_clear(&err);
    return sc_cli_parse(argc, argv, o, &err);
}

START_TEST(test_cli)
{
    struct sc_options o;
    char *a[] = {"stylecam", "--style-image", "a.png", "--style-image", "b.jpg"};
    ck_assert_int_eq(parse(5, a, &o), SC_OK);
    ck_assert_int_eq(o.nstyle_images, 2);
    ck_assert_str_eq(o.style_images[0], "a.png");
    ck_assert_str_eq(o.style_images[1], "b.jpg");
    char *s[] = {"stylecam", "stylize", "--models", "M", "--style-image", "s.png", "in.png",
                 "out.png"};
    ck_assert_int_eq(parse(8, s, &o), SC_OK);
    ck_assert_int_eq(o.cmd, SC_CMD_STYLIZE);
    ck_assert_ptr_null(o.style);
    ck_assert_str_eq(o.in, "in.png");
    char *both[] = {"stylecam", "stylize", "--style", "udnie", "--style-image", "s.png",
                    "in.png", "out.png"};
    ck_assert_int_eq(parse(8, both, &o), SC_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "not both"), "%s", err.msg);
    char *two[] = {"stylecam", "stylize", "--style-image", "a.png", "--style-image", "b.png",
                   "in.png", "out.png"};
    ck_assert_int_eq(parse(8, two, &o), SC_ERR_ARG);
    char *none[] = {"stylecam", "stylize", "in.png", "out.png"};
    ck_assert_int_eq(parse(4, none, &o), SC_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "--style-image"), "%s", err.msg);
    char *many[40] = {"stylecam"};
    for (int i = 0; i < 17; i++) {
        many[1 + 2 * i] = "--style-image";
        many[2 + 2 * i] = "x.png";
    }
    ck_assert_int_eq(parse(35, many, &o), SC_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "at most 16"), "%s", err.msg);
}
END_TEST

START_TEST(test_checks_good)
{
    int gray = -1;
    write_png(file("ok.png"), 64, 80, 3);
    ck_assert_int_eq(sc_image_check_style(file("ok.png"), &gray, &err), SC_OK);
    ck_assert_int_eq(gray, 0);
    /* grayscale: accepted, used as RGB */
    write_png(file("gray.png"), 70, 64, 1);
    ck_assert_int_eq(sc_image_check_style(file("gray.png"), &gray, &err), SC_OK);
    ck_assert_int_eq(gray, 1);
    uint8_t *rgb;
    int w, h;
    ck_assert_int_eq(sc_image_load_style(file("gray.png"), &rgb, &w, &h, &err), SC_OK);
    ck_assert_int_eq(w, 70);
    ck_assert_int_eq(h, 64);
    ck_assert_int_eq(rgb[0], rgb[1]);   /* gray becomes R = G = B */
    ck_assert_int_eq(rgb[3 * 5 + 2], rgb[3 * 5]);
    sc_image_free(rgb);
}
END_TEST

static void expect_refused(const char *path, enum sc_status want, const char *words)
{
    ck_assert_int_eq(sc_image_check_style(path, NULL, &err), want);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, words), "%s", err.msg);
    uint8_t *rgb = NULL;
    int w, h;
    ck_assert_int_eq(sc_image_load_style(path, &rgb, &w, &h, &err), want);
    ck_assert_ptr_null(rgb);
}

START_TEST(test_checks_bad)
{
    const char text[] = "this is not a picture\n";
    sc_test_write_file(file("notes.png"), text, sizeof text - 1);
    expect_refused(file("notes.png"), SC_ERR_FORMAT, "is not a picture");
    write_png(file("small.png"), 32, 32, 3);
    expect_refused(file("small.png"), SC_ERR_ARG, "at least 64x64");
    /* A 9000 x 10 PNG: the header alone, no pixel data. Refused from it. */
    static const unsigned char huge[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
        0, 0, 0x23, 0x28, 0, 0, 0, 10, 8, 2, 0, 0, 0, 0, 0, 0, 0};
    sc_test_write_file(file("huge.png"), huge, sizeof huge);
    expect_refused(file("huge.png"), SC_ERR_TOO_LARGE, "scale it down");
    ck_assert_msg(strstr(err.msg, "9000x10"), "%s", err.msg);
    sc_test_rmtree(file("missing-dir"));
    ck_assert_int_eq(sc_image_check_style(file("absent.png"), NULL, &err), SC_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_checks_animated)
{
    /* A GIF of two 64x64 frames (a two-colour table, tiny LZW data). */
    unsigned char gif[128];
    size_t n = 0;
    static const unsigned char head[] = {'G', 'I', 'F', '8', '9', 'a', 64, 0, 64, 0, 0x80, 0,
                                         0, 0, 0, 0, 255, 255, 255};
    memcpy(gif, head, sizeof head);
    n = sizeof head;
    for (int f = 0; f < 2; f++) {
        static const unsigned char frame[] = {0x21, 0xf9, 4, 0, 10, 0, 0, 0,
                                              0x2c, 0, 0, 0, 0, 64, 0, 64, 0, 0,
                                              2, 2, 0x44, 0x01, 0};
        memcpy(gif + n, frame, sizeof frame);
        n += sizeof frame;
    }
    gif[n++] = 0x3b;
    sc_test_write_file(file("anim.gif"), gif, n);
    expect_refused(file("anim.gif"), SC_ERR_FORMAT, "is animated");
    /* One frame of it is a still. */
    memcpy(gif + sizeof head + 23, "\x3b", 1);
    sc_test_write_file(file("still.gif"), gif, sizeof head + 24);
    ck_assert_int_eq(sc_image_check_style(file("still.gif"), NULL, &err), SC_OK);

    /* An APNG: a real PNG with an acTL chunk after IHDR. */
    write_png(file("base.png"), 64, 64, 3);
    size_t len;
    unsigned char *png = (unsigned char *)sc_test_read_file(file("base.png"), &len);
    static const unsigned char actl[] = {0, 0, 0, 8, 'a', 'c', 'T', 'L', 0, 0, 0, 2,
                                         0, 0, 0, 0, 0, 0, 0, 0};
    unsigned char *apng = malloc(len + sizeof actl);
    memcpy(apng, png, 33);
    memcpy(apng + 33, actl, sizeof actl);
    memcpy(apng + 33 + sizeof actl, png + 33, len - 33);
    sc_test_write_file(file("anim.png"), apng, len + sizeof actl);
    expect_refused(file("anim.png"), SC_ERR_FORMAT, "is animated");
    free(png);
    free(apng);
}
END_TEST

static int taken(void *ctx, const char *name)
{
    const char *const *names = ctx;
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], name))
            return 1;
    return 0;
}

START_TEST(test_names_and_mix)
{
    char out[64];
    const char *none[] = {NULL};
    sc_arb_name("/pics/Starry Night.v2.jpg", taken, none, out);
    ck_assert_str_eq(out, "Starry_Night_v2");
    const char *some[] = {"coffee", "coffee-2", NULL};
    sc_arb_name("coffee.png", taken, some, out);
    ck_assert_str_eq(out, "coffee-3");
    sc_arb_name("/x/.png", taken, none, out);
    ck_assert_str_eq(out, "_png");
    sc_arb_name("", taken, none, out);
    ck_assert_str_eq(out, "picture");
    float a[SC_STYLE_VEC], b[SC_STYLE_VEC], m[SC_STYLE_VEC];
    for (int i = 0; i < SC_STYLE_VEC; i++) {
        a[i] = (float)i;
        b[i] = -(float)i;
    }
    sc_arb_vec_mix(a, b, 0.25f, m);
    ck_assert_float_eq_tol(m[10], 5.0f, 1e-6f);
    sc_arb_vec_mix(a, b, 0.0f, m);
    ck_assert_float_eq(m[99], 99.0f);
    ck_assert(sc_arb_vec_ok(m, SC_STYLE_VEC));
    m[3] = NAN;
    ck_assert(!sc_arb_vec_ok(m, SC_STYLE_VEC));
    const char dirs[2][PATH_MAX] = {"/nonexistent-a", "/nonexistent-b"};
    struct sc_arb_paths p;
    ck_assert_int_eq(sc_arb_find(dirs, 2, &p, &err), SC_ERR_NOT_FOUND);
    ck_assert_msg(strstr(err.msg, "stylecam download arbitrary"), "%s", err.msg);
}
END_TEST

START_TEST(test_store)
{
    char store[600];
    snprintf(store, sizeof store, "%s/data/stylecam/styles", dir);
    ck_assert_int_eq(sc_store_list(store, NULL, 0), 0);
    float v[SC_STYLE_VEC], r[SC_STYLE_VEC];
    for (int i = 0; i < SC_STYLE_VEC; i++)
        v[i] = (float)sin(i) * 3.0f;
    uint8_t px[64 * 64 * 3] = {0};
    ck_assert_int_eq(sc_store_save(store, "camera", px, 64, 64, v, &err), SC_OK);
    ck_assert_int_eq(sc_store_save(store, "bravo", px, 64, 64, v, &err), SC_OK);
    /* a name taken is never overwritten */
    ck_assert_int_ne(sc_store_save(store, "bravo", px, 64, 64, v, &err), SC_OK);
    ck_assert_msg(strstr(err.msg, "was not saved"), "%s", err.msg);
    char names[4][64];
    ck_assert_int_eq(sc_store_list(store, names, 4), 2);
    ck_assert_str_eq(names[0], "bravo");
    ck_assert_str_eq(names[1], "camera");
    ck_assert(sc_store_has(store, "camera"));
    ck_assert(!sc_store_has(store, "delta"));
    ck_assert_int_eq(sc_store_load_vec(store, "camera", r, &err), SC_OK);
    ck_assert_mem_eq(r, v, sizeof v);   /* %.9g round-trips a float exactly */

    char vec[700];
    snprintf(vec, sizeof vec, "%s/camera.vec", store);
    size_t len;
    char *text = sc_test_read_file(vec, &len);
    sc_test_write_file(vec, text, len / 2);         /* too short */
    ck_assert_int_eq(sc_store_load_vec(store, "camera", r, &err), SC_ERR_FORMAT);
    ck_assert_msg(strstr(err.msg, vec) && strstr(err.msg, "too few"), "%s", err.msg);
    char *nan = strdup(text);
    memcpy(strchr(nan, '\n') + 1, "nan\n", 4);     /* a NaN instead of the first value */
    char *line2 = strchr(strchr(nan, '\n') + 1, '\n');
    ck_assert_ptr_nonnull(line2);
    sc_test_write_file(vec, nan, len);
    ck_assert_int_eq(sc_store_load_vec(store, "camera", r, &err), SC_ERR_FORMAT);
    ck_assert_msg(strstr(err.msg, "not a finite number"), "%s", err.msg);
    sc_test_write_file(vec, "garbage", 7);
    ck_assert_int_eq(sc_store_load_vec(store, "camera", r, &err), SC_ERR_FORMAT);
    ck_assert_int_eq(sc_store_save_vec(store, "camera", v, &err), SC_OK);
    ck_assert_int_eq(sc_store_load_vec(store, "camera", r, &err), SC_OK);
    free(text);
    free(nan);
}
END_TEST

/* A full disk: nothing is left behind and the sentence says the style is
 * kept for the session only. /dev/full takes no new file, so the store is
 * a folder on a tiny tmpfs when one can be mounted (root in a namespace). */
START_TEST(test_store_full_disk)
{
    char store[600], out[1400];
    snprintf(store, sizeof store, "%s/full", dir);
    snprintf(out, sizeof out, "mkdir -p '%s' && mount -t tmpfs -o size=8k tmpfs '%s' "
             "2>/dev/null && echo mounted", store, store);
    sc_test_sh(out, out, sizeof out);
    if (!strstr(out, "mounted")) {
        fprintf(stderr, "note: cannot mount a small tmpfs; full disk not checked here\n");
        return;
    }
    static uint8_t px[256 * 256 * 3];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)(rand() & 0xff);      /* incompressible: over 8 kB as PNG */
    float v[SC_STYLE_VEC] = {0};
    ck_assert_int_eq(sc_store_save(store, "big", px, 256, 256, v, &err), SC_ERR_FULL);
    ck_assert_msg(strstr(err.msg, "'big' was not saved") && strstr(err.msg, "this session"),
                  "%s", err.msg);
    ck_assert(!sc_store_has(store, "big"));
    snprintf(out, sizeof out, "umount '%s'", store);
    sc_test_sh(out, out, sizeof out);
}
END_TEST

static const struct sc_test_opts opts = {.name = "style-pics", .setup = setup,
                                         .teardown = teardown};
SC_TEST_MAIN(&opts, test_cli, test_checks_good, test_checks_bad, test_checks_animated,
             test_names_and_mix, test_store, test_store_full_disk)
