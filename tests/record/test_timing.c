/* Clip timing as outside readers see it (ffprobe, a plain ffmpeg conversion):
 * a batch clip keeps its source's time base and exact timestamps; a live clip
 * keeps the capture times and declares the camera's nominal rate. Either way
 * `ffmpeg -i clip out.mp4` gives back as many frames as the clip holds (the
 * 1/200 time base of old made 399 frames of 60). */
#include <check.h>
#include <inttypes.h>
#include <libavutil/mathematics.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/capture/source.h"
#include "app/record/recorder.h"
#include "common/ticks.h"
#include "tests/util/sc_test.h"

enum { W = 64, H = 48, N = 60 };

static char out[1 << 16];

/* What ffprobe says about the first video stream. */
struct probe {
    char r_rate[32], avg_rate[32];
    AVRational tb;
    long frames;
    int npts;
    int64_t pts[N + 8];
};

static void probe(const char *path, struct probe *p)
{
    memset(p, 0, sizeof *p);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ffprobe -v error -count_frames -select_streams v:0 "
             "-show_entries stream=r_frame_rate,avg_frame_rate,time_base,nb_read_frames "
             "-of default=nw=1 '%s'", path);
    ck_assert_msg(sc_test_sh(cmd, out, sizeof out) == 0, "ffprobe: %s", out);
    for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
        sscanf(l, "r_frame_rate=%31s", p->r_rate);
        sscanf(l, "avg_frame_rate=%31s", p->avg_rate);
        sscanf(l, "time_base=%d/%d", &p->tb.num, &p->tb.den);
        sscanf(l, "nb_read_frames=%ld", &p->frames);
    }
    snprintf(cmd, sizeof cmd, "ffprobe -v error -select_streams v:0 -show_entries "
             "packet=pts -of csv=p=0 '%s'", path);
    ck_assert_msg(sc_test_sh(cmd, out, sizeof out) == 0, "ffprobe: %s", out);
    for (char *l = strtok(out, "\n"); l && p->npts < N + 8; l = strtok(NULL, "\n"))
        p->pts[p->npts++] = strtoll(l, NULL, 10);
    ck_assert_int_gt(p->tb.den, 0);
}

/* Frames after a plain `ffmpeg -i path out.mp4` (its defaults: a constant
 * rate taken from what the file declares). */
static long converted_frames(const char *path, const char *dir)
{
    char cmd[1400], conv[600];
    snprintf(conv, sizeof conv, "%s/converted.mp4", dir);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' '%s'", path, conv);
    ck_assert_msg(sc_test_sh(cmd, out, sizeof out) == 0, "ffmpeg: %s", out);
    struct probe p;
    probe(conv, &p);
    return p.frames;
}

/* Records N frames at the given times into path. */
static void record(const char *path, const int64_t *pts_us, double fps, int tb_num,
                   int tb_den)
{
    static uint8_t rgb[W * H * 3];
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = W, .h = H, .fps = fps, .blocking = 1,
                                 .time_base_num = tb_num, .time_base_den = tb_den};
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    for (int i = 0; i < N; i++) {
        for (size_t k = 0; k < sizeof rgb; k++)
            rgb[k] = (uint8_t)(k * 7 + i * 13 + (k / (W * 3)) * i);
        struct sc_frame f = {.rgb = rgb, .w = W, .h = H, .pts_us = pts_us[i],
                             .seq = (uint64_t)i};
        sc_recorder_push(rec, &f);
    }
    struct sc_recorder_stats s;
    ck_assert_int_eq(sc_recorder_free(&rec, &s), SC_OK);
    ck_assert_uint_eq(s.frames_written, N);
}

START_TEST(test_ticks_round_trip)
{
    /* ticks -> us (the video source) -> ticks (the recorder) is exact for
     * every time base of at least a microsecond a tick. */
    const AVRational tbs[] = {{1, 30}, {1001, 30000}, {1, 90000}, {1, 25}, {1, 1000},
                              {1, 15360}, {1, 1000000}, {1001, 24000}};
    for (size_t i = 0; i < sizeof tbs / sizeof *tbs; i++) {
        int num = tbs[i].num, den = tbs[i].den;
        for (int64_t t = 0; t < 300000; t++) {
            int64_t us = sc_ticks_to_us(t, num, den);
            ck_assert_msg(sc_us_to_ticks(us, num, den) == t, "%d/%d: tick %" PRId64
                          " -> %" PRId64 " us -> %" PRId64, num, den, t, us,
                          sc_us_to_ticks(us, num, den));
        }
        /* Ten hours in, and backwards (a frame before the first). */
        int64_t far = sc_us_to_ticks(36000LL * 1000000, num, den);
        for (int64_t t = far - 5000; t < far + 5000; t++) {
            ck_assert_int_eq(sc_us_to_ticks(sc_ticks_to_us(t, num, den), num, den), t);
            ck_assert_int_eq(sc_us_to_ticks(sc_ticks_to_us(-t, num, den), num, den), -t);
        }
    }
}
END_TEST

struct batch_case {
    int num, den;        /* the source's time base */
    int step;            /* ticks a frame */
    double fps;
    const char *rate;    /* what ffprobe must report */
};

static const struct batch_case batch_cases[] = {
    {1, 30, 1, 30.0, "30/1"},
    {1001, 30000, 1, 30000 / 1001.0, "30000/1001"},
    {1, 90000, 3003, 30000 / 1001.0, "30000/1001"},
    {1, 25, 1, 25.0, "25/1"},
};

/* A batch clip: frames stamped as the video source stamps a file's frames. */
static void check_batch(const struct batch_case *c, const char *ext)
{
    char dir[256], path[512];
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/batch.%s", dir, ext);
    int64_t pts_us[N];
    for (int i = 0; i < N; i++)
        pts_us[i] = 123456789 + sc_ticks_to_us((int64_t)i * c->step, c->num, c->den);
    record(path, pts_us, c->fps, c->num, c->den);

    struct probe p;
    probe(path, &p);
    char what[600];
    snprintf(what, sizeof what, "%s from a %d/%d source", path, c->num, c->den);
    ck_assert_msg(p.frames == N && p.npts == N, "%s: %ld frames, %d packets", what,
                  p.frames, p.npts);
    ck_assert_msg(strcmp(p.r_rate, c->rate) == 0, "%s: r_frame_rate %s, want %s", what,
                  p.r_rate, c->rate);
    ck_assert_msg(strcmp(p.avg_rate, c->rate) == 0, "%s: avg_frame_rate %s, want %s",
                  what, p.avg_rate, c->rate);
    int mkv = strcmp(ext, "mkv") == 0;
    for (int i = 0; i < N; i++) {
        int64_t ticks = (int64_t)i * c->step;
        /* MP4: the source's ticks exactly (the file's time base is a multiple
         * of the source's); Matroska counts milliseconds, to the nearest. */
        if (!mkv)
            ck_assert_msg(p.pts[i] * p.tb.num * c->den == ticks * c->num * p.tb.den,
                          "%s frame %d: pts %" PRId64 " in %d/%d is not tick %" PRId64
                          " of %d/%d", what, i, p.pts[i], p.tb.num, p.tb.den, ticks,
                          c->num, c->den);
        ck_assert_msg(p.pts[i] == av_rescale_q(ticks, (AVRational){c->num, c->den}, p.tb),
                      "%s frame %d: pts %" PRId64, what, i, p.pts[i]);
    }
    long conv = converted_frames(path, dir);
    ck_assert_msg(conv == N, "%s: ffmpeg made %ld frames of %d", what, conv, N);
    sc_test_rmtree(dir);
}

START_TEST(test_batch_mkv)
{
    for (size_t i = 0; i < sizeof batch_cases / sizeof *batch_cases; i++)
        check_batch(&batch_cases[i], "mkv");
}
END_TEST

START_TEST(test_batch_mp4)
{
    for (size_t i = 0; i < sizeof batch_cases / sizeof *batch_cases; i++)
        check_batch(&batch_cases[i], "mp4");
}
END_TEST

/* A live clip: capture times jittering up to 4 ms around the camera's grid
 * (zero on average), kept to the millisecond; the nominal rate declared. */
static void check_live(const char *ext, double fps, const char *rate)
{
    char dir[256], path[512];
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/live.%s", dir, ext);
    int64_t pts_us[N];
    for (int i = 0; i < N; i++)
        pts_us[i] = 5000000 + (int64_t)(i * 1e6 / fps + 0.5) + ((i * 7) % 9 - 4) * 1000 +
                    (i * 37) % 100;
    record(path, pts_us, fps, 0, 0);

    struct probe p;
    probe(path, &p);
    ck_assert_msg(p.frames == N && p.npts == N, "%s: %ld frames, %d packets", path,
                  p.frames, p.npts);
    ck_assert_msg(strcmp(p.r_rate, rate) == 0, "%s: r_frame_rate %s, want %s", path,
                  p.r_rate, rate);
    int num = 0, den = 1;
    ck_assert_int_eq(sscanf(p.avg_rate, "%d/%d", &num, &den), 2);
    /* Matroska declares the rate; MP4 has no field for it, so readers measure. */
    if (strcmp(ext, "mkv") == 0)
        ck_assert_msg(strcmp(p.avg_rate, rate) == 0, "%s: avg_frame_rate %s", path,
                      p.avg_rate);
    else
        ck_assert_msg(den > 0 && fabs((double)num / den / fps - 1) < 0.01,
                      "%s: avg_frame_rate %s", path, p.avg_rate);
    for (int i = 0; i < N; i++) {
        int64_t ms = (pts_us[i] - pts_us[0] + 500) / 1000;
        ck_assert_msg(p.pts[i] == av_rescale_q(ms, (AVRational){1, 1000}, p.tb),
                      "%s frame %d: pts %" PRId64 " in %d/%d, captured at %" PRId64 " ms",
                      path, i, p.pts[i], p.tb.num, p.tb.den, ms);
    }
    long conv = converted_frames(path, dir);
    ck_assert_msg(conv == N, "%s: ffmpeg made %ld frames of %d", path, conv, N);
    sc_test_rmtree(dir);
}

START_TEST(test_live_mkv)
{
    check_live("mkv", 30, "30/1");
    check_live("mkv", 30000 / 1001.0, "30000/1001");
}
END_TEST

/* MP4 has no field for the rate: readers estimate it from the times, which
 * over 2 s with this jitter cannot tell 29.97 from 30 fps, so 30 only. */
START_TEST(test_live_mp4)
{
    check_live("mp4", 30, "30/1");
}
END_TEST

/* The whole batch path short of the engine: a file read by the video source
 * and recorded with the time base and rate it reports keeps every pts. */
START_TEST(test_source_to_recorder)
{
    char dir[256], in[512], outp[512];
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    snprintf(in, sizeof in, "%s/in.mp4", dir);
    snprintf(outp, sizeof outp, "%s/out.mp4", dir);
    int64_t pts_us[N];
    for (int i = 0; i < N; i++)
        pts_us[i] = sc_ticks_to_us((int64_t)i * 3003, 1, 90000);
    record(in, pts_us, 30000 / 1001.0, 1, 90000);

    struct sc_source_request req = {.spec = in, .paced = 0};
    struct sc_source_info info;
    memset(&info, 0, sizeof info);
    struct sc_error err;
    void *v = NULL;
    ck_assert_msg(sc_source_video.open(&v, &req, &info, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(info.time_base_num, 1);
    ck_assert_int_eq(info.time_base_den, 90000);
    ck_assert_msg(fabs(info.fps - 30000 / 1001.0) < 1e-9, "nominal %.6f fps", info.fps);
    static uint8_t rgb[W * H * 3];
    struct sc_frame f = {.rgb = rgb};
    int64_t got[N];
    int n = 0;
    while (n < N && sc_source_video.read(v, &f, 100, &err) == SC_OK) {
        got[n] = f.pts_us;
        ck_assert_msg(got[n] - got[0] == pts_us[n], "frame %d at +%" PRId64 " us, the "
                      "file says +%" PRId64, n, got[n] - got[0], pts_us[n]);
        n++;
    }
    ck_assert_int_eq(n, N);
    sc_source_video.close(v);
    record(outp, got, info.fps, info.time_base_num, info.time_base_den);

    struct probe a, b;
    probe(in, &a);
    probe(outp, &b);
    ck_assert_str_eq(b.r_rate, a.r_rate);
    ck_assert_int_eq(b.npts, N);
    for (int i = 0; i < N; i++)
        ck_assert_msg(av_rescale_q(b.pts[i], b.tb, a.tb) == a.pts[i] &&
                      av_rescale_q(a.pts[i], a.tb, b.tb) == b.pts[i],
                      "frame %d: %" PRId64 " in %d/%d became %" PRId64 " in %d/%d", i,
                      a.pts[i], a.tb.num, a.tb.den, b.pts[i], b.tb.num, b.tb.den);
    sc_test_rmtree(dir);
}
END_TEST

static const struct sc_test_opts opts = {.name = "record-timing"};

SC_TEST_MAIN(&opts, test_ticks_round_trip, test_batch_mkv, test_batch_mp4, test_live_mkv,
             test_live_mp4, test_source_to_recorder)
