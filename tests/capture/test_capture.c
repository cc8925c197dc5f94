/* The test scene and still image sources, and the capture thread feeding a
 * ring: pacing, end of stream, a slow consumer, and a long run. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/capture/capture.h"
#include "common/clock.h"
#include "cap_util.h"

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
    int64_t t0 = sc_now_us();
    int got = 0;
    while (got < 26) {
        enum sc_status st = sc_source_test.read(src, got % 2 ? &b : &a, 100, &err);
        ck_assert(st == SC_OK || st == SC_AGAIN);
        got += st == SC_OK;
    }
    int64_t dt = sc_now_us() - t0;
    /* 25 intervals at 50 fps = 500 ms (the first frame is immediate). */
    ck_assert_int_ge(dt, 450000);
    ck_assert_int_le(dt, 900000);
    /* Stamped on a camera's grid: slots 20 ms apart (a late read skips some). */
    ck_assert_uint_gt(b.seq, a.seq);
    ck_assert_int_eq(b.pts_us - a.pts_us, (int64_t)(b.seq - a.seq) * 20000);
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
            cap_sleep_ms(105);
        while (sc_source_test.read(src, &f[i], 100, &err) == SC_AGAIN)
            ;
        /* Never a slot in the future; after the stall, not the slot right
         * after f[0] (about 95 ms old) but a recent one (the bound leaves
         * room for a loaded machine's scheduling). */
        int64_t age = sc_now_us() - f[i].pts_us;
        ck_assert_int_ge(age, 0);
        ck_assert_int_lt(age, 50000);
    }
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

static const char *shared_image(const char *name, char *buf, size_t n)
{
    const char *dir = getenv("STYLECAM_SHARED");
    snprintf(buf, n, "%s/images/%s", dir ? dir : "../shared", name);
    return buf;
}

START_TEST(test_image_source)
{
    char path[4096];
    struct sc_source_request req = { .spec = shared_image("coffee.png", path, sizeof path),
                                     .fps = 100, .paced = 1 };
    struct sc_source_info info;
    struct sc_error err;
    void *src = NULL;
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "skipping image check: %s missing\n", path);
        return;
    }
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
            cap_sleep_ms(50);   /* a slow consumer leaves no gap */
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
    char path[256];
    snprintf(path, sizeof path, "/tmp/sc-capture-test-%d-%s", (int)getpid(), name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(data, 1, n, f);
    fclose(f);
    struct sc_source_request req = { .spec = path };
    struct sc_source_info info;
    void *src = NULL;
    enum sc_status st = sc_source_image.open(&src, &req, &info, err);
    if (st == SC_OK)
        sc_source_image.close(src);
    unlink(path);
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
    struct sc_ring *ring = NULL;
    struct sc_error err;
    ck_assert_int_eq(sc_ring_init(&ring, SLOTS, SC_RING_LIVE, &err), SC_OK);
    struct sc_source_request req = { .spec = "test", .w = 320, .h = 240, .fps = 200 };
    struct sc_capture *cap = NULL;
    ck_assert_int_eq(sc_capture_init(&cap, &sc_source_test, &req, ring, &err), SC_OK);
    const uint8_t *addr[SLOTS];
    long rss0 = 0;
    uint64_t allocs0 = 0, last = 0;
    for (int i = 0; i < 90; i++) {
        const struct sc_frame *f;
        enum sc_status st = sc_ring_read_acquire(ring, 1000, &f);
        ck_assert_int_eq(st, SC_OK);
        struct sc_ring_stats rs;
        sc_ring_get_stats(ring, &rs);
        ck_assert_uint_ge(f->seq + SLOTS, rs.last_seq);     /* among the newest */
        if (i > 0)
            ck_assert_uint_gt(f->seq, last);
        last = f->seq;
        ck_assert_int_eq(f->w, 320);
        cap_sleep_ms(15);                                  /* slower than 200 fps */
        sc_ring_read_release(ring, f);
        if (i == 10) {
            rss0 = cap_rss_kib();
            allocs0 = rs.allocs;
            for (int k = 0; k < SLOTS; k++)
                addr[k] = sc_ring_slot_buffer(ring, k);
        }
    }
    struct sc_capture_status st;
    sc_capture_get_status(cap, &st);
    ck_assert_int_eq(st.state, SC_CAPTURE_RUNNING);
    ck_assert_uint_gt(st.frames_dropped, 30);
    ck_assert_uint_gt(st.frames_captured, 120);
    ck_assert(st.fps > 100 && st.fps < 260);
    ck_assert_int_eq(st.w, 320);
    struct sc_ring_stats rs;
    sc_ring_get_stats(ring, &rs);
    /* Slots are allocated lazily, each once: never more than SLOTS buffers,
     * and a buffer once allocated never moves. */
    ck_assert_uint_le(rs.allocs, SLOTS);
    ck_assert_uint_ge(rs.allocs, allocs0);
    for (int k = 0; k < SLOTS; k++)
        if (addr[k])
            ck_assert_ptr_eq(addr[k], sc_ring_slot_buffer(ring, k));
    ck_assert_int_lt(cap_rss_kib() - rss0, 1024);
    int64_t t0 = sc_now_us();
    sc_capture_free(&cap);
    ck_assert_int_lt(sc_now_us() - t0, 500000);    /* terminate is prompt */
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
    struct sc_ring *ring = NULL;
    struct sc_error err;
    ck_assert_int_eq(sc_ring_init(&ring, 3, SC_RING_LOSSLESS, &err), SC_OK);
    struct sc_source_request req = { .spec = "x" };
    struct sc_capture *cap = NULL;
    ck_assert_int_eq(sc_capture_init(&cap, &short_drv, &req, ring, &err), SC_OK);
    const struct sc_frame *f;
    uint64_t n = 0;
    enum sc_status st;
    while ((st = sc_ring_read_acquire(ring, 2000, &f)) == SC_OK) {
        ck_assert_uint_eq(f->seq, n);
        ck_assert_int_eq(f->rgb[0], (int)n);
        n++;
        cap_sleep_ms(20);
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
    struct sc_ring *ring = NULL;
    struct sc_error err;
    ck_assert_int_eq(sc_ring_init(&ring, 4, SC_RING_LIVE, &err), SC_OK);
    struct sc_source_request req = { .spec = "test", .w = 160, .h = 120, .fps = 1000 };
    struct sc_capture *cap = NULL;
    ck_assert_int_eq(sc_capture_init(&cap, &sc_source_test, &req, ring, &err), SC_OK);
    long rss_warm = 0;
    uint64_t got = 0;
    const uint8_t *addr[4] = {0};
    struct sc_capture_status cs;
    do {
        const struct sc_frame *f;
        if (sc_ring_read_acquire(ring, 1000, &f) == SC_OK) {
            got++;
            sc_ring_read_release(ring, f);
        }
        sc_capture_get_status(cap, &cs);
        if (!rss_warm && cs.frames_captured >= 200) {
            for (int k = 0; k < 4; k++)
                addr[k] = sc_ring_slot_buffer(ring, k);
            rss_warm = cap_rss_kib();
        }
    } while (cs.frames_captured < 2500);
    struct sc_ring_stats rs;
    sc_ring_get_stats(ring, &rs);
    long rss_end = cap_rss_kib();
    fprintf(stderr, "long run: %llu captured, %llu consumed, %llu dropped, %.0f fps, rss %ld -> %ld KiB\n",
            (unsigned long long)cs.frames_captured, (unsigned long long)got,
            (unsigned long long)cs.frames_dropped, cs.fps, rss_warm, rss_end);
    ck_assert_uint_le(rs.allocs, 4);
    for (int k = 0; k < 4; k++)
        if (addr[k])
            ck_assert_ptr_eq(addr[k], sc_ring_slot_buffer(ring, k));
    ck_assert_int_lt(rss_end - rss_warm, 1024);
    ck_assert_uint_ge(got, 100);
    sc_capture_free(&cap);
    sc_ring_free(&ring);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("capture");
    TCase *tc = tcase_create("sources");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_scene_paced_and_moving);
    tcase_add_test(tc, test_scene_stalled_reader);
    tcase_add_test(tc, test_scene_bad_size);
    tcase_add_test(tc, test_image_source);
    tcase_add_test(tc, test_image_errors);
    tcase_add_test(tc, test_capture_slow_consumer);
    tcase_add_test(tc, test_capture_eof_lossless);
    tcase_add_test(tc, test_long_run);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
