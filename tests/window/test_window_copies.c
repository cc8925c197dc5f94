/* The window copies a frame into its textures once when it is shown, never
 * on a redraw (the overlay's tick), and the original only in compare mode;
 * a wake from another thread ends sc_window_wait at once. Runs on SDL's
 * dummy driver (SDL_VIDEODRIVER=dummy): no display needed. */
#include <pthread.h>
#include <stdlib.h>

#include "app/output/copies.h"
#include "app/window/input.h"
#include "app/window/window.h"
#include "tests/util/sc_test.h"

enum { W = 32, H = 24 };

static uint64_t textures(void)
{
    struct sc_copies c;
    sc_copies_get(&c);
    return c.n[SC_COPY_TEXTURE];
}

static struct sc_window *open_window(void)
{
    struct sc_window *win;
    struct sc_error err;
    struct sc_window_opts wo = {.w = 160, .h = 120};
    ck_assert_msg(sc_window_init(&win, &wo, &err) == SC_OK, "%s", err.msg);
    return win;
}

START_TEST(test_upload_once_per_frame)
{
    struct sc_copies c;
    sc_copies_get(&c);
    if (!c.enabled)
        return;     /* a release build counts nothing */
    static uint8_t a[W * H * 3], b[W * H * 3];
    struct sc_frame sty = {.rgb = a, .w = W, .h = H}, orig = {.rgb = b, .w = W, .h = H};
    struct sc_window *win = open_window();
    struct sc_error err;
    struct sc_overlay ov = {.show = true};
    uint64_t t0 = textures();
    ck_assert(sc_window_show(win, &sty, &orig, &err) == SC_OK);
    ck_assert_uint_eq(textures() - t0, 1);      /* not in compare mode: no original */
    for (int i = 0; i < 5; i++)
        sc_window_redraw(win, &ov);
    ck_assert_uint_eq(textures() - t0, 1);      /* redraws copy nothing */
    sc_window_set_compare(win, true);
    sc_window_redraw(win, &ov);
    ck_assert_uint_eq(textures() - t0, 1);
    ck_assert(sc_window_show(win, &sty, &orig, &err) == SC_OK);
    ck_assert_uint_eq(textures() - t0, 3);      /* compare adds exactly the original */
    ck_assert(sc_window_show(win, &sty, NULL, &err) == SC_OK);
    ck_assert_uint_eq(textures() - t0, 4);      /* no original came: stylized alone */
    sc_window_free(&win);
}
END_TEST

static void *waker(void *win)
{
    sc_window_wake(win);
    return NULL;
}

START_TEST(test_wake_from_another_thread)
{
    struct sc_window *win = open_window();
    struct sc_ui_event ev;
    while (sc_window_poll(win, &ev))     /* the window's own first events */
        ;
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, waker, win), 0);
    pthread_join(t, NULL);
    /* The patience is a guard only: the wake is already queued. */
    int got = 0;
    while (!got && sc_window_wait(win, &ev, SC_TEST_PATIENCE_MS))
        got = ev.action == SC_UI_WAKE;
    ck_assert(got);
    sc_window_free(&win);
}
END_TEST

static const struct sc_test_opts opts = {.name = "window-copies"};
SC_TEST_MAIN(&opts, test_upload_once_per_frame, test_wake_from_another_thread)
