/* Style pictures: everything is decided from the header and the chunk or
 * block layout, so a huge or animated file is refused before any pixel is
 * decoded. */
#include "common/image_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "common/image_io.h"

enum { MAX_FILE = 256 << 20 };  /* a style picture larger than this is not one */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An APNG declares itself by an acTL chunk before the first IDAT. */
static int png_animated(const uint8_t *b, size_t n)
{
    size_t o = 8;
    while (o + 8 <= n) {
        uint32_t len = be32(b + o);
        if (!memcmp(b + o + 4, "acTL", 4))
            return 1;
        if (!memcmp(b + o + 4, "IDAT", 4) || len > n)
            return 0;
        o += 12 + (size_t)len;
    }
    return 0;
}

/* Skips GIF data sub-blocks from o; returns the offset after them. */
static size_t gif_skip_blocks(const uint8_t *b, size_t n, size_t o)
{
    while (o < n && b[o])
        o += 1 + (size_t)b[o];
    return o + 1;
}

/* Counts a GIF's image descriptors, stopping at the second. */
static int gif_frames(const uint8_t *b, size_t n)
{
    if (n < 13)
        return 0;
    size_t o = 13;
    if (b[10] & 0x80)
        o += 3u * (1u << ((b[10] & 7) + 1));    /* global colour table */
    int frames = 0;
    while (o < n && frames < 2) {
        if (b[o] == 0x2c) {                      /* image descriptor */
            if (o + 10 > n)
                break;
            frames++;
            uint8_t flags = b[o + 9];
            o += 10;
            if (flags & 0x80)
                o += 3u * (1u << ((flags & 7) + 1));
            o = gif_skip_blocks(b, n, o + 1);    /* LZW minimum code size, then data */
        } else if (b[o] == 0x21) {               /* extension */
            o = gif_skip_blocks(b, n, o + 2);
        } else {
            break;                               /* 0x3b trailer, or damage */
        }
    }
    return frames;
}

enum sc_status sc_image_check_style_mem(const uint8_t *b, size_t n, const char *name,
                                        int *gray, struct sc_error *err)
{
    int w, h, comp;
    if (!stbi_info_from_memory(b, (int)n, &w, &h, &comp))
        return sc_error_set(err, SC_ERR_FORMAT, "%s is not a picture stylecam can read "
                            "(%s); use a PNG, JPEG, BMP or GIF file.", name,
                            stbi_failure_reason());
    if (w > SC_STYLE_PIC_MAX || h > SC_STYLE_PIC_MAX)
        return sc_error_set(err, SC_ERR_TOO_LARGE, "The style picture %s is %dx%d pixels, "
                            "more than %d a side; scale it down first.", name, w, h,
                            SC_STYLE_PIC_MAX);
    if (w < SC_STYLE_PIC_MIN || h < SC_STYLE_PIC_MIN)
        return sc_error_set(err, SC_ERR_ARG, "The style picture %s is only %dx%d pixels; a "
                            "style needs at least %dx%d: use a larger picture.", name, w, h,
                            SC_STYLE_PIC_MIN, SC_STYLE_PIC_MIN);
    int animated = (n > 8 && !memcmp(b, "\x89PNG", 4) && png_animated(b, n)) ||
                   (n > 6 && !memcmp(b, "GIF8", 4) && gif_frames(b, n) > 1);
    if (animated)
        return sc_error_set(err, SC_ERR_FORMAT, "The style picture %s is animated; save the "
                            "frame you want as a still PNG or JPEG and use that.", name);
    if (gray)
        *gray = comp < 3;
    return SC_OK;
}

/* The whole file (style pictures are small next to memory). */
static enum sc_status read_all(const char *path, uint8_t **buf, size_t *n,
                               struct sc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sc_error_set(err, errno == ENOENT ? SC_ERR_NOT_FOUND : SC_ERR_IO,
                            "Cannot open the style picture %s: %s.", path, strerror(errno));
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (len < 0 || len > MAX_FILE || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return sc_error_set(err, len > MAX_FILE ? SC_ERR_TOO_LARGE : SC_ERR_FORMAT,
                            "%s is not a picture stylecam can use as a style (%s); use a "
                            "PNG or JPEG file.", path, len > MAX_FILE ? "over 256 MB" :
                            "not a regular file");
    }
    *buf = malloc(len ? (size_t)len : 1);
    *n = *buf ? fread(*buf, 1, (size_t)len, f) : 0;
    fclose(f);
    if (!*buf)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory reading %s.", path);
    return SC_OK;
}

enum sc_status sc_image_check_style(const char *path, int *gray, struct sc_error *err)
{
    uint8_t *b;
    size_t n;
    enum sc_status st = read_all(path, &b, &n, err);
    if (st)
        return st;
    st = sc_image_check_style_mem(b, n, path, gray, err);
    free(b);
    return st;
}

enum sc_status sc_image_load_style(const char *path, uint8_t **rgb, int *w, int *h,
                                   struct sc_error *err)
{
    uint8_t *b;
    size_t n;
    enum sc_status st = read_all(path, &b, &n, err);
    if (st)
        return st;
    st = sc_image_check_style_mem(b, n, path, NULL, err);
    if (!st) {
        int comp;
        *rgb = stbi_load_from_memory(b, (int)n, w, h, &comp, 3);
        if (!*rgb)
            st = sc_error_set(err, SC_ERR_FORMAT, "Cannot read the style picture %s: it "
                              "is damaged (%s); use another picture.", path,
                              stbi_failure_reason());
    }
    free(b);
    return st;
}
