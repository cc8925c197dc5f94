#include "tests/arbitrary/transfer/tr_util.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <stb_image.h>

#include "import/tflite_conv_priv.h"
#include "tests/util/sc_test.h"

const char *tr_model_path(char *buf, size_t n)
{
    return sc_test_shared_path(buf, n, "models-arbitrary/style_transfer_f16_384.tflite");
}

struct sc_net *tr_convert(void)
{
    char path[1200];
    struct sc_tfl *m;
    struct sc_net *net;
    struct sc_error err;
    ck_assert_msg(sc_tfl_load(tr_model_path(path, sizeof path), &m, &err) == SC_OK, "%s",
                  err.msg);
    ck_assert_msg(sc_tfl_convert_transfer(m, "transfer", &net, &err) == SC_OK, "%s", err.msg);
    sc_tfl_free(&m);
    return net;
}

float *tr_read_f32(const char *path, size_t *n)
{
    float *v = sc_test_read_floats(path, n);
    ck_assert_msg(v != NULL, "cannot read %s", path);
    return v;
}

uint8_t *tr_load_png(const char *path, int *w, int *h)
{
    int comp;
    uint8_t *img = stbi_load(path, w, h, &comp, 3);
    ck_assert_msg(img != NULL, "cannot load %s", path);
    return img;
}

void tr_diff_f32(const float *out, int ow, const float *ref, int w, int h, double tol,
                 struct tr_diff *d)
{
    *d = (struct tr_diff){0, 0, (size_t)w * h * 3};
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * 3; x++) {
            double e = fabs((double)out[(size_t)y * ow * 3 + x] - ref[(size_t)y * w * 3 + x]);
            if (!(e <= d->max))
                d->max = e;
            if (!(e <= tol))
                d->beyond++;
        }
}

void tr_diff_u8(const uint8_t *a, const uint8_t *b, size_t n, int tol, struct tr_diff *d)
{
    *d = (struct tr_diff){0, 0, n};
    for (size_t i = 0; i < n; i++) {
        int e = abs((int)a[i] - b[i]);
        if (e > d->max)
            d->max = e;
        if (e > tol)
            d->beyond++;
    }
}

void tr_vector(float *v, int n, unsigned seed)
{
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (float)((seed >> 8) % 2001) / 1000.0f - 1.0f;
    }
}
