/* Two frames in flight give exactly what one at a time gives. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "tests/util/sc_test.h"

enum { W = 72, H = 40, N = W * H * 3 };

static void fill(uint8_t *p, int t)
{
    for (int i = 0; i < N; i++)
        p[i] = (uint8_t)(i * 13 + t * 29);
}

START_TEST(test_two_in_flight)
{
    struct sc_engine *e;
    struct sc_error err;
    struct sc_engine_opts o = {.cl_device = -1, .inflight = 2};
    ck_assert_msg(sc_engine_init(&e, &o, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(sc_engine_inflight(e), 2);
    struct sc_model *m;
    ck_assert(sc_model_init_sketch(&m, &err) == SC_OK);
    ck_assert(sc_engine_add_style(e, m, NULL, &err) == SC_OK);
    sc_model_free(&m);
    static uint8_t in[4][N], ref[4][N], out[4][N];
    struct sc_run_params p = {.strength = 0.8f, .mirror = 1};
    for (int i = 0; i < 4; i++) {
        fill(in[i], i);
        ck_assert_msg(sc_engine_run(e, 0, in[i], W, H, &p, ref[i], &err) == SC_OK, "%s", err.msg);
    }
    /* Frames 0 and 1 in flight, then each finish makes room for the next. */
    ck_assert(sc_engine_submit(e, 0, in[0], W, H, &p, out[0], &err) == SC_OK);
    ck_assert(sc_engine_submit(e, 0, in[1], W, H, &p, out[1], &err) == SC_OK);
    ck_assert_int_eq(sc_engine_pending(e), 2);
    ck_assert_int_eq(sc_engine_submit(e, 0, in[2], W, H, &p, out[2], &err), SC_ERR_ARG);
    ck_assert(sc_engine_finish(e, &err) == SC_OK);
    ck_assert(sc_engine_submit(e, 0, in[2], W, H, &p, out[2], &err) == SC_OK);
    ck_assert(sc_engine_finish(e, &err) == SC_OK);
    ck_assert(sc_engine_submit(e, 0, in[3], W, H, &p, out[3], &err) == SC_OK);
    ck_assert(sc_engine_finish(e, &err) == SC_OK);
    ck_assert(sc_engine_finish(e, &err) == SC_OK);
    ck_assert_int_eq(sc_engine_pending(e), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(memcmp(ref[i], out[i], N) == 0, "frame %d differs in flight", i);
    sc_engine_free(&e);
}
END_TEST

static const struct sc_test_opts opts = {.name = "inflight"};
SC_TEST_MAIN(&opts, test_two_in_flight)
