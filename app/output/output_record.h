/* A recording as an output: the processing thread hands it each stylized
 * frame; the recorder (app/record) encodes on its own thread. The clip
 * starts with the first frame after the attach, at that frame's size, and
 * ends on detach, at the end, or when the frame size changes. */
#ifndef SC_OUTPUT_RECORD_H
#define SC_OUTPUT_RECORD_H

#include "app/output/output.h"
#include "common/status.h"

struct sc_output_record_opts {
    const char *path;       /* the file (copied); an empty reserved file is taken over */
    int lossless;           /* batch: wait for room rather than drop a frame */
    double fps;             /* nominal rate; 0 = the recorder's default */
    int time_base_num;      /* the source's time base (a video file); 0 = capture times */
    int time_base_den;
    int quality;            /* enum sc_record_quality (--record-quality) */
};

extern const struct sc_output_driver sc_output_record;

/* Any thread: the instance to attach (nothing is opened before the first
 * frame). Fails with a sentence when the path is too long for the system. */
enum sc_status sc_output_record_new(void **priv, const struct sc_output_record_opts *o,
                                    struct sc_error *err);

#endif
