/* Picture styles at start: the --style-image pictures and the styles kept
 * from earlier sessions (P, a dropped picture) become engine styles of the
 * arbitrary transformer, each with its own vector. */
#include <math.h>
#include <string.h>

#include "app/live.h"
#include "app/styles/store.h"
#include "common/log.h"

static int name_taken(void *ctx, const char *name)
{
    struct sc_live *lv = ctx;
    for (int i = 0; i < lv->nstyles; i++)
        if (strcmp(lv->style_names[i], name) == 0)
            return 1;
    return lv->arb.store[0] && sc_store_has(lv->arb.store, name);
}

/* Taken only by a style of this session (a stored one keeps its name). */
static int session_taken(void *ctx, const char *name)
{
    struct sc_live *lv = ctx;
    for (int i = 0; i < lv->nstyles; i++)
        if (strcmp(lv->style_names[i], name) == 0)
            return 1;
    return 0;
}

void sc_live_arb_name(struct sc_live *lv, const char *path, char out[64])
{
    sc_arb_name(path, name_taken, lv, out);
}

void sc_live_arb_register(struct sc_live *lv, const char *name, const float *vec)
{
    int i = lv->nstyles++;
    snprintf(lv->style_names[i], 128, "%s", name);
    lv->arb.is_arb[i] = 1;
    memcpy(lv->arb.vec[i], vec, sizeof lv->arb.vec[i]);
}

void sc_live_arb_free(struct sc_live *lv)
{
    sc_predict_free(&lv->arb.pr);
}

/* The transformer's model, read once for every picture style of the start. */
struct start {
    struct sc_live *lv;
    struct sc_engine *eng;
    struct sc_model *transfer;
    int broken;                 /* the networks failed: said once, nothing more tried */
};

static int networks(struct start *s)
{
    struct sc_live_arb *a = &s->lv->arb;
    struct sc_error err;
    if (s->broken)
        return 0;
    if (!a->found)
        sc_warn("%s", "Pictures cannot be used as styles: the arbitrary-style networks are "
                "not installed; run 'stylecam download arbitrary'.");
    if (a->found && !a->pr && sc_arb_predictor_load(&a->paths, &a->pr, &err))
        sc_warn("%s", err.msg);
    if (a->found && a->pr && !s->transfer && sc_arb_transfer_load(&a->paths, &s->transfer, &err))
        sc_warn("%s", err.msg);
    s->broken = !s->transfer;
    return !s->broken;
}

static int add(struct start *s, const char *name, const float *vec, struct sc_error *err)
{
    struct sc_live *lv = s->lv;
    if (lv->nstyles >= SC_LIVE_MAX_STYLES) {
        sc_error_set(err, SC_ERR_ARG, "too many styles (at most %d).", SC_LIVE_MAX_STYLES);
        return -1;
    }
    if (sc_arb_engine_add(s->eng, s->transfer, vec, NULL, err))
        return -1;
    sc_live_arb_register(lv, name, vec);
    sc_info("picture style '%s' added as %d", name, lv->nstyles);
    return 0;
}

static void add_picture(struct start *s, const char *path)
{
    struct sc_error err;
    float vec[SC_STYLE_VEC];
    char name[64];
    if (!networks(s))
        return;
    sc_arb_name(path, session_taken, s->lv, name);
    if (sc_arb_predict_file(s->lv->arb.pr, path, vec, &err) || add(s, name, vec, &err))
        sc_warn("Skipping the style picture %s: %s", path, err.msg);
}

/* A stored vector that fails its checks is predicted again from the stored
 * picture and written back. */
static void add_stored(struct start *s, const char *name, int *warned)
{
    struct sc_live_arb *a = &s->lv->arb;
    struct sc_error err;
    float vec[SC_STYLE_VEC];
    if (session_taken(s->lv, name) || !networks(s))
        return;
    if (sc_store_load_vec(a->store, name, vec, &err)) {
        if (!(*warned)++)
            sc_warn("%s It is computed again from its picture.", err.msg);
        char png[PATH_MAX];
        sc_store_picture(a->store, name, png);
        if (sc_arb_predict_file(a->pr, png, vec, &err) ||
            sc_store_save_vec(a->store, name, vec, &err)) {
            sc_warn("Skipping the stored style '%s': %s", name, err.msg);
            return;
        }
        sc_info("picture style '%s': vector recomputed and saved", name);
    }
    if (add(s, name, vec, &err))
        sc_warn("Skipping the stored style '%s': %s", name, err.msg);
}

void sc_live_arb_start(struct sc_live *lv, struct sc_engine *eng)
{
    const struct sc_options *o = lv->app->opt;
    struct sc_live_arb *a = &lv->arb;
    struct sc_error err;
    sc_store_dir(lv->app->env->data_home, a->store);
    a->found = sc_arb_find((const char (*)[PATH_MAX])lv->app->styles.dirs,
                           lv->app->styles.ndirs, &a->paths, &err) == SC_OK;
    if (!a->found)
        sc_debug("%s", err.msg);
    struct start s = {.lv = lv, .eng = eng};
    for (int i = 0; i < o->nstyle_images; i++)
        add_picture(&s, o->style_images[i]);
    char names[SC_STORE_MAX][64];
    int n = sc_store_list(a->store, names, SC_STORE_MAX), warned = 0;
    if (n && !a->found)
        sc_info("%d stored picture style%s left out until the arbitrary-style networks are "
                "installed ('stylecam download arbitrary').", n, n > 1 ? "s are" : " is");
    for (int i = 0; i < n && a->found; i++)
        add_stored(&s, names[i], &warned);
    sc_model_free(&s.transfer);
}
