/* A network description on disk: the ml5 network written as one and read
 * back runs exactly as the original; a damaged description ends in one
 * sentence naming the file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/engine_prof.h"
#include "engine/model.h"
#include "engine/netfile_priv.h"
#include "tests/util/sc_test.h"

static char dir[256], style[512];

static void setup(void)
{
    sc_test_tmpdir(dir, sizeof dir);
    snprintf(style, sizeof style, "%s/described", dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", style);
    ck_assert(system(cmd) == 0);
    struct sc_model *m;
    struct sc_net *n;
    struct sc_error err;
    ck_assert(sc_model_init_sketch(&m, &err) == SC_OK);
    ck_assert(sc_model_net(m, &n, &err) == SC_OK);
    ck_assert_msg(sc_netfile_write(n, style, &err) == SC_OK, "%s", err.msg);
    sc_net_free(&n);
    sc_model_free(&m);
}

static void teardown(void)
{
    sc_test_rmtree(dir);
}

START_TEST(test_round_trip_runs_the_same)
{
    struct sc_error err;
    struct sc_engine *e;
    struct sc_engine_opts o = {.cl_device = -1, .inflight = 1};
    ck_assert_msg(sc_engine_init(&e, &o, &err) == SC_OK, "%s", err.msg);
    struct sc_model *a, *b;
    ck_assert(sc_model_init_sketch(&a, &err) == SC_OK);
    ck_assert_msg(sc_model_load(style, &b, &err) == SC_OK, "%s", err.msg);
    ck_assert_str_eq(sc_model_name(b), "described");
    int ia, ib;
    ck_assert(sc_engine_add_style(e, a, &ia, &err) == SC_OK);
    ck_assert(sc_engine_add_style(e, b, &ib, &err) == SC_OK);
    enum { W = 37, H = 29 };
    static uint8_t in[W * H * 3], oa[W * H * 3], ob[W * H * 3];
    for (int i = 0; i < W * H * 3; i++)
        in[i] = (uint8_t)(i * 31 % 251);
    struct sc_run_params p = {.strength = 1};
    ck_assert(sc_engine_run(e, ia, in, W, H, &p, oa, &err) == SC_OK);
    ck_assert(sc_engine_run(e, ib, in, W, H, &p, ob, &err) == SC_OK);
    ck_assert(memcmp(oa, ob, sizeof oa) == 0);
    sc_model_free(&a);
    sc_model_free(&b);
    sc_engine_free(&e);
}
END_TEST

/* A network of another family built in code: reflect pad, valid 9x9
 * convolution with a bias, norm, relu, stride-2 convolution, nearest x2
 * upsampling, 3x3 convolution to 3 channels, clip; BGR, 0..1 in and out. */
static struct sc_net *other_family(void)
{
    static float w9[9 * 9 * 3 * 8], b9[8], one[8], zero[8], w3[3 * 3 * 8 * 8], wo[3 * 3 * 8 * 3];
    for (size_t i = 0; i < sizeof w9 / 4; i++)
        w9[i] = (float)((int)(i * 37 % 17) - 8) / 40.0f;
    for (size_t i = 0; i < sizeof w3 / 4; i++)
        w3[i] = (float)((int)(i * 13 % 11) - 5) / 30.0f;
    for (size_t i = 0; i < sizeof wo / 4; i++)
        wo[i] = (float)((int)(i * 7 % 9) - 4) / 20.0f;
    for (int i = 0; i < 8; i++) {
        b9[i] = (float)i / 10.0f;
        one[i] = 1.0f;
    }
    struct sc_net_io io = {1, 1, 1};
    struct sc_net *n;
    struct sc_error err;
    ck_assert(sc_net_init(&n, "other", &io, &err) == SC_OK);
    struct sc_net_layer ls[] = {
        {.op = SC_OP_PAD, .name = "pad", .in = {0, -1}, .border = 1, .pad = {4, 4, 4, 4}},
        {.op = SC_OP_CONV, .name = "c9", .in = {1, -1}, .out = 8, .k = 9, .stride = 1,
         .groups = 1, .w = w9, .nw = 9 * 9 * 3 * 8, .b = b9, .nb = 8},
        {.op = SC_OP_NORM, .name = "n", .in = {2, -1}, .eps = 1e-5f, .w = one, .nw = 8,
         .b = zero, .nb = 8},
        {.op = SC_OP_RELU, .name = "r", .in = {3, -1}},
        {.op = SC_OP_CONV, .name = "down", .in = {4, -1}, .out = 8, .k = 3, .stride = 2,
         .groups = 1, .pad = {1, 1, 1, 1}, .w = w3, .nw = 3 * 3 * 8 * 8},
        {.op = SC_OP_UPSAMPLE, .name = "up", .in = {5, -1}, .stride = 2},
        {.op = SC_OP_CONV, .name = "out", .in = {6, -1}, .out = 3, .k = 3, .stride = 1,
         .groups = 1, .pad = {1, 1, 1, 1}, .w = wo, .nw = 3 * 3 * 8 * 3},
        {.op = SC_OP_CLIP, .name = "clip", .in = {7, -1}, .lo = 0, .hi = 1},
    };
    for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++)
        ck_assert_msg(sc_net_add(n, &ls[i], NULL, &err) == SC_OK, "%s", err.msg);
    return n;
}

/* Styles of different families in one engine: each frame shows the style
 * asked for, exactly as an engine holding that style alone makes it. */
START_TEST(test_switching_families)
{
    struct sc_error err;
    struct sc_engine_opts o = {.cl_device = -1, .inflight = 1};
    struct sc_engine *alone_a, *alone_b, *both;
    ck_assert(sc_engine_init(&alone_a, &o, &err) == SC_OK);
    ck_assert(sc_engine_init(&alone_b, &o, &err) == SC_OK);
    ck_assert(sc_engine_init(&both, &o, &err) == SC_OK);
    struct sc_model *sketch;
    ck_assert(sc_model_init_sketch(&sketch, &err) == SC_OK);
    struct sc_net *other = other_family();
    int a, b, ia, ib;
    ck_assert(sc_engine_add_style(alone_a, sketch, &a, &err) == SC_OK);
    ck_assert(sc_engine_add_net(alone_b, other, &b, &err) == SC_OK);
    ck_assert(sc_engine_add_style(both, sketch, &ia, &err) == SC_OK);
    ck_assert(sc_engine_add_net(both, other, &ib, &err) == SC_OK);
    enum { W = 45, H = 31 };
    static uint8_t in[W * H * 3], ra[W * H * 3], rb[W * H * 3], got[W * H * 3];
    for (int i = 0; i < W * H * 3; i++)
        in[i] = (uint8_t)(i * 29 % 253);
    struct sc_run_params p = {.strength = 1};
    ck_assert(sc_engine_run(alone_a, a, in, W, H, &p, ra, &err) == SC_OK);
    ck_assert_msg(sc_engine_run(alone_b, b, in, W, H, &p, rb, &err) == SC_OK, "%s", err.msg);
    ck_assert(memcmp(ra, rb, sizeof ra) != 0);
    for (int k = 0; k < 4; k++) {
        int s = k % 2 ? ib : ia;
        ck_assert(sc_engine_run(both, s, in, W, H, &p, got, &err) == SC_OK);
        ck_assert_msg(memcmp(got, s == ia ? ra : rb, sizeof got) == 0, "frame %d", k);
    }
    sc_net_free(&other);
    sc_model_free(&sketch);
    sc_engine_free(&alone_a);
    sc_engine_free(&alone_b);
    sc_engine_free(&both);
}
END_TEST

static void expect_fail(const char *manifest, const char *needle)
{
    char path[700];
    snprintf(path, sizeof path, "%s/manifest.json", style);
    FILE *f = fopen(path, "wb");
    ck_assert(f);
    fputs(manifest, f);
    fclose(f);
    struct sc_model *m = NULL;
    struct sc_error err;
    ck_assert(sc_model_load(style, &m, &err) != SC_OK);
    ck_assert(m == NULL);
    ck_assert_msg(strstr(err.msg, needle), "'%s' not in: %s", needle, err.msg);
    ck_assert_msg(!strchr(err.msg, '\n') && err.msg[strlen(err.msg) - 1] == '.',
                  "not one sentence: %s", err.msg);
}

START_TEST(test_damaged_descriptions)
{
    expect_fail("{\"stylecam\": 2, \"layers\": []}", "another version");
    expect_fail("{\"stylecam\": 1}", "lacks its layers");
    expect_fail("{\"stylecam\": 1, \"layers\": []}", "no layers");
    expect_fail("{\"stylecam\": 1, \"layers\": [{\"op\": \"softmax\", \"in\": [0]}]}",
                "unknown op 'softmax'");
    expect_fail("{\"stylecam\": 1, \"layers\": [{\"op\": \"relu\", \"in\": [1]}]}",
                "earlier layers");
    expect_fail("{\"stylecam\": 1, \"layers\": [{\"op\": \"conv\", \"in\": [0], \"out\": 3, "
                "\"kernel\": 3, \"weights\": 99999999}]}", "out-of-range");
    expect_fail("{\"stylecam\": 1, \"layers\": [{\"op\": \"conv\", \"in\": [0], \"out\": 3, "
                "\"kernel\": 3}]}", "weights");
    expect_fail("{\"stylecam\": 1, \"layers\": [{\"op\": \"relu\", \"in\": [0], \"name\": "
                "\"x\"}, {\"op\": \"add\", \"in\": [1, 0]}, {\"op\": \"pad\", \"in\": [2], "
                "\"pad\": [1, 1, 1, 1, 1]}]}", "malformed");
    expect_fail("{\"stylecam\": 1, \"input_range\": 7, \"layers\": [{\"op\": \"relu\", "
                "\"in\": [0]}]}", "ranges");
}
END_TEST

static const struct sc_test_opts opts = {
    .name = "netfile", .setup = setup, .teardown = teardown,
};
SC_TEST_MAIN(&opts, test_round_trip_runs_the_same, test_damaged_descriptions, test_switching_families)
