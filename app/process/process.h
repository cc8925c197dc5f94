/* The processing thread: takes the newest camera frame from the ring, runs
 * the engine on it, hands the result to the display's mailbox and to the
 * recorder. It owns the engine and the recorder once started; the UI
 * steers it through controls and commands, never by touching them. */
#ifndef SC_PROCESS_H
#define SC_PROCESS_H

#include <stdint.h>

#include "app/capture/ring.h"
#include "app/process/mailbox.h"
#include "engine/engine.h"

struct sc_controls {
    int style;              /* engine style index */
    float strength;         /* 0..1 */
    int keep_colors;
    int mirror;
    int paused;             /* frames are drained but not stylized */
};

struct sc_process_opts {
    struct sc_engine *engine;   /* taken over: used by the thread only, freed by it */
    struct sc_ring *ring;       /* read side; outlives the process */
    struct sc_mailbox *mailbox; /* write side; outlives the process */
    struct sc_controls controls;
    int infer_w, infer_h;       /* run the network at this size (0 = the frame's) */
    double target_fps;          /* > 0: pick the infer size automatically for this rate */
    int min_infer_w;            /* automatic sizes stay at least this wide (0: 64) */
    int lossless;               /* batch: stylize and record every frame, block if needed */
    const char *record_path;    /* record from the first frame on (NULL: not now) */
};

struct sc_process_status {
    uint64_t frames;            /* frames stylized */
    uint64_t stale;             /* frames taken that were not among the ring's newest */
    double engine_ms;           /* recent engine time per frame */
    double fps;                 /* stylized frames per second, last second */
    int infer_w, infer_h;       /* size the network runs at now */
    int ended;                  /* the source ended and every frame was processed */
    int recording;              /* a clip is being written */
    double rec_elapsed_s;
    uint64_t rec_frames, rec_dropped;
    char rec_path[512];
    char message[1024];         /* the latest sentence for the user ("" = none) */
    int failed;                 /* the engine failed: message says why */
};

struct sc_process;

enum sc_status sc_process_init(struct sc_process **out, const struct sc_process_opts *o,
                               struct sc_error *err);
/* Posts terminate, finishes a recording (file finalized), joins, frees the
 * engine. NULL is a no-op. */
void sc_process_free(struct sc_process **pp);

/* Any thread: the controls for the next frame. */
void sc_process_set_controls(struct sc_process *p, const struct sc_controls *c);

/* Any thread: starts recording to path (an empty reserved file or a new
 * name), or stops. The result shows in the status. */
void sc_process_record_start(struct sc_process *p, const char *path);
void sc_process_record_stop(struct sc_process *p);

void sc_process_get_status(struct sc_process *p, struct sc_process_status *st);

#endif
