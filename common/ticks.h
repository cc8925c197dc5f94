/* Frame times: microseconds (sc_frame.pts_us) and ticks of a stream's time
 * base (num/den seconds a tick). A video file's frames go ticks -> us in the
 * source and us -> ticks in the recorder; both round to the nearest, so for
 * any time base of at least 1 us a tick the file's ticks come back exactly. */
#ifndef SC_TICKS_H
#define SC_TICKS_H

#include <stdint.h>

int64_t sc_ticks_to_us(int64_t ticks, int num, int den);
int64_t sc_us_to_ticks(int64_t us, int num, int den);

#endif
