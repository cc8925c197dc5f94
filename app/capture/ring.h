/* A fixed ring of frame slots between the capture thread (one producer) and
 * the processing thread (one consumer). Slots are leased: whoever holds a
 * slot reads or writes its frame (pixels and fields) without the ring's
 * lock; leases pass under the lock. The consumer may hold several leases
 * (the engine reads a slot while it is leased). Slot buffers are allocated
 * once per frame size, never per frame. */
#ifndef SC_RING_H
#define SC_RING_H

#include <stdint.h>

#include "common/frame.h"
#include "common/status.h"

enum sc_ring_mode {
    SC_RING_LIVE,       /* producer never waits: the oldest unconsumed frame is
                           dropped; the consumer always gets the newest */
    SC_RING_LOSSLESS,   /* producer waits while full; consumer gets frames in order */
};

struct sc_ring_stats {
    uint64_t produced;  /* frames committed */
    uint64_t consumed;  /* frames handed to the consumer */
    uint64_t dropped;   /* frames overwritten or skipped before being consumed */
    uint64_t allocs;    /* slot buffer (re)allocations, for "no per-frame allocation" checks */
    uint64_t last_seq;  /* seq of the newest committed frame */
};

struct sc_ring;

/* nslots: 3..16. Returns SC_ERR_ARG or SC_ERR_NOMEM with a sentence. */
enum sc_status sc_ring_init(struct sc_ring **ring, int nslots, enum sc_ring_mode mode,
                            struct sc_error *err);
/* Frees the ring and its buffers; no slot may be leased. *ring becomes NULL. */
void sc_ring_free(struct sc_ring **ring);

/* Producer: leases a slot with an rgb buffer for w x h (reallocated only when
 * the size changes). LIVE never waits; LOSSLESS waits at most timeout_ms for
 * a free slot. Returns SC_OK, SC_AGAIN (timeout), SC_EOF (terminated) or
 * SC_ERR_NOMEM. */
enum sc_status sc_ring_write_acquire(struct sc_ring *ring, int w, int h, int timeout_ms,
                                     struct sc_frame **slot);
/* Producer: publishes the leased slot (its pts_us and seq set by the caller). */
void sc_ring_write_commit(struct sc_ring *ring, struct sc_frame *slot);
/* Producer: gives the leased slot back unpublished. */
void sc_ring_write_cancel(struct sc_ring *ring, struct sc_frame *slot);
/* Producer: no more frames; the consumer gets SC_EOF once the ring is drained. */
void sc_ring_post_eos(struct sc_ring *ring);

/* Consumer: waits at most timeout_ms (< 0: no limit) for a frame and leases
 * it: LIVE gives the newest (older unconsumed ones count as dropped),
 * LOSSLESS the oldest. Returns SC_OK, SC_AGAIN (timeout, or sc_ring_wake),
 * or SC_EOF (end of stream or terminated). */
enum sc_status sc_ring_read_acquire(struct sc_ring *ring, int timeout_ms,
                                    const struct sc_frame **frame);
/* Consumer: returns the leased frame. */
void sc_ring_read_release(struct sc_ring *ring, const struct sc_frame *frame);

/* Any thread: wakes both sides; from now on both get SC_EOF. */
void sc_ring_terminate(struct sc_ring *ring);
/* Any thread: the consumer's next or current wait returns SC_AGAIN at once
 * (it has orders to look at). */
void sc_ring_wake(struct sc_ring *ring);

void sc_ring_get_stats(struct sc_ring *ring, struct sc_ring_stats *st);

/* For tests: the rgb buffer of slot i (NULL if not allocated). */
const uint8_t *sc_ring_slot_buffer(struct sc_ring *ring, int i);

#endif
