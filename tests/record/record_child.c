/* Records synthetic frames in real time (~30 fps, live mode: drops when the
 * encoder lags) until SIGTERM or a frame limit, like the live program does.
 * Prints "start <pts_us>" after the first frame and, after a clean stop,
 * "written <frames> <duration_s>". Used to kill a recording mid-way.
 * Usage: record_child FILE W H MAX_FRAMES */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/frame.h"
#include "common/clock.h"
#include "app/record/recorder.h"
#include "rec_util.h"

#define PICS 8

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: record_child FILE W H MAX_FRAMES\n");
        return 2;
    }
    int w = atoi(argv[2]), h = atoi(argv[3]), max = atoi(argv[4]);
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);

    uint8_t *pics = malloc((size_t)w * h * 3 * PICS);
    if (!pics)
        return 1;
    for (int i = 0; i < PICS; i++)
        rt_paint(pics + (size_t)w * h * 3 * i, w, h, i * 3);

    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = argv[1], .w = w, .h = h, .fps = 30};
    if (sc_recorder_init(&rec, &o, &err) != SC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        free(pics);
        return 1;
    }
    int64_t t0 = sc_now_us();
    for (int i = 0; i < max && !stop; i++) {
        int64_t due = t0 + (int64_t)i * 33333;
        struct timespec ts = {.tv_sec = due / 1000000, .tv_nsec = due % 1000000 * 1000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        struct sc_frame f = {.rgb = pics + (size_t)w * h * 3 * (i % PICS), .w = w, .h = h,
                             .pts_us = sc_now_us(), .seq = (uint64_t)i};
        sc_recorder_push(rec, &f);
        if (i == 0) {
            printf("start %lld\n", (long long)f.pts_us);
            fflush(stdout);
        }
    }
    struct sc_recorder_stats s;
    enum sc_status st = sc_recorder_free(&rec, &s);
    printf("written %llu %.3f dropped %llu\n", (unsigned long long)s.frames_written,
           s.duration_s, (unsigned long long)s.frames_dropped);
    free(pics);
    return st == SC_OK ? 0 : 1;
}
