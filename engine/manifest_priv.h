/* manifest.json of a style folder: which file holds each variable, and its
 * shape. Parsing is strict and bounded; nothing here touches the files. */
#ifndef SC_MANIFEST_H
#define SC_MANIFEST_H

#include <stddef.h>

#include "engine/arch.h"
#include "common/status.h"

#define SC_MANIFEST_MAX_BYTES (1 << 20)

struct sc_manifest_var {
    int present;
    char filename[256];
    int rank;
    long dims[4];
};

struct sc_manifest {
    struct sc_manifest_var var[SC_NET_VARS];
};

/* Parses text (len bytes, not necessarily NUL-terminated) and checks it
 * against the network: every variable present once, with the shape the
 * network needs and a plain file name. path names the file in messages. */
enum sc_status sc_manifest_parse(const char *text, size_t len, const char *path,
                                 struct sc_manifest *m, struct sc_error *err);

#endif
