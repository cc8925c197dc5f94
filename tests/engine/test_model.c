/* A broken style folder ends in one sentence naming the file and the fault. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/arch.h"
#include "engine/model.h"
#include "tests/util/sc_test.h"
#include "tests/util/stylefolder.h"

static char dir[256], style[512];

static void setup(void)
{
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    snprintf(style, sizeof style, "%s/mystyle", dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", style);
    ck_assert(system(cmd) == 0);
    ck_assert(sc_test_write_style(style) == 0);
}

static void teardown(void)
{
    sc_test_rmtree(dir);
}

/* Loads the folder and expects failure with all the needles in the message. */
static void expect_fail(enum sc_status want, const char *n1, const char *n2)
{
    struct sc_model *m = NULL;
    struct sc_error err;
    sc_error_clear(&err);
    enum sc_status st = sc_model_load(style, &m, &err);
    ck_assert_msg(st == want, "status %d (%s), wanted %d: %s", st, sc_strerror(st), want,
                  err.msg);
    ck_assert(m == NULL);
    ck_assert_msg(n1 == NULL || strstr(err.msg, n1), "'%s' not in: %s", n1, err.msg);
    ck_assert_msg(n2 == NULL || strstr(err.msg, n2), "'%s' not in: %s", n2, err.msg);
    /* One sentence: a single line ending in a full stop. */
    ck_assert_msg(!strchr(err.msg, '\n') && err.msg[strlen(err.msg) - 1] == '.',
                  "not one sentence: %s", err.msg);
}

static void write_file(const char *name, const void *data, size_t n)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", style, name);
    FILE *f = fopen(path, "wb");
    ck_assert(f && fwrite(data, 1, n, f) == n);
    fclose(f);
}

static void remove_file(const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", style, name);
    ck_assert_int_eq(unlink(path), 0);
}

START_TEST(test_valid_folder_loads)
{
    struct sc_model *m;
    struct sc_error err;
    ck_assert_msg(sc_model_load(style, &m, &err) == SC_OK, "%s", err.msg);
    ck_assert_str_eq(sc_model_name(m), "mystyle");
    struct sc_model *ref;
    ck_assert(sc_model_init_sketch(&ref, &err) == SC_OK);
    for (int id = 0; id < SC_NET_VARS; id++)
        ck_assert(memcmp(sc_model_var(m, id), sc_model_var(ref, id),
                         (size_t)sc_arch_var_count(id) * 4) == 0);
    sc_model_free(&ref);
    sc_model_free(&m);
}
END_TEST

START_TEST(test_missing_folder)
{
    snprintf(style, sizeof style, "%s/nothere", dir);
    expect_fail(SC_ERR_NOT_FOUND, "nothere", "does not exist");
}
END_TEST

START_TEST(test_missing_manifest)
{
    remove_file("manifest.json");
    expect_fail(SC_ERR_NOT_FOUND, "manifest.json", "not a style");
}
END_TEST

START_TEST(test_malformed_manifests)
{
    const char *bad[] = {"", "{", "[]", "{\"Variable\": ", "{\"Variable\": {\"shape\": [9,9,3,",
                         "{} trailing", "{\"Variable\": {\"filename\": \"a\\u0041\"}}",
                         "\xff\xfe{", "{\"Variable\": {\"filename\": \"Variable\"}, \"Variable\": {}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file("manifest.json", bad[i], strlen(bad[i]));
        expect_fail(SC_ERR_FORMAT, "manifest.json", NULL);
    }
}
END_TEST

START_TEST(test_manifest_missing_entry)
{
    write_file("manifest.json", "{}", 2);
    expect_fail(SC_ERR_FORMAT, "manifest.json", "no entry for Variable");
}
END_TEST

START_TEST(test_unknown_variable)
{
    write_file("manifest.json", "{\"Variable_99\": {}}", 19);
    expect_fail(SC_ERR_FORMAT, "Variable_99", NULL);
}
END_TEST

START_TEST(test_missing_variable_file)
{
    remove_file("Variable_7");
    expect_fail(SC_ERR_IO, "Variable_7", "No such file");
}
END_TEST

START_TEST(test_short_and_long_files)
{
    float v[127] = {0};
    write_file("Variable_7", v, sizeof v);
    expect_fail(SC_ERR_FORMAT, "Variable_7", "truncated");
    float w[129] = {0};
    write_file("Variable_7", w, sizeof w);
    expect_fail(SC_ERR_FORMAT, "Variable_7", "too long");
}
END_TEST

START_TEST(test_escaping_names)
{
    sc_test_write_manifest(style, 5, "../Variable_5", NULL);
    expect_fail(SC_ERR_FORMAT, "../Variable_5", "outside");
    sc_test_write_manifest(style, 5, "/etc/passwd", NULL);
    expect_fail(SC_ERR_FORMAT, "/etc/passwd", "outside");
    sc_test_write_manifest(style, 5, "..", NULL);
    expect_fail(SC_ERR_FORMAT, "outside", NULL);
    /* A symbolic link inside the folder that leads out of it. */
    char link[700], target[700];
    snprintf(target, sizeof target, "%s/outside_file", dir);
    snprintf(link, sizeof link, "%s/escape", style);
    FILE *f = fopen(target, "wb");
    float v[128] = {0};
    fwrite(v, 4, 128, f);
    fclose(f);
    ck_assert(symlink(target, link) == 0);
    sc_test_write_manifest(style, 5, "escape", NULL);
    expect_fail(SC_ERR_FORMAT, "escape", "outside");
}
END_TEST

START_TEST(test_wrong_shape)
{
    sc_test_write_manifest(style, 3, NULL, "[3, 3, 32, 32]");
    expect_fail(SC_ERR_FORMAT, "[3,3,32,32]", "needs [3,3,32,64]");
    sc_test_write_manifest(style, 1, NULL, "[32, 1]");
    expect_fail(SC_ERR_FORMAT, "Variable_1", "shape");
}
END_TEST

START_TEST(test_nonfinite_weights)
{
    float v[128] = {0};
    v[17] = NAN;
    write_file("Variable_7", v, sizeof v);
    expect_fail(SC_ERR_FORMAT, "Variable_7", "NaN value at element 17");
    v[17] = INFINITY;
    write_file("Variable_7", v, sizeof v);
    expect_fail(SC_ERR_FORMAT, "Variable_7", "infinite");
}
END_TEST

START_TEST(test_shared_styles_load)
{
    const char *names[] = {"la_muse", "mathura", "matilde_perez", "matta", "rain_princess",
                           "scream", "udnie", "wave", "wreck"};
    for (size_t i = 0; i < 9; i++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/models/%s", sc_test_shared(), names[i]);
        struct sc_model *m;
        struct sc_error err;
        ck_assert_msg(sc_model_load(p, &m, &err) == SC_OK, "%s", err.msg);
        ck_assert_str_eq(sc_model_name(m), names[i]);
        sc_model_free(&m);
    }
}
END_TEST

static const struct sc_test_opts opts = {.name = "model", .setup = setup, .teardown = teardown};
SC_TEST_MAIN(&opts, test_valid_folder_loads, test_missing_folder, test_missing_manifest,
             test_malformed_manifests, test_manifest_missing_entry, test_unknown_variable,
             test_missing_variable_file, test_short_and_long_files, test_escaping_names,
             test_wrong_shape, test_nonfinite_weights, test_shared_styles_load)
