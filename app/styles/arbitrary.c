#include "app/styles/arbitrary.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/image_check.h"
#include "common/image_io.h"

static int has_manifest(const char *dir)
{
    char m[PATH_MAX + 32];
    struct stat sb;
    snprintf(m, sizeof m, "%s/manifest.json", dir);
    return stat(m, &sb) == 0;
}

enum sc_status sc_arb_find(const char (*dirs)[PATH_MAX], int ndirs, struct sc_arb_paths *p,
                           struct sc_error *err)
{
    for (int i = 0; i < ndirs; i++) {
        if (strlen(dirs[i]) + 32 >= PATH_MAX)
            continue;
        snprintf(p->predict, PATH_MAX, "%s/arbitrary/predict", dirs[i]);
        snprintf(p->transfer, PATH_MAX, "%s/arbitrary/transfer", dirs[i]);
        if (has_manifest(p->predict) && has_manifest(p->transfer))
            return SC_OK;
    }
    p->predict[0] = p->transfer[0] = '\0';
    return sc_error_set(err, SC_ERR_NOT_FOUND, "Pictures cannot be used as styles: the "
                        "arbitrary-style networks are not installed (no arbitrary/predict "
                        "and arbitrary/transfer in %s%s); run 'stylecam download arbitrary'.",
                        ndirs ? dirs[0] : "the style folders", ndirs > 1 ? " or the other "
                        "style folders" : "");
}

/* A damaged network: what failed, and the way out. */
static enum sc_status damaged(struct sc_error *err, const char *what)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    size_t n = strlen(why);
    if (n && why[n - 1] == '.')
        why[n - 1] = '\0';
    return sc_error_set(err, err->status ? err->status : SC_ERR_FORMAT, "The arbitrary-style "
                        "%s network is damaged (%.900s); run 'stylecam download arbitrary' "
                        "again.", what, why);
}

enum sc_status sc_arb_predictor_load(const struct sc_arb_paths *p, struct sc_predict **out,
                                     struct sc_error *err)
{
    if (sc_predict_load(p->predict, out, err))
        return damaged(err, "prediction");
    return SC_OK;
}

enum sc_status sc_arb_transfer_load(const struct sc_arb_paths *p, struct sc_model **out,
                                    struct sc_error *err)
{
    if (sc_model_load(p->transfer, out, err))
        return damaged(err, "transfer");
    return SC_OK;
}

enum sc_status sc_arb_predict_file(struct sc_predict *pr, const char *path,
                                   float vec[SC_STYLE_VEC], struct sc_error *err)
{
    uint8_t *rgb;
    int w, h;
    enum sc_status st = sc_image_load_style(path, &rgb, &w, &h, err);
    if (st)
        return st;
    st = sc_predict_run(pr, rgb, w, h, vec, err);
    sc_image_free(rgb);
    if (!st && !sc_arb_vec_ok(vec, SC_STYLE_VEC))
        st = sc_error_set(err, SC_ERR_FORMAT, "The style predicted from %s is not finite; "
                          "the prediction network may be damaged: run 'stylecam download "
                          "arbitrary' again.", path);
    return st;
}

enum sc_status sc_arb_engine_add(struct sc_engine *e, const struct sc_model *transfer,
                                 const float vec[SC_STYLE_VEC], int *index,
                                 struct sc_error *err)
{
    int idx;
    enum sc_status st = sc_engine_add_style(e, transfer, &idx, err);
    if (st)
        return st;
    if (sc_engine_style_vec_len(e, idx) != SC_STYLE_VEC)
        return sc_error_set(err, SC_ERR_FORMAT, "The arbitrary-style transfer network takes "
                            "a style vector of %d values, not %d; run 'stylecam download "
                            "arbitrary' again.", sc_engine_style_vec_len(e, idx), SC_STYLE_VEC);
    st = sc_engine_set_style_vector(e, idx, vec, err);
    if (!st && index)
        *index = idx;
    return st;
}

int sc_arb_vec_ok(const float *vec, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(vec[i]))
            return 0;
    return 1;
}

void sc_arb_vec_mix(const float *a, const float *b, float t, float *out)
{
    for (int i = 0; i < SC_STYLE_VEC; i++)
        out[i] = (1.0f - t) * a[i] + t * b[i];
}

void sc_arb_name(const char *path, sc_arb_taken_fn taken, void *ctx, char out[64])
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char stem[48];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof stem - 1; i++) {
        unsigned char ch = (unsigned char)base[i];
        stem[k++] = isalnum(ch) || ch == '-' || ch == '_' ? (char)ch : '_';
    }
    stem[k] = '\0';
    if (!k)
        snprintf(stem, sizeof stem, "picture");
    snprintf(out, 64, "%s", stem);
    for (int i = 2; taken && taken(ctx, out) && i < 10000; i++)
        snprintf(out, 64, "%s-%d", stem, i);
}
