/* The ring as the processing thread uses it: several leases held at once
 * (one per frame in the engine, which reads the slot itself, and the last
 * frame), the newest frame still reaching it; a wake that ends a wait with
 * no time limit and comes before any frame committed after it. */
#include <pthread.h>

#include "app/capture/ring.h"
#include "app/process/process.h"
#include "tests/util/sc_test.h"

enum { W = 8, H = 6 };

static void commit(struct sc_ring *r, uint64_t seq)
{
    struct sc_frame *f;
    ck_assert_int_eq(sc_ring_write_acquire(r, W, H, 0, &f), SC_OK);
    f->seq = seq;
    f->rgb[0] = (uint8_t)seq;
    sc_ring_write_commit(r, f);
}

/* Held leases keep their pixels; the newest frame is the one taken. */
START_TEST(test_consumer_holds_several)
{
    struct sc_ring *r;
    struct sc_error err;
    ck_assert(sc_ring_init(&r, SC_PROCESS_RING_SLOTS, SC_RING_LIVE, &err) == SC_OK);
    const struct sc_frame *held[SC_PROCESS_RING_SLOTS - 2];
    uint64_t seq = 0;
    int nheld = SC_PROCESS_RING_SLOTS - 2;
    for (int i = 0; i < nheld; i++) {
        commit(r, ++seq);
        ck_assert_int_eq(sc_ring_read_acquire(r, 0, &held[i]), SC_OK);
        ck_assert_uint_eq(held[i]->seq, seq);
    }
    /* The producer runs laps on the two slots left, never waiting (LIVE). */
    for (int lap = 0; lap < 20; lap++) {
        commit(r, ++seq);
        commit(r, ++seq);
        const struct sc_frame *f;
        ck_assert_int_eq(sc_ring_read_acquire(r, 0, &f), SC_OK);
        ck_assert_uint_eq(f->seq, seq);             /* the newest */
        sc_ring_read_release(r, f);
    }
    for (int i = 0; i < nheld; i++) {
        ck_assert_uint_eq(held[i]->seq, (uint64_t)i + 1);   /* untouched while leased */
        ck_assert_int_eq(held[i]->rgb[0], i + 1);
        sc_ring_read_release(r, held[i]);
    }
    sc_ring_free(&r);
}
END_TEST

/* A wake comes first: then the frame. */
START_TEST(test_wake_before_frames)
{
    struct sc_ring *r;
    struct sc_error err;
    ck_assert(sc_ring_init(&r, 4, SC_RING_LIVE, &err) == SC_OK);
    const struct sc_frame *f;
    sc_ring_wake(r);
    commit(r, 1);
    ck_assert_int_eq(sc_ring_read_acquire(r, -1, &f), SC_AGAIN);
    ck_assert_int_eq(sc_ring_read_acquire(r, -1, &f), SC_OK);
    ck_assert_uint_eq(f->seq, 1);
    sc_ring_read_release(r, f);
    sc_ring_free(&r);
}
END_TEST

static void *wait_forever(void *arg)
{
    const struct sc_frame *f;
    return (void *)(intptr_t)sc_ring_read_acquire(arg, -1, &f);
}

/* A wait with no time limit ends on a wake (the processing thread's orders
 * and terminate), and on terminate. */
START_TEST(test_wake_ends_unlimited_wait)
{
    struct sc_ring *r;
    struct sc_error err;
    ck_assert(sc_ring_init(&r, 4, SC_RING_LIVE, &err) == SC_OK);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, wait_forever, r), 0);
    sc_ring_wake(r);        /* before or during its wait: either way it returns */
    void *rv;
    pthread_join(t, &rv);
    ck_assert_int_eq((int)(intptr_t)rv, SC_AGAIN);
    ck_assert_int_eq(pthread_create(&t, NULL, wait_forever, r), 0);
    sc_ring_terminate(r);
    pthread_join(t, &rv);
    ck_assert_int_eq((int)(intptr_t)rv, SC_EOF);
    sc_ring_free(&r);
}
END_TEST

static const struct sc_test_opts opts = {.name = "ring-leases"};
SC_TEST_MAIN(&opts, test_consumer_holds_several, test_wake_before_frames,
             test_wake_ends_unlimited_wait)
