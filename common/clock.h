/* The one clock: CLOCK_MONOTONIC, the clock every frame's pts_us is on and
 * every condition variable of the program waits against. */
#ifndef SC_CLOCK_H
#define SC_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Now, in microseconds. */
int64_t sc_now_us(void);

/* The absolute time ms milliseconds from now, for pthread_cond_timedwait on
 * a condition variable made by sc_cond_init. */
struct timespec sc_deadline_ms(int ms);

/* A condition variable that waits against CLOCK_MONOTONIC (so that a change
 * of the wall clock neither stretches nor cuts a wait). */
void sc_cond_init(pthread_cond_t *cond);

#endif
