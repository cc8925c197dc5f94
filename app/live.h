/* The live pipeline as the program runs it: source -> capture thread ->
 * ring -> processing thread -> outputs: the display (mailbox -> window or
 * headless loop) and, while recording, the recorder. */
#ifndef SC_LIVE_H
#define SC_LIVE_H

#include <limits.h>
#include <signal.h>

#include "app/capture/capture.h"
#include "app/cmd/commands.h"
#include "app/output/display.h"
#include "app/process/process.h"
#include "app/styles/arbitrary.h"
#include "app/window/window.h"
#include "common/settings.h"

#define SC_LIVE_MAX_STYLES 64

/* Any picture as a style: what the live session knows of its picture
 * styles. Written by sc_live_start (the starter thread, before the window
 * loop joins it), then by the main thread only. */
struct sc_live_arb {
    int found;                              /* the arbitrary networks are installed */
    struct sc_arb_paths paths;
    char store[PATH_MAX];                   /* where P and dropped pictures are kept */
    int is_arb[SC_LIVE_MAX_STYLES];         /* by engine index: made from a picture */
    float vec[SC_LIVE_MAX_STYLES][SC_STYLE_VEC];  /* by engine index: its own vector */
    struct sc_predict *pr;                  /* loaded at start when needed; handed on
                                               to the window's style worker */
};

/* The outputs' ids at the processing thread. */
enum { SC_LIVE_OUT_DISPLAY = 1, SC_LIVE_OUT_RECORD, SC_LIVE_OUT_VCAM };

struct sc_live {
    struct sc_app *app;
    struct sc_ring *ring;
    struct sc_capture *capture;
    struct sc_mailbox *mailbox;
    struct sc_process *process;
    struct sc_controls controls;           /* the UI's copy; sent on change */
    char style_names[SC_LIVE_MAX_STYLES][128];  /* by engine index */
    int nstyles;
    char record_dir[PATH_MAX];             /* where R and S save ("" until needed) */
    int batch;                             /* a file recorded as fast as it decodes */
    uint64_t rec_order;                    /* the last R's order to the processing thread */
    int rec_asked;                         /* what it asked: 1 record, 0 stop */
    struct sc_settings settings;           /* remembered (window sessions); main thread */
    char settings_path[PATH_MAX];          /* "" = none read, none written */
    uint64_t vcam_order;                   /* the last V's order to the processing thread */
    int vcam_asked;                        /* what it asked: 1 start, 0 stop */
    struct sc_live_arb arb;                /* picture styles (app/live_arb.c) */
};

/* Set from the SIGINT/SIGTERM handler: every loop checks it. */
extern volatile sig_atomic_t sc_live_stop;

/* Sets up the pipeline: ring, engine with every style, source, processing
 * thread. Any thread; on failure returns the error with its sentence, and
 * what was set up is released by the caller's stop as usual. */
enum sc_status sc_live_start(struct sc_live *lv, struct sc_error *err);

/* The window loop and the headless loop; each returns the exit status. The
 * headless loop expects sc_live_start done; the window loop calls it itself,
 * after its window shows that it is starting. */
int sc_live_run_window(struct sc_live *lv);
int sc_live_run_headless(struct sc_live *lv);

/* The folder for clips and snapshots (created on first use), or NULL with
 * the sentence logged. */
const char *sc_live_record_dir(struct sc_live *lv);

/* Main thread: whether a clip is being recorded (or about to be, R was
 * pressed), given a fresh status. */
int sc_live_recording(const struct sc_live *lv, const struct sc_process_status *ps);
/* Main thread: starts or stops a recording (R); returns 0 or -1 with the
 * sentence logged. */
int sc_live_toggle_record(struct sc_live *lv);

/* Main thread, window sessions: the window as it was left last time (size,
 * fullscreen) into wo, and, before the window closes, what to remember of it. */
void sc_live_window_opts(const struct sc_live *lv, struct sc_window_opts *wo);
void sc_live_window_closing(struct sc_live *lv, const struct sc_window *win);
/* Main thread: whether the virtual camera runs (or V asked for it and the
 * order is not carried out yet), given a fresh status. */
int sc_live_vcam_on(const struct sc_live *lv, const struct sc_process_status *ps);
/* Main thread: starts or stops the virtual camera (V) on --vcam's device
 * (auto without it); returns 0 or -1 with the sentence logged. A failure
 * to open the device comes later, from its thread (logged, and the
 * processing thread's message). */
int sc_live_toggle_vcam(struct sc_live *lv);

/* live_arb.c: the picture styles at start (--style-image, then the stored
 * ones), each added to eng with its vector; a bad picture or missing
 * networks are a warning and the session goes on. Starter thread. */
void sc_live_arb_start(struct sc_live *lv, struct sc_engine *eng);
/* A name for a new picture style: from path's file name, unique among the
 * session's styles and the stored ones. */
void sc_live_arb_name(struct sc_live *lv, const char *path, char out[64]);
/* Registers engine style lv->nstyles as a picture style with vec. */
void sc_live_arb_register(struct sc_live *lv, const char *name, const float *vec);
void sc_live_arb_free(struct sc_live *lv);

/* The copies each stage made (debug builds), at debug level. */
void sc_live_log_copies(struct sc_live *lv, const struct sc_display_tally *t);

#endif
