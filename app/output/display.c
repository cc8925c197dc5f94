/* The display output: the producer side posts into the mailbox; the
 * consumer side is the main loop's one take path. */
#include "app/output/display.h"

#include <string.h>

#include "app/output/copies.h"
#include "common/clock.h"

static enum sc_output_ret reconfig(void *priv, int w, int h)
{
    (void)priv;
    (void)w;
    (void)h;
    return SC_OUTPUT_MORE;   /* the mailbox's buffers follow each frame's size */
}

static uint8_t *get_buffer(void *priv, int k, int w, int h)
{
    struct sc_shown *s = sc_mailbox_back(priv, k, w, h, 0);
    return s ? s->stylized.rgb : NULL;
}

/* The original as shown beside the stylized frame: mirrored like it. */
static void copy_original(struct sc_frame *dst, const struct sc_frame *src, int mirror)
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
    sc_copies_add(SC_COPY_ORIGINAL, row * src->h);
}

static enum sc_output_ret frame(void *priv, const struct sc_output_frame *f)
{
    struct sc_mailbox *mb = priv;
    const struct sc_frame *sty = f->stylized;
    int k = f->buffer >= 0 ? f->buffer : 0;
    /* Compare mode alone needs the original: copied only then. */
    int orig = sc_mailbox_wants_original(mb);
    struct sc_shown *s = sc_mailbox_back(mb, k, sty->w, sty->h, orig);
    if (!s)
        return SC_OUTPUT_MORE;   /* out of memory: this frame is not shown */
    if (f->buffer < 0) {         /* not lent (another output lends): copy */
        memcpy(s->stylized.rgb, sty->rgb, (size_t)sty->w * sty->h * 3);
        sc_copies_add(SC_COPY_OUTPUT, (size_t)sty->w * sty->h * 3);
    }
    if (orig)
        copy_original(&s->original, f->original, f->mirror);
    s->engine_ms = f->engine_ms;
    s->style = f->style;
    s->stylized.pts_us = s->original.pts_us = sty->pts_us;
    s->stylized.seq = s->original.seq = sty->seq;
    sc_mailbox_post(mb, k);
    return SC_OUTPUT_MORE;
}

static void close_display(void *priv, char *msg, size_t n)
{
    sc_mailbox_end(priv);
    if (n)
        msg[0] = '\0';
}

const struct sc_output_driver sc_output_display = {
    .name = "display",
    .reconfig = reconfig,
    .get_buffer = get_buffer,
    .frame = frame,
    .close = close_display,
};

enum sc_status sc_display_take(struct sc_mailbox *mb, struct sc_display_tally *t,
                               int timeout_ms, const struct sc_shown **out)
{
    enum sc_status st = sc_mailbox_take(mb, timeout_ms, out);
    if (st != SC_OK)
        return st;
    const struct sc_shown *s = *out;
    int64_t now = sc_now_us();
    double lat = (double)(now - s->stylized.pts_us) / 1000.0;
    t->posted = s->n;
    t->shown++;
    t->latency_ms = t->latency_ms > 0 ? 0.9 * t->latency_ms + 0.1 * lat : lat;
    t->lat_sum += lat;
    if (lat > t->lat_max)
        t->lat_max = lat;
    if (!t->fps_t0)
        t->fps_t0 = now;
    t->fps_n++;
    if (now - t->fps_t0 >= 1000000) {
        t->fps = t->fps_n * 1e6 / (double)(now - t->fps_t0);
        t->fps_t0 = now;
        t->fps_n = 0;
    }
    return SC_OK;
}
