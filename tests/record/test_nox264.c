/* Without libx264 (nox264.c preloaded) recording falls back to another
 * encoder, says so once per run however many clips are recorded, and the
 * clips still decode. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>

#include "app/record/recorder.h"
#include "rec_util.h"
#include "tests/engine/testutil.h"

static void record_clip(const char *path)
{
    uint8_t rgb[64 * 48 * 3];
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = 64, .h = 48, .blocking = 1};
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    for (int i = 0; i < 10; i++) {
        rt_paint(rgb, 64, 48, i);
        struct sc_frame f = {.rgb = rgb, .w = 64, .h = 48, .pts_us = i * 40000};
        sc_recorder_push(rec, &f);
    }
    struct sc_recorder_stats s;
    ck_assert_int_eq(sc_recorder_free(&rec, &s), SC_OK);
    ck_assert_int_eq(s.frames_written, 10);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

START_TEST(test_fallback_said_once)
{
    ck_assert_msg(!avcodec_find_encoder_by_name("libx264"),
                  "libx264 is still visible: nox264 was not preloaded");
    char dir[256], log[512], a[512], b[512];
    ck_assert_int_eq(rt_tmpdir(dir, sizeof dir), 0);
    snprintf(log, sizeof log, "%s/stderr.txt", dir);
    snprintf(a, sizeof a, "%s/a.mkv", dir);
    snprintf(b, sizeof b, "%s/b.mp4", dir);

    /* Two clips in one run, with this process's stderr in a file. */
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *f = fopen(log, "w");
    ck_assert_ptr_nonnull(f);
    dup2(fileno(f), STDERR_FILENO);
    record_clip(a);
    record_clip(b);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(f);

    static char text[16384];
    f = fopen(log, "r");
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    ck_assert_msg(count(text, "no libx264") == 1, "said %d times:\n%s",
                  count(text, "no libx264"), text);

    static char out[8192];
    const char *clips[] = {a, b};
    for (int i = 0; i < 2; i++) {
        struct rt_probe p;
        ck_assert_int_eq(rt_probe(clips[i], &p), 0);
        ck_assert_str_eq(p.codec, "mpeg4");
        ck_assert_int_eq(p.frames, 10);
        ck_assert_msg(rt_decode_clean(clips[i], out, sizeof out) == 0, "ffmpeg: %s", out);
    }
    rt_rmtree(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nox264");
    TCase *tc = tcase_create("nox264");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fallback_said_once);
    suite_add_tcase(s, tc);
    return sc_test_run(s);
}
