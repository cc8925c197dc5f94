/* The device's fused-multiply-add peak, measured with cl/peak.cl's kernels
 * on the engine's own queue. Private to the engine; the public call is
 * sc_engine_fma_peak (engine_prof.h). */
#ifndef SC_PEAK_PRIV_H
#define SC_PEAK_PRIV_H

#include "engine/clrt_priv.h"

/* GFLOP/s (2 per multiply-add) of the fastest vector width (4, 8 or 16
 * floats per work item, written to *width), best of 5 runs of at least
 * about 20 ms each. */
enum sc_status sc_peak_measure(struct sc_clrt *rt, cl_program prog, double *gflops,
                               int *width, struct sc_error *err);

#endif
