/* Where recordings and snapshots go, and names that never overwrite a file. */
#ifndef SC_RECORD_PATHS_H
#define SC_RECORD_PATHS_H

#include <stddef.h>
#include <time.h>

#include "common/frame.h"
#include "common/status.h"

/* The folder for clips and snapshots: dir if given, else xdg_videos_dir, else
 * home/Videos (the caller passes the settings/environment values; any may be
 * NULL or empty). Creates it with its parents if absent. */
enum sc_status sc_record_dir_default(char *buf, size_t n, const char *dir,
                                     const char *xdg_videos_dir, const char *home,
                                     struct sc_error *err);

/* 1 if something exists at path (the caller refuses to record over it). */
int sc_record_path_exists(const char *path);

/* Creates a new empty file dir/stylecam-YYYY-MM-DD_HH-MM-SS.ext (local time
 * of when), adding -1, -2 ... when the name is taken (O_EXCL: never replaces
 * a file). Writes the path to buf and returns the open fd (O_WRONLY,
 * O_CLOEXEC), or -1 with a sentence in err. */
int sc_record_file_create(const char *dir, const char *ext, time_t when,
                          char *buf, size_t n, struct sc_error *err);

/* sc_record_file_create for now, closing the fd: the reserved name to pass
 * to sc_recorder_init (which takes over an empty file). */
enum sc_status sc_record_path_new(const char *dir, const char *ext, char *buf,
                                  size_t n, struct sc_error *err);

/* Writes f as a PNG dir/stylecam-<time>.png (never overwriting); the path is
 * written to path_out. On failure no partial file is left. */
enum sc_status sc_snapshot_save(const char *dir, const struct sc_frame *f,
                                char *path_out, size_t n, struct sc_error *err);

#endif
