/* stylecam bench: the engine's speed per frame size, on one device. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app/cmd/commands.h"
#include "common/clock.h"
#include "common/log.h"
#include "app/record/bench_record.h"
#include "engine/engine.h"
#include "engine/engine_prof.h"

#define MAX_FRAMES 10000

struct size_result {
    int w, h, frames;
    double med, p10, p90, min, max;   /* ms per frame */
    double layer_ms[64];
    const char *layer_names[64];
    int nlayers;
    double device_mb;
    double macs;          /* of one pass of this style at this size */
};

static double now_ms(void)
{
    return (double)sc_now_us() / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A moving test picture, so no two frames are alike. */
static void fill_frame(uint8_t *p, int w, int h, int t)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *q = p + ((size_t)y * w + x) * 3;
            q[0] = (uint8_t)(x + t * 3);
            q[1] = (uint8_t)(y * 2 - t);
            q[2] = (uint8_t)((x ^ y) + t);
        }
}

/* Set by the first frame of the run: start-up (engine, kernels, style
 * upload) to the first stylized frame. */
static double start_ms, first_frame_ms;

static enum sc_status bench_size(struct sc_engine *eng, int style, int w, int h, int frames,
                                 struct size_result *r, struct sc_error *err)
{
    size_t n = (size_t)w * h * 3;
    uint8_t *in = malloc(n), *out = malloc(n);
    double *t = malloc(sizeof *t * (size_t)frames);
    if (!in || !out || !t) {
        free(in); free(out); free(t);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for %dx%d frames.", w, h);
    }
    struct sc_run_params p = {.strength = 1.0f};  /* stabilize off */
    enum sc_status st = SC_OK;
    /* Warm-up: the first runs allocate and let the driver settle. */
    for (int i = 0; !st && i < 2; i++) {
        fill_frame(in, w, h, i);
        st = sc_engine_run(eng, style, in, w, h, &p, out, err);
        if (first_frame_ms == 0)
            first_frame_ms = now_ms() - start_ms;
    }
    for (int i = 0; !st && i < frames; i++) {
        fill_frame(in, w, h, i + 2);
        double t0 = now_ms();
        st = sc_engine_run(eng, style, in, w, h, &p, out, err);
        t[i] = now_ms() - t0;
    }
    if (!st) {
        r->w = w;
        r->h = h;
        r->frames = frames;
        qsort(t, (size_t)frames, sizeof *t, cmp_double);
        r->min = t[0];
        r->max = t[frames - 1];
        r->med = frames % 2 ? t[frames / 2] : (t[frames / 2 - 1] + t[frames / 2]) / 2;
        r->p10 = t[frames / 10];
        r->p90 = t[(frames * 9) / 10 < frames ? (frames * 9) / 10 : frames - 1];
        r->nlayers = sc_engine_layer_times(eng, r->layer_ms, r->layer_names, 64);
        r->device_mb = (double)sc_engine_device_bytes(eng) / (1 << 20);
        r->macs = sc_engine_style_macs(eng, style);
    }
    free(in);
    free(out);
    free(t);
    return st;
}

static void print_text(const struct size_result *r, const char *style)
{
    double macs = r->macs;
    printf("%dx%d  style %s  %d frames: median %.1f ms (p10 %.1f, p90 %.1f, min %.1f, "
           "max %.1f)  %.2f fps  %.1f GFLOP/s  device memory %.0f MiB\n",
           r->w, r->h, style, r->frames, r->med, r->p10, r->p90, r->min, r->max,
           1000.0 / r->med, 2 * macs / (r->med * 1e6), r->device_mb);
    double total = 0;
    for (int i = 0; i < r->nlayers; i++)
        total += r->layer_ms[i];
    for (int i = 0; i < r->nlayers; i++)
        printf("    %-12s %8.2f ms  %5.1f%%\n", r->layer_names[i], r->layer_ms[i],
               total > 0 ? 100 * r->layer_ms[i] / total : 0);
}

static void print_results(const struct size_result *r, int n)
{
    for (int i = 0; i < n; i++) {
        double macs = r[i].macs;
        printf("%s\n  {\"w\": %d, \"h\": %d, \"frames\": %d, \"ms_median\": %.3f, "
               "\"ms_p10\": %.3f, \"ms_p90\": %.3f, \"ms_min\": %.3f, \"ms_max\": %.3f, "
               "\"fps\": %.3f, \"gmacs\": %.4f, \"gflops\": %.3f, \"device_mb\": %.1f, "
               "\"layers\": [", i ? "," : "", r[i].w, r[i].h, r[i].frames, r[i].med,
               r[i].p10, r[i].p90, r[i].min, r[i].max, 1000.0 / r[i].med, macs * 1e-9,
               2 * macs / (r[i].med * 1e6), r[i].device_mb);
        for (int k = 0; k < r[i].nlayers; k++)
            printf("%s{\"name\": \"%s\", \"ms\": %.3f}", k ? ", " : "", r[i].layer_names[k],
                   r[i].layer_ms[k]);
        printf("]}");
    }
    printf("\n]");
}

/* arb: the arbitrary-style transformer's results beside the style's (narb 0: none). */
static void print_json(const struct size_result *r, int n, const char *device,
                       const char *style, int cache_hit, const struct size_result *arb,
                       int narb)
{
    printf("{\"device\": \"");
    for (const char *c = device; *c; c++)
        printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
    printf("\", \"style\": \"%s\", \"first_frame_ms\": %.1f, \"kernel_cache_hit\": %s, "
           "\"results\": [", style, first_frame_ms, cache_hit ? "true" : "false");
    print_results(r, n);
    if (narb) {
        printf(",\n\"transformer\": \"arbitrary/transfer\", \"transformer_results\": [");
        print_results(arb, narb);
    }
    printf("}\n");
}

static enum sc_status load_style(struct sc_app *app, struct sc_engine *eng, const char **name,
                                 struct sc_error *err)
{
    const char *want = app->opt->style;
    if (!want)
        want = sc_styles_find(&app->styles, "udnie") >= 0 ? "udnie" : app->styles.list[0].name;
    int i = sc_styles_find(&app->styles, want);
    if (i < 0)
        return sc_styles_unknown(&app->styles, want, err);
    struct sc_model *m;
    enum sc_status st = sc_styles_load(&app->styles, i, &m, err);
    if (!st) {
        st = sc_engine_add_style(eng, m, NULL, err);
        sc_model_free(&m);
    }
    *name = app->styles.list[i].name;
    return st;
}

/* The arbitrary-style transformer (MODELS/arbitrary/transfer) as style 1
 * when a models folder holds it, with a fixed (zero) style vector: its speed
 * does not depend on the vector. *found 0 when there is none. */
static enum sc_status load_transformer(struct sc_app *app, struct sc_engine *eng, int *found,
                                       struct sc_error *err)
{
    *found = 0;
    for (int d = 0; d < app->styles.ndirs; d++) {
        char dir[PATH_MAX + 32], man[PATH_MAX + 64];
        struct stat sb;
        snprintf(dir, sizeof dir, "%s/arbitrary/transfer", app->styles.dirs[d]);
        snprintf(man, sizeof man, "%s/manifest.json", dir);
        if (stat(man, &sb) != 0)
            continue;
        struct sc_model *m;
        int idx = -1;
        enum sc_status st = sc_model_load(dir, &m, err);
        if (!st) {
            st = sc_engine_add_style(eng, m, &idx, err);
            sc_model_free(&m);
        }
        int len = st ? 0 : sc_engine_style_vec_len(eng, idx);
        float *zero = len ? calloc((size_t)len, sizeof *zero) : NULL;
        if (!st && len && !zero)
            st = sc_error_set(err, SC_ERR_NOMEM, "Out of memory for a style vector.");
        if (!st && zero)
            st = sc_engine_set_style_vector(eng, idx, zero, err);
        free(zero);
        *found = !st;
        return st;
    }
    return SC_OK;
}

/* stylecam bench --recorder: 1280x720 frames straight into the recorder. */
static int bench_recorder(const struct sc_options *o)
{
    int w = o->nsizes ? o->sizes[0][0] : 1280, h = o->nsizes ? o->sizes[0][1] : 720;
    int frames = o->frames ? (int)(o->frames < MAX_FRAMES ? o->frames : MAX_FRAMES) : 300;
    if (sc_record_bench(w, h, frames, stdout) != SC_OK)
        return 1;
    return 0;
}

int sc_cmd_bench(struct sc_app *app)
{
    const struct sc_options *o = app->opt;
    if (o->bench_recorder)
        return bench_recorder(o);
    if (o->bench_flicker)
        return sc_cmd_bench_flicker(app);
    static const int defaults[][2] = {{320, 240}, {640, 480}};
    int nsizes = o->nsizes ? o->nsizes : 2;
    int frames = o->frames ? (int)(o->frames < MAX_FRAMES ? o->frames : MAX_FRAMES) : 10;
    struct sc_engine *eng = NULL;
    struct sc_engine_opts eo = {.cl_device = app->cl_device, .profiling = 1,
                                 .cache_dir = app->env->cache_dir};
    struct sc_error err;
    const char *style = NULL;
    start_ms = now_ms();
    int arb = 0;
    enum sc_status st = sc_engine_init(&eng, &eo, &err);
    if (!st)
        st = load_style(app, eng, &style, &err);
    if (!st)
        st = load_transformer(app, eng, &arb, &err);
    struct size_result res[8], ares[8];
    memset(res, 0, sizeof res);
    memset(ares, 0, sizeof ares);
    for (int i = 0; !st && i < nsizes; i++) {
        int w = o->nsizes ? o->sizes[i][0] : defaults[i][0];
        int h = o->nsizes ? o->sizes[i][1] : defaults[i][1];
        st = bench_size(eng, 0, w, h, frames, &res[i], &err);
        if (!st && !o->json)
            print_text(&res[i], style);
        if (!st && arb)
            st = bench_size(eng, 1, w, h, frames, &ares[i], &err);
        if (!st && arb && !o->json)
            print_text(&ares[i], "arbitrary/transfer");
    }
    if (!st && o->json)
        print_json(res, nsizes, sc_engine_device_name(eng), style, sc_engine_cache_hit(eng),
                   ares, arb ? nsizes : 0);
    else if (!st)
        printf("device: %s\nstart-up to first frame: %.0f ms (kernels %s)\n",
               sc_engine_device_name(eng), first_frame_ms,
               sc_engine_cache_hit(eng) ? "from the cache" : "compiled");
    if (st)
        sc_err("%s", err.msg);
    sc_engine_free(&eng);
    return st ? 1 : 0;
}
