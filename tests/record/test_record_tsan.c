/* The recorder's queue and thread under ThreadSanitizer: a producer pushing
 * faster than the encoder (drops), an overlay thread polling the status,
 * a blocking (batch) run, and a recording that fails mid-way (file size
 * limit) while frames keep coming. Plain main: returns 1 on a wrong count;
 * TSan makes the test fail on a race (halt_on_error via exitcode). */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/frame.h"
#include "app/record/recorder.h"
#include "rec_util.h"
#include "tests/util/sc_test.h"

enum { W = 160, H = 120, N = 240 };

static struct sc_recorder *rec;
static atomic_int producing;
static uint8_t *pics[4];

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < N; i++) {
        struct sc_frame f = {.rgb = pics[i % 4], .w = W, .h = H,
                             .pts_us = 1000000 + i * 33333, .seq = (uint64_t)i};
        sc_recorder_push(rec, &f);
        if (i % 2)
            usleep(1000); /* a live-ish rate: the encoder sometimes keeps up */
    }
    atomic_store(&producing, 0);
    return NULL;
}

static void *overlay(void *arg)
{
    (void)arg;
    struct sc_recorder_status st;
    while (atomic_load(&producing)) {
        sc_recorder_get_status(rec, &st);
        usleep(1000);
    }
    return NULL;
}

static int run(const char *path, int blocking, int expect_fail, int noise)
{
    struct sc_error err;
    struct sc_recorder_opts o = {.path = path, .w = W, .h = H, .blocking = blocking};
    if (sc_recorder_init(&rec, &o, &err) != SC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (noise) {
        unsigned seed = 3;
        for (int k = 0; k < 4; k++)
            for (int i = 0; i < W * H * 3; i++)
                pics[k][i] = (uint8_t)(rand_r(&seed) >> 5);
    }
    atomic_store(&producing, 1);
    pthread_t p, q;
    pthread_create(&p, NULL, producer, NULL);
    pthread_create(&q, NULL, overlay, NULL);
    pthread_join(p, NULL);
    pthread_join(q, NULL);
    struct sc_recorder_stats s;
    enum sc_status st = sc_recorder_free(&rec, &s);
    unlink(path);
    printf("%s blocking=%d: written %llu dropped %llu ignored %llu status %s\n", path,
           blocking, (unsigned long long)s.frames_written,
           (unsigned long long)s.frames_dropped, (unsigned long long)s.frames_ignored,
           sc_strerror(st));
    if (expect_fail)
        return st == SC_ERR_FULL && s.frames_ignored > 0 ? 0 : 1;
    if (st != SC_OK || s.frames_written == 0 || s.frames_written + s.frames_dropped != N)
        return 1;
    return blocking && s.frames_dropped ? 1 : 0;
}

int main(void)
{
    for (int k = 0; k < 4; k++) {
        pics[k] = malloc(W * H * 3);
        rt_paint(pics[k], W, H, k * 5);
    }
    char dir[256], path[512];
    if (sc_test_tmpdir(dir, sizeof dir) != 0)
        return 1;
    int bad = 0;
    snprintf(path, sizeof path, "%s/live.mkv", dir);
    bad |= run(path, 0, 0, 0);
    snprintf(path, sizeof path, "%s/batch.mp4", dir);
    bad |= run(path, 1, 0, 0);

    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 300 * 1024;
    setrlimit(RLIMIT_FSIZE, &lim);
    snprintf(path, sizeof path, "%s/full.mkv", dir);
    bad |= run(path, 1, 1, 1);
    setrlimit(RLIMIT_FSIZE, &old);

    sc_test_rmtree(dir);
    for (int k = 0; k < 4; k++)
        free(pics[k]);
    return bad;
}
