/* The on-disk cache of compiled OpenCL programs, keyed by the sources, the
 * build options, the device and the driver. Best effort: any failure just
 * means a build from source. */
#ifndef SC_PROGCACHE_H
#define SC_PROGCACHE_H

#include <stddef.h>

#include "engine/clrt_priv.h"

/* The cache file for this build: cache_dir/<64-bit key in hex>.bin. */
void sc_progcache_path(const struct sc_clrt *rt, const char *const *srcs, int nsrcs,
                       const char *options, char *path, size_t n);

/* Creates and builds the program from the cached binary; 0 on success. */
int sc_progcache_load(struct sc_clrt *rt, const char *path, const char *options,
                      cl_program *out);

/* Writes the built program's binary (atomically: temporary file + rename). */
void sc_progcache_save(struct sc_clrt *rt, cl_program prog, const char *path);

#endif
