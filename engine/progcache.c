#include "engine/progcache_priv.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/file.h"
#include "common/log.h"

#define CACHE_FORMAT "stylecam-progcache-1"
#define MAX_BINARY (256u << 20)

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t fnv1a_str(uint64_t h, const char *s)
{
    return fnv1a(h, s, strlen(s) + 1);   /* the NUL separates fields */
}

void sc_progcache_path(const struct sc_clrt *rt, const char *const *srcs, int nsrcs,
                       const char *options, char *path, size_t n)
{
    uint64_t h = fnv1a_str(14695981039346656037ull, CACHE_FORMAT);
    for (int i = 0; i < nsrcs; i++)
        h = fnv1a_str(h, srcs[i]);
    h = fnv1a_str(h, options);
    h = fnv1a_str(h, rt->device_name);
    h = fnv1a_str(h, rt->driver);
    snprintf(path, n, "%s/%016llx.bin", rt->cache_dir, (unsigned long long)h);
}

int sc_progcache_load(struct sc_clrt *rt, const char *path, const char *options,
                      cl_program *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct stat sb;
    unsigned char *bin = NULL;
    size_t n = 0;
    if (fstat(fileno(f), &sb) == 0 && sb.st_size > 0 && sb.st_size < MAX_BINARY) {
        n = (size_t)sb.st_size;
        bin = malloc(n);
        if (bin && fread(bin, 1, n, f) != n) {
            free(bin);
            bin = NULL;
        }
    }
    fclose(f);
    if (!bin)
        return -1;
    cl_int rc, status = CL_INVALID_BINARY;
    const unsigned char *bins[1] = {bin};
    cl_program p = clCreateProgramWithBinary(rt->ctx, 1, &rt->device, &n, bins, &status,
                                             &rc);
    free(bin);
    if (!p)
        return -1;
    if (rc != CL_SUCCESS || status != CL_SUCCESS ||
        clBuildProgram(p, 1, &rt->device, options, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(p);
        return -1;
    }
    *out = p;
    return 0;
}

/* mkdir -p for the cache folder. */
static int make_dirs(const char *dir)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

void sc_progcache_save(struct sc_clrt *rt, cl_program prog, const char *path)
{
    size_t n = 0;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof n, &n, NULL) != CL_SUCCESS ||
        n == 0 || n >= MAX_BINARY || make_dirs(rt->cache_dir) != 0)
        return;
    unsigned char *bin = malloc(n);
    unsigned char *bins[1] = {bin};
    if (!bin || clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) != CL_SUCCESS) {
        free(bin);
        return;
    }
    /* Best effort: a failure only means building from source next time. */
    struct sc_error err;
    if (sc_file_write_buffer(path, SC_FILE_REPLACE, bin, n, &err) != SC_OK)
        sc_debug("kernel cache not saved: %s", err.msg);
    free(bin);
}
