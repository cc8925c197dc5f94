/* The display mailbox: the newest frame wins, late ones are counted as
 * dropped, a producer and a consumer thread never see a torn frame, the
 * notify hook fires once per frame waiting, and the end is seen after the
 * last frame. */
#include <check.h>
#include <pthread.h>
#include <string.h>

#include "app/output/mailbox.h"
#include "tests/util/sc_test.h"

enum { W = 8, H = 4, N = W * H * 3, FRAMES = 3000 };

/* Fills buffer i with frame number n everywhere. */
static void produce(struct sc_mailbox *mb, int i, uint64_t n)
{
    struct sc_shown *s = sc_mailbox_back(mb, i, W, H, 0);
    ck_assert_ptr_nonnull(s);
    memset(s->stylized.rgb, (int)(n & 0xff), N);
    s->stylized.seq = n;
    sc_mailbox_post(mb, i);
}

static const struct sc_shown *take(struct sc_mailbox *mb, int timeout_ms)
{
    const struct sc_shown *s = NULL;
    enum sc_status st = sc_mailbox_take(mb, timeout_ms, &s);
    ck_assert(st == SC_OK || st == SC_AGAIN);
    return st == SC_OK ? s : NULL;
}

START_TEST(test_newest_wins)
{
    struct sc_mailbox *mb;
    struct sc_error err;
    ck_assert(sc_mailbox_init(&mb, &err) == SC_OK);
    ck_assert_ptr_null(take(mb, 0));
    ck_assert_ptr_null(take(mb, 20));      /* waits, then nothing */
    produce(mb, 0, 1);
    produce(mb, 1, 2);
    produce(mb, 0, 3);
    const struct sc_shown *s = take(mb, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->stylized.seq, 3);
    ck_assert_int_eq(s->stylized.rgb[0], 3);
    ck_assert_uint_eq(s->n, 3);                         /* the third post */
    ck_assert_uint_eq(sc_mailbox_dropped(mb), 2);       /* 1 and 2 came too late */
    ck_assert_ptr_null(take(mb, 0));                    /* nothing newer */
    ck_assert_uint_eq(s->stylized.seq, 3);              /* still on screen */
    sc_mailbox_free(&mb);
}
END_TEST

static int notified;

static void count_notify(void *ctx)
{
    (void)ctx;
    notified++;
}

/* One wake per frame waiting (a replaced frame's wake is still pending),
 * none after the hook is removed; the end wakes too and comes after the
 * last frame is taken. */
START_TEST(test_notify_and_end)
{
    struct sc_mailbox *mb;
    struct sc_error err;
    ck_assert(sc_mailbox_init(&mb, &err) == SC_OK);
    notified = 0;
    sc_mailbox_set_notify(mb, count_notify, NULL);
    produce(mb, 0, 1);
    ck_assert_int_eq(notified, 1);
    produce(mb, 1, 2);                  /* replaces 1: no second wake */
    ck_assert_int_eq(notified, 1);
    ck_assert_ptr_nonnull(take(mb, 0));
    produce(mb, 0, 3);
    ck_assert_int_eq(notified, 2);
    sc_mailbox_end(mb);
    ck_assert_int_eq(notified, 3);
    const struct sc_shown *s;
    ck_assert_int_eq(sc_mailbox_take(mb, 0, &s), SC_OK);   /* the last frame first */
    ck_assert_uint_eq(s->n, 3);
    ck_assert_int_eq(sc_mailbox_take(mb, -1, &s), SC_EOF); /* then the end, at once */
    sc_mailbox_set_notify(mb, NULL, NULL);
    produce(mb, 1, 4);
    ck_assert_int_eq(notified, 3);
    sc_mailbox_free(&mb);
}
END_TEST

/* The original is allocated and flagged only while the consumer wants it. */
START_TEST(test_original_on_request)
{
    struct sc_mailbox *mb;
    struct sc_error err;
    ck_assert(sc_mailbox_init(&mb, &err) == SC_OK);
    ck_assert_int_eq(sc_mailbox_wants_original(mb), 0);
    struct sc_shown *s = sc_mailbox_back(mb, 0, W, H, sc_mailbox_wants_original(mb));
    ck_assert_ptr_null(s->original.rgb);
    ck_assert_int_eq(s->with_original, 0);
    sc_mailbox_want_original(mb, 1);
    s = sc_mailbox_back(mb, 0, W, H, sc_mailbox_wants_original(mb));
    ck_assert_ptr_nonnull(s->original.rgb);
    ck_assert_int_eq(s->with_original, 1);
    sc_mailbox_free(&mb);
}
END_TEST

static void *producer(void *arg)
{
    struct sc_mailbox *mb = arg;
    for (uint64_t n = 1; n <= FRAMES; n++)
        produce(mb, (int)(n % SC_MAILBOX_BACKS), n);
    sc_mailbox_end(mb);
    return NULL;
}

START_TEST(test_threads)
{
    struct sc_mailbox *mb;
    struct sc_error err;
    ck_assert(sc_mailbox_init(&mb, &err) == SC_OK);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, producer, mb), 0);
    uint64_t last = 0, taken = 0;
    const struct sc_shown *s;
    enum sc_status st;
    while ((st = sc_mailbox_take(mb, -1, &s)) == SC_OK) {
        ck_assert_uint_gt(s->stylized.seq, last);       /* never an older frame */
        ck_assert_uint_eq(s->n, s->stylized.seq);       /* posts are numbered */
        for (int i = 0; i < N; i++)                     /* never a torn one */
            ck_assert_int_eq(s->stylized.rgb[i], (int)(s->stylized.seq & 0xff));
        last = s->stylized.seq;
        taken++;
    }
    ck_assert_int_eq(st, SC_EOF);
    ck_assert_uint_eq(last, FRAMES);                    /* the last is never dropped */
    pthread_join(t, NULL);
    ck_assert_uint_eq(taken + sc_mailbox_dropped(mb), FRAMES);
    sc_mailbox_free(&mb);
}
END_TEST

static const struct sc_test_opts opts = {.name = "mailbox"};
SC_TEST_MAIN(&opts, test_newest_wins, test_notify_and_end, test_original_on_request,
             test_threads)
