/* OpenCL runtime: device discovery and choice, context and queue, program
 * builds. Private to the engine; the engine's public API is engine.h. */
#ifndef SC_CLRT_H
#define SC_CLRT_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>

#include "common/status.h"

struct sc_clrt {
    cl_platform_id platform;
    cl_device_id device;
    cl_context ctx;
    cl_command_queue queue;   /* kernels, in order */
    cl_command_queue xfer;    /* frame uploads and downloads, ordered by events */
    char device_name[256];
    char driver[256];         /* platform name + driver version */
    cl_ulong max_alloc;       /* CL_DEVICE_MAX_MEM_ALLOC_SIZE */
    cl_ulong global_mem;      /* CL_DEVICE_GLOBAL_MEM_SIZE */
    size_t max_wg;            /* CL_DEVICE_MAX_WORK_GROUP_SIZE */
    char cache_dir[512];      /* compiled-program cache, "" = none */
    int cache_hit;            /* the last build came from the cache */
    int has_fp16;
    int is_cpu;               /* CL_DEVICE_TYPE_CPU */
};

/* Opens device `index` in the global list (-1: a GPU first, else the
 * first device). The list spans all platforms, in the order
 * sc_clrt_list_devices prints. cache_dir (may be NULL) keeps compiled
 * programs between runs. */
enum sc_status sc_clrt_init(struct sc_clrt *rt, int index, int profiling,
                            const char *cache_dir, struct sc_error *err);
void sc_clrt_free(struct sc_clrt *rt);

/* Prints every device with its index; returns the count or an error. */
enum sc_status sc_clrt_list_devices(FILE *out, struct sc_error *err);

/* Builds a program from sources, or loads it from the cache when the same
 * sources, options, device and driver were built before (a damaged entry
 * is rebuilt); on a compile error err holds the build log. */
enum sc_status sc_clrt_build(struct sc_clrt *rt, const char *const *srcs,
                             int nsrcs, const char *options,
                             cl_program *out, struct sc_error *err);

/* A short name for an OpenCL error code ("CL_OUT_OF_RESOURCES"). */
const char *sc_clrt_strerror(cl_int code);

/* Sets err from a failed call: "<what> failed on <device>: <code>". */
enum sc_status sc_clrt_fail(const struct sc_clrt *rt, struct sc_error *err,
                            const char *what, cl_int code);

/* Creates kernel name of prog into *out, or says which failed. */
enum sc_status sc_clrt_kernel(const struct sc_clrt *rt, cl_program prog, const char *name,
                              cl_kernel *out, struct sc_error *err);

#endif
