/* The conditional instance norm: its C reference, the engine against it,
 * switching vectors (also with two frames in flight), the description on
 * disk, and the converter's refusals of damaged files. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/engine_prof.h"
#include "engine/model.h"
#include "engine/netfile_priv.h"
#include "import/tflite_conv_priv.h"
#include "tests/arbitrary/transfer/tr_util.h"
#include "tests/util/sc_test.h"

enum { V = 100, W = 64, H = 48 };

static struct sc_engine *eng;
static struct sc_net *transfer;
static int style;
static const struct sc_run_params plain = {.strength = 1, .stabilize = SC_STAB_OFF};
static uint8_t picture[W * H * 3];

/* gamma and beta rows by hand: scale[0] = 1*2 + 2*-1 + 3*0.5 + 0.25. */
START_TEST(test_cond_affine_ref)
{
    static const float g[] = {1, 2, 3, 0.25f, -1, 0, 4, 1};
    static const float b[] = {0, 1, 0, -2, 2, 2, 2, 0.5f};
    struct sc_net_layer l = {.op = SC_OP_NORM, .cond = 3, .w = g, .b = b, .nw = 8, .nb = 8};
    float vec[3] = {2, -1, 0.5f}, scale[2], shift[2];
    sc_net_cond_affine(&l, vec, scale, shift);
    ck_assert_float_eq(scale[0], 1.75f);
    ck_assert_float_eq(scale[1], 1.0f);
    ck_assert_float_eq(shift[0], -3.0f);
    ck_assert_float_eq(shift[1], 3.5f);
}
END_TEST

/* input -> conditional norm (V = 4) -> relu; the engine's floats against
 * instance norm in double with the reference's scale and shift. */
static struct sc_net *tiny_cond(void)
{
    struct sc_net *n;
    struct sc_error err;
    struct sc_net_io io = {.bgr = 0, .in_range = 1, .out_range = 1};
    static float g[3 * 5], b[3 * 5];
    for (int i = 0; i < 15; i++) {
        g[i] = (float)((i * 7) % 11 - 5) / 8.0f;
        b[i] = (float)((i * 5) % 7 - 3) / 10.0f;
    }
    ck_assert(sc_net_init(&n, "tiny", &io, &err) == SC_OK);
    ck_assert(sc_net_set_vec_len(n, 4, &err) == SC_OK);
    struct sc_net_layer l = {.op = SC_OP_NORM, .name = "cn", .in = {0, -1}, .eps = 1e-5f,
                             .cond = 4, .w = g, .b = b, .nw = 15, .nb = 15};
    ck_assert_msg(sc_net_add(n, &l, NULL, &err) == SC_OK, "%s", err.msg);
    struct sc_net_layer r = {.op = SC_OP_RELU, .name = "r", .in = {1, -1}};
    ck_assert(sc_net_add(n, &r, NULL, &err) == SC_OK);
    /* A vector length that disagrees with the style's is refused. */
    l.cond = 3;
    l.nw = l.nb = 12;
    ck_assert(sc_net_add(n, &l, NULL, &err) == SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "style vector of 3 values"));
    return n;
}

static double tiny_worst(int idx, const struct sc_net_layer *l, const float *vec)
{
    enum { TW = 23, TH = 17 };
    static uint8_t in[TW * TH * 3];
    static float out[TW * TH * 3];
    for (int i = 0; i < TW * TH * 3; i++)
        in[i] = (uint8_t)(i * 37 % 253);
    int ow, oh;
    struct sc_error err;
    ck_assert(sc_engine_run_f32(eng, idx, in, TW, TH, out, &ow, &oh, &err) == SC_OK);
    float scale[3], shift[3];
    sc_net_cond_affine(l, vec, scale, shift);
    double worst = 0;
    for (int c = 0; c < 3; c++) {
        double s = 0, q = 0;
        for (int i = 0; i < TW * TH; i++)
            s += in[i * 3 + c] / 255.0;
        s /= TW * TH;
        for (int i = 0; i < TW * TH; i++)
            q += (in[i * 3 + c] / 255.0 - s) * (in[i * 3 + c] / 255.0 - s);
        double rstd = 1 / sqrt(q / (TW * TH) + 1e-5);
        for (int i = 0; i < TW * TH; i++) {
            double y = fmax(scale[c] * (in[i * 3 + c] / 255.0 - s) * rstd + shift[c], 0);
            y = fmin(y, 1.0);   /* the float output is clamped to 0..1 */
            worst = fmax(worst, fabs(y - out[i * 3 + c]));
        }
    }
    return worst;
}

START_TEST(test_cond_norm_engine)
{
    struct sc_net *n = tiny_cond();
    int idx;
    struct sc_error err;
    ck_assert(sc_engine_add_net(eng, n, &idx, &err) == SC_OK);
    ck_assert_int_eq(sc_engine_style_vec_len(eng, idx), 4);
    float zero[4] = {0}, a[4] = {0.5f, -1, 2, 0.25f}, b[4] = {-0.3f, 0.7f, 0.1f, -1.5f};
    /* Before any vector is set the style runs with the zero vector. */
    double e0 = tiny_worst(idx, sc_net_layer(n, 1), zero);
    ck_assert(sc_engine_set_style_vector(eng, idx, a, &err) == SC_OK);
    double ea = tiny_worst(idx, sc_net_layer(n, 1), a);
    ck_assert(sc_engine_set_style_vector(eng, idx, b, &err) == SC_OK);
    double eb = tiny_worst(idx, sc_net_layer(n, 1), b);
    printf("conditional norm vs C reference: %.3g (zero vector), %.3g, %.3g\n", e0, ea, eb);
    ck_assert(e0 < 1e-5 && ea < 1e-5 && eb < 1e-5);
    sc_net_free(&n);
}
END_TEST

START_TEST(test_vector_errors)
{
    struct sc_error err;
    struct sc_model *m;
    int sk;
    ck_assert(sc_model_init_sketch(&m, &err) == SC_OK);
    ck_assert(sc_engine_add_style(eng, m, &sk, &err) == SC_OK);
    sc_model_free(&m);
    float v[V] = {0};
    ck_assert_int_eq(sc_engine_style_vec_len(eng, sk), 0);
    ck_assert_int_eq(sc_engine_style_vec_len(eng, 99), 0);
    ck_assert(sc_engine_set_style_vector(eng, sk, v, &err) == SC_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "takes no style vector"));
    ck_assert(sc_engine_set_style_vector(eng, 99, v, &err) == SC_ERR_ARG);
    v[17] = NAN;
    ck_assert(sc_engine_set_style_vector(eng, style, v, &err) == SC_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "NaN"));
}
END_TEST

static void run(int idx, const float *vec, uint8_t *out)
{
    struct sc_error err;
    ck_assert_msg(sc_engine_set_style_vector(eng, idx, vec, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_engine_run(eng, idx, picture, W, H, &plain, out, &err) == SC_OK, "%s",
                  err.msg);
}

/* A, B, A again: the third frame is the first byte for byte. */
START_TEST(test_switch_vectors)
{
    static float a[V], b[V];
    static uint8_t oa[W * H * 3], ob[W * H * 3], oa2[W * H * 3];
    tr_vector(a, V, 1);
    tr_vector(b, V, 2);
    run(style, a, oa);
    run(style, b, ob);
    run(style, a, oa2);
    ck_assert(memcmp(oa, oa2, sizeof oa) == 0);
    ck_assert_msg(memcmp(oa, ob, sizeof oa) != 0, "two vectors gave the same picture");
}
END_TEST

/* Two frames in flight: a vector set between the submits changes only the
 * second frame. */
START_TEST(test_vectors_in_flight)
{
    struct sc_engine *e2;
    struct sc_engine_opts o = {.cl_device = -1, .inflight = 2};
    struct sc_error err;
    ck_assert(sc_engine_init(&e2, &o, &err) == SC_OK);
    int s2;
    ck_assert(sc_engine_add_net(e2, transfer, &s2, &err) == SC_OK);
    static float a[V], b[V];
    static uint8_t ra[W * H * 3], rb[W * H * 3], f1[W * H * 3], f2[W * H * 3];
    tr_vector(a, V, 3);
    tr_vector(b, V, 4);
    run(style, a, ra);
    run(style, b, rb);
    for (int round = 0; round < 2; round++) {
        ck_assert(sc_engine_set_style_vector(e2, s2, a, &err) == SC_OK);
        ck_assert(sc_engine_submit(e2, s2, picture, W, H, &plain, f1, &err) == SC_OK);
        ck_assert(sc_engine_set_style_vector(e2, s2, b, &err) == SC_OK);
        ck_assert(sc_engine_submit(e2, s2, picture, W, H, &plain, f2, &err) == SC_OK);
        ck_assert(sc_engine_finish(e2, &err) == SC_OK);
        ck_assert(sc_engine_finish(e2, &err) == SC_OK);
        ck_assert(memcmp(f1, ra, sizeof ra) == 0);
        ck_assert(memcmp(f2, rb, sizeof rb) == 0);
    }
    sc_engine_free(&e2);
}
END_TEST

/* Written as a description and read back: the same layers and the same
 * pictures byte for byte. */
START_TEST(test_netfile_round_trip)
{
    char dir[256], sdir[400], cmd[600];
    ck_assert(sc_test_tmpdir(dir, sizeof dir) == 0);
    snprintf(sdir, sizeof sdir, "%s/transfer", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s", sdir);
    ck_assert(system(cmd) == 0);
    struct sc_error err;
    ck_assert_msg(sc_netfile_write(transfer, sdir, &err) == SC_OK, "%s", err.msg);
    struct sc_model *m;
    ck_assert_msg(sc_model_load(sdir, &m, &err) == SC_OK, "%s", err.msg);
    int back;
    ck_assert_msg(sc_engine_add_style(eng, m, &back, &err) == SC_OK, "%s", err.msg);
    sc_model_free(&m);
    ck_assert_int_eq(sc_engine_style_vec_len(eng, back), V);
    static float a[V];
    static uint8_t o1[W * H * 3], o2[W * H * 3];
    tr_vector(a, V, 5);
    run(style, a, o1);
    run(back, a, o2);
    ck_assert(memcmp(o1, o2, sizeof o1) == 0);
    sc_test_rmtree(dir);
}
END_TEST

/* A description whose vector length, conditional weights or values are
 * damaged is refused in one sentence naming the file. */
static void write_and_break(const char *sdir, const char *sed, int nan_at_end)
{
    struct sc_error err;
    ck_assert(sc_netfile_write(transfer, sdir, &err) == SC_OK);
    char cmd[1200], out[512];
    if (sed) {
        snprintf(cmd, sizeof cmd, "sed -i '%s' %s/manifest.json", sed, sdir);
        ck_assert(sc_test_sh(cmd, out, sizeof out) == 0);
    }
    if (nan_at_end) {
        /* The last layers' tensors end weights.bin: the last norm's shift. */
        snprintf(cmd, sizeof cmd, "printf '\\000\\000\\300\\177' | dd of=%s/weights.bin "
                 "bs=1 seek=$(( $(stat -c %%s %s/weights.bin) - 8 )) conv=notrunc "
                 "2>/dev/null", sdir, sdir);
        ck_assert(sc_test_sh(cmd, out, sizeof out) == 0);
    }
}

START_TEST(test_netfile_damaged)
{
    char dir[256], sdir[400], cmd[600];
    ck_assert(sc_test_tmpdir(dir, sizeof dir) == 0);
    snprintf(sdir, sizeof sdir, "%s/transfer", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s", sdir);
    ck_assert(system(cmd) == 0);
    static const struct { const char *sed; int nan; const char *says; } cases[] = {
        {"s/\"vector\": 100/\"vector\": 99/", 0, "style vector of 100 values"},
        {"s/\"vector\": 100,//", 0, "style vector of 100 values"},
        {"0,/\"cond\": 100/s//\"cond\": 5000/", 0, "out-of-range"},
        {"0,/\"cond\": 100/s//\"cond\": -1/", 0, "only an instance norm"},
        {"0,/\"op\": \"norm\"/s//\"op\": \"scale\"/", 0, "only an instance norm"},
        {NULL, 1, "NaN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_and_break(sdir, cases[i].sed, cases[i].nan);
        struct sc_model *m = NULL;
        struct sc_error err;
        ck_assert_msg(sc_model_load(sdir, &m, &err) != SC_OK, "case %zu loaded", i);
        printf("damaged description %zu: %s\n", i, err.msg);
        ck_assert_msg(strstr(err.msg, cases[i].says), "case %zu: %s", i, err.msg);
    }
    /* Weights cut short. */
    write_and_break(sdir, NULL, 0);
    snprintf(cmd, sizeof cmd, "truncate -s -400 %s/weights.bin", sdir);
    ck_assert(system(cmd) == 0);
    struct sc_model *m = NULL;
    struct sc_error err;
    ck_assert(sc_model_load(sdir, &m, &err) != SC_OK);
    printf("short weights: %s\n", err.msg);
    sc_test_rmtree(dir);
}
END_TEST

/* A copy of the TFLite file with a float16 of the tensor whose name ends
 * in tensor set to NaN. */
static void nan_copy(const struct sc_tfl *m, const char *tensor, const char *path)
{
    int t = -1;
    for (int i = 0; i < m->ntensors && t < 0; i++) {
        size_t n = strlen(m->t[i].name), k = strlen(tensor);
        if (n >= k && strcmp(m->t[i].name + n - k, tensor) == 0)
            t = i;
    }
    ck_assert_msg(t >= 0 && m->t[t].data, "no tensor %s", tensor);
    uint8_t *copy = malloc(m->len);
    memcpy(copy, m->file, m->len);
    size_t off = (size_t)(m->t[t].data - m->file) + 2 * 5;
    copy[off] = 0x00;
    copy[off + 1] = 0x7e;
    ck_assert(sc_test_write_file(path, copy, m->len) == 0);
    free(copy);
}

/* A copy with the first SUB's two inputs swapped (mean*g - beta, not
 * beta - mean*g): found by its inputs vector in the FlatBuffer. */
static void swapped_sub_copy(const struct sc_tfl *m, const char *path)
{
    int i = 0;
    while (i < m->nops && m->op[i].code != SC_TFLOP_SUB)
        i++;
    ck_assert(i < m->nops && m->op[i].nin == 2);
    int32_t vec[3] = {2, m->op[i].in[0], m->op[i].in[1]}, swapped[3] = {2, vec[2], vec[1]};
    uint8_t *copy = malloc(m->len);
    memcpy(copy, m->file, m->len);
    int found = 0;
    for (size_t at = 0; at + sizeof vec <= m->len; at += 4)
        if (memcmp(copy + at, vec, sizeof vec) == 0) {
            memcpy(copy + at, swapped, sizeof swapped);
            found++;
        }
    ck_assert_int_eq(found, 1);
    ck_assert(sc_test_write_file(path, copy, m->len) == 0);
    free(copy);
}

static void expect_refusal(const char *path, const char *says)
{
    struct sc_tfl *m = NULL;
    struct sc_net *n = NULL;
    struct sc_error err;
    enum sc_status st = sc_tfl_load(path, &m, &err);
    if (!st)
        st = sc_tfl_convert_transfer(m, "x", &n, &err);
    sc_tfl_free(&m);
    ck_assert_msg(st != SC_OK && n == NULL, "%s was converted", path);
    printf("refused: %s\n", err.msg);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, says), "%s", err.msg);
}

START_TEST(test_refusals)
{
    char dir[256], path[400], src[1200];
    struct sc_tfl *m;
    struct sc_error err;
    ck_assert(sc_test_tmpdir(dir, sizeof dir) == 0);
    ck_assert(sc_tfl_load(tr_model_path(src, sizeof src), &m, &err) == SC_OK);
    snprintf(path, sizeof path, "%s/truncated.tflite", dir);
    ck_assert(sc_test_write_file(path, m->file, m->len / 3) == 0);
    expect_refusal(path, "truncated");
    snprintf(path, sizeof path, "%s/nan_conv.tflite", dir);
    nan_copy(m, "transformer/contract/conv2/weights", path);
    expect_refusal(path, "CONV_2D");
    expect_refusal(path, "NaN");
    snprintf(path, sizeof path, "%s/nan_gamma.tflite", dir);
    nan_copy(m, "transformer/residual/residual3/conv2/StyleNorm/Conv_1/weights", path);
    expect_refusal(path, "NaN");
    /* The norm is recognised by its graph: a changed one is refused. */
    snprintf(path, sizeof path, "%s/swapped_sub.tflite", dir);
    swapped_sub_copy(m, path);
    expect_refusal(path, "(MEAN");
    expect_refusal(path, "shift is not the expected pattern");
    sc_tfl_free(&m);
    /* The predictor is not the transformer. */
    sc_test_shared_path(src, sizeof src, "models-arbitrary/style_predict_quantized_256.tflite");
    expect_refusal(src, "inputs");
    sc_test_rmtree(dir);
}
END_TEST

static void setup(void)
{
    struct sc_engine_opts o = {.cl_device = -1, .inflight = 1};
    struct sc_error err;
    ck_assert_msg(sc_engine_init(&eng, &o, &err) == SC_OK, "%s", err.msg);
    transfer = tr_convert();
    ck_assert_msg(sc_engine_add_net(eng, transfer, &style, &err) == SC_OK, "%s", err.msg);
    for (int i = 0; i < W * H * 3; i++)
        picture[i] = (uint8_t)((i * 7 + i / (W * 3) * 13) % 256);
}

static void teardown(void)
{
    sc_net_free(&transfer);
    sc_engine_free(&eng);
}

static const struct sc_test_opts opts = {
    .name = "transfer-cond", .timeout_s = 600, .setup_once = setup, .teardown_once = teardown,
};
SC_TEST_MAIN(&opts, test_cond_affine_ref, test_cond_norm_engine, test_vector_errors,
             test_switch_vectors, test_vectors_in_flight, test_netfile_round_trip,
             test_netfile_damaged, test_refusals)
