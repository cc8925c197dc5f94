/* The SDL2 window: shows the stylized stream (or original and stylized side
 * by side) with the overlay. Every function here runs on the main thread,
 * the one that called sc_window_init: SDL's rendering and events live there. */
#ifndef SC_WINDOW_H
#define SC_WINDOW_H

#include <stdbool.h>

#include "common/frame.h"
#include "app/window/overlay.h"
#include "common/status.h"

struct sc_window;

struct sc_window_opts {
    const char *title;  /* window title; NULL = "stylecam" (the style is added to it) */
    int w, h;           /* initial size in screen pixels; 0 = 960x540 (a size larger
                           than the display is cut to it) */
    bool fullscreen;    /* start fullscreen (desktop resolution) */
};

/* Opens a resizable window with a renderer (opts may be NULL: defaults).
 * SDL's own SIGINT/SIGTERM handlers are disabled. On failure returns an error
 * with one sentence in err; without a display that is SC_ERR_ARG with
 * "No display is available (...); run with --headless ...". */
enum sc_status sc_window_init(struct sc_window **win,
                              const struct sc_window_opts *opts,
                              struct sc_error *err);

/* Closes the window and shuts SDL's video down; win may be NULL. */
void sc_window_free(struct sc_window **winp);

/* A new frame: copied into the textures (re-created only when the size
 * changes), the original only in compare mode and when given (may be NULL:
 * compare mode then shows the stylized frame alone). Shown by every redraw
 * until the next. Returns SC_OK, or an error with a sentence in err (e.g.
 * SC_ERR_TOO_LARGE when a frame exceeds the renderer's texture size). */
enum sc_status sc_window_show(struct sc_window *win, const struct sc_frame *stylized,
                              const struct sc_frame *original, struct sc_error *err);
/* Draws the last frame shown (none yet: only the overlay and status line)
 * with ov (NULL: no overlay) and presents it; copies no pixels. The title
 * follows ov: "TITLE — STYLE" (plus " (paused)", " ● REC"), just TITLE
 * while ov names no style. */
void sc_window_redraw(struct sc_window *win, const struct sc_overlay *ov);
/* Both in one: show (when stylized is not NULL), then redraw. */
enum sc_status sc_window_present(struct sc_window *win,
                                 const struct sc_frame *stylized,
                                 const struct sc_frame *original,
                                 const struct sc_overlay *ov,
                                 struct sc_error *err);

/* Any thread: makes the main thread's sc_window_wait return SC_UI_WAKE (a
 * frame is waiting, or the start is over). SDL_PushEvent is thread-safe. */
void sc_window_wake(struct sc_window *win);

/* Window-owned display toggles. The window flips them itself on F, C and H
 * (and still reports the action); these let the main loop set or read them. */
void sc_window_set_fullscreen(struct sc_window *win, bool on);
bool sc_window_fullscreen(const struct sc_window *win);
void sc_window_set_compare(struct sc_window *win, bool on);
bool sc_window_compare(const struct sc_window *win);
void sc_window_set_overlay_visible(struct sc_window *win, bool on);
bool sc_window_overlay_visible(const struct sc_window *win);

/* The size to remember: the window's size in screen pixels, and in
 * fullscreen the size it had before (it returns to that). */
void sc_window_size(const struct sc_window *win, int *w, int *h);
/* The title as last set (UTF-8). */
const char *sc_window_title(const struct sc_window *win);
/* The overlay's font file, or NULL when the built-in pixel font draws. */
const char *sc_window_font_file(const struct sc_window *win);

/* The renderer SDL picked ("opengl", "software", ...), for logs. */
const char *sc_window_renderer_name(const struct sc_window *win);

#endif
