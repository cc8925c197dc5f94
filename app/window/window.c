/* The SDL2 window and renderer: frames go into streaming RGB24 textures,
 * scaled to fit with their aspect kept (black bars), then the overlay. */
#include "app/window/window.h"
#include "app/window/window_priv.h"

#include <SDL_syswm.h>
#include <stb_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/output/copies.h"
#include "common/log.h"

#define DEFAULT_W 960
#define DEFAULT_H 540
#define MIN_W 160
#define MIN_H 120

static enum sc_status no_display(struct sc_error *err)
{
    return sc_error_set(err, SC_ERR_ARG,
                        "No display is available (%s); run with --headless to "
                        "stylize without a window.", SDL_GetError());
}

/* SDL 2.26 falls back to its invisible "offscreen" driver when no display
 * answers; a window nobody can see is no display unless asked for by name
 * (SDL_VIDEODRIVER=offscreen, for headless rendering tests). */
static bool real_display(void)
{
    const char *drv = SDL_GetCurrentVideoDriver();
    const char *asked = SDL_GetHint(SDL_HINT_VIDEODRIVER);
    bool invisible = drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy") ||
                             !strcmp(drv, "evdev"));
    return drv && (!invisible || (asked && strstr(asked, drv)));
}

/* The application icon: data/icons' SVG rendered at 64x64 by the build
 * and embedded as PNG bytes (window_icon.c, made by embed_icon.py). */
extern const unsigned char sc_window_icon_png[];
extern const size_t sc_window_icon_png_size;

static void set_icon(SDL_Window *w)
{
    int iw, ih, comp;
    stbi_uc *px = stbi_load_from_memory(sc_window_icon_png, (int)sc_window_icon_png_size,
                                        &iw, &ih, &comp, 4);
    SDL_Surface *s = px ? SDL_CreateRGBSurfaceWithFormatFrom(px, iw, ih, 32, iw * 4,
                                                             SDL_PIXELFORMAT_RGBA32)
                        : NULL;
    if (s)
        SDL_SetWindowIcon(w, s);    /* SDL copies the pixels */
    else
        sc_debug("window: no icon (%s)", px ? SDL_GetError() : stbi_failure_reason());
    SDL_FreeSurface(s);
    stbi_image_free(px);
}

/* A remembered size fits the display it opens on (a laptop undocked). */
static void fit_display(int *w, int *h)
{
    SDL_Rect b;
    if (SDL_GetDisplayUsableBounds(0, &b) == 0 && b.w > 0 && b.h > 0) {
        *w = *w > b.w ? b.w : *w;
        *h = *h > b.h ? b.h : *h;
    }
    *w = *w < MIN_W ? MIN_W : *w;
    *h = *h < MIN_H ? MIN_H : *h;
}

enum sc_status sc_window_init(struct sc_window **out,
                              const struct sc_window_opts *opts,
                              struct sc_error *err)
{
    /* The program handles SIGINT/SIGTERM itself, the same with or without
     * a window; SDL must not turn them into quit events behind its back. */
    static const struct sc_window_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
        return no_display(err);
    if (!real_display()) {
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        SDL_SetError("SDL found no X11 or Wayland display; DISPLAY and "
                     "WAYLAND_DISPLAY are unset or unreachable");
        return no_display(err);
    }

    struct sc_window *win = calloc(1, sizeof *win);
    if (!win) {
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory while opening the window; "
                            "close other programs and try again.");
    }
    win->overlay_visible = true;
    win->fullscreen = opts->fullscreen;
    win->windowed_w = opts->w > 0 ? opts->w : DEFAULT_W;
    win->windowed_h = opts->h > 0 ? opts->h : DEFAULT_H;
    fit_display(&win->windowed_w, &win->windowed_h);
    snprintf(win->title_base, sizeof win->title_base, "%s",
             opts->title ? opts->title : "stylecam");
    snprintf(win->title, sizeof win->title, "%s", win->title_base);
    Uint32 flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    if (opts->fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    win->window = SDL_CreateWindow(win->title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                   win->windowed_w, win->windowed_h, flags);
    if (!win->window) {
        enum sc_status st = no_display(err);
        sc_window_free(&win);
        return st;
    }
    set_icon(win->window);
    /* No vsync: the main loop paces itself by the camera, not the monitor. */
    win->renderer = SDL_CreateRenderer(win->window, -1, 0);
    if (!win->renderer) {
        enum sc_status st = sc_error_set(err, SC_ERR_ARG,
            "Could not create a renderer for the window (%s); run with --headless "
            "to stylize without a window.", SDL_GetError());
        sc_window_free(&win);
        return st;
    }
    win->wake_event = SDL_RegisterEvents(1);
    /* A picture dropped on the window becomes a style (XDND on X11). */
    SDL_EventState(SDL_DROPFILE, SDL_ENABLE);
    win->text = sc_text_new();
    if (!win->text || win->wake_event == (Uint32)-1) {
        sc_window_free(&win);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory while opening the window; "
                            "close other programs and try again.");
    }
    *out = win;
    return SC_OK;
}

void sc_window_free(struct sc_window **winp)
{
    struct sc_window *win = *winp;
    *winp = NULL;
    if (!win)
        return;
    sc_text_free(win->text);      /* its textures before their renderer */
    if (win->stylized.tex)
        SDL_DestroyTexture(win->stylized.tex);
    if (win->original.tex)
        SDL_DestroyTexture(win->original.tex);
    if (win->renderer)
        SDL_DestroyRenderer(win->renderer);
    if (win->window)
        SDL_DestroyWindow(win->window);
    free(win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    if (SDL_WasInit(0) == 0)
        SDL_Quit();
}

/* Copies f into t, re-creating the texture only when the size changed. */
static enum sc_status upload(struct sc_window *win, struct sc_window_tex *t,
                             const struct sc_frame *f, struct sc_error *err)
{
    if (!f->rgb || f->w <= 0 || f->h <= 0)
        return sc_error_set(err, SC_ERR_ARG, "The window was given an empty frame "
                            "(%dx%d); this is a bug in stylecam, please report it.",
                            f->w, f->h);
    if (!t->tex || t->w != f->w || t->h != f->h) {
        if (t->tex)
            SDL_DestroyTexture(t->tex);
        t->tex = SDL_CreateTexture(win->renderer, SDL_PIXELFORMAT_RGB24,
                                   SDL_TEXTUREACCESS_STREAMING, f->w, f->h);
        t->w = t->tex ? f->w : 0;
        t->h = t->tex ? f->h : 0;
        if (!t->tex)
            return sc_error_set(err, SC_ERR_TOO_LARGE, "The window cannot show a %dx%d "
                                "picture (%s); choose a smaller capture size with --size.",
                                f->w, f->h, SDL_GetError());
        SDL_SetTextureScaleMode(t->tex, SDL_ScaleModeLinear);
    }
    if (SDL_UpdateTexture(t->tex, NULL, f->rgb, f->w * 3) != 0)
        return sc_error_set(err, SC_ERR_IO, "Could not copy a frame to the window (%s); "
                            "restart stylecam or run it with --headless.", SDL_GetError());
    sc_copies_add(SC_COPY_TEXTURE, (size_t)f->w * f->h * 3);
    return SC_OK;
}

/* The largest rectangle of the picture's aspect centred in area. */
static SDL_Rect fit(int w, int h, SDL_Rect area)
{
    SDL_Rect r = area;
    if ((long)area.w * h > (long)area.h * w) {
        r.w = (int)((long)area.h * w / h);
        r.x = area.x + (area.w - r.w) / 2;
    } else {
        r.h = (int)((long)area.w * h / w);
        r.y = area.y + (area.h - r.h) / 2;
    }
    return r;
}

static void draw_tex(struct sc_window *win, const struct sc_window_tex *t,
                     SDL_Rect area, const char *label)
{
    SDL_Rect dst = fit(t->w, t->h, area);
    SDL_RenderCopy(win->renderer, t->tex, NULL, &dst);
    if (label) {
        /* Bottom centre: the panel covers the top left. */
        float scale = sc_overlay_scale(area.w * 2);
        float w = sc_text_width(win->text, label, scale) + 8 * scale;
        sc_overlay_label(win->text, win->renderer, dst.x + (dst.w - w) / 2,
                         dst.y + dst.h - 22 * scale, scale, label);
    }
}

enum sc_status sc_window_show(struct sc_window *win, const struct sc_frame *stylized,
                              const struct sc_frame *original, struct sc_error *err)
{
    win->shown = win->shown_original = false;
    enum sc_status st = upload(win, &win->stylized, stylized, err);
    if (st)
        return st;
    win->shown = true;
    /* The original is copied only for compare mode. */
    if (win->compare && original) {
        if ((st = upload(win, &win->original, original, err)))
            return st;
        win->shown_original = true;
    }
    return SC_OK;
}

/* SDL hands a title to X11 through the C library's locale, which is "C"
 * (the program never calls setlocale): a title that is not ASCII would
 * leave _NET_WM_NAME, the one desktops show, at its old value. So SDL gets
 * an ASCII version (also WM_NAME's, for older tools), and on X11 the UTF-8
 * title goes into _NET_WM_NAME directly. */
static void ascii_title(const char *utf8, char *out, size_t n)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)utf8; *p && o + 1 < n;) {
        if (*p < 0x80) {
            out[o++] = (char)*p++;
            continue;
        }
        int len = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        out[o++] = !strncmp((const char *)p, "\u2014", 3) ? '-'
                   : !strncmp((const char *)p, "\u25CF", 3) ? '*' : '?';
        for (int k = 0; k < len && *p; k++)
            p++;
    }
    out[o] = '\0';
}

static void set_title(struct sc_window *win, const char *utf8)
{
    char ascii[sizeof win->title];
    ascii_title(utf8, ascii, sizeof ascii);
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    bool x11 = SDL_GetWindowWMInfo(win->window, &info) && info.subsystem == SDL_SYSWM_X11;
    SDL_SetWindowTitle(win->window, x11 ? ascii : utf8);
#ifdef SDL_VIDEO_DRIVER_X11
    if (x11) {
        Display *d = info.info.x11.display;
        XChangeProperty(d, info.info.x11.window, XInternAtom(d, "_NET_WM_NAME", False),
                        XInternAtom(d, "UTF8_STRING", False), 8, PropModeReplace,
                        (const unsigned char *)utf8, (int)strlen(utf8));
        XFlush(d);
    }
#endif
}

/* The title names the style the overlay shows ("stylecam — candy"), with
 * "(paused)" and "● REC" when they apply; set only when it changes. */
static void update_title(struct sc_window *win, const struct sc_overlay *ov)
{
    char t[sizeof win->title];
    if (ov->style_name[0])
        snprintf(t, sizeof t, "%s \u2014 %.63s%s%s", win->title_base, ov->style_name,
                 ov->paused ? " (paused)" : "", ov->recording ? " \u25CF REC" : "");
    else
        snprintf(t, sizeof t, "%s", win->title_base);
    if (strcmp(t, win->title) != 0) {
        memcpy(win->title, t, sizeof t);
        set_title(win, t);
    }
}

static void draw(struct sc_window *win, bool picture, const struct sc_overlay *ov)
{
    int ow, oh, ww, wh;
    SDL_GetRendererOutputSize(win->renderer, &ow, &oh);
    SDL_GetWindowSize(win->window, &ww, &wh);
    /* HiDPI: the renderer has more pixels than the window has points. */
    sc_text_set_pixel_ratio(win->text, ww > 0 ? (float)ow / (float)ww : 1.0f);
    if (ov)
        update_title(win, ov);
    SDL_SetRenderDrawColor(win->renderer, 0, 0, 0, 255);
    SDL_RenderClear(win->renderer);
    if (picture && win->compare && win->shown_original) {
        SDL_Rect left = {0, 0, ow / 2, oh}, right = {ow / 2, 0, ow - ow / 2, oh};
        draw_tex(win, &win->original, left, "original");
        draw_tex(win, &win->stylized, right, "stylized");
    } else if (picture) {
        draw_tex(win, &win->stylized, (SDL_Rect){0, 0, ow, oh}, NULL);
    }
    if (ov)
        sc_overlay_draw(win->text, win->renderer, ow, oh, ov,
                        ov->show && win->overlay_visible);
    SDL_RenderPresent(win->renderer);
}

void sc_window_redraw(struct sc_window *win, const struct sc_overlay *ov)
{
    draw(win, win->shown, ov);
}

enum sc_status sc_window_present(struct sc_window *win,
                                 const struct sc_frame *stylized,
                                 const struct sc_frame *original,
                                 const struct sc_overlay *ov,
                                 struct sc_error *err)
{
    enum sc_status st = stylized ? sc_window_show(win, stylized, original, err) : SC_OK;
    /* Present even after an upload error so the window never freezes. */
    draw(win, stylized && win->shown, ov);
    return st;
}

void sc_window_wake(struct sc_window *win)
{
    SDL_Event e = {.type = win->wake_event};
    SDL_PushEvent(&e);
}

void sc_window_set_fullscreen(struct sc_window *win, bool on)
{
    if (on && !win->fullscreen)
        SDL_GetWindowSize(win->window, &win->windowed_w, &win->windowed_h);
    if (SDL_SetWindowFullscreen(win->window, on ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0) == 0)
        win->fullscreen = on;
}

bool sc_window_fullscreen(const struct sc_window *win)
{
    return win->fullscreen;
}

void sc_window_size(const struct sc_window *win, int *w, int *h)
{
    *w = win->windowed_w;
    *h = win->windowed_h;
    if (!win->fullscreen)
        SDL_GetWindowSize(win->window, w, h);
}

const char *sc_window_title(const struct sc_window *win)
{
    return win->title;
}

const char *sc_window_font_file(const struct sc_window *win)
{
    return sc_text_font_file(win->text);
}

void sc_window_set_compare(struct sc_window *win, bool on)
{
    win->compare = on;
}

bool sc_window_compare(const struct sc_window *win)
{
    return win->compare;
}

void sc_window_set_overlay_visible(struct sc_window *win, bool on)
{
    win->overlay_visible = on;
}

bool sc_window_overlay_visible(const struct sc_window *win)
{
    return win->overlay_visible;
}

const char *sc_window_renderer_name(const struct sc_window *win)
{
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(win->renderer, &info) != 0)
        return "unknown";
    return info.name;
}
