/* Progress: the byte count, its rate and the time left (updated by the
 * transfers), and the one-line text of the terminal bar. */
#include "app/download/download_priv.h"

#include <math.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#define RATE_SAMPLE_S 0.5

void sc_download_add_bytes(struct sc_download *d, int64_t n)
{
    double t = now_s();
    pthread_mutex_lock(&d->lock);
    struct sc_download_progress *p = &d->prog;
    p->bytes_done += n;
    if (p->bytes_done > p->bytes_total)
        p->bytes_total = p->bytes_done;
    if (d->rate_t0 == 0) {
        d->rate_t0 = t;
        d->rate_b0 = p->bytes_done;
    } else if (t - d->rate_t0 >= RATE_SAMPLE_S) {
        /* Resumed or restarted bytes move the count at once: not a rate. */
        double inst = fmax(0, (double)(p->bytes_done - d->rate_b0) / (t - d->rate_t0));
        p->rate = p->rate > 0 ? 0.6 * p->rate + 0.4 * inst : inst;
        d->rate_t0 = t;
        d->rate_b0 = p->bytes_done;
    }
    int64_t left = p->bytes_total - p->bytes_done;
    p->eta_s = p->rate > 1 ? (double)left / p->rate : -1;
    pthread_mutex_unlock(&d->lock);
}

static void human(char *out, size_t n, double bytes)
{
    if (bytes >= 1e6)
        snprintf(out, n, "%.1f MB", bytes / 1e6);
    else
        snprintf(out, n, "%.0f kB", bytes / 1e3);
}

void sc_download_format(const struct sc_download_progress *p, int bar, char *out, size_t n)
{
    char done[24], total[24], rate[32] = "", eta[32] = "", graph[128] = "";
    human(done, sizeof done, (double)p->bytes_done);
    human(total, sizeof total, (double)p->bytes_total);
    if (p->rate > 0) {
        human(rate, sizeof rate, p->rate);
        strcat(rate, "/s");
    }
    if (p->eta_s >= 0 && isfinite(p->eta_s) && p->eta_s < 360000) {
        int s = (int)(p->eta_s + 0.5);
        snprintf(eta, sizeof eta, "  %d:%02d left", s / 60, s % 60);
    }
    if (bar > 0) {
        bar = bar < 100 ? bar : 100;
        double f = p->bytes_total > 0 ? (double)p->bytes_done / (double)p->bytes_total : 0;
        int k = (int)(fmin(fmax(f, 0), 1) * bar);
        graph[0] = '[';
        for (int i = 0; i < bar; i++)
            graph[1 + i] = i < k ? '#' : '-';
        snprintf(graph + 1 + bar, sizeof graph - 1 - (size_t)bar, "] ");
    }
    int shown = p->styles_done + (p->current[0] ? 1 : 0);
    snprintf(out, n, "[%d/%d] %-14.63s %s%s/%s  %s%s", shown ? shown : 1, p->styles_total,
             p->current, graph, done, total, rate[0] ? rate : "--", eta);
}
