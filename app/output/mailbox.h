/* A one-slot mailbox from the processing thread to the display: the newest
 * stylized frame (with the original it came from, when asked for) waits in
 * the slot; if the display has not taken it when a newer one arrives, it is
 * dropped and counted (drop-if-late). The producer owns SC_MAILBOX_BACKS
 * buffers (one per frame it has in flight), the slot one, the consumer one;
 * they swap under the lock, so no frame is copied and nothing is allocated
 * unless the frame size changes. */
#ifndef SC_MAILBOX_H
#define SC_MAILBOX_H

#include <stdint.h>

#include "common/frame.h"
#include "common/status.h"

struct sc_shown {
    struct sc_frame stylized;   /* what the engine made */
    struct sc_frame original;   /* the camera frame, mirrored like stylized */
    int with_original;          /* original holds this frame's (compare mode asked) */
    double engine_ms;           /* engine time for this frame */
    int style;                  /* style index used */
    uint64_t n;                 /* post number: 1, 2, ...; posts not taken were dropped */
};

#define SC_MAILBOX_BACKS 2

struct sc_mailbox;

enum sc_status sc_mailbox_init(struct sc_mailbox **out, struct sc_error *err);
void sc_mailbox_free(struct sc_mailbox **mbp);

/* Producer: its buffer i (0 .. SC_MAILBOX_BACKS-1), sized for w x h, the
 * original too when with_original (reallocated only when the size
 * changes); NULL when out of memory. */
struct sc_shown *sc_mailbox_back(struct sc_mailbox *mb, int i, int w, int h,
                                 int with_original);
/* Producer: publishes its buffer i, replacing (and counting as dropped) a
 * frame the consumer never took; buffer i is then another, stale one. */
void sc_mailbox_post(struct sc_mailbox *mb, int i);
/* Producer: no more frames; the consumer gets SC_EOF once it took the last. */
void sc_mailbox_end(struct sc_mailbox *mb);
/* Producer: whether the consumer wants the original with each frame. */
int sc_mailbox_wants_original(struct sc_mailbox *mb);

/* Any thread: fn(ctx) is called, under the mailbox's lock, when the slot
 * gets a frame while empty and at the end, so that a loop waiting
 * elsewhere (an SDL event queue) wakes; it must not call back into the
 * mailbox. Once this returns, the previous fn is never called again. */
void sc_mailbox_set_notify(struct sc_mailbox *mb, void (*fn)(void *ctx), void *ctx);

/* Consumer: waits at most timeout_ms (0 = don't, < 0 = no limit) for a frame
 * newer than the last one taken. SC_OK: *out is it, valid until the next
 * take; SC_AGAIN: none came; SC_EOF: the producer ended, all taken. */
enum sc_status sc_mailbox_take(struct sc_mailbox *mb, int timeout_ms,
                               const struct sc_shown **out);
/* Consumer: ask for the original with each frame (compare mode) or not. */
void sc_mailbox_want_original(struct sc_mailbox *mb, int on);

/* Frames replaced in the slot before the display took them. */
uint64_t sc_mailbox_dropped(struct sc_mailbox *mb);

#endif
