#include "app/capture/pace.h"
#include "common/clock.h"

#include <errno.h>
#include <math.h>
#include <time.h>

#include "common/frame.h"

void sc_pace_init(struct sc_pace *p, double fps, int paced)
{
    p->paced = paced;
    double period = fps > 0 ? 1e6 / fps : 1e6 / 30;
    p->period_us = period >= 1 ? llround(period) : 1;
    p->next_us = sc_now_us();
    p->slot = 0;
}

static void sleep_until(int64_t us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

enum sc_status sc_pace_wait(struct sc_pace *p, int timeout_ms, int64_t *slot_us,
                            uint64_t *seq)
{
    if (!p->paced) {
        *slot_us = p->next_us;
        *seq = p->slot++;
        p->next_us += p->period_us;
        return SC_OK;
    }
    int64_t now = sc_now_us();
    if (p->next_us - now > (int64_t)timeout_ms * 1000) {
        sleep_until(now + (int64_t)timeout_ms * 1000);
        return SC_AGAIN;
    }
    sleep_until(p->next_us);
    /* Woken late, or called late: the newest slot that is due is the frame. */
    int64_t missed = (sc_now_us() - p->next_us) / p->period_us;
    if (missed > 0) {
        p->next_us += missed * p->period_us;
        p->slot += (uint64_t)missed;
    }
    *slot_us = p->next_us;
    *seq = p->slot++;
    p->next_us += p->period_us;
    return SC_OK;
}
