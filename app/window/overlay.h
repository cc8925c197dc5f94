/* What the on-screen overlay shows: a plain struct of values the main loop
 * fills each frame and hands to sc_window_present. */
#ifndef SC_OVERLAY_H
#define SC_OVERLAY_H

#include <stdbool.h>
#include <stdint.h>

struct sc_overlay {
    char style_name[64];    /* the style being applied ("candy") */
    double fps;             /* displayed frames per second; <= 0 = not measured yet */
    double engine_ms;       /* engine time per frame; <= 0 = not measured yet */
    uint64_t dropped;       /* frames dropped since start */
    double latency_ms;      /* capture-to-display time; <= 0 = not measured yet */
    int strength;           /* style strength, percent 0..100 */
    int infer_w, infer_h;   /* the network's size when below the frame's; 0 = full */
    bool keep_colors;       /* the original colours are kept */
    bool mirror;            /* the picture is mirrored */
    int stabilize;          /* enum sc_stabilize: 0 off, 1 on, 2 strong */
    bool recording;         /* a clip is being recorded: shows a red mark */
    double rec_elapsed_s;   /* how long the clip has been recording */
    char status_msg[256];   /* "" = none; otherwise shown centred even with the panel hidden */
    bool show;              /* the caller allows the panel; it is drawn when this and
                               the window's own H toggle are both on */
    bool paused;            /* the picture is frozen */
    char hint[160];         /* "" = none; else a line above the key help, shown even with
                               the panel hidden (only the built-in style: press D) */
    bool download;          /* a style download runs: its progress bar is drawn */
    float download_frac;    /* its progress, 0..1 */
    char download_line[160];/* its text ("[2/9] mathura [...] 3.1/60.4 MB  1.2 MB/s") */
    bool vcam;              /* the virtual camera runs or is starting: a panel line */
    char vcam_where[64];    /* where it sends ("/dev/video10 (stylecam)"; "" = opening) */
    uint64_t vcam_frames;   /* frames sent to it, repeats included */
    uint64_t vcam_repeated; /* of those, sent again because no new one came in time */
    uint64_t vcam_dropped;  /* frames it lost (late, or a slow reader) */
    char blend[96];         /* "" = none; else the picture-style blend ("blend: 60% coffee
                               + 40% chelsea   [ ] mix"): a panel line */
};

/* The panel's text lines, formatted for display (one per row). */
enum { SC_OVERLAY_MAX_LINES = 6, SC_OVERLAY_LINE_LEN = 112 };

/* Fills lines with the panel's rows for ov; returns how many were used. */
int sc_overlay_format_lines(const struct sc_overlay *ov,
                            char lines[SC_OVERLAY_MAX_LINES][SC_OVERLAY_LINE_LEN]);

/* Writes an elapsed time as "mm:ss" (minutes grow past 59, "00:00" for
 * negative or non-finite input). */
void sc_overlay_format_elapsed(double seconds, char out[16]);

#endif
