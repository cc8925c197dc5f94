/* The processing thread with the real engine (the built-in sketch style) on
 * frames the test writes into the ring: how often pixels are copied per
 * stage, exactly N frames made for --frames N and every output given the
 * same ones, outputs attached and detached by orders, the paused re-render
 * on the leased last frame, and a terminate that wakes an idle thread.
 * Everything is checked by counts and sequence numbers, never by time. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/output/copies.h"
#include "app/output/display.h"
#include "app/output/output_record.h"
#include "app/process/process.h"
#include "tests/util/sc_test.h"

enum { W = 64, H = 48, BYTES = W * H * 3, PROBE_ID = 7, DISPLAY_ID = 1, RECORD_ID = 2 };

struct rig {
    struct sc_ring *ring;
    struct sc_mailbox *mb;
    struct sc_process *p;
    uint64_t written;           /* frames the test committed */
};

static struct sc_engine *sketch_engine(void)
{
    char cache[PATH_MAX];
    const char *xdg = getenv("XDG_CACHE_HOME");
    snprintf(cache, sizeof cache, "%s/stylecam/kernels", xdg ? xdg : "/tmp");
    struct sc_engine_opts eo = {.cl_device = -1, .cache_dir = cache, .inflight = 2};
    struct sc_engine *e;
    struct sc_model *m;
    struct sc_error err;
    ck_assert_msg(sc_engine_init(&e, &eo, &err) == SC_OK, "%s", err.msg);
    ck_assert(sc_model_init_sketch(&m, &err) == SC_OK);
    ck_assert_msg(sc_engine_add_style(e, m, NULL, &err) == SC_OK, "%s", err.msg);
    sc_model_free(&m);
    return e;
}

/* A ring, a display and the thread; more outputs in extra (taken over). */
static void rig_start(struct rig *r, enum sc_ring_mode mode, long max_frames,
                      const struct sc_process_output *extra, int nextra)
{
    struct sc_error err;
    memset(r, 0, sizeof *r);
    ck_assert(sc_ring_init(&r->ring, SC_PROCESS_RING_SLOTS, mode, &err) == SC_OK);
    ck_assert(sc_mailbox_init(&r->mb, &err) == SC_OK);
    struct sc_process_opts po = {.engine = sketch_engine(), .ring = r->ring,
                                 .controls = {.strength = 1}, .max_frames = max_frames,
                                 .lossless = mode == SC_RING_LOSSLESS};
    po.outputs[po.noutputs++] = (struct sc_process_output){DISPLAY_ID, &sc_output_display,
                                                           r->mb};
    for (int i = 0; i < nextra; i++)
        po.outputs[po.noutputs++] = extra[i];
    sc_copies_reset();
    ck_assert_msg(sc_process_init(&r->p, &po, &err) == SC_OK, "%s", err.msg);
}

static void rig_stop(struct rig *r)
{
    sc_ring_terminate(r->ring);
    sc_process_free(&r->p);
    sc_mailbox_free(&r->mb);
    sc_ring_free(&r->ring);
}

/* Commits one frame whose pixels and seq say which it is. */
static void write_frame(struct rig *r)
{
    struct sc_frame *f;
    enum sc_status st;
    while ((st = sc_ring_write_acquire(r->ring, W, H, 1000, &f)) == SC_AGAIN)
        ;
    ck_assert_int_eq(st, SC_OK);
    for (int i = 0; i < BYTES; i++)
        f->rgb[i] = (uint8_t)(i * 7 + r->written * 31);
    f->seq = ++r->written;
    f->pts_us = sc_test_now_us();
    sc_ring_write_commit(r->ring, f);
}

/* Takes frames until the display's end; returns how many were posted. */
static uint64_t take_to_end(struct rig *r, uint64_t *shown)
{
    struct sc_display_tally t = {0};
    const struct sc_shown *s;
    enum sc_status st;
    while ((st = sc_display_take(r->mb, &t, -1, &s)) == SC_OK)
        ;
    ck_assert_int_eq(st, SC_EOF);
    if (shown)
        *shown = t.shown;
    return t.posted;
}

static void expect_copies(uint64_t n, uint64_t original, uint64_t record)
{
    struct sc_copies c;
    sc_copies_get(&c);
    if (!c.enabled)
        return;
    ck_assert_uint_eq(c.n[SC_COPY_UPLOAD], n);      /* straight from the ring slot */
    ck_assert_uint_eq(c.n[SC_COPY_DOWNLOAD], n);    /* straight into the display's buffer */
    ck_assert_uint_eq(c.n[SC_COPY_SCALE], 0);
    ck_assert_uint_eq(c.n[SC_COPY_OUTPUT], 0);
    ck_assert_uint_eq(c.n[SC_COPY_ORIGINAL], original);
    ck_assert_uint_eq(c.n[SC_COPY_RECORD], record);
    ck_assert_uint_eq(c.bytes[SC_COPY_UPLOAD], n * BYTES);
}

/* The common path: the ring fill (the source's conversion), the upload and
 * the download, nothing else on this side of the window (whose texture
 * upload tests/window/test_window_copies.c counts). */
START_TEST(test_copies_common_path)
{
    struct rig r;
    rig_start(&r, SC_RING_LOSSLESS, 12, NULL, 0);
    for (int i = 0; i < 12; i++)
        write_frame(&r);
    ck_assert_uint_eq(take_to_end(&r, NULL), 12);
    expect_copies(12, 0, 0);
    rig_stop(&r);
}
END_TEST

/* Compare mode adds exactly the original's copy. */
START_TEST(test_copies_compare)
{
    struct rig r;
    rig_start(&r, SC_RING_LOSSLESS, 10, NULL, 0);
    sc_mailbox_want_original(r.mb, 1);
    for (int i = 0; i < 10; i++)
        write_frame(&r);
    ck_assert_uint_eq(take_to_end(&r, NULL), 10);
    expect_copies(10, 10, 0);
    rig_stop(&r);
}
END_TEST

/* A probe output: counts what it is given and may say it is done. */
struct probe {
    int reconfigs, frames, rerenders, closed, done_after;
    uint64_t last_seq;
    int last_buffer;
};

static enum sc_output_ret probe_reconfig(void *priv, int w, int h)
{
    struct probe *pr = priv;
    pr->reconfigs++;
    return w == W && h == H ? SC_OUTPUT_MORE : SC_OUTPUT_DONE;
}

static enum sc_output_ret probe_frame(void *priv, const struct sc_output_frame *f)
{
    struct probe *pr = priv;
    pr->frames++;
    pr->rerenders += f->rerender;
    pr->last_seq = f->stylized->seq;
    pr->last_buffer = f->buffer;
    return pr->done_after && pr->frames == pr->done_after ? SC_OUTPUT_DONE : SC_OUTPUT_MORE;
}

static void probe_close(void *priv, char *msg, size_t n)
{
    struct probe *pr = priv;
    pr->closed++;
    snprintf(msg, n, "probe closed after %d frames", pr->frames);
}

static const struct sc_output_driver probe_driver = {
    .name = "probe", .reconfig = probe_reconfig, .frame = probe_frame,
    .close = probe_close,
};

/* --frames N: the ring holds more, the thread makes N, and every output
 * (the display, a recording, a probe) gets those N; recording adds exactly
 * its copy. Several runs, since an extra frame came one run in a few. */
START_TEST(test_n_frames_everywhere)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    for (int run = 0; run < 4; run++) {
        struct probe pr = {0};
        void *rec;
        struct sc_error err;
        snprintf(path, sizeof path, "%s/clip%d.mkv", dir, run);
        struct sc_output_record_opts ro = {.path = path, .lossless = 1, .fps = 30};
        ck_assert(sc_output_record_new(&rec, &ro, &err) == SC_OK);
        struct sc_process_output extra[] = {{RECORD_ID, &sc_output_record, rec},
                                            {PROBE_ID, &probe_driver, &pr}};
        struct rig r;
        rig_start(&r, SC_RING_LOSSLESS, 9, extra, 2);
        for (int i = 0; i < 9 + 3; i++)    /* three more than asked for */
            write_frame(&r);
        ck_assert_uint_eq(take_to_end(&r, NULL), 9);
        struct sc_process_status ps;
        sc_process_get_status(r.p, &ps);
        ck_assert_int_eq(ps.ended, 1);
        ck_assert_uint_eq(ps.frames, 9);
        ck_assert_int_eq(pr.frames, 9);
        ck_assert_uint_eq(pr.last_seq, 9);
        ck_assert_int_eq(pr.closed, 1);
        ck_assert_int_eq(pr.last_buffer, -1);  /* only the display's buffer is lent */
        expect_copies(9, 0, 9);
        rig_stop(&r);
        /* Closed newest first: the probe, then the clip is saved (its
         * sentence is the last), then the display ends. */
        ck_assert_msg(strstr(ps.message, "Saved") && strstr(ps.message, " 9 frames, 0 dropped"),
                      "%s", ps.message);
    }
    sc_test_rmtree(dir);
}
END_TEST

static int orders_done(void *arg)
{
    void **a = arg;
    struct sc_process_status ps;
    sc_process_get_status(a[0], &ps);
    return ps.orders_done >= *(uint64_t *)a[1];
}

static void wait_order(struct sc_process *p, uint64_t n)
{
    void *a[] = {p, &n};
    ck_assert_msg(sc_test_wait(orders_done, a, 2, SC_TEST_PATIENCE_MS), "order %llu not taken",
                  (unsigned long long)n);
}

/* Takes frames until the one with seq (posted by now or soon). */
static const struct sc_shown *take_seq(struct rig *r, uint64_t seq)
{
    struct sc_display_tally t = {0};
    const struct sc_shown *s = NULL;
    while (!s || s->stylized.seq < seq)
        ck_assert_int_eq(sc_display_take(r->mb, &t, -1, &s), SC_OK);
    ck_assert_uint_eq(s->stylized.seq, seq);
    return s;
}

/* An idle thread (no frame ever comes) carries out an order at once; the
 * output gets the frames after its attach, says it is done after three,
 * and is closed with its sentence published; a detach of what is gone is
 * harmless. The terminate of sc_process_free wakes the idle thread too: a
 * lost wake would hang here. */
START_TEST(test_orders_wake_and_outputs_come_and_go)
{
    struct rig r;
    rig_start(&r, SC_RING_LIVE, 0, NULL, 0);
    struct probe pr = {.done_after = 3};
    uint64_t n = sc_process_attach(r.p, PROBE_ID, &probe_driver, &pr);
    ck_assert_uint_gt(n, 0);
    wait_order(r.p, n);
    struct sc_process_status ps;
    sc_process_get_status(r.p, &ps);
    ck_assert_ptr_nonnull(sc_process_output(&ps, PROBE_ID));
    for (int i = 0; i < 5; i++) {
        write_frame(&r);
        take_seq(&r, r.written);
    }
    ck_assert_int_eq(pr.frames, 3);
    ck_assert_int_eq(pr.reconfigs, 1);
    ck_assert_int_eq(pr.closed, 1);
    sc_process_get_status(r.p, &ps);
    ck_assert_ptr_null(sc_process_output(&ps, PROBE_ID));
    ck_assert_str_eq(ps.message, "probe closed after 3 frames");
    n = sc_process_detach(r.p, PROBE_ID);
    wait_order(r.p, n);
    ck_assert_int_eq(pr.closed, 1);
    sc_process_free(&r.p);          /* the ring is not terminated: the wake must do */
    rig_stop(&r);
}
END_TEST

static int consumed(void *arg)
{
    struct rig *r = arg;
    struct sc_ring_stats rs;
    sc_ring_get_stats(r->ring, &rs);
    return rs.consumed + rs.dropped >= r->written;   /* taken or passed over */
}

/* Paused, frames are drained unseen; a new setting is shown on the last
 * frame made (kept leased in the ring, not copied), as a re-render that a
 * recording would not take; compare mode coming on brings its original. */
START_TEST(test_paused_rerender_on_the_leased_frame)
{
    struct probe pr = {0};
    struct sc_process_output extra[] = {{PROBE_ID, &probe_driver, &pr}};
    struct rig r;
    rig_start(&r, SC_RING_LIVE, 0, extra, 1);
    write_frame(&r);
    const struct sc_shown *s = take_seq(&r, 1);
    static uint8_t first[BYTES];
    memcpy(first, s->stylized.rgb, BYTES);
    struct sc_controls c = {.strength = 1, .paused = 1};
    sc_process_set_controls(r.p, &c);
    for (int i = 0; i < 4; i++)
        write_frame(&r);
    ck_assert(sc_test_wait(consumed, &r, 2, SC_TEST_PATIENCE_MS));
    c.strength = 0;     /* the original picture: surely another one */
    sc_process_set_controls(r.p, &c);
    s = take_seq(&r, 1);
    ck_assert_int_eq(s->with_original, 0);
    ck_assert(memcmp(s->stylized.rgb, first, BYTES) != 0);
    sc_mailbox_want_original(r.mb, 1);
    c.refresh++;
    sc_process_set_controls(r.p, &c);
    s = take_seq(&r, 1);
    ck_assert_int_eq(s->with_original, 1);
    ck_assert_int_eq(pr.rerenders, 2);
    ck_assert_int_eq(pr.frames, 3);
    rig_stop(&r);
}
END_TEST

static const struct sc_test_opts opts = {.name = "process"};
SC_TEST_MAIN(&opts, test_copies_common_path, test_copies_compare, test_n_frames_everywhere,
             test_orders_wake_and_outputs_come_and_go, test_paused_rerender_on_the_leased_frame)
