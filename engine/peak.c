/* The FMA peak: long chains of independent fused multiply-adds (cl/peak.cl),
 * sized until a run takes long enough that launch overhead is noise. */
#include "engine/peak_priv.h"

#include <stdio.h>

#include "common/clock.h"
#include "common/log.h"

#define CHAINS 8          /* independent accumulators per work item (cl/peak.cl) */
#define MIN_MS 20.0       /* a run shorter than this is scaled up */
#define MAX_ITERS (1 << 22)
#define RUNS 5            /* timed runs per width, the best kept: other work only slows a run */

/* One run of n iterations; wall time around the kernel and clFinish, which
 * works on any queue (profiling or not). */
static enum sc_status run_once(struct sc_clrt *rt, cl_kernel k, cl_mem out, size_t global,
                               int n, double *ms, struct sc_error *err)
{
    float a = 0.999f, b = 1e-3f;
    cl_int rc = clSetKernelArg(k, 0, sizeof out, &out);
    rc |= clSetKernelArg(k, 1, sizeof a, &a);
    rc |= clSetKernelArg(k, 2, sizeof b, &b);
    rc |= clSetKernelArg(k, 3, sizeof n, &n);
    if (rc != CL_SUCCESS)
        return sc_clrt_fail(rt, err, "Setting the peak kernel's arguments", rc);
    int64_t t0 = sc_now_us();
    rc = clEnqueueNDRangeKernel(rt->queue, k, 1, NULL, &global, NULL, 0, NULL, NULL);
    if (rc == CL_SUCCESS)
        rc = clFinish(rt->queue);
    *ms = (double)(sc_now_us() - t0) / 1e3;
    return rc == CL_SUCCESS ? SC_OK : sc_clrt_fail(rt, err, "Running the peak kernel", rc);
}

/* Best GFLOP/s of one width. */
static enum sc_status measure_width(struct sc_clrt *rt, cl_kernel k, cl_mem out,
                                    size_t global, int vw, double *best,
                                    struct sc_error *err)
{
    int n = 64;
    double ms = 0;
    /* The first run compiles (PoCL builds kernels at first launch): untimed. */
    enum sc_status st = run_once(rt, k, out, global, 1, &ms, err);
    if (!st)
        st = run_once(rt, k, out, global, n, &ms, err);
    /* Grow n until a run takes MIN_MS, then time RUNS runs. */
    while (!st && ms < MIN_MS && n < MAX_ITERS) {
        double f = ms > 0.05 ? 1.5 * MIN_MS / ms : 16;
        n = f * n > MAX_ITERS ? MAX_ITERS : (int)(f * n) + 1;
        st = run_once(rt, k, out, global, n, &ms, err);
    }
    *best = 0;
    for (int r = 0; !st && r < RUNS; r++) {
        st = run_once(rt, k, out, global, n, &ms, err);
        double gf = 2.0 * CHAINS * vw * (double)n * (double)global / (ms * 1e6);
        if (!st && gf > *best)
            *best = gf;
    }
    sc_debug("FMA peak, float%d: %d iterations x %zu work items, %.2f ms, best %.1f GFLOP/s",
             vw, n, global, ms, *best);
    return st;
}

enum sc_status sc_peak_measure(struct sc_clrt *rt, cl_program prog, double *gflops,
                               int *width, struct sc_error *err)
{
    cl_uint cu = 1;
    clGetDeviceInfo(rt->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    /* Enough work items to fill every unit: a CPU runs a work group per core
     * thread, a GPU wants thousands resident per compute unit. */
    size_t global = (size_t)(cu ? cu : 1) * (rt->is_cpu ? 256 : 2048);
    cl_int rc;
    cl_mem out = clCreateBuffer(rt->ctx, CL_MEM_WRITE_ONLY, global * 16 * sizeof(float),
                                NULL, &rc);
    if (rc != CL_SUCCESS)
        return sc_clrt_fail(rt, err, "Allocating the peak kernel's output", rc);
    static const struct { const char *name; int vw; } kinds[] = {
        {"fma_peak4", 4}, {"fma_peak8", 8}, {"fma_peak16", 16}};
    enum sc_status st = SC_OK;
    *gflops = 0;
    *width = 0;
    for (size_t i = 0; !st && i < sizeof kinds / sizeof kinds[0]; i++) {
        cl_kernel k;
        st = sc_clrt_kernel(rt, prog, kinds[i].name, &k, err);
        double gf = 0;
        if (!st) {
            st = measure_width(rt, k, out, global, kinds[i].vw, &gf, err);
            clReleaseKernel(k);
        }
        if (!st && gf > *gflops) {
            *gflops = gf;
            *width = kinds[i].vw;
        }
    }
    clReleaseMemObject(out);
    return st;
}
