/* sc_source_v4l2 and the capture thread against tests/fakecam (LD_PRELOAD).
 * fakecam reads its FAKECAM_* settings once at load, so each scenario is a
 * separate run: SC_TEST names the test, meson sets the environment. Times
 * are checked against fakecam's schedule (frame n of a stream is made no
 * sooner than n+1 periods after it starts), never by a stopwatch. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/capture/capture.h"
#include "common/clock.h"
#include "app/capture/v4l2.h"
#include "cap_util.h"
#include "tests/util/sc_test.h"

#define BYID "/dev/v4l/by-id/usb-Fake_Camera-video-index0"

static void *open_cam(const char *spec, int w, int h, struct sc_source_info *info)
{
    struct sc_source_request req = { .spec = spec, .w = w, .h = h, .fps = 30 };
    struct sc_error err;
    void *src = NULL;
    enum sc_status st = sc_source_v4l2.open(&src, &req, info, &err);
    if (st != SC_OK)
        fprintf(stderr, "open failed: %s\n", err.msg);
    ck_assert_int_eq(st, SC_OK);
    return src;
}

static void read_frame(void *src, struct sc_frame *f)
{
    struct sc_error err;
    enum sc_status st;
    int64_t t0 = sc_now_us();
    while ((st = sc_source_v4l2.read(src, f, 100, &err)) == SC_AGAIN)
        ck_assert_msg(sc_now_us() - t0 < (int64_t)SC_TEST_PATIENCE_MS * 1000,
                      "no frame in %d s", SC_TEST_PATIENCE_MS / 1000);
    if (st != SC_OK)
        fprintf(stderr, "read failed: %s\n", err.msg);
    ck_assert_int_eq(st, SC_OK);
}

static uint64_t first_seq;     /* seq of the first frame check_stream read */

/* Frames at the right size whose pixels are fakecam's pattern: so the
 * conversion really ran. The box moves 4 px per camera frame. */
static void check_stream(const char *spec, int w, int h, int want_w, int want_h, int tol)
{
    struct sc_source_info info;
    int64_t opened = sc_now_us();
    void *src = open_cam(spec, w, h, &info);
    ck_assert_int_eq(info.w, want_w);
    ck_assert_int_eq(info.h, want_h);
    ck_assert_ptr_nonnull(strstr(info.name, "Fake Camera"));
    struct sc_frame a = { .rgb = malloc((size_t)want_w * want_h * 3) };
    struct sc_frame b = { .rgb = malloc((size_t)want_w * want_h * 3) };
    read_frame(src, &a);
    first_seq = a.seq;
    for (int i = 0; i < 5; i++) {
        read_frame(src, &b);
        ck_assert_uint_gt(b.seq, a.seq);
        ck_assert_int_gt(b.pts_us, a.pts_us);
        /* On the monotonic clock: made after the open, before the read returned. */
        ck_assert_int_gt(b.pts_us, opened);
        ck_assert_int_le(b.pts_us, sc_now_us());
        ck_assert_int_eq(b.w, want_w);
        ck_assert_int_eq(b.h, want_h);
        int e = cap_bars_error(&b);
        if (e > tol)
            fprintf(stderr, "bars off by %d\n", e);
        ck_assert_int_le(e, tol);
        int xa = cap_box_x(&a), xb = cap_box_x(&b);
        int span = want_w - want_w / 8;
        ck_assert_int_ge(xa, 0);
        ck_assert_int_le(abs(xb - (int)((b.seq * 4) % (uint64_t)span)), 2);
        struct sc_frame t = a;
        a = b;
        b = t;
    }
    sc_source_v4l2.close(src);
    free(a.rgb);
    free(b.rgb);
}

START_TEST(yuyv)
{
    check_stream("/dev/video0", 320, 240, 320, 240, 12);
    check_stream("/dev/video0", 150, 100, 160, 120, 12);    /* nearest native size */
}
END_TEST

START_TEST(mjpeg)
{
    check_stream("/dev/video0", 640, 480, 640, 480, 40);
    check_stream("/dev/video0", 1280, 720, 1280, 720, 40);
}
END_TEST

START_TEST(corrupt)
{
    /* FAKECAM_CORRUPT=3: the first three frames are short and skipped. */
    check_stream("/dev/video0", 320, 240, 320, 240, 40);
    ck_assert_uint_ge(first_seq, 3);
}
END_TEST

START_TEST(sizes)
{
    /* Above 640x480 only MJPEG sizes count; below, the nearest of all. */
    struct sc_source_info info;
    void *src = open_cam(NULL, 1000, 600, &info);
    ck_assert_int_eq(info.w, 1280);
    ck_assert_int_eq(info.h, 720);
    /* libv4lconvert sees a USB 2 camera and streams MJPEG (30 fps), not
     * YUYV (10 fps at this size). */
    ck_assert(info.fps > 29);
    sc_source_v4l2.close(src);
    src = open_cam(BYID, 300, 200, &info);
    ck_assert_int_eq(info.w, 320);
    ck_assert_ptr_nonnull(strstr(info.name, BYID));
    ck_assert_ptr_nonnull(strstr(info.name, "/dev/video0"));
    sc_source_v4l2.close(src);

    char def[64];
    struct sc_error err;
    ck_assert_int_eq(sc_v4l2_default_device(def, sizeof def, &err), SC_OK);
    ck_assert_str_eq(def, "/dev/video0");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_int_eq(sc_v4l2_list_devices(out), 1);
    fclose(out);
    fprintf(stderr, "%s", text);
    ck_assert_ptr_nonnull(strstr(text, "/dev/video0 = " BYID ": Fake Camera"));
    ck_assert_ptr_nonnull(strstr(text, "YUYV (YUYV 4:2:2): 160x120 @ 30/15 fps"));
    ck_assert_ptr_nonnull(strstr(text, "1280x720 @ 10/5 fps"));
    ck_assert_ptr_nonnull(strstr(text, "MJPG (Motion-JPEG)"));
    free(text);
}
END_TEST

static enum sc_status open_err(const char *spec, struct sc_error *err)
{
    struct sc_source_request req = { .spec = spec };
    struct sc_source_info info;
    void *src = NULL;
    enum sc_status st = sc_source_v4l2.open(&src, &req, &info, err);
    ck_assert_ptr_null(src);
    return st;
}

START_TEST(busy)
{
    struct sc_error err;
    ck_assert_int_eq(open_err("/dev/video0", &err), SC_ERR_BUSY);
    ck_assert_str_eq(err.msg,
                     "Camera /dev/video0 is busy: another program is using it; close it and try again.");
    /* Through the capture stage too: init fails synchronously. */
    struct sc_ring *ring = NULL;
    ck_assert_int_eq(sc_ring_init(&ring, 3, SC_RING_LIVE, &err), SC_OK);
    struct sc_capture *cap = NULL;
    struct sc_source_request req = { .spec = "/dev/video0" };
    ck_assert_int_eq(sc_capture_init(&cap, &sc_source_v4l2, &req, ring, &err), SC_ERR_BUSY);
    ck_assert_ptr_null(cap);
    sc_ring_free(&ring);
}
END_TEST

START_TEST(absent)
{
    struct sc_error err;
    ck_assert_int_eq(open_err("/dev/video0", &err), SC_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "Camera /dev/video0 was not found"));
    ck_assert_int_eq(open_err(BYID, &err), SC_ERR_NOT_FOUND);
    char def[64];
    ck_assert_int_eq(sc_v4l2_default_device(def, sizeof def, &err), SC_ERR_NOT_FOUND);
    ck_assert_int_eq(open_err(NULL, &err), SC_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "No camera was found"));
}
END_TEST

START_TEST(nocapture)
{
    struct sc_error err;
    ck_assert_int_eq(open_err("/dev/video0", &err), SC_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "/dev/video0 (Fake Camera) is not a video capture device"));
    char def[64];
    ck_assert_int_eq(sc_v4l2_default_device(def, sizeof def, &err), SC_ERR_NOT_FOUND);
}
END_TEST

static enum sc_capture_state wait_state(struct sc_capture *cap, enum sc_capture_state want,
                                        int ms, struct sc_capture_status *cs)
{
    int64_t end = sc_now_us() + (int64_t)ms * 1000;
    do {
        sc_capture_get_status(cap, cs);
        if (cs->state == want)
            break;
        sc_test_sleep_ms(20);
    } while (sc_now_us() < end);
    return cs->state;
}

START_TEST(unplug)
{
    struct sc_ring *ring;
    struct sc_source_request req = { .spec = "/dev/video0", .w = 160, .h = 120, .fps = 30 };
    struct sc_capture *cap = cap_start(&sc_source_v4l2, &req, 4, SC_RING_LIVE, &ring);
    struct sc_capture_status cs;
    ck_assert_int_eq(wait_state(cap, SC_CAPTURE_LOST, SC_TEST_PATIENCE_MS, &cs), SC_CAPTURE_LOST);
    ck_assert_str_eq(cs.message, "Camera /dev/video0 was unplugged; waiting for it to come back…");
    /* FAKECAM_UNPLUG_AFTER=20: at most 20 frames, numbered from 0, came. */
    uint64_t before = cs.frames_captured;
    struct sc_ring_stats rs;
    sc_ring_get_stats(ring, &rs);
    ck_assert_uint_ge(before, 1);
    ck_assert_uint_le(before, 20);
    ck_assert_uint_le(rs.last_seq, 19);
    /* The consumer meanwhile times out instead of hanging. */
    const struct sc_frame *f;
    while (sc_ring_read_acquire(ring, 0, &f) == SC_OK)
        sc_ring_read_release(ring, f);
    ck_assert_int_eq(sc_ring_read_acquire(ring, 100, &f), SC_AGAIN);
    ck_assert_int_eq(wait_state(cap, SC_CAPTURE_RUNNING, SC_TEST_PATIENCE_MS, &cs),
                     SC_CAPTURE_RUNNING);
    ck_assert_str_eq(cs.message, "");
    /* Three frames of the replugged camera, each newer than the last. */
    uint64_t last = rs.last_seq;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(sc_ring_read_acquire(ring, SC_TEST_PATIENCE_MS, &f), SC_OK);
        ck_assert_int_eq(f->w, 160);
        ck_assert_int_le(cap_bars_error(f), 40);
        ck_assert_uint_gt(f->seq, last);        /* seq keeps rising across the reopen */
        last = f->seq;
        sc_ring_read_release(ring, f);
    }
    cap_wait_captured(cap, before + 3, &cs);
    sc_capture_free(&cap);
    sc_ring_free(&ring);
}
END_TEST

/* Slow consumer on the real camera path: flat memory, fresh frames. */
START_TEST(slow)
{
    enum { SLOTS = 3 };
    struct sc_ring *ring;
    struct sc_source_request req = { .spec = "/dev/video0", .w = 320, .h = 240, .fps = 30 };
    struct sc_capture *cap = cap_start(&sc_source_v4l2, &req, SLOTS, SC_RING_LIVE, &ring);
    cap_slow_consumer(ring, SLOTS, 25, 320);
    struct sc_capture_status cs;
    cap_wait_fps(cap, &cs);
    fprintf(stderr, "slow consumer: %llu captured, %llu dropped, %.1f fps\n",
            (unsigned long long)cs.frames_captured, (unsigned long long)cs.frames_dropped, cs.fps);
    ck_assert_uint_gt(cs.frames_dropped, 0);
    /* A 30 fps camera, counted over a second or more: its rate plus at most
     * the few frames its queue held. */
    ck_assert_msg(cs.fps <= 40, "measured %.1f fps from a 30 fps camera", cs.fps);
    sc_capture_free(&cap);
    sc_ring_free(&ring);
}
END_TEST

/* FAKECAM_FPS=10: a camera slower than negotiated; the frames' times and
 * the measured rate say so. */
START_TEST(rate)
{
    struct sc_ring *ring;
    struct sc_source_request req = { .spec = "/dev/video0", .w = 160, .h = 120, .fps = 30 };
    int64_t t0 = sc_now_us();
    struct sc_capture *cap = cap_start(&sc_source_v4l2, &req, 3, SC_RING_LIVE, &ring);
    /* Frame n of the stream is made n+1 periods of 100 ms after it started
     * (after t0) at the soonest: a 30 fps camera would break this at once. */
    const struct sc_frame *f;
    uint64_t last = 0;
    int n = 0;
    do {
        ck_assert_int_eq(sc_ring_read_acquire(ring, SC_TEST_PATIENCE_MS, &f), SC_OK);
        ck_assert_msg(f->pts_us >= t0 + (int64_t)(f->seq + 1) * 100000,
                      "frame %llu came %lld ms after the start, before its time at 10 fps",
                      (unsigned long long)f->seq, (long long)(f->pts_us - t0) / 1000);
        ck_assert(n == 0 || f->seq > last);
        last = f->seq;
        n++;
        sc_ring_read_release(ring, f);
    } while (last < 20);
    struct sc_capture_status cs;
    cap_wait_captured(cap, (uint64_t)n, &cs);
    cap_wait_fps(cap, &cs);
    fprintf(stderr, "rate: %.1f fps, %llu frames\n", cs.fps, (unsigned long long)cs.frames_captured);
    /* Counted over a second or more: 10 frames plus the few the queue held. */
    ck_assert_msg(cs.fps < 20, "measured %.1f fps from a 10 fps camera", cs.fps);
    sc_capture_free(&cap);
    sc_ring_free(&ring);
}
END_TEST

/* fakecam is set up for one scenario per run: refuse to run them all. */
static void one_scenario(void)
{
    ck_assert_msg(getenv("SC_TEST"), "run one scenario: SC_TEST=NAME with its FAKECAM_* "
                  "settings (tests/capture/meson.build) and LD_PRELOAD=libfakecam.so");
}

static const struct sc_test_opts opts = {
    .name = "v4l2", .flags = SC_TEST_FORK, .timeout_s = 120, .setup_once = one_scenario,
};
SC_TEST_MAIN(&opts, yuyv, mjpeg, corrupt, sizes, busy, absent, nocapture, unplug, slow, rate)
