/* Still images: PNG or JPEG in (stb_image), PNG or JPEG out by extension. */
#ifndef SC_IMAGE_IO_H
#define SC_IMAGE_IO_H

#include <stdint.h>

#include "common/file.h"
#include "common/status.h"

/* Loads path as packed RGB (free with sc_image_free); rejects unreadable,
 * corrupt and smaller-than-16x16 images with a sentence naming the file. */
enum sc_status sc_image_load(const char *path, uint8_t **rgb, int *w, int *h,
                             struct sc_error *err);
void sc_image_free(uint8_t *rgb);

/* Writes packed RGB to path (.png, or .jpg/.jpeg) whole or not at all
 * (common/file.h): a failed write (disk full) leaves no partial file, and
 * SC_FILE_NO_OVERWRITE never replaces one (SC_ERR_EXISTS). */
enum sc_status sc_image_save(const char *path, const uint8_t *rgb, int w, int h,
                             enum sc_file_mode mode, struct sc_error *err);

#endif
