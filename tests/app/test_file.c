/* Files written whole or not at all (common/file.h) and its users: the image
 * writer and snapshots. Each test forks (Check's default), so a test may take
 * a mount namespace of its own for a small, full disk. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/record/paths.h"
#include "common/file.h"
#include "common/image_io.h"
#include "tests/util/sc_test.h"

static char dir[256];

static void setup(void)
{
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
}

static void teardown(void)
{
    sc_test_rmtree(dir);
}

/* Entries in dir (so that a temporary file left behind shows). */
static int entries(const char *d)
{
    DIR *dp = opendir(d);
    ck_assert_ptr_nonnull(dp);
    int n = 0;
    for (struct dirent *e; (e = readdir(dp));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(dp);
    return n;
}

static void expect_file(const char *path, const char *want)
{
    size_t len = 0;
    char *got = sc_test_read_file(path, &len);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_replace_and_no_overwrite)
{
    char path[512];
    struct sc_error err;
    snprintf(path, sizeof path, "%s/a.bin", dir);
    ck_assert_int_eq(sc_file_write_buffer(path, SC_FILE_REPLACE, "one", 3, &err), SC_OK);
    ck_assert_int_eq(sc_file_write_buffer(path, SC_FILE_REPLACE, "two", 3, &err), SC_OK);
    expect_file(path, "two");
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    mode_t mask = umask(0);
    umask(mask);
    ck_assert_int_eq(sb.st_mode & 0777, 0644 & ~mask);
    /* No-overwrite keeps the file, says so, and leaves nothing else. */
    ck_assert_int_eq(sc_file_write_buffer(path, SC_FILE_NO_OVERWRITE, "three", 5, &err),
                     SC_ERR_EXISTS);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    expect_file(path, "two");
    snprintf(path, sizeof path, "%s/b.bin", dir);
    ck_assert_int_eq(sc_file_write_buffer(path, SC_FILE_NO_OVERWRITE, "new", 3, &err), SC_OK);
    expect_file(path, "new");
    ck_assert_int_eq(entries(dir), 2);
}
END_TEST

static int fail_fill(struct sc_file_out *out, void *ctx)
{
    (void)ctx;
    sc_file_put(out, "half of it", 10);
    return ENOMEM;
}

START_TEST(test_failures_leave_nothing)
{
    char path[512];
    struct sc_error err;
    snprintf(path, sizeof path, "%s/c.bin", dir);
    ck_assert_int_eq(sc_file_write_atomic(path, SC_FILE_REPLACE, fail_fill, NULL, &err),
                     SC_ERR_NOMEM);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_int_eq(entries(dir), 0);
    snprintf(path, sizeof path, "%s/missing/c.bin", dir);
    ck_assert_int_eq(sc_file_write_buffer(path, SC_FILE_REPLACE, "x", 1, &err),
                     SC_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
}
END_TEST

/* A 64 KiB tmpfs in a mount namespace of this test's own, else a file size
 * limit (writes then fail with EFBIG). Returns the folder to write in. */
static const char *small_disk(char *buf, size_t n)
{
    snprintf(buf, n, "%s/small", dir);
    ck_assert_int_eq(mkdir(buf, 0755), 0);
    if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
        mount("tmpfs", buf, "tmpfs", 0, "size=64k") == 0) {
        fprintf(stderr, "full disk: a 64 KiB tmpfs\n");
        return buf;
    }
    fprintf(stderr, "full disk: RLIMIT_FSIZE (mounting a tmpfs was refused)\n");
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {.rlim_cur = 64 << 10, .rlim_max = RLIM_INFINITY};
    getrlimit(RLIMIT_FSIZE, &lim);
    lim.rlim_cur = 64 << 10;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    return buf;
}

/* One sentence: starts with a capital, ends with the only full stop. */
static void expect_sentence(const char *msg, const char *needle)
{
    ck_assert_msg(strstr(msg, needle), "'%s' not in: %s", needle, msg);
    size_t n = strlen(msg);
    ck_assert_msg(n > 0 && msg[n - 1] == '.' && !strstr(msg, ". "), "not one sentence: %s",
                  msg);
}

START_TEST(test_full_disk)
{
    char small[300], path[400];
    small_disk(small, sizeof small);
    static char big[256 << 10];
    memset(big, 'x', sizeof big);
    struct sc_error err;
    snprintf(path, sizeof path, "%s/big.bin", small);
    ck_assert_int_eq(sc_file_write_buffer(path, SC_FILE_REPLACE, big, sizeof big, &err),
                     SC_ERR_FULL);
    expect_sentence(err.msg, path);
    expect_sentence(err.msg, "full");
    ck_assert_int_eq(entries(small), 0);

    /* A picture that does not fit: the image writer and a snapshot. */
    enum { PW = 300, PH = 300 };
    uint8_t *rgb = malloc(PW * PH * 3);
    unsigned seed = 3;
    for (int i = 0; i < PW * PH * 3; i++)
        rgb[i] = (uint8_t)(rand_r(&seed) >> 7);
    snprintf(path, sizeof path, "%s/noise.png", small);
    ck_assert_int_eq(sc_image_save(path, rgb, PW, PH, SC_FILE_REPLACE, &err), SC_ERR_FULL);
    expect_sentence(err.msg, path);
    char snap[600];
    struct sc_frame f = {.rgb = rgb, .w = PW, .h = PH};
    ck_assert_int_eq(sc_snapshot_save(small, &f, snap, sizeof snap, &err), SC_ERR_FULL);
    expect_sentence(err.msg, "is full");
    ck_assert_int_eq(entries(small), 0);
    free(rgb);
    umount(small);
}
END_TEST

START_TEST(test_snapshot_never_overwrites)
{
    enum { PW = 20, PH = 16 };
    uint8_t rgb[PW * PH * 3];
    memset(rgb, 90, sizeof rgb);
    struct sc_frame f = {.rgb = rgb, .w = PW, .h = PH};
    struct sc_error err;
    char p1[600], p2[600];
    ck_assert_int_eq(sc_snapshot_save(dir, &f, p1, sizeof p1, &err), SC_OK);
    ck_assert_int_eq(sc_snapshot_save(dir, &f, p2, sizeof p2, &err), SC_OK);
    ck_assert_str_ne(p1, p2);
    ck_assert_int_eq(entries(dir), 2);
    uint8_t *back;
    int w, h;
    ck_assert_int_eq(sc_image_load(p2, &back, &w, &h, &err), SC_OK);
    ck_assert_int_eq(memcmp(back, rgb, sizeof rgb), 0);
    sc_image_free(back);
}
END_TEST

static const struct sc_test_opts opts = {
    .name = "file", .flags = SC_TEST_FORK, .timeout_s = 30,
    .setup = setup, .teardown = teardown,
};

SC_TEST_MAIN(&opts, test_replace_and_no_overwrite, test_failures_leave_nothing,
             test_full_disk, test_snapshot_never_overwrites)
