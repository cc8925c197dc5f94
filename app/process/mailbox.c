#include "app/process/mailbox.h"
#include "common/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct sc_mailbox {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct sc_shown buf[SC_MAILBOX_BACKS + 2];
    int back[SC_MAILBOX_BACKS];  /* producer's buffers; producer thread only (swap under lock) */
    int slot;               /* lock */
    int front;              /* consumer's buffer; consumer thread only (swaps under lock) */
    int fresh;              /* lock: the slot holds a frame not yet taken */
    uint64_t dropped;       /* lock */
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

struct sc_shown *sc_mailbox_back(struct sc_mailbox *mb, int i, int w, int h)
{
    struct sc_shown *s = &mb->buf[mb->back[i]];
    if (fit(&s->stylized, w, h) || fit(&s->original, w, h))
        return NULL;
    return s;
}

void sc_mailbox_post(struct sc_mailbox *mb, int i)
{
    pthread_mutex_lock(&mb->lock);
    int t = mb->slot;
    mb->slot = mb->back[i];
    mb->back[i] = t;
    if (mb->fresh)
        mb->dropped++;
    mb->fresh = 1;
    pthread_cond_signal(&mb->cond);
    pthread_mutex_unlock(&mb->lock);
}

const struct sc_shown *sc_mailbox_take(struct sc_mailbox *mb, int timeout_ms)
{
    struct timespec until = sc_deadline_ms(timeout_ms);
    pthread_mutex_lock(&mb->lock);
    while (!mb->fresh && timeout_ms > 0)
        if (pthread_cond_timedwait(&mb->cond, &mb->lock, &until) == ETIMEDOUT)
            break;
    const struct sc_shown *r = NULL;
    if (mb->fresh) {
        int t = mb->front;
        mb->front = mb->slot;
        mb->slot = t;
        mb->fresh = 0;
        r = &mb->buf[mb->front];
    }
    pthread_mutex_unlock(&mb->lock);
    return r;
}

uint64_t sc_mailbox_dropped(struct sc_mailbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    uint64_t d = mb->dropped;
    pthread_mutex_unlock(&mb->lock);
    return d;
}
