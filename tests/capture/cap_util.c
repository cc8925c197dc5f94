#include "cap_util.h"

#include <check.h>

#include "tests/util/sc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long cap_rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static const uint8_t bars[8][3] = {
    {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
    {255, 0, 255}, {255, 0, 0}, {0, 0, 255}, {0, 0, 0},
};

int cap_bars_error(const struct sc_frame *f)
{
    int worst = 0, y = f->h / 3;
    for (int i = 0; i < 8; i++) {
        int x = i * f->w / 8 + f->w / 16;
        const uint8_t *p = f->rgb + ((size_t)y * f->w + x) * 3;
        for (int c = 0; c < 3; c++) {
            int d = abs((int)p[c] - bars[i][c]);
            if (d > worst)
                worst = d;
        }
    }
    return worst;
}

int cap_box_x(const struct sc_frame *f)
{
    int top = f->h * 2 / 3, bh = (f->h - top) / 2;
    int y = top + (f->h - top) / 4 + bh / 2;
    const uint8_t *row = f->rgb + (size_t)y * f->w * 3;
    for (int x = 0; x < f->w; x++)
        if (row[x * 3] > 128 && row[x * 3 + 1] > 128 && row[x * 3 + 2] > 128)
            return x;
    return -1;
}

struct sc_capture *cap_start(const struct sc_source_driver *drv,
                             const struct sc_source_request *req, int slots,
                             enum sc_ring_mode mode, struct sc_ring **ring)
{
    struct sc_error err;
    *ring = NULL;
    ck_assert_int_eq(sc_ring_init(ring, slots, mode, &err), SC_OK);
    struct sc_capture *cap = NULL;
    enum sc_status st = sc_capture_init(&cap, drv, req, *ring, &err);
    ck_assert_msg(st == SC_OK, "the capture did not start: %s", err.msg);
    return cap;
}

struct produced { struct sc_ring *ring; uint64_t count; };

static int produced_enough(void *arg)
{
    struct produced *p = arg;
    struct sc_ring_stats rs;
    sc_ring_get_stats(p->ring, &rs);
    return rs.produced >= p->count;
}

void cap_wait_produced(struct sc_ring *ring, uint64_t count)
{
    struct produced p = {ring, count};
    ck_assert_msg(sc_test_wait(produced_enough, &p, 1, SC_TEST_PATIENCE_MS),
                  "the source committed fewer than %llu frames in %d s",
                  (unsigned long long)count, SC_TEST_PATIENCE_MS / 1000);
}

struct captured { struct sc_capture *cap; uint64_t count; struct sc_capture_status *cs; };

static int captured_enough(void *arg)
{
    struct captured *c = arg;
    sc_capture_get_status(c->cap, c->cs);
    return c->cs->frames_captured >= c->count;
}

void cap_wait_captured(struct sc_capture *cap, uint64_t count, struct sc_capture_status *cs)
{
    struct captured c = {cap, count, cs};
    ck_assert_msg(sc_test_wait(captured_enough, &c, 1, SC_TEST_PATIENCE_MS),
                  "the capture counted %llu frames, not %llu, in %d s",
                  (unsigned long long)cs->frames_captured, (unsigned long long)count,
                  SC_TEST_PATIENCE_MS / 1000);
}

static int fps_measured(void *arg)
{
    struct captured *c = arg;
    sc_capture_get_status(c->cap, c->cs);
    return c->cs->fps > 0;
}

void cap_wait_fps(struct sc_capture *cap, struct sc_capture_status *cs)
{
    struct captured c = {cap, 0, cs};
    ck_assert_msg(sc_test_wait(fps_measured, &c, 10, SC_TEST_PATIENCE_MS),
                  "no measured rate in %d s", SC_TEST_PATIENCE_MS / 1000);
}

void cap_slow_consumer(struct sc_ring *ring, int slots, int n, int w)
{
    enum { MAX_SLOTS = 16 };
    ck_assert_int_le(slots, MAX_SLOTS);
    const uint8_t *addr[MAX_SLOTS];
    long rss0 = 0;
    uint64_t prev = 0, dropped0 = 0;
    for (int i = 0; i < n; i++) {
        struct sc_ring_stats before, rs;
        sc_ring_get_stats(ring, &before);
        const struct sc_frame *f;
        ck_assert_int_eq(sc_ring_read_acquire(ring, SC_TEST_PATIENCE_MS, &f), SC_OK);
        ck_assert_int_eq(f->w, w);
        /* The newest: never older than what was there before the take. */
        ck_assert_msg(before.produced == 0 || f->seq >= before.last_seq,
                      "took frame %llu after %llu was committed",
                      (unsigned long long)f->seq, (unsigned long long)before.last_seq);
        /* Held while `slots` newer ones came: they all follow the last one. */
        ck_assert_msg(i == 0 || f->seq >= prev + (uint64_t)slots,
                      "frame %llu taken after %llu", (unsigned long long)f->seq,
                      (unsigned long long)prev);
        prev = f->seq;
        sc_ring_get_stats(ring, &rs);
        cap_wait_produced(ring, rs.produced + (uint64_t)slots);
        sc_ring_read_release(ring, f);
        if (i == 1) {
            /* The first frame was held while `slots` came: every slot has
             * had a frame, so each has its buffer. */
            sc_ring_get_stats(ring, &rs);
            ck_assert_uint_eq(rs.allocs, (uint64_t)slots);
            for (int k = 0; k < slots; k++) {
                addr[k] = sc_ring_slot_buffer(ring, k);
                ck_assert_ptr_nonnull(addr[k]);
            }
            dropped0 = rs.dropped;
            rss0 = cap_rss_kib();
        }
    }
    struct sc_ring_stats rs;
    sc_ring_get_stats(ring, &rs);
    /* Between two takes at least `slots` frames came and one was taken: the
     * others were dropped. Counted over the takes wholly after the warm-up. */
    ck_assert_msg(rs.dropped - dropped0 >= (uint64_t)(n - 3) * (uint64_t)(slots - 1),
                  "%llu dropped over %d slow takes of a %d-slot ring",
                  (unsigned long long)(rs.dropped - dropped0), n - 3, slots);
    ck_assert_uint_eq(rs.allocs, (uint64_t)slots);
    for (int k = 0; k < slots; k++)
        ck_assert_ptr_eq(addr[k], sc_ring_slot_buffer(ring, k));
    ck_assert_int_lt(cap_rss_kib() - rss0, 1024);
}
