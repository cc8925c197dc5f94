/* A video frame as it travels between stages: packed 8-bit RGB. */
#ifndef SC_FRAME_H
#define SC_FRAME_H

#include <stdint.h>

/* The smallest side any stage takes: the network needs room for its
 * strided layers. */
#define SC_MIN_SIDE 16

struct sc_frame {
    uint8_t *rgb;     /* w*h*3 bytes, rows packed (stride w*3); owned by whoever allocated the slot */
    int w, h;
    int64_t pts_us;   /* capture time, CLOCK_MONOTONIC microseconds */
    uint64_t seq;     /* capture sequence number, counts dropped frames too */
};

#endif
