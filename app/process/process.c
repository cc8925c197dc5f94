/* The processing thread: its loop, its orders (controls, outputs) and the
 * status it publishes. The frames it has in the engine are flight.c's, the
 * outputs fanout.c's. */
#include "app/process/process_priv.h"
#include "common/clock.h"
#include "engine/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

void sc_process_message(struct sc_process *p, const char *msg)
{
    pthread_mutex_lock(&p->lock);
    snprintf(p->status.message, sizeof p->status.message, "%.1000s", msg);
    pthread_mutex_unlock(&p->lock);
}

/* The outputs' figures, published (gathered outside the lock: a driver
 * may take its own). */
static void publish_outputs(struct sc_process *p, uint64_t orders_done)
{
    struct sc_process_output_status os[SC_PROCESS_MAX_OUTPUTS];
    int n = sc_fanout_status(p, os);
    pthread_mutex_lock(&p->lock);
    memcpy(p->status.outputs, os, (size_t)n * sizeof os[0]);
    p->status.noutputs = n;
    p->status.orders_done += orders_done;
    pthread_mutex_unlock(&p->lock);
}

/* The add-style order: the model is read and uploaded here, between
 * frames (nothing is in flight); a failure is a message, the pipeline goes
 * on. */
static void add_style(struct sc_process *p, const char *dir, const float *vec)
{
    struct sc_model *m = NULL;
    struct sc_error err;
    enum sc_status st = SC_OK;
    int idx = -1;
    if (vec && p->vec_model && strcmp(p->vec_model_dir, dir) == 0) {
        m = p->vec_model;       /* one read of the transformer serves every picture style */
    } else {
        st = sc_model_load(dir, &m, &err);
    }
    if (!st)
        st = sc_engine_add_style(p->o.engine, m, &idx, &err);
    if (!st && vec)
        st = sc_engine_set_style_vector(p->o.engine, idx, vec, &err);
    if (vec && m && m != p->vec_model) {
        char *d = strdup(dir);
        if (d) {
            sc_model_free(&p->vec_model);
            free(p->vec_model_dir);
            p->vec_model = m;
            p->vec_model_dir = d;
            m = NULL;
        }
    }
    if (m != p->vec_model)
        sc_model_free(&m);
    if (st) {
        sc_warn("%s", err.msg);
        sc_process_message(p, err.msg);
    }
    int n = sc_engine_style_count(p->o.engine);
    pthread_mutex_lock(&p->lock);
    p->status.styles = n;
    pthread_mutex_unlock(&p->lock);
}

/* A blend or a new mix: the next frame has the new look, and the
 * stabilizer must not carry the old one into it. */
static void set_vector(struct sc_process *p, int style, const float *vec)
{
    struct sc_error err;
    if (sc_engine_set_style_vector(p->o.engine, style, vec, &err)) {
        sc_warn("%s", err.msg);
        sc_process_message(p, err.msg);
    }
    p->stab_reset = 1;
}

/* Takes the controls and carries out the orders (with no frame in flight,
 * so that the outputs may change); returns 1 to terminate. */
static int take_orders(struct sc_process *p, struct sc_controls *c, enum sc_status *st,
                       struct sc_error *err)
{
    struct order o[MAX_ORDERS];
    pthread_mutex_lock(&p->lock);
    *c = p->controls;
    int n = p->norders, t = p->terminate;
    memcpy(o, p->orders, (size_t)n * sizeof o[0]);
    p->norders = 0;
    pthread_mutex_unlock(&p->lock);
    if (!n)
        return t;
    *st = sc_flight_drain(p, err);
    for (int i = 0; i < n; i++) {
        if (o[i].style_dir) {
            add_style(p, o[i].style_dir, o[i].vec);
            free(o[i].style_dir);
            free(o[i].vec);
        } else if (o[i].vec) {
            set_vector(p, o[i].vec_style, o[i].vec);
            free(o[i].vec);
        } else if (o[i].attach) {
            sc_fanout_attach(p, o[i].id, o[i].drv, o[i].priv);
        } else {
            sc_fanout_detach(p, o[i].id);
        }
    }
    publish_outputs(p, (uint64_t)n);
    return t;
}

static int same_look(const struct sc_controls *a, const struct sc_controls *b)
{
    return a->style == b->style && a->strength == b->strength &&
           a->keep_colors == b->keep_colors && a->mirror == b->mirror &&
           a->stabilize == b->stabilize && a->refresh == b->refresh;
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
    pthread_mutex_unlock(&p->lock);
    publish_outputs(p, 0);
}

/* newest_before: the ring's newest seq read before the frame was taken. It
 * only grows, so a frame counted here was stale when taken, whatever the
 * thread was preempted for in between. */
static void count_stale(struct sc_process *p, const struct sc_frame *f, uint64_t newest_before)
{
    if (p->o.lossless || f->seq + SC_PROCESS_RING_SLOTS >= newest_before)
        return;
    pthread_mutex_lock(&p->lock);
    p->status.stale++;
    pthread_mutex_unlock(&p->lock);
}

/* Paused: camera frames are drained unseen; a changed setting is shown on
 * the frozen frame (the last one made, still leased). */
static enum sc_status paused(struct sc_process *p, const struct sc_controls *c,
                             struct sc_error *err)
{
    enum sc_status st = sc_flight_drain(p, err);
    p->stab_reset = 1;      /* the scene may be another one on resume */
    if (st || !p->last || same_look(c, &p->shown_with))
        return st;
    return sc_flight_begin(p, p->last, c, 1, err);
}

static void fail(struct sc_process *p, const struct sc_error *err)
{
    sc_err("%s", err->msg);
    pthread_mutex_lock(&p->lock);
    snprintf(p->status.message, sizeof p->status.message, "%s", err->msg);
    p->status.failed = 1;
    pthread_mutex_unlock(&p->lock);
}

/* One step: deliver a frame when the engine is full, else take the newest
 * camera frame (waiting for one only with nothing in flight: an order
 * wakes the wait). Returns SC_EOF at the end. */
static enum sc_status step(struct sc_process *p, const struct sc_controls *c,
                           struct sc_error *err)
{
    if (p->count >= sc_engine_inflight(p->o.engine))
        return sc_flight_end(p, err);
    if (p->o.max_frames && p->taken >= p->o.max_frames)
        return SC_EOF;
    int frozen = c->paused && !p->o.lossless;
    if (frozen && p->last && !same_look(c, &p->shown_with))
        return paused(p, c, err);   /* a new setting shows at once */
    const struct sc_frame *f;
    struct sc_ring_stats rs;
    sc_ring_get_stats(p->o.ring, &rs);
    enum sc_status r = sc_ring_read_acquire(p->o.ring, p->count ? 0 : -1, &f);
    if (r == SC_EOF)
        return r;
    if (r != SC_OK)
        return sc_flight_end(p, err);
    count_stale(p, f, rs.last_seq);
    if (frozen) {
        sc_ring_read_release(p->o.ring, f);
        return paused(p, c, err);
    }
    p->taken++;
    return sc_flight_begin(p, f, c, 0, err);
}

static void *run(void *arg)
{
    struct sc_process *p = arg;
    struct sc_controls c;
    struct sc_error err;
    enum sc_status st = SC_OK;
    p->fps_t0 = (double)sc_now_us() / 1e6;
    while (!take_orders(p, &c, &st, &err) && !st && !(st = step(p, &c, &err)))
        ;
    if (!st || st == SC_EOF)    /* terminated or ended: what is in flight is made */
        st = sc_flight_drain(p, &err);
    if (st && st != SC_EOF)
        fail(p, &err);
    pthread_mutex_lock(&p->lock);
    p->status.ended = 1;
    pthread_mutex_unlock(&p->lock);
    sc_fanout_close_all(p);     /* a clip is saved; the display hears the end */
    publish_outputs(p, 0);
    return NULL;
}

/* Queues an order and wakes the thread; 0 when the queue is full. */
static uint64_t post(struct sc_process *p, const struct order *o)
{
    uint64_t n = 0;
    pthread_mutex_lock(&p->lock);
    if (p->norders < MAX_ORDERS) {
        p->orders[p->norders++] = *o;
        n = ++p->orders_posted;
    }
    pthread_mutex_unlock(&p->lock);
    sc_ring_wake(p->o.ring);
    return n;
}

enum sc_status sc_process_init(struct sc_process **out, const struct sc_process_opts *o,
                               struct sc_error *err)
{
    struct sc_process *p = calloc(1, sizeof *p);
    if (!p) {
        for (int i = 0; i < o->noutputs; i++)
            o->outputs[i].drv->close(o->outputs[i].priv, NULL, 0);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory starting the pipeline.");
    }
    p->o = *o;
    p->o.noutputs = 0;
    p->controls = o->controls;
    p->small_w = o->infer_w;
    p->small_h = o->infer_h;
    p->status.styles = sc_engine_style_count(o->engine);
    pthread_mutex_init(&p->lock, NULL);
    /* Attached before the thread runs, so the very first frame reaches them. */
    for (int i = 0; i < o->noutputs; i++)
        sc_fanout_attach(p, o->outputs[i].id, o->outputs[i].drv, o->outputs[i].priv);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        sc_fanout_close_all(p);
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
    sc_ring_wake(p->o.ring);
    pthread_join(p->thread, NULL);
    /* Orders the thread never took: their outputs are closed here. */
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->norders; i++) {
        struct order *o = &p->orders[i];
        if (!o->style_dir && !o->vec && o->attach)
            o->drv->close(o->priv, NULL, 0);
        free(o->style_dir);
        free(o->vec);
    }
    p->norders = 0;
    pthread_mutex_unlock(&p->lock);
    sc_engine_free(&p->o.engine);
    sc_model_free(&p->vec_model);
    free(p->vec_model_dir);
    sc_flight_free(p);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

void sc_process_set_controls(struct sc_process *p, const struct sc_controls *c)
{
    pthread_mutex_lock(&p->lock);
    p->controls = *c;
    pthread_mutex_unlock(&p->lock);
    sc_ring_wake(p->o.ring);    /* a paused frame is re-rendered at once */
}

uint64_t sc_process_attach(struct sc_process *p, int id, const struct sc_output_driver *drv,
                           void *priv)
{
    return post(p, &(struct order){.attach = 1, .id = id, .drv = drv, .priv = priv});
}

uint64_t sc_process_detach(struct sc_process *p, int id)
{
    return post(p, &(struct order){.attach = 0, .id = id});
}

uint64_t sc_process_add_style(struct sc_process *p, const char *dir)
{
    char *copy = strdup(dir);
    if (!copy)
        return 0;
    uint64_t n = post(p, &(struct order){.style_dir = copy});
    if (!n)
        free(copy);
    return n;
}

static float *vec_copy(const float *vec)
{
    float *v = malloc(SC_STYLE_VEC * sizeof *v);
    if (v)
        memcpy(v, vec, SC_STYLE_VEC * sizeof *v);
    return v;
}

uint64_t sc_process_add_vec_style(struct sc_process *p, const char *dir, const float *vec)
{
    char *copy = strdup(dir);
    float *v = vec_copy(vec);
    uint64_t n = copy && v ? post(p, &(struct order){.style_dir = copy, .vec = v}) : 0;
    if (!n) {
        free(copy);
        free(v);
    }
    return n;
}

uint64_t sc_process_set_vector(struct sc_process *p, int style, const float *vec)
{
    float *v = vec_copy(vec);
    uint64_t n = v ? post(p, &(struct order){.vec = v, .vec_style = style}) : 0;
    if (!n)
        free(v);
    return n;
}

void sc_process_get_status(struct sc_process *p, struct sc_process_status *st)
{
    pthread_mutex_lock(&p->lock);
    *st = p->status;
    pthread_mutex_unlock(&p->lock);
}

const struct sc_output_status *sc_process_output(const struct sc_process_status *st, int id)
{
    for (int i = 0; i < st->noutputs; i++)
        if (st->outputs[i].id == id)
            return &st->outputs[i].st;
    return NULL;
}
