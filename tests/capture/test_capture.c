/* The test scene and still image sources, and the capture thread feeding a
 * ring: pacing, end of stream, a slow consumer, and a long run. Pacing is
 * checked as cause and effect on the slot grid (a frame never comes before
 * its slot, and is the newest slot due when the read began), never by how
 * long something took. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/capture/capture.h"
#include "common/clock.h"
#include "cap_util.h"
#include "tests/util/sc_test.h"

static uint8_t *alloc_frame(struct sc_frame *f, int w, int h)
{
    memset(f, 0, sizeof *f);
    f->rgb = calloc((size_t)w * h, 3);
    f->w = w;
    f->h = h;
    return f->rgb;
}

START_TEST(test_scene_paced_and_moving)
{
    struct sc_source_request req = { .w = 160, .h = 120, .fps = 50 };
    struct sc_source_info info;
    struct sc_error err;
    void *src = NULL;
    ck_assert_int_eq(sc_source_test.open(&src, &req, &info, &err), SC_OK);
    ck_assert_int_eq(info.w, 160);
    ck_assert_int_eq(info.h, 120);
    struct sc_frame a, b;
    alloc_frame(&a, 160, 120);
    alloc_frame(&b, 160, 120);
    int got = 0;
    while (got < 26) {
        struct sc_frame *f = got % 2 ? &b : &a, *prev = got % 2 ? &a : &b;
        int64_t before = sc_test_now_us();
        enum sc_status st = sc_source_test.read(src, f, 100, &err);
        int64_t after = sc_test_now_us();
        ck_assert(st == SC_OK || st == SC_AGAIN);
        if (st != SC_OK)
            continue;
        /* Never before its slot; the newest slot due when the read began. */
        ck_assert_int_le(f->pts_us, after);
        ck_assert_int_gt(f->pts_us, before - 20000);
        /* Stamped on a camera's grid: slots 20 ms apart (a late read skips some). */
        if (got > 0) {
            ck_assert_uint_gt(f->seq, prev->seq);
            ck_assert_int_eq(f->pts_us - prev->pts_us, (int64_t)(f->seq - prev->seq) * 20000);
        }
        got++;
    }
    ck_assert_int_ne(memcmp(a.rgb, b.rgb, 160 * 120 * 3), 0);  /* it moves */
    /* The top band holds the colour bars. */
    ck_assert_int_eq(cap_bars_error(&a), 0);
    sc_source_test.close(src);
    free(a.rgb);
    free(b.rgb);
}
END_TEST

/* A reader that stalls gets the newest slot, as from a camera whose queue
 * overflowed: no burst of stale frames stamped moments apart, and the
 * sequence number shows the slots that were missed. */
START_TEST(test_scene_stalled_reader)
{
    struct sc_source_request req = { .w = 32, .h = 32, .fps = 100 };
    struct sc_source_info info;
    struct sc_error err;
    void *src = NULL;
    ck_assert_int_eq(sc_source_test.open(&src, &req, &info, &err), SC_OK);
    struct sc_frame f[3];
    for (int i = 0; i < 3; i++)
        alloc_frame(&f[i], 32, 32);
    for (int i = 0; i < 3; i++) {
        if (i == 1)
            sc_test_sleep_ms(105);
        int64_t before = sc_test_now_us();
        while (sc_source_test.read(src, &f[i], 100, &err) == SC_AGAIN)
            ;
        /* Never a slot in the future; after the stall, not the slot right
         * after f[0] (about 95 ms old) but the newest one due when the read
         * began (the slots are 10 ms apart). */
        ck_assert_int_le(f[i].pts_us, sc_test_now_us());
        ck_assert_int_gt(f[i].pts_us, before - 10000);
    }
    /* The stall began after f[0]'s slot and lasted 105 ms: 10 slots at least. */
    ck_assert_uint_ge(f[1].seq, f[0].seq + 10);
    for (int i = 1; i < 3; i++)
        ck_assert_int_eq(f[i].pts_us - f[i - 1].pts_us, (int64_t)(f[i].seq - f[i - 1].seq) * 10000);
    sc_source_test.close(src);
    for (int i = 0; i < 3; i++)
        free(f[i].rgb);
}
END_TEST

START_TEST(test_scene_bad_size)
{
    struct sc_source_request req = { .w = 8, .h = 8 };
    struct sc_source_info info;
    struct sc_error err;
    void *src = NULL;
    ck_assert_int_eq(sc_source_test.open(&src, &req, &info, &err), SC_ERR_ARG);
    ck_assert_ptr_null(src);
    ck_assert_ptr_nonnull(strstr(err.msg, "16x16"));
}
END_TEST

START_TEST(test_image_source)
{
    char path[4096];
    struct sc_source_request req = {
        .spec = sc_test_shared_path(path, sizeof path, "images/coffee.png"), .fps = 100,
        .paced = 1 };
    struct sc_source_info info;
    struct sc_error err;
    void *src = NULL;
    ck_assert_msg(access(path, R_OK) == 0, "%s is missing", path);
    ck_assert_int_eq(sc_source_image.open(&src, &req, &info, &err), SC_OK);
    ck_assert_int_ge(info.w, 16);
    struct sc_frame f, g;
    alloc_frame(&f, info.w, info.h);
    alloc_frame(&g, info.w, info.h);
    while (sc_source_image.read(src, &f, 100, &err) == SC_AGAIN)
        ;
    while (sc_source_image.read(src, &g, 100, &err) == SC_AGAIN)
        ;
    ck_assert_uint_gt(g.seq, f.seq);
    ck_assert_int_eq(g.pts_us - f.pts_us, (int64_t)(g.seq - f.seq) * 10000);
    ck_assert_int_eq(memcmp(f.rgb, g.rgb, (size_t)info.w * info.h * 3), 0);
    sc_source_image.close(src);

    /* Unpaced (a batch run): every read gives a frame at once, and the stamps
     * keep the nominal cadence however slowly they are read. */
    req.paced = 0;
    ck_assert_int_eq(sc_source_image.open(&src, &req, &info, &err), SC_OK);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(sc_source_image.read(src, &g, 0, &err), SC_OK);
        if (i == 1)
            sc_test_sleep_ms(50);   /* a slow consumer leaves no gap */
        if (i > 0) {
            ck_assert_uint_eq(g.seq, f.seq + 1);
            ck_assert_int_eq(g.pts_us - f.pts_us, 10000);
        }
        f.seq = g.seq;
        f.pts_us = g.pts_us;
    }
    sc_source_image.close(src);
    free(f.rgb);
    free(g.rgb);

    /* Scaled on request. */
    req.w = 64;
    req.h = 48;
    ck_assert_int_eq(sc_source_image.open(&src, &req, &info, &err), SC_OK);
    ck_assert_int_eq(info.w, 64);
    ck_assert_int_eq(info.h, 48);
    sc_source_image.close(src);
}
END_TEST

static enum sc_status open_image_bytes(const char *name, const void *data, size_t n,
                                       struct sc_error *err)
{
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, name);
    ck_assert_int_eq(sc_test_write_file(path, data, n), 0);
    struct sc_source_request req = { .spec = path };
    struct sc_source_info info;
    void *src = NULL;
    enum sc_status st = sc_source_image.open(&src, &req, &info, err);
    if (st == SC_OK)
        sc_source_image.close(src);
    sc_test_rmtree(dir);
    return st;
}

START_TEST(test_image_errors)
{
    struct sc_error err;
    struct sc_source_request req = { .spec = "/nonexistent/picture.png" };
    struct sc_source_info info;
    void *src = NULL;
    ck_assert_int_eq(sc_source_image.open(&src, &req, &info, &err), SC_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/picture.png: No such file"));

    static const char junk[] = "\x89PNG\r\n\x1a\nthis is not really a png at all";
    ck_assert_int_eq(open_image_bytes("corrupt.png", junk, sizeof junk, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a valid PNG or JPEG"));

    /* A valid 2x2 PPM-free PNG is awkward to hand-write; use a tiny BMP. */
    static const uint8_t bmp[] = {
        'B', 'M', 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0,
        1, 0, 24, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0x13, 0x0b, 0, 0, 0x13, 0x0b, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0,
    };
    ck_assert_int_eq(open_image_bytes("tiny.bmp", bmp, sizeof bmp, &err), SC_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "is 2x2 pixels"));
}
END_TEST

/* The capture thread with the test scene and a consumer slower than the
 * scene: the ring drops the oldest, memory stays flat, frames are fresh. */
START_TEST(test_capture_slow_consumer)
{
    enum { SLOTS = 4 };
    struct sc_ring *ring;
    struct sc_source_request req = { .spec = "test", .w = 320, .h = 240, .fps = 200 };
    struct sc_capture *cap = cap_start(&sc_source_test, &req, SLOTS, SC_RING_LIVE, &ring);
    cap_slow_consumer(ring, SLOTS, 40, 320);
    struct sc_capture_status st;
    cap_wait_fps(cap, &st);
    struct sc_ring_stats rs;
    sc_ring_get_stats(ring, &rs);
    ck_assert_int_eq(st.state, SC_CAPTURE_RUNNING);
    ck_assert_int_eq(st.w, 320);
    ck_assert_uint_le(st.frames_captured, rs.produced);   /* counted once committed */
    ck_assert_uint_gt(st.frames_dropped, 0);
    /* Measured over a second or more of a 200 fps grid: never above it. */
    ck_assert_msg(st.fps > 0 && st.fps <= 210, "measured %.1f fps on a 200 fps grid", st.fps);
    /* Terminate wakes the thread; a time-out here is a last guard (a hang). */
    int64_t t0 = sc_test_now_us();
    sc_capture_free(&cap);
    ck_assert_int_lt(sc_test_now_us() - t0, (int64_t)SC_TEST_PATIENCE_MS * 1000);
    ck_assert_ptr_null(cap);
    sc_ring_free(&ring);
}
END_TEST

/* A source that ends after a few frames: state ENDED, the consumer sees EOF. */
static int short_n;
static enum sc_status short_open(void **priv, const struct sc_source_request *req,
                                 struct sc_source_info *info, struct sc_error *err)
{
    short_n = 0;
    info->w = 32;
    info->h = 16;
    info->fps = 0;
    snprintf(info->name, sizeof info->name, "short");
    *priv = &short_n;
    return SC_OK;
}
static enum sc_status short_read(void *priv, struct sc_frame *dst, int timeout_ms,
                                 struct sc_error *err)
{
    int *n = priv;
    if (*n >= 5)
        return SC_EOF;
    memset(dst->rgb, *n, 32 * 16 * 3);
    dst->seq = (uint64_t)(*n)++;
    dst->pts_us = sc_now_us();
    return SC_OK;
}
static void short_close(void *priv) { (void)priv; }
static const struct sc_source_driver short_drv = {
    .name = "short", .open = short_open, .read = short_read, .close = short_close,
};

START_TEST(test_capture_eof_lossless)
{
    struct sc_ring *ring;
    struct sc_source_request req = { .spec = "x" };
    struct sc_capture *cap = cap_start(&short_drv, &req, 3, SC_RING_LOSSLESS, &ring);
    const struct sc_frame *f;
    uint64_t n = 0;
    enum sc_status st;
    while ((st = sc_ring_read_acquire(ring, 2000, &f)) == SC_OK) {
        ck_assert_uint_eq(f->seq, n);
        ck_assert_int_eq(f->rgb[0], (int)n);
        n++;
        sc_test_sleep_ms(20);
        sc_ring_read_release(ring, f);
    }
    ck_assert_int_eq(st, SC_EOF);
    ck_assert_uint_eq(n, 5);
    struct sc_capture_status cs;
    sc_capture_get_status(cap, &cs);
    ck_assert_int_eq(cs.state, SC_CAPTURE_ENDED);
    ck_assert_uint_eq(cs.frames_dropped, 0);
    sc_capture_free(&cap);
    sc_ring_free(&ring);
}
END_TEST

START_TEST(test_long_run)
{
    enum { SLOTS = 4 };
    struct sc_ring *ring;
    struct sc_source_request req = { .spec = "test", .w = 160, .h = 120, .fps = 1000 };
    struct sc_capture *cap = cap_start(&sc_source_test, &req, SLOTS, SC_RING_LIVE, &ring);
    /* Hold the first frame until every slot has had one: all buffers exist. */
    const struct sc_frame *f;
    ck_assert_int_eq(sc_ring_read_acquire(ring, SC_TEST_PATIENCE_MS, &f), SC_OK);
    struct sc_ring_stats rs;
    sc_ring_get_stats(ring, &rs);
    cap_wait_produced(ring, rs.produced + SLOTS);
    sc_ring_read_release(ring, f);
    long rss_warm = 0;
    uint64_t got = 1;
    const uint8_t *addr[SLOTS] = {0};
    struct sc_capture_status cs;
    do {
        if (sc_ring_read_acquire(ring, 1000, &f) == SC_OK) {
            got++;
            sc_ring_read_release(ring, f);
        }
        sc_capture_get_status(cap, &cs);
        if (!rss_warm && cs.frames_captured >= 200) {
            for (int k = 0; k < SLOTS; k++)
                addr[k] = sc_ring_slot_buffer(ring, k);
            rss_warm = cap_rss_kib();
        }
    } while (cs.frames_captured < 2500);
    sc_capture_free(&cap);      /* joined: the counters stand still */
    sc_ring_get_stats(ring, &rs);
    long rss_end = cap_rss_kib();
    fprintf(stderr, "long run: %llu captured, %llu consumed, %llu dropped, rss %ld -> %ld KiB\n",
            (unsigned long long)rs.produced, (unsigned long long)got,
            (unsigned long long)rs.dropped, rss_warm, rss_end);
    /* One buffer per slot, ever, and none moved. */
    ck_assert_uint_eq(rs.allocs, SLOTS);
    for (int k = 0; k < SLOTS; k++) {
        ck_assert_ptr_nonnull(addr[k]);
        ck_assert_ptr_eq(addr[k], sc_ring_slot_buffer(ring, k));
    }
    ck_assert_int_lt(rss_end - rss_warm, 1024);
    /* Every frame made was taken, dropped, or is still in a slot. */
    ck_assert_uint_eq(rs.consumed, got);
    ck_assert_uint_ge(rs.produced, 2500);
    ck_assert_uint_ge(rs.produced, rs.consumed + rs.dropped);
    ck_assert_uint_le(rs.produced, rs.consumed + rs.dropped + SLOTS);
    sc_ring_free(&ring);
}
END_TEST

static const struct sc_test_opts opts = {.name = "capture", .flags = SC_TEST_FORK, .timeout_s = 300};
SC_TEST_MAIN(&opts, test_scene_paced_and_moving, test_scene_stalled_reader, test_scene_bad_size,
             test_image_source, test_image_errors, test_capture_slow_consumer,
             test_capture_eof_lossless, test_long_run)
