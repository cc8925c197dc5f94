#include "app/output/mailbox.h"
#include "common/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct sc_mailbox {
    pthread_mutex_t lock;
    pthread_cond_t cond;        /* a frame was posted, or the end */
    struct sc_shown buf[SC_MAILBOX_BACKS + 2];  /* owned by whoever holds the index */
    int back[SC_MAILBOX_BACKS]; /* producer's buffers; producer thread (swapped under lock) */
    int slot;                   /* lock */
    int front;                  /* consumer's buffer; consumer thread (swapped under lock) */
    int fresh;                  /* lock: the slot holds a frame not yet taken */
    int ended;                  /* lock: the producer posts no more */
    int want_original;          /* lock */
    uint64_t posts;             /* lock: frames posted */
    uint64_t dropped;           /* lock */
    void (*notify)(void *ctx);  /* lock */
    void *notify_ctx;           /* lock */
};

enum sc_status sc_mailbox_init(struct sc_mailbox **out, struct sc_error *err)
{
    struct sc_mailbox *mb = calloc(1, sizeof *mb);
    if (!mb)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory starting the display.");
    pthread_mutex_init(&mb->lock, NULL);
    sc_cond_init(&mb->cond);
    for (int i = 0; i < SC_MAILBOX_BACKS; i++)
        mb->back[i] = i;
    mb->slot = SC_MAILBOX_BACKS;
    mb->front = SC_MAILBOX_BACKS + 1;
    *out = mb;
    return SC_OK;
}

void sc_mailbox_free(struct sc_mailbox **mbp)
{
    struct sc_mailbox *mb = *mbp;
    *mbp = NULL;
    if (!mb)
        return;
    for (int i = 0; i < SC_MAILBOX_BACKS + 2; i++) {
        free(mb->buf[i].stylized.rgb);
        free(mb->buf[i].original.rgb);
    }
    pthread_cond_destroy(&mb->cond);
    pthread_mutex_destroy(&mb->lock);
    free(mb);
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

struct sc_shown *sc_mailbox_back(struct sc_mailbox *mb, int i, int w, int h,
                                 int with_original)
{
    struct sc_shown *s = &mb->buf[mb->back[i]];
    if (fit(&s->stylized, w, h) || (with_original && fit(&s->original, w, h)))
        return NULL;
    s->with_original = with_original;
    return s;
}

/* Wakes whoever waits: the condvar, and the hook for a loop that waits
 * elsewhere. Under the lock. */
static void wake(struct sc_mailbox *mb)
{
    pthread_cond_broadcast(&mb->cond);
    if (mb->notify)
        mb->notify(mb->notify_ctx);
}

void sc_mailbox_post(struct sc_mailbox *mb, int i)
{
    pthread_mutex_lock(&mb->lock);
    int t = mb->slot;
    mb->slot = mb->back[i];
    mb->back[i] = t;
    mb->buf[mb->slot].n = ++mb->posts;
    int was_fresh = mb->fresh;
    if (was_fresh)
        mb->dropped++;
    mb->fresh = 1;
    if (!was_fresh)     /* a wake for the frame replaced is still pending */
        wake(mb);
    pthread_mutex_unlock(&mb->lock);
}

void sc_mailbox_end(struct sc_mailbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    mb->ended = 1;
    wake(mb);
    pthread_mutex_unlock(&mb->lock);
}

int sc_mailbox_wants_original(struct sc_mailbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    int on = mb->want_original;
    pthread_mutex_unlock(&mb->lock);
    return on;
}

void sc_mailbox_want_original(struct sc_mailbox *mb, int on)
{
    pthread_mutex_lock(&mb->lock);
    mb->want_original = on;
    pthread_mutex_unlock(&mb->lock);
}

void sc_mailbox_set_notify(struct sc_mailbox *mb, void (*fn)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&mb->lock);
    mb->notify = fn;
    mb->notify_ctx = ctx;
    pthread_mutex_unlock(&mb->lock);
}

enum sc_status sc_mailbox_take(struct sc_mailbox *mb, int timeout_ms,
                               const struct sc_shown **out)
{
    struct timespec until = sc_deadline_ms(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&mb->lock);
    while (!mb->fresh && !mb->ended && timeout_ms != 0) {
        if (timeout_ms < 0)
            pthread_cond_wait(&mb->cond, &mb->lock);
        else if (pthread_cond_timedwait(&mb->cond, &mb->lock, &until) == ETIMEDOUT)
            break;
    }
    enum sc_status st = mb->fresh ? SC_OK : mb->ended ? SC_EOF : SC_AGAIN;
    if (mb->fresh) {
        int t = mb->front;
        mb->front = mb->slot;
        mb->slot = t;
        mb->fresh = 0;
        *out = &mb->buf[mb->front];
    }
    pthread_mutex_unlock(&mb->lock);
    return st;
}

uint64_t sc_mailbox_dropped(struct sc_mailbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    uint64_t d = mb->dropped;
    pthread_mutex_unlock(&mb->lock);
    return d;
}
