#include "common/avlog.h"

#include <libavutil/log.h>
#include <pthread.h>
#include <stdarg.h>

#include "common/log.h"

static void forward(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_WARNING)
        return;
    static _Thread_local int print_prefix = 1; /* FFmpeg's line-start state */
    char line[1024];
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
    sc_debug("ffmpeg: %s", line);
}

static void install(void)
{
    av_log_set_callback(forward);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

void sc_avlog_route(void)
{
    pthread_once(&once, install);
}
