/* Test driver for the window stage: shows a synthetic picture whose colour
 * depends on the chosen style, prints every action it receives as
 * "ACTION <NAME> [index]" (after the frame reflecting it is presented),
 * and exits 0 on quit. Usage:
 *   window_demo [--size WxH] [--fullscreen] [--status MSG] [--recording] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/log.h"
#include "app/window/input.h"
#include "app/window/window.h"

#define FW 320
#define FH 240
#define MAX_PENDING 64

struct style { const char *name; int r, g, b; };
static const struct style styles[] = {
    {"red dawn", 255, 60, 30}, {"blue hour", 30, 90, 255}, {"green field", 40, 230, 60},
};
#define NSTYLES ((int)(sizeof styles / sizeof styles[0]))

/* A diagonal gradient tinted with the style's colour. */
static void paint_stylized(struct sc_frame *f, const struct style *s)
{
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            int v = 64 + 191 * (x + y) / (f->w + f->h);
            uint8_t *p = f->rgb + ((size_t)y * f->w + x) * 3;
            p[0] = (uint8_t)(s->r * v / 255);
            p[1] = (uint8_t)(s->g * v / 255);
            p[2] = (uint8_t)(s->b * v / 255);
        }
}

/* The "camera" picture: grey vertical bars, clearly unlike any style. */
static void paint_original(struct sc_frame *f)
{
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            uint8_t v = (x / 40) % 2 ? 200 : 90;
            uint8_t *p = f->rgb + ((size_t)y * f->w + x) * 3;
            p[0] = p[1] = p[2] = v;
        }
}

static void parse_args(int argc, char **argv, struct sc_window_opts *opts,
                       struct sc_overlay *ov)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc)
            sscanf(argv[++i], "%dx%d", &opts->w, &opts->h);
        else if (!strcmp(argv[i], "--fullscreen"))
            opts->fullscreen = true;
        else if (!strcmp(argv[i], "--status") && i + 1 < argc)
            snprintf(ov->status_msg, sizeof ov->status_msg, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--recording"))
            ov->recording = true;
    }
}

static void handle(const struct sc_ui_event *ev, int *style, int *running,
                   struct sc_overlay *ov)
{
    switch (ev->action) {
    case SC_UI_QUIT: *running = 0; break;
    case SC_UI_STYLE_INDEX: if (ev->style_index < NSTYLES) *style = ev->style_index; break;
    case SC_UI_STYLE_NEXT: *style = (*style + 1) % NSTYLES; break;
    case SC_UI_STYLE_PREV: *style = (*style + NSTYLES - 1) % NSTYLES; break;
    case SC_UI_MIRROR: ov->mirror = !ov->mirror; break;
    case SC_UI_KEEP_COLORS: ov->keep_colors = !ov->keep_colors; break;
    case SC_UI_PAUSE: ov->paused = !ov->paused; break;
    case SC_UI_STRENGTH_UP: ov->strength += ov->strength < 100 ? 10 : 0; break;
    case SC_UI_STRENGTH_DOWN: ov->strength -= ov->strength > 0 ? 10 : 0; break;
    case SC_UI_RECORD: ov->recording = !ov->recording; break;
    default: break;
    }
}

int main(int argc, char **argv)
{
    struct sc_window_opts opts = {.title = "stylecam window demo", .w = 960, .h = 540};
    struct sc_overlay ov = {.fps = 29.97, .engine_ms = 12.5, .dropped = 3,
                            .latency_ms = 45, .strength = 80, .mirror = true,
                            .show = true, .rec_elapsed_s = 83};
    parse_args(argc, argv, &opts, &ov);

    struct sc_error err = {0};
    struct sc_window *win = NULL;
    if (sc_window_init(&win, &opts, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return 1;
    }
    static uint8_t sty_px[FW * FH * 3], orig_px[FW * FH * 3];
    struct sc_frame sty = {.rgb = sty_px, .w = FW, .h = FH};
    struct sc_frame orig = {.rgb = orig_px, .w = FW, .h = FH};
    paint_original(&orig);
    printf("RENDERER %s\n", sc_window_renderer_name(win));

    int style = 0, running = 1, rc = 0;
    struct sc_ui_event pending[MAX_PENDING];
    for (int frame = 0; running; frame++) {
        int n = 0;
        struct sc_ui_event ev;
        while (n < MAX_PENDING && sc_window_poll(win, &ev)) {
            handle(&ev, &style, &running, &ov);
            pending[n++] = ev;
        }
        snprintf(ov.style_name, sizeof ov.style_name, "%s", styles[style].name);
        paint_stylized(&sty, &styles[style]);
        if (sc_window_present(win, &sty, &orig, &ov, &err) != SC_OK) {
            sc_err("%s", err.msg);
            rc = 1;
            break;
        }
        if (frame == 0)
            printf("READY\n");
        for (int i = 0; i < n; i++) {
            if (pending[i].action == SC_UI_STYLE_INDEX)
                printf("ACTION %s %d\n", sc_ui_action_name(pending[i].action),
                       pending[i].style_index);
            else
                printf("ACTION %s\n", sc_ui_action_name(pending[i].action));
        }
        if (n)
            printf("STATE fullscreen=%d compare=%d overlay=%d\n", sc_window_fullscreen(win),
                   sc_window_compare(win), sc_window_overlay_visible(win));
        fflush(stdout);
        nanosleep(&(struct timespec){0, 30 * 1000 * 1000}, NULL);
    }
    sc_window_free(win);
    return rc;
}
