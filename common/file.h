/* Files written whole or not at all: the contents go to a temporary file
 * beside the target, reach the disk (fsync), and only then take the target's
 * name. An error, a full disk or a crash never leaves a partial file under
 * that name; no-overwrite mode never replaces a file. */
#ifndef SC_FILE_H
#define SC_FILE_H

#include <stddef.h>

#include "common/status.h"

enum sc_file_mode {
    SC_FILE_REPLACE,        /* an existing file is replaced, atomically */
    SC_FILE_NO_OVERWRITE,   /* an existing file is kept: SC_ERR_EXISTS */
};

/* The temporary file being written. */
struct sc_file_out;

/* Appends n bytes. After a failed write it does nothing more; the first
 * error is what sc_file_write_atomic reports. */
void sc_file_put(struct sc_file_out *out, const void *data, size_t n);

/* sc_file_put in stb_image_write's callback shape:
 * stbi_write_png_to_func(sc_file_put_stb, out, ...). */
void sc_file_put_stb(void *out, void *data, int size);

/* Writes the contents with sc_file_put; returns 0, or an errno value
 * (ENOMEM) when it cannot make them. */
typedef int (*sc_file_fill_fn)(struct sc_file_out *out, void *ctx);

/* Creates the temporary file, calls fill, flushes it to the disk and gives
 * it the name path (mode says whether an existing file may be replaced).
 * On failure nothing is left behind and err has one sentence naming path
 * (SC_ERR_FULL: the disk is full; SC_ERR_EXISTS: the name is taken). */
enum sc_status sc_file_write_atomic(const char *path, enum sc_file_mode mode,
                                    sc_file_fill_fn fill, void *ctx,
                                    struct sc_error *err);

/* sc_file_write_atomic of the n bytes at data. */
enum sc_status sc_file_write_buffer(const char *path, enum sc_file_mode mode,
                                    const void *data, size_t n, struct sc_error *err);

#endif
