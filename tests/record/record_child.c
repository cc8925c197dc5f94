/* Records synthetic frames in real time (~30 fps) like the live program
 * does, for a test to signal or kill mid-way. Prints, one line each:
 *   "start <pts_us>"                  after the first frame,
 *   "pushed <n>"                      after every frame (n so far),
 *   "written <frames> <duration_s> dropped <frames> pushed <n>"
 *                                     after a clean stop (SIGTERM or the limit).
 * hold: pushes MAX_FRAMES frames, nothing dropped (the queue blocks), waits
 * until the encoder has taken every one, prints
 *   "held <n> <first_pts_us> <last_pts_us>"
 * and waits to be killed without closing the file: what a SIGKILL then
 * loses is only what the recorder keeps in memory, whatever the load.
 * lossless: records at --record-quality lossless.
 * Usage: record_child FILE W H MAX_FRAMES [hold] [lossless] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* Waits until the encoder has written all n frames pushed. */
static void wait_written(struct sc_recorder *rec, int n)
{
    struct sc_recorder_status st;
    for (;;) {
        sc_recorder_get_status(rec, &st);
        if (st.frames_written + st.frames_dropped >= (uint64_t)n || !st.recording)
            return;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv)
{
    int hold = 0, lossless = 0, bad = argc < 5;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "hold") == 0)
            hold = 1;
        else if (strcmp(argv[i], "lossless") == 0)
            lossless = 1;
        else
            bad = 1;
    }
    if (bad) {
        fprintf(stderr, "usage: record_child FILE W H MAX_FRAMES [hold] [lossless]\n");
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
    struct sc_recorder_opts o = {.path = argv[1], .w = w, .h = h, .fps = 30, .blocking = hold,
                                 .quality = lossless ? SC_RECORD_LOSSLESS : SC_RECORD_NORMAL};
    if (sc_recorder_init(&rec, &o, &err) != SC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        free(pics);
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    int64_t t0 = sc_now_us(), first = 0, last = 0;
    int n = 0;
    for (int i = 0; i < max && !stop; i++) {
        int64_t due = t0 + (int64_t)i * 33333;
        struct timespec ts = {.tv_sec = due / 1000000, .tv_nsec = due % 1000000 * 1000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        struct sc_frame f = {.rgb = pics + (size_t)w * h * 3 * (i % PICS), .w = w, .h = h,
                             .pts_us = sc_now_us(), .seq = (uint64_t)i};
        sc_recorder_push(rec, &f);
        n++;
        last = f.pts_us;
        if (i == 0) {
            first = f.pts_us;
            printf("start %lld\n", (long long)f.pts_us);
        }
        printf("pushed %d\n", n);
    }
    if (hold) {
        wait_written(rec, n);
        printf("held %d %lld %lld\n", n, (long long)first, (long long)last);
        for (;;)
            pause();
    }
    struct sc_recorder_stats s;
    enum sc_status st = sc_recorder_free(&rec, &s);
    printf("written %llu %.3f dropped %llu pushed %d\n", (unsigned long long)s.frames_written,
           s.duration_s, (unsigned long long)s.frames_dropped, n);
    free(pics);
    return st == SC_OK ? 0 : 1;
}
