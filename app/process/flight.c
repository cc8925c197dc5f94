/* Frames in the engine: begin submits a frame (the engine uploads it, runs
 * the network and downloads the result without the thread waiting); end
 * takes the oldest result into the mailbox and the recorder. With two in
 * flight, the next frame's transfers overlap this frame's network. */
#include <stdlib.h>
#include <string.h>

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

/* Copies f into the flight's own input (reallocated only on a size change). */
static int keep_input(struct flight *fl, const struct sc_frame *f)
{
    size_t n = (size_t)f->w * f->h * 3;
    if ((!fl->in.rgb || fl->in.w != f->w || fl->in.h != f->h) && grow(&fl->in.rgb, n))
        return -1;
    if (fl->in.rgb != f->rgb)
        memcpy(fl->in.rgb, f->rgb, n);
    fl->in.w = f->w;
    fl->in.h = f->h;
    fl->in.pts_us = f->pts_us;
    fl->in.seq = f->seq;
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

/* Where the network reads and writes for this flight. */
static enum sc_status net_buffers(struct sc_process *p, struct flight *fl,
                                  struct sc_shown *s, const uint8_t **in, uint8_t **out,
                                  struct sc_error *err)
{
    int w = fl->in.w, h = fl->in.h;
    net_size(p, w, h, &fl->net_w, &fl->net_h);
    *in = fl->in.rgb;
    *out = s->stylized.rgb;
    if (fl->net_w == w)
        return SC_OK;
    size_t n = (size_t)fl->net_w * fl->net_h * 3;
    /* These only grow: sizes change rarely (auto mode steps). */
    if (grow(&fl->net_in, n) || grow(&fl->net_out, n))
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for %dx%d frames.", fl->net_w,
                            fl->net_h);
    sc_resize_rgb(fl->in.rgb, w, h, fl->net_in, fl->net_w, fl->net_h);
    *in = fl->net_in;
    *out = fl->net_out;
    return SC_OK;
}

enum sc_status sc_flight_begin(struct sc_process *p, const struct sc_frame *f,
                               const struct sc_controls *c, int rerender,
                               struct sc_error *err)
{
    enum sc_status st;
    /* A full engine, or a frame of another size (the camera's, or the network's
     * after an automatic step), waits for what is in flight. Ending a flight
     * may step the size, so it is looked at again each time. */
    while (p->count) {
        const struct flight *h = &p->fl[p->head];
        int nw, nh;
        net_size(p, f->w, f->h, &nw, &nh);
        if (p->count < sc_engine_inflight(p->o.engine) && h->in.w == f->w &&
            h->in.h == f->h && h->net_w == nw && h->net_h == nh)
            break;
        if ((st = sc_flight_end(p, err)))
            return st;
    }
    int k = (p->head + p->count) % SC_ENGINE_MAX_INFLIGHT;
    struct flight *fl = &p->fl[k];
    struct sc_shown *s = sc_mailbox_back(p->o.mailbox, k, f->w, f->h);
    if (!s || keep_input(fl, f))
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for %dx%d frames.", f->w, f->h);
    fl->c = *c;
    fl->rerender = rerender;
    const uint8_t *in;
    uint8_t *out;
    if ((st = net_buffers(p, fl, s, &in, &out, err)))
        return st;
    struct sc_run_params rp = {c->strength, c->keep_colors, c->mirror};
    fl->t0 = sc_now_us();
    st = sc_engine_submit(p->o.engine, c->style, in, fl->net_w, fl->net_h, &rp, out, err);
    if (st)
        return st;
    p->count++;
    p->shown_with = *c;
    return SC_OK;
}

/* The original as shown beside the stylized frame: mirrored like it. */
static void show_original(struct sc_frame *dst, const struct sc_frame *src, int mirror)
{
    size_t row = (size_t)src->w * 3;
    for (int y = 0; y < src->h; y++) {
        const uint8_t *a = src->rgb + y * row;
        uint8_t *b = dst->rgb + y * row;
        if (!mirror) {
            memcpy(b, a, row);
            continue;
        }
        for (int x = 0; x < src->w; x++)
            memcpy(b + (size_t)(src->w - 1 - x) * 3, a + (size_t)x * 3, 3);
    }
}

enum sc_status sc_flight_end(struct sc_process *p, struct sc_error *err)
{
    if (!p->count)
        return SC_OK;
    int k = p->head;
    struct flight *fl = &p->fl[k];
    p->head = (p->head + 1) % SC_ENGINE_MAX_INFLIGHT;
    p->count--;
    enum sc_status st = sc_engine_finish(p->o.engine, err);
    if (st)
        return st;
    struct sc_shown *s = sc_mailbox_back(p->o.mailbox, k, fl->in.w, fl->in.h);
    if (fl->net_w != fl->in.w)
        sc_resize_rgb(fl->net_out, fl->net_w, fl->net_h, s->stylized.rgb, fl->in.w, fl->in.h);
    show_original(&s->original, &fl->in, fl->c.mirror);
    /* Engine time: from submit, or from the previous frame's end if this one
     * queued behind it. */
    int64_t now = sc_now_us(), from = fl->t0 > p->last_end_us ? fl->t0 : p->last_end_us;
    double engine_ms = (double)(now - from) / 1000.0;
    p->last_end_us = now;
    s->engine_ms = engine_ms;
    s->style = fl->c.style;
    s->stylized.pts_us = s->original.pts_us = fl->in.pts_us;
    s->stylized.seq = s->original.seq = fl->in.seq;
    if (p->rec && !fl->rerender)   /* a paused re-render is not new footage */
        sc_recorder_push(p->rec, &s->stylized);
    sc_mailbox_post(p->o.mailbox, k);
    p->last = k;
    adapt(p, fl->in.w, fl->in.h, engine_ms);
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
    for (int i = 0; i < SC_ENGINE_MAX_INFLIGHT; i++) {
        free(p->fl[i].in.rgb);
        free(p->fl[i].net_in);
        free(p->fl[i].net_out);
    }
}
