/* The overlay's text: a system font found through fontconfig (DejaVu Sans,
 * else the sans-serif it names), drawn with SDL_ttf. A string is rendered
 * once, white, into a texture that a small LRU cache keeps (keyed by the
 * string and its pixel size; the colour is the texture's colour mod), and
 * widths are cached the same way, so an overlay that does not change costs
 * lookups and copies, no rasterizing and no allocation. Without a font
 * (fontconfig finds none, the file does not open) the built-in pixel font of
 * text_bitmap.c draws instead, after one warning: the window always opens. */
#include "app/window/window_priv.h"

#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define BASE_PX 10.0f       /* font size in pixels at scale 1 (the pixel font's 12-pixel pitch) */
#define BITMAP_PITCH 12.0f  /* the pixel font's line pitch at scale 1 */
#define MAX_SIZES 6         /* font sizes open at once (scales times pixel ratios) */
#define TEX_CACHE 48        /* rendered strings kept (a full overlay draws ~20) */
#define WIDTH_CACHE 256     /* measured strings kept (line wrapping measures ~80) */
#define DISC_SEGMENTS 24

struct sized_font {
    TTF_Font *font;         /* NULL: free slot */
    int px;
    uint64_t used;
};

struct tex_entry {
    SDL_Texture *tex;       /* NULL: free slot */
    int w, h, px;
    uint32_t hash;
    uint64_t used;
    char s[SC_TEXT_MAX_CHARS + 1];
};

struct width_entry {
    int w, px;              /* px 0: free slot */
    uint32_t hash;
    uint64_t used;
    char s[SC_TEXT_MAX_CHARS + 1];
};

struct sc_text {
    char font_file[PATH_MAX];        /* "" = the pixel font */
    struct sc_text_bitmap *bitmap;   /* the pixel font (fallback) */
    bool ttf_up;                     /* TTF_Init done */
    struct sized_font fonts[MAX_SIZES];
    struct tex_entry tex[TEX_CACHE];
    struct width_entry widths[WIDTH_CACHE];
    SDL_Renderer *renderer;          /* the one the cached textures belong to */
    uint64_t tick;                   /* LRU clock */
    char clip[SC_TEXT_MAX_CHARS + 1];
    SDL_Vertex disc[DISC_SEGMENTS + 1];
    int fan[DISC_SEGMENTS * 3];
};

/* sc_text_line_height takes no text object (its callers lay out with the
 * scale alone), so the pixel ratio and the font's line pitch live here:
 * one text object per process, main thread only. */
static float g_ratio = 1.0f;
static float g_line_per_px;        /* the font's line height per pixel of size; 0: pixel font */

static int px_for(float scale)
{
    long px = lroundf(BASE_PX * scale * g_ratio);
    return px < 6 ? 6 : px > 400 ? 400 : (int)px;
}

/* Asks fontconfig for DejaVu Sans (or the sans-serif it substitutes), a
 * scalable font; fills path, or why with the reason. */
static bool find_font(char *path, size_t n, char *why, size_t wn)
{
    FcConfig *cfg = FcInitLoadConfigAndFonts();
    if (!cfg) {
        snprintf(why, wn, "fontconfig could not load its configuration");
        return false;
    }
    bool ok = false;
    FcPattern *pat = FcPatternCreate();
    FcPattern *match = NULL;
    if (pat && FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)"DejaVu Sans") &&
        FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)"sans-serif") &&
        FcPatternAddBool(pat, FC_SCALABLE, FcTrue) &&
        FcPatternAddInteger(pat, FC_WEIGHT, FC_WEIGHT_REGULAR) &&
        FcPatternAddInteger(pat, FC_SLANT, FC_SLANT_ROMAN) &&
        FcConfigSubstitute(cfg, pat, FcMatchPattern)) {
        FcDefaultSubstitute(pat);
        FcResult res;
        match = FcFontMatch(cfg, pat, &res);
    }
    FcChar8 *file = NULL;
    FcBool scalable = FcFalse;
    if (!match || FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch || !file) {
        snprintf(why, wn, "fontconfig knows no font");
    } else if (FcPatternGetBool(match, FC_SCALABLE, 0, &scalable) == FcResultMatch &&
               !scalable) {
        snprintf(why, wn, "fontconfig offers only the bitmap font %s", (const char *)file);
    } else if (strlen((const char *)file) >= n) {
        snprintf(why, wn, "the font's path is too long");
    } else {
        snprintf(path, n, "%s", (const char *)file);
        ok = true;
    }
    if (match)
        FcPatternDestroy(match);
    if (pat)
        FcPatternDestroy(pat);
    FcConfigDestroy(cfg);
    return ok;
}

/* Opens the font found and measures its line pitch; false with why filled. */
static bool open_font(struct sc_text *t, char *why, size_t wn)
{
    if (!find_font(t->font_file, sizeof t->font_file, why, wn))
        return false;
    if (TTF_Init() != 0) {
        snprintf(why, wn, "SDL_ttf did not start: %s", TTF_GetError());
        return false;
    }
    t->ttf_up = true;
    /* Measured at a large size, where rounding does not show. */
    TTF_Font *f = TTF_OpenFont(t->font_file, 100);
    if (!f) {
        snprintf(why, wn, "%s did not open: %s", t->font_file, TTF_GetError());
        return false;
    }
    g_line_per_px = (float)TTF_FontHeight(f) / 100.0f;
    TTF_CloseFont(f);
    return g_line_per_px > 0.5f && g_line_per_px < 3.0f;
}

struct sc_text *sc_text_new(void)
{
    struct sc_text *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->bitmap = sc_text_bitmap_new();
    if (!t->bitmap) {
        free(t);
        return NULL;
    }
    for (int i = 0; i < DISC_SEGMENTS; i++) {
        t->fan[i * 3] = 0;
        t->fan[i * 3 + 1] = 1 + i;
        t->fan[i * 3 + 2] = 1 + (i + 1) % DISC_SEGMENTS;
    }
    g_ratio = 1.0f;
    g_line_per_px = 0;
    char why[PATH_MAX + 128] = "";
    if (open_font(t, why, sizeof why)) {
        sc_debug("window: text in %s through SDL_ttf", t->font_file);
        return t;
    }
    t->font_file[0] = '\0';
    g_line_per_px = 0;
    static bool warned;     /* once per process, however many windows */
    if (!warned)
        sc_warn("No system font can be used (%s); the overlay falls back to the built-in "
                "pixel font. Install fonts-dejavu-core for clear text.", why);
    warned = true;
    return t;
}

static void drop_textures(struct sc_text *t)
{
    for (int i = 0; i < TEX_CACHE; i++) {
        if (t->tex[i].tex)
            SDL_DestroyTexture(t->tex[i].tex);
        t->tex[i].tex = NULL;
        t->tex[i].used = 0;
    }
}

void sc_text_free(struct sc_text *t)
{
    if (!t)
        return;
    drop_textures(t);
    for (int i = 0; i < MAX_SIZES; i++)
        if (t->fonts[i].font)
            TTF_CloseFont(t->fonts[i].font);
    if (t->ttf_up)
        TTF_Quit();
    sc_text_bitmap_free(t->bitmap);
    free(t);
}

void sc_text_set_pixel_ratio(struct sc_text *t, float ratio)
{
    (void)t;
    g_ratio = isfinite(ratio) && ratio >= 0.5f && ratio <= 8.0f ? ratio : 1.0f;
}

const char *sc_text_font_file(const struct sc_text *t)
{
    return t->font_file[0] ? t->font_file : NULL;
}

/* s clipped at SC_TEXT_MAX_CHARS bytes, never inside a UTF-8 sequence;
 * *len its length, *hash its FNV-1a hash. */
static const char *clipped(struct sc_text *t, const char *s, size_t *len, uint32_t *hash)
{
    size_t n = strnlen(s, SC_TEXT_MAX_CHARS + 1);
    if (n > SC_TEXT_MAX_CHARS) {
        n = SC_TEXT_MAX_CHARS;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;                        /* s[n] continues a sequence: cut before it */
        memcpy(t->clip, s, n);
        t->clip[n] = '\0';
        s = t->clip;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    *len = n;
    *hash = h;
    return s;
}

/* The font at px pixels, opened on first use (the least recently used size
 * is closed to make room); NULL if it does not open. */
static TTF_Font *font_at(struct sc_text *t, int px)
{
    int slot = 0;
    for (int i = 0; i < MAX_SIZES; i++) {
        if (t->fonts[i].font && t->fonts[i].px == px) {
            t->fonts[i].used = ++t->tick;
            return t->fonts[i].font;
        }
        if (t->fonts[i].used < t->fonts[slot].used)
            slot = i;       /* a free slot was never used: 0 */
    }
    struct sized_font *sf = &t->fonts[slot];
    if (sf->font)
        TTF_CloseFont(sf->font);
    sf->font = TTF_OpenFont(t->font_file, px);
    sf->px = px;
    sf->used = ++t->tick;
    if (!sf->font)
        sc_log_ratelimited("text-font", SC_LOG_WARN, "%s did not open at %d pixels: %s",
                           t->font_file, px, TTF_GetError());
    return sf->font;
}

float sc_text_width(struct sc_text *t, const char *s, float scale)
{
    if (!t->font_file[0])
        return sc_text_bitmap_width(t->bitmap, s, scale * g_ratio);
    size_t len;
    uint32_t hash;
    s = clipped(t, s, &len, &hash);
    int px = px_for(scale);
    struct width_entry *old = &t->widths[0];
    for (int i = 0; i < WIDTH_CACHE; i++) {
        struct width_entry *e = &t->widths[i];
        if (e->px == px && e->hash == hash && !strcmp(e->s, s)) {
            e->used = ++t->tick;
            return (float)e->w;
        }
        if (e->used < old->used)
            old = e;
    }
    TTF_Font *f = font_at(t, px);
    int w = 0, h = 0;
    if (!f || (len && TTF_SizeUTF8(f, s, &w, &h) != 0))
        return sc_text_bitmap_width(t->bitmap, s, scale * g_ratio);
    memcpy(old->s, s, len + 1);
    old->w = w;
    old->px = px;
    old->hash = hash;
    old->used = ++t->tick;
    return (float)w;
}

float sc_text_line_height(float scale)
{
    if (g_line_per_px <= 0)
        return BITMAP_PITCH * scale * g_ratio;
    return ceilf((float)px_for(scale) * g_line_per_px);
}

/* The cached texture of s at px, rendering it on a miss; NULL when it
 * cannot be made (the caller draws with the pixel font). */
static struct tex_entry *texture_of(struct sc_text *t, SDL_Renderer *r, const char *s,
                                    size_t len, uint32_t hash, int px)
{
    if (r != t->renderer) {     /* textures belong to one renderer */
        drop_textures(t);
        t->renderer = r;
    }
    struct tex_entry *old = &t->tex[0];
    for (int i = 0; i < TEX_CACHE; i++) {
        struct tex_entry *e = &t->tex[i];
        if (e->tex && e->px == px && e->hash == hash && !strcmp(e->s, s)) {
            e->used = ++t->tick;
            return e;
        }
        if (e->used < old->used)
            old = e;        /* a free slot: used 0 */
    }
    TTF_Font *f = font_at(t, px);
    if (!f)
        return NULL;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f, s, (SDL_Color){255, 255, 255, 255});
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(r, surf);
    int w = surf->w, h = surf->h;
    SDL_FreeSurface(surf);
    if (!tex)
        return NULL;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    if (old->tex)
        SDL_DestroyTexture(old->tex);
    *old = (struct tex_entry){.tex = tex, .w = w, .h = h, .px = px, .hash = hash,
                              .used = ++t->tick};
    memcpy(old->s, s, len + 1);
    return old;
}

void sc_text_draw(struct sc_text *t, SDL_Renderer *r, float x, float y,
                  float scale, const char *s, SDL_Color c)
{
    if (!s[0])
        return;
    struct tex_entry *e = NULL;
    if (t->font_file[0]) {
        size_t len;
        uint32_t hash;
        const char *cs = clipped(t, s, &len, &hash);
        e = texture_of(t, r, cs, len, hash, px_for(scale));
    }
    if (!e) {
        sc_text_bitmap_draw(t->bitmap, r, x, y, scale * g_ratio, s, c);
        return;
    }
    SDL_SetTextureColorMod(e->tex, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(e->tex, c.a);
    /* Whole pixels: the glyphs stay as crisp as they were rasterized. */
    SDL_FRect dst = {roundf(x), roundf(y), (float)e->w, (float)e->h};
    SDL_RenderCopyF(r, e->tex, NULL, &dst);
}

void sc_text_disc(struct sc_text *t, SDL_Renderer *r, float cx, float cy,
                  float radius, SDL_Color c)
{
    /* A triangle fan as a list: vertex 0 is the centre. */
    SDL_Vertex *v = t->disc;
    v[0] = (SDL_Vertex){{cx, cy}, c, {0, 0}};
    for (int i = 0; i < DISC_SEGMENTS; i++) {
        float a = (float)i * 2.0f * (float)M_PI / DISC_SEGMENTS;
        v[i + 1] = (SDL_Vertex){{cx + radius * cosf(a), cy + radius * sinf(a)},
                                c, {0, 0}};
    }
    SDL_RenderGeometry(r, NULL, v, DISC_SEGMENTS + 1, t->fan, DISC_SEGMENTS * 3);
}
