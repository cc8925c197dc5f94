/* Helpers shared by the capture tests. */
#ifndef CAP_UTIL_H
#define CAP_UTIL_H

#include <stdint.h>

#include "common/frame.h"

/* Resident set size of this process in KiB. */
long cap_rss_kib(void);

/* Sleeps ms milliseconds. */
void cap_sleep_ms(int ms);

/* How far frame f is from fakecam's colour bars (see tests/fakecam/README.md):
 * the largest channel difference at the centre of the 8 bars. */
int cap_bars_error(const struct sc_frame *f);

/* x of the left edge of fakecam's moving white box, or -1. */
int cap_box_x(const struct sc_frame *f);

#endif
