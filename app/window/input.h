/* Keyboard and window events, translated into the program's actions.
 * Main thread only (the thread that created the window). */
#ifndef SC_INPUT_H
#define SC_INPUT_H

#include <stdint.h>

struct sc_window;

enum sc_ui_action {
    SC_UI_NONE = 0,
    SC_UI_QUIT,          /* Q, Esc, window closed */
    SC_UI_STYLE_INDEX,   /* 1..9: ev.style_index = key - 1 (0-based) */
    SC_UI_STYLE_PREV,    /* Left */
    SC_UI_STYLE_NEXT,    /* Right */
    SC_UI_PAUSE,         /* Space */
    SC_UI_FULLSCREEN,    /* F; the window has already toggled itself */
    SC_UI_COMPARE,       /* C; the window has already toggled compare mode */
    SC_UI_MIRROR,        /* M */
    SC_UI_STRENGTH_UP,   /* +, =, keypad + (repeats while held) */
    SC_UI_STRENGTH_DOWN, /* -, keypad - (repeats while held) */
    SC_UI_KEEP_COLORS,   /* O */
    SC_UI_STABILIZE,     /* T: off, on, strong in turn */
    SC_UI_VCAM,          /* V: start or stop the virtual camera */
    SC_UI_OVERLAY,       /* H; the window has already toggled the panel */
    SC_UI_RECORD,        /* R */
    SC_UI_SNAPSHOT,      /* S */
    SC_UI_DOWNLOAD,      /* D: download the painting styles in the background */
    SC_UI_PICTURE,       /* P: the camera's picture becomes a style */
    SC_UI_BLEND,         /* B: blend with the previous picture style, the camera's own
                            look, off, in turn */
    SC_UI_MIX_DOWN,      /* [: the blend partner's share down (repeats while held) */
    SC_UI_MIX_UP,        /* ]: up */
    SC_UI_DROP,          /* a file dropped on the window: ev.path */
    SC_UI_RESIZED,       /* the window changed size: redraw */
    SC_UI_EXPOSE,        /* the window needs a redraw */
    SC_UI_WAKE,          /* sc_window_wake from another thread */
    SC_UI_ACTION_COUNT
};

struct sc_ui_event {
    enum sc_ui_action action;
    int style_index;     /* SC_UI_STYLE_INDEX only: 0 for key 1, ... 8 for key 9 */
    const char *path;    /* SC_UI_DROP only: the file, valid until the next poll or wait */
};

/* Takes the next event that means something to the program off SDL's queue
 * (others are consumed and skipped). Returns 1 with *ev filled, 0 when the
 * queue is empty. Never blocks. */
int sc_window_poll(struct sc_window *win, struct sc_ui_event *ev);

/* The same, but sleeps in SDL's queue until an event that means something
 * comes or timeout_ms passes (returns 0 then). */
int sc_window_wait(struct sc_window *win, struct sc_ui_event *ev, int timeout_ms);

/* The key table lookup alone, without SDL's queue: maps an SDL keycode
 * (SDLK_*) and modifier mask (KMOD_*) to an action. repeat is 1 for an
 * auto-repeated press, which only the strength keys honour. Returns 1 and
 * fills *ev when the key is bound. */
int sc_input_map_key(int32_t keycode, uint16_t mod, int repeat,
                     struct sc_ui_event *ev);

/* "QUIT", "STYLE_INDEX", ...: the action's name, for logs. */
const char *sc_ui_action_name(enum sc_ui_action action);

#endif
