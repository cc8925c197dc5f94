/* A still image (PNG/JPEG through stb_image) repeated as a stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/capture/pace.h"
#include "app/capture/source.h"

#include "common/image_io.h"
#include "common/resize.h"

struct image_src {
    uint8_t *rgb;           /* the picture at the delivered size */
    int w, h;
    struct sc_pace pace;
    long frames;            /* frames to give before SC_EOF; 0 = endless */
};

static enum sc_status image_open(void **priv, const struct sc_source_request *req,
                                 struct sc_source_info *info, struct sc_error *err)
{
    const char *path = req->spec;
    if (!path || !*path)
        return sc_error_set(err, SC_ERR_ARG, "No image file was given: name a PNG or JPEG file.");
    int w, h;
    uint8_t *pix;
    enum sc_status st = sc_image_load(path, &pix, &w, &h, err);
    if (st)
        return st;
    struct image_src *s = calloc(1, sizeof *s);
    int dw = req->w > 0 ? req->w : w, dh = req->h > 0 ? req->h : h;
    uint8_t *rgb = s ? malloc((size_t)dw * dh * 3) : NULL;
    if (rgb)
        sc_resize_rgb(pix, w, h, rgb, dw, dh);
    sc_image_free(pix);
    if (!rgb) {
        free(s);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading image file %s.", path);
    }
    s->rgb = rgb;
    s->w = dw;
    s->h = dh;
    info->fps = req->fps > 0 ? req->fps : 30;
    sc_pace_init(&s->pace, info->fps, req->paced);
    s->frames = req->frames;
    info->w = dw;
    info->h = dh;
    snprintf(info->name, sizeof info->name, "%s", path);
    *priv = s;
    return SC_OK;
}

static enum sc_status image_read(void *priv, struct sc_frame *dst, int timeout_ms,
                                 struct sc_error *err)
{
    (void)err;
    struct image_src *s = priv;
    if (s->frames > 0 && s->pace.slot >= (uint64_t)s->frames)
        return SC_EOF;
    enum sc_status st = sc_pace_wait(&s->pace, timeout_ms, &dst->pts_us, &dst->seq);
    if (st)
        return st;
    dst->w = s->w;
    dst->h = s->h;
    memcpy(dst->rgb, s->rgb, (size_t)s->w * s->h * 3);
    return SC_OK;
}

static void image_close(void *priv)
{
    struct image_src *s = priv;
    if (s)
        free(s->rgb);
    free(s);
}

const struct sc_source_driver sc_source_image = {
    .name = "image",
    .open = image_open,
    .read = image_read,
    .close = image_close,
};
