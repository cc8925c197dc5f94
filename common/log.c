#include "common/log.h"
#include "common/clock.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum sc_log_level log_level = SC_LOG_INFO; /* log_lock */

/* Rate-limit table: a few slots of (key, last time printed). */
#define RL_SLOTS 16
static struct { const char *key; double last; } rl[RL_SLOTS]; /* log_lock */

static const char *prefix(enum sc_log_level level)
{
    switch (level) {
    case SC_LOG_ERROR: return "stylecam: error: ";
    case SC_LOG_WARN: return "stylecam: warning: ";
    default: return "stylecam: ";
    }
}

void sc_log_set_level(enum sc_log_level level)
{
    pthread_mutex_lock(&log_lock);
    log_level = level;
    pthread_mutex_unlock(&log_lock);
}

static void vlog_locked(enum sc_log_level level, const char *fmt, va_list ap)
{
    char line[PATH_MAX + 1024];   /* a sentence may name a file by its full path */
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        line[--n] = '\0';
    fprintf(stderr, "%s%s\n", prefix(level), line);
}

void sc_log(enum sc_log_level level, const char *fmt, ...)
{
    pthread_mutex_lock(&log_lock);
    if (level <= log_level) {
        va_list ap;
        va_start(ap, fmt);
        vlog_locked(level, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&log_lock);
}

int sc_log_ratelimited(const char *key, enum sc_log_level level,
                       const char *fmt, ...)
{
    int printed = 0;
    double t = (double)sc_now_us() / 1e6;
    pthread_mutex_lock(&log_lock);
    int slot = -1;
    for (int i = 0; i < RL_SLOTS; i++) {
        if (rl[i].key && strcmp(rl[i].key, key) == 0) { slot = i; break; }
        if (!rl[i].key && slot < 0) slot = i;
    }
    if (slot < 0)
        slot = 0;
    if (!rl[slot].key || strcmp(rl[slot].key, key) != 0 || t - rl[slot].last >= 1.0) {
        rl[slot].key = key;
        rl[slot].last = t;
        if (level <= log_level) {
            va_list ap;
            va_start(ap, fmt);
            vlog_locked(level, fmt, ap);
            va_end(ap);
            printed = 1;
        }
    }
    pthread_mutex_unlock(&log_lock);
    return printed;
}
