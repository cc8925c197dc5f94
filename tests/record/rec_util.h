/* Helpers of the record tests: synthetic frames, and ffprobe/ffmpeg as
 * outside readers of the files (scratch folders and commands are
 * tests/util/sc_test.h's). */
#ifndef SC_TEST_REC_UTIL_H
#define SC_TEST_REC_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Fills rgb (w*h*3) with a moving picture for frame number t. */
void rt_paint(uint8_t *rgb, int w, int h, int t);

/* Records n frames of 64x48 (rt_paint, 40 ms apart, nothing dropped) to
 * path with encoder (NULL: the default choice); fails the test unless all
 * n are written. */
void rt_record_small(const char *path, const char *encoder, int n);

/* ffprobe facts about the first video stream. Missing values are -1 / "". */
struct rt_probe {
    char codec[32];
    char pix_fmt[32];
    int w, h;
    long frames;          /* decoded frame count (-count_frames) */
    long nb_frames;       /* frame count stored in the container, -1 if none */
    double duration;      /* container duration, -1 if N/A */
    double last_end;      /* max over packets of pts + duration */
};
int rt_probe(const char *path, struct rt_probe *p);

/* Decodes the whole file with `ffmpeg -v error`; returns 0 and leaves out
 * empty when it decodes without any error message. */
int rt_decode_clean(const char *path, char *out, size_t n);

#endif
