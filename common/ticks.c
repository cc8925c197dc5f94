#include "common/ticks.h"

#include <libavutil/mathematics.h>

int64_t sc_ticks_to_us(int64_t ticks, int num, int den)
{
    return av_rescale_rnd(ticks, (int64_t)num * 1000000, den, AV_ROUND_NEAR_INF);
}

int64_t sc_us_to_ticks(int64_t us, int num, int den)
{
    return av_rescale_rnd(us, den, (int64_t)num * 1000000, AV_ROUND_NEAR_INF);
}
