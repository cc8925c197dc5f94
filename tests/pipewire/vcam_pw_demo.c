/* Drives the PipeWire virtual camera sink (app/vcam/pipewire.c) alone, the
 * way the vcam thread does, for tests/pipewire/vcam_pw.sh:
 *
 *   vcam-pw-demo [--name NODE] [--size WxH] [--fps F] [--frames N] [--reopen]
 *
 * writes N frames (0 = until SIGTERM) of a still test picture at F frames a
 * second: eight vertical bars, left to right white, yellow, cyan, green,
 * magenta, red, blue, black (SC_DEMO_BARS below; the test knows them). It
 * prints one line per event on stdout:
 *   open: WHERE                 the sink opened
 *   open failed: SENTENCE       (exit 1 without --reopen)
 *   consumers: N                whenever the count changes
 *   lost: SENTENCE              a write returned SC_ERR_DEVICE_LOST
 *   done: W written             at the end
 * --reopen: after a loss (or a failed open) it closes the sink and opens it
 * again every 0.2 s, as app/output/output_vcam.c does, going on counting
 * frames meanwhile. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/vcam/sink.h"

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static const unsigned char bars[8][3] = {
    {235, 235, 235}, {235, 235, 16}, {16, 235, 235}, {16, 235, 16},
    {235, 16, 235}, {235, 16, 16}, {16, 16, 235}, {16, 16, 16},
};

static void sleep_until(struct timespec *t, double period)
{
    long ns = (long)(period * 1e9);
    t->tv_nsec += ns % 1000000000L;
    t->tv_sec += ns / 1000000000L + t->tv_nsec / 1000000000L;
    t->tv_nsec %= 1000000000L;
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL);
}

int main(int argc, char **argv)
{
    struct sc_vcam_request req = {.spec = NULL, .w = 320, .h = 240, .fps = 30,
                                  .format = SC_VCAM_YUYV};
    long frames = 100;
    int reopen = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--name") && i + 1 < argc)
            req.spec = argv[++i];
        else if (!strcmp(argv[i], "--size") && i + 1 < argc &&
                 sscanf(argv[i + 1], "%dx%d", &req.w, &req.h) == 2)
            i++;
        else if (!strcmp(argv[i], "--fps") && i + 1 < argc)
            req.fps = atof(argv[++i]);
        else if (!strcmp(argv[i], "--frames") && i + 1 < argc)
            frames = atol(argv[++i]);
        else if (!strcmp(argv[i], "--reopen"))
            reopen = 1;
        else {
            fprintf(stderr, "usage: %s [--name NODE] [--size WxH] [--fps F] [--frames N] "
                    "[--reopen]\n", argv[0]);
            return 2;
        }
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    setvbuf(stdout, NULL, _IOLBF, 0);

    struct sc_frame f = {.w = req.w, .h = req.h};
    f.rgb = malloc((size_t)req.w * req.h * 3);
    if (!f.rgb)
        return 1;
    for (int y = 0; y < req.h; y++)
        for (int x = 0; x < req.w; x++)
            memcpy(f.rgb + ((size_t)y * req.w + x) * 3, bars[x * 8 / req.w], 3);

    const struct sc_vcam_sink_driver *drv = &sc_vcam_pipewire;
    void *sink = NULL;
    struct sc_error err;
    char where[256];
    long written = 0, tries = 0;
    int consumers = -2;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    for (long k = 0; !stop && (frames == 0 || k < frames); k++) {
        if (!sink && (k == 0 || (reopen && tries++ % 6 == 0))) {  /* 0.2 s at 30 fps */
            if (drv->open(&sink, &req, where, sizeof where, &err) == SC_OK) {
                printf("open: %s\n", where);
                consumers = -2;
            } else {
                sink = NULL;
                printf("open failed: %s\n", err.msg);
                if (!reopen) {
                    free(f.rgb);
                    return 1;
                }
            }
        }
        if (sink) {
            f.seq = (uint64_t)k;
            enum sc_status st = drv->write(sink, &f, &err);
            if (st == SC_OK) {
                written++;
            } else {
                printf("%s: %s\n", st == SC_ERR_DEVICE_LOST ? "lost" : "error", err.msg);
                drv->close(sink);
                sink = NULL;
                tries = 1;
                if (!reopen)
                    break;
            }
        }
        if (sink) {
            int c = drv->consumers(sink);
            if (c != consumers)
                printf("consumers: %d\n", c);
            consumers = c;
        }
        sleep_until(&t, 1.0 / req.fps);
    }
    drv->close(sink);
    printf("done: %ld written\n", written);
    free(f.rgb);
    return 0;
}
