/* The virtual camera output: frame() (processing thread) copies the frame
 * into its buffer and posts it into a one-slot mailbox, returning at once;
 * the vcam thread takes it, opens the sink at the frame's size (again when
 * the size changes), and writes it. When no new frame comes within 1.5
 * frame periods of the last write, the last frame goes again, then once a
 * period, so readers (browsers, Zoom) see the rate they were promised.
 * Shutdown posts terminate; the thread writes what is still in the slot,
 * closes the sink, and is joined (as mpv's vo). A sink failure (no device,
 * a device that went away, a write error) is said once; frame() then asks
 * to be closed and the stream goes on without it. */
#include "app/output/output_vcam.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/output/copies.h"
#include "common/clock.h"
#include "common/log.h"
#ifdef HAVE_V4L2LOOPBACK
#include "app/vcam/loopback.h"
#endif

enum { NBUF = 3 };   /* the producer's, the slot, the vcam thread's */
#define FPS_MIN 1.0
#define FPS_MAX 240.0

struct vcam {
    /* Set by sc_output_vcam_new, read-only after. */
    char spec[PATH_MAX];
    enum sc_vcam_format format;
    double fps;
    int64_t period_us;
    pthread_t thread;
    int started;                /* the thread runs (joined by close) */

    int back;                   /* processing thread: its buffer (swapped under lock) */

    /* The vcam thread only. */
    int front;                  /* its buffer (swapped under lock) */
    const struct sc_vcam_sink_driver *drv;  /* the open sink's driver; NULL = none open */
    void *sink;
    int sink_w, sink_h;         /* the size the sink was opened at */
    struct sc_frame crop;       /* an odd-width frame cut to an even width */
    struct sc_frame view;       /* an odd-height frame seen an even height */
    uint64_t sink_lost;         /* the loopback's lost count after the last write */
    int reopening;              /* a PipeWire daemon went away: open again from time to time */
    int64_t retry_at;           /* when to try (sc_now_us) */

    pthread_mutex_t lock;
    pthread_cond_t cond;        /* lock: a frame was posted, or terminate */
    struct sc_frame buf[NBUF];  /* owned by whoever holds the index */
    int slot;                   /* lock */
    int fresh;                  /* lock: the slot holds a frame not yet taken */
    int terminate;              /* lock: close was called */
    int failed;                 /* lock: the sink failed; failure says why */
    char failure[1024];         /* lock */
    int active;                 /* lock: a sink is open and taking frames */
    char where[96];             /* lock: where frames go, in words */
    int64_t opened_us;          /* lock: when the first sink opened (0 = never) */
    uint64_t written;           /* lock: new frames written */
    uint64_t repeated;          /* lock: frames written again */
    uint64_t dropped;           /* lock: frames replaced in the slot before taken */
    uint64_t lost;              /* lock: frames the sink refused (a slow reader) or that
                                   went nowhere (PipeWire away) */
};

static void *run(void *arg);

enum sc_status sc_output_vcam_new(void **priv, const struct sc_output_vcam_opts *o,
                                  struct sc_error *err)
{
    const char *spec = o->spec ? o->spec : "auto";
    if (strlen(spec) >= PATH_MAX)
        return sc_error_set(err, SC_ERR_ARG, "Cannot start the virtual camera: the device path "
                            "is longer than the system allows.");
    struct vcam *v = calloc(1, sizeof *v);
    if (!v)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot start the virtual camera: out of "
                            "memory.");
    snprintf(v->spec, sizeof v->spec, "%s", spec);
    v->format = o->format;
    v->fps = o->fps > 0 ? o->fps : 30;
    v->fps = v->fps < FPS_MIN ? FPS_MIN : v->fps > FPS_MAX ? FPS_MAX : v->fps;
    v->period_us = (int64_t)(1e6 / v->fps + 0.5);
    v->back = 0;
    v->slot = 1;
    v->front = 2;
    pthread_mutex_init(&v->lock, NULL);
    sc_cond_init(&v->cond);
    if (pthread_create(&v->thread, NULL, run, v) != 0) {
        pthread_cond_destroy(&v->cond);
        pthread_mutex_destroy(&v->lock);
        free(v);
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot start the virtual camera: the system "
                            "is out of threads.");
    }
    v->started = 1;
    *priv = v;
    return SC_OK;
}

/* ---- the vcam thread ---- */

static int is(const char *spec, const char *word)
{
    return strcmp(spec, word) == 0;
}

/* Opens the sink the spec names for w x h frames. */
static enum sc_status open_sink(struct vcam *v, int w, int h, char *where, size_t n,
                                struct sc_error *err)
{
    struct sc_vcam_request req = {.w = w, .h = h, .fps = v->fps, .format = v->format};
    if (is(v->spec, "pipewire")) {
#ifdef HAVE_PIPEWIRE
        v->drv = &sc_vcam_pipewire;
        return v->drv->open(&v->sink, &req, where, n, err);
#else
        return sc_error_set(err, SC_ERR_NOT_FOUND, "Cannot start the virtual camera through "
                            "PipeWire: this stylecam was built without PipeWire (install "
                            "libpipewire-0.3-dev and build again); --vcam auto uses "
                            "v4l2loopback.");
#endif
    }
#ifdef HAVE_V4L2LOOPBACK
    req.spec = is(v->spec, "auto") ? NULL : v->spec;
    v->drv = &sc_vcam_loopback;
    enum sc_status st = v->drv->open(&v->sink, &req, where, n, err);
#ifdef HAVE_PIPEWIRE
    if (st == SC_ERR_NOT_FOUND && !req.spec) {   /* auto: no loopback device, PipeWire */
        struct sc_error pw;
        req.spec = NULL;
        if (sc_vcam_pipewire.open(&v->sink, &req, where, n, &pw) == SC_OK) {
            v->drv = &sc_vcam_pipewire;
            sc_info("virtual camera: no v4l2loopback device, so through PipeWire");
            return SC_OK;
        }
        sc_debug("virtual camera: PipeWire did not open either: %s", pw.msg);
    }
#endif
    return st;
#else
    (void)req;
#ifdef HAVE_PIPEWIRE
    if (is(v->spec, "auto")) {
        v->drv = &sc_vcam_pipewire;
        return v->drv->open(&v->sink, &req, where, n, err);
    }
#endif
    return sc_error_set(err, SC_ERR_NOT_FOUND, "Cannot start the virtual camera on %s: this "
                        "stylecam was built without v4l2loopback support (meson -Dv4l2loopback=enabled).",
                        v->spec);
#endif
}

static void close_sink(struct vcam *v)
{
    if (v->drv)
        v->drv->close(v->sink);
    v->drv = NULL;
    v->sink = NULL;
    pthread_mutex_lock(&v->lock);
    v->active = 0;
    pthread_mutex_unlock(&v->lock);
}

/* The frame cut to an even size (a sink takes even sizes): the same
 * pixels when only the height is odd; an odd width is copied once. */
static const struct sc_frame *even(struct vcam *v, const struct sc_frame *f)
{
    int w = f->w & ~1, h = f->h & ~1;
    if (w == f->w) {
        v->view = (struct sc_frame){.rgb = f->rgb, .w = w, .h = h, .pts_us = f->pts_us,
                                    .seq = f->seq};
        return &v->view;
    }
    if (!v->crop.rgb || v->crop.w != w || v->crop.h != h) {
        uint8_t *p = realloc(v->crop.rgb, (size_t)w * h * 3);
        if (!p)
            return NULL;
        v->crop.rgb = p;
        v->crop.w = w;
        v->crop.h = h;
    }
    for (int y = 0; y < h; y++)
        memcpy(v->crop.rgb + (size_t)y * w * 3, f->rgb + (size_t)y * f->w * 3, (size_t)w * 3);
    v->crop.pts_us = f->pts_us;
    v->crop.seq = f->seq;
    return &v->crop;
}

/* How often a PipeWire node is made again after its daemon went away. */
#define REOPEN_US 1000000

/* Writes f, opening the sink first at its size. Returns the status; on
 * SC_OK *lost is 1 when the reader refused it, 2 when it went nowhere
 * (PipeWire is away), else 0. */
static enum sc_status deliver(struct vcam *v, const struct sc_frame *f, int *lost,
                              struct sc_error *err)
{
    *lost = 0;
    const struct sc_frame *e = even(v, f);
    if (!e)
        return sc_error_set(err, SC_ERR_NOMEM, "The virtual camera stopped: out of memory.");
    if (!v->drv && v->reopening && sc_now_us() < v->retry_at) {
        *lost = 2;
        return SC_OK;
    }
    if (!v->drv || e->w != v->sink_w || e->h != v->sink_h) {
        if (v->drv)
            close_sink(v);
        char where[96] = "";
        enum sc_status st = open_sink(v, e->w, e->h, where, sizeof where, err);
        if (st) {
            v->drv = NULL;
            v->sink = NULL;
            if (!v->reopening)
                return st;
            v->retry_at = sc_now_us() + REOPEN_US;   /* still away: quietly later */
            *lost = 2;
            return SC_OK;
        }
        if (v->reopening)
            sc_info("virtual camera: %s is back", where);
        v->reopening = 0;
        v->sink_w = e->w;
        v->sink_h = e->h;
        v->sink_lost = 0;
        int pw = strcmp(v->drv->name, "pipewire") == 0;
        sc_info("virtual camera: sending %dx%d%s at %.4g fps to %s", e->w, e->h,
                pw ? "" : v->format == SC_VCAM_I420 ? " I420" : " YUYV", v->fps, where);
        pthread_mutex_lock(&v->lock);
        v->active = 1;
        snprintf(v->where, sizeof v->where, "%s", where);
        if (!v->opened_us)
            v->opened_us = sc_now_us();
        pthread_mutex_unlock(&v->lock);
    }
    enum sc_status st = v->drv->write(v->sink, e, err);
#ifdef HAVE_V4L2LOOPBACK
    if (!st && v->drv == &sc_vcam_loopback) {
        uint64_t l = sc_vcam_loopback_lost(v->sink);
        *lost = l != v->sink_lost;
        v->sink_lost = l;
    }
#endif
    return st;
}

static struct timespec abs_us(int64_t t_us)
{
    return (struct timespec){.tv_sec = (time_t)(t_us / 1000000),
                             .tv_nsec = (long)(t_us % 1000000) * 1000};
}

static void *run(void *arg)
{
    struct vcam *v = arg;
    int have = 0;               /* front holds a frame that was written */
    int repeating = 0;          /* the last write was a repeat */
    int64_t last_write = 0;
    pthread_mutex_lock(&v->lock);
    for (;;) {
        int repeat = 0;
        while (!v->fresh && !v->terminate) {
            if (!have || v->failed) {
                pthread_cond_wait(&v->cond, &v->lock);
                continue;
            }
            int64_t due = last_write + (repeating ? v->period_us : v->period_us * 3 / 2);
            if (sc_now_us() >= due) {
                repeat = 1;
                break;
            }
            struct timespec ts = abs_us(due);
            pthread_cond_timedwait(&v->cond, &v->lock, &ts);
        }
        int is_new = v->fresh;
        if (!is_new && !repeat)         /* terminate, and the slot is empty: done */
            break;
        if (is_new) {
            int t = v->front;
            v->front = v->slot;
            v->slot = t;
            v->fresh = 0;
        }
        if (v->failed)                  /* frames until close are let go */
            continue;
        pthread_mutex_unlock(&v->lock);
        struct sc_error err;
        int lost;
        enum sc_status st = deliver(v, &v->buf[v->front], &lost, &err);
        if (st == SC_ERR_DEVICE_LOST && v->drv && strcmp(v->drv->name, "pipewire") == 0) {
            /* The daemon went away (restarted): the node is made again
             * once it answers; said once. */
            sc_warn("%s", err.msg);
            close_sink(v);
            v->reopening = 1;
            v->retry_at = sc_now_us() + REOPEN_US;
            st = SC_OK;
            lost = 2;
        } else if (st) {
            sc_err("%s", err.msg);      /* said once: the output is closed after this */
            close_sink(v);
        }
        pthread_mutex_lock(&v->lock);
        if (st) {
            v->failed = 1;
            snprintf(v->failure, sizeof v->failure, "%s", err.msg);
            continue;
        }
        have = 1;
        repeating = !is_new;
        last_write = sc_now_us();
        if (lost == 1 || (lost == 2 && is_new))   /* a repeat going nowhere is no loss */
            v->lost++;
        else if (!lost && is_new)
            v->written++;
        else if (!lost)
            v->repeated++;
    }
    pthread_mutex_unlock(&v->lock);
    close_sink(v);
    return NULL;
}

/* ---- the output driver: processing thread ---- */

static enum sc_output_ret reconfig(void *priv, int w, int h)
{
    (void)priv;
    (void)w;
    (void)h;
    return SC_OUTPUT_MORE;   /* the vcam thread opens the sink again at a new size */
}

static int fit(struct sc_frame *f, int w, int h)
{
    if (f->rgb && f->w == w && f->h == h)
        return 0;
    uint8_t *p = realloc(f->rgb, (size_t)w * h * 3);
    if (!p)
        return -1;
    f->rgb = p;
    f->w = w;
    f->h = h;
    return 0;
}

static enum sc_output_ret frame(void *priv, const struct sc_output_frame *f)
{
    struct vcam *v = priv;
    pthread_mutex_lock(&v->lock);
    int failed = v->failed;
    pthread_mutex_unlock(&v->lock);
    if (failed)
        return SC_OUTPUT_DONE;
    const struct sc_frame *s = f->stylized;
    struct sc_frame *b = &v->buf[v->back];
    if (fit(b, s->w, s->h)) {
        pthread_mutex_lock(&v->lock);
        v->dropped++;    /* out of memory: this frame is not sent */
        pthread_mutex_unlock(&v->lock);
        return SC_OUTPUT_MORE;
    }
    memcpy(b->rgb, s->rgb, (size_t)s->w * s->h * 3);
    sc_copies_add(SC_COPY_VCAM, (size_t)s->w * s->h * 3);
    b->pts_us = s->pts_us;
    b->seq = s->seq;
    pthread_mutex_lock(&v->lock);
    int t = v->slot;
    v->slot = v->back;
    v->back = t;
    if (v->fresh)
        v->dropped++;    /* the vcam thread never took the one replaced */
    v->fresh = 1;
    pthread_cond_signal(&v->cond);
    pthread_mutex_unlock(&v->lock);
    return SC_OUTPUT_MORE;
}

static void status(void *priv, struct sc_output_status *st)
{
    struct vcam *v = priv;
    pthread_mutex_lock(&v->lock);
    *st = (struct sc_output_status){
        .active = v->active,
        .elapsed_s = v->opened_us ? (double)(sc_now_us() - v->opened_us) / 1e6 : 0,
        .frames = v->written, .dropped = v->dropped + v->lost, .repeated = v->repeated};
    snprintf(st->where, sizeof st->where, "%s", v->where);
    pthread_mutex_unlock(&v->lock);
}

static void close_vcam(void *priv, char *msg, size_t n)
{
    struct vcam *v = priv;
    pthread_mutex_lock(&v->lock);
    v->terminate = 1;
    pthread_cond_signal(&v->cond);
    pthread_mutex_unlock(&v->lock);
    if (v->started)
        pthread_join(v->thread, NULL);
    /* The thread is gone: everything is this thread's now. */
    char said[1200] = "";
    if (v->opened_us) {
        sc_info("virtual camera: %llu frames written to %s (%llu new, %llu repeats), %llu "
                "dropped (late), %llu lost (the reader was slow or away)",
                (unsigned long long)(v->written + v->repeated), v->where,
                (unsigned long long)v->written, (unsigned long long)v->repeated,
                (unsigned long long)v->dropped, (unsigned long long)v->lost);
        snprintf(said, sizeof said, "Virtual camera stopped (%llu frames sent to %s).",
                 (unsigned long long)(v->written + v->repeated), v->where);
    }
    if (v->failed)
        snprintf(said, sizeof said, "%s", v->failure);
    if (n)
        snprintf(msg, n, "%s", said);
    for (int i = 0; i < NBUF; i++)
        free(v->buf[i].rgb);
    free(v->crop.rgb);
    pthread_cond_destroy(&v->cond);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

const struct sc_output_driver sc_output_vcam = {
    .name = "vcam",
    /* Processing thread: the sink follows the frame size by itself. */
    .reconfig = reconfig,
    /* None: it never lends a buffer (the display does). */
    .get_buffer = NULL,
    /* Processing thread: copies into its own buffer, posts it to the slot,
     * returns at once; SC_OUTPUT_DONE once the sink failed. */
    .frame = frame,
    /* Processing thread (any thread would do: it takes the lock). */
    .status = status,
    /* Processing thread or the owner of an unattached instance: terminate,
     * drain, join; frees priv. */
    .close = close_vcam,
};
