/* The plan's steps: shared by plan.c (making them), plan_place.c (placing
 * their activations) and plan_run.c (running them). */
#ifndef SC_PLAN_STEPS_PRIV_H
#define SC_PLAN_STEPS_PRIV_H

#include "engine/plan_priv.h"

#define SC_PLAN_STAGES 2

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
    int cond;                    /* conditional norm: style-vector length, 0 none */
    float *cw, *cb;              /* its host matrices [oc][cond+1] (net.h) */
    size_t stage_off;            /* its scale, then shift, in a staging area */
    int last;                    /* src dies here (its buffer may be reused in place) */
    int stats_only;              /* a norm applied by the next step as it loads */
    int pre;                     /* reads src through the previous step's norm: 0 no,
                                    1 affine, 2 affine then ReLU (sc_pre_norm) */
    /* per frame size */
    int v_slot, m_slot;          /* Winograd scratch */
    cl_event ev0, ev1;           /* profiling */
};

struct sc_plan {
    char name[128];
    struct sc_net_io io;
    struct step *steps;
    int nsteps, nblobs, out_blob, max_norm_c;
    size_t wino_limit;           /* sc_ops_wino_limit of the device */
    uint64_t bytes;
    int *chans, *last_use;       /* per blob */
    int (*dims)[2];              /* per blob, for the current size */
    int *slot;                   /* per blob: pool buffer, -1 = x0 */
    /* Conditional norms (plan_cond.c): the vector in use (zeros until one is
     * set) and staging areas for non-blocking writes, each reused only once
     * the write from it has finished (its event). */
    int vec_len;
    float *vec;
    size_t stage_floats;
    float *stage[SC_PLAN_STAGES];
    cl_event stage_ev[SC_PLAN_STAGES];
    int stage_next;
};

/* Places the activations of the current size (dims) in pool buffers:
 * slot[i] grows to what buffer i must hold, *nslots to the count. */
enum sc_status sc_plan_place(struct sc_plan *p, size_t slot[SC_PLAN_MAX_SLOTS], int *nslots,
                             struct sc_error *err);

/* A conditional norm step's host matrices, and its scale and shift buffers
 * holding the zero vector's values (plan_cond.c). */
enum sc_status sc_plan_cond_init(struct sc_plan *p, struct sc_clrt *rt, struct step *s,
                                 const struct sc_net_layer *l, struct sc_error *err);

/* Frees what sc_plan_cond_init and sc_plan_set_vector made, after waiting
 * for writes in flight. */
void sc_plan_cond_free(struct sc_plan *p);

#endif
