#include "common/image_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "common/file.h"
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

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

struct image {
    const uint8_t *rgb;
    int w, h, jpeg;
};

static int encode(struct sc_file_out *out, void *ctx)
{
    const struct image *im = ctx;
    int ok = im->jpeg ? stbi_write_jpg_to_func(sc_file_put_stb, out, im->w, im->h, 3, im->rgb, 92)
                      : stbi_write_png_to_func(sc_file_put_stb, out, im->w, im->h, 3, im->rgb,
                                               im->w * 3);
    return ok ? 0 : ENOMEM; /* stb fails only when it cannot allocate */
}

enum sc_status sc_image_save(const char *path, const uint8_t *rgb, int w, int h,
                             enum sc_file_mode mode, struct sc_error *err)
{
    int jpeg = has_ext(path, ".jpg") || has_ext(path, ".jpeg");
    if (!jpeg && !has_ext(path, ".png"))
        return sc_error_set(err, SC_ERR_ARG, "Cannot write %s: the output must end in "
                            ".png, .jpg or .jpeg.", path);
    struct image im = {rgb, w, h, jpeg};
    return sc_file_write_atomic(path, mode, encode, &im, err);
}
