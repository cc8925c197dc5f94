/* Shared helpers for the record tests: synthetic frames, temp folders, and
 * ffprobe/ffmpeg as outside readers of the files. */
#ifndef SC_TEST_REC_UTIL_H
#define SC_TEST_REC_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Fills rgb (w*h*3) with a moving picture for frame number t. */
void rt_paint(uint8_t *rgb, int w, int h, int t);

/* Makes a fresh folder under /tmp; writes its path to buf. 0 on success. */
int rt_tmpdir(char *buf, size_t n);

/* Removes a folder made by rt_tmpdir with everything in it. */
void rt_rmtree(const char *dir);

/* Runs a shell command, captures stdout+stderr into out (NUL-terminated);
 * returns the exit status (-1 if it could not run). */
int rt_run(const char *cmd, char *out, size_t n);

/* ffprobe facts about the first video stream. Missing values are -1 / "". */
struct rt_probe {
    char codec[32];
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
