/* The display mailbox: the newest frame wins, late ones are counted as
 * dropped, and a producer and a consumer thread never see a torn frame. */
#include <check.h>
#include <pthread.h>
#include <string.h>

#include "app/process/mailbox.h"
#include "tests/engine/testutil.h"

enum { W = 8, H = 4, N = W * H * 3, FRAMES = 3000 };

/* Fills buffer i with frame number n everywhere. */
static void produce(struct sc_mailbox *mb, int i, uint64_t n)
{
    struct sc_shown *s = sc_mailbox_back(mb, i, W, H);
    ck_assert_ptr_nonnull(s);
    memset(s->stylized.rgb, (int)(n & 0xff), N);
    memset(s->original.rgb, (int)(n & 0xff), N);
    s->stylized.seq = n;
    sc_mailbox_post(mb, i);
}

START_TEST(test_newest_wins)
{
    struct sc_mailbox *mb;
    struct sc_error err;
    ck_assert(sc_mailbox_init(&mb, &err) == SC_OK);
    ck_assert_ptr_null(sc_mailbox_take(mb, 0));
    ck_assert_ptr_null(sc_mailbox_take(mb, 20));      /* waits, then nothing */
    produce(mb, 0, 1);
    produce(mb, 1, 2);
    produce(mb, 0, 3);
    const struct sc_shown *s = sc_mailbox_take(mb, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->stylized.seq, 3);
    ck_assert_int_eq(s->stylized.rgb[0], 3);
    ck_assert_uint_eq(sc_mailbox_dropped(mb), 2);       /* 1 and 2 came too late */
    ck_assert_ptr_null(sc_mailbox_take(mb, 0));         /* nothing newer */
    ck_assert_uint_eq(s->stylized.seq, 3);              /* still on screen */
    sc_mailbox_free(&mb);
}
END_TEST

static void *producer(void *arg)
{
    struct sc_mailbox *mb = arg;
    for (uint64_t n = 1; n <= FRAMES; n++)
        produce(mb, (int)(n % SC_MAILBOX_BACKS), n);
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
    while (last < FRAMES) {
        const struct sc_shown *s = sc_mailbox_take(mb, 50);
        if (!s)
            continue;
        ck_assert_uint_gt(s->stylized.seq, last);       /* never an older frame */
        for (int i = 0; i < N; i++)                     /* never a torn one */
            ck_assert_int_eq(s->stylized.rgb[i], (int)(s->stylized.seq & 0xff));
        last = s->stylized.seq;
        taken++;
    }
    pthread_join(t, NULL);
    ck_assert_uint_eq(taken + sc_mailbox_dropped(mb), FRAMES);
    sc_mailbox_free(&mb);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mailbox");
    TCase *tc = tcase_create("mailbox");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_newest_wins);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return sc_test_run(s);
}
