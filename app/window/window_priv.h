/* Private to app/window: the window's state and the drawing helpers.
 * Everything here is touched by the main thread only, so nothing is locked
 * (wake_event is set before any other thread can see the window). */
#ifndef SC_WINDOW_PRIV_H
#define SC_WINDOW_PRIV_H

#include <SDL.h>
#include <stdbool.h>

#include "app/window/overlay.h"

struct sc_text;

/* A streaming RGB24 texture kept while frames keep their size. */
struct sc_window_tex {
    SDL_Texture *tex;
    int w, h;
};

struct sc_window {
    SDL_Window *window;
    SDL_Renderer *renderer;
    struct sc_window_tex stylized;  /* the stream that is shown */
    struct sc_window_tex original;  /* compare mode's left picture */
    bool shown;                     /* stylized holds a frame to draw */
    bool shown_original;            /* original holds that frame's original */
    Uint32 wake_event;              /* SDL user event type for sc_window_wake */
    struct sc_text *text;           /* glyph buffers, allocated once */
    bool fullscreen;
    bool compare;
    bool overlay_visible;           /* the H toggle */
};

/* text.c: stb_easy_font text as SDL_RenderGeometry triangles. */
struct sc_text *sc_text_new(void);
void sc_text_free(struct sc_text *t);
/* Size of s in pixels at scale (s is clipped at SC_TEXT_MAX_CHARS). */
float sc_text_width(struct sc_text *t, const char *s, float scale);
float sc_text_line_height(float scale);
/* Draws s with its top-left corner at (x, y). */
void sc_text_draw(struct sc_text *t, SDL_Renderer *r, float x, float y,
                  float scale, const char *s, SDL_Color c);
/* A filled disc (the recording mark). */
void sc_text_disc(struct sc_text *t, SDL_Renderer *r, float cx, float cy,
                  float radius, SDL_Color c);
enum { SC_TEXT_MAX_CHARS = 400 };

/* overlay.c: draws the panel, help, recording mark and status line over the
 * whole output (ow x oh pixels). */
void sc_overlay_draw(struct sc_text *t, SDL_Renderer *r, int ow, int oh,
                     const struct sc_overlay *ov, bool panel_visible);
/* A label with a dark backing box, top-left at (x, y). */
void sc_overlay_label(struct sc_text *t, SDL_Renderer *r, float x, float y,
                      float scale, const char *s);
/* Text scale for an output this wide: 2 normally, 1 in small windows. */
float sc_overlay_scale(int ow);

#endif
