/* Temporal stabilization on the device (cl/stab.cl), inside the engine's
 * per-frame pass: before the network a motion-adaptive denoise of the camera
 * frame and the backward optical flow (dense pyramidal Lucas-Kanade) from a
 * half-resolution gray of it; after the network a blend of the stylized
 * frame with the previous output warped along that flow. Every buffer is
 * shared by the frames in flight: the kernel queue is in order. Private to
 * the engine and its tests. */
#ifndef SC_STAB_PRIV_H
#define SC_STAB_PRIV_H

#include <stdint.h>

#include "engine/clrt_priv.h"
#include "engine/engine.h"

/* Lucas-Kanade as the kernels run it (STAB_R in cl/stab.cl is the radius);
 * tests/engine/flow_ref.c repeats it in plain C. */
#define SC_STAB_LK_RADIUS 3       /* 7x7 window */
#define SC_STAB_LK_ITERS 4        /* Gauss-Newton steps per level, fewer on convergence */
#define SC_STAB_LK_ITERS0 2       /* at level 0, which starts from a close guess */
#define SC_STAB_LK_LAMBDA 1.0f    /* added to G's diagonal per window pixel: flat
                                     windows keep the coarser level's guess */
#define SC_STAB_MIN_SIDE 12       /* the coarsest level's shorter side is at least this */
#define SC_STAB_MAX_LEVELS 8

struct sc_stab_kernels {
    cl_kernel diff, denoise, gray, down, lk, blend;
};

/* A gray pyramid in one buffer: level l is w[l] x h[l] floats from off[l]. */
struct sc_stab_pyr {
    cl_mem buf;
    int n, w[SC_STAB_MAX_LEVELS], h[SC_STAB_MAX_LEVELS], off[SC_STAB_MAX_LEVELS];
    int total;            /* floats in all levels */
};

struct sc_stab {
    struct sc_stab_kernels k;
    int profiling;
    int w, h;                   /* the frame size the buffers hold, 0 = none */
    cl_mem acc;                 /* denoised frame, float RGB, camera coordinates */
    cl_mem diff;                /* per-pixel luma change, for the denoise */
    cl_mem den8;                /* denoised frame, packed RGB: the network's input */
    cl_mem flow;                /* backward flow, float2, every level (pyr's layout) */
    cl_mem hist[2];             /* outputs O, float RGB, output coordinates */
    struct sc_stab_pyr pyr[2];  /* grays: pyr[cur] this frame's, the other the last */
    int cur;                    /* this frame's pyramid and history buffer */
    int live, style, mirror;    /* the history holds a stabilized frame of this style
                                   and mirroring */
    int reset;                  /* the frame in progress starts afresh */
    int has_flow;               /* flow holds a field */
    float alpha;                /* the frame in progress's blend weight */
    uint64_t bytes;
    cl_event ev[4];             /* around the input and the output part (profiling) */
};

/* Creates the kernels from the engine's program (built with cl/stab.cl). */
enum sc_status sc_stab_init(struct sc_stab *s, struct sc_clrt *rt, cl_program prog,
                            int profiling, struct sc_error *err);
void sc_stab_free(struct sc_stab *s);

/* Drops the buffers (a size change or style load: the next frame resets). */
void sc_stab_release(struct sc_stab *s);

/* A frame without stabilization: the next stabilized one starts afresh. */
void sc_stab_skip(struct sc_stab *s);

/* Enqueues the input part for the w x h frame in in8 (uploaded, the kernel
 * queue ordered after it): buffers on the first frame of a size, the
 * denoise, the gray pyramid and the flow. *src is the frame the network and
 * the output's original are to read. */
enum sc_status sc_stab_input(struct sc_stab *s, struct sc_clrt *rt, cl_mem in8, int w, int h,
                             int style, const struct sc_run_params *p, cl_mem *src,
                             struct sc_error *err);

/* Enqueues the output part: out8 (the stylized frame) becomes the blend,
 * kept as the history. */
enum sc_status sc_stab_output(struct sc_stab *s, struct sc_clrt *rt, cl_mem out8,
                              struct sc_error *err);

/* Device time of the last frame's stabilizer in ms (profiling), or -1. */
double sc_stab_ms(const struct sc_stab *s);

/* The last backward flow at its resolution (half the frame's), in
 * full-resolution pixels (x, y pairs); returns the floats written, 0 when
 * none or cap is short. */
int sc_stab_read_flow(struct sc_stab *s, struct sc_clrt *rt, float *flow, int cap, int *fw,
                      int *fh);

/* The levels for a w x h level 0 (fills n, w, h, off, total). */
void sc_stab_pyr_layout(struct sc_stab_pyr *p, int w, int h);

/* Levels 1.. from level 0, by [1 3 3 1]/8 filtering and 2x subsampling. */
enum sc_status sc_stab_pyr_build(struct sc_clrt *rt, const struct sc_stab_kernels *k,
                                 const struct sc_stab_pyr *p, struct sc_error *err);

/* Backward flow of cur against prev (same layout) into flow (the same
 * layout, float2), coarse to fine from the coarsest level to finest. */
enum sc_status sc_stab_lk(struct sc_clrt *rt, const struct sc_stab_kernels *k,
                          const struct sc_stab_pyr *cur, const struct sc_stab_pyr *prev,
                          int finest, cl_mem flow, struct sc_error *err);

#endif
