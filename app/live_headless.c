/* The headless loop: the same pipeline without a window, for scripts,
 * tests and batch runs; reports rates, latency and drops at exit. It waits
 * on the mailbox's condition variable. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/live.h"
#include "common/clock.h"
#include "common/log.h"

/* The run's clock and memory; the frames are the display's tally. */
struct tally {
    struct sc_display_tally d;
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
    fprintf(stderr, "\rstylecam: %llu frames, %.1f fps%s   ", (unsigned long long)t->d.posted,
            s > 0 ? t->d.posted / s : 0.0, lv->batch ? " (recording)" : "");
}

/* Frames made for the display (shown, or dropped as late and counted) and
 * latency over those shown. */
static void report(struct sc_live *lv, const struct tally *t)
{
    struct sc_ring_stats rs;
    struct sc_process_status ps;
    sc_ring_get_stats(lv->ring, &rs);
    sc_process_get_status(lv->process, &ps);
    double s = (double)(sc_now_us() - t->t0) / 1e6;
    unsigned long long n = t->d.posted;
    if (lv->batch)      /* every frame is taken, none is live: no latency or drops */
        sc_info("%llu frames in %.1f s (%.1f fps); engine %.1f ms/frame", n, s,
                s > 0 ? n / s : 0.0, ps.engine_ms);
    else
        sc_info("%llu frames in %.1f s (%.1f fps); engine %.1f ms/frame; latency capture to "
                "display %.1f ms mean, %.1f ms max; dropped %llu (camera ring) + %llu "
                "(display); %llu frames taken that were not among the newest",
                n, s, s > 0 ? n / s : 0.0, ps.engine_ms,
                t->d.shown ? t->d.lat_sum / t->d.shown : 0.0, t->d.lat_max,
                (unsigned long long)rs.dropped,
                (unsigned long long)sc_mailbox_dropped(lv->mailbox),
                (unsigned long long)ps.stale);
    if (ps.infer_w)
        sc_info("the network ran at %dx%d, scaled up to the frame's size", ps.infer_w,
                ps.infer_h);
    if (t->rss_warm_kib)
        sc_info("memory: %ld KiB resident after %d frames, %ld KiB at the end", t->rss_warm_kib,
                WARM_FRAMES, rss_kib());
    sc_live_log_copies(lv, &t->d);
}

/* The progress line and the stop flag are looked at this often; frames
 * wake the loop as they come. */
#define TICK_MS 250

int sc_live_run_headless(struct sc_live *lv)
{
    struct tally t;
    memset(&t, 0, sizeof t);
    t.t0 = sc_now_us();
    int tty = isatty(2);
    int64_t last_progress = 0;
    /* The processing thread ends the run (--frames, the source's end, a
     * failure): the mailbox then says SC_EOF once the last frame is taken. */
    while (!sc_live_stop) {
        const struct sc_shown *s;
        enum sc_status st = sc_display_take(lv->mailbox, &t.d, TICK_MS, &s);
        if (st == SC_EOF)
            break;
        if (st == SC_OK && t.d.shown == WARM_FRAMES)
            t.rss_warm_kib = rss_kib();
        if (sc_now_us() - last_progress > 500000) {
            progress(lv, &t, tty);
            last_progress = sc_now_us();
        }
    }
    if (tty)
        fputc('\n', stderr);
    struct sc_process_status ps;
    sc_process_get_status(lv->process, &ps);
    report(lv, &t);
    return ps.failed ? 1 : 0;
}
