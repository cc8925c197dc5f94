/* What the live window remembers between runs: the style, its strength and
 * options, the window's size and the camera, in
 * $XDG_CONFIG_HOME/stylecam/settings (~/.config/stylecam/settings) as plain
 * "key = value" lines. Read once when a window session starts, written
 * whole (common/file.h) when it ends; options given on the command line
 * override what was read, for that run. */
#ifndef SC_SETTINGS_H
#define SC_SETTINGS_H

#include <limits.h>
#include <stddef.h>

#include "common/status.h"

/* Each field: the value, or SC_SETTING_UNSET (a string: "") when the file
 * did not say, which leaves the program's own default. */
#define SC_SETTING_UNSET (-1)

struct sc_settings {
    char style[128];        /* style name */
    int strength;           /* percent, 0..100 */
    int keep_colors;        /* 0 or 1 */
    int mirror;             /* 0 or 1 */
    int stabilize;          /* enum sc_stabilize: 0 off, 1 on, 2 strong */
    int window_w, window_h; /* the window's size in screen pixels, 64..16384 */
    int fullscreen;         /* 0 or 1 */
    char camera[PATH_MAX];  /* the camera's device path (--device) */
};

/* Every field unset. */
void sc_settings_clear(struct sc_settings *s);

/* CONFIG_HOME/stylecam/settings into path; SC_ERR_ARG when it does not fit. */
enum sc_status sc_settings_path(char *path, size_t n, const char *config_home,
                                struct sc_error *err);

/* Parses the text of a settings file (n bytes; NUL bytes are garbage).
 * Blank lines and lines starting with '#' are skipped; an unknown key is
 * ignored (a newer stylecam's); a line that is not "key = value", a bad
 * value or a key given twice makes the whole text count for nothing: s is
 * cleared and SC_ERR_FORMAT returned with a sentence naming name and the
 * line. */
enum sc_status sc_settings_parse(struct sc_settings *s, const char *text, size_t n,
                                 const char *name, struct sc_error *err);

/* Reads and parses path. No file: SC_OK with s cleared, silently. A
 * damaged or unreadable file: s cleared and the error with its sentence
 * (the caller warns once and goes on with the defaults). */
enum sc_status sc_settings_load(struct sc_settings *s, const char *path,
                                struct sc_error *err);

/* Writes s (the fields that are set) to path, creating its folder; the old
 * file stays whole if anything fails (SC_ERR_IO or SC_ERR_FULL with a
 * sentence naming path). */
enum sc_status sc_settings_save(const struct sc_settings *s, const char *path,
                                struct sc_error *err);

/* The text sc_settings_save writes, into buf; returns its length, or the
 * length it needs (snprintf's rule) when n is too small. */
size_t sc_settings_format(const struct sc_settings *s, char *buf, size_t n);

#endif
