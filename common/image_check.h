/* Pictures meant as styles (arbitrary style transfer), checked before their
 * pixels are decoded: kept out of the frame path. */
#ifndef SC_IMAGE_CHECK_H
#define SC_IMAGE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

#define SC_STYLE_PIC_MIN 64      /* smallest side a style picture may have */
#define SC_STYLE_PIC_MAX 8192    /* largest side; refused from the header alone */

/* Checks the file at path from its header (stbi_info) and chunk or block
 * structure: an image stb_image reads, sides within [MIN, MAX], a single
 * frame (no GIF with two frames, no APNG's acTL). Returns SC_OK, or
 * SC_ERR_FORMAT / SC_ERR_ARG / SC_ERR_TOO_LARGE / SC_ERR_IO with one
 * sentence naming the file and what to do. *gray (may be NULL) is set to 1
 * for a grayscale picture, which is used as RGB. */
enum sc_status sc_image_check_style(const char *path, int *gray, struct sc_error *err);

/* The same checks on a file's bytes; name is used in the sentence. */
enum sc_status sc_image_check_style_mem(const uint8_t *buf, size_t n, const char *name,
                                        int *gray, struct sc_error *err);

/* Checks, then decodes as packed RGB (free with sc_image_free). */
enum sc_status sc_image_load_style(const char *path, uint8_t **rgb, int *w, int *h,
                                   struct sc_error *err);

#endif
