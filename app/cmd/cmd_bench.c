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
#include "common/file.h"
#include "common/log.h"
#ifndef SC_BENCH_ONLY
#include "app/record/bench_record.h"
#endif
#include "engine/engine.h"
#include "engine/engine_prof.h"

#define MAX_FRAMES 10000
#define MAX_LAYERS 64

struct size_result {
    int w, h, frames;
    double med, p10, p90, min, max;   /* ms per frame */
    double layer_ms[MAX_LAYERS];
    const char *layer_names[MAX_LAYERS];
    double layer_direct[MAX_LAYERS], layer_real[MAX_LAYERS];   /* multiply-adds */
    int nlayers;
    double device_mb;
    double macs;          /* of one pass of this style at this size */
    char dump_in[512], dump_out[512];   /* --dump: the files written, "" = none */
    int dump_ow, dump_oh;
};

/* The device's measured FMA peak (GFLOP/s), 0 when it could not be measured. */
static double peak_gflops;
static int peak_width;

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
        r->nlayers = sc_engine_layer_times(eng, r->layer_ms, r->layer_names, MAX_LAYERS);
        int nm = sc_engine_layer_macs(eng, style, r->layer_direct, r->layer_real, MAX_LAYERS);
        for (int i = nm; i < r->nlayers; i++)
            r->layer_direct[i] = r->layer_real[i] = 0;
        r->device_mb = (double)sc_engine_device_bytes(eng) / (1 << 20);
        r->macs = sc_engine_style_macs(eng, style);
    }
    free(in);
    free(out);
    free(t);
    return st;
}

/* GFLOP/s of macs multiply-adds in ms, and that as a percentage of the peak. */
static double gflops(double macs, double ms)
{
    return ms > 0 ? 2 * macs / (ms * 1e6) : 0;
}

static double pct_peak(double gf)
{
    return peak_gflops > 0 ? 100 * gf / peak_gflops : 0;
}

static void print_text(const struct size_result *r, const char *style)
{
    double macs = r->macs;
    printf("%dx%d  style %s  %d frames: median %.1f ms (p10 %.1f, p90 %.1f, min %.1f, "
           "max %.1f)  %.2f fps  %.1f GFLOP/s (%.0f%% of peak)  device memory %.0f MiB\n",
           r->w, r->h, style, r->frames, r->med, r->p10, r->p90, r->min, r->max,
           1000.0 / r->med, gflops(macs, r->med), pct_peak(gflops(macs, r->med)),
           r->device_mb);
    double total = 0;
    for (int i = 0; i < r->nlayers; i++)
        total += r->layer_ms[i];
    printf("    %-12s %8s  %6s  %9s  %9s  %6s\n", "layer", "ms", "time", "GFLOP/s",
           "(direct)", "%peak");
    for (int i = 0; i < r->nlayers; i++) {
        printf("    %-12s %8.2f  %5.1f%%", r->layer_names[i], r->layer_ms[i],
               total > 0 ? 100 * r->layer_ms[i] / total : 0);
        if (r->layer_real[i] > 0) {
            double gr = gflops(r->layer_real[i], r->layer_ms[i]);
            printf("  %9.1f  %9.1f  %5.1f%%", gr, gflops(r->layer_direct[i], r->layer_ms[i]),
                   pct_peak(gr));
        }
        putchar('\n');
    }
    if (r->dump_in[0])
        printf("    wrote %s and %s (%dx%d floats)\n", r->dump_in, r->dump_out, r->dump_ow,
               r->dump_oh);
}

static void json_string(const char *s)
{
    putchar('"');
    for (const char *c = s; *c; c++)
        printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
    putchar('"');
}

static void print_json_layers(const struct size_result *r)
{
    for (int k = 0; k < r->nlayers; k++) {
        double gr = gflops(r->layer_real[k], r->layer_ms[k]);
        printf("%s{\"name\": \"%s\", \"ms\": %.3f, \"gmacs_direct\": %.5f, "
               "\"gmacs_real\": %.5f, \"gflops_real\": %.2f, \"gflops_direct\": %.2f, "
               "\"pct_peak\": %.2f}", k ? ",\n    " : "\n    ", r->layer_names[k],
               r->layer_ms[k], r->layer_direct[k] * 1e-9, r->layer_real[k] * 1e-9, gr,
               gflops(r->layer_direct[k], r->layer_ms[k]), pct_peak(gr));
    }
}

static void print_results(const struct size_result *r, int n)
{
    for (int i = 0; i < n; i++) {
        double macs = r[i].macs, gf = gflops(macs, r[i].med);
        printf("%s\n  {\"w\": %d, \"h\": %d, \"frames\": %d, \"ms_median\": %.3f, "
               "\"ms_p10\": %.3f, \"ms_p90\": %.3f, \"ms_min\": %.3f, \"ms_max\": %.3f, "
               "\"fps\": %.3f, \"gmacs\": %.4f, \"gflops\": %.3f, \"pct_peak\": %.2f, "
               "\"device_mb\": %.1f, ", i ? "," : "", r[i].w, r[i].h, r[i].frames, r[i].med,
               r[i].p10, r[i].p90, r[i].min, r[i].max, 1000.0 / r[i].med, macs * 1e-9, gf,
               pct_peak(gf), r[i].device_mb);
        if (r[i].dump_in[0]) {
            printf("\"dump\": {\"input\": ");
            json_string(r[i].dump_in);
            printf(", \"output\": ");
            json_string(r[i].dump_out);
            printf(", \"w\": %d, \"h\": %d, \"ow\": %d, \"oh\": %d}, ", r[i].w, r[i].h,
                   r[i].dump_ow, r[i].dump_oh);
        }
        printf("\"layers\": [");
        print_json_layers(&r[i]);
        printf("]}");
    }
    printf("\n]");
}

/* arb: the arbitrary-style transformer's results beside the style's (narb 0: none). */
static void print_json(const struct size_result *r, int n, const char *device,
                       const char *style, int cache_hit, const struct size_result *arb,
                       int narb)
{
    printf("{\"device\": ");
    json_string(device);
    printf(", \"style\": \"%s\", \"first_frame_ms\": %.1f, \"kernel_cache_hit\": %s, "
           "\"peak_gflops\": %.2f, \"peak_vector_width\": %d, \"results\": [", style,
           first_frame_ms, cache_hit ? "true" : "false", peak_gflops, peak_width);
    print_results(r, n);
    if (narb) {
        printf(",\n\"transformer\": \"arbitrary/transfer\", \"transformer_results\": [");
        print_results(arb, narb);
    }
    printf("}\n");
}

/* --dump DIR: the bench's first picture (8-bit RGB, w x h) and the network's
 * float output for it (0..1 RGB, ow x oh, at least w x h), raw, so a peer can
 * run the same input and compare without an image library. */
static enum sc_status dump_size(struct sc_engine *eng, const char *dir, struct size_result *r,
                                struct sc_error *err)
{
    int w = r->w, h = r->h, ow = 0, oh = 0;
    /* The ml5 networks' output rounds each side up to a multiple of 4. */
    size_t cap = (size_t)(w + 4) * (h + 4) * 3;
    uint8_t *in = malloc((size_t)w * h * 3);
    float *out = malloc(cap * sizeof *out);
    enum sc_status st = SC_OK;
    if (!in || !out)
        st = sc_error_set(err, SC_ERR_NOMEM, "Out of memory dumping %dx%d.", w, h);
    if (!st) {
        fill_frame(in, w, h, 0);
        st = sc_engine_run_f32(eng, 0, in, w, h, out, &ow, &oh, err);
    }
    snprintf(r->dump_in, sizeof r->dump_in, "%s/stylecam_in_%dx%d.rgb", dir, w, h);
    snprintf(r->dump_out, sizeof r->dump_out, "%s/stylecam_out_%dx%d.f32", dir, w, h);
    if (!st)
        st = sc_file_write_buffer(r->dump_in, SC_FILE_REPLACE, in, (size_t)w * h * 3, err);
    if (!st)
        st = sc_file_write_buffer(r->dump_out, SC_FILE_REPLACE, out,
                                  (size_t)ow * oh * 3 * sizeof *out, err);
    r->dump_ow = ow;
    r->dump_oh = oh;
    if (st)
        r->dump_in[0] = r->dump_out[0] = '\0';
    free(in);
    free(out);
    return st;
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
#ifdef SC_BENCH_ONLY
    (void)o;
    sc_err("This bench-only build has no recorder; build stylecam without "
           "-Dbench_only=true for 'stylecam bench --recorder'.");
    return 1;
#else
    int w = o->nsizes ? o->sizes[0][0] : 1280, h = o->nsizes ? o->sizes[0][1] : 720;
    int frames = o->frames ? (int)(o->frames < MAX_FRAMES ? o->frames : MAX_FRAMES) : 300;
    if (sc_record_bench(w, h, frames, stdout) != SC_OK)
        return 1;
    return 0;
#endif
}

int sc_cmd_bench(struct sc_app *app)
{
    const struct sc_options *o = app->opt;
    if (o->bench_recorder)
        return bench_recorder(o);
#ifdef SC_BENCH_ONLY
    if (o->bench_flicker) {
        sc_err("This bench-only build has no flicker measure; build stylecam without "
               "-Dbench_only=true for 'stylecam bench --flicker'.");
        return 1;
    }
#else
    if (o->bench_flicker)
        return sc_cmd_bench_flicker(app);
#endif
    static const int defaults[][2] = {{320, 240}, {640, 480}};
    int nsizes = o->nsizes ? o->nsizes : 2;
    int frames = o->frames ? (int)(o->frames < MAX_FRAMES ? o->frames : MAX_FRAMES) : 10;
    struct sc_engine *eng = NULL;
    struct sc_engine_opts eo = {.cl_device = app->cl_device, .profiling = 1, .fp16 = o->fp16,
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
    /* The peak first, before the frames warm anything else up; its time is
     * not start-up's. */
    if (!st) {
        double t0 = now_ms();
        st = sc_engine_fma_peak(eng, &peak_gflops, &peak_width, &err);
        start_ms += now_ms() - t0;
    }
    if (!st && !o->json)
        printf("device FMA peak: %.1f GFLOP/s (float%d chains)\n", peak_gflops, peak_width);
    struct size_result res[8], ares[8];
    memset(res, 0, sizeof res);
    memset(ares, 0, sizeof ares);
    for (int i = 0; !st && i < nsizes; i++) {
        int w = o->nsizes ? o->sizes[i][0] : defaults[i][0];
        int h = o->nsizes ? o->sizes[i][1] : defaults[i][1];
        st = bench_size(eng, 0, w, h, frames, &res[i], &err);
        if (!st && o->dump_dir)
            st = dump_size(eng, o->dump_dir, &res[i], &err);
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
