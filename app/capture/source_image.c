/* A still image (PNG/JPEG through stb_image) repeated as a stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/capture/source.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#define STB_IMAGE_STATIC    /* private copy: other stages may embed stb_image too */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#pragma GCC diagnostic pop
/* stb declares a few static functions it never defines; the warning
 * for those comes at the end of the file, past the pop above. */
#pragma GCC diagnostic ignored "-Wunused-function"

struct image_src {
    uint8_t *rgb;           /* the picture at the delivered size */
    int w, h;
    double fps;
    uint64_t seq;
    struct timespec next;   /* deadline of the next frame */
};

/* Nearest-neighbour resize, once at open. */
static uint8_t *resize(const uint8_t *src, int sw, int sh, int dw, int dh)
{
    uint8_t *d = malloc((size_t)dw * dh * 3);
    if (!d)
        return NULL;
    for (int y = 0; y < dh; y++) {
        const uint8_t *row = src + (size_t)(y * sh / dh) * sw * 3;
        for (int x = 0; x < dw; x++)
            memcpy(d + ((size_t)y * dw + x) * 3, row + (size_t)(x * sw / dw) * 3, 3);
    }
    return d;
}

static enum sc_status image_open(void **priv, const struct sc_source_request *req,
                                 struct sc_source_info *info, struct sc_error *err)
{
    const char *path = req->spec;
    if (!path || !*path)
        return sc_error_set(err, SC_ERR_ARG, "No image file was given: name a PNG or JPEG file.");
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        if (e == ENOENT)
            return sc_error_set(err, SC_ERR_NOT_FOUND,
                                "Image file %s does not exist: check the path.", path);
        return sc_error_set(err, SC_ERR_IO, "Image file %s cannot be read (%s): check its permissions.",
                            path, strerror(e));
    }
    int w, h, n;
    uint8_t *pix = stbi_load_from_file(fp, &w, &h, &n, 3);
    fclose(fp);
    if (!pix)
        return sc_error_set(err, SC_ERR_FORMAT,
                            "Image file %s could not be decoded (%s): use a valid PNG or JPEG file.",
                            path, stbi_failure_reason());
    if (w < 16 || h < 16) {
        stbi_image_free(pix);
        return sc_error_set(err, SC_ERR_FORMAT,
                            "Image file %s is only %dx%d pixels: use an image at least 16x16.",
                            path, w, h);
    }
    struct image_src *s = calloc(1, sizeof *s);
    int dw = req->w > 0 ? req->w : w, dh = req->h > 0 ? req->h : h;
    uint8_t *rgb = s ? resize(pix, w, h, dw, dh) : NULL;
    stbi_image_free(pix);
    if (!rgb) {
        free(s);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading image file %s.", path);
    }
    s->rgb = rgb;
    s->w = dw;
    s->h = dh;
    s->fps = req->fps > 0 ? req->fps : 30;
    clock_gettime(CLOCK_MONOTONIC, &s->next);
    info->w = dw;
    info->h = dh;
    info->fps = s->fps;
    snprintf(info->name, sizeof info->name, "%s", path);
    *priv = s;
    return SC_OK;
}

static enum sc_status image_read(void *priv, struct sc_frame *dst, int timeout_ms,
                                 struct sc_error *err)
{
    struct image_src *s = priv;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t wait_us = ((int64_t)s->next.tv_sec - now.tv_sec) * 1000000 +
                      (s->next.tv_nsec - now.tv_nsec) / 1000;
    struct timespec until = s->next;
    int ready = wait_us <= (int64_t)timeout_ms * 1000;
    if (!ready) {
        until = now;
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_nsec -= 1000000000L;
            until.tv_sec++;
        }
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
    if (!ready)
        return SC_AGAIN;
    s->next.tv_nsec += (long)(1e9 / s->fps);
    while (s->next.tv_nsec >= 1000000000L) {
        s->next.tv_nsec -= 1000000000L;
        s->next.tv_sec++;
    }
    if (wait_us < -1000000)     /* a long stall: restart the schedule */
        clock_gettime(CLOCK_MONOTONIC, &s->next);
    dst->w = s->w;
    dst->h = s->h;
    memcpy(dst->rgb, s->rgb, (size_t)s->w * s->h * 3);
    dst->pts_us = sc_now_us();
    dst->seq = s->seq++;
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
