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
    int windowed_w, windowed_h;     /* the size out of fullscreen (screen pixels) */
    char title_base[64];            /* opts->title, or "stylecam" */
    char title[192];                /* the title set last (base, style, marks) */
    char dropped[4096];             /* the file dropped last (SC_UI_DROP's path) */
};

/* text.c: the overlay's text. A system font (fontconfig's match for DejaVu
 * Sans) through SDL_ttf, strings rendered to textures once and kept in a
 * small cache; without a usable font, the built-in pixel font (one warning).
 * Sizes are in output pixels: scale is the overlay's (1, 2, ...), times the
 * pixel ratio the window sets for HiDPI. One text object per process. */
struct sc_text *sc_text_new(void);
/* Destroys the cached textures too: call before the renderer goes. */
void sc_text_free(struct sc_text *t);
/* Output pixels per window pixel (SDL_GetRendererOutputSize over
 * SDL_GetWindowSize; 1 without HiDPI). Text sizes follow it. */
void sc_text_set_pixel_ratio(struct sc_text *t, float ratio);
/* The font file in use, or NULL for the built-in pixel font. */
const char *sc_text_font_file(const struct sc_text *t);
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

/* text_bitmap.c: the built-in pixel font (stb_easy_font), text.c's
 * fallback; drawing never allocates. Line pitch: 12 units times scale. */
struct sc_text_bitmap;
struct sc_text_bitmap *sc_text_bitmap_new(void);
void sc_text_bitmap_free(struct sc_text_bitmap *t);
float sc_text_bitmap_width(struct sc_text_bitmap *t, const char *s, float scale);
void sc_text_bitmap_draw(struct sc_text_bitmap *t, SDL_Renderer *r, float x, float y,
                         float scale, const char *s, SDL_Color c);

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
