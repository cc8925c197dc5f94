/* The overlay: a translucent panel of figures (top left), the key help
 * (bottom), the recording mark (top right) and the status line (centre). */
#include "app/window/overlay.h"
#include "app/window/window_priv.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MARGIN 10.0f
#define STATUS_MAX_LINES 6

static const SDL_Color white = {255, 255, 255, 255};
static const SDL_Color grey = {215, 215, 215, 255};
static const SDL_Color rec_red = {255, 50, 50, 255};
static const SDL_Color status_yellow = {255, 215, 70, 255};
static const SDL_Color bar_green = {90, 200, 120, 255};

/* The help line as separate items, so it wraps between items. */
static const char *const help_items[] = {
    "Q quit", "1-9 style", "Left/Right prev/next", "Space pause",
    "F fullscreen", "C compare", "M mirror", "+/- strength",
    "O keep colours", "T stabilize", "V virtual camera", "H hide overlay", "R record",
    "S snapshot", "D download styles", "P picture as style", "drop a picture: style",
    "B blend", "[ ] mix",
};

void sc_overlay_format_elapsed(double seconds, char out[16])
{
    if (!isfinite(seconds) || seconds < 0)
        seconds = 0;
    if (seconds > 99999.0 * 60)
        seconds = 99999.0 * 60;
    int total = (int)seconds;
    snprintf(out, 16, "%02d:%02d", total / 60 % 100000, total % 60);
}

static void format_ms(char *out, size_t n, const char *what, double ms, const char *fmt)
{
    if (ms > 0 && isfinite(ms))
        snprintf(out, n, fmt, what, ms);
    else
        snprintf(out, n, "%s -- ms", what);
}

int sc_overlay_format_lines(const struct sc_overlay *ov,
                            char lines[SC_OVERLAY_MAX_LINES][SC_OVERLAY_LINE_LEN])
{
    char fps[24], engine[32], latency[32];
    if (ov->fps > 0 && isfinite(ov->fps))
        snprintf(fps, sizeof fps, "%.1f fps", ov->fps);
    else
        snprintf(fps, sizeof fps, "-- fps");
    format_ms(engine, sizeof engine, "engine", ov->engine_ms, "%s %.1f ms");
    format_ms(latency, sizeof latency, "latency", ov->latency_ms, "%s %.0f ms");

    snprintf(lines[0], SC_OVERLAY_LINE_LEN, "%.63s%s",
             ov->style_name[0] ? ov->style_name : "(no style)",
             ov->paused ? "   PAUSED" : "");
    snprintf(lines[1], SC_OVERLAY_LINE_LEN, "%s   %s   %s", fps, engine, latency);
    char net[32] = "";
    if (ov->infer_w > 0)
        snprintf(net, sizeof net, "   network %dx%d", ov->infer_w, ov->infer_h);
    snprintf(lines[2], SC_OVERLAY_LINE_LEN, "dropped %" PRIu64 "   strength %d%%%s",
             ov->dropped, ov->strength, net);
    static const char *const stab[] = {"off", "on", "strong"};
    snprintf(lines[3], SC_OVERLAY_LINE_LEN, "keep colours %s   mirror %s   stabilize %s",
             ov->keep_colors ? "on" : "off", ov->mirror ? "on" : "off",
             stab[ov->stabilize >= 0 && ov->stabilize <= 2 ? ov->stabilize : 0]);
    int n = 4;
    if (ov->blend[0])
        snprintf(lines[n++], SC_OVERLAY_LINE_LEN, "%.95s", ov->blend);
    if (!ov->vcam)
        return n;
    if (!ov->vcam_where[0])
        snprintf(lines[n], SC_OVERLAY_LINE_LEN, "virtual camera: starting...");
    else
        snprintf(lines[n], SC_OVERLAY_LINE_LEN, "virtual camera %.40s   %" PRIu64 " sent   %"
                 PRIu64 " repeated   %" PRIu64 " dropped", ov->vcam_where, ov->vcam_frames,
                 ov->vcam_repeated, ov->vcam_dropped);
    return n + 1;
}

float sc_overlay_scale(int ow)
{
    return ow >= 720 ? 2.0f : 1.0f;
}

static void fill_box(SDL_Renderer *r, float x, float y, float w, float h, Uint8 alpha)
{
    SDL_FRect box = {x, y, w, h};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, 0, 0, 0, alpha);
    SDL_RenderFillRectF(r, &box);
}

void sc_overlay_label(struct sc_text *t, SDL_Renderer *r, float x, float y,
                      float scale, const char *s)
{
    float pad = 4 * scale;
    fill_box(r, x, y, sc_text_width(t, s, scale) + 2 * pad,
             sc_text_line_height(scale) + pad, 160);
    sc_text_draw(t, r, x + pad, y + pad, scale, s, white);
}

static void draw_panel(struct sc_text *t, SDL_Renderer *r, const struct sc_overlay *ov,
                       float scale)
{
    char lines[SC_OVERLAY_MAX_LINES][SC_OVERLAY_LINE_LEN];
    int n = sc_overlay_format_lines(ov, lines);
    float pad = 5 * scale, lh = sc_text_line_height(scale), w = 0;
    for (int i = 0; i < n; i++)
        w = fmaxf(w, sc_text_width(t, lines[i], scale));
    fill_box(r, MARGIN, MARGIN, w + 2 * pad, n * lh + pad, 150);
    for (int i = 0; i < n; i++)
        sc_text_draw(t, r, MARGIN + pad, MARGIN + pad + i * lh, scale, lines[i],
                     i == 0 ? white : grey);
}

/* Greedy wrap of help items (sep between them) or words (sep " ") into
 * lines no wider than maxw; returns the line count. */
static int wrap(struct sc_text *t, const char *const *items, int nitems,
                const char *sep, float maxw, float scale,
                char out[][SC_TEXT_MAX_CHARS + 1], int max_lines)
{
    int n = 0;
    out[0][0] = '\0';
    for (int i = 0; i < nitems && n < max_lines; i++) {
        char cand[SC_TEXT_MAX_CHARS + 1];
        snprintf(cand, sizeof cand, "%s%s%s", out[n], out[n][0] ? sep : "", items[i]);
        if (out[n][0] && sc_text_width(t, cand, scale) > maxw) {
            if (++n == max_lines)
                break;
            snprintf(out[n], SC_TEXT_MAX_CHARS + 1, "%s", items[i]);
        } else {
            memcpy(out[n], cand, sizeof cand);
        }
    }
    return n < max_lines ? n + 1 : n;
}

/* Returns the help bar's height. */
static float draw_help(struct sc_text *t, SDL_Renderer *r, int ow, int oh, float scale)
{
    char lines[4][SC_TEXT_MAX_CHARS + 1];
    int nitems = (int)(sizeof help_items / sizeof help_items[0]);
    float pad = 4 * scale, lh = sc_text_line_height(scale);
    int n = wrap(t, help_items, nitems, "   ", ow - 2 * MARGIN - 2 * pad, scale, lines, 4);
    float h = n * lh + pad;
    fill_box(r, 0, oh - h - pad, (float)ow, h + pad, 150);
    for (int i = 0; i < n; i++)
        sc_text_draw(t, r, MARGIN + pad, oh - h + i * lh, scale, lines[i], grey);
    return h + pad;
}

/* The download's progress: its line of text over a bar, centred above the
 * bottom (the help bar's top: bottom). */
static void draw_download(struct sc_text *t, SDL_Renderer *r, int ow, float bottom,
                          const struct sc_overlay *ov, float scale)
{
    float pad = 6 * scale, lh = sc_text_line_height(scale), bar_h = 8 * scale;
    float w = fminf(ow - 2 * MARGIN, fmaxf(sc_text_width(t, ov->download_line, scale),
                                           300 * scale) + 2 * pad);
    float h = lh + bar_h + 3 * pad, x = (ow - w) / 2, y = bottom - MARGIN - h;
    fill_box(r, x, y, w, h, 180);
    sc_text_draw(t, r, x + pad, y + pad, scale, ov->download_line, white);
    float frac = fminf(fmaxf(ov->download_frac, 0), 1), bw = w - 2 * pad;
    SDL_FRect frame = {x + pad, y + 2 * pad + lh, bw, bar_h};
    SDL_FRect fill = {frame.x, frame.y, bw * frac, bar_h};
    SDL_SetRenderDrawColor(r, 70, 70, 70, 255);
    SDL_RenderFillRectF(r, &frame);
    SDL_SetRenderDrawColor(r, bar_green.r, bar_green.g, bar_green.b, 255);
    SDL_RenderFillRectF(r, &fill);
}

static void draw_recording(struct sc_text *t, SDL_Renderer *r, int ow,
                           const struct sc_overlay *ov, float scale)
{
    char elapsed[16], label[32];
    sc_overlay_format_elapsed(ov->rec_elapsed_s, elapsed);
    snprintf(label, sizeof label, "REC %s", elapsed);
    float pad = 5 * scale, rad = 5 * scale, lh = sc_text_line_height(scale);
    float tw = sc_text_width(t, label, scale);
    float w = 2 * rad + 3 * pad + tw, x = ow - MARGIN - w;
    fill_box(r, x, MARGIN, w, lh + pad, 150);
    sc_text_disc(t, r, x + pad + rad, MARGIN + pad / 2 + lh / 2, rad, rec_red);
    sc_text_draw(t, r, x + 2 * pad + 2 * rad, MARGIN + pad, scale, label, rec_red);
}

static void draw_status(struct sc_text *t, SDL_Renderer *r, int ow, int oh,
                        const char *msg, float scale)
{
    /* Split into words in a local copy; messages are short (< 256 bytes). */
    char copy[256];
    const char *words[128];
    int nw = 0;
    snprintf(copy, sizeof copy, "%s", msg);
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w && nw < 128;
         w = strtok_r(NULL, " ", &save))
        words[nw++] = w;
    if (nw == 0)
        return;
    char lines[STATUS_MAX_LINES][SC_TEXT_MAX_CHARS + 1];
    float pad = 8 * scale, lh = sc_text_line_height(scale);
    int n = wrap(t, words, nw, " ", ow * 0.85f - 2 * pad, scale, lines, STATUS_MAX_LINES);
    float w = 0;
    for (int i = 0; i < n; i++)
        w = fmaxf(w, sc_text_width(t, lines[i], scale));
    float h = n * lh + pad, x = (ow - w) / 2, y = (oh - h) / 2;
    fill_box(r, x - pad, y - pad, w + 2 * pad, h + pad, 200);
    for (int i = 0; i < n; i++) {
        float lw = sc_text_width(t, lines[i], scale);
        sc_text_draw(t, r, (ow - lw) / 2, y + i * lh, scale, lines[i], status_yellow);
    }
}

void sc_overlay_draw(struct sc_text *t, SDL_Renderer *r, int ow, int oh,
                     const struct sc_overlay *ov, bool panel_visible)
{
    float scale = sc_overlay_scale(ow), bottom = (float)oh;
    if (panel_visible) {
        draw_panel(t, r, ov, scale);
        bottom -= draw_help(t, r, ow, oh, scale);
    }
    /* The download's bar, else the hint, stay with the panel hidden: they
     * are what the user is waiting for, or what to do next. */
    if (ov->download)
        draw_download(t, r, ow, bottom, ov, scale);
    else if (ov->hint[0])
        sc_overlay_label(t, r, fmaxf(MARGIN, (ow - sc_text_width(t, ov->hint, scale)) / 2 - 4 * scale),
                         bottom - MARGIN - sc_text_line_height(scale) - 4 * scale, scale, ov->hint);
    /* The recording mark and the status line stay when the panel is hidden:
     * the user must always see that a clip is recording or the camera is gone. */
    if (ov->recording)
        draw_recording(t, r, ow, ov, scale);
    if (ov->status_msg[0])
        draw_status(t, r, ow, oh, ov->status_msg, ow >= 960 ? scale + 1 : scale);
}
