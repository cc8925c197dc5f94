/* The headless loop: the same pipeline without a window, for scripts,
 * tests and batch runs; reports rates, latency and drops at exit. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/live.h"
#include "common/clock.h"
#include "common/log.h"

struct tally {
    uint64_t frames;
    double lat_sum, lat_max;
    int64_t t0;
    long rss_warm_kib;          /* resident memory after the warm-up frames */
};

#define WARM_FRAMES 50

/* Resident set size in KiB (Linux), 0 if unknown. */
static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void progress(const struct sc_live *lv, const struct tally *t, int tty)
{
    if (!tty)
        return;
    double s = (double)(sc_now_us() - t->t0) / 1e6;
    fprintf(stderr, "\rstylecam: %llu frames, %.1f fps%s   ", (unsigned long long)t->frames,
            s > 0 ? t->frames / s : 0.0, lv->batch ? " (recording)" : "");
}

static void count(struct sc_live *lv, struct tally *t, const struct sc_shown *s)
{
    (void)lv;
    double lat = (double)(sc_now_us() - s->stylized.pts_us) / 1000.0;
    t->frames++;
    if (t->frames == WARM_FRAMES)
        t->rss_warm_kib = rss_kib();
    t->lat_sum += lat;
    if (lat > t->lat_max)
        t->lat_max = lat;
}

static void report(struct sc_live *lv, const struct tally *t)
{
    struct sc_ring_stats rs;
    struct sc_process_status ps;
    sc_ring_get_stats(lv->ring, &rs);
    sc_process_get_status(lv->process, &ps);
    double s = (double)(sc_now_us() - t->t0) / 1e6;
    if (lv->batch)      /* every frame is taken, none is live: no latency or drops */
        sc_info("%llu frames in %.1f s (%.1f fps); engine %.1f ms/frame",
                (unsigned long long)t->frames, s, s > 0 ? t->frames / s : 0.0, ps.engine_ms);
    else
        sc_info("%llu frames in %.1f s (%.1f fps); engine %.1f ms/frame; latency capture to "
                "display %.1f ms mean, %.1f ms max; dropped %llu (camera ring) + %llu "
                "(display); %llu frames taken that were not among the newest",
                (unsigned long long)t->frames, s, s > 0 ? t->frames / s : 0.0, ps.engine_ms,
                t->frames ? t->lat_sum / t->frames : 0.0, t->lat_max,
                (unsigned long long)rs.dropped,
                (unsigned long long)sc_mailbox_dropped(lv->mailbox),
                (unsigned long long)ps.stale);
    if (ps.infer_w)
        sc_info("the network ran at %dx%d, scaled up to the frame's size", ps.infer_w,
                ps.infer_h);
    if (t->rss_warm_kib)
        sc_info("memory: %ld KiB resident after %d frames, %ld KiB at the end", t->rss_warm_kib,
                WARM_FRAMES, rss_kib());
}

int sc_live_run_headless(struct sc_live *lv)
{
    const struct sc_options *o = lv->app->opt;
    struct tally t;
    memset(&t, 0, sizeof t);
    t.t0 = sc_now_us();
    int tty = isatty(2);
    int64_t last_progress = 0;
    int rc = 0;
    while (!sc_live_stop && (!o->frames || t.frames < (uint64_t)o->frames)) {
        const struct sc_shown *s = sc_mailbox_take(lv->mailbox, 100);
        if (s)
            count(lv, &t, s);
        struct sc_process_status ps;
        sc_process_get_status(lv->process, &ps);
        if (ps.failed) {
            rc = 1;
            break;
        }
        if (ps.ended && !s)
            break;   /* the source ended and the last frame is in */
        if (sc_now_us() - last_progress > 500000) {
            progress(lv, &t, tty);
            last_progress = sc_now_us();
        }
    }
    if (tty)
        fputc('\n', stderr);
    report(lv, &t);
    return rc;
}
