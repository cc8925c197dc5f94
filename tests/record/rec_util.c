#include "rec_util.h"

#include <check.h>

#include "app/record/recorder.h"
#include "tests/util/sc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rt_paint(uint8_t *rgb, int w, int h, int t)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = rgb + ((size_t)y * w + x) * 3;
            int u = x + 5 * t, v = y + 2 * t;
            uint32_t hsh = (uint32_t)(u / 2) * 2654435761u ^ (uint32_t)(v / 2) * 40503u;
            p[0] = (uint8_t)(u * 2 + (hsh >> 28));
            p[1] = (uint8_t)(v * 3 + ((u / 16 + v / 16) & 1) * 60);
            p[2] = (uint8_t)((u ^ v) + (hsh >> 29));
        }
}

void rt_record_small(const char *path, const char *encoder, int n)
{
    uint8_t rgb[64 * 48 * 3];
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = 64, .h = 48, .blocking = 1,
                                 .encoder = encoder};
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    for (int i = 0; i < n; i++) {
        rt_paint(rgb, 64, 48, i);
        struct sc_frame f = {.rgb = rgb, .w = 64, .h = 48, .pts_us = i * 40000};
        sc_recorder_push(rec, &f);
    }
    struct sc_recorder_stats s;
    ck_assert_int_eq(sc_recorder_free(&rec, &s), SC_OK);
    ck_assert_uint_eq(s.frames_written, (uint64_t)n);
}

int rt_probe(const char *path, struct rt_probe *p)
{
    memset(p, 0, sizeof *p);
    p->w = p->h = -1;
    p->frames = p->nb_frames = -1;
    p->duration = p->last_end = -1;
    static char out[1 << 20];
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "ffprobe -v error -count_frames -select_streams v:0 "
             "-show_entries stream=codec_name,pix_fmt,width,height,nb_frames,nb_read_frames:"
             "format=duration -of default=nw=1 '%s'", path);
    if (sc_test_sh(cmd, out, sizeof out) != 0) {
        fprintf(stderr, "ffprobe failed: %s\n", out);
        return -1;
    }
    for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
        if (sscanf(l, "codec_name=%31s", p->codec) == 1) continue;
        if (sscanf(l, "pix_fmt=%31s", p->pix_fmt) == 1) continue;
        if (sscanf(l, "width=%d", &p->w) == 1) continue;
        if (sscanf(l, "height=%d", &p->h) == 1) continue;
        if (sscanf(l, "nb_read_frames=%ld", &p->frames) == 1) continue;
        if (sscanf(l, "nb_frames=%ld", &p->nb_frames) == 1) continue;
        if (sscanf(l, "duration=%lf", &p->duration) == 1) continue;
    }
    snprintf(cmd, sizeof cmd, "ffprobe -v error -select_streams v:0 -show_entries "
             "packet=pts_time,duration_time -of csv=p=0 '%s'", path);
    if (sc_test_sh(cmd, out, sizeof out) != 0)
        return -1;
    for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
        double pts = 0, dur = 0;
        if (sscanf(l, "%lf,%lf", &pts, &dur) >= 1 && pts + dur > p->last_end)
            p->last_end = pts + dur;
    }
    return 0;
}

int rt_decode_clean(const char *path, char *out, size_t n)
{
    char cmd[1200];
    /* Frames keep the file's own time base: by default ffmpeg would convert
     * them to a rate it guesses from a few timestamps, and a wrong guess for
     * a variable-rate clip reads as a timestamp error that is not in the file. */
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s' -enc_time_base -1 -f null -",
             path);
    int rc = sc_test_sh(cmd, out, n);
    return rc == 0 && out[0] == '\0' ? 0 : -1;
}
