#include "app/record/bench_record.h"
#include "common/clock.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/frame.h"
#include "app/record/recorder.h"

#define PATTERNS 24  /* distinct pictures, cycled; the motion never repeats within a GOP */

/* A painting-like moving picture: smooth colour fields with brush-stroke
 * texture, scrolled diagonally (so the encoder sees real motion), with a
 * fine grain that changes every frame as a stylized camera's does (without
 * it lossless coding finds exact matches and looks far cheaper than it is). */
static void paint(uint8_t *rgb, int w, int h, int t)
{
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int u = x + 6 * t, v = y + 3 * t;
            double base = sin(u * 0.011) + cos(v * 0.017) + sin((u + v) * 0.005);
            uint32_t hsh = (uint32_t)(u / 3) * 2654435761u ^ (uint32_t)(v / 2) * 40503u;
            uint32_t g = ((uint32_t)x * 73856093u ^ (uint32_t)y * 19349663u ^
                          (uint32_t)t * 83492791u) * 2654435761u;
            int tex = (int)(hsh >> 27) - 16 + (int)(g >> 29) - 4;
            uint8_t *p = rgb + ((size_t)y * w + x) * 3;
            p[0] = (uint8_t)fmin(255, fmax(0, 128 + 60 * base + tex));
            p[1] = (uint8_t)fmin(255, fmax(0, 110 + 50 * sin(base * 2 + u * 0.002) + tex));
            p[2] = (uint8_t)fmin(255, fmax(0, 140 - 55 * base + tex / 2));
        }
    }
}

/* One quality: encodes the pictures into a temporary .mkv and prints the rate. */
static enum sc_status bench_quality(const uint8_t *pics, int np, int w, int h, int frames,
                                    int quality, FILE *out)
{
    static const char *const names[] = {"normal", "high", "lossless"};
    struct sc_error err;
    sc_error_clear(&err);
    char path[] = "/tmp/stylecam-bench-XXXXXX.mkv";
    int fd = mkstemps(path, 4);
    if (fd < 0) {
        fprintf(out, "record bench: cannot create a temporary file in /tmp\n");
        return SC_ERR_IO;
    }
    close(fd);
    struct sc_recorder_opts o = {.path = path, .w = w, .h = h, .fps = 30, .blocking = 1,
                                 .quality = quality};
    struct sc_recorder *rec;
    enum sc_status st = sc_recorder_init(&rec, &o, &err);
    if (st != SC_OK) {
        fprintf(out, "record bench: %s\n", err.msg);
        unlink(path);
        return st;
    }
    int64_t t0 = sc_now_us();
    for (int i = 0; i < frames; i++) {
        struct sc_frame f = {.rgb = (uint8_t *)pics + (size_t)w * h * 3 * (i % np), .w = w,
                             .h = h, .pts_us = t0 + (int64_t)i * 33333, .seq = (uint64_t)i};
        sc_recorder_push(rec, &f);
    }
    struct sc_recorder_stats stats;
    st = sc_recorder_free(&rec, &stats);
    double secs = (sc_now_us() - t0) / 1e6;
    struct stat sb;
    double mbit = stat(path, &sb) == 0 && stats.duration_s > 0
                ? sb.st_size * 8 / 1e6 / (frames / 30.0) : 0;
    fprintf(out, "record bench: %dx%d %-8s %d frames encoded in %.2f s: %.1f fps "
            "(Matroska, %.1f Mbit/s at 30 fps), written %llu, dropped %llu\n",
            w, h, names[quality], frames, secs, frames / secs, mbit,
            (unsigned long long)stats.frames_written,
            (unsigned long long)stats.frames_dropped);
    unlink(path);
    return st;
}

enum sc_status sc_record_bench(int w, int h, int frames, FILE *out)
{
    if (w < 2 || h < 2 || frames < 1)
        return SC_ERR_ARG;
    int np = frames < PATTERNS ? frames : PATTERNS;
    uint8_t *pics = malloc((size_t)w * h * 3 * np);
    if (!pics)
        return SC_ERR_NOMEM;
    for (int i = 0; i < np; i++)
        paint(pics + (size_t)w * h * 3 * i, w, h, i);
    enum sc_status st = SC_OK;
    for (int q = SC_RECORD_NORMAL; q <= SC_RECORD_LOSSLESS && st == SC_OK; q++)
        st = bench_quality(pics, np, w, h, frames, q, out);
    free(pics);
    return st;
}
