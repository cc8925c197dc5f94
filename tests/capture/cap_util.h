/* Helpers of the capture tests (the runner, waiting and files are
 * tests/util/sc_test.h's). */
#ifndef CAP_UTIL_H
#define CAP_UTIL_H

#include <stdint.h>

#include "app/capture/capture.h"
#include "app/capture/ring.h"
#include "common/frame.h"

/* Resident set size of this process in KiB. */
long cap_rss_kib(void);

/* How far frame f is from fakecam's colour bars (see tests/fakecam/README.md):
 * the largest channel difference at the centre of the 8 bars. */
int cap_bars_error(const struct sc_frame *f);

/* x of the left edge of fakecam's moving white box, or -1. */
int cap_box_x(const struct sc_frame *f);

/* The consumer the live pipeline has when the engine lags behind the
 * source: takes n frames from ring (its producer running, frames w wide),
 * holding each until the producer has committed `slots` more (the ring's
 * size), so that the ring must drop. Checks by sequence numbers and
 * counters, never by rates: each frame taken is at least as new as any
 * committed before the take, the ones passed over count as dropped, every
 * slot's buffer is allocated in the first lap and never again nor moved,
 * and memory stays flat. */
void cap_slow_consumer(struct sc_ring *ring, int slots, int n, int w);

/* A ring of `slots` in mode, and a capture thread on drv feeding it. */
struct sc_capture *cap_start(const struct sc_source_driver *drv,
                             const struct sc_source_request *req, int slots,
                             enum sc_ring_mode mode, struct sc_ring **ring);

/* Holds until the ring's producer has committed `count` frames in all;
 * fails the test after SC_TEST_PATIENCE_MS. */
void cap_wait_produced(struct sc_ring *ring, uint64_t count);

/* Holds until the capture's status counts `count` frames captured (it
 * counts a frame just after the ring has it), then fills cs; fails the
 * test after SC_TEST_PATIENCE_MS. */
void cap_wait_captured(struct sc_capture *cap, uint64_t count, struct sc_capture_status *cs);

/* Holds until the capture's status has a measured rate (after its first
 * second), then fills cs; fails the test after SC_TEST_PATIENCE_MS. */
void cap_wait_fps(struct sc_capture *cap, struct sc_capture_status *cs);

#endif
