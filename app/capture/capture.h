/* The capture thread: pulls frames from a source into a ring, and keeps
 * reopening a camera that was unplugged until it is back. */
#ifndef SC_CAPTURE_H
#define SC_CAPTURE_H

#include <stdint.h>

#include "app/capture/ring.h"
#include "app/capture/source.h"

enum sc_capture_state {
    SC_CAPTURE_RUNNING,     /* frames are flowing */
    SC_CAPTURE_LOST,        /* the camera went away; retrying every ~500 ms */
    SC_CAPTURE_ENDED,       /* the source ended (a file); the ring saw end-of-stream */
    SC_CAPTURE_FAILED,      /* a fatal error; message says what */
};

struct sc_capture_status {
    enum sc_capture_state state;
    char message[1024];         /* a sentence for the user when not RUNNING, else "" */
    uint64_t frames_captured;   /* frames put into the ring */
    uint64_t frames_dropped;    /* frames the ring dropped (consumer too slow) */
    double fps;                 /* measured capture rate over the last second */
    int w, h;                   /* negotiated size */
    double nominal_fps;         /* the source's nominal rate (0 = unknown): a clip declares it */
    int time_base_num;          /* a video file's time base (else 0/0): a clip */
    int time_base_den;          /* of it keeps the file's exact timestamps */
    char name[256];             /* what is open */
};

struct sc_capture;

/* Opens the source synchronously (so the caller can print err's sentence and
 * exit on busy/absent/not-a-camera), then starts the thread feeding ring.
 * driver and ring must outlive the capture; req is copied. */
enum sc_status sc_capture_init(struct sc_capture **cap, const struct sc_source_driver *driver,
                               const struct sc_source_request *req, struct sc_ring *ring,
                               struct sc_error *err);

/* Posts terminate, joins the thread and closes the source. The ring is left
 * to the caller. *cap becomes NULL; NULL is a no-op. */
void sc_capture_free(struct sc_capture **cap);

/* A consistent snapshot of the capture's state. Any thread. */
void sc_capture_get_status(struct sc_capture *cap, struct sc_capture_status *st);

#endif
