/* A consumer of stylized frames (the display, a recording, a virtual
 * camera) as a driver: a const struct of function pointers, like a frame
 * source (app/capture/source.h). The processing thread fans each frame out
 * to the outputs attached to it (app/process/fanout.c) without knowing
 * their kinds; the UI attaches and detaches them through its orders. Every
 * slot runs on the processing thread, which owns priv from the attach on. */
#ifndef SC_OUTPUT_H
#define SC_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "common/frame.h"

struct sc_output_frame {
    const struct sc_frame *stylized;  /* borrowed for the call */
    const struct sc_frame *original;  /* the camera frame (same size, not mirrored) */
    int mirror;                       /* stylized is mirrored: mirror the original too */
    int rerender;                     /* the same camera frame again with new settings
                                         (paused): no new footage */
    int style;                        /* engine style index */
    double engine_ms;                 /* engine time for this frame */
    int buffer;                       /* stylized is this output's get_buffer(k): k; else -1 */
};

struct sc_output_status {
    int active;                       /* taking frames (a recorder: writing a clip) */
    double elapsed_s;                 /* footage taken so far */
    uint64_t frames, dropped;         /* frames kept; frames lost because it fell behind */
    uint64_t repeated;                /* a virtual camera: frames sent again because no
                                         new one came in time (0 for others) */
    char where[96];                   /* where the frames go, in words ("" = not said) */
};

enum sc_output_ret {
    SC_OUTPUT_MORE,     /* goes on */
    SC_OUTPUT_DONE,     /* cannot go on (a failure, a size it cannot take): close it */
};

struct sc_output_driver {
    const char *name;   /* "display", "record", ... */

    /* Before the first frame and whenever the frame size changes. Returns
     * SC_OUTPUT_DONE when it cannot take w x h frames; close says why. */
    enum sc_output_ret (*reconfig)(void *priv, int w, int h);

    /* Optional (as mpv's get_image): the w x h buffer the engine writes the
     * stylized frame of flight k (0 .. SC_ENGINE_MAX_INFLIGHT-1) into, so
     * that it needs no copy; it comes back as frame()'s stylized with
     * buffer = k. NULL when out of memory. Only the first output attached
     * that has it lends; it is given the frame last. */
    uint8_t *(*get_buffer)(void *priv, int k, int w, int h);

    /* Each frame, in order. Returns at once: copies what it keeps, hands it
     * over or drops it and counts (a lossless output may wait for room,
     * never for long). Returns SC_OUTPUT_DONE to be closed. */
    enum sc_output_ret (*frame)(void *priv, const struct sc_output_frame *f);

    /* Optional. After each frame and each change: figures for the UI. */
    void (*status)(void *priv, struct sc_output_status *st);

    /* On detach, after SC_OUTPUT_DONE and at the end: finishes (a clip is
     * finalized), frees priv, and writes one sentence for the user into msg
     * ("" for none; n may be 0); the output logs what it says itself. Also
     * called by the owner of an output that was never attached. */
    void (*close)(void *priv, char *msg, size_t n);
};

#endif
