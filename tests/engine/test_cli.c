/* stylecam stylize as a user runs it: outputs against the reference PNGs,
 * and every input a user can get wrong ending in one sentence, exit 1. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "tests/util/sc_test.h"
#include "tests/util/stylefolder.h"

static char tmp[256], out_buf[8192], err_buf[8192];

static const char *bin(void)
{
    const char *b = getenv("STYLECAM_BIN");
    return b ? b : "./stylecam";
}

/* Runs stylecam with up to 8 arguments; returns its exit status. */
static int run(const char *a1, const char *a2, const char *a3, const char *a4,
               const char *a5, const char *a6, const char *a7)
{
    char *argv[] = {(char *)bin(), (char *)a1, (char *)a2, (char *)a3, (char *)a4,
                    (char *)a5, (char *)a6, (char *)a7, NULL};
    return sc_test_spawn(argv, out_buf, sizeof out_buf, err_buf, sizeof err_buf);
}

/* The error output is one line starting "stylecam: error: " and naming what. */
static void expect_sentence(int rc, const char *n1, const char *n2)
{
    ck_assert_msg(rc == 1, "exit %d, stderr: %.300s", rc, err_buf);
    ck_assert_msg(strncmp(err_buf, "stylecam: error: ", 17) == 0, "stderr: %.300s", err_buf);
    char *nl = strchr(err_buf, '\n');
    ck_assert_msg(nl && nl[1] == '\0', "more than one line: %.300s", err_buf);
    ck_assert_msg(!n1 || strstr(err_buf, n1), "'%s' not in: %.300s", n1, err_buf);
    ck_assert_msg(!n2 || strstr(err_buf, n2), "'%s' not in: %.300s", n2, err_buf);
}

static void path_in_tmp(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmp, name);
}

/* The test image every failing case starts from, and an output path in
 * this test's folder (never /tmp itself: tests run side by side). */
static char in_png[1100], out_png[600];

static void chelsea_in_out(void)
{
    sc_test_shared_path(in_png, sizeof in_png, "golden/chelsea_160x120.png");
    path_in_tmp(out_png, sizeof out_png, "o.png");
}

static void setup(void) { ck_assert_int_eq(sc_test_tmpdir(tmp, sizeof tmp), 0); }
static void teardown(void) { sc_test_rmtree(tmp); }

/* Compares OUT with the reference PNG (RGBA, full network size; the first
 * w x h are the picture): within 1 level except a rare 2. */
static void compare_png(const char *out, const char *ref, const char *what)
{
    int w, h, c, rw, rh, rc;
    unsigned char *a = stbi_load(out, &w, &h, &c, 3);
    unsigned char *b = stbi_load(ref, &rw, &rh, &rc, 3);
    ck_assert_msg(a && b, "cannot load %s or %s", out, ref);
    long twos = 0, n = (long)w * h * 3;
    int worst = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * 3; x++) {
            int d = abs(a[y * w * 3 + x] - b[y * rw * 3 + x]);
            worst = d > worst ? d : worst;
            twos += d == 2;
        }
    printf("stylize %-34s max level diff %d, %ld of %ld values differ by 2\n", what, worst,
           twos, n);
    ck_assert_msg(worst <= 2, "%s: a value differs by %d levels", what, worst);
    ck_assert_msg(twos * 1000 <= n, "%s: %ld values differ by 2 (more than 0.1%%)", what, twos);
    stbi_image_free(a);
    stbi_image_free(b);
}

START_TEST(test_stylize_matches_reference_pngs)
{
    char golden[1024], models[1024];
    snprintf(golden, sizeof golden, "%s/golden", sc_test_shared());
    snprintf(models, sizeof models, "%s/models", sc_test_shared());
    DIR *d = opendir(golden);
    ck_assert(d);
    struct dirent *de;
    int count = 0;
    while ((de = readdir(d))) {
        const char *name = de->d_name, *dot = strchr(name, '.');
        size_t n = strlen(name);
        if (!dot || n < 5 || strcmp(name + n - 4, ".png") != 0 || dot == name + n - 4)
            continue;
        char base[256], style[64], in[1400], ref[1400], out[600];
        snprintf(base, sizeof base, "%.*s", (int)(dot - name), name);
        snprintf(style, sizeof style, "%.*s", (int)(name + n - 4 - dot - 1), dot + 1);
        snprintf(in, sizeof in, "%s/%s.png", golden, base);
        snprintf(ref, sizeof ref, "%s/%s", golden, name);
        path_in_tmp(out, sizeof out, "out.png");
        int rc = run("stylize", "--models", models, "--style", style, in, out);
        ck_assert_msg(rc == 0, "stylize %s failed (%d): %.300s", name, rc, err_buf);
        compare_png(out, ref, name);
        count++;
    }
    closedir(d);
    ck_assert_int_ge(count, 5);
}
END_TEST

START_TEST(test_builtin_sketch_without_models)
{
    char in[1100], out[600];
    snprintf(in, sizeof in, "%s/golden/chelsea_160x120.png", sc_test_shared());
    path_in_tmp(out, sizeof out, "sketch.jpg");
    ck_assert_msg(run("stylize", "--models", "/nonexistent", "--style", "sketch", in, out) == 0,
                  "%.300s", err_buf);
    int w, h, c;
    unsigned char *p = stbi_load(out, &w, &h, &c, 3);
    ck_assert(p && w == 160 && h == 120);
    /* A drawing: mostly near-white paper with some dark strokes. */
    long white = 0, dark = 0;
    for (int i = 0; i < w * h; i++) {
        int y = (p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2]) / 3;
        white += y > 220;
        dark += y < 120;
    }
    ck_assert_msg(white > w * h / 2 && dark > w * h / 100, "white %ld dark %ld", white, dark);
    stbi_image_free(p);
}
END_TEST

START_TEST(test_unknown_style)
{
    chelsea_in_out();
    expect_sentence(run("stylize", "--style", "nope", in_png, out_png, NULL, NULL),
                    "Unknown style 'nope'", "sketch");
}
END_TEST

START_TEST(test_bad_images)
{
    char p[600], out[600];
    path_in_tmp(out, sizeof out, "o.png");
    path_in_tmp(p, sizeof p, "missing.png");
    expect_sentence(run("stylize", "--style", "sketch", p, out, NULL, NULL), p, "No such file");
    path_in_tmp(p, sizeof p, "garbage.png");
    ck_assert_int_eq(sc_test_write_file(p, "this is not an image at all", 27), 0);
    expect_sentence(run("stylize", "--style", "sketch", p, out, NULL, NULL), p, "not a valid");
    /* A real PNG cut in half. */
    chelsea_in_out();
    size_t n;
    char *data = sc_test_read_file(in_png, &n);
    ck_assert_msg(data, "cannot read %s", in_png);
    path_in_tmp(p, sizeof p, "truncated.png");
    ck_assert_int_eq(sc_test_write_file(p, data, n / 2), 0);
    free(data);
    expect_sentence(run("stylize", "--style", "sketch", p, out, NULL, NULL), p, NULL);
    /* Too small for the network. */
    unsigned char tiny[8 * 8 * 3] = {0};
    path_in_tmp(p, sizeof p, "tiny.png");
    ck_assert(stbi_write_png(p, 8, 8, 3, tiny, 24));
    expect_sentence(run("stylize", "--style", "sketch", p, out, NULL, NULL), "8x8",
                    "at least 16x16");
    ck_assert_msg(access(out, F_OK) != 0, "a failed run left %s behind", out);
}
END_TEST

START_TEST(test_bad_output)
{
    chelsea_in_out();
    expect_sentence(run("stylize", "--style", "sketch", in_png, "/nonexistent/dir/o.png", NULL,
                        NULL), "/nonexistent/dir/o.png", NULL);
    path_in_tmp(out_png, sizeof out_png, "o.bmp");
    expect_sentence(run("stylize", "--style", "sketch", in_png, out_png, NULL, NULL),
                    ".png, .jpg or .jpeg", NULL);
}
END_TEST

START_TEST(test_broken_style_folder)
{
    char style[600], in[1100], out[600];
    path_in_tmp(style, sizeof style, "broken");
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", style);
    ck_assert(system(cmd) == 0 && sc_test_write_style(style) == 0);
    char var[700];
    snprintf(var, sizeof var, "%s/Variable_12", style);
    ck_assert(truncate(var, 100) == 0);
    snprintf(in, sizeof in, "%s/golden/chelsea_160x120.png", sc_test_shared());
    path_in_tmp(out, sizeof out, "o.png");
    expect_sentence(run("stylize", "--models", tmp, "--style", "broken", in, out),
                    "Variable_12", "truncated");
}
END_TEST

/* stylecam stylize --style sketch IN out_png with var=value in its environment. */
static int stylize_with(const char *var, const char *value, const char *in)
{
    setenv(var, value, 1);
    int rc = run("stylize", "--style", "sketch", in, out_png, NULL, NULL);
    unsetenv(var);
    return rc;
}

START_TEST(test_no_opencl_driver)
{
    chelsea_in_out();
    expect_sentence(stylize_with("OCL_ICD_VENDORS", "/nonexistent-icd-dir", in_png), "-1001",
                    "pocl-opencl-icd");
}
END_TEST

START_TEST(test_image_too_large_for_device)
{
    /* PoCL with a 1 GB budget allows 256 MiB in one allocation; a 2048x2048
     * frame's first activation needs 512 MiB. */
    char p[600];
    path_in_tmp(p, sizeof p, "big.png");
    unsigned char *img = calloc(2048 * 2048, 3);
    ck_assert(stbi_write_png(p, 2048, 2048, 3, img, 2048 * 3));
    free(img);
    chelsea_in_out();
    expect_sentence(stylize_with("POCL_MEMORY_LIMIT", "1", p), "big.png",
                    "too large for OpenCL device");
}
END_TEST

START_TEST(test_bad_device_and_usage)
{
    chelsea_in_out();
    expect_sentence(run("stylize", "--cl-device", "7", "--style", "sketch", in_png, out_png),
                    "no OpenCL device 7", "--list-cl-devices");
    ck_assert_int_eq(run("stylize", "--style", "sketch", in_png, NULL, NULL, NULL), 2);
    ck_assert_int_eq(run("--bogus", NULL, NULL, NULL, NULL, NULL, NULL), 2);
    ck_assert_int_eq(run("--list-cl-devices", NULL, NULL, NULL, NULL, NULL, NULL), 0);
    ck_assert_msg(strncmp(out_buf, "0: ", 3) == 0, "%.300s", out_buf);
}
END_TEST

START_TEST(test_list_styles)
{
    char models[1024];
    snprintf(models, sizeof models, "%s/models", sc_test_shared());
    ck_assert_int_eq(run("--models", models, "--list-styles", NULL, NULL, NULL, NULL), 0);
    const char *want[] = {"la_muse", "wave", "wreck", "sketch", "(built in)"};
    for (int i = 0; i < 5; i++)
        ck_assert_msg(strstr(out_buf, want[i]), "'%s' not in: %s", want[i], out_buf);
    setenv("STYLECAM_MODELS", models, 1);
    ck_assert_int_eq(run("--list-styles", NULL, NULL, NULL, NULL, NULL, NULL), 0);
    unsetenv("STYLECAM_MODELS");
    ck_assert_msg(strstr(out_buf, "udnie"), "STYLECAM_MODELS ignored: %.300s", out_buf);
}
END_TEST

static const struct sc_test_opts opts = {
    .name = "cli", .timeout_s = 600, .setup = setup, .teardown = teardown,
};
SC_TEST_MAIN(&opts, test_stylize_matches_reference_pngs, test_builtin_sketch_without_models,
             test_unknown_style, test_bad_images, test_bad_output, test_broken_style_folder,
             test_no_opencl_driver, test_image_too_large_for_device, test_bad_device_and_usage,
             test_list_styles)
