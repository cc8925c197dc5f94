/* The window loop: keys steer the processing thread, the newest stylized
 * frame is shown with the overlay. Main thread. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/live.h"
#include "common/clock.h"
#include "common/log.h"
#include "app/record/paths.h"
#include "app/window/input.h"
#include "app/window/window.h"

#define NOTE_US 3000000   /* how long a one-off note stays on screen */

struct ui {
    struct sc_live *lv;
    struct sc_window *win;
    const struct sc_shown *shown;   /* the frame on screen (mailbox front) */
    struct sc_overlay ov;
    char note[256];
    int64_t note_until;
    char seen[1024];                /* the processing thread's last message, once shown */
    double latency_ms, fps;
    int64_t fps_t0;
    int fps_n;
    int recording;
};

static void note(struct ui *u, const char *msg)
{
    snprintf(u->note, sizeof u->note, "%.255s", msg);
    u->note_until = sc_now_us() + NOTE_US;
}

static void snapshot(struct ui *u)
{
    const char *dir = sc_live_record_dir(u->lv);
    if (!u->shown || !dir)
        return;
    char path[4200], msg[4300];
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

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

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
    case SC_UI_STRENGTH_UP:
    case SC_UI_STRENGTH_DOWN: {
        int pct = (int)(c->strength * 100 + 0.5f) + (ev->action == SC_UI_STRENGTH_UP ? 10 : -10);
        c->strength = (float)clampi(pct, 0, 100) / 100.0f;
        break;
    }
    case SC_UI_RECORD: sc_live_toggle_record(u->lv, u->recording); break;
    case SC_UI_SNAPSHOT: snapshot(u); break;
    default: return 0;
    }
    sc_process_set_controls(u->lv->process, c);
    return 0;
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
    ov->fps = u->fps;
    ov->engine_ms = ps.engine_ms;
    ov->dropped = rs.dropped + sc_mailbox_dropped(u->lv->mailbox);
    ov->latency_ms = u->latency_ms;
    ov->strength = (int)(c->strength * 100 + 0.5f);
    ov->infer_w = ps.infer_w;
    ov->infer_h = ps.infer_h;
    ov->keep_colors = c->keep_colors;
    ov->mirror = c->mirror;
    ov->paused = c->paused;
    u->recording = ps.recording;
    ov->recording = ps.recording != 0;
    ov->rec_elapsed_s = ps.rec_elapsed_s;
    ov->show = true;
    /* A new message from the processing thread (a clip saved, a full disk)
     * becomes a note; an engine failure stays. */
    if (ps.message[0] && strcmp(ps.message, u->seen) != 0) {
        snprintf(u->seen, sizeof u->seen, "%s", ps.message);
        note(u, ps.message);
    }
    const char *msg = "";
    if (cs.state != SC_CAPTURE_RUNNING)
        msg = cs.message;                       /* camera lost: stays until it is back */
    else if (ps.failed)
        msg = ps.message;
    else if (sc_now_us() < u->note_until)
        msg = u->note;
    else if (!u->shown)
        msg = "Stylizing the first frame...";
    snprintf(ov->status_msg, sizeof ov->status_msg, "%.255s", msg);
}

/* Takes a new frame if there is one and updates the display rates. */
static int take_frame(struct ui *u)
{
    const struct sc_shown *s = sc_mailbox_take(u->lv->mailbox, 10);
    if (!s)
        return 0;
    u->shown = s;
    int64_t now = sc_now_us();
    double lat = (double)(now - s->stylized.pts_us) / 1000.0;
    u->latency_ms = u->latency_ms > 0 ? 0.9 * u->latency_ms + 0.1 * lat : lat;
    u->fps_n++;
    if (now - u->fps_t0 >= 1000000) {
        u->fps = u->fps_n * 1e6 / (double)(now - u->fps_t0);
        u->fps_t0 = now;
        u->fps_n = 0;
    }
    return 1;
}

struct starter {
    struct sc_live *lv;
    struct sc_error err;
    enum sc_status st;
    atomic_int done;        /* set last by the starter thread */
};

static void *start_thread(void *arg)
{
    struct starter *s = arg;
    s->st = sc_live_start(s->lv, &s->err);
    atomic_store(&s->done, 1);
    return NULL;
}

/* The pipeline starts (styles load, kernels build: seconds on a first run)
 * on a helper thread while the window already shows that it is starting and
 * still answers; returns 0 to go on, 1 when it failed (said on the console),
 * 2 when the user quit meanwhile. */
static int start_in_window(struct ui *u)
{
    struct starter s = {.lv = u->lv};
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
        struct sc_ui_event ev;
        while (sc_window_poll(u->win, &ev))
            quit |= ev.action == SC_UI_QUIT;
        if (quit || sc_live_stop)   /* the start cannot be cut short: say so */
            snprintf(ov.status_msg, sizeof ov.status_msg,
                     "Quitting as soon as the start is over...");
        struct sc_error err;
        if (sc_window_present(u->win, NULL, NULL, &ov, &err) != SC_OK)
            sc_log_ratelimited("start-present", SC_LOG_ERROR, "%s", err.msg);
        struct timespec ts = {0, 30 * 1000000L};
        nanosleep(&ts, NULL);
    }
    pthread_join(th, NULL);
    if (s.st != SC_OK) {
        sc_err("%s", s.err.msg);
        return 1;
    }
    return quit || sc_live_stop ? 2 : 0;
}

int sc_live_run_window(struct sc_live *lv)
{
    struct ui u;
    memset(&u, 0, sizeof u);
    u.lv = lv;
    struct sc_error err;
    struct sc_window_opts wo = {.title = "stylecam"};
    if (sc_window_init(&u.win, &wo, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return 1;
    }
    int started = start_in_window(&u);
    if (started) {
        sc_window_free(&u.win);
        return started == 1;
    }
    u.fps_t0 = sc_now_us();
    int64_t last_draw = 0;
    int quit = 0, rc = 0;
    while (!quit && !sc_live_stop) {
        struct sc_ui_event ev;
        int redraw = 0;
        while (!quit && sc_window_poll(u.win, &ev)) {
            quit = handle(&u, &ev);
            redraw = 1;
        }
        redraw |= take_frame(&u);
        /* The overlay's figures and messages refresh even with no new frame. */
        if (!redraw && sc_now_us() - last_draw < 250000)
            continue;
        fill_overlay(&u);
        if (sc_window_present(u.win, u.shown ? &u.shown->stylized : NULL,
                              u.shown ? &u.shown->original : NULL, &u.ov, &err) != SC_OK) {
            sc_err("%s", err.msg);
            rc = 1;
            break;
        }
        last_draw = sc_now_us();
    }
    sc_window_free(&u.win);
    return rc;
}
