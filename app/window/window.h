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
    const char *title;  /* window title; NULL = "stylecam" */
    int w, h;           /* initial size in screen pixels; 0 = 960x540 */
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

/* Draws one picture and presents it. stylized may be NULL (nothing to show
 * yet: only the overlay and status line are drawn); original may be NULL
 * (compare mode then shows the stylized frame alone). ov may be NULL (no
 * overlay). Frames are copied into textures that are re-created only when a
 * frame's size changes. Returns SC_OK, or an error with a sentence in err
 * (e.g. SC_ERR_TOO_LARGE when a frame exceeds the renderer's texture size). */
enum sc_status sc_window_present(struct sc_window *win,
                                 const struct sc_frame *stylized,
                                 const struct sc_frame *original,
                                 const struct sc_overlay *ov,
                                 struct sc_error *err);

/* Window-owned display toggles. The window flips them itself on F, C and H
 * (and still reports the action); these let the main loop set or read them. */
void sc_window_set_fullscreen(struct sc_window *win, bool on);
bool sc_window_fullscreen(const struct sc_window *win);
void sc_window_set_compare(struct sc_window *win, bool on);
bool sc_window_compare(const struct sc_window *win);
void sc_window_set_overlay_visible(struct sc_window *win, bool on);
bool sc_window_overlay_visible(const struct sc_window *win);

/* The renderer SDL picked ("opengl", "software", ...), for logs. */
const char *sc_window_renderer_name(const struct sc_window *win);

#endif
