#include "app/capture/ring.h"
#include "common/clock.h"

#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

enum slot_state { SLOT_FREE, SLOT_WRITING, SLOT_READY, SLOT_READING };

struct slot {
    struct sc_frame frame;  /* the lease holder's (WRITING: producer, READING:
                               consumer); frame.rgb is also written under the
                               lock, for sc_ring_slot_buffer */
    size_t cap;             /* bytes allocated at frame.rgb (lease holder) */
    enum slot_state state;  /* lock */
    uint64_t order;         /* lock: commit order, for oldest/newest */
};

struct sc_ring {
    pthread_mutex_t lock;
    pthread_cond_t can_read;    /* a frame became ready, eos or terminate */
    pthread_cond_t can_write;   /* a slot became free, or terminate */
    enum sc_ring_mode mode;     /* constant */
    int nslots;                 /* constant */
    struct slot *slots;         /* array constant; entries as commented above */
    uint64_t clock;             /* lock: commit counter */
    int eos, terminated;        /* lock */
    int woken;                  /* lock: sc_ring_wake called, the consumer not yet woken */
    struct sc_ring_stats st;    /* lock */
};

enum sc_status sc_ring_init(struct sc_ring **ring, int nslots, enum sc_ring_mode mode,
                            struct sc_error *err)
{
    if (nslots < 3 || nslots > 16)
        return sc_error_set(err, SC_ERR_ARG, "A frame ring needs 3 to 16 slots, not %d.", nslots);
    struct sc_ring *r = calloc(1, sizeof *r);
    struct slot *s = calloc((size_t)nslots, sizeof *s);
    if (!r || !s) {
        free(r);
        free(s);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory creating the frame ring.");
    }
    pthread_mutex_init(&r->lock, NULL);
    sc_cond_init(&r->can_read);
    sc_cond_init(&r->can_write);
    r->mode = mode;
    r->nslots = nslots;
    r->slots = s;
    *ring = r;
    return SC_OK;
}

void sc_ring_free(struct sc_ring **ring)
{
    struct sc_ring *r = *ring;
    if (!r)
        return;
    for (int i = 0; i < r->nslots; i++)
        free(r->slots[i].frame.rgb);
    free(r->slots);
    pthread_cond_destroy(&r->can_read);
    pthread_cond_destroy(&r->can_write);
    pthread_mutex_destroy(&r->lock);
    free(r);
    *ring = NULL;
}

/* The READY slot with the lowest (oldest) or highest (newest) order. */
static struct slot *find_ready(struct sc_ring *r, int newest)
{
    struct slot *best = NULL;
    for (int i = 0; i < r->nslots; i++) {
        struct slot *s = &r->slots[i];
        if (s->state != SLOT_READY)
            continue;
        if (!best || (newest ? s->order > best->order : s->order < best->order))
            best = s;
    }
    return best;
}

static struct slot *find_free(struct sc_ring *r)
{
    for (int i = 0; i < r->nslots; i++)
        if (r->slots[i].state == SLOT_FREE)
            return &r->slots[i];
    return NULL;
}

/* frame is the first member of struct slot. */
static struct slot *slot_of(const struct sc_frame *f)
{
    return (struct slot *)(uintptr_t)f;
}

enum sc_status sc_ring_write_acquire(struct sc_ring *r, int w, int h, int timeout_ms,
                                     struct sc_frame **out)
{
    struct timespec dl = sc_deadline_ms(timeout_ms);
    pthread_mutex_lock(&r->lock);
    struct slot *s = NULL;
    while (!r->terminated && !(s = find_free(r))) {
        if (r->mode == SC_RING_LIVE) {
            /* Steal the oldest unconsumed frame: the newest must survive. */
            s = find_ready(r, 0);
            if (s) {
                r->st.dropped++;
                break;
            }
        }
        if (pthread_cond_timedwait(&r->can_write, &r->lock, &dl) == ETIMEDOUT) {
            pthread_mutex_unlock(&r->lock);
            return SC_AGAIN;
        }
    }
    if (r->terminated) {
        pthread_mutex_unlock(&r->lock);
        return SC_EOF;
    }
    s->state = SLOT_WRITING;
    pthread_mutex_unlock(&r->lock);

    /* Leased: resize outside the lock, only when the size changed. */
    size_t need = (size_t)w * (size_t)h * 3;
    if (s->frame.w != w || s->frame.h != h || !s->frame.rgb) {
        if (need > s->cap) {
            uint8_t *p = realloc(s->frame.rgb, need);
            if (!p) {
                sc_ring_write_cancel(r, &s->frame);
                return SC_ERR_NOMEM;
            }
            s->cap = need;
            pthread_mutex_lock(&r->lock);   /* sc_ring_slot_buffer reads it */
            s->frame.rgb = p;
            r->st.allocs++;
            pthread_mutex_unlock(&r->lock);
        }
        s->frame.w = w;
        s->frame.h = h;
    }
    *out = &s->frame;
    return SC_OK;
}

void sc_ring_write_commit(struct sc_ring *r, struct sc_frame *f)
{
    struct slot *s = slot_of(f);
    pthread_mutex_lock(&r->lock);
    s->state = SLOT_READY;
    s->order = ++r->clock;
    r->st.produced++;
    r->st.last_seq = f->seq;
    pthread_cond_signal(&r->can_read);
    pthread_mutex_unlock(&r->lock);
}

/* A slot given back, written or read: the writer may take it. */
static void slot_free(struct sc_ring *r, const struct sc_frame *f)
{
    struct slot *s = slot_of(f);
    pthread_mutex_lock(&r->lock);
    s->state = SLOT_FREE;
    pthread_cond_signal(&r->can_write);
    pthread_mutex_unlock(&r->lock);
}

void sc_ring_write_cancel(struct sc_ring *r, struct sc_frame *f)
{
    slot_free(r, f);
}

void sc_ring_post_eos(struct sc_ring *r)
{
    pthread_mutex_lock(&r->lock);
    r->eos = 1;
    pthread_cond_broadcast(&r->can_read);
    pthread_mutex_unlock(&r->lock);
}

enum sc_status sc_ring_read_acquire(struct sc_ring *r, int timeout_ms,
                                    const struct sc_frame **out)
{
    struct timespec dl = sc_deadline_ms(timeout_ms > 0 ? timeout_ms : 0);
    int live = r->mode == SC_RING_LIVE;
    pthread_mutex_lock(&r->lock);
    struct slot *s = NULL;
    /* A wake comes before any frame: what it announces (new controls) then
     * applies to every frame committed after it. */
    while (!r->terminated && !r->woken && !(s = find_ready(r, live))) {
        if (r->eos) {
            pthread_mutex_unlock(&r->lock);
            return SC_EOF;
        }
        if (timeout_ms < 0)
            pthread_cond_wait(&r->can_read, &r->lock);
        else if (pthread_cond_timedwait(&r->can_read, &r->lock, &dl) == ETIMEDOUT)
            break;
    }
    if (!r->terminated && !s) {
        r->woken = 0;
        pthread_mutex_unlock(&r->lock);
        return SC_AGAIN;
    }
    if (r->terminated) {
        pthread_mutex_unlock(&r->lock);
        return SC_EOF;
    }
    if (live) {
        /* Everything older than the newest is stale: free it now. */
        for (int i = 0; i < r->nslots; i++) {
            struct slot *o = &r->slots[i];
            if (o != s && o->state == SLOT_READY) {
                o->state = SLOT_FREE;
                r->st.dropped++;
            }
        }
    }
    s->state = SLOT_READING;
    r->st.consumed++;
    pthread_cond_signal(&r->can_write);
    pthread_mutex_unlock(&r->lock);
    *out = &s->frame;
    return SC_OK;
}

void sc_ring_read_release(struct sc_ring *r, const struct sc_frame *f)
{
    slot_free(r, f);
}

void sc_ring_terminate(struct sc_ring *r)
{
    pthread_mutex_lock(&r->lock);
    r->terminated = 1;
    pthread_cond_broadcast(&r->can_read);
    pthread_cond_broadcast(&r->can_write);
    pthread_mutex_unlock(&r->lock);
}

void sc_ring_wake(struct sc_ring *r)
{
    pthread_mutex_lock(&r->lock);
    r->woken = 1;
    pthread_cond_broadcast(&r->can_read);
    pthread_mutex_unlock(&r->lock);
}

void sc_ring_get_stats(struct sc_ring *r, struct sc_ring_stats *st)
{
    pthread_mutex_lock(&r->lock);
    *st = r->st;
    pthread_mutex_unlock(&r->lock);
}

const uint8_t *sc_ring_slot_buffer(struct sc_ring *r, int i)
{
    if (i < 0 || i >= r->nslots)
        return NULL;
    pthread_mutex_lock(&r->lock);
    const uint8_t *p = r->slots[i].frame.rgb;
    pthread_mutex_unlock(&r->lock);
    return p;
}
