/* The window loop: keys steer the processing thread, the newest stylized
 * frame is shown with the overlay. Main thread. It sleeps in SDL's event
 * queue: the display's mailbox pushes a wake event when a frame arrives,
 * and a slow tick refreshes the overlay's figures. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "app/live.h"
#include "app/live_pics.h"
#include "app/download/download.h"
#include "common/clock.h"
#include "common/log.h"
#include "app/record/paths.h"
#include "app/window/input.h"
#include "app/window/window.h"

#define NOTE_US 3000000   /* how long a one-off note stays on screen */
#define TICK_MS 250       /* overlay figures and the stop flag, with no frame */
/* The start screen is drawn again this often: an X server under load shows
 * a new window's first frames late (a screenshot a moment after it maps
 * can find it blank); it lasts seconds, and the starter's wake ends it. */
#define START_TICK_MS 30

struct ui {
    struct sc_live *lv;
    struct sc_window *win;
    const struct sc_shown *shown;   /* the frame on screen (mailbox front) */
    struct sc_display_tally tally;
    struct sc_overlay ov;
    char note[256];
    int64_t note_until;
    char seen[1024];                /* the processing thread's last message, once shown */
    struct sc_download *dl;         /* D's background download (NULL: none yet) */
    int dl_handed;                  /* its installed styles handed to the processing thread */
    uint64_t dl_order;              /* the add-style order not done yet (0: none) */
    char dl_name[64];               /* that order's style */
    int dl_notes;                   /* its lines logged so far */
    int dl_told;                    /* its end was said */
    int shown_style;                /* the style last logged */
    int hint_logged;                /* the D hint was said on the console */
    struct sc_live_pics *pics;      /* picture styles: P, drops, B, [ ] */
    char said_blend[96];            /* the overlay's blend line, as last logged */
    char said_busy[128];            /* its "adding style" line, as last logged */
};

static void note(struct ui *u, const char *msg)
{
    snprintf(u->note, sizeof u->note, "%.255s", msg);
    u->note_until = sc_now_us() + NOTE_US;
}

/* T: off, on, strong in turn; said in the log and on screen. */
static void stabilize_next(struct ui *u, struct sc_controls *c)
{
    static const char *const what[] = {
        "Stabilize off: each frame is stylized on its own.",
        "Stabilize on: the picture is steadied over time.",
        "Stabilize strong: the picture is steadied more (slow motion may trail).",
    };
    c->stabilize = (c->stabilize + 1) % 3;
    sc_info("%s", what[c->stabilize]);
    note(u, what[c->stabilize]);
}

static void snapshot(struct ui *u)
{
    const char *dir = sc_live_record_dir(u->lv);
    if (!u->shown || !dir)
        return;
    static char path[PATH_MAX], msg[PATH_MAX + 16];   /* main thread only */
    struct sc_error err;
    if (sc_snapshot_save(dir, &u->shown->stylized, path, sizeof path, &err) != SC_OK) {
        sc_err("%s", err.msg);
        note(u, err.msg);
        return;
    }
    snprintf(msg, sizeof msg, "Saved %s", path);
    sc_info("%s", msg);
    note(u, msg);
}

/* V: the virtual camera starts (where it goes shows once it is open, or
 * why it could not, from the processing thread's message) or stops. */
static void toggle_vcam(struct ui *u)
{
    struct sc_process_status ps;
    sc_process_get_status(u->lv->process, &ps);
    int was_on = sc_live_vcam_on(u->lv, &ps);
    if (sc_live_toggle_vcam(u->lv) == 0)
        note(u, was_on ? "Virtual camera: stopping..." : "Virtual camera: starting...");
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Compare mode needs the original with each frame: asked for only then,
 * and, while paused, the frozen frame is made again to bring it. */
static void compare_changed(struct ui *u, struct sc_controls *c)
{
    int on = sc_window_compare(u->win);
    /* A picture-style grab (P) waiting for its original keeps asking. */
    sc_mailbox_want_original(u->lv->mailbox, on || sc_live_pics_grabbing(u->pics));
    if (on)
        c->refresh++;
}

/* ---- D: the painting styles downloaded in the background ---- */

/* Only the built-in sketch is there: the overlay says what D does. */
static int only_builtin(const struct sc_live *lv)
{
    return lv->nstyles == 1 && strcmp(lv->style_names[0], SC_BUILTIN_SKETCH) == 0;
}

/* Where D installs: the first folder of --models or STYLECAM_MODELS (so
 * that the styles stay on this session's search path), else
 * $XDG_DATA_HOME/stylecam/models. */
static void download_dest(const struct sc_live *lv, char dest[PATH_MAX])
{
    const char *list = lv->app->opt->models && lv->app->opt->models[0]
                           ? lv->app->opt->models : lv->app->env->models;
    if (list[0])
        snprintf(dest, PATH_MAX, "%.*s", (int)strcspn(list, ":"), list);
    else
        sc_download_default_dest(lv->app->env, dest);
}

static void download_start(struct ui *u)
{
    if (u->dl) {
        struct sc_download_progress p;
        sc_download_get(u->dl, &p);
        if (!p.finished) {
            note(u, "The styles are downloading already.");
            return;
        }
        sc_download_free(&u->dl);   /* D again after a failure: try again */
    }
    char dest[PATH_MAX];
    download_dest(u->lv, dest);
    struct sc_download_opts o = {.dest = dest, .env = u->lv->app->env};
    struct sc_error err;
    if (sc_download_start(&u->dl, &o, &err) != SC_OK) {
        sc_err("%s", err.msg);
        note(u, err.msg);
        return;
    }
    u->dl_handed = u->dl_notes = u->dl_told = 0;
    sc_info("Downloading the painting styles into %s (the live view goes on).", dest);
}

/* Each style verified and installed is handed to the processing thread,
 * one at a time; when its order is done the style joins the keys. */
static void download_poll(struct ui *u)
{
    struct sc_live *lv = u->lv;
    if (!u->dl)
        return;
    char line[1024];
    int is_error;
    while (sc_download_note(u->dl, u->dl_notes, line, &is_error) == 0) {
        u->dl_notes++;
        sc_log(is_error ? SC_LOG_ERROR : SC_LOG_INFO, "download: %s", line);
    }
    struct sc_process_status ps;
    sc_process_get_status(lv->process, &ps);
    if (u->dl_order && ps.orders_done >= u->dl_order) {
        u->dl_order = 0;
        if (ps.styles > lv->nstyles && lv->nstyles < SC_LIVE_MAX_STYLES) {
            snprintf(lv->style_names[lv->nstyles++], 128, "%s", u->dl_name);
            sc_info("style '%s' added as %d of %d", u->dl_name, lv->nstyles, lv->nstyles);
        }
    }
    char name[64], dir[PATH_MAX];
    if (!u->dl_order && lv->nstyles < SC_LIVE_MAX_STYLES &&
        sc_download_installed(u->dl, u->dl_handed, name, dir) == 0) {
        int known = 0;      /* already loaded from elsewhere on the search path */
        for (int i = 0; i < lv->nstyles; i++)
            known |= strcmp(lv->style_names[i], name) == 0;
        uint64_t n = known ? 0 : sc_process_add_style(lv->process, dir);
        if (known)
            u->dl_handed++;
        if (n) {
            u->dl_order = n;
            u->dl_handed++;
            snprintf(u->dl_name, sizeof u->dl_name, "%s", name);
        }
    }
    struct sc_download_progress p;
    sc_download_get(u->dl, &p);
    u->ov.download = !p.finished;
    u->ov.download_frac = p.bytes_total > 0 ? (float)p.bytes_done / (float)p.bytes_total : 0;
    sc_download_format(&p, 0, u->ov.download_line, sizeof u->ov.download_line);
    if (p.finished && !u->dl_order && !u->dl_told &&
        sc_download_installed(u->dl, u->dl_handed, name, dir) != 0) {
        u->dl_told = 1;
        char msg[256];
        if (p.exit_status)
            snprintf(msg, sizeof msg, "%.200s%s", p.message,
                     only_builtin(lv) ? " Press D to try again." : "");
        else
            snprintf(msg, sizeof msg, "The painting styles are ready: 1-9 or Left/Right "
                     "pick them.");
        note(u, msg);
    }
}

/* A new style is logged; a blend of the style left ends first. */
static void style_shown(struct ui *u)
{
    const struct sc_controls *c = &u->lv->controls;
    if (c->style == u->shown_style)
        return;
    sc_live_pics_style_changed(u->pics, u->shown_style, c->style);
    u->shown_style = c->style;
    sc_info("style %d of %d: %s", c->style + 1, u->lv->nstyles, u->lv->style_names[c->style]);
}

/* Applies one action; returns 1 to quit. */
static int handle(struct ui *u, const struct sc_ui_event *ev)
{
    struct sc_controls *c = &u->lv->controls;
    int n = u->lv->nstyles;
    switch (ev->action) {
    case SC_UI_QUIT: return 1;
    case SC_UI_STYLE_INDEX:
        if (ev->style_index < n)
            c->style = ev->style_index;
        break;
    case SC_UI_STYLE_PREV: c->style = (c->style + n - 1) % n; break;
    case SC_UI_STYLE_NEXT: c->style = (c->style + 1) % n; break;
    case SC_UI_PAUSE: c->paused = !c->paused; break;
    case SC_UI_MIRROR: c->mirror = !c->mirror; break;
    case SC_UI_KEEP_COLORS: c->keep_colors = !c->keep_colors; break;
    case SC_UI_STABILIZE: stabilize_next(u, c); break;
    case SC_UI_COMPARE: compare_changed(u, c); break;
    case SC_UI_STRENGTH_UP:
    case SC_UI_STRENGTH_DOWN: {
        int pct = (int)(c->strength * 100 + 0.5f) + (ev->action == SC_UI_STRENGTH_UP ? 10 : -10);
        c->strength = (float)clampi(pct, 0, 100) / 100.0f;
        break;
    }
    case SC_UI_RECORD: sc_live_toggle_record(u->lv); break;
    case SC_UI_VCAM: toggle_vcam(u); break;
    case SC_UI_SNAPSHOT: snapshot(u); break;
    case SC_UI_DOWNLOAD: download_start(u); return 0;
    case SC_UI_PICTURE:
    case SC_UI_BLEND:
    case SC_UI_MIX_DOWN:
    case SC_UI_MIX_UP:
    case SC_UI_DROP:
        if (!sc_live_pics_action(u->pics, ev))
            return 0;
        break;
    default: return 0;
    }
    style_shown(u);
    sc_process_set_controls(u->lv->process, c);
    return 0;
}

/* Picture styles: the worker's results and orders done. */
static void pics_poll(struct ui *u)
{
    if (sc_live_pics_poll(u->pics)) {
        style_shown(u);
        sc_process_set_controls(u->lv->process, &u->lv->controls);
    }
    const char *msg = sc_live_pics_note(u->pics);
    if (msg)
        note(u, msg);
}

/* A picture-style line of the overlay that changed, at debug level (the
 * window tests follow the overlay through these). */
static void overlay_said(char *said, size_t n, const char *now, const char *what)
{
    if (strcmp(said, now) == 0)
        return;
    snprintf(said, n, "%s", now);
    sc_debug("overlay: %s: %s", what, now[0] ? now : "(none)");
}

static void fill_overlay(struct ui *u)
{
    struct sc_overlay *ov = &u->ov;
    struct sc_process_status ps;
    struct sc_capture_status cs;
    struct sc_ring_stats rs;
    sc_process_get_status(u->lv->process, &ps);
    sc_capture_get_status(u->lv->capture, &cs);
    sc_ring_get_stats(u->lv->ring, &rs);
    const struct sc_controls *c = &u->lv->controls;
    snprintf(ov->style_name, sizeof ov->style_name, "%s", u->lv->style_names[c->style]);
    ov->fps = u->tally.fps;
    ov->engine_ms = ps.engine_ms;
    ov->dropped = rs.dropped + sc_mailbox_dropped(u->lv->mailbox);
    ov->latency_ms = u->tally.latency_ms;
    ov->strength = (int)(c->strength * 100 + 0.5f);
    ov->infer_w = ps.infer_w;
    ov->infer_h = ps.infer_h;
    ov->keep_colors = c->keep_colors;
    ov->mirror = c->mirror;
    ov->stabilize = c->stabilize;
    ov->paused = c->paused;
    const struct sc_output_status *rec = sc_process_output(&ps, SC_LIVE_OUT_RECORD);
    ov->recording = sc_live_recording(u->lv, &ps);
    ov->rec_elapsed_s = rec ? rec->elapsed_s : 0;
    const struct sc_output_status *vc = sc_process_output(&ps, SC_LIVE_OUT_VCAM);
    ov->vcam = sc_live_vcam_on(u->lv, &ps);
    snprintf(ov->vcam_where, sizeof ov->vcam_where, "%.63s",
             vc && vc->active ? vc->where : "");
    ov->vcam_frames = vc ? vc->frames + vc->repeated : 0;
    ov->vcam_repeated = vc ? vc->repeated : 0;
    ov->vcam_dropped = vc ? vc->dropped : 0;
    ov->show = true;
    /* A new message from the processing thread (a clip saved, a full disk)
     * becomes a note; an engine failure stays. */
    if (ps.message[0] && strcmp(ps.message, u->seen) != 0) {
        snprintf(u->seen, sizeof u->seen, "%s", ps.message);
        note(u, ps.message);
    }
    pics_poll(u);
    char busy[128];
    sc_live_pics_overlay(u->pics, ov->blend, sizeof ov->blend, busy, sizeof busy);
    overlay_said(u->said_blend, sizeof u->said_blend, ov->blend, "blend line");
    overlay_said(u->said_busy, sizeof u->said_busy, busy, "status");
    const char *msg = "";
    if (cs.state != SC_CAPTURE_RUNNING)
        msg = cs.message;                       /* camera lost: stays until it is back */
    else if (ps.failed)
        msg = ps.message;
    else if (sc_now_us() < u->note_until)
        msg = u->note;
    else if (busy[0])
        msg = busy;                             /* "Adding style..." until it is there */
    else if (!u->shown)
        msg = "Stylizing the first frame...";
    snprintf(ov->status_msg, sizeof ov->status_msg, "%.255s", msg);
    download_poll(u);
    snprintf(ov->hint, sizeof ov->hint, "%s", only_builtin(u->lv) && !ov->download
             ? "Only the built-in sketch style is installed: press D to download the "
               "painting styles" : "");
    if (ov->hint[0] && !u->hint_logged) {
        u->hint_logged = 1;
        sc_info("%s.", ov->hint);
    }
}

/* Shows a new frame if one came (*fresh = 1): the only place the textures
 * are filled, so a redraw alone copies nothing. */
static enum sc_status take_frame(struct ui *u, int *fresh, struct sc_error *err)
{
    const struct sc_shown *s;
    *fresh = sc_display_take(u->lv->mailbox, &u->tally, 0, &s) == SC_OK;
    if (!*fresh)
        return SC_OK;
    u->shown = s;
    sc_live_pics_frame(u->pics, s, sc_window_compare(u->win));
    return sc_window_show(u->win, &s->stylized, s->with_original ? &s->original : NULL, err);
}

struct starter {
    struct sc_live *lv;
    struct sc_window *win;
    struct sc_error err;
    enum sc_status st;
    atomic_int done;        /* set last by the starter thread */
};

static void *start_thread(void *arg)
{
    struct starter *s = arg;
    s->st = sc_live_start(s->lv, &s->err);
    atomic_store(&s->done, 1);
    sc_window_wake(s->win);
    return NULL;
}

/* The pipeline starts (styles load, kernels build: seconds on a first run)
 * on a helper thread while the window already shows that it is starting and
 * still answers; returns 0 to go on, 1 when it failed (said on the console),
 * 2 when the user quit meanwhile. */
static int start_in_window(struct ui *u)
{
    struct starter s = {.lv = u->lv, .win = u->win};
    pthread_t th;
    if (pthread_create(&th, NULL, start_thread, &s) != 0) {
        sc_err("Cannot start a thread: the system is out of resources.");
        return 1;
    }
    struct sc_overlay ov = {.show = false};
    snprintf(ov.status_msg, sizeof ov.status_msg, "Starting: loading the styles and "
             "preparing the OpenCL kernels (the first start takes longest)...");
    int quit = 0;
    while (!atomic_load(&s.done)) {
        if (quit || sc_live_stop)   /* the start cannot be cut short: say so */
            snprintf(ov.status_msg, sizeof ov.status_msg,
                     "Quitting as soon as the start is over...");
        sc_window_redraw(u->win, &ov);
        struct sc_ui_event ev;
        if (sc_window_wait(u->win, &ev, START_TICK_MS))
            quit |= ev.action == SC_UI_QUIT;
    }
    pthread_join(th, NULL);
    if (s.st != SC_OK) {
        sc_err("%s", s.err.msg);
        return 1;
    }
    return quit || sc_live_stop ? 2 : 0;
}

static void wake_window(void *win)
{
    sc_window_wake(win);
}

/* Events (keys, the mailbox's wake) until quit; draws after events and
 * new frames at once, and on the tick for the figures. Returns the exit
 * status. */
static int loop(struct ui *u)
{
    int64_t last_draw = 0;
    struct sc_error err;
    for (;;) {
        struct sc_ui_event ev;
        int got = sc_window_wait(u->win, &ev, TICK_MS), events = got, quit = 0, fresh;
        while (got && !quit) {
            quit = ev.action != SC_UI_WAKE && handle(u, &ev);
            got = sc_window_poll(u->win, &ev);
        }
        if (quit || sc_live_stop)
            return 0;
        if (take_frame(u, &fresh, &err) != SC_OK) {
            sc_err("%s", err.msg);
            return 1;
        }
        if (!events && !fresh && sc_now_us() - last_draw < TICK_MS * 1000)
            continue;
        fill_overlay(u);
        sc_window_redraw(u->win, &u->ov);
        last_draw = sc_now_us();
    }
}

int sc_live_run_window(struct sc_live *lv)
{
    struct ui u;
    memset(&u, 0, sizeof u);
    u.lv = lv;
    struct sc_error err;
    struct sc_window_opts wo;
    sc_live_window_opts(lv, &wo);
    if (sc_window_init(&u.win, &wo, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return 1;
    }
    int started = start_in_window(&u);
    if (started) {
        sc_window_free(&u.win);
        return started == 1;
    }
    sc_mailbox_set_notify(lv->mailbox, wake_window, u.win);
    u.shown_style = lv->controls.style;
    u.pics = sc_live_pics_new(lv);
    if (!u.pics) {
        sc_err("Out of memory starting the window.");
        sc_window_free(&u.win);
        return 1;
    }
    sc_debug("window: the live view runs; keys are taken from now on");
    int rc = loop(&u);
    sc_live_pics_free(&u.pics);     /* the worker ends before the pipeline */
    sc_download_free(&u.dl);        /* cut short: a part stays to resume, nothing half-installed */
    sc_mailbox_set_notify(lv->mailbox, NULL, NULL);   /* no wake after the window */
    sc_live_log_copies(lv, &u.tally);
    sc_live_window_closing(lv, u.win);
    sc_window_free(&u.win);
    return rc;
}
