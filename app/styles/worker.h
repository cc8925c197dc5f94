/* The style worker: a thread that turns pictures into style vectors (a
 * second of CPU each) so that neither the window nor the processing thread
 * waits, and saves the styles made in the window. Jobs and results are
 * numbered; the main thread posts and polls. */
#ifndef SC_WORKER_H
#define SC_WORKER_H

#include <limits.h>
#include <stdint.h>

#include "app/styles/arbitrary.h"
#include "common/status.h"

enum sc_arb_job_kind {
    SC_ARB_JOB_FILE,        /* a picture file: checked, predicted, saved */
    SC_ARB_JOB_FRAME,       /* a camera frame (P): predicted, saved */
    SC_ARB_JOB_CONTENT,     /* a camera frame's own look (blending): predicted only */
};

struct sc_arb_job {
    enum sc_arb_job_kind kind;
    char path[PATH_MAX];    /* FILE */
    uint8_t *rgb;           /* FRAME, CONTENT: packed RGB, taken over (freed by the worker) */
    int w, h;
    char name[64];          /* the style's name (FILE, FRAME) */
};

struct sc_arb_result {
    uint64_t id;            /* the job's number */
    enum sc_arb_job_kind kind;
    char name[64];
    int ok;                 /* vec holds the style */
    float vec[SC_STYLE_VEC];
    char msg[1024];         /* !ok: why; ok: "" or why it was not saved */
};

struct sc_arb_worker;

/* pr (may be NULL: loaded on the first job) is taken over; store_dir ""
 * saves nothing. */
enum sc_status sc_arb_worker_init(struct sc_arb_worker **out, const struct sc_arb_paths *paths,
                                  struct sc_predict *pr, const char *store_dir,
                                  struct sc_error *err);
/* Ends the thread after its current job; frees what waits. NULL: no-op. */
void sc_arb_worker_free(struct sc_arb_worker **wp);

/* Queues a job (its pixels taken over even on failure); returns its number,
 * or 0 when too many wait. */
uint64_t sc_arb_worker_post(struct sc_arb_worker *w, struct sc_arb_job *job);
/* Takes the oldest result; 1 when there was one. */
int sc_arb_worker_take(struct sc_arb_worker *w, struct sc_arb_result *r);

#endif
