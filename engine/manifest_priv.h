/* manifest.json of a style folder: which file holds each variable, and its
 * shape. Parsed with json-c, bounded in size and depth; nothing here touches the files. */
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

/* The same from a parsed JSON object. */
struct json_object;
enum sc_status sc_manifest_from_json(struct json_object *root, const char *path,
                                     struct sc_manifest *m, struct sc_error *err);

/* Parses a JSON object with json-c (depth-limited); what names the kind of
 * file in the one-sentence error ("style manifest"). */
enum sc_status sc_json_parse(const char *text, size_t len, const char *path, const char *what,
                             struct json_object **out, struct sc_error *err);

#endif
