/* Events to actions. Keys are looked up in a table, not a switch, so a
 * binding is one line of data. */
#include "app/window/input.h"
#include "app/window/window.h"
#include "app/window/window_priv.h"

#include <stdio.h>

struct key_binding {
    SDL_Keycode key;
    enum sc_ui_action action;
    int style_index;    /* SC_UI_STYLE_INDEX only */
    bool repeats;       /* honour auto-repeat (held key) */
};

static const struct key_binding key_table[] = {
    {SDLK_q, SC_UI_QUIT, 0, false},
    {SDLK_ESCAPE, SC_UI_QUIT, 0, false},
    {SDLK_1, SC_UI_STYLE_INDEX, 0, false},
    {SDLK_2, SC_UI_STYLE_INDEX, 1, false},
    {SDLK_3, SC_UI_STYLE_INDEX, 2, false},
    {SDLK_4, SC_UI_STYLE_INDEX, 3, false},
    {SDLK_5, SC_UI_STYLE_INDEX, 4, false},
    {SDLK_6, SC_UI_STYLE_INDEX, 5, false},
    {SDLK_7, SC_UI_STYLE_INDEX, 6, false},
    {SDLK_8, SC_UI_STYLE_INDEX, 7, false},
    {SDLK_9, SC_UI_STYLE_INDEX, 8, false},
    {SDLK_LEFT, SC_UI_STYLE_PREV, 0, true},
    {SDLK_RIGHT, SC_UI_STYLE_NEXT, 0, true},
    {SDLK_SPACE, SC_UI_PAUSE, 0, false},
    {SDLK_f, SC_UI_FULLSCREEN, 0, false},
    {SDLK_c, SC_UI_COMPARE, 0, false},
    {SDLK_m, SC_UI_MIRROR, 0, false},
    {SDLK_PLUS, SC_UI_STRENGTH_UP, 0, true},
    {SDLK_EQUALS, SC_UI_STRENGTH_UP, 0, true},   /* '+' unshifted on US layouts */
    {SDLK_KP_PLUS, SC_UI_STRENGTH_UP, 0, true},
    {SDLK_MINUS, SC_UI_STRENGTH_DOWN, 0, true},
    {SDLK_KP_MINUS, SC_UI_STRENGTH_DOWN, 0, true},
    {SDLK_o, SC_UI_KEEP_COLORS, 0, false},
    {SDLK_t, SC_UI_STABILIZE, 0, false},
    {SDLK_v, SC_UI_VCAM, 0, false},
    {SDLK_h, SC_UI_OVERLAY, 0, false},
    {SDLK_r, SC_UI_RECORD, 0, false},
    {SDLK_s, SC_UI_SNAPSHOT, 0, false},
    {SDLK_d, SC_UI_DOWNLOAD, 0, false},
    {SDLK_p, SC_UI_PICTURE, 0, false},
    {SDLK_b, SC_UI_BLEND, 0, false},
    {SDLK_LEFTBRACKET, SC_UI_MIX_DOWN, 0, true},
    {SDLK_RIGHTBRACKET, SC_UI_MIX_UP, 0, true},
};

static const char *const action_names[SC_UI_ACTION_COUNT] = {
    [SC_UI_NONE] = "NONE",
    [SC_UI_QUIT] = "QUIT",
    [SC_UI_STYLE_INDEX] = "STYLE_INDEX",
    [SC_UI_STYLE_PREV] = "STYLE_PREV",
    [SC_UI_STYLE_NEXT] = "STYLE_NEXT",
    [SC_UI_PAUSE] = "PAUSE",
    [SC_UI_FULLSCREEN] = "FULLSCREEN",
    [SC_UI_COMPARE] = "COMPARE",
    [SC_UI_MIRROR] = "MIRROR",
    [SC_UI_STRENGTH_UP] = "STRENGTH_UP",
    [SC_UI_STRENGTH_DOWN] = "STRENGTH_DOWN",
    [SC_UI_KEEP_COLORS] = "KEEP_COLORS",
    [SC_UI_STABILIZE] = "STABILIZE",
    [SC_UI_VCAM] = "VCAM",
    [SC_UI_OVERLAY] = "OVERLAY",
    [SC_UI_RECORD] = "RECORD",
    [SC_UI_SNAPSHOT] = "SNAPSHOT",
    [SC_UI_DOWNLOAD] = "DOWNLOAD",
    [SC_UI_PICTURE] = "PICTURE",
    [SC_UI_BLEND] = "BLEND",
    [SC_UI_MIX_DOWN] = "MIX_DOWN",
    [SC_UI_MIX_UP] = "MIX_UP",
    [SC_UI_DROP] = "DROP",
    [SC_UI_RESIZED] = "RESIZED",
    [SC_UI_EXPOSE] = "EXPOSE",
    [SC_UI_WAKE] = "WAKE",
};

const char *sc_ui_action_name(enum sc_ui_action action)
{
    if ((unsigned)action >= SC_UI_ACTION_COUNT || !action_names[action])
        return "UNKNOWN";
    return action_names[action];
}

int sc_input_map_key(int32_t keycode, uint16_t mod, int repeat,
                     struct sc_ui_event *ev)
{
    /* Chords belong to the desktop (Alt+Tab, Ctrl+Q in other apps). */
    if (mod & (KMOD_CTRL | KMOD_ALT | KMOD_GUI))
        return 0;
    for (size_t i = 0; i < sizeof key_table / sizeof key_table[0]; i++) {
        const struct key_binding *b = &key_table[i];
        if (b->key != keycode)
            continue;
        if (repeat && !b->repeats)
            return 0;
        ev->action = b->action;
        ev->style_index = b->style_index;
        return 1;
    }
    return 0;
}

/* Toggles the window handles itself, before the main loop hears of them. */
static void apply_own(struct sc_window *win, enum sc_ui_action action)
{
    if (action == SC_UI_FULLSCREEN)
        sc_window_set_fullscreen(win, !win->fullscreen);
    else if (action == SC_UI_COMPARE)
        win->compare = !win->compare;
    else if (action == SC_UI_OVERLAY)
        win->overlay_visible = !win->overlay_visible;
}

static int map_window_event(const SDL_WindowEvent *we, struct sc_ui_event *ev)
{
    switch (we->event) {
    case SDL_WINDOWEVENT_CLOSE: ev->action = SC_UI_QUIT; return 1;
    case SDL_WINDOWEVENT_SIZE_CHANGED: ev->action = SC_UI_RESIZED; return 1;
    case SDL_WINDOWEVENT_EXPOSED: ev->action = SC_UI_EXPOSE; return 1;
    default: return 0;
    }
}

/* The action e means, if any (0: none). */
static int translate(struct sc_window *win, const SDL_Event *e, struct sc_ui_event *ev)
{
    *ev = (struct sc_ui_event){SC_UI_NONE, 0, NULL};
    if (e->type == SDL_DROPFILE) {
        /* SDL's copy is freed at once; the path lives in the window until
         * the next drop. */
        snprintf(win->dropped, sizeof win->dropped, "%s", e->drop.file ? e->drop.file : "");
        SDL_free(e->drop.file);
        ev->action = SC_UI_DROP;
        ev->path = win->dropped;
        return win->dropped[0] != '\0';
    }
    if (e->type == SDL_QUIT) {
        ev->action = SC_UI_QUIT;
        return 1;
    }
    if (e->type == win->wake_event) {
        ev->action = SC_UI_WAKE;
        return 1;
    }
    if (e->type == SDL_WINDOWEVENT)
        return map_window_event(&e->window, ev);
    if (e->type == SDL_KEYDOWN &&
        sc_input_map_key(e->key.keysym.sym, e->key.keysym.mod, e->key.repeat, ev)) {
        apply_own(win, ev->action);
        return 1;
    }
    return 0;
}

int sc_window_poll(struct sc_window *win, struct sc_ui_event *ev)
{
    SDL_Event e;
    while (SDL_PollEvent(&e))
        if (translate(win, &e, ev))
            return 1;
    return 0;
}

int sc_window_wait(struct sc_window *win, struct sc_ui_event *ev, int timeout_ms)
{
    Uint64 until = SDL_GetTicks64() + (Uint64)(timeout_ms > 0 ? timeout_ms : 0);
    SDL_Event e;
    for (;;) {
        Uint64 now = SDL_GetTicks64();
        if (now >= until)
            return sc_window_poll(win, ev);
        if (!SDL_WaitEventTimeout(&e, (int)(until - now)))
            return 0;
        if (translate(win, &e, ev))
            return 1;
    }
}
