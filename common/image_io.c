#include "common/image_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "common/frame.h"

enum sc_status sc_image_load(const char *path, uint8_t **rgb, int *w, int *h,
                             struct sc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sc_error_set(err, errno == ENOENT ? SC_ERR_NOT_FOUND : SC_ERR_IO,
                            "Cannot open the image %s: %s.", path, strerror(errno));
    int comp;
    uint8_t *p = stbi_load_from_file(f, w, h, &comp, 3);
    fclose(f);
    if (!p)
        return sc_error_set(err, SC_ERR_FORMAT, "Cannot read the image %s: it is not a "
                            "valid PNG or JPEG file (%s).", path, stbi_failure_reason());
    if (*w < SC_MIN_SIDE || *h < SC_MIN_SIDE) {
        stbi_image_free(p);
        return sc_error_set(err, SC_ERR_ARG, "The image %s is %dx%d pixels; stylecam "
                            "needs at least %dx%d.", path, *w, *h, SC_MIN_SIDE, SC_MIN_SIDE);
    }
    *rgb = p;
    return SC_OK;
}

void sc_image_free(uint8_t *rgb)
{
    stbi_image_free(rgb);
}

struct sink {
    FILE *f;
    int failed;
    int err;
};

static void write_cb(void *ctx, void *data, int size)
{
    struct sink *s = ctx;
    if (!s->failed && fwrite(data, 1, (size_t)size, s->f) != (size_t)size) {
        s->failed = 1;
        s->err = errno;
    }
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

enum sc_status sc_image_save(const char *path, const uint8_t *rgb, int w, int h,
                             struct sc_error *err)
{
    int jpeg = has_ext(path, ".jpg") || has_ext(path, ".jpeg");
    if (!jpeg && !has_ext(path, ".png"))
        return sc_error_set(err, SC_ERR_ARG, "Cannot write %s: the output must end in "
                            ".png, .jpg or .jpeg.", path);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.partial", path);
    struct sink s = {fopen(tmp, "wb"), 0, 0};
    if (!s.f)
        return sc_error_set(err, SC_ERR_IO, "Cannot write %s: %s.", path, strerror(errno));
    int ok = jpeg ? stbi_write_jpg_to_func(write_cb, &s, w, h, 3, rgb, 92)
                  : stbi_write_png_to_func(write_cb, &s, w, h, 3, rgb, w * 3);
    if (fflush(s.f) != 0 && !s.failed) {
        s.failed = 1;
        s.err = errno;
    }
    if (fclose(s.f) != 0 && !s.failed) {
        s.failed = 1;
        s.err = errno;
    }
    if (!ok || s.failed || rename(tmp, path) != 0) {
        int e = s.failed ? s.err : errno;
        unlink(tmp);
        return sc_error_set(err, e == ENOSPC ? SC_ERR_FULL : SC_ERR_IO,
                            "Cannot write %s: %s%s.", path, ok ? strerror(e) : "encoding failed",
                            e == ENOSPC ? "; free some space or choose another folder" : "");
    }
    return SC_OK;
}
