/* The built-in pixel font (stb_easy_font), the fallback when no system font
 * can be loaded: it emits quads; we turn them into indexed triangles for
 * SDL_RenderGeometry. All buffers are sized once for SC_TEXT_MAX_CHARS so
 * drawing never allocates. Sizes here are in stb_easy_font units times
 * scale (its line pitch is 12 units). */
#include "app/window/window_priv.h"

#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#define STB_EASY_FONT_IMPLEMENTATION
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

/* stb_easy_font uses about 270 bytes per character; 64 bytes per quad. */
#define VBUF_BYTES (SC_TEXT_MAX_CHARS * 320)
#define MAX_QUADS (VBUF_BYTES / 64)

struct stb_vertex {             /* stb_easy_font's output layout */
    float x, y, z;
    unsigned char color[4];
};

struct sc_text_bitmap {
    char str[SC_TEXT_MAX_CHARS + 1];   /* writable copy: stb takes char * */
    struct stb_vertex quads[MAX_QUADS * 4];
    SDL_Vertex verts[MAX_QUADS * 4];
    int indices[MAX_QUADS * 6];        /* 0,1,2, 0,2,3 per quad, built once */
};

struct sc_text_bitmap *sc_text_bitmap_new(void)
{
    struct sc_text_bitmap *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    for (int q = 0; q < MAX_QUADS; q++) {
        static const int pattern[6] = {0, 1, 2, 0, 2, 3};
        for (int k = 0; k < 6; k++)
            t->indices[q * 6 + k] = q * 4 + pattern[k];
    }
    return t;
}

void sc_text_bitmap_free(struct sc_text_bitmap *t)
{
    free(t);
}

static char *copy_in(struct sc_text_bitmap *t, const char *s)
{
    size_t n = strnlen(s, SC_TEXT_MAX_CHARS);
    memcpy(t->str, s, n);
    t->str[n] = '\0';
    return t->str;
}

float sc_text_bitmap_width(struct sc_text_bitmap *t, const char *s, float scale)
{
    return (float)stb_easy_font_width(copy_in(t, s)) * scale;
}

void sc_text_bitmap_draw(struct sc_text_bitmap *t, SDL_Renderer *r, float x, float y,
                         float scale, const char *s, SDL_Color c)
{
    int nq = stb_easy_font_print(0, 0, copy_in(t, s), NULL, t->quads,
                                 sizeof t->quads);
    for (int i = 0; i < nq * 4; i++) {
        t->verts[i].position.x = x + t->quads[i].x * scale;
        t->verts[i].position.y = y + t->quads[i].y * scale;
        t->verts[i].color = c;
        t->verts[i].tex_coord.x = 0;
        t->verts[i].tex_coord.y = 0;
    }
    if (nq > 0)
        SDL_RenderGeometry(r, NULL, t->verts, nq * 4, t->indices, nq * 6);
}
