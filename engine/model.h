/* A style: the 48 float32 tensors of one fast-style-transfer network, in
 * host memory. Load from a folder, or make the built-in sketch style. */
#ifndef SC_MODEL_H
#define SC_MODEL_H

#include "common/status.h"
#include "engine/net.h"

struct sc_model;

/* Loads the style folder dir: an ml5 style (manifest.json + raw
 * little-endian float32 variables) or a network description (manifest.json
 * with "stylecam" + weights.bin, engine/netfile_priv.h). Validates
 * everything before returning: shapes, file names (no escaping the
 * folder), file sizes, finite values. */
enum sc_status sc_model_load(const char *dir, struct sc_model **out,
                             struct sc_error *err);

/* The built-in pencil-sketch style, computed from its formula
 * (engine/sketch.c); needs no files. */
enum sc_status sc_model_init_sketch(struct sc_model **out, struct sc_error *err);

void sc_model_free(struct sc_model **mp);

/* The style's name (its folder's name). */
const char *sc_model_name(const struct sc_model *m);

/* Variable_id's values, sc_arch_var_count(id) floats, in the manifest's
 * row-major shape (ml5 styles; NULL for a description). */
const float *sc_model_var(const struct sc_model *m, int id);

/* The style as a network description (a new one; free it with sc_net_free). */
enum sc_status sc_model_net(const struct sc_model *m, struct sc_net **out,
                            struct sc_error *err);

/* For generators: an all-zero model named name, and write access. */
enum sc_status sc_model_alloc(const char *name, struct sc_model **out,
                              struct sc_error *err);
float *sc_model_var_mut(struct sc_model *m, int id);

#endif
