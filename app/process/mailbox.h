/* A one-slot mailbox from the processing thread to the display: the newest
 * stylized frame (with the original it came from) waits in the slot; if the
 * display has not taken it when a newer one arrives, it is dropped and
 * counted (drop-if-late). Triple buffered: the producer's, the slot's and
 * the consumer's buffers swap under the lock, so no frame is copied and
 * nothing is allocated unless the frame size changes. */
#ifndef SC_MAILBOX_H
#define SC_MAILBOX_H

#include <stdint.h>

#include "app/frame.h"
#include "engine/status.h"

struct sc_shown {
    struct sc_frame stylized;   /* what the engine made */
    struct sc_frame original;   /* the camera frame it came from (same size) */
    double engine_ms;           /* engine time for this frame */
    int style;                  /* style index used */
};

struct sc_mailbox;

enum sc_status sc_mailbox_init(struct sc_mailbox **out, struct sc_error *err);
void sc_mailbox_free(struct sc_mailbox *mb);

/* Producer: its own buffer, sized for w x h (reallocated only when the size
 * changes); NULL when out of memory. */
struct sc_shown *sc_mailbox_back(struct sc_mailbox *mb, int w, int h);
/* Producer: publishes the back buffer, replacing (and counting as dropped)
 * a frame the consumer never took. */
void sc_mailbox_post(struct sc_mailbox *mb);

/* Consumer: waits at most timeout_ms (0 = don't wait) for a frame newer than
 * the last one taken; returns it (valid until the next take), or NULL. */
const struct sc_shown *sc_mailbox_take(struct sc_mailbox *mb, int timeout_ms);

/* Frames replaced in the slot before the display took them. */
uint64_t sc_mailbox_dropped(struct sc_mailbox *mb);

#endif
