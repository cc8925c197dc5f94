/* The command line: what each option sets, and the sentence a bad value gets. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd/cli.h"
#include "common/config.h"
#include "tests/util/sc_test.h"

static struct sc_options o;
static struct sc_error err;
static const char *msg = err.msg;

/* Parses the words of args (at most 15), with "stylecam" in front. */
static int parse(const char *args)
{
    static char buf[512];
    char *argv[16] = {"stylecam"};
    int argc = 1;
    strncpy(buf, args, sizeof buf - 1);
    for (char *w = strtok(buf, " "); w && argc < 16; w = strtok(NULL, " "))
        argv[argc++] = w;
    sc_error_clear(&err);
    enum sc_status st = sc_cli_parse(argc, argv, &o, &err);
    ck_assert_int_eq(err.status, st);
    return st == SC_OK ? 0 : st == SC_ERR_ARG ? -1 : -2;
}

START_TEST(test_defaults)
{
    ck_assert_int_eq(parse(""), 0);
    ck_assert_int_eq(o.cmd, SC_CMD_LIVE);
    ck_assert_int_eq(o.cl_device, -1);
    ck_assert_float_eq(o.strength, 1.0f);
    ck_assert_int_eq(o.infer_w + o.infer_auto + o.infer_full + o.inflight, 0);
}
END_TEST

START_TEST(test_infer_size)
{
    ck_assert_int_eq(parse("--infer-size full"), 0);
    ck_assert_int_eq(o.infer_full, 1);
    ck_assert_int_eq(parse("--infer-size auto"), 0);
    ck_assert_int_eq(o.infer_auto, 1);
    ck_assert_double_eq(o.infer_fps, 24);
    ck_assert_int_eq(parse("--infer-size auto:30"), 0);
    ck_assert_double_eq(o.infer_fps, 30);
    ck_assert_int_eq(parse("--infer-size 320x240"), 0);
    ck_assert_int_eq(o.infer_w, 320);
    ck_assert_int_eq(o.infer_h, 240);
    const char *bad[] = {"auto:0", "auto:500", "auto:", "autox", "fullx", "8x8", "320"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char a[64];
        snprintf(a, sizeof a, "--infer-size %s", bad[i]);
        ck_assert_int_eq(parse(a), -1);
        ck_assert_msg(strstr(msg, "Invalid --infer-size") && strstr(msg, bad[i]) &&
                      strstr(msg, "1 to 240"), "%s: %s", bad[i], msg);
    }
}
END_TEST

START_TEST(test_bad_values_name_the_range)
{
    struct { const char *args, *want; } cases[] = {
        {"--size 8x8", "at least 16x16"},
        {"--fps 0", "1 to 240"},
        {"--strength 101", "0 to 100"},
        {"--in-flight 3", "1 or 2"},
        {"--cl-device x", "--list-cl-devices"},
        {"--frames -1", "positive"},
        {"--bogus", "--help"},
        {"stray", "Unexpected argument 'stray'"},
        {"stylize --style candy in.png", "stylize needs"},
        {"--record-quality best", "Invalid --record-quality 'best': expected normal, high or lossless."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_msg(parse(cases[i].args) == -1, "%s was accepted", cases[i].args);
        ck_assert_msg(strstr(msg, cases[i].want), "%s: %s", cases[i].args, msg);
        ck_assert_msg(msg[strlen(msg) - 1] == '.' || strstr(msg, "OUT.png"),
                      "not a sentence: %s", msg);
    }
}
END_TEST

START_TEST(test_commands)
{
    ck_assert_int_eq(parse("stylize in.png --style candy out.png"), 0);
    ck_assert_int_eq(o.cmd, SC_CMD_STYLIZE);
    ck_assert_str_eq(o.style, "candy");
    ck_assert_str_eq(o.in, "in.png");
    ck_assert_str_eq(o.out, "out.png");
    ck_assert_int_eq(parse("bench --size 320x240 --size 640x480 --json"), 0);
    ck_assert_int_eq(o.cmd, SC_CMD_BENCH);
    ck_assert_int_eq(o.nsizes, 2);
    ck_assert_int_eq(o.sizes[1][0], 640);
    ck_assert_int_eq(o.json, 1);
}
END_TEST

START_TEST(test_live_options)
{
    ck_assert_int_eq(parse("--strength 40 --keep-colors --mirror --size 320x240 --fps 15 "
                           "--in-flight 2 --headless --frames 9 --record a.mkv"), 0);
    ck_assert_float_eq_tol(o.strength, 0.4f, 1e-6);
    ck_assert_int_eq(o.keep_colors + o.mirror + o.headless, 3);
    ck_assert_int_eq(o.width, 320);
    ck_assert_int_eq(o.height, 240);
    ck_assert_double_eq(o.fps, 15);
    ck_assert_int_eq(o.inflight, 2);
    ck_assert_int_eq(o.frames, 9);
    ck_assert_str_eq(o.record, "a.mkv");
    ck_assert_int_eq(o.record_quality, 0);   /* normal unless asked */
    const char *words[] = {"normal", "high", "lossless"};
    for (int i = 0; i < 3; i++) {
        char args[64];
        snprintf(args, sizeof args, "--record a.mkv --record-quality %s", words[i]);
        ck_assert_int_eq(parse(args), 0);
        ck_assert_int_eq(o.record_quality, i);
    }
}
END_TEST

/* The settings from the environment fail the same way: a status and a sentence. */
START_TEST(test_env)
{
    struct sc_env env;
    setenv("STYLECAM_CL_DEVICE", "2", 1);
    ck_assert_int_eq(sc_env_read(&env, &err), SC_OK);
    ck_assert_int_eq(env.cl_device, 2);
    setenv("STYLECAM_CL_DEVICE", "gpu", 1);
    ck_assert_int_eq(sc_env_read(&env, &err), SC_ERR_ARG);
    ck_assert_int_eq(err.status, SC_ERR_ARG);
    ck_assert_msg(strstr(msg, "'gpu'") && strstr(msg, "--list-cl-devices"), "%s", msg);
    unsetenv("STYLECAM_CL_DEVICE");
}
END_TEST

static const struct sc_test_opts opts = {.name = "cli-parse"};
SC_TEST_MAIN(&opts, test_defaults, test_infer_size, test_bad_values_name_the_range,
             test_commands, test_live_options, test_env)
