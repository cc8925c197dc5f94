/* Unit tests for the window stage's display-free parts: the key table and
 * the overlay's text formatting. */
#include <SDL.h>
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/window/input.h"
#include "app/window/overlay.h"
#include "tests/util/sc_test.h"

static struct sc_ui_event map(int32_t key, uint16_t mod, int repeat, int *bound)
{
    struct sc_ui_event ev = {SC_UI_NONE, -1, NULL};
    *bound = sc_input_map_key(key, mod, repeat, &ev);
    return ev;
}

START_TEST(keys_map_to_actions)
{
    static const struct { int32_t key; enum sc_ui_action action; } cases[] = {
        {SDLK_q, SC_UI_QUIT}, {SDLK_ESCAPE, SC_UI_QUIT}, {SDLK_LEFT, SC_UI_STYLE_PREV},
        {SDLK_RIGHT, SC_UI_STYLE_NEXT}, {SDLK_SPACE, SC_UI_PAUSE}, {SDLK_f, SC_UI_FULLSCREEN},
        {SDLK_c, SC_UI_COMPARE}, {SDLK_m, SC_UI_MIRROR}, {SDLK_PLUS, SC_UI_STRENGTH_UP},
        {SDLK_EQUALS, SC_UI_STRENGTH_UP}, {SDLK_KP_PLUS, SC_UI_STRENGTH_UP},
        {SDLK_MINUS, SC_UI_STRENGTH_DOWN}, {SDLK_KP_MINUS, SC_UI_STRENGTH_DOWN},
        {SDLK_o, SC_UI_KEEP_COLORS}, {SDLK_t, SC_UI_STABILIZE}, {SDLK_h, SC_UI_OVERLAY},
        {SDLK_r, SC_UI_RECORD}, {SDLK_s, SC_UI_SNAPSHOT}, {SDLK_d, SC_UI_DOWNLOAD},
        {SDLK_p, SC_UI_PICTURE}, {SDLK_b, SC_UI_BLEND}, {SDLK_LEFTBRACKET, SC_UI_MIX_DOWN},
        {SDLK_RIGHTBRACKET, SC_UI_MIX_UP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int bound;
        struct sc_ui_event ev = map(cases[i].key, KMOD_NONE, 0, &bound);
        ck_assert_msg(bound, "key %d is not bound", cases[i].key);
        ck_assert_msg(ev.action == cases[i].action, "key %d gave %s, wanted %s",
                      cases[i].key, sc_ui_action_name(ev.action),
                      sc_ui_action_name(cases[i].action));
    }
}
END_TEST

START_TEST(digits_pick_styles)
{
    for (int d = 1; d <= 9; d++) {
        int bound;
        struct sc_ui_event ev = map(SDLK_0 + d, KMOD_NONE, 0, &bound);
        ck_assert_int_eq(bound, 1);
        ck_assert_int_eq(ev.action, SC_UI_STYLE_INDEX);
        ck_assert_int_eq(ev.style_index, d - 1);
    }
    int bound;
    map(SDLK_0, KMOD_NONE, 0, &bound);
    ck_assert_int_eq(bound, 0);
}
END_TEST

START_TEST(repeats_and_chords)
{
    int bound;
    map(SDLK_RIGHTBRACKET, KMOD_NONE, 1, &bound);
    ck_assert_int_eq(bound, 1);               /* held ] keeps moving the mix */
    map(SDLK_p, KMOD_NONE, 1, &bound);
    ck_assert_int_eq(bound, 0);               /* a held P adds one style, not many */
    struct sc_ui_event ev = map(SDLK_EQUALS, KMOD_SHIFT, 1, &bound);
    ck_assert_int_eq(bound, 1);               /* held '+' keeps raising */
    ck_assert_int_eq(ev.action, SC_UI_STRENGTH_UP);
    map(SDLK_f, KMOD_NONE, 1, &bound);
    ck_assert_int_eq(bound, 0);               /* a held F must not flicker */
    map(SDLK_q, KMOD_LCTRL, 0, &bound);
    ck_assert_int_eq(bound, 0);               /* chords are the desktop's */
    map(SDLK_x, KMOD_NONE, 0, &bound);
    ck_assert_int_eq(bound, 0);
}
END_TEST

START_TEST(action_names)
{
    ck_assert_str_eq(sc_ui_action_name(SC_UI_QUIT), "QUIT");
    ck_assert_str_eq(sc_ui_action_name(SC_UI_EXPOSE), "EXPOSE");
    ck_assert_str_eq(sc_ui_action_name(SC_UI_ACTION_COUNT), "UNKNOWN");
    for (int a = 0; a < SC_UI_ACTION_COUNT; a++)
        ck_assert_str_ne(sc_ui_action_name(a), "UNKNOWN");
}
END_TEST

START_TEST(elapsed_format)
{
    char s[16];
    sc_overlay_format_elapsed(0, s);
    ck_assert_str_eq(s, "00:00");
    sc_overlay_format_elapsed(83.9, s);
    ck_assert_str_eq(s, "01:23");
    sc_overlay_format_elapsed(3600 + 5, s);
    ck_assert_str_eq(s, "60:05");
    sc_overlay_format_elapsed(-4, s);
    ck_assert_str_eq(s, "00:00");
    sc_overlay_format_elapsed(NAN, s);
    ck_assert_str_eq(s, "00:00");
    sc_overlay_format_elapsed(1e300, s);
    ck_assert_int_le(strlen(s), 15);
}
END_TEST

START_TEST(panel_lines)
{
    struct sc_overlay ov = {.style_name = "candy", .fps = 24.04, .engine_ms = 31.25,
                            .dropped = 7, .latency_ms = 80.4, .strength = 65,
                            .keep_colors = true, .paused = true, .stabilize = 2};
    char lines[SC_OVERLAY_MAX_LINES][SC_OVERLAY_LINE_LEN];
    int n = sc_overlay_format_lines(&ov, lines);
    ck_assert_int_eq(n, 4);
    ck_assert_str_eq(lines[0], "candy   PAUSED");
    ck_assert_str_eq(lines[1], "24.0 fps   engine 31.2 ms   latency 80 ms");
    ck_assert_str_eq(lines[2], "dropped 7   strength 65%");
    ck_assert_str_eq(lines[3], "keep colours on   mirror off   stabilize strong");
    ov.infer_w = 320;   /* the network runs below the frame's size */
    ov.infer_h = 240;
    sc_overlay_format_lines(&ov, lines);
    ck_assert_str_eq(lines[2], "dropped 7   strength 65%   network 320x240");

    /* A blend is a line of its own, above the virtual camera's. */
    snprintf(ov.blend, sizeof ov.blend, "blend: 60%% coffee + 40%% chelsea   [ ] mix");
    ov.vcam = true;
    n = sc_overlay_format_lines(&ov, lines);
    ck_assert_int_eq(n, 6);
    ck_assert_str_eq(lines[4], "blend: 60% coffee + 40% chelsea   [ ] mix");
    ck_assert_str_eq(lines[5], "virtual camera: starting...");

    struct sc_overlay empty = {0};
    sc_overlay_format_lines(&empty, lines);
    ck_assert_str_eq(lines[0], "(no style)");
    ck_assert_str_eq(lines[1], "-- fps   engine -- ms   latency -- ms");
}
END_TEST

static const struct sc_test_opts opts = {.name = "window", .flags = SC_TEST_FORK};
SC_TEST_MAIN(&opts, keys_map_to_actions, digits_pick_styles, repeats_and_chords, action_names,
             elapsed_format, panel_lines)
