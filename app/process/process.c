#include "app/process/process.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"
#include "app/resize.h"
#include "app/record/recorder.h"

enum cmd { CMD_NONE, CMD_RECORD_START, CMD_RECORD_STOP };

/* The ring's size as app/live.c makes it: a frame older than this many
 * captures was not among the newest when taken. */
#define RING_SLOTS 4

struct sc_process {
    pthread_t thread;
    struct sc_process_opts o;           /* fixed after init */

    pthread_mutex_t lock;               /* guards the fields below it */
    struct sc_controls controls;        /* lock */
    enum cmd cmd;                       /* lock: the next command */
    char cmd_path[512];                 /* lock */
    int terminate;                      /* lock */
    struct sc_process_status status;    /* lock: published snapshot */

    /* Processing thread only. */
    struct sc_recorder *rec;
    char pending[512];                  /* a recording to start with the next frame */
    struct sc_frame held;               /* the last input frame, for pause */
    struct sc_controls shown_with;      /* the controls the last frame was made with */
    uint8_t *small, *small_out;         /* infer-size buffers */
    int small_w, small_h;
    double fps_t0;
    uint64_t fps_n;
};

static void publish_message(struct sc_process *p, const char *msg)
{
    pthread_mutex_lock(&p->lock);
    snprintf(p->status.message, sizeof p->status.message, "%.1000s", msg);
    pthread_mutex_unlock(&p->lock);
}

static void record_stop(struct sc_process *p)
{
    if (!p->rec)
        return;
    struct sc_recorder_stats rs;
    struct sc_recorder_status st;
    sc_recorder_get_status(p->rec, &st);
    sc_recorder_free(p->rec, &rs);
    p->rec = NULL;
    char msg[1100];
    if (st.failure[0])
        snprintf(msg, sizeof msg, "%s", st.failure);
    else
        snprintf(msg, sizeof msg, "Saved %s (%.1f s, %llu frames, %llu dropped because the "
                 "encoder fell behind).", p->status.rec_path, rs.duration_s,
                 (unsigned long long)rs.frames_written, (unsigned long long)rs.frames_dropped);
    sc_info("%s", msg);
    publish_message(p, msg);
    pthread_mutex_lock(&p->lock);
    p->status.recording = 0;
    pthread_mutex_unlock(&p->lock);
}

static void record_start(struct sc_process *p, const char *path, int w, int h)
{
    record_stop(p);
    struct sc_recorder_opts ro = {.path = path, .w = w, .h = h, .blocking = p->o.lossless};
    struct sc_error err;
    if (sc_recorder_init(&p->rec, &ro, &err) != SC_OK) {
        p->rec = NULL;
        sc_err("%s", err.msg);
        publish_message(p, err.msg);
        return;
    }
    sc_info("recording to %s", path);
    pthread_mutex_lock(&p->lock);
    snprintf(p->status.rec_path, sizeof p->status.rec_path, "%s", path);
    p->status.recording = 1;
    p->status.message[0] = '\0';
    pthread_mutex_unlock(&p->lock);
}

/* Takes the pending command and the controls; returns 1 to terminate. */
static int take_orders(struct sc_process *p, struct sc_controls *c, enum cmd *cmd,
                       char *path, size_t n)
{
    pthread_mutex_lock(&p->lock);
    *c = p->controls;
    *cmd = p->cmd;
    snprintf(path, n, "%s", p->cmd_path);
    p->cmd = CMD_NONE;
    int t = p->terminate;
    pthread_mutex_unlock(&p->lock);
    return t;
}

/* The size the network runs at for a w x h frame. */
static void infer_size(struct sc_process *p, int w, int h, int *iw, int *ih)
{
    *iw = w;
    *ih = h;
    if (p->small_w > 0 && p->small_w < w) {
        *iw = p->small_w;
        *ih = p->small_h;
    }
}

/* Automatic infer size: shrink when slower than the target, grow back
 * when well faster; sides stay multiples of 4, at least 64 wide. */
static void adapt(struct sc_process *p, int w, int h, double engine_ms)
{
    if (p->o.target_fps <= 0 || engine_ms <= 0)
        return;
    double budget = 1000.0 / p->o.target_fps;
    int cur = p->small_w > 0 ? p->small_w : w;
    double scale = 1.0;
    if (engine_ms > budget * 1.05)
        scale = 0.85;
    else if (engine_ms < budget * 0.6 && cur < w)
        scale = 1.1;
    if (scale == 1.0)
        return;
    int nw = ((int)(cur * scale) + 3) / 4 * 4;
    if (nw < 64)
        nw = 64;
    if (nw >= w) {
        p->small_w = p->small_h = 0;
        return;
    }
    p->small_w = nw;
    p->small_h = ((int)((double)h * nw / w) + 3) / 4 * 4;
    if (p->small_h < 16)
        p->small_h = 16;
}

static int ensure_small(struct sc_process *p, int iw, int ih)
{
    size_t n = (size_t)iw * ih * 3;
    uint8_t *a = realloc(p->small, n), *b = a ? realloc(p->small_out, n) : NULL;
    if (a)
        p->small = a;
    if (b)
        p->small_out = b;
    return a && b ? 0 : -1;
}

/* Stylizes f into the mailbox's back buffer (and the recorder). */
static enum sc_status stylize(struct sc_process *p, const struct sc_frame *f,
                              const struct sc_controls *c, double *engine_ms,
                              struct sc_error *err)
{
    struct sc_shown *s = sc_mailbox_back(p->o.mailbox, f->w, f->h);
    if (!s)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for %dx%d frames.", f->w, f->h);
    struct sc_run_params rp = {c->strength, c->keep_colors, c->mirror};
    int iw, ih;
    infer_size(p, f->w, f->h, &iw, &ih);
    int64_t t0 = sc_now_us();
    enum sc_status st;
    if (iw == f->w) {
        st = sc_engine_run(p->o.engine, c->style, f->rgb, f->w, f->h, &rp, s->stylized.rgb, err);
    } else {
        /* Both buffers only grow: sizes change rarely (auto mode steps). */
        if (ensure_small(p, iw, ih))
            return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for %dx%d frames.", iw, ih);
        sc_resize_rgb(f->rgb, f->w, f->h, p->small, iw, ih);
        st = sc_engine_run(p->o.engine, c->style, p->small, iw, ih, &rp, p->small_out, err);
        if (!st)
            sc_resize_rgb(p->small_out, iw, ih, s->stylized.rgb, f->w, f->h);
    }
    if (st)
        return st;
    s->engine_ms = *engine_ms = (double)(sc_now_us() - t0) / 1000.0;
    s->style = c->style;
    s->stylized.pts_us = s->original.pts_us = f->pts_us;
    s->stylized.seq = s->original.seq = f->seq;
    memcpy(s->original.rgb, f->rgb, (size_t)f->w * f->h * 3);
    if (c->mirror)   /* show the original the way the stylized one faces */
        for (int y = 0; y < f->h; y++)
            for (int x = 0; x < f->w / 2; x++) {
                uint8_t *a = s->original.rgb + ((size_t)y * f->w + x) * 3;
                uint8_t *b = s->original.rgb + ((size_t)y * f->w + f->w - 1 - x) * 3;
                for (int k = 0; k < 3; k++) {
                    uint8_t t = a[k];
                    a[k] = b[k];
                    b[k] = t;
                }
            }
    if (p->rec && f != &p->held)   /* a paused re-render is not new footage */
        sc_recorder_push(p->rec, &s->stylized);
    sc_mailbox_post(p->o.mailbox);
    adapt(p, f->w, f->h, s->engine_ms);
    return SC_OK;
}

/* Keeps a copy of the input frame, so pause can re-stylize it when a
 * setting changes; the buffer is reallocated only when the size changes. */
static int hold(struct sc_process *p, const struct sc_frame *f)
{
    size_t n = (size_t)f->w * f->h * 3;
    if (!p->held.rgb || p->held.w != f->w || p->held.h != f->h) {
        uint8_t *b = realloc(p->held.rgb, n);
        if (!b)
            return -1;
        p->held.rgb = b;
        p->held.w = f->w;
        p->held.h = f->h;
    }
    memcpy(p->held.rgb, f->rgb, n);
    p->held.pts_us = f->pts_us;
    p->held.seq = f->seq;
    return 0;
}

static int same_look(const struct sc_controls *a, const struct sc_controls *b)
{
    return a->style == b->style && a->strength == b->strength &&
           a->keep_colors == b->keep_colors && a->mirror == b->mirror;
}

static void update_status(struct sc_process *p, double engine_ms)
{
    double now = (double)sc_now_us() / 1e6;
    p->fps_n++;
    pthread_mutex_lock(&p->lock);
    p->status.frames++;
    p->status.engine_ms = p->status.engine_ms > 0 ? 0.8 * p->status.engine_ms + 0.2 * engine_ms
                                                  : engine_ms;
    if (now - p->fps_t0 >= 1.0) {
        p->status.fps = p->fps_n / (now - p->fps_t0);
        p->fps_t0 = now;
        p->fps_n = 0;
    }
    p->status.infer_w = p->small_w;
    p->status.infer_h = p->small_h;
    if (p->rec) {
        struct sc_recorder_status rs;
        sc_recorder_get_status(p->rec, &rs);
        p->status.rec_elapsed_s = rs.elapsed_s;
        p->status.rec_frames = rs.frames_written;
        p->status.rec_dropped = rs.frames_dropped;
        if (rs.failure[0])
            snprintf(p->status.message, sizeof p->status.message, "%s", rs.failure);
    }
    pthread_mutex_unlock(&p->lock);
}

static void *run(void *arg)
{
    struct sc_process *p = arg;
    struct sc_controls c;
    enum cmd cmd;
    char path[512];
    int last_w = 0, last_h = 0;
    p->fps_t0 = (double)sc_now_us() / 1e6;
    while (!take_orders(p, &c, &cmd, path, sizeof path)) {
        if (cmd == CMD_RECORD_STOP) {
            record_stop(p);
            p->pending[0] = '\0';
        }
        if (cmd == CMD_RECORD_START)   /* starts with the next frame, at its size */
            snprintf(p->pending, sizeof p->pending, "%s", path);
        const struct sc_frame *f;
        enum sc_status st = sc_ring_read_acquire(p->o.ring, 100, &f);
        if (st == SC_EOF)
            break;
        if (st != SC_OK)
            continue;
        struct sc_ring_stats rs;
        sc_ring_get_stats(p->o.ring, &rs);
        if (!p->o.lossless && f->seq + RING_SLOTS < rs.last_seq) {
            pthread_mutex_lock(&p->lock);
            p->status.stale++;
            pthread_mutex_unlock(&p->lock);
        }
        if (c.paused && !p->o.lossless) {
            sc_ring_read_release(p->o.ring, f);
            if (!p->held.rgb || same_look(&c, &p->shown_with))
                continue;
            f = &p->held;   /* a setting changed: show it on the frozen frame */
        }
        if (p->rec && (f->w != last_w || f->h != last_h))
            record_stop(p);   /* the camera changed size: this clip ends */
        last_w = f->w;
        last_h = f->h;
        if (p->pending[0]) {
            record_start(p, p->pending, f->w, f->h);
            p->pending[0] = '\0';
        }
        struct sc_error err;
        double ems = 0;
        int from_ring = f != &p->held;
        if (from_ring && !c.paused && hold(p, f) != 0)
            st = sc_error_set(&err, SC_ERR_NOMEM, "Out of memory for %dx%d frames.", f->w, f->h);
        else
            st = stylize(p, f, &c, &ems, &err);
        p->shown_with = c;
        if (from_ring)
            sc_ring_read_release(p->o.ring, f);
        if (st) {
            sc_err("%s", err.msg);
            pthread_mutex_lock(&p->lock);
            snprintf(p->status.message, sizeof p->status.message, "%s", err.msg);
            p->status.failed = 1;
            pthread_mutex_unlock(&p->lock);
            break;
        }
        update_status(p, ems);
    }
    record_stop(p);
    pthread_mutex_lock(&p->lock);
    p->status.ended = 1;
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

enum sc_status sc_process_init(struct sc_process **out, const struct sc_process_opts *o,
                               struct sc_error *err)
{
    struct sc_process *p = calloc(1, sizeof *p);
    if (!p)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory starting the pipeline.");
    p->o = *o;
    p->controls = o->controls;
    p->small_w = o->infer_w;
    p->small_h = o->infer_h;
    pthread_mutex_init(&p->lock, NULL);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        pthread_mutex_destroy(&p->lock);
        free(p);
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot start the processing thread.");
    }
    *out = p;
    return SC_OK;
}

void sc_process_free(struct sc_process *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->terminate = 1;
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    sc_engine_free(p->o.engine);
    free(p->held.rgb);
    free(p->small);
    free(p->small_out);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

void sc_process_set_controls(struct sc_process *p, const struct sc_controls *c)
{
    pthread_mutex_lock(&p->lock);
    p->controls = *c;
    pthread_mutex_unlock(&p->lock);
}

void sc_process_record_start(struct sc_process *p, const char *path)
{
    pthread_mutex_lock(&p->lock);
    p->cmd = CMD_RECORD_START;
    snprintf(p->cmd_path, sizeof p->cmd_path, "%s", path);
    pthread_mutex_unlock(&p->lock);
}

void sc_process_record_stop(struct sc_process *p)
{
    pthread_mutex_lock(&p->lock);
    p->cmd = CMD_RECORD_STOP;
    pthread_mutex_unlock(&p->lock);
}

void sc_process_get_status(struct sc_process *p, struct sc_process_status *st)
{
    pthread_mutex_lock(&p->lock);
    *st = p->status;
    pthread_mutex_unlock(&p->lock);
}
