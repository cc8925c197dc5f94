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
#include "tests/util/sc_test.h"

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
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    snprintf(log, sizeof log, "%s/stderr.txt", dir);
    snprintf(a, sizeof a, "%s/a.mkv", dir);
    snprintf(b, sizeof b, "%s/b.mp4", dir);

    /* Two clips in one run, with this process's stderr in a file. */
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *f = fopen(log, "w");
    ck_assert_ptr_nonnull(f);
    dup2(fileno(f), STDERR_FILENO);
    rt_record_small(a, NULL, 10);
    rt_record_small(b, NULL, 10);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(f);

    char *text = sc_test_read_file(log, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(count(text, "no libx264") == 1, "said %d times:\n%s",
                  count(text, "no libx264"), text);
    free(text);

    static char out[8192];
    const char *clips[] = {a, b};
    for (int i = 0; i < 2; i++) {
        struct rt_probe p;
        ck_assert_int_eq(rt_probe(clips[i], &p), 0);
        ck_assert_str_eq(p.codec, "mpeg4");
        ck_assert_int_eq(p.frames, 10);
        ck_assert_msg(rt_decode_clean(clips[i], out, sizeof out) == 0, "ffmpeg: %s", out);
    }
    sc_test_rmtree(dir);
}
END_TEST

static const struct sc_test_opts opts = {.name = "nox264", .timeout_s = 60};
SC_TEST_MAIN(&opts, test_fallback_said_once)
