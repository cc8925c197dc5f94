/* stylecam stylize --style NAME IN OUT: one image through the network. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/cmd/commands.h"
#include "app/styles/arbitrary.h"
#include "app/styles/store.h"
#include "common/image_io.h"
#include "common/log.h"
#include "engine/engine.h"

int sc_cmd_list_cl(struct sc_app *app)
{
    struct sc_error err;
    if (sc_engine_list_devices(stdout, &err)) {
        sc_err("%s", err.msg);
        return 1;
    }
    return 0;
}

int sc_cmd_list_styles(struct sc_app *app)
{
    sc_styles_print(&app->styles, stdout);
    char dir[PATH_MAX];
    sc_store_dir(app->env->data_home, dir);
    sc_store_print(dir, app->styles.n + 1, stdout);
    return 0;
}

/* Engine errors describe the frame; say which file it came from. */
static void report(const char *path, struct sc_error *err)
{
    if (err->status == SC_ERR_TOO_LARGE || err->status == SC_ERR_ARG) {
        err->msg[0] = (char)tolower((unsigned char)err->msg[0]);
        sc_err("Cannot stylize %s: %s", path, err->msg);
    } else {
        sc_err("%s", err->msg);
    }
}

static enum sc_status run_style(struct sc_app *app, struct sc_engine *eng, int idx,
                                const uint8_t *in, int w, int h, struct sc_error *err)
{
    const struct sc_options *o = app->opt;
    uint8_t *out = malloc((size_t)w * h * 3);
    if (!out)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for a %dx%d image.", w, h);
    struct sc_run_params p = {.strength = o->strength, .keep_colors = o->keep_colors,
                              .mirror = o->mirror};
    enum sc_status st = sc_engine_run(eng, idx, in, w, h, &p, out, err);
    if (!st)
        st = sc_image_save(o->out, out, w, h, SC_FILE_REPLACE, err);
    free(out);
    return st;
}

/* --style-image: the picture's predicted vector exactly (no blend), into
 * the transformer as a new engine style. */
static enum sc_status add_picture_style(struct sc_app *app, struct sc_engine *eng, int *idx,
                                        struct sc_error *err)
{
    const char *pic = app->opt->style_images[0];
    struct sc_arb_paths paths;
    struct sc_predict *pr = NULL;
    struct sc_model *m = NULL;
    float vec[SC_STYLE_VEC];
    enum sc_status st = sc_arb_find((const char (*)[PATH_MAX])app->styles.dirs,
                                    app->styles.ndirs, &paths, err);
    if (!st)
        st = sc_arb_predictor_load(&paths, &pr, err);
    if (!st)
        st = sc_arb_predict_file(pr, pic, vec, err);
    sc_predict_free(&pr);
    if (!st)
        st = sc_arb_transfer_load(&paths, &m, err);
    if (!st)
        st = sc_arb_engine_add(eng, m, vec, idx, err);
    sc_model_free(&m);
    return st;
}

static enum sc_status run(struct sc_app *app, struct sc_engine *eng, const uint8_t *in,
                          int w, int h, struct sc_error *err)
{
    const struct sc_options *o = app->opt;
    int idx = 0;
    if (o->nstyle_images) {
        enum sc_status st = add_picture_style(app, eng, &idx, err);
        return st ? st : run_style(app, eng, idx, in, w, h, err);
    }
    int i = sc_styles_find(&app->styles, o->style);
    if (i < 0)
        return sc_styles_unknown(&app->styles, o->style, err);
    struct sc_model *m;
    enum sc_status st = sc_styles_load(&app->styles, i, &m, err);
    if (!st) {
        st = sc_engine_add_style(eng, m, &idx, err);
        sc_model_free(&m);
    }
    return st ? st : run_style(app, eng, idx, in, w, h, err);
}

int sc_cmd_stylize(struct sc_app *app)
{
    const struct sc_options *o = app->opt;
    struct sc_error err;
    sc_error_clear(&err);
    uint8_t *in;
    int w, h;
    if (sc_image_load(o->in, &in, &w, &h, &err)) {
        sc_err("%s", err.msg);
        return 1;
    }
    struct sc_engine *eng = NULL;
    struct sc_engine_opts eo = {.cl_device = app->cl_device, .cache_dir = app->env->cache_dir,
                                 .fp16 = app->opt->fp16};
    enum sc_status st = sc_engine_init(&eng, &eo, &err);
    if (!st)
        st = run(app, eng, in, w, h, &err);
    if (st)
        report(o->in, &err);
    else
        sc_info("wrote %s (%dx%d, style %s, %s)", o->out, w, h,
                o->style ? o->style : o->style_images[0],
                sc_engine_device_name(eng));
    sc_engine_free(&eng);
    sc_image_free(in);
    return st ? 1 : 0;
}
