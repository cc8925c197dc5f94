/* Any picture as a style (Ghiasi et al. 2017): the two networks
 * `stylecam download arbitrary` installs (MODELS/arbitrary/predict, a
 * picture to a style vector on the CPU; MODELS/arbitrary/transfer, a style
 * folder whose instance norms take that vector), naming, and vectors. */
#ifndef SC_ARBITRARY_H
#define SC_ARBITRARY_H

#include <limits.h>
#include <stdint.h>

#include "common/status.h"
#include "engine/engine.h"
#include "engine/predict.h"

struct sc_arb_paths {
    char predict[PATH_MAX];     /* the predictor's folder */
    char transfer[PATH_MAX];    /* the transformer's style folder */
};

/* The first folder of dirs holding arbitrary/predict and arbitrary/transfer;
 * SC_ERR_NOT_FOUND with the sentence that says to download them. */
enum sc_status sc_arb_find(const char (*dirs)[PATH_MAX], int ndirs, struct sc_arb_paths *p,
                           struct sc_error *err);

/* Loads the predictor; a damaged one is a sentence saying to download again. */
enum sc_status sc_arb_predictor_load(const struct sc_arb_paths *p, struct sc_predict **out,
                                     struct sc_error *err);
/* Loads the transformer as a model for sc_engine_add_style. */
enum sc_status sc_arb_transfer_load(const struct sc_arb_paths *p, struct sc_model **out,
                                    struct sc_error *err);

/* A picture file's vector: checked (common/image_check.h), decoded, predicted. */
enum sc_status sc_arb_predict_file(struct sc_predict *pr, const char *path,
                                   float vec[SC_STYLE_VEC], struct sc_error *err);

/* Adds the transformer as a new engine style (*index) and sets its vector. */
enum sc_status sc_arb_engine_add(struct sc_engine *e, const struct sc_model *transfer,
                                 const float vec[SC_STYLE_VEC], int *index,
                                 struct sc_error *err);

/* 1 when every value is finite. */
int sc_arb_vec_ok(const float *vec, int n);
/* out = (1 - t) a + t b. */
void sc_arb_vec_mix(const float *a, const float *b, float t, float *out);

/* A style name from a file name (its basename without extension, letters,
 * digits, '-' and '_' kept, others '_'; "picture" when nothing is left),
 * made unique with "-2", "-3"... while taken(ctx, name) says so. */
typedef int (*sc_arb_taken_fn)(void *ctx, const char *name);
void sc_arb_name(const char *path, sc_arb_taken_fn taken, void *ctx, char out[64]);

#endif
