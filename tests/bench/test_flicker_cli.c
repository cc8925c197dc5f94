/* stylecam bench --flicker as a user runs it, on the real OpenCL device
 * (PoCL in CI): the JSON's keys and finite numbers, the off run's fidelity
 * to itself, the built-in picture and style, and a bad --frames. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/util/sc_test.h"

static char out_buf[65536], err_buf[8192];

static const char *bin(void)
{
    const char *b = getenv("STYLECAM_BIN");
    return b ? b : "./stylecam";
}

/* stylecam bench --flicker --size 96x72 --frames 4 --json, then up to 4
 * more arguments; returns the exit status. */
static int run6(const char *a1, const char *a2, const char *a3, const char *a4,
                const char *a5, const char *a6)
{
    char *argv[] = {(char *)bin(), "bench", "--flicker", "--size", "96x72", "--frames", "4",
                    "--json", (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5,
                    (char *)a6, NULL};
    return sc_test_spawn(argv, out_buf, sizeof out_buf, err_buf, sizeof err_buf);
}

static int run(const char *a1, const char *a2, const char *a3, const char *a4)
{
    return run6(a1, a2, a3, a4, NULL, NULL);
}

/* The number after "key": in s (the first one from s on), NAN if none. */
static double num_after(const char *s, const char *key)
{
    char pat[96];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(s, pat);
    return p ? strtod(p + strlen(pat), NULL) : NAN;
}

/* Every value after '": ' that starts like a number is finite; no null (what
 * the command prints for one that is not). */
static void expect_finite(const char *s)
{
    ck_assert_msg(!strstr(s, "null"), "not finite: %.2000s", s);
    int numbers = 0;
    for (const char *p = strstr(s, "\": "); p; p = strstr(p + 1, "\": ")) {
        const char *v = p + 3;
        if ((*v >= '0' && *v <= '9') || *v == '-') {
            char *end;
            double d = strtod(v, &end);
            ck_assert_msg(end > v && isfinite(d), "bad number at %.40s", v);
            numbers++;
        }
    }
    ck_assert_msg(numbers > 40, "only %d numbers in %.2000s", numbers, s);
}

static void expect_keys(const char *s)
{
    static const char *const keys[] = {
        "device", "input", "w", "h", "frames", "noise_sigma", "jpeg_quality", "motion",
        "input_flicker", "input_ewarp", "styles", "style", "frozen", "fidelity_bound",
        "modes", "off", "on", "strong", "flicker", "flicker_ratio", "ewarp",
        "fidelity_static", "fidelity_static_edges", "fidelity_moving",
        "fidelity_moving_edges", "within_bound", "ms_best", "overhead_pct",
        "flicker_vs_off", "ewarp_vs_off", NULL};
    for (int i = 0; keys[i]; i++) {
        char pat[64];
        snprintf(pat, sizeof pat, "\"%s\":", keys[i]);
        ck_assert_msg(strstr(s, pat), "no %s in %.2000s", pat, s);
    }
}

/* Within one style's object: off is the reference (fidelity 0 exactly),
 * and the frozen picture is far from it on the moving scene. */
static void expect_sane(const char *s)
{
    const char *off = strstr(s, "\"off\": {");
    ck_assert_ptr_nonnull(off);
    ck_assert_double_eq(num_after(off, "fidelity_moving"), 0);
    ck_assert_double_eq(num_after(off, "fidelity_static_edges"), 0);
    ck_assert(num_after(off, "flicker") > 0);
    ck_assert(num_after(off, "ms_best") > 0);
    const char *frozen = strstr(s, "\"frozen\": {");
    ck_assert_ptr_nonnull(frozen);
    ck_assert(num_after(frozen, "fidelity_moving_edges") > 1);
    ck_assert(num_after(s, "input_flicker") > 1);
    ck_assert(num_after(s, "input_ewarp") > 0);
}

START_TEST(test_json_shared_style)
{
    char models[1024], photo[1024];
    sc_test_shared_path(models, sizeof models, "models");
    sc_test_shared_path(photo, sizeof photo, "images/coffee.png");
    int rc = run6("--models", models, "--style", "udnie", "--input", photo);
    ck_assert_msg(rc == 0, "exit %d: %.1000s", rc, err_buf);
    printf("%s", out_buf);
    expect_keys(out_buf);
    expect_finite(out_buf);
    expect_sane(out_buf);
    ck_assert_msg(strstr(out_buf, "\"style\": \"udnie\""), "%.300s", out_buf);
    ck_assert_msg(strstr(out_buf, photo), "not %s: %.300s", photo, out_buf);
}
END_TEST

/* No style folder and --input test: the built-in sketch on the built-in
 * picture. */
START_TEST(test_json_builtin)
{
    int rc = run("--models", "/nonexistent-sc-models", "--input", "test");
    ck_assert_msg(rc == 0, "exit %d: %.1000s", rc, err_buf);
    expect_keys(out_buf);
    expect_finite(out_buf);
    expect_sane(out_buf);
    ck_assert_msg(strstr(out_buf, "\"style\": \"sketch\""), "%.300s", out_buf);
    ck_assert_msg(strstr(out_buf, "built-in picture"), "%.300s", out_buf);
}
END_TEST

START_TEST(test_bad_frames)
{
    char *argv[] = {(char *)bin(), "bench", "--flicker", "--frames", "1", NULL};
    int rc = sc_test_spawn(argv, out_buf, sizeof out_buf, err_buf, sizeof err_buf);
    ck_assert_msg(rc == 1, "exit %d", rc);
    ck_assert_msg(strstr(err_buf, "stylecam: error: ") == err_buf, "%.300s", err_buf);
    ck_assert_msg(strstr(err_buf, "2 to "), "%.300s", err_buf);
}
END_TEST

static const struct sc_test_opts opts = {.name = "flicker-cli", .timeout_s = 300};

SC_TEST_MAIN(&opts, test_json_shared_style, test_json_builtin, test_bad_frames)
