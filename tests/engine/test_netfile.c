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
#include "tests/engine/testutil.h"

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
    struct sc_engine_opts o = {-1, 0, NULL, 1};
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
    struct sc_run_params p = {1, 0, 0};
    ck_assert(sc_engine_run(e, ia, in, W, H, &p, oa, &err) == SC_OK);
    ck_assert(sc_engine_run(e, ib, in, W, H, &p, ob, &err) == SC_OK);
    ck_assert(memcmp(oa, ob, sizeof oa) == 0);
    sc_model_free(&a);
    sc_model_free(&b);
    sc_engine_free(&e);
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

int main(void)
{
    Suite *s = suite_create("netfile");
    TCase *tc = tcase_create("netfile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trip_runs_the_same);
    tcase_add_test(tc, test_damaged_descriptions);
    suite_add_tcase(s, tc);
    return sc_test_run(s);
}
