/* stylecam bench --flicker: how much the stylized picture flickers with
 * temporal stabilization off, on and strong (issue 11), on two sequences
 * made from one photo (app/cmd/flicker.h): a static scene with a camera's
 * noise, and the same panned and zoomed by a known motion. For each style
 * and mode it prints the static scene's flicker (and its ratio to the
 * input's), the moving scene's warping error, the fidelity to the plain
 * per-frame stylization ("off") and the cost per frame. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd/commands.h"
#include "app/cmd/flicker.h"
#include "common/clock.h"
#include "common/frame.h"
#include "common/image_io.h"
#include "common/log.h"
#include "engine/engine_prof.h"
#include "engine/engine.h"

#define FL_MAX_FRAMES 100
#define FL_MAX_STYLES 8
#define FL_MODES 3
#define FL_SIGMA 3.0           /* camera noise, levels */
#define FL_QUALITY 90          /* the camera's JPEG */
#define FL_EDGE_TOP 0.10       /* edges: the top 10% of the input's gradient */
#define FL_TIME_ROUNDS 2       /* time_modes: rounds of */
#define FL_TIME_FRAMES 3       /* frames per mode */
#define FL_BOUND 0.5           /* on the moving scene's edges, a mode's fidelity must
                                  stay below this much of the frozen picture's */

static const char *const mode_names[FL_MODES] = {"off", "on", "strong"};
static const struct sc_flicker_motion moving = {0.7, 0.3, 0.003};

enum { STATIC, MOVING };

struct scene {
    uint8_t *in;                    /* n frames: what the camera gives */
    uint8_t *edges;                 /* n masks of w*h: the clean frame's top gradients */
    struct sc_flicker_affine *maps; /* n frame-to-photo maps */
    uint8_t *ref, *out;             /* n frames: the off run's, the run measured */
    double in_flicker, in_warp;
};

struct mode_result {
    double flicker, ratio, warp;
    double fid[2][2];               /* [STATIC, MOVING][all, edges], levels */
    double ms;                      /* the best frame */
    double net_ms, stab_ms;         /* device time per frame (profiled): the network's,
                                       the stabilizer's; a ratio that load hardly moves */
    int nprof;                      /* frames summed into them */
};

struct style_result {
    const char *name;
    struct mode_result m[FL_MODES];
    double frozen_warp, frozen_fid[2];   /* the moving scene's first frame forever */
};

struct bench {
    struct sc_engine *eng;
    int w, h, n;
    char photo[1024];
    struct scene sc[2];
};

static double now_ms(void)
{
    return (double)sc_now_us() / 1e3;
}

static size_t frame_bytes(const struct bench *b)
{
    return (size_t)b->w * b->h * 3;
}

/* ---- the inputs ---- */

/* --input FILE, else the built-in picture (also for --input test; the
 * README's figures use ../shared/images/coffee.png). *owned: free with
 * free(), not stb. */
static enum sc_status load_photo(const struct sc_options *o, struct bench *b, uint8_t **rgb,
                                 int *pw, int *ph, int *builtin, struct sc_error *err)
{
    *builtin = 0;
    if (o->input && strcmp(o->input, "test") != 0)
        snprintf(b->photo, sizeof b->photo, "%s", o->input);
    else
        b->photo[0] = '\0';
    if (b->photo[0]) {
        enum sc_status st = sc_image_load(b->photo, rgb, pw, ph, err);
        if (st != SC_ERR_NOT_FOUND || o->input)
            return st;
    }
    snprintf(b->photo, sizeof b->photo, "the built-in picture");
    *pw = 640;
    *ph = 480;
    if (!(*rgb = malloc((size_t)*pw * *ph * 3)))
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for the built-in picture.");
    sc_flicker_builtin_photo(*rgb, *pw, *ph);
    *builtin = 1;
    return SC_OK;
}

static enum sc_status alloc_scene(struct bench *b, struct scene *s, struct sc_error *err)
{
    size_t fb = frame_bytes(b), n = (size_t)b->n;
    s->in = malloc(fb * n);
    s->ref = malloc(fb * n);
    s->out = malloc(fb * n);
    s->edges = malloc(fb / 3 * n);
    s->maps = malloc(sizeof *s->maps * n);
    if (!s->in || !s->ref || !s->out || !s->edges || !s->maps)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for %d test frames of %dx%d.",
                            b->n, b->w, b->h);
    return SC_OK;
}

static void free_scene(struct scene *s)
{
    free(s->in);
    free(s->ref);
    free(s->out);
    free(s->edges);
    free(s->maps);
}

/* One scene from the photo: its frames, maps, edge masks and the input's
 * own flicker and warping error. */
static enum sc_status make_scene(struct bench *b, int which, const uint8_t *photo, int pw,
                                 int ph, struct sc_error *err)
{
    struct scene *s = &b->sc[which];
    enum sc_status st = alloc_scene(b, s, err);
    if (st)
        return st;
    struct sc_flicker_synth syn = {photo, pw, ph, b->w, b->h, b->n, {0, 0, 0}, FL_SIGMA,
                                   FL_QUALITY, 1 + (uint64_t)which};
    if (which == MOVING)
        syn.motion = moving;
    /* The clean frames go into out for now: only their edges are kept. */
    st = sc_flicker_make(&syn, s->in, s->out, s->maps, err);
    if (st)
        return st;
    size_t fb = frame_bytes(b), px = fb / 3;
    for (int t = 0; t < b->n; t++)
        sc_flicker_edge_mask(s->out + fb * t, b->w, b->h, FL_EDGE_TOP, s->edges + px * t);
    s->in_flicker = sc_flicker_seq_flicker(s->in, b->n, b->w, b->h);
    s->in_warp = sc_flicker_seq_warp(s->in, b->n, b->w, b->h, s->maps);
    return SC_OK;
}

static enum sc_status make_scenes(const struct sc_options *o, struct bench *b,
                                  struct sc_error *err)
{
    uint8_t *photo;
    int pw, ph, builtin;
    enum sc_status st = load_photo(o, b, &photo, &pw, &ph, &builtin, err);
    if (st)
        return st;
    uint8_t *fit = NULL;
    int fw, fh;
    st = sc_flicker_fit_photo(photo, pw, ph, b->w, b->h, &fit, &fw, &fh, err);
    if (builtin)
        free(photo);
    else
        sc_image_free(photo);
    if (!st)
        st = make_scene(b, STATIC, fit, fw, fh, err);
    if (!st)
        st = make_scene(b, MOVING, fit, fw, fh, err);
    free(fit);
    return st;
}

/* ---- the styles ---- */

/* --style NAME, else udnie, scream and wave that are there, else the first
 * style found. Returns how many, or -1 with err set. */
static int pick_styles(const struct sc_app *app, int *idx, struct sc_error *err)
{
    if (app->opt->style) {
        idx[0] = sc_styles_find(&app->styles, app->opt->style);
        if (idx[0] < 0) {
            sc_styles_unknown(&app->styles, app->opt->style, err);
            return -1;
        }
        return 1;
    }
    static const char *const defaults[] = {"udnie", "scream", "wave"};
    int n = 0;
    for (int i = 0; i < 3; i++)
        if ((idx[n] = sc_styles_find(&app->styles, defaults[i])) >= 0)
            n++;
    if (n == 0)
        idx[n++] = 0;
    return n;
}

static enum sc_status load_style(const struct sc_app *app, struct sc_engine *eng, int i,
                                 int *engine_index, struct sc_error *err)
{
    struct sc_model *m;
    enum sc_status st = sc_styles_load(&app->styles, i, &m, err);
    if (!st) {
        st = sc_engine_add_style(eng, m, engine_index, err);
        sc_model_free(&m);
    }
    return st;
}

/* ---- the runs ---- */

/* Adds the last frame's profiled device times (network layers, stabilizer). */
static void add_device_times(struct bench *b, struct mode_result *m)
{
    double ms[128];
    const char *names[128];
    int k = sc_engine_layer_times(b->eng, ms, names, 128);
    for (int i = 0; i < k; i++)
        m->net_ms += ms[i];
    m->stab_ms += sc_engine_stab_ms(b->eng);
    m->nprof++;
}

/* The scene's first n frames in order through the engine (reset on the
 * first); *best: the fastest frame so far, ms, but for the first (a reset
 * frame has no history to work on); device times into prof (NULL: none). */
static enum sc_status run_frames(struct bench *b, int style, int mode, struct scene *s,
                                 int n, double *best, struct mode_result *prof,
                                 struct sc_error *err)
{
    size_t fb = frame_bytes(b);
    for (int t = 0; t < n; t++) {
        struct sc_run_params p = {.strength = 1.0f, .stabilize = mode, .reset = t == 0};
        double t0 = now_ms();
        enum sc_status st = sc_engine_run(b->eng, style, s->in + fb * t, b->w, b->h, &p,
                                          s->out + fb * t, err);
        if (st)
            return st;
        double dt = now_ms() - t0;
        if (t > 0 && dt < *best)
            *best = dt;
        if (t > 0 && prof)
            add_device_times(b, prof);
    }
    return SC_OK;
}

static enum sc_status run_scene(struct bench *b, int style, int mode, struct scene *s,
                                double *best, struct sc_error *err)
{
    enum sc_status st = run_frames(b, style, mode, s, b->n, best, NULL, err);
    if (!st && mode == SC_STAB_OFF)
        memcpy(s->ref, s->out, frame_bytes(b) * b->n);
    return st;
}

/* The modes' costs once more, in short runs taking turns, so that a load
 * on the machine that comes and goes weighs on every mode alike. */
static enum sc_status time_modes(struct bench *b, int style, struct style_result *r,
                                 struct sc_error *err)
{
    int n = b->n < FL_TIME_FRAMES ? b->n : FL_TIME_FRAMES;
    for (int round = 0; round < FL_TIME_ROUNDS; round++)
        for (int mode = SC_STAB_OFF; mode <= SC_STAB_STRONG; mode++) {
            enum sc_status st = run_frames(b, style, mode, &b->sc[MOVING], n, &r->m[mode].ms,
                                           &r->m[mode], err);
            if (st)
                return st;
        }
    return SC_OK;
}

static void score_mode(const struct bench *b, struct mode_result *r)
{
    const struct scene *st = &b->sc[STATIC], *mv = &b->sc[MOVING];
    r->flicker = sc_flicker_seq_flicker(st->out, b->n, b->w, b->h);
    r->ratio = st->in_flicker > 0 ? r->flicker / st->in_flicker : 0;
    r->warp = sc_flicker_seq_warp(mv->out, b->n, b->w, b->h, mv->maps);
    for (int k = STATIC; k <= MOVING; k++) {
        const struct scene *s = &b->sc[k];
        r->fid[k][0] = sc_flicker_seq_fidelity(s->out, s->ref, b->n, b->w, b->h, NULL);
        r->fid[k][1] = sc_flicker_seq_fidelity(s->out, s->ref, b->n, b->w, b->h, s->edges);
    }
}

/* The reference bound: the off run's first moving frame held forever. */
static void score_frozen(struct bench *b, struct style_result *r)
{
    struct scene *s = &b->sc[MOVING];
    size_t fb = frame_bytes(b);
    for (int t = 0; t < b->n; t++)
        memcpy(s->out + fb * t, s->ref, fb);
    r->frozen_warp = sc_flicker_seq_warp(s->out, b->n, b->w, b->h, s->maps);
    r->frozen_fid[0] = sc_flicker_seq_fidelity(s->out, s->ref, b->n, b->w, b->h, NULL);
    r->frozen_fid[1] = sc_flicker_seq_fidelity(s->out, s->ref, b->n, b->w, b->h, s->edges);
}

static enum sc_status bench_style(struct bench *b, int style, struct style_result *r,
                                  struct sc_error *err)
{
    for (int mode = SC_STAB_OFF; mode <= SC_STAB_STRONG; mode++) {
        double best = INFINITY;
        for (int k = STATIC; k <= MOVING; k++) {
            enum sc_status st = run_scene(b, style, mode, &b->sc[k], &best, err);
            if (st)
                return st;
        }
        r->m[mode].ms = best;
        score_mode(b, &r->m[mode]);
    }
    score_frozen(b, r);
    return time_modes(b, style, r, err);
}

/* ---- printing ---- */

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

static void print_header(const struct bench *b)
{
    printf("flicker: %dx%d, %d frames of %s; camera noise sigma %.0f and JPEG q%d; moving "
           "scene: pan %.2f, %.2f px/frame, zoom %.2f%%/frame\n", b->w, b->h, b->n, b->photo,
           FL_SIGMA, FL_QUALITY, moving.dx, moving.dy, moving.zoom * 100);
    printf("device: %s\ninput: static flicker %.2f levels, moving E_warp %.6f\n",
           sc_engine_device_name(b->eng), b->sc[STATIC].in_flicker, b->sc[MOVING].in_warp);
}

static void print_text(const struct style_result *r)
{
    const struct mode_result *off = &r->m[SC_STAB_OFF];
    printf("\n%-12s  static scene        moving     fidelity to off, levels        ms/frame\n"
           "  stabilize  flicker  x input    E_warp     static all/edges  moving all/edges  "
           "best\n", r->name);
    for (int i = 0; i < FL_MODES; i++) {
        const struct mode_result *m = &r->m[i];
        printf("  %-8s  %7.2f  %7.2f  %9.6f    %6.2f / %6.2f   %6.2f / %6.2f  %7.1f", mode_names[i],
               m->flicker, m->ratio, m->warp, m->fid[STATIC][0], m->fid[STATIC][1],
               m->fid[MOVING][0], m->fid[MOVING][1], m->ms);
        if (i)
            printf(" %+.1f%%; stabilizer %.1f ms = %.1f%% of the network's device time",
                   100 * (ratio(m->ms, off->ms) - 1), m->stab_ms / m->nprof,
                   100 * ratio(m->stab_ms, m->net_ms));
        printf("\n");
    }
    printf("  %-8s  %7.2f  %7s  %9.6f    %6s   %6s   %6.2f / %6.2f\n", "frozen", 0.0, "-",
           r->frozen_warp, "-", "-", r->frozen_fid[0], r->frozen_fid[1]);
    for (int i = 1; i < FL_MODES; i++)
        printf("  %s/off: flicker %.2f, E_warp %.2f%s", mode_names[i],
               ratio(r->m[i].flicker, off->flicker), ratio(r->m[i].warp, off->warp),
               i + 1 < FL_MODES ? ";" : "\n");
    double bound = FL_BOUND * r->frozen_fid[1];
    printf("  fidelity bound (moving edges below %.1f x frozen = %.2f):", FL_BOUND, bound);
    for (int i = 1; i < FL_MODES; i++)
        printf(" %s %.2f %s", mode_names[i], r->m[i].fid[MOVING][1],
               r->m[i].fid[MOVING][1] < bound ? "ok" : "OVER");
    printf("\n");
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++)
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    putchar('"');
}

/* A JSON number, or null when it is not finite. */
static void json_num(const char *key, double v, const char *after)
{
    if (isfinite(v))
        printf("\"%s\": %.6g%s", key, v, after);
    else
        printf("\"%s\": null%s", key, after);
}

static void print_json_mode(const struct mode_result *m, const struct mode_result *off,
                            double bound)
{
    json_num("flicker", m->flicker, ", ");
    json_num("flicker_ratio", m->ratio, ", ");
    json_num("ewarp", m->warp, ", ");
    json_num("fidelity_static", m->fid[STATIC][0], ", ");
    json_num("fidelity_static_edges", m->fid[STATIC][1], ", ");
    json_num("fidelity_moving", m->fid[MOVING][0], ", ");
    json_num("fidelity_moving_edges", m->fid[MOVING][1], ", ");
    printf("\"within_bound\": %s, ", m->fid[MOVING][1] < bound ? "true" : "false");
    json_num("ms_best", m->ms, ", ");
    json_num("overhead_pct", 100 * (ratio(m->ms, off->ms) - 1), ", ");
    json_num("stabilizer_ms", m->nprof ? m->stab_ms / m->nprof : NAN, ", ");
    json_num("network_ms", m->nprof ? m->net_ms / m->nprof : NAN, ", ");
    json_num("stabilizer_pct", 100 * ratio(m->stab_ms, m->net_ms), ", ");
    json_num("flicker_vs_off", ratio(m->flicker, off->flicker), ", ");
    json_num("ewarp_vs_off", ratio(m->warp, off->warp), "}");
}

static void print_json_style(const struct style_result *r)
{
    double bound = FL_BOUND * r->frozen_fid[1];
    printf("{\"style\": ");
    json_str(r->name);
    printf(", \"frozen\": {");
    json_num("flicker", 0, ", ");
    json_num("ewarp", r->frozen_warp, ", ");
    json_num("fidelity_moving", r->frozen_fid[0], ", ");
    json_num("fidelity_moving_edges", r->frozen_fid[1], "}, ");
    json_num("fidelity_bound", bound, ", ");
    printf("\"modes\": {");
    for (int i = 0; i < FL_MODES; i++) {
        printf("%s\"%s\": {", i ? ", " : "", mode_names[i]);
        print_json_mode(&r->m[i], &r->m[SC_STAB_OFF], bound);
    }
    printf("}}");
}

static void print_json(const struct bench *b, const struct style_result *r, int n)
{
    printf("{\"device\": ");
    json_str(sc_engine_device_name(b->eng));
    printf(", \"input\": ");
    json_str(b->photo);
    printf(", \"w\": %d, \"h\": %d, \"frames\": %d, \"noise_sigma\": %g, \"jpeg_quality\": %d, "
           "\"motion\": {\"dx\": %g, \"dy\": %g, \"zoom\": %g}, \"edge_top\": %g, "
           "\"bound_of_frozen\": %g, ", b->w, b->h, b->n, FL_SIGMA, FL_QUALITY, moving.dx,
           moving.dy, moving.zoom, FL_EDGE_TOP, FL_BOUND);
    json_num("input_flicker", b->sc[STATIC].in_flicker, ", ");
    json_num("input_ewarp", b->sc[MOVING].in_warp, ", ");
    printf("\"styles\": [");
    for (int i = 0; i < n; i++) {
        printf("%s\n  ", i ? "," : "");
        print_json_style(&r[i]);
    }
    printf("\n]}\n");
}

/* ---- the command ---- */

static enum sc_status setup(struct sc_app *app, struct bench *b, struct sc_error *err)
{
    const struct sc_options *o = app->opt;
    b->w = o->width ? o->width : 320;
    b->h = o->height ? o->height : 240;
    b->n = o->frames ? (int)(o->frames < 1000 ? o->frames : 1000) : 12;
    if (b->n < 2 || b->n > FL_MAX_FRAMES)
        return sc_error_set(err, SC_ERR_ARG, "bench --flicker takes 2 to %d frames "
                            "(--frames %ld).", FL_MAX_FRAMES, o->frames);
    if (b->w < SC_MIN_SIDE || b->h < SC_MIN_SIDE)
        return sc_error_set(err, SC_ERR_ARG, "bench --flicker needs frames of at least "
                            "%dx%d.", SC_MIN_SIDE, SC_MIN_SIDE);
    enum sc_status st = make_scenes(o, b, err);
    struct sc_engine_opts eo = {.cl_device = app->cl_device, .cache_dir = app->env->cache_dir,
                                .profiling = 1};
    if (!st)
        st = sc_engine_init(&b->eng, &eo, err);
    return st;
}

static enum sc_status bench_all(struct sc_app *app, struct bench *b, struct sc_error *err)
{
    int idx[FL_MAX_STYLES];
    int n = pick_styles(app, idx, err);
    if (n < 0)
        return err->status;
    struct style_result res[FL_MAX_STYLES];
    memset(res, 0, sizeof res);
    if (!app->opt->json)
        print_header(b);
    for (int i = 0; i < n; i++) {
        int style;
        enum sc_status st = load_style(app, b->eng, idx[i], &style, err);
        if (!st)
            st = bench_style(b, style, &res[i], err);
        if (st)
            return st;
        res[i].name = app->styles.list[idx[i]].name;
        if (!app->opt->json)
            print_text(&res[i]);
        fflush(stdout);
    }
    if (app->opt->json)
        print_json(b, res, n);
    return SC_OK;
}

int sc_cmd_bench_flicker(struct sc_app *app)
{
    struct bench b;
    memset(&b, 0, sizeof b);
    struct sc_error err;
    sc_error_clear(&err);
    enum sc_status st = setup(app, &b, &err);
    if (!st)
        st = bench_all(app, &b, &err);
    if (st)
        sc_err("%s", err.msg);
    sc_engine_free(&b.eng);
    free_scene(&b.sc[STATIC]);
    free_scene(&b.sc[MOVING]);
    return st ? 1 : 0;
}
