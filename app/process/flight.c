/* Frames in the engine: begin submits a frame (the engine uploads it, runs
 * the network and downloads the result without the thread waiting); end
 * gives the oldest result to the outputs. With two in flight, the next
 * frame's transfers overlap this frame's network.
 *
 * Copies: the engine uploads straight from the leased ring slot (kept
 * leased until the frame ends: "in must stay unchanged until finish") and
 * downloads straight into the display's buffer (lent through the fan-out),
 * so on the common path the thread itself copies no pixels. */
#include <stdlib.h>
#include <string.h>

#include "app/output/copies.h"
#include "app/process/process_priv.h"
#include "common/clock.h"
#include "common/resize.h"

static int grow(uint8_t **buf, size_t n)
{
    uint8_t *b = realloc(*buf, n);
    if (!b)
        return -1;
    *buf = b;
    return 0;
}

/* Automatic infer size: shrink when slower than the target, grow back
 * when well faster; sides stay multiples of 4, at least min_infer_w (64)
 * wide. */
static void adapt(struct sc_process *p, int w, int h, double engine_ms)
{
    if (p->o.target_fps <= 0 || engine_ms <= 0)
        return;
    double budget = 1000.0 / p->o.target_fps;
    int cur = p->small_w > 0 ? p->small_w : w;
    double scale = engine_ms > budget * 1.05 ? 0.85 : engine_ms < budget * 0.6 ? 1.1 : 1.0;
    if (scale == 1.0 || (scale > 1.0 && cur >= w))
        return;
    int nw = ((int)(cur * scale) + 3) / 4 * 4;
    int lo = p->o.min_infer_w > 0 ? p->o.min_infer_w : 64;
    if (nw < lo)
        nw = lo;
    if (nw >= w) {
        p->small_w = p->small_h = 0;
        return;
    }
    p->small_w = nw;
    p->small_h = ((int)((double)h * nw / w) + 3) / 4 * 4;
    if (p->small_h < 16)
        p->small_h = 16;
}

/* The size the network runs at for a w x h frame now. */
static void net_size(const struct sc_process *p, int w, int h, int *nw, int *nh)
{
    *nw = p->small_w > 0 && p->small_w < w ? p->small_w : w;
    *nh = *nw == w ? h : p->small_h;
}

static enum sc_status no_memory(struct sc_error *err, int w, int h)
{
    return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for %dx%d frames.", w, h);
}

/* Where flight k's stylized frame goes: the lender's buffer, or its own. */
static enum sc_status out_buffer(struct sc_process *p, int k, struct flight *fl,
                                 struct sc_error *err)
{
    int w = fl->in->w, h = fl->in->h, lent;
    size_t n = (size_t)w * h * 3;
    uint8_t *b = sc_fanout_buffer(p, k, w, h, &lent);
    if (!lent && n > fl->own_cap && grow(&fl->own, n) == 0)
        fl->own_cap = n;
    if (!lent)
        b = n <= fl->own_cap ? fl->own : NULL;
    if (!b)
        return no_memory(err, w, h);
    fl->out = (struct sc_frame){.rgb = b, .w = w, .h = h};
    fl->lent = lent ? k : -1;
    return SC_OK;
}

/* Where the network reads and writes for this flight. */
static enum sc_status net_buffers(struct sc_process *p, struct flight *fl,
                                  const uint8_t **in, uint8_t **out, struct sc_error *err)
{
    int w = fl->in->w, h = fl->in->h;
    net_size(p, w, h, &fl->net_w, &fl->net_h);
    *in = fl->in->rgb;
    *out = fl->out.rgb;
    if (fl->net_w == w)
        return SC_OK;
    size_t n = (size_t)fl->net_w * fl->net_h * 3;
    /* These only grow: sizes change rarely (auto mode steps). */
    if (grow(&fl->net_in, n) || grow(&fl->net_out, n))
        return no_memory(err, fl->net_w, fl->net_h);
    sc_resize_rgb(fl->in->rgb, w, h, fl->net_in, fl->net_w, fl->net_h);
    sc_copies_add(SC_COPY_SCALE, n);
    *in = fl->net_in;
    *out = fl->net_out;
    return SC_OK;
}

/* Gives a camera frame's lease back (a re-render holds none). */
static void unlease(struct sc_process *p, const struct sc_frame *f, int rerender)
{
    if (!rerender && f)
        sc_ring_read_release(p->o.ring, f);
}

/* Waits until f can join what is in flight: the engine has room and the
 * frames in it have f's size and network size. Ending a flight may step
 * the network size, so it is looked at again each time. */
static enum sc_status make_room(struct sc_process *p, const struct sc_frame *f,
                                struct sc_error *err)
{
    while (p->count) {
        const struct flight *h = &p->fl[p->head];
        int nw, nh;
        net_size(p, f->w, f->h, &nw, &nh);
        if (p->count < sc_engine_inflight(p->o.engine) && h->in->w == f->w &&
            h->in->h == f->h && h->net_w == nw && h->net_h == nh)
            break;
        enum sc_status st = sc_flight_end(p, err);
        if (st)
            return st;
    }
    return SC_OK;
}

enum sc_status sc_flight_begin(struct sc_process *p, const struct sc_frame *f,
                               const struct sc_controls *c, int rerender,
                               struct sc_error *err)
{
    enum sc_status st = make_room(p, f, err);
    int k = (p->head + p->count) % SC_ENGINE_MAX_INFLIGHT;
    struct flight *fl = &p->fl[k];
    fl->in = f;
    fl->c = *c;
    fl->rerender = rerender;
    const uint8_t *in = NULL;
    uint8_t *out = NULL;
    if (!st)
        st = out_buffer(p, k, fl, err);
    if (!st)
        st = net_buffers(p, fl, &in, &out, err);
    /* A re-rendered still, a resume or a new style starts a new history, so
     * a paused frame stays put and styles never smear into each other. */
    struct sc_run_params rp = {c->strength, c->keep_colors, c->mirror, c->stabilize,
                               rerender || p->stab_reset || c->style != p->shown_with.style};
    fl->t0 = sc_now_us();
    if (!st)
        st = sc_engine_submit(p->o.engine, c->style, in, fl->net_w, fl->net_h, &rp, out, err);
    if (st) {
        unlease(p, f, rerender);
        return st;
    }
    sc_copies_add(SC_COPY_UPLOAD, (size_t)fl->net_w * fl->net_h * 3);
    p->count++;
    p->shown_with = *c;
    p->stab_reset = 0;
    return SC_OK;
}

enum sc_status sc_flight_end(struct sc_process *p, struct sc_error *err)
{
    if (!p->count)
        return SC_OK;
    struct flight *fl = &p->fl[p->head];
    p->head = (p->head + 1) % SC_ENGINE_MAX_INFLIGHT;
    p->count--;
    enum sc_status st = sc_engine_finish(p->o.engine, err);
    if (st) {
        unlease(p, fl->in, fl->rerender);
        return st;
    }
    sc_copies_add(SC_COPY_DOWNLOAD, (size_t)fl->net_w * fl->net_h * 3);
    if (fl->net_w != fl->in->w) {
        sc_resize_rgb(fl->net_out, fl->net_w, fl->net_h, fl->out.rgb, fl->out.w, fl->out.h);
        sc_copies_add(SC_COPY_SCALE, (size_t)fl->out.w * fl->out.h * 3);
    }
    /* Engine time: from submit, or from the previous frame's end if this one
     * queued behind it. */
    int64_t now = sc_now_us(), from = fl->t0 > p->last_end_us ? fl->t0 : p->last_end_us;
    double engine_ms = (double)(now - from) / 1000.0;
    p->last_end_us = now;
    fl->out.pts_us = fl->in->pts_us;
    fl->out.seq = fl->in->seq;
    struct sc_output_frame of = {.stylized = &fl->out, .original = fl->in,
                                 .mirror = fl->c.mirror, .rerender = fl->rerender,
                                 .style = fl->c.style, .engine_ms = engine_ms,
                                 .buffer = fl->lent};
    sc_fanout_frame(p, &of);
    if (!fl->rerender) {   /* kept for a re-render while paused */
        unlease(p, p->last, 0);
        p->last = fl->in;
    }
    fl->in = NULL;
    adapt(p, fl->out.w, fl->out.h, engine_ms);
    sc_process_frame_done(p, engine_ms);
    return SC_OK;
}

enum sc_status sc_flight_drain(struct sc_process *p, struct sc_error *err)
{
    enum sc_status st = SC_OK;
    while (!st && p->count)
        st = sc_flight_end(p, err);
    return st;
}

void sc_flight_free(struct sc_process *p)
{
    /* After a failure frames may still be in flight: the engine is gone now,
     * so their slots can go back. */
    for (; p->count; p->count--, p->head = (p->head + 1) % SC_ENGINE_MAX_INFLIGHT)
        unlease(p, p->fl[p->head].in, p->fl[p->head].rerender);
    unlease(p, p->last, 0);
    p->last = NULL;
    for (int i = 0; i < SC_ENGINE_MAX_INFLIGHT; i++) {
        free(p->fl[i].own);
        free(p->fl[i].net_in);
        free(p->fl[i].net_out);
    }
}
