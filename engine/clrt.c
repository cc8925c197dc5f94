#include "engine/clrt_priv.h"

#include "engine/progcache_priv.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PLATFORMS 16
#define MAX_DEVICES 64

static const char *const no_driver_help =
    "install one: on Debian or Ubuntu, 'apt install pocl-opencl-icd' for the CPU, "
    "or your GPU vendor's OpenCL ICD (e.g. nvidia-opencl-icd, intel-opencl-icd, "
    "mesa-opencl-icd)";

const char *sc_clrt_strerror(cl_int code)
{
    switch (code) {
#define E(x) case x: return #x;
    E(CL_SUCCESS) E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE)
    E(CL_COMPILER_NOT_AVAILABLE) E(CL_MEM_OBJECT_ALLOCATION_FAILURE)
    E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY) E(CL_BUILD_PROGRAM_FAILURE)
    E(CL_INVALID_VALUE) E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT)
    E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_BUFFER_SIZE) E(CL_INVALID_PROGRAM)
    E(CL_INVALID_KERNEL_NAME) E(CL_INVALID_KERNEL_ARGS) E(CL_INVALID_ARG_INDEX)
    E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE) E(CL_INVALID_WORK_GROUP_SIZE)
    E(CL_INVALID_WORK_ITEM_SIZE) E(CL_INVALID_GLOBAL_OFFSET)
    E(CL_INVALID_COMMAND_QUEUE) E(CL_INVALID_OPERATION)
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR (-1001)";
    }
    return "an unknown OpenCL error";
}

enum sc_status sc_clrt_fail(const struct sc_clrt *rt, struct sc_error *err,
                            const char *what, cl_int code)
{
    enum sc_status st = code == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
                                code == CL_OUT_OF_RESOURCES ||
                                code == CL_INVALID_BUFFER_SIZE
                            ? SC_ERR_TOO_LARGE : SC_ERR_CL_DEVICE;
    return sc_error_set(err, st, "%s failed on OpenCL device '%s': %s%s.", what,
                        rt && rt->device_name[0] ? rt->device_name : "?",
                        sc_clrt_strerror(code),
                        st == SC_ERR_TOO_LARGE ? " (the device ran out of memory; "
                        "try a smaller size)" : "");
}

enum sc_status sc_clrt_kernel(const struct sc_clrt *rt, cl_program prog, const char *name,
                              cl_kernel *out, struct sc_error *err)
{
    cl_int rc;
    *out = clCreateKernel(prog, name, &rc);
    if (!*out) {
        char what[96];
        snprintf(what, sizeof what, "Creating the OpenCL kernel '%s'", name);
        return sc_clrt_fail(rt, err, what, rc);
    }
    return SC_OK;
}

/* Every device of every platform, flattened in a stable order. */
struct dev_list {
    int n;
    cl_platform_id plat[MAX_DEVICES];
    cl_device_id dev[MAX_DEVICES];
};

static enum sc_status list_all(struct dev_list *l, struct sc_error *err)
{
    cl_platform_id plats[MAX_PLATFORMS];
    cl_uint np = 0;
    cl_int rc = clGetPlatformIDs(MAX_PLATFORMS, plats, &np);
    l->n = 0;
    if (rc == -1001 || (rc == CL_SUCCESS && np == 0))
        return sc_error_set(err, SC_ERR_CL_DRIVER,
                            "No OpenCL driver was found (the OpenCL loader reports "
                            "%s); %s.", rc == -1001 ? "error -1001, no platform"
                                                    : "no platform", no_driver_help);
    if (rc != CL_SUCCESS)
        return sc_error_set(err, SC_ERR_CL_DRIVER,
                            "The OpenCL loader failed to list platforms (%s); %s.",
                            sc_clrt_strerror(rc), no_driver_help);
    for (cl_uint p = 0; p < np && l->n < MAX_DEVICES; p++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES - l->n,
                           l->dev + l->n, &nd) != CL_SUCCESS)
            continue;
        for (cl_uint d = 0; d < nd; d++)
            l->plat[l->n + d] = plats[p];
        l->n += nd;
    }
    if (l->n == 0)
        return sc_error_set(err, SC_ERR_CL_DRIVER,
                            "OpenCL platforms exist but none has a device; %s.",
                            no_driver_help);
    return SC_OK;
}

static cl_device_type dev_type(cl_device_id d)
{
    cl_device_type t = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof t, &t, NULL);
    return t;
}

static const char *type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return "GPU";
    if (t & CL_DEVICE_TYPE_CPU) return "CPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
    return "other";
}

enum sc_status sc_clrt_list_devices(FILE *out, struct sc_error *err)
{
    struct dev_list l;
    enum sc_status st = list_all(&l, err);
    if (st)
        return st;
    for (int i = 0; i < l.n; i++) {
        char name[256] = "?", pname[256] = "?";
        cl_ulong mem = 0;
        clGetDeviceInfo(l.dev[i], CL_DEVICE_NAME, sizeof name, name, NULL);
        clGetDeviceInfo(l.dev[i], CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem, NULL);
        clGetPlatformInfo(l.plat[i], CL_PLATFORM_NAME, sizeof pname, pname, NULL);
        fprintf(out, "%d: %s [%s, %s, %llu MiB]\n", i, name, type_name(dev_type(l.dev[i])),
                pname, (unsigned long long)(mem >> 20));
    }
    return SC_OK;
}

static cl_device_type dev_type(cl_device_id d);

static void read_info(struct sc_clrt *rt)
{
    char ver[128] = "", pname[128] = "";
    clGetDeviceInfo(rt->device, CL_DEVICE_NAME, sizeof rt->device_name, rt->device_name, NULL);
    clGetDeviceInfo(rt->device, CL_DRIVER_VERSION, sizeof ver, ver, NULL);
    clGetPlatformInfo(rt->platform, CL_PLATFORM_NAME, sizeof pname, pname, NULL);
    snprintf(rt->driver, sizeof rt->driver, "%s %s", pname, ver);
    clGetDeviceInfo(rt->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof rt->max_alloc, &rt->max_alloc, NULL);
    clGetDeviceInfo(rt->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof rt->global_mem, &rt->global_mem, NULL);
    clGetDeviceInfo(rt->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof rt->max_wg, &rt->max_wg, NULL);
    char ext[4096] = "";
    clGetDeviceInfo(rt->device, CL_DEVICE_EXTENSIONS, sizeof ext, ext, NULL);
    rt->has_fp16 = strstr(ext, "cl_khr_fp16") != NULL;
    rt->is_cpu = (dev_type(rt->device) & CL_DEVICE_TYPE_CPU) != 0;
}

static int pick_default(const struct dev_list *l)
{
    for (int i = 0; i < l->n; i++)
        if (dev_type(l->dev[i]) & CL_DEVICE_TYPE_GPU)
            return i;
    return 0;
}

enum sc_status sc_clrt_init(struct sc_clrt *rt, int index, int profiling,
                            const char *cache_dir, struct sc_error *err)
{
    memset(rt, 0, sizeof *rt);
    if (cache_dir)
        snprintf(rt->cache_dir, sizeof rt->cache_dir, "%s", cache_dir);
    struct dev_list l;
    enum sc_status st = list_all(&l, err);
    if (st)
        return st;
    if (index >= l.n)
        return sc_error_set(err, SC_ERR_NOT_FOUND,
                            "There is no OpenCL device %d (this machine has %d, "
                            "numbered from 0); run 'stylecam --list-cl-devices' to "
                            "see them.", index, l.n);
    int i = index < 0 ? pick_default(&l) : index;
    rt->platform = l.plat[i];
    rt->device = l.dev[i];
    read_info(rt);
    cl_int rc;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM,
                                     (cl_context_properties)rt->platform, 0};
    rt->ctx = clCreateContext(props, 1, &rt->device, NULL, NULL, &rc);
    if (!rt->ctx)
        return sc_clrt_fail(rt, err, "Creating an OpenCL context", rc);
    rt->queue = clCreateCommandQueue(rt->ctx, rt->device,
                                     profiling ? CL_QUEUE_PROFILING_ENABLE : 0, &rc);
    if (rt->queue)
        rt->xfer = clCreateCommandQueue(rt->ctx, rt->device, 0, &rc);
    if (!rt->queue || !rt->xfer) {
        if (rt->queue)
            clReleaseCommandQueue(rt->queue);
        clReleaseContext(rt->ctx);
        rt->queue = NULL;
        rt->ctx = NULL;
        return sc_clrt_fail(rt, err, "Creating an OpenCL command queue", rc);
    }
    return SC_OK;
}

void sc_clrt_free(struct sc_clrt *rt)
{
    if (rt->xfer)
        clReleaseCommandQueue(rt->xfer);
    if (rt->queue)
        clReleaseCommandQueue(rt->queue);
    if (rt->ctx)
        clReleaseContext(rt->ctx);
    memset(rt, 0, sizeof *rt);
}

/* Copies the tail of the build log into err (the first errors matter most,
 * but a long log is cut to fit the sentence buffer). */
static enum sc_status build_failed(struct sc_clrt *rt, cl_program prog,
                                   cl_int rc, struct sc_error *err)
{
    size_t n = 0;
    clGetProgramBuildInfo(prog, rt->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
    char *log = calloc(n + 1, 1);
    if (log)
        clGetProgramBuildInfo(prog, rt->device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
    sc_error_set(err, SC_ERR_CL_BUILD,
                 "The OpenCL kernels failed to build on '%s' (%s); the driver "
                 "may be broken or too old. Build log:\n%.900s",
                 rt->device_name, sc_clrt_strerror(rc), log ? log : "(none)");
    free(log);
    return SC_ERR_CL_BUILD;
}

static enum sc_status build_source(struct sc_clrt *rt, const char *const *srcs,
                                   int nsrcs, const char *options, cl_program *out,
                                   struct sc_error *err)
{
    cl_int rc;
    cl_program prog = clCreateProgramWithSource(rt->ctx, (cl_uint)nsrcs,
                                                (const char **)srcs, NULL, &rc);
    if (!prog)
        return sc_clrt_fail(rt, err, "Creating the OpenCL program", rc);
    rc = clBuildProgram(prog, 1, &rt->device, options, NULL, NULL);
    if (rc != CL_SUCCESS) {
        build_failed(rt, prog, rc, err);
        clReleaseProgram(prog);
        return SC_ERR_CL_BUILD;
    }
    *out = prog;
    return SC_OK;
}

enum sc_status sc_clrt_build(struct sc_clrt *rt, const char *const *srcs,
                             int nsrcs, const char *options,
                             cl_program *out, struct sc_error *err)
{
    char path[600];
    rt->cache_hit = 0;
    if (!rt->cache_dir[0])
        return build_source(rt, srcs, nsrcs, options, out, err);
    sc_progcache_path(rt, srcs, nsrcs, options, path, sizeof path);
    if (sc_progcache_load(rt, path, options, out) == 0) {
        rt->cache_hit = 1;
        return SC_OK;
    }
    enum sc_status st = build_source(rt, srcs, nsrcs, options, out, err);
    if (!st)
        sc_progcache_save(rt, *out, path);
    return st;
}
