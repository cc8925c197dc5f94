/* A video frame as it travels between stages: packed 8-bit RGB. */
#ifndef SC_FRAME_H
#define SC_FRAME_H

#include <stdint.h>

struct sc_frame {
    uint8_t *rgb;     /* w*h*3 bytes, rows packed (stride w*3); owned by whoever allocated the slot */
    int w, h;
    int64_t pts_us;   /* capture time, CLOCK_MONOTONIC microseconds */
    uint64_t seq;     /* capture sequence number, counts dropped frames too */
};

/* CLOCK_MONOTONIC now, in microseconds: the clock every pts_us is on. */
int64_t sc_now_us(void);

#endif
