#include "app/capture/capture.h"
#include "common/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

#define READ_TIMEOUT_MS 100     /* bounds how long terminate may wait */
#define REOPEN_MS 500

struct sc_capture {
    const struct sc_source_driver *drv; /* constant */
    struct sc_ring *ring;               /* constant; the ring locks itself */
    struct sc_source_request req;       /* constant; spec points at spec_buf */
    char spec_buf[1024];                /* constant */
    pthread_t thread;

    void *src;                          /* capture thread only */
    struct sc_source_info info;         /* capture thread only (copied to status) */
    uint64_t seq_base, next_seq;        /* capture thread: keep seq rising across reopens */

    pthread_mutex_t lock;
    pthread_cond_t wake;                /* terminate posted */
    int terminate;                      /* lock */
    struct sc_capture_status st;        /* lock, except frames_dropped (from the ring) */
};

static void set_state(struct sc_capture *c, enum sc_capture_state s, const char *msg)
{
    pthread_mutex_lock(&c->lock);
    c->st.state = s;
    snprintf(c->st.message, sizeof c->st.message, "%s", msg ? msg : "");
    if (s == SC_CAPTURE_RUNNING) {
        c->st.w = c->info.w;
        c->st.h = c->info.h;
        c->st.nominal_fps = c->info.fps;
        c->st.time_base_num = c->info.time_base_num;
        c->st.time_base_den = c->info.time_base_den;
        snprintf(c->st.name, sizeof c->st.name, "%s", c->info.name);
    }
    if (s != SC_CAPTURE_RUNNING)
        c->st.fps = 0;
    pthread_mutex_unlock(&c->lock);
}

static int should_stop(struct sc_capture *c)
{
    pthread_mutex_lock(&c->lock);
    int t = c->terminate;
    pthread_mutex_unlock(&c->lock);
    return t;
}

/* Sleeps ms unless terminate is posted first; returns 1 if it was. */
static int wait_terminate(struct sc_capture *c, int ms)
{
    struct timespec dl = sc_deadline_ms(ms);
    pthread_mutex_lock(&c->lock);
    while (!c->terminate && pthread_cond_timedwait(&c->wake, &c->lock, &dl) != ETIMEDOUT)
        ;
    int t = c->terminate;
    pthread_mutex_unlock(&c->lock);
    return t;
}

/* LOST: full reopen every ~500 ms until it works or terminate. lost is the
 * driver's sentence (a PipeWire camera can go away without an unplug: the
 * daemon stopped); empty = the usual one. */
static int reopen_loop(struct sc_capture *c, const char *what, const char *lost)
{
    char msg[1024];
    if (lost && *lost)
        snprintf(msg, sizeof msg, "%s", lost);
    else
        snprintf(msg, sizeof msg, "Camera %s was unplugged; waiting for it to come back…", what);
    set_state(c, SC_CAPTURE_LOST, msg);
    sc_warn("%s", msg);
    while (!wait_terminate(c, REOPEN_MS)) {
        struct sc_error err;
        sc_error_clear(&err);
        void *src = NULL;
        struct sc_source_info info;
        memset(&info, 0, sizeof info);
        if (c->drv->open(&src, &c->req, &info, &err) == SC_OK) {
            c->src = src;
            c->info = info;
            c->seq_base = c->next_seq;
            sc_info("camera %s is back", info.name);
            set_state(c, SC_CAPTURE_RUNNING, NULL);
            return 1;
        }
        /* Absent is the expected state while unplugged; anything else
         * (busy, refused formats) is worth telling, once a second at most. */
        sc_log_ratelimited("capture-reopen",
                           err.status == SC_ERR_NOT_FOUND ? SC_LOG_DEBUG : SC_LOG_WARN,
                           "%s", err.msg);
    }
    return 0;
}

static void count_frame(struct sc_capture *c, int64_t now, int64_t *win_start, int *win_n)
{
    (*win_n)++;
    pthread_mutex_lock(&c->lock);
    c->st.frames_captured++;
    if (now - *win_start >= 1000000) {
        c->st.fps = *win_n * 1e6 / (double)(now - *win_start);
        *win_start = now;
        *win_n = 0;
    }
    pthread_mutex_unlock(&c->lock);
}

static void *capture_thread(void *arg)
{
    struct sc_capture *c = arg;
    int64_t win_start = sc_now_us();
    int win_n = 0;
    char what[300];
    snprintf(what, sizeof what, "%s", c->req.spec ? c->req.spec : c->info.name);
    while (!should_stop(c)) {
        struct sc_frame *slot;
        enum sc_status st = sc_ring_write_acquire(c->ring, c->info.w, c->info.h, READ_TIMEOUT_MS, &slot);
        if (st == SC_AGAIN)
            continue;
        if (st != SC_OK) {
            if (st == SC_ERR_NOMEM)
                set_state(c, SC_CAPTURE_FAILED, "Out of memory for camera frames.");
            break;      /* SC_EOF: the ring was terminated */
        }
        struct sc_error err;
        sc_error_clear(&err);
        st = c->drv->read(c->src, slot, READ_TIMEOUT_MS, &err);
        if (st == SC_OK) {
            slot->seq += c->seq_base;
            if (slot->seq < c->next_seq)    /* never let seq go backwards */
                slot->seq = c->next_seq;
            c->next_seq = slot->seq + 1;
            sc_ring_write_commit(c->ring, slot);
            count_frame(c, sc_now_us(), &win_start, &win_n);
            continue;
        }
        sc_ring_write_cancel(c->ring, slot);
        if (st == SC_AGAIN)
            continue;
        c->drv->close(c->src);
        c->src = NULL;
        if (st == SC_ERR_DEVICE_LOST) {
            if (!reopen_loop(c, what, err.msg))
                break;
            continue;
        }
        if (st == SC_EOF) {
            set_state(c, SC_CAPTURE_ENDED, "The input has no more frames.");
        } else {
            sc_err("%s", err.msg);
            set_state(c, SC_CAPTURE_FAILED, err.msg);
        }
        sc_ring_post_eos(c->ring);
        break;
    }
    return NULL;
}

enum sc_status sc_capture_init(struct sc_capture **cap, const struct sc_source_driver *drv,
                               const struct sc_source_request *req, struct sc_ring *ring,
                               struct sc_error *err)
{
    struct sc_capture *c = calloc(1, sizeof *c);
    if (!c)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory starting the capture.");
    c->drv = drv;
    c->ring = ring;
    c->req = *req;
    if (req->spec) {
        snprintf(c->spec_buf, sizeof c->spec_buf, "%s", req->spec);
        c->req.spec = c->spec_buf;
    }
    enum sc_status st = drv->open(&c->src, &c->req, &c->info, err);
    if (st != SC_OK) {
        free(c);
        return st;
    }
    pthread_mutex_init(&c->lock, NULL);
    sc_cond_init(&c->wake);
    set_state(c, SC_CAPTURE_RUNNING, NULL);
    /* From here on the thread owns the source: the create is the hand-off. */
    if (pthread_create(&c->thread, NULL, capture_thread, c) != 0) {
        drv->close(c->src);
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return sc_error_set(err, SC_ERR_NOMEM, "Could not start the capture thread.");
    }
    *cap = c;
    return SC_OK;
}

void sc_capture_free(struct sc_capture **cap)
{
    struct sc_capture *c = *cap;
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->terminate = 1;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    if (c->src)
        c->drv->close(c->src);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c);
    *cap = NULL;
}

void sc_capture_get_status(struct sc_capture *c, struct sc_capture_status *st)
{
    struct sc_ring_stats rs;
    sc_ring_get_stats(c->ring, &rs);
    pthread_mutex_lock(&c->lock);
    *st = c->st;
    pthread_mutex_unlock(&c->lock);
    st->frames_dropped = rs.dropped;
}
