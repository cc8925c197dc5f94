/* The processing thread's private state, shared by process.c (the thread,
 * its orders and status), flight.c (the frames in the engine) and fanout.c
 * (the outputs). */
#ifndef SC_PROCESS_PRIV_H
#define SC_PROCESS_PRIV_H

#include <pthread.h>

#include "app/process/process.h"

/* A frame in the engine. The engine reads the ring slot itself, so the slot
 * stays leased until the frame ends (then it is kept as the last frame). */
struct flight {
    const struct sc_frame *in;  /* a leased ring slot, or the last frame (rerender) */
    struct sc_frame out;        /* the stylized frame: a lent buffer or own */
    int lent;                   /* out is the lender's buffer of this index; -1: own */
    uint8_t *own;               /* own output buffer (no lender), grown on size change */
    size_t own_cap;             /* bytes at own */
    struct sc_controls c;       /* the settings it is made with */
    uint8_t *net_in, *net_out;  /* infer-size buffers (NULL: full size) */
    int net_w, net_h;
    int64_t t0;                 /* submit time, for engine time */
    int rerender;               /* a paused frame shown again with new settings */
};

/* An attached output (fanout.c). */
struct output {
    int id;
    const struct sc_output_driver *drv;
    void *priv;
    int w, h;                   /* the size it was configured for (0: not yet) */
    int done;                   /* a lender that is done: closed once nothing is in flight */
};

enum { MAX_ORDERS = 16 };

struct order {
    int attach;                 /* 1: attach (drv, priv), 0: detach */
    int id;
    const struct sc_output_driver *drv;
    void *priv;
    char *style_dir;            /* set: add the style folder (owned; attach unused) */
    float *vec;                 /* owned: with style_dir, the new style's vector; alone,
                                   the new vector of style vec_style */
    int vec_style;
};

struct sc_process {
    pthread_t thread;
    struct sc_process_opts o;           /* fixed after init (outputs moved out) */

    pthread_mutex_t lock;               /* guards the fields below it */
    struct sc_controls controls;        /* lock */
    struct order orders[MAX_ORDERS];    /* lock: to carry out, oldest first */
    int norders;                        /* lock */
    uint64_t orders_posted;             /* lock */
    int terminate;                      /* lock */
    struct sc_process_status status;    /* lock: published snapshot */

    /* Processing thread only (and sc_process_free after the join). */
    struct flight fl[SC_ENGINE_MAX_INFLIGHT];
    int head, count;                    /* oldest frame in flight; how many */
    const struct sc_frame *last;        /* the last camera frame made, still leased */
    long taken;                         /* camera frames begun (for max_frames) */
    int64_t last_end_us;                /* when the last frame finished */
    struct sc_controls shown_with;      /* settings of the last frame begun */
    int stab_reset;                     /* the next frame starts the stabilizer afresh */
    struct sc_model *vec_model;         /* the conditional model added last, kept for the
                                           next picture style (vec_model_dir's) */
    char *vec_model_dir;
    int small_w, small_h;               /* network size when smaller (0: full) */
    double fps_t0;
    uint64_t fps_n;
    struct output out[SC_PROCESS_MAX_OUTPUTS];
    int nout;
};

/* flight.c: starts f (a leased ring slot, given over; or p->last for a
 * re-render) through the engine, waiting for the oldest frame first if
 * the engine is full; finishes the oldest frame into the outputs; finishes
 * every frame in flight; releases all (after the engine is gone). */
enum sc_status sc_flight_begin(struct sc_process *p, const struct sc_frame *f,
                               const struct sc_controls *c, int rerender,
                               struct sc_error *err);
enum sc_status sc_flight_end(struct sc_process *p, struct sc_error *err);
enum sc_status sc_flight_drain(struct sc_process *p, struct sc_error *err);
void sc_flight_free(struct sc_process *p);

/* fanout.c: the outputs. attach/detach only with no frame in flight (the
 * lender may change). buffer: the lender's buffer k, or NULL when none
 * lends (*lent = 0). frame: gives f to each (configuring it first for a
 * new size; the lender last) and closes those that are done. */
void sc_fanout_attach(struct sc_process *p, int id, const struct sc_output_driver *drv,
                      void *priv);
void sc_fanout_detach(struct sc_process *p, int id);
uint8_t *sc_fanout_buffer(struct sc_process *p, int k, int w, int h, int *lent);
void sc_fanout_frame(struct sc_process *p, struct sc_output_frame *f);
void sc_fanout_close_all(struct sc_process *p);
/* Each output's figures into st (SC_PROCESS_MAX_OUTPUTS); returns how many. */
int sc_fanout_status(struct sc_process *p, struct sc_process_output_status *st);

/* process.c: called by flight.c for each frame made; a sentence for the
 * user from an output that closed. */
void sc_process_frame_done(struct sc_process *p, double engine_ms);
void sc_process_message(struct sc_process *p, const char *msg);

#endif
