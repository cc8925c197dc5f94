/* The compiled-program cache: a first start fills it, a second loads from
 * it, a damaged entry is rebuilt, and the output never changes. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/engine_prof.h"
#include "tests/util/sc_test.h"

static char dir[256];
static uint8_t frame[64 * 48 * 3], first[64 * 48 * 3], out[64 * 48 * 3];

/* Starts an engine on the cache, stylizes one frame into out. */
static int run_once(void)
{
    struct sc_engine *e;
    struct sc_error err;
    struct sc_engine_opts o = {.cl_device = -1, .cache_dir = dir};
    ck_assert_msg(sc_engine_init(&e, &o, &err) == SC_OK, "%s", err.msg);
    int hit = sc_engine_cache_hit(e);
    struct sc_model *m;
    ck_assert(sc_model_init_sketch(&m, &err) == SC_OK);
    ck_assert(sc_engine_add_style(e, m, NULL, &err) == SC_OK);
    sc_model_free(&m);
    struct sc_run_params p = {.strength = 1.0f};
    ck_assert_msg(sc_engine_run(e, 0, frame, 64, 48, &p, out, &err) == SC_OK, "%s", err.msg);
    sc_engine_free(&e);
    return hit;
}

/* The one file the cache holds (its path in buf); count of files. */
static int cache_file(char *buf, size_t n)
{
    DIR *d = opendir(dir);
    int count = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (de->d_name[0] != '.') {
            snprintf(buf, n, "%s/%s", dir, de->d_name);
            count++;
        }
    if (d)
        closedir(d);
    return count;
}

START_TEST(test_cache_roundtrip)
{
    for (size_t i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 7 % 251);
    char base[200], path[600];
    ck_assert_int_eq(sc_test_tmpdir(base, sizeof base), 0);
    snprintf(dir, sizeof dir, "%s/nested/kernels", base);
    ck_assert_int_eq(run_once(), 0);               /* cold: built from source */
    memcpy(first, out, sizeof out);
    ck_assert_int_eq(cache_file(path, sizeof path), 1);
    ck_assert_int_eq(run_once(), 1);               /* warm: loaded */
    ck_assert(memcmp(first, out, sizeof out) == 0);
    FILE *f = fopen(path, "wb");                   /* damaged entry */
    fputs("not a program binary", f);
    fclose(f);
    ck_assert_int_eq(run_once(), 0);
    ck_assert(memcmp(first, out, sizeof out) == 0);
    ck_assert_int_eq(run_once(), 1);               /* rewritten */
    sc_test_rmtree(base);
}
END_TEST

/* Activations share a few ping-pong buffers: a 1920x1080 frame with its
 * weights fits in the 1 GB of device memory a laptop GPU can spare. */
START_TEST(test_memory_1080p)
{
    struct sc_engine *e;
    struct sc_error err;
    struct sc_engine_opts o = {.cl_device = -1};
    ck_assert_msg(sc_engine_init(&e, &o, &err) == SC_OK, "%s", err.msg);
    struct sc_model *m;
    ck_assert(sc_model_init_sketch(&m, &err) == SC_OK);
    ck_assert(sc_engine_add_style(e, m, NULL, &err) == SC_OK);
    sc_model_free(&m);
    ck_assert_msg(sc_engine_prepare(e, 1920, 1080, &err) == SC_OK, "%s", err.msg);
    uint64_t bytes = sc_engine_device_bytes(e);
    printf("1920x1080: %.0f MiB of device memory\n", bytes / 1048576.0);
    ck_assert_msg(bytes < (1ull << 30), "1920x1080 needs %llu bytes", (unsigned long long)bytes);
    sc_engine_free(&e);
}
END_TEST

static const struct sc_test_opts opts = {.name = "cache"};
SC_TEST_MAIN(&opts, test_cache_roundtrip, test_memory_1080p)
