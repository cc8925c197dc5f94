/* Plain C reference of the stabilizer's optical flow (cl/stab.cl): gray
 * pyramids by [1 3 3 1]/8 filtering and 2x subsampling, and dense pyramidal Lucas-Kanade after Bouguet
 * (2000), with the same window, iterations, regularisation, level layout
 * and bicubic sampling as engine/stab_priv.h and the kernels state, written
 * plainly (one sample at a time). */
#ifndef SC_FLOW_REF_H
#define SC_FLOW_REF_H

#include "engine/stab_priv.h"

struct flow_ref_pyr {
    int n, w[SC_STAB_MAX_LEVELS], h[SC_STAB_MAX_LEVELS];
    float *lv[SC_STAB_MAX_LEVELS];
};

/* Builds the pyramid of a w x h gray (copied); free with flow_ref_pyr_free. */
void flow_ref_pyr_init(struct flow_ref_pyr *p, const float *gray, int w, int h);
void flow_ref_pyr_free(struct flow_ref_pyr *p);

/* Backward flow of cur against prev at level 0: flow[2 * (y * w + x)] is d
 * with prev(x + d) = cur(x), in level-0 pixels. */
void flow_ref_lk(const struct flow_ref_pyr *cur, const struct flow_ref_pyr *prev,
                 float *flow);

#endif
