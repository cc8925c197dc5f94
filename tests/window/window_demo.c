/* Test driver for the window stage: shows a synthetic picture whose colour
 * depends on the chosen style, prints every action it receives as
 * "ACTION <NAME> [index]" (after the frame reflecting it is presented),
 * and exits 0 on quit. Usage:
 *   window_demo [--size WxH] [--fullscreen] [--status MSG] [--recording]
 *               [--frame WxH] [--bench N]
 * --bench N presents N frames back to back, alone then in compare mode,
 * with the overlay shown; prints "BENCH ... present_ms=<mean>" and exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/clock.h"
#include "app/window/input.h"
#include "app/window/window.h"

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

struct demo_args {
    int fw, fh;     /* synthetic frame size */
    int bench;      /* frames to time; 0 = interactive */
};

static void parse_args(int argc, char **argv, struct sc_window_opts *opts,
                       struct sc_overlay *ov, struct demo_args *a)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--frame") && i + 1 < argc)
            sscanf(argv[++i], "%dx%d", &a->fw, &a->fh);
        else if (!strcmp(argv[i], "--bench") && i + 1 < argc)
            a->bench = atoi(argv[++i]);
        else
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

/* Mean time of sc_window_present over n frames, alone and in compare mode. */
static int bench(struct sc_window *win, struct sc_frame *sty, struct sc_frame *orig,
                 struct sc_overlay *ov, int n)
{
    struct sc_error err = {0};
    paint_stylized(sty, &styles[1]);
    snprintf(ov->style_name, sizeof ov->style_name, "%s", styles[1].name);
    for (int compare = 0; compare < 2; compare++) {
        sc_window_set_compare(win, compare);
        int64_t t0 = sc_now_us();
        for (int i = 0; i < n; i++) {
            if (sc_window_present(win, sty, orig, ov, &err) != SC_OK) {
                sc_err("%s", err.msg);
                return 1;
            }
        }
        printf("BENCH mode=%s frames=%d size=%dx%d present_ms=%.2f\n",
               compare ? "compare" : "single", n, sty->w, sty->h,
               (double)(sc_now_us() - t0) / 1000.0 / n);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct sc_window_opts opts = {.title = "stylecam window demo", .w = 960, .h = 540};
    struct sc_overlay ov = {.fps = 29.97, .engine_ms = 12.5, .dropped = 3,
                            .latency_ms = 45, .strength = 80, .mirror = true,
                            .show = true, .rec_elapsed_s = 83};
    struct demo_args args = {.fw = 320, .fh = 240};
    parse_args(argc, argv, &opts, &ov, &args);
    if (args.fw <= 0 || args.fh <= 0 || args.fw > 8192 || args.fh > 8192) {
        sc_err("--frame wants a size like 320x240");
        return 2;
    }

    struct sc_error err = {0};
    struct sc_window *win = NULL;
    if (sc_window_init(&win, &opts, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return 1;
    }
    size_t bytes = (size_t)args.fw * args.fh * 3;
    struct sc_frame sty = {.rgb = malloc(bytes), .w = args.fw, .h = args.fh};
    struct sc_frame orig = {.rgb = malloc(bytes), .w = args.fw, .h = args.fh};
    if (!sty.rgb || !orig.rgb) {
        sc_err("Out of memory for the demo's %dx%d frames.", args.fw, args.fh);
        free(sty.rgb);
        free(orig.rgb);
        sc_window_free(&win);
        return 1;
    }
    paint_original(&orig);
    printf("RENDERER %s\n", sc_window_renderer_name(win));
    int rc = 0;
    if (args.bench > 0) {
        rc = bench(win, &sty, &orig, &ov, args.bench);
        goto done;
    }

    int style = 0, running = 1;
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
done:
    free(sty.rgb);
    free(orig.rgb);
    sc_window_free(&win);
    return rc;
}
