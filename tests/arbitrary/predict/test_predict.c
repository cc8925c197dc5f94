/* The int8 style predictor against TensorFlow Lite's own runtime: the shared
 * TFLite network converted at test time, run on every reference picture
 * (golden-arbitrary and tests/arbitrary/refs), its 100 outputs compared on
 * the runtime's int8 grid. Damaged inputs end in one sentence. */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/image_io.h"
#include "engine/predict_priv.h"
#include "import/tflite_conv_priv.h"
#include "tests/util/sc_test.h"

#define MAX_REFS 64

static char dir[256], conv[512], tfl[512];
static float out_scale;
static int out_zp;

struct ref {
    char png[768], vec[768], name[128];
};

static void setup_once(void)
{
    ck_assert(sc_test_tmpdir(dir, sizeof dir) == 0);
    snprintf(conv, sizeof conv, "%s/predict", dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", conv);
    ck_assert(system(cmd) == 0);
    sc_test_shared_path(tfl, sizeof tfl, "models-arbitrary/style_predict_quantized_256.tflite");
    struct sc_tfl *m;
    struct sc_error err;
    ck_assert_msg(sc_tfl_load(tfl, &m, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_tfl_convert_predict(m, conv, &err) == SC_OK, "%s", err.msg);
    sc_tfl_free(&m);
    struct sc_predict *p;
    ck_assert_msg(sc_predict_load(conv, &p, &err) == SC_OK, "%s", err.msg);
    out_scale = p->out_q.scale;
    out_zp = p->out_q.zp;
    sc_predict_free(&p);
}

static void teardown_once(void)
{
    sc_test_rmtree(dir);
}

/* The golden pair, then every style_vector_<name>.txt in the refs folder
 * with its style_<name>_256.png. */
static int list_refs(struct ref *r)
{
    int n = 0;
    sc_test_shared_path(r[0].png, sizeof r[0].png, "golden-arbitrary/style_coffee_256.png");
    sc_test_shared_path(r[0].vec, sizeof r[0].vec, "golden-arbitrary/style_vector_coffee.f32");
    snprintf(r[n++].name, sizeof r[0].name, "coffee (golden)");
    const char *rd = getenv("STYLECAM_PREDICT_REFS");
    DIR *d = rd ? opendir(rd) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < MAX_REFS) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "style_vector_", 13) || len < 18 || len > 100 ||
            strcmp(e->d_name + len - 4, ".txt"))
            continue;
        snprintf(r[n].name, sizeof r[n].name, "%.*s", (int)(len - 17), e->d_name + 13);
        snprintf(r[n].vec, sizeof r[n].vec, "%s/%s", rd, e->d_name);
        snprintf(r[n].png, sizeof r[n].png, "%s/style_%s_256.png", rd, r[n].name);
        FILE *f = fopen(r[n].png, "rb");
        if (f) {
            fclose(f);
            n++;
        }
    }
    if (d)
        closedir(d);
    return n;
}

static void load_vec(const char *path, float v[SC_STYLE_VEC])
{
    size_t n = 0;
    float *b = sc_test_read_floats(path, &n);
    ck_assert_msg(b && n == SC_STYLE_VEC, "%s should hold 100 floats", path);
    memcpy(v, b, sizeof(float) * SC_STYLE_VEC);
    free(b);
}

/* A float of the output on the runtime's int8 grid. */
static int grid(float v)
{
    return (int)lrintf(v / out_scale) + out_zp;
}

struct score {
    int equal, one, worse;
};

static struct score compare(struct sc_predict *p, const struct ref *r, double *ms)
{
    uint8_t *rgb;
    int w, h;
    struct sc_error err;
    ck_assert_msg(sc_image_load(r->png, &rgb, &w, &h, &err) == SC_OK, "%s", err.msg);
    float want[SC_STYLE_VEC], got[SC_STYLE_VEC];
    load_vec(r->vec, want);
    int64_t t0 = sc_test_now_us();
    ck_assert_msg(sc_predict_run(p, rgb, w, h, got, &err) == SC_OK, "%s", err.msg);
    if (ms)
        *ms = (double)(sc_test_now_us() - t0) / 1000.0;
    sc_image_free(rgb);
    struct score s = {0, 0, 0};
    for (int i = 0; i < SC_STYLE_VEC; i++) {
        int d = abs(grid(got[i]) - grid(want[i]));
        ck_assert_msg(fabsf(want[i] - (float)(grid(want[i]) - out_zp) * out_scale) < 1e-6f,
                      "%s[%d] = %g is not on the output's int8 grid", r->vec, i, want[i]);
        s.equal += d == 0;
        s.one += d == 1;
        s.worse += d > 1;
    }
    return s;
}

/* Nearly every component on the runtime's value, never two steps off. */
START_TEST(test_matches_the_runtime)
{
    static struct ref refs[MAX_REFS];
    int n = list_refs(refs);
    struct sc_predict *p;
    struct sc_error err;
    ck_assert_msg(sc_predict_load(conv, &p, &err) == SC_OK, "%s", err.msg);
    int total = 0;
    for (int i = 0; i < n; i++) {
        double ms;
        struct score s = compare(p, &refs[i], &ms);
        printf("predict %-24s %3d/100 equal, %d one step off, %d more (%.0f ms)\n",
               refs[i].name, s.equal, s.one, s.worse, ms);
        ck_assert_msg(s.worse == 0 && s.equal >= 99, "%s: %d/100 equal, %d off by more "
                      "than one step", refs[i].name, s.equal, s.worse);
        total += s.equal;
    }
    printf("predict: %d references, %d of %d components equal\n", n, total, 100 * n);
    sc_predict_free(&p);
}
END_TEST

/* The runtime's rules match the references at least as well as any
 * alternative rounding (TFLite's own kernels, the older XNNPACK add, other
 * means): evidence the emulated arithmetic is the one that ran. */
START_TEST(test_rules_tell_apart)
{
    static struct ref refs[MAX_REFS];
    int n = list_refs(refs);
    static const int variants[] = {0, SC_PL_MEAN_TFLITE, SC_PL_MEAN_REF, SC_PL_ADD_XNN21,
                                   SC_PL_ADD_TFLITE, SC_PL_CONV_TFLITE};
    struct sc_predict *p;
    struct sc_error err;
    ck_assert_msg(sc_predict_load(conv, &p, &err) == SC_OK, "%s", err.msg);
    int best = 0, chosen = 0;
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        ck_assert_msg(sc_predict_set_rules(p, variants[v], &err) == SC_OK, "%s", err.msg);
        int eq = 0;
        for (int i = 0; i < n; i++)
            eq += compare(p, &refs[i], NULL).equal;
        printf("predict rules 0x%02x: %d of %d equal\n", variants[v], eq, 100 * n);
        if (v == 0)
            chosen = eq;
        best = eq > best ? eq : best;
    }
    sc_predict_free(&p);
    ck_assert_msg(chosen >= best, "another rounding matches the references better (%d > %d)",
                  best, chosen);
}
END_TEST

/* A larger, wider picture: centre-cropped, and an exact 2x area average gives
 * back the 256x256 picture, so the same vector. */
START_TEST(test_crop_and_area_resize)
{
    char png[768];
    sc_test_shared_path(png, sizeof png, "golden-arbitrary/style_coffee_256.png");
    uint8_t *rgb;
    int w, h;
    struct sc_error err;
    ck_assert_msg(sc_image_load(png, &rgb, &w, &h, &err) == SC_OK, "%s", err.msg);
    int bw = 600, bh = 512;
    uint8_t *big = malloc((size_t)bw * bh * 3);
    ck_assert(big);
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++)
            for (int c = 0; c < 3; c++) {
                int sx = x - 44;
                int v = sx < 0 || sx >= 512 ? 255 : rgb[((y / 2) * 256 + sx / 2) * 3 + c];
                big[((size_t)y * bw + x) * 3 + c] = (uint8_t)v;
            }
    struct sc_predict *p;
    ck_assert_msg(sc_predict_load(conv, &p, &err) == SC_OK, "%s", err.msg);
    float a[SC_STYLE_VEC], b[SC_STYLE_VEC], c3[SC_STYLE_VEC];
    ck_assert(sc_predict_run(p, rgb, 256, 256, a, &err) == SC_OK);
    ck_assert(sc_predict_run(p, big, bw, bh, b, &err) == SC_OK);
    ck_assert(memcmp(a, b, sizeof a) == 0);
    /* Other ratios run (smaller and non-integer): a vector on the grid. */
    ck_assert(sc_predict_run(p, big, 300, 200, c3, &err) == SC_OK);
    ck_assert(sc_predict_run(p, big, 600, 400, c3, &err) == SC_OK);
    for (int i = 0; i < SC_STYLE_VEC; i++)
        ck_assert(isfinite(c3[i]));
    ck_assert(sc_predict_run(p, big, 0, 10, c3, &err) == SC_ERR_ARG);
    sc_predict_free(&p);
    free(big);
    sc_image_free(rgb);
}
END_TEST

/* OpenCV's INTER_AREA as the references were made (oracle/prep.py, OpenCV
 * 4.6): the original PNGs' centre squares resized here are the reference
 * pictures pixel for pixel (coffee 400 -> 256 and chelsea 300 -> 256 take
 * the fractional path, astronaut 512 -> 256 the 2x one), and the whole
 * pipeline from the original gives the runtime's vector. */
START_TEST(test_area_resize_is_opencvs)
{
    static const char *const pairs[][3] = {
        {"images/coffee.png", "golden-arbitrary/style_coffee_256.png",
         "golden-arbitrary/style_vector_coffee.f32"},
        {"images/astronaut.png", "astronaut", NULL},
        {"images/chelsea.png", "chelsea", NULL},
    };
    struct sc_predict *p;
    struct sc_error err;
    ck_assert_msg(sc_predict_load(conv, &p, &err) == SC_OK, "%s", err.msg);
    int done = 0;
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        char orig[600], png[800], vec[800];
        sc_test_shared_path(orig, sizeof orig, pairs[i][0]);
        const char *rd = getenv("STYLECAM_PREDICT_REFS");
        if (pairs[i][2]) {
            sc_test_shared_path(png, sizeof png, pairs[i][1]);
            sc_test_shared_path(vec, sizeof vec, pairs[i][2]);
        } else {
            snprintf(png, sizeof png, "%s/style_%s_256.png", rd ? rd : ".", pairs[i][1]);
            snprintf(vec, sizeof vec, "%s/style_vector_%s.txt", rd ? rd : ".", pairs[i][1]);
        }
        uint8_t *a, *b;
        int w, h, w2, h2;
        if (sc_image_load(png, &b, &w2, &h2, &err) != SC_OK)
            continue;   /* a reference not made yet */
        ck_assert_msg(sc_image_load(orig, &a, &w, &h, &err) == SC_OK, "%s", err.msg);
        uint8_t *mine = malloc(256 * 256 * 3);
        ck_assert(mine && w2 == 256 && h2 == 256);
        sc_pl_area_resize(a, w, h, mine);
        int differ = 0;
        for (int k = 0; k < 256 * 256 * 3; k++)
            differ += mine[k] != b[k];
        ck_assert_msg(differ == 0, "%s: %d values differ from OpenCV's INTER_AREA", orig, differ);
        float want[SC_STYLE_VEC], got[SC_STYLE_VEC];
        load_vec(vec, want);
        ck_assert(sc_predict_run(p, a, w, h, got, &err) == SC_OK);
        for (int k = 0; k < SC_STYLE_VEC; k++)
            ck_assert_msg(grid(got[k]) == grid(want[k]), "%s: component %d", orig, k);
        printf("predict %s %dx%d: resized as OpenCV does, the runtime's vector\n", orig, w, h);
        free(mine);
        sc_image_free(a);
        sc_image_free(b);
        done++;
    }
    sc_predict_free(&p);
    ck_assert(done >= 1);
}
END_TEST

/* ---- refusals ---- */

static void expect_refused(const char *d, const char *what)
{
    struct sc_predict *p = (struct sc_predict *)1;
    struct sc_error err = {0};
    enum sc_status st = sc_predict_load(d, &p, &err);
    ck_assert_msg(st != SC_OK, "%s was accepted", what);
    ck_assert(p == NULL);
    size_t n = strlen(err.msg);
    ck_assert_msg(n > 10 && err.msg[n - 1] == '.' && !strchr(err.msg, '\n'),
                  "%s: not one sentence: '%s'", what, err.msg);
}

static void copy_file(const char *from, const char *to, long cut)
{
    size_t len;
    char *b = sc_test_read_file(from, &len);
    ck_assert(b);
    ck_assert(sc_test_write_file(to, b, cut >= 0 && (size_t)cut < len ? (size_t)cut : len) == 0);
    free(b);
}

/* A copy of the converted folder in sub, its manifest changed by edit. */
static void damaged(const char *sub, void (*edit)(struct json_object *root), const char *what)
{
    char d[600], from[800], to[800], cmd[700];
    snprintf(d, sizeof d, "%s/%s", dir, sub);
    snprintf(cmd, sizeof cmd, "mkdir -p %s", d);
    ck_assert(system(cmd) == 0);
    snprintf(from, sizeof from, "%s/weights.bin", conv);
    snprintf(to, sizeof to, "%s/weights.bin", d);
    copy_file(from, to, -1);
    snprintf(from, sizeof from, "%s/manifest.json", conv);
    struct json_object *root = json_object_from_file(from);
    ck_assert(root);
    edit(root);
    snprintf(to, sizeof to, "%s/manifest.json", d);
    ck_assert(json_object_to_file(to, root) == 0);
    json_object_put(root);
    expect_refused(d, what);
}

static struct json_object *layer(struct json_object *root, int k)
{
    struct json_object *l;
    ck_assert(json_object_object_get_ex(root, "layers", &l));
    return json_object_array_get_idx(l, (size_t)k);
}

static struct json_object *member(struct json_object *o, const char *key)
{
    struct json_object *m = NULL;
    ck_assert(json_object_object_get_ex(o, key, &m));
    return m;
}

/* o's member key set to v, or element idx of that array member (idx >= 0). */
static void put(struct json_object *o, const char *key, int idx, struct json_object *v)
{
    if (idx < 0)
        json_object_object_add(o, key, v);
    else
        json_object_array_put_idx(member(o, key), (size_t)idx, v);
}

static struct json_object *ji(int64_t v) { return json_object_new_int64(v); }
static struct json_object *jd(double v) { return json_object_new_double(v); }
static struct json_object *js(const char *v) { return json_object_new_string(v); }
static int64_t blob_size(struct json_object *r)
{
    return json_object_get_int64(member(r, "blob_size"));
}

static void e_offset(struct json_object *r)
{
    put(layer(r, 3), "weights", -1, ji(blob_size(r) - 10));
}
static void e_nan(struct json_object *r) { put(member(layer(r, 0), "out"), "scale", -1, jd(NAN)); }
static void e_negative(struct json_object *r)
{
    put(member(layer(r, 5), "in"), "scale", -1, jd(-0.5));
}
static void e_zero(struct json_object *r) { put(member(layer(r, 5), "in"), "scale", -1, jd(0)); }
static void e_zp(struct json_object *r) { put(member(layer(r, 1), "in"), "zp", -1, ji(300)); }
static void e_shape(struct json_object *r) { put(layer(r, 2), "shape", 0, ji(999)); }
static void e_forward(struct json_object *r) { put(layer(r, 4), "inputs", 0, ji(10)); }
static void e_output(struct json_object *r) { put(member(r, "output"), "layer", -1, ji(3)); }
static void e_op(struct json_object *r) { put(layer(r, 10), "op", -1, js("softmax")); }
static void e_kernel(struct json_object *r) { put(layer(r, 0), "kernel", 0, ji(8)); }
static void e_padding(struct json_object *r) { put(layer(r, 0), "padding", -1, js("valid")); }
static void e_blob(struct json_object *r) { put(r, "blob_size", -1, ji(blob_size(r) + 4)); }
static void e_bias(struct json_object *r) { put(layer(r, 6), "bias", -1, ji(1)); }
static void e_noin(struct json_object *r) { json_object_object_del(layer(r, 7), "inputs"); }
static void e_type(struct json_object *r) { put(layer(r, 0), "stride", -1, js("2")); }

static void e_clamp(struct json_object *r)
{
    put(layer(r, 1), "clamp", 0, ji(100));
    put(layer(r, 1), "clamp", 1, ji(90));
}

START_TEST(test_damaged_manifests)
{
    damaged("offset", e_offset, "weights offset past the blob");
    damaged("nan", e_nan, "a NaN scale");
    damaged("negative", e_negative, "a negative scale");
    damaged("zero", e_zero, "a zero scale");
    damaged("zp", e_zp, "a zero point outside int8");
    damaged("shape", e_shape, "a wrong output shape");
    damaged("forward", e_forward, "an input from a later layer");
    damaged("output", e_output, "an output that is not 100 values");
    damaged("op", e_op, "an unknown op");
    damaged("kernel", e_kernel, "a kernel larger than 7");
    damaged("padding", e_padding, "a padding that does not give the shape");
    damaged("blob", e_blob, "a blob size that is not the file's");
    damaged("bias", e_bias, "a misaligned bias offset");
    damaged("clamp", e_clamp, "an empty clamp");
    damaged("noin", e_noin, "a layer without inputs");
    damaged("type", e_type, "a stride that is a string");
}
END_TEST

START_TEST(test_damaged_files)
{
    char d[600], from[800], to[800], cmd[700];
    snprintf(d, sizeof d, "%s/files", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s", d);
    ck_assert(system(cmd) == 0);
    expect_refused(d, "an empty folder");
    /* Truncated weights.bin. */
    snprintf(from, sizeof from, "%s/manifest.json", conv);
    snprintf(to, sizeof to, "%s/manifest.json", d);
    copy_file(from, to, -1);
    snprintf(from, sizeof from, "%s/weights.bin", conv);
    snprintf(to, sizeof to, "%s/weights.bin", d);
    copy_file(from, to, 5000);
    expect_refused(d, "a truncated weights.bin");
    /* A NaN weight scale inside weights.bin. */
    size_t len;
    uint8_t *b = (uint8_t *)sc_test_read_file(from, &len);
    snprintf(cmd, sizeof cmd, "%s/manifest.json", conv);
    struct json_object *root = json_object_from_file(cmd);
    ck_assert(b && root);
    int off = json_object_get_int(member(layer(root, 2), "wscale"));
    float nan = NAN;
    memcpy(b + off + 4, &nan, 4);
    ck_assert(sc_test_write_file(to, b, len) == 0);
    expect_refused(d, "a NaN weight scale");
    json_object_put(root);
    free(b);
    /* Truncated manifest at a few places. */
    copy_file(from, to, -1);
    snprintf(from, sizeof from, "%s/manifest.json", conv);
    snprintf(to, sizeof to, "%s/manifest.json", d);
    for (long cut = 0; cut < 4000; cut += 333) {
        copy_file(from, to, cut);
        expect_refused(d, "a truncated manifest");
    }
}
END_TEST

/* The converter: a truncated TFLite file and another network are refused. */
START_TEST(test_converter_refuses)
{
    char path[600];
    snprintf(path, sizeof path, "%s/trunc.tflite", dir);
    copy_file(tfl, path, 100000);
    struct sc_tfl *m = NULL;
    struct sc_error err;
    ck_assert(sc_tfl_load(path, &m, &err) != SC_OK);
    ck_assert(m == NULL && strstr(err.msg, "trunc.tflite"));
    char other[512];
    sc_test_shared_path(other, sizeof other, "models-arbitrary/style_transfer_f16_384.tflite");
    ck_assert_msg(sc_tfl_load(other, &m, &err) == SC_OK, "%s", err.msg);
    ck_assert(sc_tfl_convert_predict(m, dir, &err) != SC_OK);
    ck_assert_msg(strstr(err.msg, "style_transfer_f16_384.tflite") && !strchr(err.msg, '\n'),
                  "%s", err.msg);
    sc_tfl_free(&m);
}
END_TEST

/* Damaged networks: words overwritten here and there in the FlatBuffer's
 * tables (the last sixth of the file; the weights come first). Whatever the reader lets
 * through, the converter and the loader either accept or refuse in one
 * sentence; nothing crashes (the sanitizer build runs this too). */
START_TEST(test_converter_survives_damage)
{
    size_t len;
    uint8_t *orig = (uint8_t *)sc_test_read_file(tfl, &len);
    ck_assert(orig && len > 200000);
    uint8_t *b = malloc(len);
    char path[600], out[600], cmd[700];
    snprintf(path, sizeof path, "%s/damaged.tflite", dir);
    snprintf(out, sizeof out, "%s/damaged", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s", out);
    ck_assert(b && system(cmd) == 0);
    uint32_t x = 2024;
    int refused = 0;
    for (int r = 0; r < 40; r++) {
        memcpy(b, orig, len);
        for (int k = 0; k < 6; k++) {
            x = x * 1664525u + 1013904223u;
            size_t span = len / 6, at = len - span + (x >> 4) % span;
            x = x * 1664525u + 1013904223u;
            memcpy(b + (at & ~(size_t)3), &x, 4);
        }
        ck_assert(sc_test_write_file(path, b, len) == 0);
        struct sc_tfl *m;
        struct sc_error err = {0};
        if (sc_tfl_load(path, &m, &err) != SC_OK) {
            refused++;
            continue;
        }
        if (sc_tfl_convert_predict(m, out, &err) != SC_OK) {
            ck_assert_msg(err.msg[0] && !strchr(err.msg, '\n'), "'%s'", err.msg);
            refused++;
        } else {
            struct sc_predict *p;
            if (sc_predict_load(out, &p, &err) == SC_OK)
                sc_predict_free(&p);
            else
                refused++;
        }
        sc_tfl_free(&m);
    }
    printf("predict: %d of 40 damaged networks refused\n", refused);
    free(b);
    free(orig);
}
END_TEST

static const struct sc_test_opts opts = {
    .name = "predict", .setup_once = setup_once, .teardown_once = teardown_once,
};
SC_TEST_MAIN(&opts, test_matches_the_runtime, test_rules_tell_apart, test_crop_and_area_resize,
             test_area_resize_is_opencvs,
             test_damaged_manifests, test_damaged_files, test_converter_refuses,
             test_converter_survives_damage)
