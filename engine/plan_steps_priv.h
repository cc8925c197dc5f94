/* The plan's steps: shared by plan.c (making them), plan_place.c (placing
 * their activations) and plan_run.c (running them). */
#ifndef SC_PLAN_STEPS_PRIV_H
#define SC_PLAN_STEPS_PRIV_H

#include "engine/plan_priv.h"

enum step_kind { ST_CONV, ST_WINO, ST_GROUPED, ST_DECONV, ST_NORM, ST_POINTWISE, ST_ADD,
                 ST_PAD, ST_UPSAMPLE };

struct step {
    enum step_kind kind;
    char name[64];
    int src, src2, dst;          /* blobs (net layer numbers); src2 -1 if none */
    int first;                   /* the step's first layer (first..dst are absorbed) */
    int c, oc, k, stride, groups, pad_mode, pad[4], border, relu;
    enum sc_act act;
    float eps, lo, hi;
    cl_mem w, b, scale, shift;
    int last;                    /* src dies here (its buffer may be reused in place) */
    /* per frame size */
    int v_slot, m_slot;          /* Winograd scratch */
    cl_event ev0, ev1;           /* profiling */
};

struct sc_plan {
    char name[128];
    struct sc_net_io io;
    struct step *steps;
    int nsteps, nblobs, out_blob, max_norm_c;
    uint64_t bytes;
    int *chans, *last_use;       /* per blob */
    int (*dims)[2];              /* per blob, for the current size */
    int *slot;                   /* per blob: pool buffer, -1 = x0 */
};

/* Places the activations of the current size (dims) in pool buffers:
 * slot[i] grows to what buffer i must hold, *nslots to the count. */
enum sc_status sc_plan_place(struct sc_plan *p, size_t slot[SC_PLAN_MAX_SLOTS], int *nslots,
                             struct sc_error *err);

#endif
