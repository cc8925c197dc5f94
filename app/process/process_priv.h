/* The processing thread's private state, shared by process.c (the thread,
 * its orders and status) and flight.c (the frames in the engine). */
#ifndef SC_PROCESS_PRIV_H
#define SC_PROCESS_PRIV_H

#include <pthread.h>

#include "app/process/process.h"
#include "app/record/recorder.h"

/* A frame in the engine. The mailbox buffer of the same index receives its
 * output; the input is a copy, so the ring slot goes back at once. */
struct flight {
    struct sc_frame in;         /* the input; buffer reused, grown on size change */
    struct sc_controls c;       /* the settings it is made with */
    uint8_t *net_in, *net_out;  /* infer-size buffers (NULL: full size) */
    int net_w, net_h;
    int64_t t0;                 /* submit time, for engine time */
    int rerender;               /* a paused frame shown again with new settings */
};

struct sc_process {
    pthread_t thread;
    struct sc_process_opts o;           /* fixed after init */

    pthread_mutex_t lock;               /* guards the fields below it */
    struct sc_controls controls;        /* lock */
    int cmd;                            /* lock: the next command (process.c) */
    char cmd_path[512];                 /* lock */
    int terminate;                      /* lock */
    struct sc_process_status status;    /* lock: published snapshot */

    /* Processing thread only. */
    struct sc_recorder *rec;
    char pending[512];                  /* a recording to start with the next frame */
    struct flight fl[SC_ENGINE_MAX_INFLIGHT];
    int head, count;                    /* oldest frame in flight; how many */
    int last;                           /* the flight finished last (-1: none) */
    int64_t last_end_us;                /* when it finished */
    struct sc_controls shown_with;      /* settings of the last frame begun */
    int cur_w, cur_h;                   /* size of the last camera frame taken */
    int small_w, small_h;               /* network size when smaller (0: full) */
    double fps_t0;
    uint64_t fps_n;
};

/* flight.c: starts f through the engine (waiting for the oldest frame
 * first if the engine is full); finishes the oldest frame in flight into
 * the mailbox (and the recorder); finishes every frame in flight. */
enum sc_status sc_flight_begin(struct sc_process *p, const struct sc_frame *f,
                               const struct sc_controls *c, int rerender,
                               struct sc_error *err);
enum sc_status sc_flight_end(struct sc_process *p, struct sc_error *err);
enum sc_status sc_flight_drain(struct sc_process *p, struct sc_error *err);
void sc_flight_free(struct sc_process *p);

/* process.c: called by flight.c for each frame made. */
void sc_process_frame_done(struct sc_process *p, double engine_ms);

#endif
