#include "app/record/recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "app/record/encoder.h"

#define DEFAULT_SLOTS 4

struct slot {
    uint8_t *rgb;      /* w*h*3, allocated once at init */
    int64_t pts_us;
};

struct sc_recorder {
    /* Set at init, read-only afterwards. */
    int w, h, nslots, blocking;
    struct slot *slots;
    pthread_t thread;
    struct sc_encoder *enc;   /* encoder thread only, after init */

    pthread_mutex_t lock;
    pthread_cond_t filled;    /* a slot was filled or terminate posted */
    pthread_cond_t freed;     /* a slot was freed or the recording stopped */
    int head, count;          /* lock: slots [head, head+count) hold frames */
    int terminate;            /* lock: free() asked the thread to drain and stop */
    int stopped;              /* lock: the recording stopped by itself */
    enum sc_status stop_status; /* lock: why it stopped */
    uint64_t written;         /* lock: frames the encoder took and kept */
    uint64_t dropped;         /* lock */
    uint64_t ignored;         /* lock */
    int64_t first_us, last_us; /* lock: capture times of accepted frames */
    uint64_t accepted;        /* lock */
    double kept_s;            /* lock: clip length kept after a failure */
    char failure[1024];       /* lock */
};

static void stop_on_error(struct sc_recorder *r, const struct sc_error *e)
{
    sc_err("%s", e->msg);
    pthread_mutex_lock(&r->lock);
    r->stopped = 1;
    r->stop_status = e->status;
    r->kept_s = sc_encoder_duration(r->enc);
    r->written = sc_encoder_frames(r->enc);
    snprintf(r->failure, sizeof r->failure, "%s", e->msg);
    r->count = 0; /* frames still queued are not part of the clip */
    pthread_cond_broadcast(&r->freed);
    pthread_mutex_unlock(&r->lock);
}

static void *encoder_main(void *arg)
{
    struct sc_recorder *r = arg;
    struct sc_error e;
    sc_error_clear(&e);
    for (;;) {
        pthread_mutex_lock(&r->lock);
        while (r->count == 0 && !r->terminate && !r->stopped)
            pthread_cond_wait(&r->filled, &r->lock);
        if (r->stopped || r->count == 0) { /* failed, or terminate with nothing left */
            pthread_mutex_unlock(&r->lock);
            break;
        }
        struct slot *s = &r->slots[r->head];
        pthread_mutex_unlock(&r->lock);

        /* The producer never writes a slot inside [head, head+count). */
        enum sc_status st = sc_encoder_write(r->enc, s->rgb, s->pts_us, &e);
        if (st != SC_OK) {
            stop_on_error(r, &e);
            break;
        }
        pthread_mutex_lock(&r->lock);
        r->head = (r->head + 1) % r->nslots;
        r->count--;
        r->written++;
        pthread_cond_signal(&r->freed);
        pthread_mutex_unlock(&r->lock);
    }
    pthread_mutex_lock(&r->lock);
    int stopped = r->stopped;
    pthread_mutex_unlock(&r->lock);
    if (!stopped && sc_encoder_finish(r->enc, &e) != SC_OK)
        stop_on_error(r, &e);
    return NULL;
}

/* Creates the file without ever replacing one: an existing empty regular
 * file is a name reserved by sc_record_file_create and is taken over. */
static enum sc_status create_file(const char *path, int *fd, int *created,
                                  struct sc_error *err)
{
    *created = 0;
    *fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (*fd >= 0) {
        *created = 1;
        return SC_OK;
    }
    int e = errno;
    struct stat sb;
    if (e == EEXIST && (*fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
        if (fstat(*fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0)
            return SC_OK;
        close(*fd);
        *fd = -1;
    }
    if (e == EEXIST)
        return sc_error_set(err, SC_ERR_ARG, "Not recording: %s already exists and "
                            "stylecam never overwrites a file; choose another name.", path);
    if (e == ENOENT)
        return sc_error_set(err, SC_ERR_NOT_FOUND, "Cannot record to %s: its folder "
                            "does not exist; create it or choose another folder.", path);
    if (e == ENOSPC || e == EDQUOT)
        return sc_error_set(err, SC_ERR_FULL, "Cannot record to %s: the disk is full; "
                            "free some space or record elsewhere.", path);
    return sc_error_set(err, SC_ERR_IO, "Cannot record to %s: %s; choose a folder you "
                        "can write to.", path, strerror(e));
}

static void free_slots(struct sc_recorder *r)
{
    if (r->slots)
        for (int i = 0; i < r->nslots; i++)
            free(r->slots[i].rgb);
    free(r->slots);
}

static enum sc_status alloc_slots(struct sc_recorder *r, struct sc_error *err)
{
    r->slots = calloc((size_t)r->nslots, sizeof *r->slots);
    if (!r->slots)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
    for (int i = 0; i < r->nslots; i++)
        if (!(r->slots[i].rgb = malloc((size_t)r->w * r->h * 3)))
            return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory "
                                "for %dx%d frames.", r->w, r->h);
    return SC_OK;
}

enum sc_status sc_recorder_init(struct sc_recorder **out, const struct sc_recorder_opts *o,
                                struct sc_error *err)
{
    if (!out || !o || !o->path || !o->path[0] || o->w < 2 || o->h < 2 ||
        o->w > 16384 || o->h > 16384 || o->slots < 0)
        return sc_error_set(err, SC_ERR_ARG, "Cannot record: no file name or a frame "
                            "size out of range.");
    struct sc_recorder *r = calloc(1, sizeof *r);
    if (!r)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
    r->w = o->w;
    r->h = o->h;
    r->nslots = o->slots ? o->slots : DEFAULT_SLOTS;
    r->blocking = o->blocking;
    int created = 0, fd = -1;
    enum sc_status st = alloc_slots(r, err);
    if (st == SC_OK)
        st = create_file(o->path, &fd, &created, err);
    if (st == SC_OK)
        st = sc_encoder_open(&r->enc, o, fd, err);
    if (st != SC_OK)
        goto fail;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->filled, NULL);
    pthread_cond_init(&r->freed, NULL);
    if (pthread_create(&r->thread, NULL, encoder_main, r) != 0) {
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->filled);
        pthread_cond_destroy(&r->freed);
        sc_encoder_free(&r->enc);
        st = sc_error_set(err, SC_ERR_NOMEM, "Cannot record: could not start a thread.");
        goto fail;
    }
    *out = r;
    return SC_OK;
fail:
    if (created)
        unlink(o->path);
    free_slots(r);
    free(r);
    return st;
}

void sc_recorder_push(struct sc_recorder *r, const struct sc_frame *f)
{
    if (!r || !f || !f->rgb)
        return;
    pthread_mutex_lock(&r->lock);
    if (f->w != r->w || f->h != r->h) {
        r->dropped++;
        pthread_mutex_unlock(&r->lock);
        sc_log_ratelimited("record-size", SC_LOG_WARN, "recording: dropped a %dx%d "
                           "frame; the clip is %dx%d", f->w, f->h, r->w, r->h);
        return;
    }
    while (r->blocking && r->count == r->nslots && !r->stopped && !r->terminate)
        pthread_cond_wait(&r->freed, &r->lock);
    if (r->stopped || r->terminate) {
        r->ignored++;
    } else if (r->count == r->nslots) {
        r->dropped++;
    } else {
        struct slot *s = &r->slots[(r->head + r->count) % r->nslots];
        memcpy(s->rgb, f->rgb, (size_t)r->w * r->h * 3);
        s->pts_us = f->pts_us;
        if (r->accepted++ == 0)
            r->first_us = f->pts_us;
        r->last_us = f->pts_us;
        r->count++;
        pthread_cond_signal(&r->filled);
    }
    pthread_mutex_unlock(&r->lock);
}

void sc_recorder_get_status(struct sc_recorder *r, struct sc_recorder_status *st)
{
    memset(st, 0, sizeof *st);
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    st->recording = !r->stopped && !r->terminate;
    st->elapsed_s = r->stopped ? r->kept_s
                  : r->accepted ? (r->last_us - r->first_us) / 1e6 : 0.0;
    st->frames_written = r->written;
    st->frames_dropped = r->dropped;
    snprintf(st->failure, sizeof st->failure, "%s", r->failure);
    pthread_mutex_unlock(&r->lock);
}

enum sc_status sc_recorder_free(struct sc_recorder **rp, struct sc_recorder_stats *stats)
{
    struct sc_recorder *r = *rp;
    *rp = NULL;
    if (!r)
        return SC_OK;
    pthread_mutex_lock(&r->lock);
    r->terminate = 1;
    pthread_cond_broadcast(&r->filled);
    pthread_cond_broadcast(&r->freed);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);

    /* The thread is gone: the encoder and the counters are ours. */
    enum sc_status st = r->stopped ? r->stop_status : SC_OK;
    if (stats) {
        stats->frames_written = sc_encoder_frames(r->enc);
        stats->frames_dropped = r->dropped;
        stats->frames_ignored = r->ignored;
        stats->duration_s = sc_encoder_duration(r->enc);
    }
    sc_encoder_free(&r->enc);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->filled);
    pthread_cond_destroy(&r->freed);
    free_slots(r);
    free(r);
    return st;
}
