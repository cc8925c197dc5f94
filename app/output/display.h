/* The display as an output: frames go into a mailbox (lent to the engine,
 * so the stylized frame is written there directly), and the main thread,
 * in the window or the headless loop, takes them with one shared path that
 * also measures latency and rates. */
#ifndef SC_DISPLAY_H
#define SC_DISPLAY_H

#include <stdint.h>

#include "app/output/mailbox.h"
#include "app/output/output.h"

/* priv: the struct sc_mailbox (it outlives the output; close ends it). */
extern const struct sc_output_driver sc_output_display;

/* What the main thread saw of the frames, for the overlay and the report. */
struct sc_display_tally {
    uint64_t posted;        /* frames the display was handed (the last taken's n) */
    uint64_t shown;         /* frames taken; posted - shown were dropped as late */
    double latency_ms;      /* capture to display, recent (moving average) */
    double lat_sum, lat_max;  /* over every frame shown */
    double fps;             /* frames shown per second over the last second */
    int64_t fps_t0;
    uint64_t fps_n;
};

/* Main thread: takes the newest frame as sc_mailbox_take does and counts it
 * in t (zeroed by the caller at the start). */
enum sc_status sc_display_take(struct sc_mailbox *mb, struct sc_display_tally *t,
                               int timeout_ms, const struct sc_shown **out);

#endif
