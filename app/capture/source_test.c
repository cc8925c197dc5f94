/* The built-in test scene: colour bars, a drifting gradient, a bouncing ball
 * and a frame counter, paced like a camera (pace.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/capture/pace.h"
#include "app/capture/source.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

struct test_src {
    int w, h;
    uint64_t seq;           /* the frame being drawn: its slot number */
    struct sc_pace pace;
    char quads[16 * 1024];  /* stb_easy_font vertex scratch, reused every frame */
};

static const uint8_t bars[8][3] = {
    {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
    {255, 0, 255}, {255, 0, 0}, {0, 0, 255}, {0, 0, 0},
};

static enum sc_status test_open(void **priv, const struct sc_source_request *req,
                                struct sc_source_info *info, struct sc_error *err)
{
    int w = req->w > 0 ? req->w : 640, h = req->h > 0 ? req->h : 480;
    if (w < 16 || h < 16 || w > 7680 || h > 4320)
        return sc_error_set(err, SC_ERR_ARG,
                            "The test scene cannot be %dx%d: pick a size between 16x16 and 7680x4320.",
                            w, h);
    struct test_src *t = calloc(1, sizeof *t);
    if (!t)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory opening the test scene.");
    t->w = w & ~1;
    t->h = h & ~1;
    info->fps = req->fps > 0 ? req->fps : 30;
    sc_pace_init(&t->pace, info->fps, 1);
    info->w = t->w;
    info->h = t->h;
    snprintf(info->name, sizeof info->name, "test scene %dx%d", t->w, t->h);
    *priv = t;
    return SC_OK;
}

static void fill_rect(struct sc_frame *f, int x0, int y0, int x1, int y1, const uint8_t c[3])
{
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > f->w ? f->w : x1;
    y1 = y1 > f->h ? f->h : y1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            memcpy(f->rgb + ((size_t)y * f->w + x) * 3, c, 3);
}

/* Text from stb_easy_font's axis-aligned quads, scaled by s. */
static void draw_text(struct test_src *t, struct sc_frame *f, int x, int y, int s,
                      const char *text)
{
    static const uint8_t white[3] = {255, 255, 255};
    int nq = stb_easy_font_print(0, 0, (char *)text, NULL, t->quads, sizeof t->quads);
    for (int q = 0; q < nq; q++) {
        const float *v = (const float *)(t->quads + q * 64);
        int qx0 = (int)v[0], qy0 = (int)v[1], qx1 = (int)v[8], qy1 = (int)v[9];
        fill_rect(f, x + qx0 * s, y + qy0 * s, x + qx1 * s, y + qy1 * s, white);
    }
}

static void draw_scene(struct test_src *t, struct sc_frame *f)
{
    int w = f->w, h = f->h, top = h / 2, mid = h * 3 / 4;
    for (int y = 0; y < h; y++) {
        uint8_t *row = f->rgb + (size_t)y * w * 3;
        for (int x = 0; x < w; x++) {
            uint8_t *p = row + (size_t)x * 3;
            if (y < top) {
                memcpy(p, bars[x * 8 / w], 3);
            } else if (y < mid) {   /* a gradient drifting to the right */
                int u = (int)((x * 255 / w + t->seq * 2) & 255);
                p[0] = (uint8_t)u;
                p[1] = (uint8_t)(y * 255 / h);
                p[2] = (uint8_t)(255 - u);
            } else {
                p[0] = p[1] = p[2] = 24;
            }
        }
    }
    /* A ball bouncing over the bars and the gradient. */
    int r = h / 10 + 2, span = w - 2 * r;
    int pos = (int)((t->seq * 3) % (uint64_t)(2 * span));
    int cx = r + (pos < span ? pos : 2 * span - pos), cy = h / 2;
    for (int y = -r; y <= r; y++)
        for (int x = -r; x <= r; x++)
            if (x * x + y * y <= r * r && cx + x >= 0 && cx + x < w && cy + y >= 0 && cy + y < h) {
                uint8_t *p = f->rgb + ((size_t)(cy + y) * w + cx + x) * 3;
                p[0] = 250, p[1] = 120, p[2] = 20;
            }
    char text[32];
    snprintf(text, sizeof text, "frame %llu", (unsigned long long)t->seq);
    int s = h >= 240 ? h / 120 : 1;
    draw_text(t, f, 4, mid + 4, s, text);
}

static enum sc_status test_read(void *priv, struct sc_frame *dst, int timeout_ms,
                                struct sc_error *err)
{
    (void)err;
    struct test_src *t = priv;
    enum sc_status st = sc_pace_wait(&t->pace, timeout_ms, &dst->pts_us, &t->seq);
    if (st)
        return st;
    dst->w = t->w;
    dst->h = t->h;
    draw_scene(t, dst);
    dst->seq = t->seq;
    return SC_OK;
}

static void test_close(void *priv)
{
    free(priv);
}

const struct sc_source_driver sc_source_test = {
    .name = "test",
    .open = test_open,
    .read = test_read,
    .close = test_close,
};
