/* stylecam (live): sets the pipeline up, runs a loop, tears it down. */
#include "app/live.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/capture/v4l2.h"
#include "common/log.h"
#include "app/record/paths.h"

volatile sig_atomic_t sc_live_stop;

static void on_signal(int sig)
{
    (void)sig;
    sc_live_stop = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int is_image(const char *path)
{
    const char *ext = strrchr(path, '.');
    return ext && (!strcasecmp(ext, ".png") || !strcasecmp(ext, ".jpg") ||
                   !strcasecmp(ext, ".jpeg") || !strcasecmp(ext, ".bmp"));
}

/* A still image recorded in a batch run is a clip of --frames frames, or
 * STILL_CLIP_S seconds at --fps, so that the run ends. */
enum { STILL_CLIP_S = 5 };

static void still_clip_length(const struct sc_options *o, struct sc_source_request *req)
{
    double fps = o->fps > 0 ? o->fps : 30;
    req->fps = fps;     /* the clip's rate and length agree with the source's */
    req->frames = o->frames ? o->frames : (long)(STILL_CLIP_S * fps + 0.5);
    if (!o->frames)
        sc_info("a still image becomes a %d s clip at %.0f fps (--frames N for another "
                "length)", STILL_CLIP_S, fps);
}

/* Opens the source the options name: a file, the test scene, or a camera
 * (the first one, falling back to the test scene when there is none). */
static enum sc_status open_source(struct sc_live *lv, struct sc_error *err)
{
    const struct sc_options *o = lv->app->opt;
    struct sc_source_request req = {.w = o->width ? o->width : 640,
                                     .h = o->height ? o->height : 480, .fps = o->fps};
    const struct sc_source_driver *drv = &sc_source_v4l2;
    char dev[256];
    if (o->input && strcmp(o->input, "test") == 0) {
        drv = &sc_source_test;
    } else if (o->input) {
        drv = is_image(o->input) ? &sc_source_image : &sc_source_video;
        req.spec = o->input;
        req.paced = !lv->batch;
        if (lv->batch && drv == &sc_source_image)
            still_clip_length(o, &req);
        if (!o->width)
            req.w = req.h = 0;   /* a file keeps its own size */
    } else if (o->device) {
        req.spec = o->device;
    } else if (sc_v4l2_default_device(dev, sizeof dev, err) == SC_OK) {
        req.spec = dev;
    } else {
        sc_warn("No camera was found; showing the built-in test scene instead (use "
                "--device PATH for a camera, or --input FILE).");
        drv = &sc_source_test;
    }
    enum sc_status st = sc_capture_init(&lv->capture, drv, &req, lv->ring, err);
    if (!st) {
        struct sc_capture_status cs;
        sc_capture_get_status(lv->capture, &cs);
        sc_info("source: %s, %dx%d", cs.name, cs.w, cs.h);
    }
    return st;
}

/* Loads every style on the search path into the engine (a broken one is
 * skipped with a warning); --style must load. */
static enum sc_status load_styles(struct sc_live *lv, struct sc_engine *eng,
                                  struct sc_error *err)
{
    const struct sc_styles *s = &lv->app->styles;
    const char *want = lv->app->opt->style;
    if (want && sc_styles_find(s, want) < 0)
        return sc_styles_unknown(s, want, err);
    for (int i = 0; i < s->n && lv->nstyles < SC_LIVE_MAX_STYLES; i++) {
        struct sc_model *m;
        struct sc_error e;
        enum sc_status st = sc_styles_load(s, i, &m, &e);
        if (!st) {
            st = sc_engine_add_style(eng, m, NULL, &e);
            sc_model_free(&m);
        }
        if (st && want && strcmp(want, s->list[i].name) == 0) {
            *err = e;
            return st;
        }
        if (st) {
            sc_warn("Skipping style '%s': %s", s->list[i].name, e.msg);
            continue;
        }
        if (want && strcmp(want, s->list[i].name) == 0)
            lv->controls.style = lv->nstyles;
        snprintf(lv->style_names[lv->nstyles++], 128, "%s", s->list[i].name);
    }
    return SC_OK;
}

/* On a CPU the network at the camera's size runs at a few frames a second,
 * which does not feel live: unless told otherwise, it runs smaller there
 * when it must, never below CPU_MIN_W wide, and is scaled up for display.
 * Batch runs keep every frame at full size. */
enum { CPU_MIN_W = 320 };
static const double cpu_target_fps = 15;

static void pick_infer_size(const struct sc_live *lv, struct sc_engine *eng,
                            struct sc_process_opts *po)
{
    const struct sc_options *o = lv->app->opt;
    po->infer_w = o->infer_w;
    po->infer_h = o->infer_h;
    po->target_fps = o->infer_auto ? o->infer_fps : 0;
    if (o->infer_w || o->infer_auto || o->infer_full || lv->batch || !sc_engine_is_cpu(eng))
        return;
    po->target_fps = cpu_target_fps;
    po->min_infer_w = CPU_MIN_W;
    sc_info("engine: no GPU, so the network runs smaller than the camera when it must "
            "to stay near %.0f fps, down to %d pixels wide (--infer-size full keeps "
            "the camera's size)", cpu_target_fps, CPU_MIN_W);
}

enum sc_status sc_live_start(struct sc_live *lv, struct sc_error *err)
{
    const struct sc_options *o = lv->app->opt;
    enum sc_status st = sc_ring_init(&lv->ring, 4, lv->batch ? SC_RING_LOSSLESS : SC_RING_LIVE,
                                     err);
    if (!st)
        st = sc_mailbox_init(&lv->mailbox, err);
    struct sc_engine *eng = NULL;
    struct sc_engine_opts eo = {.cl_device = lv->app->cl_device,
                                .cache_dir = lv->app->env->cache_dir, .inflight = o->inflight};
    if (!st)
        st = sc_engine_init(&eng, &eo, err);
    if (!st)
        st = load_styles(lv, eng, err);
    if (!st)
        st = open_source(lv, err);
    if (st) {
        sc_engine_free(&eng);
        return st;
    }
    sc_info("engine: %s, %d frame%s in flight", sc_engine_device_name(eng),
            sc_engine_inflight(eng), sc_engine_inflight(eng) > 1 ? "s" : "");
    struct sc_process_opts po = {.engine = eng, .ring = lv->ring, .mailbox = lv->mailbox,
                                 .controls = lv->controls, .lossless = lv->batch,
                                 .record_path = o->record};
    pick_infer_size(lv, eng, &po);
    st = sc_process_init(&lv->process, &po, err);
    if (st)
        sc_engine_free(&eng);
    return st;
}

static void stop(struct sc_live *lv)
{
    if (lv->ring)
        sc_ring_terminate(lv->ring);
    sc_process_free(&lv->process);    /* finishes a recording first */
    sc_capture_free(&lv->capture);
    sc_mailbox_free(&lv->mailbox);
    sc_ring_free(&lv->ring);
}

const char *sc_live_record_dir(struct sc_live *lv)
{
    if (lv->record_dir[0])
        return lv->record_dir;
    struct sc_error err;
    if (sc_record_dir_default(lv->record_dir, sizeof lv->record_dir, lv->app->opt->record_dir,
                              lv->app->env->videos_dir, lv->app->env->home, &err) != SC_OK) {
        lv->record_dir[0] = '\0';
        sc_err("%s", err.msg);
        return NULL;
    }
    return lv->record_dir;
}

int sc_live_toggle_record(struct sc_live *lv, int recording)
{
    if (recording) {
        sc_process_record_stop(lv->process);
        return 0;
    }
    const char *dir = sc_live_record_dir(lv);
    char path[4200];
    struct sc_error err;
    if (!dir || sc_record_path_new(dir, "mkv", path, sizeof path, &err) != SC_OK) {
        if (dir)
            sc_err("%s", err.msg);
        return -1;
    }
    sc_process_record_start(lv->process, path);
    return 0;
}

int sc_cmd_list_devices(struct sc_app *app)
{
    int n = sc_v4l2_list_devices(stdout);
    if (n == 0) {
        sc_err("No camera was found (no /dev/video* device can capture); plug one in, "
               "or use --input test.");
        return 1;
    }
    return 0;
}

int sc_cmd_live(struct sc_app *app)
{
    const struct sc_options *o = app->opt;
    static struct sc_live lv;
    memset(&lv, 0, sizeof lv);
    lv.app = app;
    lv.controls = (struct sc_controls){.strength = o->strength, .keep_colors = o->keep_colors,
                                       .mirror = o->mirror};
    lv.batch = o->headless && o->record && o->input && strcmp(o->input, "test") != 0;
    if (o->record && sc_record_path_exists(o->record)) {
        sc_err("%s already exists; stylecam never overwrites a file: choose another name.",
               o->record);
        return 1;
    }
    if (!o->headless && !app->env->has_display) {
        sc_err("No display is available (DISPLAY and WAYLAND_DISPLAY are unset); run with "
               "--headless to stylize without a window.");
        return 1;
    }
    install_signals();
    int rc;
    if (o->headless) {
        struct sc_error err;
        if (sc_live_start(&lv, &err) != SC_OK) {
            sc_err("%s", err.msg);
            rc = 1;
        } else {
            rc = sc_live_run_headless(&lv);
        }
    } else {
        rc = sc_live_run_window(&lv);   /* the window opens first, then starts */
    }
    stop(&lv);
    return rc;
}
