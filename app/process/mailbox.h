/* A one-slot mailbox from the processing thread to the display: the newest
 * stylized frame (with the original it came from) waits in the slot; if the
 * display has not taken it when a newer one arrives, it is dropped and
 * counted (drop-if-late). The producer owns SC_MAILBOX_BACKS buffers (one
 * per frame it has in flight), the slot one, the consumer one; they swap
 * under the lock, so no frame is copied and nothing is allocated unless the
 * frame size changes. */
#ifndef SC_MAILBOX_H
#define SC_MAILBOX_H

#include <stdint.h>

#include "common/frame.h"
#include "common/status.h"

struct sc_shown {
    struct sc_frame stylized;   /* what the engine made */
    struct sc_frame original;   /* the camera frame it came from (same size) */
    double engine_ms;           /* engine time for this frame */
    int style;                  /* style index used */
};

#define SC_MAILBOX_BACKS 2

struct sc_mailbox;

enum sc_status sc_mailbox_init(struct sc_mailbox **out, struct sc_error *err);
void sc_mailbox_free(struct sc_mailbox **mbp);

/* Producer: its buffer i (0 .. SC_MAILBOX_BACKS-1), sized for w x h
 * (reallocated only when the size changes); NULL when out of memory. */
struct sc_shown *sc_mailbox_back(struct sc_mailbox *mb, int i, int w, int h);
/* Producer: publishes its buffer i, replacing (and counting as dropped) a
 * frame the consumer never took; buffer i is then another, stale one. */
void sc_mailbox_post(struct sc_mailbox *mb, int i);

/* Consumer: waits at most timeout_ms (0 = don't wait) for a frame newer than
 * the last one taken; returns it (valid until the next take), or NULL. */
const struct sc_shown *sc_mailbox_take(struct sc_mailbox *mb, int timeout_ms);

/* Frames replaced in the slot before the display took them. */
uint64_t sc_mailbox_dropped(struct sc_mailbox *mb);

#endif
