/* The engine's calls for benchmarks, references and tests: not for the
 * live pipeline. */
#ifndef SC_ENGINE_PROF_H
#define SC_ENGINE_PROF_H

#include "engine/engine.h"
#include "engine/net.h"

/* Uploads a network description as a style (as sc_engine_add_style). */
enum sc_status sc_engine_add_net(struct sc_engine *e, const struct sc_net *net, int *index,
                                 struct sc_error *err);

/* Whether the kernels came from the on-disk cache at init. */
int sc_engine_cache_hit(const struct sc_engine *e);

/* Device memory the engine holds now (weights + activations), bytes. */
uint64_t sc_engine_device_bytes(const struct sc_engine *e);

/* The network's raw output as floats 0..1, packed RGB at the full output
 * size (*ow x *oh, at least w x h); for references and tests. */
enum sc_status sc_engine_run_f32(struct sc_engine *e, int style, const uint8_t *in,
                                 int w, int h, float *out, int *ow, int *oh,
                                 struct sc_error *err);

/* Multiply-adds of one pass of a style at the prepared frame size. */
double sc_engine_style_macs(const struct sc_engine *e, int style);

/* Per-layer times of the last run in milliseconds (profiling only);
 * returns the number of entries written (at most n). */
int sc_engine_layer_times(const struct sc_engine *e, double *ms, const char **names,
                          int n);

/* The stabilizer's last backward flow (engine/stab.c): for each pixel of the
 * last stabilized frame, where it was in the frame before, at the flow's
 * resolution (*fw x *fh, half the frame's; x and y pairs,
 * row-major) in full-resolution pixels; waits for the frames in flight. Returns the floats written, 0
 * when there is none or cap is short. */
int sc_engine_stab_flow(struct sc_engine *e, float *flow, int cap, int *fw, int *fh);

/* Device time of the last frame's stabilizer in ms (profiling only), or -1. */
double sc_engine_stab_ms(const struct sc_engine *e);

/* The device's measured fused-multiply-add peak in GFLOP/s (engine/peak.c):
 * the fastest of cl/peak.cl's vector widths (*width floats per work item). */
enum sc_status sc_engine_fma_peak(struct sc_engine *e, double *gflops, int *width,
                                  struct sc_error *err);

/* Per-layer multiply-adds of a style at the prepared frame size, in the
 * order of sc_engine_layer_times: direct[] counted as direct convolution,
 * real[] those the kernels perform (Winograd's products, fewer); 0 for steps
 * without multiply-adds. Returns the entries written (at most n). */
int sc_engine_layer_macs(const struct sc_engine *e, int style, double *direct, double *real,
                         int n);

#endif
