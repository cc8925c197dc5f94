/* --record-quality through the recorder, read back by ffprobe and ffmpeg:
 * lossless keeps every RGB pixel (odd sizes too), in the same crash-safe
 * layout (fragmented MP4, Matroska clusters), also after a SIGKILL; high
 * spends more bits than normal. Run twice: as is (libx264rgb) and with
 * nox264 preloaded (FFV1 in Matroska, PNG frames in MP4). argv[1]: the
 * record_child program. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>

#include "app/record/recorder.h"
#include "rec_util.h"
#include "tests/util/sc_test.h"

static char out[1 << 16];

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* What a lossless clip must hold: RGB H.264, or without libx264 FFV1
 * (Matroska) or PNG (MP4, whose muxer takes no FFV1). */
static void expect_lossless_codec(const char *path, const struct rt_probe *p)
{
    const char *codec = "h264", *pix = "gbrp";
    if (!avcodec_find_encoder_by_name("libx264rgb")) {
        codec = ends_with(path, ".mp4") ? "png" : "ffv1";
        pix = ends_with(path, ".mp4") ? "rgb24" : "bgr0";
    }
    ck_assert_msg(strcmp(p->codec, codec) == 0 && strcmp(p->pix_fmt, pix) == 0,
                  "%s: %s %s, expected %s %s", path, p->codec, p->pix_fmt, codec, pix);
}

/* Occurrences of the n bytes of needle in the file. */
static int count_bytes(const char *path, const void *needle, size_t n)
{
    size_t len;
    char *data = sc_test_read_file(path, &len);
    ck_assert_ptr_nonnull(data);
    int k = 0;
    for (char *p = data; (p = memmem(p, len - (size_t)(p - data), needle, n)); p += n)
        k++;
    free(data);
    return k;
}

/* The crash-safe layout: several MP4 fragments (moof boxes) or Matroska
 * clusters, not one index written at the end. */
static void expect_cut(const char *path, int at_least)
{
    static const uint8_t cluster[] = {0x1F, 0x43, 0xB6, 0x75};
    int n = ends_with(path, ".mp4") ? count_bytes(path, "moof", 4)
                                    : count_bytes(path, cluster, sizeof cluster);
    ck_assert_msg(n >= at_least, "%s holds %d fragments/clusters, expected at least %d",
                  path, n, at_least);
}

/* Decodes path to packed RGB24 with ffmpeg, every frame as stored (no rate
 * conversion, the file's own time base: see rt_decode_clean); returns the
 * bytes and sets *frames. */
static uint8_t *decode_rgb(const char *path, int w, int h, long *frames)
{
    char raw[600], cmd[1400];
    snprintf(raw, sizeof raw, "%s.rgb", path);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' -vsync passthrough "
             "-enc_time_base -1 -f rawvideo -pix_fmt rgb24 '%s'", path, raw);
    ck_assert_msg(sc_test_sh(cmd, out, sizeof out) == 0 && !out[0], "ffmpeg: %s", out);
    size_t len;
    uint8_t *rgb = (uint8_t *)sc_test_read_file(raw, &len);
    ck_assert_ptr_nonnull(rgb);
    unlink(raw);
    size_t fb = (size_t)w * h * 3;
    ck_assert_msg(len % fb == 0, "%s decodes to %zu bytes, not whole %dx%d frames",
                  path, len, w, h);
    *frames = (long)(len / fb);
    return rgb;
}

/* Frame i of the decoded clip equals want, byte for byte. */
static void expect_frame(const char *path, const uint8_t *got, const uint8_t *want, int w,
                         int h, long i)
{
    size_t fb = (size_t)w * h * 3;
    const uint8_t *g = got + fb * (size_t)i;
    if (memcmp(g, want, fb) == 0)
        return;
    size_t k = 0;
    while (g[k] == want[k])
        k++;
    ck_abort_msg("%s frame %ld differs first at pixel (%zu, %zu): %u, expected %u", path, i,
                 k / 3 % (size_t)w, k / 3 / (size_t)w, g[k], want[k]);
}

/* n frames of an odd w x h, 40 ms apart, recorded lossless, come back
 * bit-exact in as many frames. */
static void lossless_exact(const char *name)
{
    enum { W = 65, H = 49, N = 40 };
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, name);
    static uint8_t rgb[N][W * H * 3];
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = W, .h = H, .fps = 25, .blocking = 1,
                                 .quality = SC_RECORD_LOSSLESS};
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    for (int i = 0; i < N; i++) {
        rt_paint(rgb[i], W, H, i);
        struct sc_frame f = {.rgb = rgb[i], .w = W, .h = H, .pts_us = i * 40000};
        sc_recorder_push(rec, &f);
    }
    struct sc_recorder_stats s;
    ck_assert_int_eq(sc_recorder_free(&rec, &s), SC_OK);
    ck_assert_uint_eq(s.frames_written, N);

    struct rt_probe p;
    ck_assert_int_eq(rt_probe(path, &p), 0);
    expect_lossless_codec(path, &p);
    ck_assert_int_eq(p.w, W);   /* odd sizes are kept whole */
    ck_assert_int_eq(p.h, H);
    ck_assert_int_eq(p.frames, N);
    expect_cut(path, 3);        /* 1.6 s, cut every 0.5 s */
    long frames;
    uint8_t *got = decode_rgb(path, W, H, &frames);
    ck_assert_int_eq(frames, N);
    for (int i = 0; i < N; i++)
        expect_frame(path, got, rgb[i], W, H, i);
    fprintf(stderr, "%s: %s %s %dx%d, %d frames bit-exact\n", name, p.codec, p.pix_fmt,
            W, H, N);
    free(got);
    sc_test_rmtree(dir);
}

START_TEST(test_lossless_exact_mkv)
{
    lossless_exact("lossless.mkv");
}
END_TEST

START_TEST(test_lossless_exact_mp4)
{
    lossless_exact("lossless.mp4");
}
END_TEST

/* record_child's lines until one starts with word (static). */
static const char *child_line(FILE *p, const char *word)
{
    static char line[256];
    while (fgets(line, sizeof line, p))
        if (strncmp(line, word, strlen(word)) == 0)
            return line;
    ck_abort_msg("record_child ended without a '%s' line", word);
    return NULL;
}

/* A lossless recording killed (SIGKILL) once the encoder took 90 frames:
 * what is on disk decodes cleanly, holds all but the last cut's worth, and
 * every frame it holds is bit-exact. */
static void lossless_killed(const char *name)
{
    enum { W = 320, H = 240, N = 90, PICS = 8 };   /* record_child's pictures */
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, name);
    const char *bin = sc_test_arg(1) ? sc_test_arg(1) : "./record_child";
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(bin, bin, path, "320", "240", "90", "hold", "lossless", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *p = fdopen(fds[0], "r");
    int n = 0;
    long long first = 0, last = 0;
    ck_assert_int_eq(sscanf(child_line(p, "held"), "held %d %lld %lld", &n, &first, &last), 3);
    kill(pid, SIGKILL);
    int ws;
    waitpid(pid, &ws, 0);
    fclose(p);
    ck_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    ck_assert_int_eq(n, N);

    ck_assert_msg(rt_decode_clean(path, out, sizeof out) == 0, "ffmpeg on the killed %s: %s",
                  name, out);
    struct rt_probe pr;
    ck_assert_int_eq(rt_probe(path, &pr), 0);
    expect_lossless_codec(path, &pr);
    double pushed = (last - first) / 1e6;
    ck_assert_msg(pr.last_end >= pushed - 1.0 && pr.last_end <= pushed + 0.1,
                  "%.3f s of frames pushed, the killed file holds %.3f s", pushed, pr.last_end);
    long frames;
    uint8_t *got = decode_rgb(path, W, H, &frames);
    ck_assert_int_eq(frames, pr.frames);
    ck_assert_int_le(frames, N);
    static uint8_t want[PICS][W * H * 3];
    for (int i = 0; i < PICS; i++)
        rt_paint(want[i], W, H, i * 3);
    for (long i = 0; i < frames; i++)
        expect_frame(path, got, want[i % PICS], W, H, i);
    fprintf(stderr, "%s killed holding %.3f s: %ld frames on disk, bit-exact\n", name,
            pushed, frames);
    free(got);
    sc_test_rmtree(dir);
}

START_TEST(test_lossless_killed_mkv)
{
    lossless_killed("killed.mkv");
}
END_TEST

START_TEST(test_lossless_killed_mp4)
{
    lossless_killed("killed.mp4");
}
END_TEST

/* 60 moving frames at a quality; returns the file's size. */
static long record_at(const char *path, int quality)
{
    enum { W = 160, H = 120, N = 60 };
    static uint8_t rgb[W * H * 3];
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = W, .h = H, .fps = 30, .blocking = 1,
                                 .quality = quality};
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    for (int i = 0; i < N; i++) {
        rt_paint(rgb, W, H, i);
        struct sc_frame f = {.rgb = rgb, .w = W, .h = H, .pts_us = i * 33333};
        sc_recorder_push(rec, &f);
    }
    struct sc_recorder_stats s;
    ck_assert_int_eq(sc_recorder_free(&rec, &s), SC_OK);
    ck_assert_uint_eq(s.frames_written, N);
    ck_assert_msg(rt_decode_clean(path, out, sizeof out) == 0, "ffmpeg: %s", out);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    return (long)sb.st_size;
}

/* High spends more bits than normal on the same frames; with libx264 the
 * settings x264 writes into the stream say crf 23, crf 17 and qp 0. */
START_TEST(test_high_bigger_than_normal)
{
    char dir[256], normal[512], high[512], lossless[512];
    sc_test_tmpfile(dir, sizeof dir, normal, sizeof normal, "normal.mkv");
    snprintf(high, sizeof high, "%s/high.mkv", dir);
    snprintf(lossless, sizeof lossless, "%s/lossless.mkv", dir);
    long n = record_at(normal, SC_RECORD_NORMAL);
    long h = record_at(high, SC_RECORD_HIGH);
    long l = record_at(lossless, SC_RECORD_LOSSLESS);
    fprintf(stderr, "160x120, 60 frames: normal %ld bytes, high %ld, lossless %ld\n", n, h, l);
    ck_assert_msg(h > n, "high (%ld bytes) is not larger than normal (%ld)", h, n);
    ck_assert_msg(l > h, "lossless (%ld bytes) is not larger than high (%ld)", l, h);
    struct rt_probe p;
    ck_assert_int_eq(rt_probe(high, &p), 0);
    if (avcodec_find_encoder_by_name("libx264")) {
        ck_assert_str_eq(p.codec, "h264");
        ck_assert_str_eq(p.pix_fmt, "yuv420p");
        ck_assert_int_eq(count_bytes(normal, " crf=23.0 ", 10), 1);
        ck_assert_int_eq(count_bytes(high, " crf=17.0 ", 10), 1);
        ck_assert_int_eq(count_bytes(lossless, " rc=cqp ", 8), 1);
        ck_assert_int_eq(count_bytes(lossless, " qp=0", 5), 1);
    } else {
        ck_assert_str_eq(p.codec, "mpeg4");
    }
    sc_test_rmtree(dir);
}
END_TEST

static const struct sc_test_opts opts = {.name = "record-quality"};
SC_TEST_MAIN(&opts, test_lossless_exact_mkv, test_lossless_exact_mp4, test_lossless_killed_mkv,
             test_lossless_killed_mp4, test_high_bigger_than_normal)
