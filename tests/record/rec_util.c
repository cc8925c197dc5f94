#include "rec_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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

int rt_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/sc-record-test-XXXXXX");
    return mkdtemp(buf) ? 0 : -1;
}

void rt_rmtree(const char *dir)
{
    char cmd[1200];
    if (strncmp(dir, "/tmp/sc-record-test-", 20) != 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int rt_run(const char *cmd, char *out, size_t n)
{
    char full[2400];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    size_t len = fread(out, 1, n - 1, p);
    out[len] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
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
             "-show_entries stream=codec_name,width,height,nb_frames,nb_read_frames:"
             "format=duration -of default=nw=1 '%s'", path);
    if (rt_run(cmd, out, sizeof out) != 0) {
        fprintf(stderr, "ffprobe failed: %s\n", out);
        return -1;
    }
    for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
        if (sscanf(l, "codec_name=%31s", p->codec) == 1) continue;
        if (sscanf(l, "width=%d", &p->w) == 1) continue;
        if (sscanf(l, "height=%d", &p->h) == 1) continue;
        if (sscanf(l, "nb_read_frames=%ld", &p->frames) == 1) continue;
        if (sscanf(l, "nb_frames=%ld", &p->nb_frames) == 1) continue;
        if (sscanf(l, "duration=%lf", &p->duration) == 1) continue;
    }
    snprintf(cmd, sizeof cmd, "ffprobe -v error -select_streams v:0 -show_entries "
             "packet=pts_time,duration_time -of csv=p=0 '%s'", path);
    if (rt_run(cmd, out, sizeof out) != 0)
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
    int rc = rt_run(cmd, out, n);
    return rc == 0 && out[0] == '\0' ? 0 : -1;
}
