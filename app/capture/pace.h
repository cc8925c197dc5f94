/* A camera's fixed frame cadence for the synthetic sources (test scene,
 * still image): frames fall on a grid of slots one period apart, and a slot
 * nobody read in time is gone, as a camera's frame is when its queue is full.
 * Timestamps therefore never come closer than one period. Unpaced (batch),
 * frames come at once, stamped on the same grid as if none were missed. */
#ifndef SC_CAPTURE_PACE_H
#define SC_CAPTURE_PACE_H

#include <stdint.h>

#include "common/status.h"

struct sc_pace {
    int64_t period_us;
    int64_t next_us;    /* CLOCK_MONOTONIC time of the next slot */
    uint64_t slot;      /* number of the next slot, counting missed ones */
    int paced;          /* 0: no waiting and no missed slots */
};

void sc_pace_init(struct sc_pace *p, double fps, int paced);

/* Sleeps until the next slot, at most timeout_ms (then SC_AGAIN). On SC_OK,
 * *slot_us is the slot's time (the frame's capture time) and *seq its number;
 * slots that passed meanwhile are skipped, so seq shows them as dropped. */
enum sc_status sc_pace_wait(struct sc_pace *p, int timeout_ms, int64_t *slot_us,
                            uint64_t *seq);

#endif
