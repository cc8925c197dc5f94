/* The processing thread: its loop, its orders (controls, recording) and the
 * status it publishes. The frames it has in the engine are flight.c's. */
#include "app/process/process_priv.h"
#include "common/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

enum cmd { CMD_NONE, CMD_RECORD_START, CMD_RECORD_STOP };

/* The ring's size as app/live.c makes it: a frame older than this many
 * captures was not among the newest when taken. */
#define RING_SLOTS 4

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
    sc_recorder_free(&p->rec, &rs);
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
static int take_orders(struct sc_process *p, struct sc_controls *c)
{
    pthread_mutex_lock(&p->lock);
    *c = p->controls;
    int cmd = p->cmd;
    char path[512];
    snprintf(path, sizeof path, "%s", p->cmd_path);
    p->cmd = CMD_NONE;
    int t = p->terminate;
    pthread_mutex_unlock(&p->lock);
    if (cmd == CMD_RECORD_STOP) {
        record_stop(p);
        p->pending[0] = '\0';
    } else if (cmd == CMD_RECORD_START) {   /* starts with the next frame, at its size */
        snprintf(p->pending, sizeof p->pending, "%s", path);
    }
    return t;
}

static int same_look(const struct sc_controls *a, const struct sc_controls *b)
{
    return a->style == b->style && a->strength == b->strength &&
           a->keep_colors == b->keep_colors && a->mirror == b->mirror;
}

void sc_process_frame_done(struct sc_process *p, double engine_ms)
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

static void count_stale(struct sc_process *p, const struct sc_frame *f)
{
    struct sc_ring_stats rs;
    sc_ring_get_stats(p->o.ring, &rs);
    if (p->o.lossless || f->seq + RING_SLOTS >= rs.last_seq)
        return;
    pthread_mutex_lock(&p->lock);
    p->status.stale++;
    pthread_mutex_unlock(&p->lock);
}

/* Paused: camera frames are drained unseen; a changed setting is shown on
 * the frozen frame. */
static enum sc_status paused(struct sc_process *p, const struct sc_controls *c,
                             struct sc_error *err)
{
    enum sc_status st = sc_flight_drain(p, err);
    if (st || p->last < 0 || same_look(c, &p->shown_with))
        return st;
    struct sc_frame frozen = p->fl[p->last].in;
    return sc_flight_begin(p, &frozen, c, 1, err);
}

/* One camera frame: start it through the engine (a recording asked for
 * starts with it); returns SC_OK or the engine's failure. */
static enum sc_status take(struct sc_process *p, const struct sc_frame *f,
                           const struct sc_controls *c, struct sc_error *err)
{
    int resized = p->cur_w && (f->w != p->cur_w || f->h != p->cur_h);
    p->cur_w = f->w;
    p->cur_h = f->h;
    if ((p->rec && resized) || p->pending[0]) {
        enum sc_status st = sc_flight_drain(p, err);
        if (st)
            return st;
        if (resized)
            record_stop(p);   /* the camera changed size: this clip ends */
    }
    if (p->pending[0]) {
        record_start(p, p->pending, f->w, f->h);
        p->pending[0] = '\0';
    }
    return sc_flight_begin(p, f, c, 0, err);
}

static void fail(struct sc_process *p, const struct sc_error *err)
{
    sc_err("%s", err->msg);
    pthread_mutex_lock(&p->lock);
    snprintf(p->status.message, sizeof p->status.message, "%s", err->msg);
    p->status.failed = 1;
    pthread_mutex_unlock(&p->lock);
}

static void *run(void *arg)
{
    struct sc_process *p = arg;
    struct sc_controls c;
    struct sc_error err;
    enum sc_status st = SC_OK;
    p->fps_t0 = (double)sc_now_us() / 1e6;
    while (!st && !take_orders(p, &c)) {
        /* A full engine delivers first, so the frame taken next is the newest. */
        if (p->count >= sc_engine_inflight(p->o.engine)) {
            st = sc_flight_end(p, &err);
            continue;
        }
        const struct sc_frame *f;
        /* With a frame in flight, don't sit on the ring: deliver it first. */
        enum sc_status r = sc_ring_read_acquire(p->o.ring, p->count ? 0 : 100, &f);
        if (r == SC_EOF)
            break;
        if (r != SC_OK) {
            st = sc_flight_end(p, &err);
            continue;
        }
        count_stale(p, f);
        if (c.paused && !p->o.lossless) {
            sc_ring_read_release(p->o.ring, f);
            st = paused(p, &c, &err);
            continue;
        }
        st = take(p, f, &c, &err);
        sc_ring_read_release(p->o.ring, f);
    }
    if (!st)
        st = sc_flight_drain(p, &err);
    if (st)
        fail(p, &err);
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
    p->last = -1;
    /* Pending before the thread runs, so the very first frame is recorded. */
    if (o->record_path)
        snprintf(p->pending, sizeof p->pending, "%s", o->record_path);
    pthread_mutex_init(&p->lock, NULL);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        pthread_mutex_destroy(&p->lock);
        free(p);
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot start the processing thread.");
    }
    *out = p;
    return SC_OK;
}

void sc_process_free(struct sc_process **pp)
{
    struct sc_process *p = *pp;
    *pp = NULL;
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->terminate = 1;
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    sc_engine_free(&p->o.engine);
    sc_flight_free(p);
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
