/* The settings the window remembers (common/settings.c): written and read
 * back the same, unknown keys ignored, any damage ignoring the whole file
 * with one sentence that names the file and the line, and a failed write
 * leaving the old file whole. Each test forks (a test may take a mount
 * namespace of its own for a read-only folder). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/settings.h"
#include "tests/util/sc_test.h"

static char dir[256];

static void setup(void)
{
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
}

static void teardown(void)
{
    char folder[512];
    snprintf(folder, sizeof folder, "%s/stylecam", dir);
    umount2(folder, MNT_DETACH);    /* test_failed_write_keeps_old's, if any */
    chmod(folder, 0755);
    sc_test_rmtree(dir);
}

static void settings_path(char *path, size_t n)
{
    struct sc_error err;
    ck_assert_int_eq(sc_settings_path(path, n, dir, &err), SC_OK);
    ck_assert(strstr(path, "/stylecam/settings") != NULL);
}

static void fill(struct sc_settings *s)
{
    sc_settings_clear(s);
    snprintf(s->style, sizeof s->style, "la_muse");
    s->strength = 40;
    s->keep_colors = 1;
    s->mirror = 0;
    s->stabilize = 2;
    s->window_w = 800;
    s->window_h = 500;
    s->fullscreen = 1;
    snprintf(s->camera, sizeof s->camera, "/dev/v4l/by-id/usb-Cam_0123-video-index0");
}

static void assert_same(const struct sc_settings *a, const struct sc_settings *b)
{
    ck_assert_str_eq(a->style, b->style);
    ck_assert_int_eq(a->strength, b->strength);
    ck_assert_int_eq(a->keep_colors, b->keep_colors);
    ck_assert_int_eq(a->mirror, b->mirror);
    ck_assert_int_eq(a->stabilize, b->stabilize);
    ck_assert_int_eq(a->window_w, b->window_w);
    ck_assert_int_eq(a->window_h, b->window_h);
    ck_assert_int_eq(a->fullscreen, b->fullscreen);
    ck_assert_str_eq(a->camera, b->camera);
}

static void assert_unset(const struct sc_settings *s)
{
    struct sc_settings none;
    sc_settings_clear(&none);
    assert_same(s, &none);
}

START_TEST(test_round_trip)
{
    char path[512];
    settings_path(path, sizeof path);
    struct sc_settings a, b;
    struct sc_error err;
    fill(&a);
    /* The folders do not exist yet: saving makes them. */
    ck_assert_msg(sc_settings_save(&a, path, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(sc_settings_load(&b, path, &err), SC_OK);
    assert_same(&a, &b);
    char *text = sc_test_read_file(path, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert(strstr(text, "\nstrength = 40\n") != NULL);
    ck_assert(strstr(text, "\nstabilize = strong\n") != NULL);
    ck_assert(strstr(text, "\nwindow_size = 800x500\n") != NULL);
    free(text);
    /* Unset fields are not written, and read back unset. */
    sc_settings_clear(&a);
    a.mirror = 1;
    ck_assert_int_eq(sc_settings_save(&a, path, &err), SC_OK);
    ck_assert_int_eq(sc_settings_load(&b, path, &err), SC_OK);
    assert_same(&a, &b);
}
END_TEST

START_TEST(test_missing_file_is_defaults)
{
    char path[512];
    settings_path(path, sizeof path);
    struct sc_settings s;
    struct sc_error err;
    sc_error_clear(&err);
    fill(&s);
    ck_assert_int_eq(sc_settings_load(&s, path, &err), SC_OK);
    assert_unset(&s);
    ck_assert_str_eq(err.msg, "");
}
END_TEST

START_TEST(test_hand_written)
{
    /* Comments, blank lines, blanks around keys and values, CRLF, other
     * words for on and off, and keys from a newer stylecam (ignored). */
    static const char text[] =
        "# mine\r\n"
        "\r\n"
        "   style=udnie  \r\n"
        "strength =0\r\n"
        "\tmirror = yes\r\n"
        "keep_colors = false\r\n"
        "stabilize = off\r\n"
        "future_setting = 17 whatever\r\n"
        "window_size = 64x16384\r\n"
        "camera = /dev/video0";   /* no newline at the end */
    struct sc_settings s;
    struct sc_error err;
    ck_assert_msg(sc_settings_parse(&s, text, sizeof text - 1, "t", &err) == SC_OK, "%s",
                  err.msg);
    ck_assert_str_eq(s.style, "udnie");
    ck_assert_int_eq(s.strength, 0);
    ck_assert_int_eq(s.mirror, 1);
    ck_assert_int_eq(s.keep_colors, 0);
    ck_assert_int_eq(s.stabilize, 0);
    ck_assert_int_eq(s.window_w, 64);
    ck_assert_int_eq(s.window_h, 16384);
    ck_assert_int_eq(s.fullscreen, SC_SETTING_UNSET);
    ck_assert_str_eq(s.camera, "/dev/video0");
}
END_TEST

/* Each damaged text: the whole file counts for nothing (even the good
 * lines before the bad one), with a sentence naming the file and line. */
START_TEST(test_damaged_ignored_whole)
{
    static const struct {
        const char *text;
        size_t n;           /* 0: strlen */
        int line;
    } cases[] = {
        {"strength = 40\nmirror = on\nstrength = 140\n", 0, 3},
        {"strength = 40\nmirror = maybe\n", 0, 2},
        {"strength = 40\n\nthis is not a setting\n", 0, 3},
        {"= on\n", 0, 1},
        {"strength = 4O\n", 0, 1},
        {"strength = \n", 0, 1},
        {"window_size = 10x10\n", 0, 1},
        {"window_size = 800x\n", 0, 1},
        {"stabilize = 3\n", 0, 1},
        {"style = \n", 0, 1},
        {"mirror = on\nst\0rength = 40\n", sizeof "mirror = on\nst\0rength = 40\n" - 1, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sc_settings s;
        struct sc_error err;
        size_t n = cases[i].n ? cases[i].n : strlen(cases[i].text);
        fill(&s);
        ck_assert_msg(sc_settings_parse(&s, cases[i].text, n, "/x/settings", &err) ==
                      SC_ERR_FORMAT, "case %zu was taken", i);
        assert_unset(&s);
        char want[64];
        snprintf(want, sizeof want, "/x/settings is damaged at line %d ", cases[i].line);
        ck_assert_msg(strstr(err.msg, want) != NULL, "case %zu: %s", i, err.msg);
        ck_assert_msg(strstr(err.msg, "defaults") != NULL, "case %zu: %s", i, err.msg);
    }
}
END_TEST

START_TEST(test_damaged_file)
{
    char path[512];
    settings_path(path, sizeof path);
    struct sc_settings s;
    struct sc_error err;
    fill(&s);
    ck_assert_int_eq(sc_settings_save(&s, path, &err), SC_OK);
    static unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 7919 % 251);   /* binary garbage */
    ck_assert_int_eq(sc_test_write_file(path, junk, sizeof junk), 0);
    ck_assert_int_eq(sc_settings_load(&s, path, &err), SC_ERR_FORMAT);
    assert_unset(&s);
    ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, " at line 1 "), "%s", err.msg);
    /* Larger than any settings file could be. */
    static char big[80 * 1024];
    memset(big, '#', sizeof big);
    ck_assert_int_eq(sc_test_write_file(path, big, sizeof big), 0);
    ck_assert_int_eq(sc_settings_load(&s, path, &err), SC_ERR_FORMAT);
    ck_assert_msg(strstr(err.msg, path) != NULL, "%s", err.msg);
}
END_TEST

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

/* Makes folder d read-only for this process: a mode without write for a
 * user, a read-only bind mount in a mount namespace of this test's own for
 * root (whom modes do not stop). Returns 0, or -1 when neither works. */
static int read_only(const char *d)
{
    if (geteuid() != 0)
        return chmod(d, 0555);
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount(d, d, NULL, MS_BIND, NULL) != 0 ||
        mount(NULL, d, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0) {
        fprintf(stderr, "read-only folder: not possible here (%s)\n", strerror(errno));
        return -1;
    }
    return 0;
}

START_TEST(test_failed_write_keeps_old)
{
    char path[512], folder[512];
    settings_path(path, sizeof path);
    struct sc_settings a, b;
    struct sc_error err;
    fill(&a);
    ck_assert_int_eq(sc_settings_save(&a, path, &err), SC_OK);
    char *before = sc_test_read_file(path, NULL);
    ck_assert_ptr_nonnull(before);
    snprintf(folder, sizeof folder, "%s/stylecam", dir);
    if (read_only(folder) != 0)
        return;     /* said on stderr; the rest needs the read-only folder */
    b = a;
    b.strength = 90;
    b.mirror = 1;
    ck_assert_int_ne(sc_settings_save(&b, path, &err), SC_OK);
    ck_assert_msg(strstr(err.msg, path) != NULL, "the sentence names no file: %s", err.msg);
    char *after = sc_test_read_file(path, NULL);
    ck_assert_ptr_nonnull(after);
    ck_assert_str_eq(after, before);                /* the old file, whole */
    ck_assert_int_eq(entries(folder), 1);           /* and no temporary file */
    free(before);
    free(after);
}
END_TEST

START_TEST(test_path_too_long)
{
    static char home[PATH_MAX + 10];
    memset(home, 'a', sizeof home - 1);
    home[0] = '/';
    char path[PATH_MAX];
    struct sc_error err;
    ck_assert_int_eq(sc_settings_path(path, sizeof path, home, &err), SC_ERR_ARG);
    ck_assert(strstr(err.msg, "XDG_CONFIG_HOME") != NULL);
}
END_TEST

static const struct sc_test_opts opts = {
    .name = "settings", .flags = SC_TEST_FORK, .setup = setup, .teardown = teardown,
};
SC_TEST_MAIN(&opts, test_round_trip, test_missing_file_is_defaults, test_hand_written,
             test_damaged_ignored_whole, test_damaged_file, test_failed_write_keeps_old,
             test_path_too_long)
