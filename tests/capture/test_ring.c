/* Ring unit tests: drop-oldest, newest delivered, lossless blocking, counts,
 * terminate wakes both sides. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "app/capture/ring.h"
#include "common/clock.h"
#include "cap_util.h"
#include "tests/util/sc_test.h"

static struct sc_ring *make(int n, enum sc_ring_mode m)
{
    struct sc_ring *r = NULL;
    struct sc_error err;
    ck_assert_int_eq(sc_ring_init(&r, n, m, &err), SC_OK);
    return r;
}

static void put(struct sc_ring *r, uint64_t seq)
{
    struct sc_frame *f;
    ck_assert_int_eq(sc_ring_write_acquire(r, 8, 4, 100, &f), SC_OK);
    f->rgb[0] = (uint8_t)seq;
    f->seq = seq;
    f->pts_us = sc_now_us();
    sc_ring_write_commit(r, f);
}

START_TEST(test_bad_args)
{
    struct sc_ring *r = NULL;
    struct sc_error err;
    ck_assert_int_eq(sc_ring_init(&r, 2, SC_RING_LIVE, &err), SC_ERR_ARG);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(err.msg, "3 to 16"));
}
END_TEST

START_TEST(test_live_newest_and_drop_oldest)
{
    struct sc_ring *r = make(4, SC_RING_LIVE);
    for (uint64_t s = 0; s < 10; s++)   /* never blocks although nobody reads */
        put(r, s);
    const struct sc_frame *f;
    ck_assert_int_eq(sc_ring_read_acquire(r, 100, &f), SC_OK);
    ck_assert_uint_eq(f->seq, 9);
    ck_assert_int_eq(f->rgb[0], 9);
    ck_assert_int_eq(f->w, 8);
    ck_assert_int_eq(f->h, 4);
    sc_ring_read_release(r, f);
    struct sc_ring_stats st;
    sc_ring_get_stats(r, &st);
    ck_assert_uint_eq(st.produced, 10);
    ck_assert_uint_eq(st.consumed, 1);
    ck_assert_uint_eq(st.dropped, 9);
    ck_assert_uint_eq(st.last_seq, 9);
    ck_assert_uint_eq(st.allocs, 4);    /* one buffer per slot, ever */
    /* Nothing left: the consumer times out. */
    ck_assert_int_eq(sc_ring_read_acquire(r, 20, &f), SC_AGAIN);
    sc_ring_free(&r);
    ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_live_producer_keeps_newest_while_reader_holds)
{
    struct sc_ring *r = make(3, SC_RING_LIVE);
    put(r, 1);
    const struct sc_frame *held;
    ck_assert_int_eq(sc_ring_read_acquire(r, 100, &held), SC_OK);
    for (uint64_t s = 2; s < 8; s++)    /* two slots left: overwrite the oldest */
        put(r, s);
    ck_assert_uint_eq(held->seq, 1);    /* the leased slot was never touched */
    const struct sc_frame *f;
    sc_ring_read_release(r, held);
    ck_assert_int_eq(sc_ring_read_acquire(r, 100, &f), SC_OK);
    ck_assert_uint_eq(f->seq, 7);
    sc_ring_read_release(r, f);
    sc_ring_free(&r);
}
END_TEST

START_TEST(test_lossless_order_and_blocking)
{
    struct sc_ring *r = make(3, SC_RING_LOSSLESS);
    put(r, 0);
    put(r, 1);
    put(r, 2);
    struct sc_frame *w;
    int64_t t0 = sc_now_us();
    ck_assert_int_eq(sc_ring_write_acquire(r, 8, 4, 50, &w), SC_AGAIN);   /* full: waits */
    ck_assert_int_ge(sc_now_us() - t0, 45000);
    for (uint64_t s = 0; s < 3; s++) {
        const struct sc_frame *f;
        ck_assert_int_eq(sc_ring_read_acquire(r, 100, &f), SC_OK);
        ck_assert_uint_eq(f->seq, s);   /* in order, none dropped */
        sc_ring_read_release(r, f);
    }
    struct sc_ring_stats st;
    sc_ring_get_stats(r, &st);
    ck_assert_uint_eq(st.dropped, 0);
    sc_ring_post_eos(r);
    const struct sc_frame *f;
    ck_assert_int_eq(sc_ring_read_acquire(r, 100, &f), SC_EOF);
    sc_ring_free(&r);
}
END_TEST

struct feeder { struct sc_ring *r; int n; };

static void *feed(void *arg)
{
    struct feeder *fd = arg;
    for (int i = 0; i < fd->n; i++) {
        struct sc_frame *f;
        enum sc_status st;
        while ((st = sc_ring_write_acquire(fd->r, 16, 16, 100, &f)) == SC_AGAIN)
            ;
        if (st != SC_OK)
            return NULL;
        f->seq = (uint64_t)i;
        sc_ring_write_commit(fd->r, f);
    }
    sc_ring_post_eos(fd->r);
    return NULL;
}

START_TEST(test_lossless_threaded_no_loss)
{
    struct sc_ring *r = make(4, SC_RING_LOSSLESS);
    struct feeder fd = { r, 500 };
    pthread_t t;
    pthread_create(&t, NULL, feed, &fd);
    uint64_t expect = 0;
    const struct sc_frame *f;
    enum sc_status st;
    while ((st = sc_ring_read_acquire(r, 1000, &f)) == SC_OK) {
        ck_assert_uint_eq(f->seq, expect);
        expect++;
        if (expect % 50 == 0)
            sc_test_sleep_ms(5);        /* a slow consumer stalls the producer */
        sc_ring_read_release(r, f);
    }
    ck_assert_int_eq(st, SC_EOF);
    ck_assert_uint_eq(expect, 500);
    pthread_join(t, NULL);
    sc_ring_free(&r);
}
END_TEST

/* Long enough that a wait which terminate did not wake ends in SC_AGAIN
 * well before the test's time-out. */
enum { WAIT_MS = 30000 };

struct waiter {
    struct sc_ring *r;
    int writer;
    atomic_int tid;         /* set just before the wait */
    enum sc_status st;
};

static void *wait_side(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, sc_test_gettid());
    if (w->writer) {
        struct sc_frame *f;
        w->st = sc_ring_write_acquire(w->r, 8, 8, WAIT_MS, &f);
    } else {
        const struct sc_frame *f;
        w->st = sc_ring_read_acquire(w->r, WAIT_MS, &f);
    }
    return NULL;
}

/* The waiter is asleep: past its tid, the only sleep is inside the wait. */
static int asleep(void *arg)
{
    struct waiter *w = arg;
    int tid = atomic_load(&w->tid);
    return tid && sc_test_thread_state(tid) == 'S';
}

START_TEST(test_terminate_wakes_both)
{
    struct sc_ring *r = make(3, SC_RING_LOSSLESS);
    struct sc_ring *e = make(3, SC_RING_LOSSLESS);
    put(r, 0);
    put(r, 1);
    put(r, 2);          /* r full: its writer blocks; e empty: its reader blocks */
    struct waiter w = { .r = r, .writer = 1 }, rd = { .r = e, .writer = 0 };
    pthread_t t1, t2;
    pthread_create(&t1, NULL, wait_side, &w);
    pthread_create(&t2, NULL, wait_side, &rd);
    /* Both blocked in the ring before terminate (not merely started). */
    ck_assert(sc_test_wait(asleep, &w, 1, SC_TEST_PATIENCE_MS));
    ck_assert(sc_test_wait(asleep, &rd, 1, SC_TEST_PATIENCE_MS));
    sc_ring_terminate(r);
    sc_ring_terminate(e);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    /* Woken by terminate: a wait left to time out would say SC_AGAIN. */
    ck_assert_int_eq(w.st, SC_EOF);
    ck_assert_int_eq(rd.st, SC_EOF);
    sc_ring_free(&r);
    sc_ring_free(&e);
}
END_TEST

START_TEST(test_realloc_only_on_size_change)
{
    struct sc_ring *r = make(3, SC_RING_LIVE);
    for (int i = 0; i < 30; i++)
        put(r, (uint64_t)i);
    const uint8_t *a[3];
    for (int i = 0; i < 3; i++)
        a[i] = sc_ring_slot_buffer(r, i);
    for (int i = 30; i < 300; i++)
        put(r, (uint64_t)i);
    struct sc_ring_stats st;
    sc_ring_get_stats(r, &st);
    ck_assert_uint_eq(st.allocs, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_ptr_eq(a[i], sc_ring_slot_buffer(r, i));
    /* A bigger frame size reallocates each slot once. */
    for (int i = 0; i < 30; i++) {
        struct sc_frame *f;
        ck_assert_int_eq(sc_ring_write_acquire(r, 64, 48, 100, &f), SC_OK);
        ck_assert_int_eq(f->w, 64);
        f->rgb[64 * 48 * 3 - 1] = 1;
        sc_ring_write_commit(r, f);
    }
    sc_ring_get_stats(r, &st);
    ck_assert_uint_eq(st.allocs, 6);
    sc_ring_free(&r);
}
END_TEST

static const struct sc_test_opts opts = {.name = "ring", .flags = SC_TEST_FORK, .timeout_s = 120};
SC_TEST_MAIN(&opts, test_bad_args, test_live_newest_and_drop_oldest,
             test_live_producer_keeps_newest_while_reader_holds, test_lossless_order_and_blocking,
             test_lossless_threaded_no_loss, test_terminate_wakes_both,
             test_realloc_only_on_size_change)
