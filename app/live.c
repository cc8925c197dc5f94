/* stylecam (live): sets the pipeline up, runs a loop, tears it down. */
#include "app/live.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app/capture/pipewire_cameras.h"
#include "app/capture/v4l2.h"
#include "app/output/copies.h"
#include "app/output/output_record.h"
#include "app/output/output_vcam.h"
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
        if (sc_pipewire_is_spec(o->device))
            drv = &sc_source_pipewire;
    } else if (lv->settings.camera[0] && access(lv->settings.camera, F_OK) == 0) {
        req.spec = lv->settings.camera;     /* the one chosen with --device last time */
    } else if (sc_v4l2_default_device(dev, sizeof dev, err) == SC_OK) {
        /* No camera named: a V4L2 capture node, then a PipeWire camera
         * (a MIPI camera behind libcamera has no V4L2 node), then the
         * test scene. */
        if (lv->settings.camera[0])
            sc_info("The remembered camera %s is not there; opening %s instead.",
                    lv->settings.camera, dev);
        else
            sc_info("no camera given: using the first V4L2 camera, %s", dev);
        req.spec = dev;
    } else if (sc_pipewire_default_camera(dev, sizeof dev, err) == SC_OK) {
        sc_info("no camera given and no V4L2 camera found: using the first PipeWire "
                "camera, %s", dev);
        req.spec = dev;
        drv = &sc_source_pipewire;
    } else {
        sc_debug("no PipeWire camera either: %s", err->msg);
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
        snprintf(lv->style_names[lv->nstyles++], 128, "%s", s->list[i].name);
    }
    return SC_OK;
}

static int style_index(const struct sc_live *lv, const char *name)
{
    for (int i = 0; i < lv->nstyles; i++)
        if (strcmp(lv->style_names[i], name) == 0)
            return i;
    return -1;
}

/* The first style: --style, else the first --style-image picture, else the
 * one used last time, else the first. Picture styles are loaded by now. */
static enum sc_status pick_style(struct sc_live *lv, struct sc_error *err)
{
    const struct sc_options *o = lv->app->opt;
    const char *want = o->style, *kept = lv->settings.style;
    int i;
    if (want && (i = style_index(lv, want)) < 0)
        return sc_styles_unknown(&lv->app->styles, want, err);
    if (want) {
        lv->controls.style = i;
    } else if (o->nstyle_images) {
        for (i = 0; i < lv->nstyles && !lv->arb.is_arb[i]; i++)
            ;
        lv->controls.style = i < lv->nstyles ? i : 0;
    } else if (kept[0] && lv->nstyles > 0) {
        if ((i = style_index(lv, kept)) >= 0)
            lv->controls.style = i;
        else
            sc_info("The style '%s' used last time is no longer installed; starting with "
                    "'%s'.", kept, lv->style_names[0]);
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

/* The display lends one buffer per frame in the engine. */
_Static_assert(SC_MAILBOX_BACKS >= SC_ENGINE_MAX_INFLIGHT, "a mailbox buffer per flight");

/* A recording's settings: the clip declares the source's nominal rate (the
 * one asked for when unknown) and keeps a video file's time base. */
static struct sc_output_record_opts record_opts(struct sc_live *lv, const char *path)
{
    struct sc_capture_status cs;
    sc_capture_get_status(lv->capture, &cs);
    return (struct sc_output_record_opts){
        .path = path, .lossless = lv->batch, .quality = lv->app->opt->record_quality,
        .fps = cs.nominal_fps > 0 ? cs.nominal_fps : lv->app->opt->fps,
        .time_base_num = cs.time_base_num, .time_base_den = cs.time_base_den};
}

/* The virtual camera's settings: readers are promised the source's
 * nominal rate (the one asked for when unknown, else 30). */
static struct sc_output_vcam_opts vcam_opts(struct sc_live *lv)
{
    const struct sc_options *o = lv->app->opt;
    struct sc_capture_status cs;
    sc_capture_get_status(lv->capture, &cs);
    return (struct sc_output_vcam_opts){
        .spec = o->vcam ? o->vcam : "auto",
        .format = o->vcam_format == 1 ? SC_VCAM_I420 : SC_VCAM_YUYV,
        .fps = cs.nominal_fps > 0 ? cs.nominal_fps : o->fps > 0 ? o->fps : 30};
}

/* The outputs from the first frame on: the display, and a recording and
 * a virtual camera asked for on the command line. */
static enum sc_status first_outputs(struct sc_live *lv, struct sc_process_opts *po,
                                    struct sc_error *err)
{
    const struct sc_options *o = lv->app->opt;
    po->outputs[po->noutputs++] = (struct sc_process_output){SC_LIVE_OUT_DISPLAY,
                                                             &sc_output_display, lv->mailbox};
    if (o->record) {
        struct sc_output_record_opts ro = record_opts(lv, o->record);
        void *rec;
        enum sc_status st = sc_output_record_new(&rec, &ro, err);
        if (st)
            return st;
        po->outputs[po->noutputs++] = (struct sc_process_output){SC_LIVE_OUT_RECORD,
                                                                 &sc_output_record, rec};
    }
    if (o->vcam) {
        struct sc_output_vcam_opts vo = vcam_opts(lv);
        void *vc;
        enum sc_status st = sc_output_vcam_new(&vc, &vo, err);
        if (st)
            return st;
        po->outputs[po->noutputs++] = (struct sc_process_output){SC_LIVE_OUT_VCAM,
                                                                 &sc_output_vcam, vc};
        lv->vcam_asked = 1;
    }
    return SC_OK;
}

enum sc_status sc_live_start(struct sc_live *lv, struct sc_error *err)
{
    const struct sc_options *o = lv->app->opt;
    enum sc_status st = sc_ring_init(&lv->ring, SC_PROCESS_RING_SLOTS,
                                     lv->batch ? SC_RING_LOSSLESS : SC_RING_LIVE, err);
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
        sc_live_arb_start(lv, eng);
    if (!st)
        st = pick_style(lv, err);
    if (!st)
        st = open_source(lv, err);
    /* --frames ends a headless run: the processing thread makes exactly that
     * many, so every output gets the same frames. */
    struct sc_process_opts po = {.engine = eng, .ring = lv->ring, .controls = lv->controls,
                                 .lossless = lv->batch,
                                 .max_frames = o->headless ? o->frames : 0};
    if (!st)
        st = first_outputs(lv, &po, err);
    if (st) {
        for (int i = 0; i < po.noutputs; i++)
            if (po.outputs[i].id != SC_LIVE_OUT_DISPLAY)
                po.outputs[i].drv->close(po.outputs[i].priv, NULL, 0);
        sc_engine_free(&eng);
        return st;
    }
    static const char *const stab[] = {"off", "on", "strong"};
    sc_info("engine: %s, %d frame%s in flight, stabilize %s", sc_engine_device_name(eng),
            sc_engine_inflight(eng), sc_engine_inflight(eng) > 1 ? "s" : "",
            stab[lv->controls.stabilize]);
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

int sc_live_recording(const struct sc_live *lv, const struct sc_process_status *ps)
{
    if (ps->orders_done < lv->rec_order)
        return lv->rec_asked;   /* not carried out yet: as asked */
    return sc_process_output(ps, SC_LIVE_OUT_RECORD) != NULL;
}

int sc_live_toggle_record(struct sc_live *lv)
{
    struct sc_process_status ps;
    sc_process_get_status(lv->process, &ps);
    if (sc_live_recording(lv, &ps)) {
        lv->rec_order = sc_process_detach(lv->process, SC_LIVE_OUT_RECORD);
        lv->rec_asked = 0;
        return 0;
    }
    if (ps.ended) {
        sc_err("Not recording: the input has ended; restart stylecam to record it again.");
        return -1;
    }
    const char *dir = sc_live_record_dir(lv);
    char path[PATH_MAX];
    struct sc_error err;
    if (!dir || sc_record_path_new(dir, "mkv", path, sizeof path, &err) != SC_OK) {
        if (dir)
            sc_err("%s", err.msg);
        return -1;
    }
    struct sc_output_record_opts ro = record_opts(lv, path);
    void *rec;
    if (sc_output_record_new(&rec, &ro, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return -1;
    }
    uint64_t n = sc_process_attach(lv->process, SC_LIVE_OUT_RECORD, &sc_output_record, rec);
    if (!n) {
        sc_output_record.close(rec, NULL, 0);
        sc_err("Not recording: stylecam is still busy with the last keys; press R again.");
        return -1;
    }
    lv->rec_order = n;
    lv->rec_asked = 1;
    return 0;
}

/* ---- settings remembered by window sessions ---- */

/* Reads the settings once, and the options given on the command line win. */
static void settings_read(struct sc_live *lv)
{
    const struct sc_options *o = lv->app->opt;
    struct sc_settings *s = &lv->settings;
    struct sc_error err;
    sc_settings_clear(s);
    if (sc_settings_path(lv->settings_path, sizeof lv->settings_path,
                         lv->app->env->config_home, &err) != SC_OK) {
        sc_warn("%s", err.msg);
        lv->settings_path[0] = '\0';
        return;
    }
    if (sc_settings_load(s, lv->settings_path, &err) != SC_OK)
        sc_warn("%s", err.msg);     /* s is cleared: the defaults */
    struct sc_controls *c = &lv->controls;
    if (!o->strength_given && s->strength != SC_SETTING_UNSET)
        c->strength = (float)s->strength / 100.0f;
    if (!o->keep_colors && s->keep_colors != SC_SETTING_UNSET)
        c->keep_colors = s->keep_colors;
    if (!o->mirror && s->mirror != SC_SETTING_UNSET)
        c->mirror = s->mirror;
    if (o->stabilize < 0 && s->stabilize != SC_SETTING_UNSET)
        c->stabilize = s->stabilize;
    /* The style is matched once the styles are loaded (load_styles), the
     * camera when the source opens (open_source). */
    static const char *const stab[] = {"off", "on", "strong"};
    sc_debug("settings: strength %d%%, keep colours %s, mirror %s, stabilize %s, style %s, "
             "window %dx%d%s (%s, then the command line)", (int)lroundf(c->strength * 100),
             c->keep_colors ? "on" : "off", c->mirror ? "on" : "off",
             stab[c->stabilize >= 0 && c->stabilize <= 2 ? c->stabilize : 0],
             o->style ? o->style : s->style[0] ? s->style : "(the first)",
             s->window_w > 0 ? s->window_w : 0, s->window_h > 0 ? s->window_h : 0,
             s->fullscreen == 1 ? " fullscreen" : "", lv->settings_path);
}

/* What the session ended with: the controls, the camera chosen with
 * --device, the window (sc_live_window_closing). Written whole. */
static void settings_write(struct sc_live *lv)
{
    const struct sc_options *o = lv->app->opt;
    struct sc_settings *s = &lv->settings;
    const struct sc_controls *c = &lv->controls;
    if (!lv->settings_path[0] || lv->nstyles == 0)
        return;     /* the session never started: nothing was used */
    snprintf(s->style, sizeof s->style, "%s", lv->style_names[c->style]);
    s->strength = (int)lroundf(c->strength * 100);
    s->keep_colors = !!c->keep_colors;
    s->mirror = !!c->mirror;
    s->stabilize = c->stabilize;
    if (o->device && !o->input)
        snprintf(s->camera, sizeof s->camera, "%s", o->device);
    struct sc_error err;
    if (sc_settings_save(s, lv->settings_path, &err) != SC_OK)
        sc_warn("%s", err.msg);
    else
        sc_debug("settings saved to %s", lv->settings_path);
}

void sc_live_window_opts(const struct sc_live *lv, struct sc_window_opts *wo)
{
    const struct sc_settings *s = &lv->settings;
    *wo = (struct sc_window_opts){.title = "stylecam"};
    if (s->window_w > 0 && s->window_h > 0) {
        wo->w = s->window_w;
        wo->h = s->window_h;
    }
    wo->fullscreen = s->fullscreen == 1;
}

void sc_live_window_closing(struct sc_live *lv, const struct sc_window *win)
{
    sc_window_size(win, &lv->settings.window_w, &lv->settings.window_h);
    lv->settings.fullscreen = sc_window_fullscreen(win);
}

int sc_live_vcam_on(const struct sc_live *lv, const struct sc_process_status *ps)
{
    if (ps->orders_done < lv->vcam_order)
        return lv->vcam_asked;  /* not carried out yet: as asked */
    return sc_process_output(ps, SC_LIVE_OUT_VCAM) != NULL;
}

int sc_live_toggle_vcam(struct sc_live *lv)
{
    struct sc_process_status ps;
    sc_process_get_status(lv->process, &ps);
    if (sc_live_vcam_on(lv, &ps)) {
        lv->vcam_order = sc_process_detach(lv->process, SC_LIVE_OUT_VCAM);
        lv->vcam_asked = 0;
        return 0;
    }
    if (ps.ended) {
        sc_err("Not starting the virtual camera: the input has ended; restart stylecam.");
        return -1;
    }
    struct sc_output_vcam_opts vo = vcam_opts(lv);
    struct sc_error err;
    void *vc;
    if (sc_output_vcam_new(&vc, &vo, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return -1;
    }
    uint64_t n = sc_process_attach(lv->process, SC_LIVE_OUT_VCAM, &sc_output_vcam, vc);
    if (!n) {
        sc_output_vcam.close(vc, NULL, 0);
        sc_err("Not starting the virtual camera: stylecam is still busy with the last keys; "
               "press V again.");
        return -1;
    }
    sc_info("virtual camera: starting (%s)", vo.spec);
    lv->vcam_order = n;
    lv->vcam_asked = 1;
    return 0;
}

void sc_live_log_copies(struct sc_live *lv, const struct sc_display_tally *t)
{
    struct sc_copies c;
    sc_copies_get(&c);
    if (!c.enabled)
        return;
    struct sc_ring_stats rs;
    struct sc_process_status ps;
    sc_ring_get_stats(lv->ring, &rs);
    sc_process_get_status(lv->process, &ps);
    char line[512];
    int n = snprintf(line, sizeof line, "copies: %llu frames into the ring, %llu made, "
                     "%llu shown;", (unsigned long long)rs.produced,
                     (unsigned long long)ps.frames, (unsigned long long)t->shown);
    for (int i = 0; i < SC_COPY_STAGES && n > 0 && (size_t)n < sizeof line; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, " %s %llu", sc_copies_name(i),
                      (unsigned long long)c.n[i]);
    sc_debug("%s", line);
}

int sc_cmd_list_devices(struct sc_app *app)
{
    int n = sc_v4l2_list_devices(stdout);
    n += sc_pipewire_list_cameras(stdout);
    if (n == 0) {
        sc_err("No camera was found (no /dev/video* device can capture, and PipeWire offers "
               "none); plug one in, or use --input test.");
        return 1;
    }
    return 0;
}

int sc_cmd_live(struct sc_app *app)
{
    const struct sc_options *o = app->opt;
    static struct sc_live lv;   /* large (paths, style names): not on the stack */
    memset(&lv, 0, sizeof lv);
    lv.app = app;
    lv.controls = (struct sc_controls){.strength = o->strength, .keep_colors = o->keep_colors,
                                       .mirror = o->mirror,
                                       .stabilize = o->stabilize >= 0 ? o->stabilize
                                                                      : SC_STAB_DEFAULT};
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
    sc_settings_clear(&lv.settings);
    if (!o->headless)
        settings_read(&lv);     /* headless and batch runs take options alone */
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
    if (!o->headless)
        settings_write(&lv);
    sc_live_arb_free(&lv);
    return rc;
}
