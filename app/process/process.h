/* The processing thread: takes the newest camera frame from the ring, runs
 * the engine on it and fans the result out to the attached outputs
 * (app/output/output.h). It owns the engine and the outputs once given;
 * the UI steers it through controls and orders, never by touching them. */
#ifndef SC_PROCESS_H
#define SC_PROCESS_H

#include <stdint.h>

#include "app/capture/ring.h"
#include "app/output/output.h"
#include "engine/engine.h"
#include "engine/predict.h"

/* Leases the thread may hold (a frame per flight, read by the engine, and
 * the last frame, for a paused re-render) + 2: a LIVE ring keeps the newest. */
#define SC_PROCESS_RING_SLOTS (SC_ENGINE_MAX_INFLIGHT + 1 + 2)
#define SC_PROCESS_MAX_OUTPUTS 8

struct sc_controls {
    int style;              /* engine style index */
    float strength;         /* 0..1 */
    int keep_colors;
    int mirror;
    int stabilize;          /* enum sc_stabilize */
    int paused;             /* frames are drained but not stylized */
    unsigned refresh;       /* a change makes the paused frame again (compare mode
                               came on and the display wants its original) */
};

struct sc_process_output {
    int id;                 /* the caller's name for it, > 0 */
    const struct sc_output_driver *drv;
    void *priv;
};
struct sc_process_output_status {
    int id;
    struct sc_output_status st;
};

struct sc_process_opts {
    struct sc_engine *engine;   /* taken over: used by the thread only, freed by it */
    struct sc_ring *ring;       /* read side; SC_PROCESS_RING_SLOTS slots; outlives the process */
    struct sc_controls controls;
    int infer_w, infer_h;       /* run the network at this size (0 = the frame's) */
    double target_fps;          /* > 0: pick the infer size automatically for this rate */
    int min_infer_w;            /* automatic sizes stay at least this wide (0: 64) */
    int lossless;               /* batch: stylize every frame, outputs may block */
    long max_frames;            /* > 0: end after this many camera frames */
    struct sc_process_output outputs[SC_PROCESS_MAX_OUTPUTS];  /* attached before the
                                   first frame; taken over, even on failure */
    int noutputs;
};

struct sc_process_status {
    uint64_t frames;            /* frames stylized */
    uint64_t stale;             /* frames taken that were not among the ring's newest */
    double engine_ms;           /* recent engine time per frame */
    double fps;                 /* stylized frames per second, last second */
    int infer_w, infer_h;       /* size the network runs at now */
    int ended;                  /* the thread is done (source ended, --frames, failure) */
    uint64_t orders_done;       /* orders carried out (attach/detach return theirs) */
    struct sc_process_output_status outputs[SC_PROCESS_MAX_OUTPUTS];  /* attached now */
    int noutputs;
    int styles;                 /* styles in the engine (grows with sc_process_add_style) */
    char message[1024];         /* the latest sentence for the user ("" = none) */
    int failed;                 /* the engine failed: message says why */
};

struct sc_process;

enum sc_status sc_process_init(struct sc_process **out, const struct sc_process_opts *o,
                               struct sc_error *err);
/* Posts terminate (the thread wakes at once), which drains and closes the
 * outputs (a clip is finalized); joins, frees the engine. NULL: no-op. */
void sc_process_free(struct sc_process **pp);

/* Any thread: the controls for the next frame. */
void sc_process_set_controls(struct sc_process *p, const struct sc_controls *c);

/* Any thread: attaches an output from the next frame on (closing one of the
 * same id), or detaches and closes one. Returns the order's number (see
 * orders_done), or 0 when too many wait: the caller then keeps priv. */
uint64_t sc_process_attach(struct sc_process *p, int id, const struct sc_output_driver *drv,
                           void *priv);
uint64_t sc_process_detach(struct sc_process *p, int id);

/* Any thread: loads the style folder dir (a copy is kept) into the engine
 * between frames, on the processing thread that owns the engine. When the
 * order is done (orders_done), status.styles has grown by one and the new
 * style's engine index is styles - 1; or it failed and status.message says
 * why. Returns the order's number, or 0 when too many wait. */
uint64_t sc_process_add_style(struct sc_process *p, const char *dir);

/* Any thread: the same for a conditional style (arbitrary style transfer):
 * the folder's model (read once and kept) is added and given vec
 * (SC_STYLE_VEC floats, copied). The order number, or 0 when too many wait. */
uint64_t sc_process_add_vec_style(struct sc_process *p, const char *dir, const float *vec);

/* Any thread: gives style a new vector (copied) before the next frame; no
 * kernel is built, and the stabilizer starts afresh. A failure is a
 * message. The order number, or 0 when too many wait. */
uint64_t sc_process_set_vector(struct sc_process *p, int style, const float *vec);

void sc_process_get_status(struct sc_process *p, struct sc_process_status *st);
/* The output id's figures in st, or NULL when it is not attached. */
const struct sc_output_status *sc_process_output(const struct sc_process_status *st, int id);

#endif
