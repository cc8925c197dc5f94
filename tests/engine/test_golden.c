/* The engine against the TensorFlow.js references in ../shared/golden:
 * float output within 1e-3 everywhere, at the network's full output size. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "engine/engine.h"
#include "engine/engine_prof.h"
#include "tests/util/sc_test.h"

static struct sc_engine *eng;

static float *read_f32(const char *path, size_t *n)
{
    size_t bytes;
    float *v = (float *)sc_test_read_file(path, &bytes);
    ck_assert_msg(v != NULL, "cannot read %s", path);
    *n = bytes / sizeof(float);
    return v;
}

/* Runs one reference "NAME_WxH.STYLE.f32" and returns the largest difference. */
static double check_reference(const char *golden, const char *f32name)
{
    char base[256], style[64], path[1600];
    const char *dot = strchr(f32name, '.');
    snprintf(base, sizeof base, "%.*s", (int)(dot - f32name), f32name);
    snprintf(style, sizeof style, "%.*s", (int)(strrchr(f32name, '.') - dot - 1), dot + 1);

    snprintf(path, sizeof path, "%s/%s.png", golden, base);
    int w, h, comp;
    unsigned char *img = stbi_load(path, &w, &h, &comp, 3);
    ck_assert_msg(img != NULL, "cannot load %s", path);

    char mdir[1400];
    snprintf(mdir, sizeof mdir, "%s/models/%s", sc_test_shared(), style);
    struct sc_model *m;
    struct sc_error err;
    ck_assert_msg(sc_model_load(mdir, &m, &err) == SC_OK, "%s", err.msg);
    int idx;
    ck_assert_msg(sc_engine_add_style(eng, m, &idx, &err) == SC_OK, "%s", err.msg);
    sc_model_free(&m);

    size_t nref;
    snprintf(path, sizeof path, "%s/%s", golden, f32name);
    float *ref = read_f32(path, &nref);
    float *out = malloc(nref * sizeof *out + 16);
    int ow, oh;
    ck_assert_msg(sc_engine_run_f32(eng, idx, img, w, h, out, &ow, &oh, &err) == SC_OK,
                  "%s", err.msg);
    ck_assert_msg((size_t)ow * oh * 3 == nref, "%s: output %dx%d, reference has %zu values",
                  f32name, ow, oh, nref);
    double maxd = 0;
    size_t at = 0;
    for (size_t i = 0; i < nref; i++) {
        double d = fabs((double)out[i] - ref[i]);
        if (!(d <= maxd)) { maxd = d; at = i; }
    }
    printf("golden %-36s %dx%d  max |diff| %.3g at (%zu,%zu,%zu)\n", f32name, ow, oh, maxd,
           at / 3 % (size_t)ow, at / 3 / (size_t)ow, at % 3);
    free(out);
    free(ref);
    stbi_image_free(img);
    return maxd;
}

START_TEST(test_golden_all)
{
    char golden[1024];
    snprintf(golden, sizeof golden, "%s/golden", sc_test_shared());
    DIR *d = opendir(golden);
    ck_assert_msg(d != NULL, "no %s", golden);
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 4, ".f32") != 0)
            continue;
        double maxd = check_reference(golden, de->d_name);
        ck_assert_msg(maxd <= 1e-3, "%s differs by %g (limit 1e-3)", de->d_name, maxd);
        count++;
    }
    closedir(d);
    ck_assert_msg(count >= 5, "expected the golden references, found %d", count);
}
END_TEST

static void setup(void)
{
    struct sc_engine_opts o = {.cl_device = -1};
    struct sc_error err;
    ck_assert_msg(sc_engine_init(&eng, &o, &err) == SC_OK, "%s", err.msg);
}

static void teardown(void)
{
    sc_engine_free(&eng);
}

static const struct sc_test_opts opts = {
    .name = "golden", .timeout_s = 900, .setup_once = setup, .teardown_once = teardown,
};
SC_TEST_MAIN(&opts, test_golden_all)
