#include "app/record/bench_record.h"
#include "common/clock.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/frame.h"
#include "app/record/recorder.h"

#define PATTERNS 24  /* distinct pictures, cycled; the motion never repeats within a GOP */

/* A painting-like moving picture: smooth colour fields with brush-stroke
 * texture, scrolled diagonally (so the encoder sees real motion). */
static void paint(uint8_t *rgb, int w, int h, int t)
{
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int u = x + 6 * t, v = y + 3 * t;
            double base = sin(u * 0.011) + cos(v * 0.017) + sin((u + v) * 0.005);
            uint32_t hsh = (uint32_t)(u / 3) * 2654435761u ^ (uint32_t)(v / 2) * 40503u;
            int tex = (int)(hsh >> 27) - 16;
            uint8_t *p = rgb + ((size_t)y * w + x) * 3;
            p[0] = (uint8_t)fmin(255, fmax(0, 128 + 60 * base + tex));
            p[1] = (uint8_t)fmin(255, fmax(0, 110 + 50 * sin(base * 2 + u * 0.002) + tex));
            p[2] = (uint8_t)fmin(255, fmax(0, 140 - 55 * base + tex / 2));
        }
    }
}

enum sc_status sc_record_bench(int w, int h, int frames, FILE *out)
{
    struct sc_error err;
    sc_error_clear(&err);
    if (w < 2 || h < 2 || frames < 1)
        return SC_ERR_ARG;
    int np = frames < PATTERNS ? frames : PATTERNS;
    uint8_t *pics = malloc((size_t)w * h * 3 * np);
    if (!pics)
        return SC_ERR_NOMEM;
    for (int i = 0; i < np; i++)
        paint(pics + (size_t)w * h * 3 * i, w, h, i);

    char path[] = "/tmp/stylecam-bench-XXXXXX.mkv";
    int fd = mkstemps(path, 4);
    if (fd < 0) {
        free(pics);
        fprintf(out, "record bench: cannot create a temporary file in /tmp\n");
        return SC_ERR_IO;
    }
    close(fd);
    struct sc_recorder_opts o = {.path = path, .w = w, .h = h, .fps = 30, .blocking = 1};
    struct sc_recorder *rec;
    enum sc_status st = sc_recorder_init(&rec, &o, &err);
    if (st != SC_OK) {
        fprintf(out, "record bench: %s\n", err.msg);
        unlink(path);
        free(pics);
        return st;
    }
    int64_t t0 = sc_now_us();
    for (int i = 0; i < frames; i++) {
        struct sc_frame f = {.rgb = pics + (size_t)w * h * 3 * (i % np), .w = w, .h = h,
                             .pts_us = t0 + (int64_t)i * 33333, .seq = (uint64_t)i};
        sc_recorder_push(rec, &f);
    }
    struct sc_recorder_stats stats;
    st = sc_recorder_free(&rec, &stats);
    double secs = (sc_now_us() - t0) / 1e6;
    fprintf(out, "record bench: %dx%d, %d frames encoded in %.2f s: %.1f fps "
            "(default settings, Matroska), written %llu, dropped %llu\n",
            w, h, frames, secs, frames / secs,
            (unsigned long long)stats.frames_written,
            (unsigned long long)stats.frames_dropped);
    unlink(path);
    free(pics);
    return st;
}
