/* STUB, replaced by the predictor's author. */
#include "engine/predict.h"

#include <stdlib.h>

enum sc_status sc_predict_load(const char *dir, struct sc_predict **out,
                               struct sc_error *err)
{
    *out = NULL;
    return sc_error_set(err, SC_ERR_FORMAT, "%s: the style predictor is not built yet.", dir);
}

void sc_predict_free(struct sc_predict **pp)
{
    *pp = NULL;
}

enum sc_status sc_predict_run(struct sc_predict *p, const uint8_t *rgb, int w, int h,
                              float vec[SC_STYLE_VEC], struct sc_error *err)
{
    (void)p; (void)rgb; (void)w; (void)h; (void)vec;
    return sc_error_set(err, SC_ERR_ARG, "The style predictor is not built yet.");
}
