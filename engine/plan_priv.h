/* A style on the device: its network description turned into steps (a
 * norm absorbs the relu and residual add after it, an activation the
 * per-channel affine after it), weights uploaded once; per frame size, the
 * activations' places in the engine's shared buffer pool. */
#ifndef SC_PLAN_PRIV_H
#define SC_PLAN_PRIV_H

#include <stdint.h>

#include "engine/net.h"
#include "engine/ops_priv.h"

#define SC_PLAN_MAX_SLOTS 24

struct sc_plan;

/* The buffers one run uses: the input picture x0, norm statistics, the pool. */
struct sc_plan_bufs {
    cl_mem x0, stats;
    cl_mem pool[SC_PLAN_MAX_SLOTS];
};

enum sc_status sc_plan_init(struct sc_plan **out, struct sc_clrt *rt, const struct sc_net *n,
                            struct sc_error *err);
void sc_plan_free(struct sc_plan **pp);

const char *sc_plan_name(const struct sc_plan *p);
const struct sc_net_io *sc_plan_io(const struct sc_plan *p);
uint64_t sc_plan_weight_bytes(const struct sc_plan *p);
/* Largest channel count of a normalization (for the statistics buffer). */
int sc_plan_max_norm_channels(const struct sc_plan *p);

/* Places the activations of a w x h frame; slot[i] grows to the floats the
 * pool's buffer i must hold, *nslots to the buffers used. Fails in one
 * sentence when the network cannot make a w x h picture. */
enum sc_status sc_plan_size(struct sc_plan *p, int w, int h, size_t slot[SC_PLAN_MAX_SLOTS],
                            int *nslots, struct sc_error *err);

/* Runs the steps on bufs->x0; *out is the buffer with the output picture
 * (*ow x *oh, at least the frame's size). Events of each step when
 * profiling. */
enum sc_status sc_plan_run(struct sc_plan *p, struct sc_clrt *rt, const struct sc_kernels *k,
                           const struct sc_plan_bufs *bufs, int profiling, cl_mem *out,
                           int *ow, int *oh, struct sc_error *err);

/* The style vector's length the plan takes (0: none). */
int sc_plan_vec_len(const struct sc_plan *p);

/* Sets a conditional style's vector (sc_plan_vec_len finite floats): each
 * conditional norm's scale and shift computed on the host and written on
 * the kernel queue, so they apply from the next frame enqueued on it;
 * nothing happens when vec is the vector in use. */
enum sc_status sc_plan_set_vector(struct sc_plan *p, struct sc_clrt *rt, const float *vec,
                                  struct sc_error *err);

/* Per-step times of the last profiled run (ms); returns the count. */
int sc_plan_times(const struct sc_plan *p, double *ms, const char **names, int n);

/* Multiply-adds of one pass at the size last given to sc_plan_size. */
double sc_plan_macs(const struct sc_plan *p);

/* Per-step multiply-adds at that size, as direct convolution and as the
 * kernels perform them (Winograd F(4x4,3x3): 36 per tile, input and output
 * channel, against 144 direct); returns the count (at most n). */
int sc_plan_step_macs(const struct sc_plan *p, double *direct, double *real, int n);

#endif
