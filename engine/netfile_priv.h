/* A network description on disk: manifest.json, one JSON object per layer
 * (ncnn's .param idea, in JSON), and weights.bin beside it (little-endian
 * float32, each layer's tensors at the offsets its object names). */
#ifndef SC_NETFILE_PRIV_H
#define SC_NETFILE_PRIV_H

#include "engine/net.h"

struct json_object;

/* Whether a parsed manifest.json is a network description (has "stylecam"). */
int sc_netfile_is_net(struct json_object *root);

/* Builds the net from the parsed description and dir/weights.bin. */
enum sc_status sc_netfile_read(struct json_object *root, const char *dir, const char *path,
                               const char *name, struct sc_net **out, struct sc_error *err);

/* Writes dir/manifest.json and dir/weights.bin (dir exists). */
enum sc_status sc_netfile_write(const struct sc_net *n, const char *dir, struct sc_error *err);

#endif
